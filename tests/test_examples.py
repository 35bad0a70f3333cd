"""The bundled examples keep the properties their docstrings promise.

Dynamics are checked in floating point (trajectories, Lyapunov exponents by
the QR method); statements about region matrices are checked exactly, with
FLINT rational matrices and sympy's exact real-root counting, independently of
the package's own spectra code.
"""

import itertools

import flint
import numpy as np
import pytest
import sympy as sp
from _independent import largest_lyapunov

from plrnn_symbolic.core.errors import InputError
from plrnn_symbolic.model.examples import (
    EXAMPLES,
    chaotic,
    example,
    input_driven,
    limit_cycle,
    list_examples,
    regularized,
)
from plrnn_symbolic.model.plrnn import PLRNN

_x = sp.Symbol("x")


def _fmpq_mat(m: sp.MatrixBase) -> flint.fmpq_mat:
    return flint.fmpq_mat(m.rows, m.cols, [flint.fmpq(int(v.p), int(v.q)) for v in m])


def _region_matrices(model: PLRNN):
    """(bits, W_Omega) over all 2^M regions, as exact FLINT matrices."""
    A, W, M = _fmpq_mat(model.A), _fmpq_mat(model.W), model.M
    for bits in itertools.product((0, 1), repeat=M):
        D = flint.fmpq_mat(M, M, [bits[i] if i == j else 0 for i in range(M) for j in range(M)])
        yield "".join(map(str, bits)), A + W * D


def _has_negative_real_eigenvalue(H: flint.fmpq_mat) -> bool:
    p = H.charpoly()
    poly = sp.Poly([sp.Rational(int(c.p), int(c.q)) for c in reversed(p.coeffs())], _x)
    negative_or_zero = int(poly.count_roots(-sp.oo, 0))
    return negative_or_zero - (p(0) == 0) > 0


def _region(z) -> str:
    return "".join("1" if v > 0 else "0" for v in z)


_largest_lyapunov = largest_lyapunov


# ---- the registry -----------------------------------------------------------

HAND_BUILT = ["limit_cycle", "chaotic", "regularized", "input_driven"]


def test_registry_names_and_order():
    # the trained ones are tested in tests/test_trained_examples.py
    assert list(EXAMPLES) == [*HAND_BUILT, "vdp_trained", "lorenz_trained", "vdp_fine"]
    assert [name for name, _ in list_examples()] == list(EXAMPLES)


def test_descriptions_are_first_docstring_lines():
    for name, line in list_examples():
        assert line and "\n" not in line
        assert EXAMPLES[name].__doc__.strip().startswith(line)


def test_unknown_example_lists_the_valid_names():
    with pytest.raises(InputError) as err:
        example("lorenz")
    for name in EXAMPLES:
        assert name in str(err.value)


@pytest.mark.parametrize("name", HAND_BUILT)
def test_examples_are_exact_conventional_models(name):
    m = example(name)
    assert isinstance(m, PLRNN) and m.name == name
    assert m.is_rational and m.dt == 1
    assert m.conventions() == []  # A diagonal, W with zero diagonal
    assert m.z0 is not None
    # small denominators keep exact arithmetic fast
    assert max(int(v.q) for v in (*m.A, *m.W, *m.h)) <= 16


def test_sizes():
    assert 6 <= limit_cycle().M <= 10
    assert 3 <= chaotic().M <= 10
    assert 4 <= regularized().M <= 8
    m = input_driven()
    assert 3 <= m.M <= 6 and m.K == 2


# ---- limit_cycle ------------------------------------------------------------

PERIOD = 36


def test_limit_cycle_is_bounded_periodic_and_not_a_fixed_point():
    m = limit_cycle()
    X = m.trajectory(m.numeric.z0, 3000)
    assert np.abs(X).max() < 10
    tail = X[-3 * PERIOD:]
    assert np.ptp(tail, axis=0).max() > 1  # a large oscillation ...
    assert np.linalg.norm(np.diff(tail, axis=0), axis=1).min() > 1e-3  # ... that never comes to rest
    # recurrent, with least period 36
    assert np.allclose(X[-1], X[-1 - PERIOD], atol=1e-9)
    assert all(not np.allclose(X[-1], X[-1 - k], atol=1e-6) for k in range(1, PERIOD))


