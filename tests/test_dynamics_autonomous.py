"""Lyapunov exponents of the autonomous (switching) system: a float measurement along the simulated
trajectory, with saltation matrices at the switches (issue 5)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from _independent import rotation_model, subcommand_parser

from plrnn_symbolic import PLRNN, InputError, NoResult, example
from plrnn_symbolic.analysis.lyapunov import (
    AutonomousLyapunov,
    _autonomous_run,
    _RegionExp,
    _step_jacobians,
    lyapunov_autonomous,
    lyapunov_continuous,
)
from plrnn_symbolic.analysis.simulation import simulate
from plrnn_symbolic.cli.dynamics_command import add_arguments, run_cli


def _product(r):
    J = np.eye(r.model.M)
    for _, Jn in _step_jacobians(r, float(r.model.dt)):
        J = Jn @ J
    return J


# ---- (1) one region: the exponents are the real parts of the continuous eigenvalues ----------------------------
@pytest.mark.parametrize("model, z0, dt", [
    (PLRNN(A=[[0.5, 0, 0], [0, 0.8, 0], [0, 0, 0.3]], W=[[0, 0.1, 0], [0.05, 0, 0], [0, 0, 0.2]], h=[1, 1, 1]),
     [2.0, 5.0, 1.0], 1.0),
    (PLRNN(A=[[0.5, 0, 0], [0, 0.8, 0], [0, 0, 0.3]], W=[[0, 0.1, 0], [0.05, 0, 0], [0, 0, 0.2]], h=[1, 1, 1],
           dt=0.25), [2.0, 5.0, 1.0], 0.25),
    (rotation_model(), [1.05, 3.0], 1.0),                       # a focus: a complex pair of equal modulus
])
def test_single_region_exponents_are_log_abs_eigenvalues_over_dt(model, z0, dt):
    r = lyapunov_autonomous(model, z0, steps=3000, burn_in=0)
    assert isinstance(r, AutonomousLyapunov) and r.switches == 0
    H = model.numeric.A + model.numeric.W                       # the all-active region's W_Omega
    expected = np.sort(np.log(np.abs(np.linalg.eigvals(H))) / dt)[::-1]
    assert np.allclose(r.exponents, expected, atol=5 / r.time)      # the QR estimate converges as 1 / T
    # an independent route on the same orbit: the map's QR exponents divided by dt (THEORY section 6)
    assert np.allclose(r.exponents, lyapunov_continuous(model, z0, steps=3000, burn_in=0), atol=1e-9)
    assert r.time == pytest.approx(3000 * dt)


def test_region_exponential_matches_scipy():
    import scipy.linalg

    rng = np.random.default_rng(3)
    for L in (rng.normal(size=(4, 4)), np.array([[0.0, 1.0], [0.0, 0.0]])):   # the second is defective
        E = _RegionExp(L, 0.5)
        for t in (0.5, 0.1234, 1e-9):
            assert np.allclose(E(t), scipy.linalg.expm(L * t), rtol=1e-10, atol=1e-12)


# ---- (2) the saltation matrices against finite differences of the time-T map -------------------------------------
def test_propagated_jacobian_matches_finite_differences_across_switches():
    m = example("limit_cycle")
    z0 = simulate(m, 0, burn_in=2000, system="hybrid", e1=False).discrete[0]
    steps, eps = 6, 1e-7
    r = _autonomous_run(m, z0, steps, None, "float")
    switches = sum(a.region != b.region for a, b in zip(r.segments, r.segments[1:]))
    assert switches >= 2                                         # the test crosses boundaries
    J = _product(r)
    # the time-T map evaluated independently (the simulated trajectories from perturbed starts)
    fd = np.empty_like(J)
    for j in range(m.M):
        e = np.zeros(m.M)
        e[j] = eps
        ends = [simulate(m, steps, z0=z0 + sgn * e, system="autonomous", e1=False, mode="float",
                         systems=r.systems) for sgn in (1, -1)]
        assert all(len(x.segments) == len(r.segments) for x in ends)        # the same switches
        fd[:, j] = (ends[0].autonomous[-1] - ends[1].autonomous[-1]) / (2 * eps)
    scale = np.abs(J).max()
    assert np.abs(fd - J).max() < 1e-6 * scale
    # without the saltation matrices the product of the region exponentials is far off
    E = np.eye(m.M)
    for sg in r.segments:
        E = _RegionExp(r.systems[sg.region].L, 1.0)(sg.t1 - sg.t0) @ E
    assert np.abs(fd - E).max() > 1e-2 * scale


def test_the_flow_direction_is_carried_across_a_switch():
    """S f- = f+: the tangent flow maps the vector field at the start onto the vector field at the end."""
    m = example("limit_cycle")
    z0 = simulate(m, 0, burn_in=2000, system="hybrid", e1=False).discrete[0]
    r = _autonomous_run(m, z0, 3, None, "float")
    first, last = r.segments[0], r.segments[-1]
    s0, s1 = r.systems[first.region], r.systems[last.region]
    f0 = s0.L @ z0 + s0.g
    zT = r.autonomous[-1]
    f1 = s1.L @ zT + s1.g
    assert np.allclose(_product(r) @ f0, f1, rtol=1e-8, atol=1e-10 * np.abs(f1).max())


# ---- (3) the bundled limit cycle ----------------------------------------------------------------------------------
def test_limit_cycle_exponents_are_finite_and_say_how_they_were_measured():
    r = lyapunov_continuous(example("limit_cycle"), steps=1500, burn_in=500, system="autonomous")
    assert isinstance(r, AutonomousLyapunov)
    assert np.isfinite(r.exponents).all() and len(r.exponents) == 6
    assert r.method.startswith("float, measured") and "saltation" in r.method
    assert r.switches > 500 and r.time == 1500.0
    # the flow has a periodic orbit there: one exponent is zero (the flow direction), the others negative
    assert abs(r.exponents[0]) < 5e-3 and r.exponents[1] < -0.05
    assert np.array_equal(np.asarray(r), r.exponents)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["method"] == r.method and len(d["exponents"]) == 6


# ---- refusals -------------------------------------------------------------------------------------------------------
def test_sliding_is_refused_with_a_clear_message():
    with pytest.raises(NoResult, match="slides"):
        lyapunov_autonomous(rotation_model(), [1 + 1.5 * math.cos(math.radians(100)),
                                               3 + 1.5 * math.sin(math.radians(100))], steps=5, burn_in=0)


def test_a_lifted_region_is_refused():
    m = PLRNN(A=[[-0.5]], W=[[0.0]], h=[1.0])        # region 1: H = -0.5 has no real logarithm
    with pytest.raises(NoResult, match="no real logarithm"):
        lyapunov_autonomous(m, [1.0], steps=5, burn_in=0)


def test_unknown_system_is_refused():
    with pytest.raises(InputError, match="unknown system"):
        lyapunov_continuous(example("limit_cycle"), system="filippov")


# ---- CLI -----------------------------------------------------------------------------------------------------------
def _parser():
    return subcommand_parser(add_arguments)


def test_cli_reports_autonomous_exponents_only_when_asked(capsys):
    assert run_cli(_parser().parse_args(["--example", "limit_cycle", "--json", "--steps", "300",
                                         "--burn-in", "100"])) == 0
    d = json.loads(capsys.readouterr().out)
    assert "lyapunov_autonomous" not in d and len(d["lyapunov_continuous"]) == 6
    assert run_cli(_parser().parse_args(["--example", "limit_cycle", "--json", "--steps", "300", "--burn-in", "100",
                                         "--autonomous-lyapunov"])) == 0
    d = json.loads(capsys.readouterr().out)
    auto = d["lyapunov_autonomous"]
    assert len(auto["exponents"]) == 6 and auto["method"].startswith("float, measured")
    assert run_cli(_parser().parse_args(["--example", "limit_cycle", "--steps", "300", "--burn-in", "100",
                                         "--autonomous-lyapunov"])) == 0
    assert "autonomous, measured" in capsys.readouterr().out
