"""derive: every status, checked by routes independent of the construction."""

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from plrnn_symbolic import PLRNN, check, derive, derive_region, region_matrix
from plrnn_symbolic.analysis.transform import ContinuousPLRNN, discretize


def verdicts_of(H):
    m = PLRNN(A=H, W=sp.zeros(H.rows, H.rows), h=[0] * H.rows)
    return check(m, ["0" * H.rows]).regions["0" * H.rows].verdicts


def ode_step(s, z, u=None):
    """One step of the region ODE by an independent route: numerical integration."""
    zt = s.G @ np.asarray(z, dtype=float)
    forcing = s.g + (s.B @ u if u is not None else 0)
    sol = scipy.integrate.solve_ivp(lambda t, y: s.L @ y + forcing, (0, s.dt), zt, method="DOP853",
                                    rtol=1e-12, atol=1e-13)
    return s.P @ sol.y[:, -1]


def J(v, k):
    return sp.Matrix(k, k, lambda i, j: v if i == j else (1 if j == i + 1 else 0))


@pytest.mark.parametrize("mode", ["exact", "certified", "float"])
@pytest.mark.parametrize("H, status, N", [
    (sp.Matrix([[sp.Rational(1, 2), 1], [-1, sp.Rational(1, 2)]]), "principal", 2),
    (sp.diag(-1, -1, sp.Rational(1, 2)), "real_nonprincipal", 3),
    (sp.Matrix([[-sp.Rational(1, 2), 0], [1, sp.Rational(3, 4)]]), "lifted", 3),
    (sp.diag(1, 1, sp.Rational(1, 3)), "principal", 3),            # eigenvalue one, twice
    (sp.Matrix([[1, 2], [2, 4]]), "impossible", 2),
])
def test_every_status_reproduces_the_step(H, status, N, mode):
    h = sp.Matrix([sp.Rational(1, 3), -1] + [sp.Rational(1, 5)] * (H.rows - 2))
    dt = sp.Rational(1, 10)
    s = derive_region(H, h, None, dt, verdicts_of(H), mode)
    assert s.status == status
    if status == "impossible":
        assert not s.derived and "singular" in s.notes[0]
        return
    assert s.dimension == N
    Hf, hf = np.array(H.tolist(), dtype=float), np.array(h.tolist(), dtype=float).ravel()
    rng = np.random.default_rng(1)
    for _ in range(3):
        z = rng.normal(size=H.rows)
        np.testing.assert_allclose(ode_step(s, z), Hf @ z + hf, atol=1e-9)
        np.testing.assert_allclose(s.step(z), Hf @ z + hf, atol=1e-12)
    assert s.residual["exp"] < 1e-12        # the float L, g returned, in every mode
    if mode != "float":                      # the balls behind them: exact, or certified to 30 digits
        assert s.residual["enclosure_radius"] < 1e-25 and s.residual["float_error"] < 1e-12
    assert np.allclose(s.P @ s.G, np.eye(H.rows))


def test_never_the_real_part_of_a_complex_logarithm():
    # the authors' code took Re log(-1/2) = -log 2, which gives the step z -> z/2, not -z/2
    H = sp.Matrix([[-sp.Rational(1, 2)]])
    s = derive_region(H, sp.Matrix([0]), None, 1, verdicts_of(H), "exact")
    assert s.status == "lifted" and s.dimension == 2
    assert s.L_exact == sp.Matrix([[-sp.log(2), -sp.pi], [sp.pi, -sp.log(2)]])
    assert np.allclose(s.step([1.0]), [-0.5])


def test_defective_negative_blocks_exact():
    for blocks, status, N in [((J(-1, 2),), "lifted", 4), ((J(-1, 2), J(-1, 2)), "real_nonprincipal", 4)]:
        H = sp.diag(*blocks)
        s = derive_region(H, sp.ones(H.rows, 1), None, 1, verdicts_of(H), "exact")
        assert (s.status, s.dimension, s.method) == (status, N, "exact")
        X = s.L_exact
        Ht = sp.diag(H, *([J(-1, 2)] if status == "lifted" else []))
        assert sp.simplify(X.exp() - Ht) == sp.zeros(N, N)


