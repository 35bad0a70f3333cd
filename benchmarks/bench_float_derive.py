"""Benchmark: float ``derive`` of every region, and a cold ``simulate``, against what a user would otherwise call.

    python benchmarks/bench_float_derive.py [--repeat R]

Prints, measured in the same run:

* float ``derive`` (L, g and residuals) of all 1024 regions of two 10-unit models (the trained
  ``vdp_trained`` and a random one) against one bare batched ``numpy.linalg.eig`` over the same
  1024 region matrices (goal: at most 25x its time), and against a loop of
  ``scipy.linalg.logm`` (L only; timed on every 8th region and multiplied by 8, since the
  full loop takes up to a minute);
* a cold ``simulate`` of 1000 steps of ``vdp_trained`` (float systems derived inside the call,
  hybrid system, no E1) against a solve_ivp loop (DOP853, rtol = atol = 1e-12, one call per step)
  that computes scipy's ``logm`` and g = L (H - I)^{-1} h for each new region (goal: at most
  0.05x its time); where logm is complex (a negative eigenvalue) the loop integrates the complex
  system and keeps the real part, the time being what counts.

Both sides run with one BLAS thread (as ``derive`` and ``simulate`` do: on the shared two-core
machine a second thread stalls the small products of logm and solve_ivp as much as ours).
"cold" derive is the first call in this process, "warm" the best of R later calls (default 3);
cold simulate derives its 13 region systems inside the call (best of R on fresh models, and the
first call in this process), warm simulate is given them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import scipy.linalg
from scipy.integrate import solve_ivp
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

from _timing import best

from plrnn_symbolic import PLRNN, all_regions, derive, example, region_of
from plrnn_symbolic.analysis.simulation import simulate
from plrnn_symbolic.model.regions import RegionMatrices

IVP = {"method": "DOP853", "rtol": 1e-12, "atol": 1e-12}


def random_model(M: int = 10, seed: int = 0) -> PLRNN:
    rng = np.random.default_rng(seed)
    A = np.diag(rng.uniform(0.5, 0.95, M))
    W = rng.normal(0, 0.25, (M, M))
    np.fill_diagonal(W, 0)
    return PLRNN(A, W, rng.normal(0, 0.1, M), name=f"random M={M}")


def ivp_logm_loop(model: PLRNN, steps: int) -> np.ndarray:
    """The hybrid trajectory by solve_ivp, each new region's L = logm(H)/dt, g = L (H - I)^{-1} h."""
    num = model.numeric
    dt = float(model.dt)
    z = num.z0.copy() if num.z0 is not None else np.zeros(model.M)
    systems: dict[str, tuple] = {}
    out = [z]
    for _ in range(steps):
        bits = region_of(z)
        if bits not in systems:
            H = num.A + num.W * np.array([b == "1" for b in bits], dtype=float)[None, :]
            L = scipy.linalg.logm(H) / dt
            if np.iscomplexobj(L) and np.abs(L.imag).max() < 1e-12:
                L = L.real
            systems[bits] = (L, L @ np.linalg.solve(H - np.eye(model.M), num.h))
        L, g = systems[bits]
        y0 = z.astype(L.dtype)
        sol = solve_ivp(lambda t, y, L=L, g=g: L @ y + g, (0, dt), y0, **IVP)
        z = np.real(sol.y[:, -1])
        out.append(z)
    return np.array(out)


def first_and_best(f, repeat: int):
    t0 = time.perf_counter()
    out = f()
    cold = time.perf_counter() - t0
    warm, out = best(f, repeat)
    return cold, warm, out


def main(repeat: int = 3) -> None:
    names = all_regions(10)
    print(f"{'float derive, all 1024 regions':<38}{'cold':>9}{'warm':>9}   {'batched eig':>11}{'ratio':>8}"
          f"   {'logm loop':>9}{'ratio':>9}   statuses")
    for label, make in (("vdp_trained", lambda: example("vdp_trained")), ("random 10-unit", random_model)):
        m = make()
        t_cold, t_warm, c = first_and_best(lambda m=m: derive(m, "all", mode="float"), repeat)
        H = RegionMatrices(m).float_batch(names)
        t_eig, _ = best(lambda H=H: np.linalg.eig(H), repeat)
        t_logm = 8 * best(lambda H=H: [scipy.linalg.logm(Hk) for Hk in H[::8]], 1)[0]
        counts: dict[str, int] = {}
        for s in c.systems.values():
            counts[s.status] = counts.get(s.status, 0) + 1
        print(f"{label:<38}{t_cold:>8.3f}s{t_warm:>8.3f}s   {t_eig * 1e3:>9.1f}ms{t_warm / t_eig:>7.1f}x"
              f"   {t_logm:>8.2f}s{t_logm / t_warm:>7.1f}x faster   {counts}")
    print("  (ratio vs batched eig: our warm time / eig, goal <= 25x; vs the logm loop (8 x the time of every 8th "
          "region): how much faster we are)")

    steps = 1000

    def ours():
        m = example("vdp_trained")      # a fresh model: no region system derived yet
        return simulate(m, steps, mode="float", e1=False, system="hybrid")

    t0 = time.perf_counter()
    r = ours()
    t_first = time.perf_counter() - t0
    t_cold, r = best(ours, repeat)
    m = example("vdp_trained")
    t_cached, _ = best(lambda: simulate(m, steps, mode="float", e1=False, system="hybrid", systems=r.systems), repeat)
    t_ivp, ref = best(lambda: ivp_logm_loop(m, steps), 1)
    print()
    print(f"vdp_trained, {steps} steps, hybrid, float, no E1 ({len(r.systems)} regions visited)")
    print(f"{'':44}{'ours':>9}{'solve_ivp + logm':>18}{'ratio':>9}")
    print(f"{'cold, first call in this process':44}{t_first:>8.3f}s{t_ivp:>17.3f}s{t_first / t_ivp:>8.3f}x")
    print(f"{'cold (systems derived in the call)':44}{t_cold:>8.3f}s{t_ivp:>17.3f}s{t_cold / t_ivp:>8.3f}x")
    print(f"{'warm (systems given)':44}{t_cached:>8.3f}s{t_ivp:>17.3f}s{t_cached / t_ivp:>8.3f}x")
    print(f"  (goal: cold <= 0.05x; max |ours - solve_ivp| at the sample times {np.abs(r.hybrid - ref).max():.1e})")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per warm timing, the best is kept (default 3)")
    a = ap.parse_args()
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    with threadpool_limits(1):
        main(a.repeat)
