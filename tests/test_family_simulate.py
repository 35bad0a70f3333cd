"""Simulation of the general form: the exits across a slanted hyperplane W2 z + h2 = 0 against
dense high-precision sampling (mpmath, 40 digits) of the region flows, written here independently
of the package (principal logarithm by mpmath, g = L (H - I)^-1 h)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from plrnn_symbolic import dynamics, simulate
from plrnn_symbolic.model.family import ReluRNN, ShallowPLRNN
from plrnn_symbolic.model.regions import region_affine

SAMPLES = 2000      # per step


def _slanted_model():
    th, r = 0.5, 0.97
    A = [[r * math.cos(th), -r * math.sin(th)], [r * math.sin(th), r * math.cos(th)]]
    return ReluRNN(A=A, W1=[[0.1], [0.2]], W2=[[1, 2]], h1=[0.05, 0.0], h2=[-0.3], z0=[1.0, -1.0])


def _sampled_exit_function(model, name, z, dt):
    """f(t_i) = sign (w . z(t_i) + b) at t_i = i dt / SAMPLES for the region's flow from z, in mpmath."""
    with mpmath.workdps(40):
        H, h = region_affine(model, name)
        Hm = mpmath.matrix([[mpmath.mpf(x.p) / x.q for x in H.row(i)] for i in range(H.rows)])
        hm = mpmath.matrix([mpmath.mpf(x.p) / x.q for x in h])
        Lm = mpmath.logm(Hm) / dt
        gm = Lm * mpmath.inverse(Hm - mpmath.eye(H.rows)) * hm
        n = H.rows
        aug = mpmath.zeros(n + 1, n + 1)
        for i in range(n):
            for j in range(n):
                aug[i, j] = Lm[i, j].real
            aug[i, n] = gm[i].real
        E = mpmath.expm(aug * (mpmath.mpf(dt) / SAMPLES))
        y = mpmath.matrix([*[mpmath.mpf(float(v)) for v in z], 1])
        W2, h2 = model.W2, model.h2
        w = [mpmath.mpf(x.p) / x.q for x in W2.row(0)]
        b = mpmath.mpf(h2[0].p) / h2[0].q
        sign = 1 if model.pattern(name)[0] else -1
        out = []
        for _ in range(SAMPLES + 1):
            out.append(float(sign * (sum(wi * y[i] for i, wi in enumerate(w)) + b)))
            y = E * y
    return np.array(out)


def test_exits_across_a_slanted_hyperplane_match_dense_sampling():
    m = _slanted_model()
    res = simulate(m, 40, system="both", mode="certified")
    dt = float(m.dt)
    fails = 0
    for n, v in enumerate(res.e1):
        z = res.discrete[n]
        f = _sampled_exit_function(m, m.region_of(z), z, dt)
        if v.truth.value == "holds":
            assert f.min() >= 0, f"step {n}: E1 holds but the sampled flow leaves the cell"
        elif v.truth.value == "fails":
            fails += 1
            lo, hi = v.witness["time"]
            first = int(np.argmax(f < 0))
            assert f[first] < 0, f"step {n}: E1 fails but no sample leaves the cell"
            # the first sign change lies between samples first - 1 and first
            assert (first - 1) * dt / SAMPLES <= hi and lo <= first * dt / SAMPLES
    assert fails >= 3     # the spiral crosses the line every few steps
    # the autonomous system switches at the crossing: its first switch time is the sampled one
    first_switch = next(s for s in res.segments if s.t1 < (s.step + 1) * dt - 1e-12)
    f = _sampled_exit_function(m, first_switch.region, first_switch.y0, dt)
    k = int(np.argmax(f < 0))
    assert (k - 1) * dt / SAMPLES - 1e-12 <= first_switch.t1 - first_switch.t0 <= k * dt / SAMPLES + 1e-12
    # the hybrid system reproduces the map exactly at the sample times (E3)
    assert res.hybrid_step_deviation < 1e-10


def test_simulate_and_dynamics_of_a_shallow_model_with_empty_cells():
    sh = ShallowPLRNN([0.6, 0.7], [[0.5, -0.4, 0.3], [0.2, 0.4, -0.5]], [[1, 0], [0, 1], [1, 1]], [0.1, -0.1],
                      [0, 0, 0], z0=[0.5, -0.2])
    res = simulate(sh, 20, system="hybrid", e1=True)
    assert res.hybrid_step_deviation < 1e-10
    rep = dynamics(sh)
    names = {fp.region for fp in rep.fixed_points}
    assert names <= set(sh.candidate_regions())
    for fp in rep.fixed_points:
        H, h = (np.array(x, dtype=float) for x in region_affine(sh, fp.region))
        np.testing.assert_allclose(H @ fp.z + h.ravel(), fp.z, atol=1e-9)
        if fp.real:
            assert sh.region_of(fp.z) == fp.region


@pytest.mark.parametrize("system", ["hybrid", "autonomous"])
def test_general_form_with_inputs(system):
    m = ReluRNN(A=[[0.5, 0], [0, 0.5]], W1=[[1], [-1]], W2=[[1, -1]], h1=[0, 0], h2=[0.1], C=[[1], [0]])
    s = np.sin(np.arange(15) / 3).reshape(-1, 1)
    res = simulate(m, 15, [0.2, 0.1], system, inputs=s)
    np.testing.assert_allclose(res.discrete, m.trajectory([0.2, 0.1], 15, s))
    cont = res.hybrid if system == "hybrid" else res.autonomous
    assert np.isfinite(cont).all()
    if system == "hybrid":
        np.testing.assert_allclose(cont, res.discrete, atol=1e-10)
