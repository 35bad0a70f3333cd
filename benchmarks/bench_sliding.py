"""Benchmark: the autonomous system through Filippov sliding, against scipy's solve_ivp with events.

    python benchmarks/bench_sliding.py [--repeat R] [--max-switches K]

Two models that slide on z_1 = 0: ``sliding_2unit``, the 2-unit PLRNN of tests/test_sliding.py (a short
sliding segment across the sample time t = 1, then the region flows), and ``rotation``, the 2-unit
rotation model of tests/_independent.py (from t = 0.19 it slides for the rest of the run, next to a
lifted region).  Ours: ``simulate(..., system="autonomous", e1=False)`` with the region systems derived
beforehand (as bench_simulate.py does), which follows the sliding motion (proofs/05, Lemma 5.18) and
encloses it a posteriori in balls (Proposition 5.20; the time includes it).
Baselines, on the same region systems (a lifted region runs in N dimensions from G z, as in
bench_simulate.py):

* ``solve_ivp`` (DOP853, rtol = atol = 1e-12) with terminal zero-crossing events, restarted in the new
  region at each event: at a sliding point the new region's field points back, the next event comes
  after a step of about the rounding level, and the run chatters; it is stopped after K switches
  (default 2000) and the time it reached is printed;
* ``solve_ivp`` without events on the discontinuous field (the region chosen at each evaluation): the
  step size collapses at the surface; it is stopped after 200,000 field evaluations.

Each time is the best of R runs (default 3).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from _independent import rotation_model
from _timing import best
from bench_simulate import switching_run

from plrnn_symbolic import PLRNN, derive, region_of
from plrnn_symbolic.analysis.simulation import simulate

IVP = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-12}
MAX_EVALS = 200_000


def models():
    two = PLRNN(A=[["0.38", 0], [0, "0.31"]], W=[[0, "0.7"], ["-0.93", 0]], h=["-0.79", "-0.87"])
    phi = np.radians(100)
    return [("sliding_2unit", two, [-3.25, 3.0], 20), ("rotation", rotation_model(),
                                                        [1 + 1.5 * np.cos(phi), 3 + 1.5 * np.sin(phi)], 10)]


def ivp_events(systems, z0, T, max_switches):
    """Event-driven switching (bench_simulate.switching_run), stopped after max_switches: (time reached,
    switches)."""
    _, switches, t = switching_run(systems, z0, T, None, max_switches)
    return t, switches


class _Budget(Exception):
    pass


def ivp_no_events(m, systems, z0, T):
    """One solve_ivp call on the discontinuous field (the region of y at each evaluation; a lifted
    region's field at the embedded point, P (L G z + g)); stopped after MAX_EVALS evaluations."""
    count = [0]
    reached = [0.0]

    def rhs(t, y):
        count[0] += 1
        if count[0] > MAX_EVALS:
            raise _Budget
        reached[0] = max(reached[0], t)
        b = region_of(y)
        if b not in systems:        # a trial state of the solver in a region the trajectory never enters
            systems[b] = derive(m, [b], mode="certified")[b]
        s = systems[b]
        return s.P @ (s.L @ (s.G @ y) + s.g)

    try:
        solve_ivp(rhs, (0.0, T), np.array(z0, dtype=float), **IVP)
        return T, count[0]
    except _Budget:
        return reached[0], count[0]


def row(name, m, z0, steps, repeat, max_switches) -> str:
    T = steps * float(m.dt)
    systems = simulate(m, steps, z0=z0, system="autonomous", e1=False).systems
    t_ours, r = best(lambda: simulate(m, steps, z0=z0, system="autonomous", e1=False, systems=systems), repeat)
    assert np.isfinite(r.autonomous).all()
    slid = sum(sg.duration for sg in r.sliding_segments)
    t_ev, (reached_ev, switches) = best(lambda: ivp_events(systems, z0, T, max_switches), repeat)
    t_ne, (reached_ne, evals) = best(lambda: ivp_no_events(m, dict(systems), z0, T), 1)
    enc = max((sg.certified_bound or float("nan")) for sg in r.sliding_segments)
    gaps = sum(b - a for sg in r.sliding_segments for a, b in sg.uncovered)
    ended = [sg for sg in r.sliding_segments if not sg.end.startswith("still sliding")]
    bracketed = sum(sg.exit_bracket is not None for sg in ended)
    return (f"{name:<14} {T:>4g} | {t_ours * 1e3:7.1f} ms {len(r.sliding_segments)} segment(s), {slid:6.3g} t.u., "
            f"enclosed to {enc:.1e}, {gaps:.2g} t.u. not enclosed, {bracketed} of {len(ended)} end(s) bracketed"
            f" | {t_ev:6.2f} s, {switches} switches, reached t = {reached_ev:.6g} ({t_ev / t_ours:5.0f}x ours)"
            f" | {t_ne:6.2f} s, {evals} evals, reached t = {reached_ne:.6g} ({t_ne / t_ours:4.0f}x)")


def main(repeat: int = 3, max_switches: int = 2000):
    print(f"{'model':<14} {'T':>4} | {'ours':>9} {'sliding':>22} | {'solve_ivp + events':>40} | "
          f"{'solve_ivp, no events':>38}")
    for name, m, z0, steps in models():
        print(row(name, m, z0, steps, repeat, max_switches))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--max-switches", type=int, default=2000)
    a = p.parse_args()
    main(a.repeat, a.max_switches)
