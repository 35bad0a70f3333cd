"""Lyapunov exponents of every form of the family (THEORY sections 6 and 8): the map's by the QR method
on W_Omega = A + W1 D W2, the autonomous system's with saltation matrices across the slanted
hyperplanes (W2 z + h2)_k = 0; each against an independent route."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from plrnn_symbolic import PLRNN, example, simulate
from plrnn_symbolic.analysis import lyapunov as lyap_module
from plrnn_symbolic.analysis.lyapunov import lyapunov_autonomous, lyapunov_discrete
from plrnn_symbolic.model.family import ALRNN, DendPLRNN, ReluRNN, ShallowPLRNN


def _conjugate(m: PLRNN, Q: sp.Matrix) -> ReluRNN:
    """The PLRNN in the coordinates z = Q y: z -> Q A Q^-1 z + Q W relu(Q^-1 z) + Q h, a general-form
    model whose region boundaries are the slanted hyperplanes (Q^-1 z)_i = 0."""
    Qi = Q.inv()
    return ReluRNN(A=Q * m.A * Qi, W1=Q * m.W, W2=Qi, h1=Q * m.h, h2=sp.zeros(m.M, 1), dt=m.dt)


def _Q(M: int, seed: int = 0) -> sp.Matrix:
    rng = np.random.default_rng(seed)
    return sp.Matrix(M, M, lambda i, j: sp.Rational(int(rng.integers(-2, 3)), 8) + (1 if i == j else 0))


def _qr_exponents(step, z, steps: int, M: int) -> np.ndarray:
    """The QR method with each Jacobian taken by central differences of the float step (exact for an
    affine piece away from its boundaries): no region matrix of the package is used."""
    Q, total, eps = np.eye(M), np.zeros(M), 1e-6
    for _ in range(steps):
        J = np.stack([(step(z + eps * e) - step(z - eps * e)) / (2 * eps) for e in np.eye(M)], axis=1)
        Q, R = np.linalg.qr(J @ Q)
        total += np.log(np.abs(np.diag(R)))
        z = step(z)
    return np.sort(total / steps)[::-1]


def _random(kind: str, seed: int):
    """Small models of each form with one-decimal weights; the seeds give bounded orbits through
    four regions each (found by a search, kept here)."""
    r = np.random.default_rng(seed)

    def R(*shape):
        return np.round(r.normal(size=shape), 1)

    if kind == "alrnn":
        return ALRNN(A=np.round(r.uniform(0.3, 0.9, 3), 1), W=R(3, 3), h=R(3) * 0.3, P=2)
    if kind == "dend":
        return DendPLRNN(A=np.round(r.uniform(0.3, 0.9, 2), 1), W=R(2, 2), h0=R(2) * 0.3, alpha=R(2), H=R(2, 2) * 0.5)
    return ShallowPLRNN(A=np.round(r.uniform(0.3, 0.9, 2), 1), W1=R(2, 3) * 0.5, W2=R(3, 2), h1=R(2) * 0.3,
                        h2=R(3) * 0.3, clipped=True)


@pytest.mark.parametrize(("kind", "seed"), [("alrnn", 33), ("dend", 27), ("shallow-clipped", 8)])
def test_discrete_exponents_against_finite_difference_jacobians(kind, seed):
    model = _random(kind, seed)
    z0 = np.array([0.3, -0.2, 0.1][:model.M])
    z = model.numeric.trajectory(z0, 100)[-1]
    assert len({model.region_of(x) for x in model.numeric.trajectory(z, 800)}) >= 3
    ours = lyapunov_discrete(model, z, steps=800, burn_in=0)
    assert np.allclose(ours, _qr_exponents(model.numeric.step, z, 800, model.M), atol=1e-6)


def test_alrnn_with_every_unit_relu_is_the_plrnn():
    """ALRNN(A, W, h, P = M) is the PLRNN(diag A, W, h) through the general form's route (patterns,
    pre-activations, hyperplane projections): the same switching trajectory, the same exponents."""
    m = example("limit_cycle")
    al = ALRNN(A=[m.A[i, i] for i in range(m.M)], W=m.W, h=m.h, P=m.M)
    z0 = np.full(m.M, 0.1)
    a = lyapunov_autonomous(m, z0, steps=1500, burn_in=300)
    b = lyapunov_autonomous(al, z0, steps=1500, burn_in=300)
    assert a.switches == b.switches > 100
    assert np.allclose(a.exponents, b.exponents, atol=1e-9)


def _linear_units_model():
    """limit_cycle (6 units) as the ReLU units, plus two linear units driven hard enough to stay
    positive (a = 0.5, h = 4, inputs from the oscillator of size < 0.3), feeding back weakly."""
    m = example("limit_cycle")
    M = m.M + 2
    A = [sp.Rational(1, 2), sp.Rational(1, 2)] + [m.A[i, i] for i in range(m.M)]
    W = sp.zeros(M, M)
    W[2:, 2:] = m.W
    W[0, 2], W[1, 3] = sp.Rational(1, 10), sp.Rational(-1, 10)
    W[2, 0], W[3, 1] = sp.Rational(1, 200), sp.Rational(-1, 200)
    h = [4, 4] + [m.h[i] for i in range(m.M)]
    return A, W, h, m.M


def test_alrnn_equals_plrnn_whose_linear_units_stay_active():
    """The issue's exact known answer: an ALRNN equals the PLRNN with the same weights wherever its
    linear units are positive, so along such a trajectory both give the same exponents (map and
    autonomous system), through different region names (2^P patterns against 2^M orthants)."""
    A, W, h, P = _linear_units_model()
    al = ALRNN(A=A, W=W, h=h, P=P)
    pl = PLRNN(A=sp.diag(*A), W=W, h=h)
    z0 = np.array([8.0, 8.0] + [0.1] * P)
    traj = pl.numeric.trajectory(z0, 2000)
    assert (traj[:, :2] > 1).all()
    np.testing.assert_allclose(al.numeric.trajectory(z0, 2000), traj, atol=1e-9)
    np.testing.assert_allclose(lyapunov_discrete(al, z0, 2000, 200), lyapunov_discrete(pl, z0, 2000, 200),
                               atol=1e-9)
    a, b = lyapunov_autonomous(pl, z0, steps=1500, burn_in=300), lyapunov_autonomous(al, z0, steps=1500, burn_in=300)
    r = simulate(al, 300, z0=z0, system="autonomous", e1=False, mode="float")
    assert (r.autonomous[:, :2] > 1).all()
    assert a.switches == b.switches > 100
    assert np.allclose(a.exponents, b.exponents, atol=1e-8)


def _conjugated_spectra(steps: int, keep: bool = False):
    """The autonomous spectra of ``limit_cycle`` from z0 = 0.1 and of its conjugate by Q from Q z0
    (and, with ``keep``, the conjugate and Q z0)."""
    m = example("limit_cycle")
    Q = _Q(m.M)
    g = _conjugate(m, Q)
    z0 = np.full(m.M, 0.1)
    y0 = np.array(Q, dtype=float) @ z0
    a = lyapunov_autonomous(m, z0, steps=steps, burn_in=300)
    b = lyapunov_autonomous(g, y0, steps=steps, burn_in=300)
    return (a, b, g, y0) if keep else (a, b)


def test_slanted_hyperplanes_a_conjugated_plrnn():
    """z = Q y conjugates the PLRNN's switching flow to the general form's, whose boundaries are the
    slanted hyperplanes (Q^-1 z)_i = 0.  det of the tangent map is coordinate free, so the sums of
    the exponents agree to rounding; each exponent agrees up to the O(log cond Q / T) of a finite
    measurement.  With the saltation taken across z_i = 0 (the PLRNN's normal e_i, a wrong one
    here) the sums part."""
    a, b = _conjugated_spectra(2000)
    assert a.switches == b.switches > 100
    assert abs(a.exponents.sum() - b.exponents.sum()) < 1e-8
    assert np.allclose(a.exponents, b.exponents, atol=1e-2)
    assert abs(b.exponents[0]) < 2e-3            # the flow direction of the attracting closed orbit


def test_a_wrong_saltation_normal_is_caught(monkeypatch):
    a, right, g, y0 = _conjugated_spectra(600, keep=True)
    real = lyap_module._switch_plane

    def coordinate_normal(model, old, new):
        _normal, changed = real(model, old, new)
        return np.eye(model.M)[changed[0] % model.M], changed

    monkeypatch.setattr(lyap_module, "_switch_plane", coordinate_normal)
    wrong = lyapunov_autonomous(g, y0, steps=600, burn_in=300)
    assert abs(a.exponents.sum() - right.exponents.sum()) < 1e-8
    assert abs(a.exponents.sum() - wrong.exponents.sum()) > 1e-3


def test_two_preactivations_on_one_hyperplane_cross_together():
    """A clipped shallow model with h2 = 0: pre-activations 1 and 2 are the same hyperplane
    z_1 + z_2 = 0, crossed at once; that is one boundary, not a corner (the model is linear:
    relu(u) - relu(u) = 0, so the exponents are those of A)."""
    s = ShallowPLRNN(A=[0.5, 0.25], W1=[[0.25], [0.25]], W2=[[1, 1]], h1=[-0.1, -0.1], h2=[0], clipped=True)
    r = lyapunov_autonomous(s, [2.0, 1.0], steps=2000, burn_in=0)
    assert r.switches == 1
    assert np.allclose(r.exponents, np.log([0.5, 0.25]), atol=2e-3)


def test_reports_name_the_preactivation_in_the_models_terms():
    al = ALRNN(A=[0.5, 0.5, 0.5], W=np.zeros((3, 3)), h=[0, 0, 0], P=2)
    d = DendPLRNN(A=[0.5, 0.5], W=np.zeros((2, 2)), h0=[0, 0], alpha=[1, 1], H=[[0, 1], [2, 3]], clipped=True)
    sh = ShallowPLRNN(A=[0.5], W1=[[1, 1]], W2=[[1], [2]], h1=[0], h2=[0, 1], clipped=True)
    assert [al.preactivation_label(k) for k in (1, 2)] == ["unit 2 (ReLU unit 1)", "unit 3 (ReLU unit 2)"]
    assert d.preactivation_label(4) == "unit 2, threshold 2 (z_2 = 3)"
    assert d.preactivation_label(5) == "unit 1, clipping threshold 0"
    assert sh.preactivation_label(2) == "hidden unit 2" and sh.preactivation_label(3).startswith("hidden unit 1 of")
    assert PLRNN(A=[[0.5]], W=[[0]], h=[0]).preactivation_label(1) == "unit 1"
    # the E1 summary of an ALRNN names the unit, not the pre-activation's index
    m = ALRNN(A=[0.5, 0.5], W=[[0, 0], [0, 0]], h=[0, -1], P=1)
    text = simulate(m, 3, z0=[0.0, 1.0], system="hybrid").summary()
    assert "first failure: step 0, unit 2 (ReLU unit 1) leaves region 1" in text


def test_dendritic_with_one_basis_is_a_shifted_plrnn():
    """DendPLRNN(A, W, h0, [1], theta) in z is the PLRNN (A, W, h) in y = z - theta when
    h0 = h + (I - A) theta: a translation, whose derivative is I, so even the finite-time exponents of
    the switching flow agree (to rounding), through the dendritic model's count-named regions."""
    m = example("limit_cycle")
    theta = sp.Matrix([sp.Rational(k + 1, 10) * (-1) ** k for k in range(m.M)])
    d = DendPLRNN(A=m.A, W=m.W, h0=m.h + (sp.eye(m.M) - m.A) * theta, alpha=[1], H=theta)
    y0 = np.full(m.M, 0.1)
    z0 = y0 + np.array(theta, dtype=float).ravel()
    a = lyapunov_autonomous(m, y0, steps=1500, burn_in=300)
    b = lyapunov_autonomous(d, z0, steps=1500, burn_in=300)
    assert a.switches == b.switches > 100
    assert np.allclose(a.exponents, b.exponents, atol=1e-8)
