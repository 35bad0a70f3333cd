"""Float derive: the batched route (floatderive.principal_batch) against the per-region route it replaces.

The per-region route is what float ``derive`` did for every region before: ``derive_region`` on the
exact (sympy) region matrix, with the float verdicts of ``check``.  Both must give the same status,
method, logarithm text, notes and residual keys, and L, g, B agreeing to about 1e-12 relative.
"""

import mpmath
import numpy as np
import pytest
import scipy.linalg
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from plrnn_symbolic import PLRNN, all_regions, check, derive, derive_region, example, region_matrix
from plrnn_symbolic.analysis import transform
from plrnn_symbolic.core.domains import FloatDomain
from plrnn_symbolic.model.regions import RegionMatrices
from plrnn_symbolic.region.floatderive import COND_MAX, beta_of_eigenvalues, principal_batch
from plrnn_symbolic.testing import plrnns

RTOL = 2e-12


def per_region_route(model, names):
    report = check(model, names, "float")
    return {bits: derive_region(region_matrix(model, bits), model.h, model.C, model.dt, report[bits].verdicts,
                                "float", region=bits) for bits in names}


def assert_same_systems(new, old):
    assert new.keys() == old.keys()
    for bits, o in old.items():
        s = new[bits]
        assert (s.status, s.dimension, s.method, s.logarithm, s.notes) == \
               (o.status, o.dimension, o.method, o.logarithm, o.notes), bits
        assert s.residual.keys() == o.residual.keys(), bits
        if not o.derived:
            assert not s.derived
            continue
        for a, b in ((s.L, o.L), (s.g, o.g), (s.B, o.B), (s.G, o.G), (s.P, o.P)):
            if b is None:
                assert a is None
                continue
            scale = max(1.0, float(np.abs(b).max()), float(np.abs(o.L).max()))
            assert np.abs(a - b).max() <= RTOL * scale, (bits, np.abs(a - b).max(), scale)
        tol = 1e-8 * max(1.0, float(np.abs(o.L).max()))
        assert s.residual["exp"] <= tol and s.residual["affine"] <= tol


@given(st.tuples(st.sampled_from(["any", "principal_log", "eigenvalue_one", "real_log", "no_real_log"]),
                 st.booleans(), st.sampled_from([0, 0, 2])).flatmap(
    lambda c: plrnns(M=st.integers(1, 4), condition=c[0], exact=c[1], inputs=c[2])))
def test_batched_route_matches_the_per_region_route(model):
    names = all_regions(model.M)
    assert_same_systems(derive(model, names, mode="float").systems, per_region_route(model, names))


@pytest.mark.parametrize("name", ["limit_cycle", "chaotic", "regularized", "input_driven", "vdp_trained",
                                  "lorenz_trained", "vdp_fine"])