def test_beta_form_equals_augmented_matrix_log_and_textbook_form():
    rng = np.random.default_rng(4)
    for _ in range(5):
        H = np.eye(3) * 0.6 + rng.normal(0, 0.15, (3, 3))
        h = rng.normal(size=3)
        m = PLRNN(A=H, W=np.zeros((3, 3)), h=h, dt=0.5)
        s = derive(m, ["000"], mode="float")["000"]
        aug = np.zeros((4, 4))
        aug[:3, :3], aug[:3, 3], aug[3, 3] = H, h, 1
        logaug = np.real(scipy.linalg.logm(aug))
        np.testing.assert_allclose(s.L * 0.5, logaug[:3, :3], atol=1e-10)
        np.testing.assert_allclose(s.g * 0.5, logaug[:3, 3], atol=1e-10)
        np.testing.assert_allclose(s.g, s.L @ np.linalg.solve(H - np.eye(3), h), atol=1e-10)


def test_eigenvalue_one_needs_no_special_case():
    H = sp.Matrix([[1, 1], [0, 1]])
    s = derive_region(H, sp.Matrix([1, 1]), None, 1, verdicts_of(H), "exact")
    assert s.L_exact == sp.Matrix([[0, 1], [0, 0]])
    assert s.g_exact == sp.Matrix([sp.Rational(1, 2), 1])
    aug = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1]], dtype=float)
    np.testing.assert_allclose(np.real(scipy.linalg.logm(aug))[:2, 2], [0.5, 1])


@pytest.mark.parametrize("mode", ["exact", "certified", "float"])
def test_modes_agree_on_a_model_with_inputs(mode):
    rng = np.random.default_rng(7)
    M = 4
    A = np.diag(rng.uniform(0.3, 0.9, M))
    W = rng.normal(0, 0.5, (M, M))
    np.fill_diagonal(W, 0)
    m = PLRNN(A, W, rng.normal(0, 0.2, M), C=rng.normal(size=(M, 2)))
    ref = derive(m, mode="float")
    got = derive(m, mode=mode)
    for bits, s in got.systems.items():
        assert s.status == ref[bits].status
        if s.derived and ref[bits].derived and s.dimension == ref[bits].dimension:
            z, u = rng.normal(size=M), rng.normal(size=2)
            H = np.array(region_matrix(m, bits).tolist(), dtype=float)
            want = H @ z + m.numeric.h + m.numeric.C @ u
            np.testing.assert_allclose(s.step(z, u), want, atol=1e-11)
            if s.dimension == M:   # principal: unique, so the routes must give the same L
                np.testing.assert_allclose(s.L, ref[bits].L, atol=1e-9)


@given(st.integers(0, 2**20))
def test_roundtrip_continuous_discrete_continuous(seed):
    rng = np.random.default_rng(seed)
    M = int(rng.integers(1, 4))
    A_c = -np.diag(rng.uniform(0.1, 1.0, M))
    W_c = rng.normal(0, 0.6, (M, M))
    np.fill_diagonal(W_c, 0)
    h_c = rng.normal(size=M)
    dt = float(rng.uniform(0.05, 1.0))
    maps = discretize(A_c, W_c, h_c, dt)
    systems = {}
    for bits, (H, h) in maps.items():
        Hs = sp.Matrix(H.tolist()).applyfunc(lambda x: sp.Rational(*float(x).as_integer_ratio()))
        hs = sp.Matrix(h.tolist()).applyfunc(lambda x: sp.Rational(*float(x).as_integer_ratio()))
        v = verdicts_of(Hs)
        if v["principal_log"].status != "holds":
            continue      # e^{L dt} always has a principal log when |Im spec(L dt)| < pi
        s = derive_region(Hs, hs, None, dt, v, "float", region=bits)
        L = A_c + W_c * np.array([float(b) for b in bits])[None, :]
        if np.abs(np.linalg.eigvals(L * dt).imag).max() < 3.0:
            np.testing.assert_allclose(s.L, L, atol=1e-8)
            np.testing.assert_allclose(s.g, h_c, atol=1e-8)
        systems[bits] = s
    if len(systems) == 2**M:
        model = PLRNN(np.eye(M), np.zeros((M, M)), np.zeros(M))
        back = ContinuousPLRNN(model, systems, "float").as_continuous_plrnn(tol=1e-7)
        assert back is not None
        np.testing.assert_allclose(back[0], A_c, atol=1e-7)
        np.testing.assert_allclose(back[1], W_c, atol=1e-7)