def test_limit_cycle_attracts_other_initial_states():
    m = limit_cycle()
    cycle = m.trajectory(m.numeric.z0, 3000)[-PERIOD:]
    rng = np.random.default_rng(0)
    for z0 in rng.normal(size=(5, m.M)):
        end = m.trajectory(z0, 3000)[-1]
        assert np.abs(cycle - end).max(axis=1).min() < 1e-6


def test_limit_cycle_exists_exactly_and_is_stable():
    """Solve for the 36-cycle in exact arithmetic along the regions the float orbit visits."""
    m = limit_cycle()
    float_cycle = m.trajectory(m.numeric.z0, 3000)[-PERIOD - 1:-1]
    regions = [_region(z) for z in float_cycle]
    A, W, h, M = _fmpq_mat(m.A), _fmpq_mat(m.W), _fmpq_mat(m.h), m.M
    maps = []
    for bits in regions:
        D = flint.fmpq_mat(M, M, [int(bits[i]) if i == j else 0 for i in range(M) for j in range(M)])
        maps.append(A + W * D)
    mono, offset = flint.fmpq_mat(M, M, [int(i == j) for i in range(M) for j in range(M)]), flint.fmpq_mat(M, 1)
    for H in maps:
        mono, offset = H * mono, H * offset + h
    eye = flint.fmpq_mat(M, M, [int(i == j) for i in range(M) for j in range(M)])
    z = (eye - mono).solve(offset)
    start = z
    for k, H in enumerate(maps):
        point = [z[i, 0] for i in range(M)]
        assert _region(point) == regions[k]  # the exact point is in the region we assumed
        assert all(c != 0 for c in point)  # and not on its boundary
        assert np.allclose([float(c) for c in point], float_cycle[k], atol=1e-8)
        z = H * z + h
    assert z == start
    rho = np.abs(np.linalg.eigvals(np.array([[float(mono[i, j]) for j in range(M)] for i in range(M)]))).max()
    assert rho < 1  # attracting: the monodromy matrix contracts


def test_limit_cycle_switches_region_within_steps():
    """Steps whose end lies in another region: the region flow must leave within the step."""
    m = limit_cycle()
    X = m.trajectory(m.numeric.z0, 3000)[-PERIOD - 1:]
    switches = sum(_region(X[k]) != _region(X[k + 1]) for k in range(PERIOD))
    assert switches == 15
    assert len({_region(z) for z in X}) == 8


def test_limit_cycle_surrounds_an_unstable_focus():
    m = limit_cycle()
    h = _fmpq_mat(m.h)
    fixed = []
    for bits, H in _region_matrices(m):
        eye = flint.fmpq_mat(m.M, m.M, [int(i == j) for i in range(m.M) for j in range(m.M)])
        z = (eye - H).solve(h)
        if _region([z[i, 0] for i in range(m.M)]) == bits:
            fixed.append((bits, H))
    assert [bits for bits, _ in fixed] == ["111111"]
    ev = np.linalg.eigvals(np.array(fixed[0][1].tolist(), dtype=float))
    assert np.abs(ev).max() > 1 and np.abs(ev[np.argmax(np.abs(ev))].imag) > 0


def test_limit_cycle_regions_have_no_negative_real_or_zero_eigenvalue():
    for _, H in _region_matrices(limit_cycle()):
        assert H.det() != 0 and not _has_negative_real_eigenvalue(H)


# ---- chaotic ----------------------------------------------------------------

def test_chaotic_has_positive_lyapunov_exponent_on_a_bounded_attractor():
    m = chaotic()
    X = m.trajectory(m.numeric.z0, 6000)
    assert np.abs(X).max() < 5
    lam = _largest_lyapunov(m, X[1000], 5000)
    assert lam > 0.03  # about 0.07
    assert np.abs(X[-500:] - X[-1]).max(axis=1)[:-1].min() > 1e-6  # not (yet) periodic