def test_batched_route_matches_the_per_region_route_on_the_examples(name):
    m = example(name)
    c = derive(m, "all", mode="float")
    # every region the batch leaves (not principal, or principal with a poor eigenbasis), and a spread of the rest
    H = RegionMatrices(m).float_batch(list(c.systems))
    taken = principal_batch(H, np.zeros((m.M, 1)), [s.status == "principal" for s in c.systems.values()]).ok
    names = list(c.systems)
    sample = [b for b, ok in zip(names, taken) if not ok][:80] + names[::max(1, len(names) // 48)]
    sample = list(dict.fromkeys(sample))
    assert_same_systems({b: c[b] for b in sample}, per_region_route(m, sample))


def single_region_model(H, K=0):
    H = sp.Matrix(H)
    M = H.rows
    h = [sp.Rational(1, 3), -1, sp.Rational(1, 5), sp.Rational(2, 7)][:M]
    C = [[sp.Rational(i + 1, j + 2) for j in range(K)] for i in range(M)] if K else None
    return PLRNN(A=H, W=sp.zeros(M, M), h=h, C=C, dt=sp.Rational(1, 10))


R = sp.Rational
CASES = {   # region matrix, status, taken by the batch
    "complex pair": ([[R(1, 2), 1], [-1, R(1, 2)]], "principal", True),
    "eigenvalue one, semisimple": (sp.diag(1, 1, R(1, 3)), "principal", True),
    "eigenvalue one, coupled": ([[1, R(1, 2)], [0, R(1, 2)]], "principal", True),
    "eigenvalue one, Jordan block": ([[1, 1], [0, 1]], "principal", False),
    "eigenvalue near one": ([[1 + R(1, 10**6), 0], [R(1, 3), R(9, 10)]], "principal", True),
    "negative pair": (sp.diag(-1, -1, R(1, 2)), "real_nonprincipal", False),
    "negative, unpaired": ([[-R(1, 2), 0], [1, R(3, 4)]], "lifted", False),
    "negative with a complex pair": ([[-R(1, 2), 0, 0], [0, R(1, 2), -1], [0, 1, R(1, 2)]], "lifted", False),
    "singular": ([[1, 2], [2, 4]], "impossible", False),
}


@pytest.mark.parametrize("K", [0, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_special_regions(case, K):
    H, status, taken = CASES[case]
    m = single_region_model(H, K)
    bits = "0" * m.M
    new = derive(m, [bits], mode="float").systems
    assert new[bits].status == status
    Hf = np.array(sp.Matrix(H).tolist(), dtype=float)
    T = np.hstack([m.numeric.h[:, None]] + ([m.numeric.C] if K else []))
    assert principal_batch(Hf[None], T, [status == "principal"]).ok.tolist() == [taken]
    assert_same_systems(new, per_region_route(m, [bits]))


def test_negative_eigenvalues_are_never_taken_by_the_batch():
    """Even when asked to (no candidates mask), the batch leaves (-inf, 0] to the per-region route."""
    H = np.array([np.diag([-0.5, 0.8]), [[-1e-12, 0], [0, 1]], [[0.0, 1], [-1, 0]], [[0.3, 1e-3], [0, 0.3]]])
    b = principal_batch(H, np.ones((2, 1)))
    assert b.ok.tolist() == [False, False, True, False]   # negative; zero; +-i (fine); defective 0.3
    assert np.isnan(b.exp[0]) and not b.X[0].any()


def test_batch_agrees_with_scipy_and_its_residuals_are_the_transform_ones():
    rng = np.random.default_rng(3)
    H = np.eye(5) * 0.8 + rng.normal(0, 0.15, (40, 5, 5))
    T = rng.normal(size=(5, 3))
    b = principal_batch(H, T)
    assert b.ok.sum() >= 30
    for k in np.flatnonzero(b.ok):
        X = np.real(scipy.linalg.logm(H[k]))
        np.testing.assert_allclose(b.X[k], X, atol=1e-12 * max(1.0, np.abs(X).max()))
        resid = FloatDomain().zoh_residual(b.X[k], b.U[k], H[k], T)
        assert resid["exp"] == pytest.approx(b.exp[k], abs=1e-15) and resid["affine"] == pytest.approx(
            b.affine[k], abs=1e-15)
        np.testing.assert_allclose(b.U[k], FloatDomain.phi1_solve(b.X[k], T), atol=1e-12)


def test_beta_near_one_is_accurate():
    w = np.array([0, 1e-12, -1e-7, 9.99e-4, 1.001e-3, 0.3, -0.7, 1e-4 + 2e-4j, 5e-4 - 9e-4j, 0.2 + 0.9j])
    got = beta_of_eigenvalues(1 + w)
    with mpmath.workdps(40):
        want = [complex(mpmath.log(1 + mpmath.mpc(z.real, z.imag)) / mpmath.mpc(z.real, z.imag)) if z else 1
                for z in w]
    np.testing.assert_allclose(got, want, rtol=4e-16, atol=0)


def test_float_derive_builds_no_sympy_region_matrix(monkeypatch):
    calls = []
    real = transform.region_affine   # the exact (sympy) region map of any form

    def counting(model, bits):
        calls.append(bits)
        return real(model, bits)

    monkeypatch.setattr(transform, "region_affine", counting)
    derive(example("vdp_trained"), "all", mode="float")
    assert calls == []
    # regions without a system: derive_region's answer built once per status and method, not per region
    m = PLRNN(A=np.diag([0.0, 0.5, 0.5]), W=np.zeros((3, 3)), h=[1, 0, 0])
    c = derive(m, "all", mode="float")
    assert sum(s.status == "impossible" for s in c.systems.values()) == 8 and len(calls) == 1
    assert [s.region for s in c.systems.values()] == list(c.systems)


def test_float_region_matrices_are_the_exact_ones_rounded_once():
    """Off the convention (A not diagonal, diag W nonzero) a float sum A + W would round twice."""
    A = [[R(1, 3), R(1, 7)], [R(2, 9), R(5, 11)]]
    W = [[R(1, 10), R(3, 7)], [R(1, 13), R(2, 3)]]
    m = PLRNN(A=A, W=W, h=[0, 0])
    mats = RegionMatrices(m)
    names = all_regions(2)
    want = np.array([np.array(region_matrix(m, b).tolist(), dtype=float) for b in names])
    assert np.array_equal(mats.float_batch(names), want)
    assert all(np.array_equal(mats.float(b), w) for b, w in zip(names, want))


def test_cond_max_is_below_the_per_region_threshold():
    """A region the batch takes also passes the per-region route's eigenvector test (2-norm cond <= 1e8),
    so both routes use the same eigendecomposition of X: cond_2 <= M cond_1 for M up to 1e4."""
    assert COND_MAX * 1e4 <= 1e8