def test_a_discrete_plrnn_is_generally_not_a_continuous_plrnn():
    m = PLRNN(A=np.diag([0.5, 0.7]), W=[[0, 0.3], [-0.4, 0]], h=[0.1, 0.2])
    c = derive(m, mode="float")
    assert c.as_continuous_plrnn() is None
    v = c.vector_field([0.3, -0.2])
    s = c["10"]
    np.testing.assert_allclose(v, s.L @ [0.3, -0.2] + s.g)


def test_symbolic_two_by_two_closed_form():
    a = sp.Symbol("a", positive=True)
    H = sp.Matrix([[a, 0], [1, sp.Rational(1, 2)]])
    m = PLRNN(A=H, W=sp.zeros(2, 2), h=[1, 0])
    v = {k: x for k, x in check(PLRNN(A=H.subs(a, sp.Rational(1, 3)), W=sp.zeros(2, 2), h=[1, 0]),
                                ["00"])["00"].verdicts.items()}
    s = derive_region(H, m.h, None, 1, v, "exact")
    L = s.L_exact
    for val in (sp.Rational(1, 3), sp.Rational(2, 1)):
        num = np.array(L.subs(a, val).evalf(30).tolist(), dtype=float)
        want = np.real(scipy.linalg.logm(np.array(H.subs(a, val).tolist(), dtype=float)))
        np.testing.assert_allclose(num, want, atol=1e-12)


def test_symbolic_closed_forms_resolve_removable_singularities():
    """H = [[a, 0], [1, 1/2]]: the 2 x 2 formula is 0/0 at a = 1/2 (a double eigenvalue) and g is 0/0 at
    a = 1 (eigenvalue one); both are limits of a continuous function, given as cases of their own, and
    agree with scipy's logm and the beta form there and elsewhere (issue 17)."""
    a = sp.Symbol("a", positive=True)
    H = sp.Matrix([[a, 0], [1, sp.Rational(1, 2)]])
    h = sp.Matrix([1, 0])
    v = {k: x for k, x in check(PLRNN(A=H.subs(a, sp.Rational(1, 3)), W=sp.zeros(2, 2), h=[1, 0]),
                                ["00"])["00"].verdicts.items()}
    s = derive_region(H, h, None, 1, v, "exact")
    assert not s.L_exact.has(sp.Abs) and not s.g_exact.has(sp.Abs)          # (2a - 1), not |2a - 1|
    for val in (sp.Rational(1, 3), sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)):
        L = np.array(s.L_exact.subs(a, val).evalf(30).tolist(), dtype=float)
        g = np.array(s.g_exact.subs(a, val).evalf(30).tolist(), dtype=float).ravel()
        Hn = np.array(H.subs(a, val).tolist(), dtype=float)
        X = np.real(scipy.linalg.logm(Hn))
        aug = np.zeros((4, 4))
        aug[:2, :2], aug[:2, 2:] = X, np.eye(2)
        phi1 = scipy.linalg.expm(aug)[:2, 2:]                                  # phi1(X), entire
        np.testing.assert_allclose(L, X, atol=1e-9)
        np.testing.assert_allclose(g, np.linalg.solve(phi1, [1.0, 0.0]), atol=1e-9)


def _log_and_beta(Hn: np.ndarray, h) -> tuple[np.ndarray, np.ndarray]:
    """scipy's principal log and g = phi1(X)^{-1} h (phi1 from the exponential of a block matrix): a
    route independent of the closed forms."""
    X = np.real(scipy.linalg.logm(Hn))
    aug = np.zeros((4, 4))
    aug[:2, :2], aug[:2, 2:] = X, np.eye(2)
    return X, np.linalg.solve(scipy.linalg.expm(aug)[:2, 2:], np.asarray(h, dtype=float))


