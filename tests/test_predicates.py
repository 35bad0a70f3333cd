"""Predicates: known answers, and independent routes that must agree."""

from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy as sp
from _independent import trained_like
from hypothesis import given
from hypothesis import strategies as st

from plrnn_symbolic import PLRNN, check
from plrnn_symbolic.core.domains import acb_from_fmpq, float_matrix, fmpq_matrix, working_precision
from plrnn_symbolic.region.predicates import PREDICATES, decide
from plrnn_symbolic.region.spectrum import ball_spectrum, exact_spectrum, float_spectrum
from plrnn_symbolic.testing import JordanStructure, jordan_structures, plrnns, structured_matrices


def exact(H):
    return {k: v.status for k, v in decide(exact_spectrum(fmpq_matrix(sp.Matrix(H)))).items()}


def J(v, k):
    return sp.Matrix(k, k, lambda i, j: v if i == j else (1 if j == i + 1 else 0))


@pytest.mark.parametrize("H, expected", [
    # diag(-1, -1): real log (pairs), not principal
    (sp.diag(-1, -1), {"invertible": "holds", "principal_log": "fails", "real_log": "holds", "unique_real_log": "fails"}),
    # one Jordan block J2(-1): no real log
    (J(-1, 2), {"invertible": "holds", "principal_log": "fails", "real_log": "fails"}),
    # two J2(-1) blocks: real log
    (sp.diag(J(-1, 2), J(-1, 2)), {"principal_log": "fails", "real_log": "holds", "unique_real_log": "fails"}),
    # J2(-1) + J1(-1): no real log
    (sp.diag(J(-1, 2), J(-1, 1)), {"real_log": "fails"}),
    # singular
    (sp.Matrix([[1, 2], [2, 4]]), {"invertible": "fails", "real_log": "fails", "principal_log": "fails"}),
    # single Jordan block of a positive eigenvalue: unique real log
    (J(sp.Rational(1, 2), 3), {"principal_log": "holds", "real_log": "holds", "unique_real_log": "holds"}),
    # J2(1) + J1(1): blocks of different sizes, so the real log is unique (Culver; proofs/03 Remark 3.5)
    (sp.diag(J(1, 2), J(1, 1)), {"principal_log": "holds", "unique_real_log": "holds", "eigenvalue_one": "holds"}),
    # 2 * identity: principal log, but the real log is not unique (two blocks)
    (sp.diag(2, 2), {"principal_log": "holds", "unique_real_log": "fails"}),
    # rotation: complex pair, principal but not unique
    (sp.Matrix([[0, -1], [1, 0]]), {"principal_log": "holds", "real_log": "holds", "unique_real_log": "fails"}),
    # irrational negative eigenvalue (1 - sqrt 5)/2: no real log
    (sp.Matrix([[0, 1], [1, 1]]), {"principal_log": "fails", "real_log": "fails", "eigenvalue_one": "fails"}),
])
def test_known_answers(H, expected):
    got = exact(H)
    for k, v in expected.items():
        assert got[k] == v, (k, got)


def test_eigenvalue_one_in_units_with_a_ii_one():
    # units 1 and 3 have a_ii = 1 with zero rows of W: eigenvalue one in every region
    m = PLRNN(A=np.diag([1.0, 0.5, 1.0]), W=[[0, 0, 0], [0.3, 0, -0.7], [0, 0, 0]], h=[0, 0.1, 0])
    r = check(m)
    for rc in r.regions.values():
        assert rc["eigenvalue_one"].status == "holds"
        (one,) = rc["eigenvalue_one"].witness["eigenvalue_one"]
        assert one["multiplicity"] == 2 and one["jordan_blocks"] == [1, 1]


def test_jordan_witness_for_negative_eigenvalue():
    v = decide(exact_spectrum(fmpq_matrix(sp.diag(J(-1, 2), J(-1, 1)))))["real_log"]
    (neg,) = v.witness["negative_eigenvalues"]
    assert neg["jordan_blocks"] == [2, 1] and neg["unpaired_blocks"] == [2, 1]
    assert v.method == "exact"


@given(structured_matrices())
def test_exact_agrees_with_construction(d):
    """The exact predicates equal what the Jordan structure the matrix was built from implies."""
    got = exact(d.matrix)
    for k, v in d.structure.expected().items():
        assert got[k] == ("holds" if v else "fails"), (k, d)


def _never_contradicts(other, ref):
    for k in PREDICATES:
        assert other[k] in (ref[k], "undecided"), (k, other[k], ref[k])


@given(structured_matrices())
def test_certified_never_contradicts_exact(d):
    H = fmpq_matrix(d.matrix)
    ref = exact(d.matrix)
    for prec in (53, 128):
        with working_precision(prec):
            S = acb_from_fmpq(H)
        got = {k: v.status for k, v in decide(ball_spectrum(S, (), prec)).items()}
        _never_contradicts(got, ref)


