"""The model: exact conversion, validation, conventions, regions."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from plrnn_symbolic import PLRNN, InputError, check, region_matrix, region_of
from plrnn_symbolic.core.conversion import to_exact
from plrnn_symbolic.model.regions import all_regions, select_regions, visited_regions


def test_floats_convert_exactly():
    x = to_exact(0.1)
    assert x == sp.Rational(3602879701896397, 36028797018963968)
    assert float(x) == 0.1 and x != sp.Rational(1, 10)
    assert to_exact(np.float32(0.1)) == sp.Rational(*float(np.float32(0.1)).as_integer_ratio())
    assert to_exact("1/3") == sp.Rational(1, 3)
    assert to_exact("0.1") == sp.Rational(1, 10)  # a decimal string means the decimal the user wrote
    assert to_exact(Fraction(2, 6)) == sp.Rational(1, 3)
    assert to_exact(sp.Float(0.25)) == sp.Rational(1, 4)


@pytest.mark.parametrize("bad, msg", [
    ({"A": [[1, 0]], "W": [[0]], "h": [0]}, "square"),
    ({"A": [[1, 0], [0, 1]], "W": [[0]], "h": [0, 0]}, "W has shape"),
    ({"A": [[1, 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0]}, "h has shape"),
    ({"A": [[float("nan"), 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0]}, "finite"),
    ({"A": [[float("inf"), 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0]}, "finite"),
    ({"A": [[1, 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0], "dt": 0}, "dt must be > 0"),
    ({"A": [[1, 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0], "dt": -0.1}, "dt must be > 0"),
    ({"A": [[1, 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0], "C": [[1], [2], [3]]}, "C has shape"),
    ({"A": [[1j, 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0]}, "complex"),
    ({"A": [["import os", 0], [0, 1]], "W": [[0, 0], [0, 0]], "h": [0, 0]}, "neither a rational"),
])
def test_bad_input_is_refused_clearly(bad, msg):
    with pytest.raises(InputError, match=msg):
        PLRNN(**bad)


def test_conventions_are_reported_not_refused():
    m = PLRNN(A=[[0.5, 0.1], [0, 0.5]], W=[[0.2, 1], [1, 0]], h=[0, 0])
    assert m.conventions() == ["A is not diagonal", "W has a nonzero diagonal (units 1)"]
    assert check(m).notes[:2] == ["convention: A is not diagonal", "convention: W has a nonzero diagonal (units 1)"]


def test_region_matrix_and_naming():
    m = PLRNN(A=np.diag([0.5, 0.25, 0.75]), W=[[0, 1, 2], [3, 0, 4], [5, 6, 0]], h=[0, 0, 0])
    H = region_matrix(m, "101")
    assert H == sp.Matrix([[0.5, 0, 2], [3, 0.25, 4], [5, 0, 0.75 + 0]]).applyfunc(sp.nsimplify)
    assert region_of([1.0, 0.0, -2.0]) == "100"
    assert all_regions(2) == ["11", "10", "01", "00"]
    with pytest.raises(InputError, match="2\\^21"):
        all_regions(21)
    with pytest.raises(InputError, match="not a string of 3"):
        region_matrix(m, "10")


def test_region_step_is_the_map():
    """Independent routes: the region matrix affine map equals the PLRNN step."""
    rng = np.random.default_rng(0)
    m = PLRNN(np.diag(rng.uniform(0, 1, 4)), rng.normal(size=(4, 4)), rng.normal(size=4))
    for _ in range(20):
        z = rng.normal(size=4)
        H = np.array(region_matrix(m, region_of(z)).tolist(), dtype=float)
        np.testing.assert_allclose(H @ z + m.numeric.h, m.step(z), rtol=1e-12, atol=1e-12)


def test_visited_regions():
    m = PLRNN(A=[[0, 0], [0, 0]], W=[[0, -1], [1, 0]], h=[1, 0])
    # z0 = 0 -> (1, 0) -> (1, 1) -> (0, 1) -> (0, 0): a 4-cycle through 4 regions
    assert visited_regions(m, [0, 0], steps=4) == ["00", "10", "11", "01"]
    assert select_regions(m, "visited", z0=[0, 0], steps=1) == ["00", "10"]
    assert visited_regions(m, [0, 0], steps=2, burn_in=2) == ["11", "01", "00"]


def test_symbolic_conditions_in_check():
    a = sp.Symbol("a", real=True)
    m = PLRNN(A=[[a, 0], [0, sp.Rational(1, 2)]], W=[[0, 0], [1, 0]], h=[0, 0])
    r = check(m, regions=["00"])
    v = r["00"]["principal_log"]
    assert v.method == "symbolic" and v.status == "undecided"
    assert sp.simplify(v.condition.subs(a, sp.Rational(1, 3))) is sp.true
    assert sp.simplify(v.condition.subs(a, -1)) is sp.false
    with pytest.raises(InputError, match="free parameters"):
        check(m, mode="float")


def test_symbolic_conditions_agree_with_exact_predicates():
    """For 2 x 2 matrices: the parameter conditions evaluated at values equal the exact verdicts."""
    a, b = sp.symbols("a b", real=True)
    m = PLRNN(A=[[a, 0], [0, b]], W=[[0, sp.Rational(1, 2)], [-1, 0]], h=[0, 0])
    for va in [sp.Rational(-1), sp.Rational(1, 2), 0, 1, sp.Rational(-3, 4)]:
        for vb in [sp.Rational(-1), sp.Rational(1, 3), 1, sp.Rational(-3, 4)]:
            sym = check(m, regions=["11", "10", "00"])
            num = check(m.subs({a: va, b: vb}), regions=["11", "10", "00"])
            for bits in sym.regions:
                for p, v in sym[bits].verdicts.items():
                    val = v.condition.subs({a: va, b: vb})
                    assert (bool(val) if val in (sp.true, sp.false) else None) == num[bits][p].holds, (bits, p, va, vb)