def test_removable_singularities_with_two_parameters():
    """H = [[a, 1], [-b, 1/2]]: the 2 x 2 formula is 0/0 on the parabola b = (a - 1/2)^2 / 4 (a double
    eigenvalue), g on the line b = (a - 1)/2 (eigenvalue one); they meet at (3/2, 1/4), a Jordan block
    at 1, where the value on the line is itself resolved in the remaining parameter (issue 17).  Each
    relation is a case of its own, recomputed from the matrix; on and off the curves the Piecewise
    agrees with scipy's logm and the beta form."""
    a, b = sp.symbols("a b", real=True)
    H = sp.Matrix([[a, 1], [-b, sp.Rational(1, 2)]])
    h = sp.Matrix([1, 1])
    v = check(PLRNN(A=H.subs({a: sp.Rational(1, 3), b: sp.Rational(1, 5)}), W=sp.zeros(2, 2), h=[1, 1]),
              ["00"])["00"].verdicts
    s = derive_region(H, h, None, 1, v, "exact")
    parabola, line = sp.Eq(b, (a - sp.Rational(1, 2))**2 / 4), sp.Eq(b, (a - 1) / 2)
    conds = {c for e in [*s.L_exact, *s.g_exact] if isinstance(e, sp.Piecewise) for _, c in e.args}
    assert any(sp.simplify(c.lhs - c.rhs - (parabola.lhs - parabola.rhs)) == 0 for c in conds
               if isinstance(c, sp.Eq))
    assert any(sp.simplify(c.lhs - c.rhs - (line.lhs - line.rhs)) == 0 or
               sp.simplify(sp.solve(c.lhs - c.rhs, b)[0] - line.rhs) == 0 for c in conds if isinstance(c, sp.Eq))
    R = sp.Rational
    on_parabola = [(R(3, 10), R(1, 100)), (R(1, 2), R(0)), (R(5, 2), R(1))]
    on_line = [(R(2), R(1, 2)), (R(5, 2), R(3, 4))]
    off = [(R(3, 10), R(1, 50)), (R(3, 10), R(1, 200)), (R(1, 3), R(1, 5)), (R(2), R(2, 3))]
    for va, vb in [*on_parabola, *on_line, (R(3, 2), R(1, 4)), *off]:
        sub = {a: va, b: vb}
        L = np.array(s.L_exact.subs(sub).evalf(30).tolist(), dtype=complex)
        g = np.array(s.g_exact.subs(sub).evalf(30).tolist(), dtype=complex).ravel()
        X, gw = _log_and_beta(np.array(H.subs(sub).tolist(), dtype=float), [1.0, 1.0])
        np.testing.assert_allclose(L, X, atol=1e-9, err_msg=str(sub))
        np.testing.assert_allclose(g, gw, atol=1e-9, err_msg=str(sub))
    # without the cases the generic formulas are 0/0 there: the test above can fail
    generic = s.L_exact.applyfunc(lambda e: e.args[-1].expr if isinstance(e, sp.Piecewise) else e)
    assert generic.subs({a: R(3, 10), b: R(1, 100)}).has(sp.nan, sp.zoo)


def test_exact_discretization_agrees_with_float():
    A_c = [[-1, 0], [0, sp.Rational(-1, 2)]]
    W_c = [[0, sp.Rational(1, 3)], [sp.Rational(1, 4), 0]]
    h_c = [1, -1]
    ex = discretize(A_c, W_c, h_c, dt=sp.Rational(1, 10), exact=True)
    fl = discretize(np.array(A_c, dtype=float), np.array(W_c, dtype=float), np.array(h_c, dtype=float), dt=0.1)
    for bits, (H, h) in ex.items():
        np.testing.assert_allclose(np.array(H.evalf(30).tolist(), dtype=float), fl[bits][0], atol=1e-14)
        np.testing.assert_allclose(np.array(h.evalf(30).tolist(), dtype=float).ravel(), fl[bits][1], atol=1e-14)
    # each exact map is e^{L dt}: its exact principal log is L dt again (1 x 1 check of the closed form)
    H, _ = discretize([[-3]], [[0]], [0], dt=sp.Rational(1, 10), exact=True)["0"]
    assert sp.simplify(sp.log(H[0, 0]) * 10) == -3


def test_block_triangular_exact_logs_agree_with_certified():
    """Regions with irrational spectra but A diagonal: the exact Parlett route (inactive units'
    columns split off) and the certified eigendecomposition give the same unique principal L, g."""
    from plrnn_symbolic import example

    m = example("limit_cycle")
    ex, ce = derive(m, mode="exact"), derive(m, mode="certified")
    parlett = [b for b, s in ex.systems.items() if "Parlett" in s.logarithm]
    assert len(parlett) >= 5
    for b in parlett:
        s = ex[b]
        assert s.method == "exact" and s.status == "principal" and s.residual["closed_form_exp"] < 1e-30
        np.testing.assert_allclose(s.L, ce[b].L, atol=1e-12)
        np.testing.assert_allclose(s.g, ce[b].g, atol=1e-12)