def test_chaotic_has_regions_with_negative_real_eigenvalues():
    m = chaotic()
    negative = {bits for bits, H in _region_matrices(m) if _has_negative_real_eigenvalue(H)}
    assert len(negative) == 11
    # agreement with floating point
    n = m.numeric
    float_negative = set()
    for bits in itertools.product((0, 1), repeat=m.M):
        ev = np.linalg.eigvals(n.A + n.W * np.array(bits))
        if np.any((np.abs(ev.imag) < 1e-12) & (ev.real < 0)):
            float_negative.add("".join(map(str, bits)))
    assert float_negative == negative
    visited = {_region(z) for z in m.trajectory(n.z0, 6000)[500:]}
    assert {"01101", "10101", "10110", "11101"} <= visited & negative


def test_chaotic_has_eigenvalue_one_in_one_region():
    assert [bits for bits, H in _region_matrices(chaotic()) if H.charpoly()(1) == 0] == ["10100"]


# ---- regularized ------------------------------------------------------------

def test_regularized_memory_units_have_the_regularized_form():
    m = regularized()
    for i in (0, 1):
        assert m.A[i, i] == 1 and m.h[i] == 0
        assert all(m.W[i, j] == 0 for j in range(m.M))
    assert any(m.W[i, j] != 0 for i in range(2, m.M) for j in (0, 1))  # the memory is read


def test_regularized_has_eigenvalue_one_in_every_region_exactly():
    m = regularized()
    eye = flint.fmpq_mat(m.M, m.M, [int(i == j) for i in range(m.M) for j in range(m.M)])
    x_minus_1 = flint.fmpq_poly([-1, 1])
    count = 0
    for _, H in _region_matrices(m):
        p = H.charpoly()
        assert p(1) == 0
        # twice, with two 1x1 Jordan blocks: algebraic and geometric multiplicity 2
        assert p % x_minus_1**2 == 0 and p % x_minus_1**3 != 0
        assert (H - eye).rank() == m.M - 2
        count += 1
    assert count == 2**6


def test_regularized_memory_selects_the_regime():
    m = regularized()
    X = m.trajectory([1, 0, 0.5, 0, 0, 0], 2000)
    assert np.array_equal(X[:, :2], np.tile([1.0, 0.0], (len(X), 1)))  # memory kept exactly
    assert np.allclose(X[-1], X[-17], atol=1e-9) and not np.allclose(X[-1], X[-9], atol=1e-6)
    assert not np.allclose(X[-1], X[-2], atol=1e-6)
    for memory in ([0, 0], [1, 1]):
        Y = m.trajectory([*memory, 0.5, 0, 0, 0], 2000)
        assert np.allclose(Y[-1], Y[-2], atol=1e-9)


# ---- input_driven -----------------------------------------------------------

def test_input_driven_adds_the_marked_values():
    m = input_driven()
    rng = np.random.default_rng(1)
    T = 50
    values = rng.uniform(0, 1, T)
    markers = np.zeros(T)
    markers[rng.choice(T, size=2, replace=False)] = 1
    inputs = np.vstack([np.column_stack([values, markers]), [0, 0]])
    X = m.trajectory(m.numeric.z0, T + 1, inputs)
    assert np.isclose(X[-1, 1], values @ markers)
    assert X[-1, 2] == 2


def test_input_driven_adds_exactly():
    m = input_driven()
    values = [sp.Rational(k, 7) for k in (3, 0, 7, 5, 2, 6)]
    markers = [1, 0, 1, 1, 0, 0]
    z = m.z0
    for s in [*zip(values, markers), (0, 0)]:
        z = m.A * z + m.W * z.applyfunc(lambda v: sp.Max(v, 0)) + m.h + m.C * sp.Matrix(s)
    assert z[1] == sum(v * k for v, k in zip(values, markers))
    assert z[2] == sum(markers)


def test_input_driven_region_matrices_are_singular():
    assert all(H.det() == 0 for _, H in _region_matrices(input_driven()))