well_separated = jordan_structures(
    values=st.sampled_from([Fraction(v) for v in (-2, -1, Fraction(-1, 2), Fraction(1, 2), 1, 2, 3)]),
    max_block=1,
)


@given(structured_matrices(well_separated))
def test_float_agrees_with_exact_on_well_separated_spectra(d):
    spec = float_spectrum(float_matrix(d.matrix))
    got = {k: v.status for k, v in decide(spec).items()}
    assert got == exact(d.matrix)


@given(st.integers(2, 5), st.integers(0, 2**16), st.sampled_from(["1", "0"]))
def test_sweep_modes_agree_on_random_float_models(M, seed, _):
    m = trained_like(M, seed, w=0.6)
    ref = check(m, mode="exact")
    cert = check(m, mode="certified")
    flt = check(m, mode="float")
    for bits in ref.regions:
        e = {k: v.status for k, v in ref[bits].verdicts.items()}
        _never_contradicts({k: v.status for k, v in cert[bits].verdicts.items()}, e)
        _never_contradicts({k: v.status for k, v in flt[bits].verdicts.items()}, e)
        assert all(v.status != "undecided" for v in cert[bits].verdicts.values()), bits


def test_certified_undecided_for_a_true_double_eigenvalue_then_structure_decides():
    # J2(-1) in the active block: acb eig cannot isolate it: undecided, never a wrong verdict
    S = acb_from_fmpq(flint.fmpq_mat([[-1, 1], [0, -1]]))
    v = decide(ball_spectrum(S, (), 64))
    assert v["real_log"].status == "undecided"
    assert v["principal_log"].status == "undecided"
    # repeated inactive a_ii = -1/2 separated from S: two 1x1 blocks, so Culver holds for them
    S = acb_from_fmpq(flint.fmpq_mat([[2]]))
    v = decide(ball_spectrum(S, [flint.fmpq(-1, 2)] * 2, 64))
    assert v["real_log"].status == "holds" and v["principal_log"].status == "fails"


def test_structure_expected_matches_hand_values():
    s = JordanStructure(((Fraction(-1), (1, 1)), (Fraction(2), (1,))))
    assert s.expected()["real_log"] and not s.expected()["principal_log"]


def test_certified_never_splits_an_inactive_value_from_an_equal_active_eigenvalue():
    """diag(1/3, 1/3) as an inactive unit with a_11 = 1/3 next to an active block S = [1/3]:
    1/3 is not a dyadic number, so its enclosures are balls; they must merge into one cluster
    (unknown blocks) and never yield a proved "holds" for uniqueness (the truth is "fails")."""
    from plrnn_symbolic import PLRNN

    m = PLRNN(A=[["1/3", 0], [0, "1/3"]], W=[[0, 0], [0, 0]], h=[0, 0])
    exact_v = check(m, regions=["01"], mode="exact")["01"]["unique_real_log"].status
    cert_v = check(m, regions=["01"], mode="certified")["01"]["unique_real_log"].status
    assert exact_v == "fails" and cert_v in ("fails", "undecided")


@pytest.mark.parametrize("S", [[[0, 0], [0, 0]], [["1/2", "1/2"], ["-1/2", "-1/2"]], [["1/3", 0], [0, 1]]])
def test_certified_proves_singular_with_an_inactive_zero_a_ii(S):
    """Unit 1 inactive with a_11 = 0 (a zero column) next to an active block S whose
    eigenvalues FLINT cannot isolate (a double zero, a nilpotent block) or that does not
    contain zero: H is singular whatever S is, so certified mode must prove it (it said
    "undecided" when the exact zero was merged into S's unresolved cluster)."""
    A = [[0, 0, 0], [0, S[0][0], 0], [0, 0, S[1][1]]]
    W = [[0, 0, 0], [1, 0, sp.Rational(S[0][1])], [1, sp.Rational(S[1][0]), 0]]
    m = PLRNN(A=A, W=W, h=[0, 0, 0])
    exact = {p: v.status for p, v in check(m, regions=["011"], mode="exact")["011"].verdicts.items()}
    cert = {p: v.status for p, v in check(m, regions=["011"], mode="certified")["011"].verdicts.items()}
    assert exact["invertible"] == cert["invertible"] == "fails"
    assert cert["real_log"] == cert["principal_log"] == cert["unique_real_log"] == "fails"
    _never_contradicts(cert, exact)


@given(plrnns(M=st.integers(1, 4), condition="any", exact=True))
def test_certified_sweep_never_contradicts_exact_on_rational_models(m):
    """Small non-dyadic rationals (1/3, 2/5, ...) with repeated a_ii: the inactive values are
    balls in certified mode and may coincide with eigenvalues of the active block."""
    ref = check(m, mode="exact")
    cert = check(m, mode="certified", max_precision=256)
    for bits, rc in ref.regions.items():
        _never_contradicts({k: v.status for k, v in cert[bits].verdicts.items()},
                           {k: v.status for k, v in rc.verdicts.items()})
