"""Benchmark: closed-form simulation against scipy's solve_ivp on the same model and steps.

    python benchmarks/bench_simulate.py [STEPS] [--repeat R] [--example NAME]

A bundled example (default limit_cycle; the trained vdp_trained and vdp_fine are the issue's
kind of model, vdp_fine with its sampling resolution), started on its attractor (2000 discrete steps of burn-in), STEPS
steps (default 1000).  Both sides use the same region systems (derived once, certified,
timed separately); every time is the best of R runs (default 3; on a shared machine a larger R
steadies the figures); the per-region ball enclosures of the autonomous system are cached with
the systems (the "cold" row builds them inside the timed call, from fresh copies of the systems).  Reference: solve_ivp(DOP853, rtol = atol = 1e-12); for the hybrid
system one call per step (the region is latched), for the autonomous one a call per
region visit with terminal zero-crossing events.  Accuracy: the hybrid against the
discrete map at the sample times; the autonomous runs against each other (no exact
reference exists), and each against the discrete map.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _timing import best

from plrnn_symbolic import example, region_of
from plrnn_symbolic.analysis.simulation import simulate

IVP = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-12}


def ivp_hybrid(systems, z0, steps, dt):
    z = np.array(z0, dtype=float)
    out = [z]
    for _ in range(steps):
        s = systems[region_of(z)]
        sol = solve_ivp(lambda t, y, s=s: s.L @ y + s.g, (0, dt), s.G @ z, **IVP)
        z = s.P @ sol.y[:, -1]
        out.append(z)
    return np.array(out)


def ivp_autonomous(systems, z0, steps, dt):
    """Switch region at the zero crossings found by solve_ivp's event location.  In a lifted
    region the flow runs in N dimensions from G z and the events watch P y (P = [I, 0]); at a
    switch the state is P y, as in ``simulate``."""
    samples, switches, _ = switching_run(systems, z0, steps * dt, dt)
    return np.array(samples), switches


def switching_run(systems, z0, T, dt=None, max_switches=None):
    """The event-driven run of :func:`ivp_autonomous` up to time T: (the states at the multiples of dt,
    none without dt; the switches; the time reached), stopped after ``max_switches`` switches."""
    M = len(z0)
    z, t = np.array(z0, dtype=float), 0.0
    bits = region_of(z)
    samples = [z]
    switches = 0
    while t < T - 1e-12 and (max_switches is None or switches < max_switches):
        s = systems[bits]
        events = []
        for i in range(M):
            def ev(tt, y, i=i):
                return y[i]
            ev.terminal, ev.direction = True, (-1 if bits[i] == "1" else 1)
            events.append(ev)
        t_eval = np.arange(int(np.floor(t / dt + 1e-9)) + 1, round(T / dt) + 1) * dt if dt else np.empty(0)
        sol = solve_ivp(lambda tt, y, s=s: s.L @ y + s.g, (t, T), s.G @ z, events=events,
                        t_eval=t_eval if len(t_eval) else None, **IVP)
        if len(t_eval):
            samples.extend(np.asarray(sol.y).reshape(s.dimension, -1).T @ s.P.T)
        if sol.status == 1:
            k = min((i for i in range(M) if len(sol.t_events[i])), key=lambda i: sol.t_events[i][0])
            t, z = sol.t_events[k][0], s.P @ sol.y_events[k][0]
            z[k] = 0.0
            bits = bits[:k] + ("0" if bits[k] == "1" else "1") + bits[k + 1:]
            switches += 1
        else:
            t = T
    return samples, switches, t


def dev(A, B) -> float:
    return float(np.nanmax(np.abs(A - B)))


def main(steps: int = 1000, repeat: int = 3, name: str = "limit_cycle"):
    m = example(name)
    dt = float(m.dt)
    t_derive, warm = best(lambda: simulate(m, steps, burn_in=2000, system="both", e1=False), repeat=1)
    systems = warm.systems
    lifted = sum(s.dimension != m.M for s in systems.values())
    z0 = warm.discrete[0]
    X = warm.discrete

    t_h, ours_h = best(lambda: simulate(m, steps, z0=z0, system="hybrid", e1=False, systems=systems), repeat)
    t_hi, ref_h = best(lambda: ivp_hybrid(systems, z0, steps, dt), repeat=repeat)
    t_a, ours_a = best(lambda: simulate(m, steps, z0=z0, system="autonomous", e1=False, systems=systems), repeat)
    # cold: copies of the systems, so that their ball enclosures (cached per system object) are built in the call
    t_ac, _ = best(lambda: simulate(m, steps, z0=z0, system="autonomous", e1=False,
                                    systems={b: dataclasses.replace(s) for b, s in systems.items()}), repeat)
    t_ai, (ref_a, switches) = best(lambda: ivp_autonomous(systems, z0, steps, dt), repeat=repeat)
    t_e1, with_e1 = best(lambda: simulate(m, steps, z0=z0, system="hybrid", e1=True, systems=systems), repeat=1)

    segs = ours_a.segments
    crossings = sum(a.region != b.region for a, b in itertools.pairwise(segs))
    print(f"{name} (M = {m.M}, dt = {m.dt}), {steps} steps on the attractor, {len(systems)} regions "
          f"({lifted} lifted); derivation + first run {t_derive:.2f} s (not in the times below)")
    print(f"{'':34s}{'ours':>10s}{'solve_ivp':>11s}{'ratio':>8s}   accuracy (max |.| at the sample times)")
    print(f"{'hybrid (sample and hold)':34s}{t_h:10.4f}{t_hi:11.4f}{t_hi / t_h:7.1f}x   vs discrete: ours "
          f"{dev(ours_h.hybrid, X):.1e}, solve_ivp {dev(ref_h, X):.1e}")
    print(f"{'autonomous (switching)':34s}{t_a:10.4f}{t_ai:11.4f}{t_ai / t_a:7.1f}x   ours vs solve_ivp "
          f"{dev(ours_a.autonomous, ref_a):.1e}; vs discrete {dev(ours_a.autonomous, X):.2f} (drift along the orbit)")
    print(f"{'':34s}{'':21s}{'':8s}   switches: ours {crossings}, solve_ivp {switches}")
    print(f"{'  cold (enclosures built in call)':34s}{t_ac:10.4f}{t_ai:11.4f}{t_ai / t_ac:7.1f}x")
    c = with_e1.e1_counts
    print(f"{'hybrid + E1 for every step':34s}{t_e1:10.4f}{'':19s}   E1 holds {c['holds']}, fails {c['fails']} "
          f"({c['fails'] / steps:.1%}), undecided {c['undecided']}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("steps", nargs="?", type=int, default=1000, help="steps (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing, the best is kept (default 3)")
    ap.add_argument("--example", default="limit_cycle", help="bundled example (default limit_cycle)")
    a = ap.parse_args()
    from plrnn_symbolic.model.examples import EXAMPLES

    if a.example not in EXAMPLES:
        ap.error(f"unknown example {a.example!r}; choose one of: {', '.join(EXAMPLES)}")
    if a.steps < 1 or a.repeat < 1:
        ap.error("steps and --repeat must be at least 1")
    main(a.steps, a.repeat, a.example)
