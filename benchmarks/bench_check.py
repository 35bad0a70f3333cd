"""Benchmark of ``check``: the region sweep in its three modes, against the code
a user would otherwise write.

    python benchmarks/bench_check.py            # full run (a few minutes)
    python benchmarks/bench_check.py --quick    # under a minute
    python benchmarks/bench_check.py --json bench.json --profile

Four measurements, all taken in the same run (``time.perf_counter``, best of a
few repeats for the short ones):

1. exact sweep of the 1024 regions of a 10-unit trained-like model:
   ``check(model, mode="exact")`` against a naive per-region FLINT computation
   written here (full W_Omega, charpoly, factor, Jordan ranks of repeated
   factors, root isolation of nonlinear factors), with the verdicts compared
   region by region;
2. the cost curve in M of the exact, certified and float sweeps; where a full
   sweep would take longer than the budget, a random subset of regions is timed
   and the total extrapolated (marked ``~``);
3. the float sweep of the 2^16 regions of a 16-unit model against a bare
   batched ``numpy.linalg.eigvals`` over the same stack of matrices;
4. the exact and certified sweeps of a 12-unit model, and the derivation of
   512 regions of a 10-unit model, on one core and on all usable cores
   (``workers``), with the results compared.

No thresholds: the figures are printed (and written with ``--json``), not judged.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

import flint
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from plrnn_symbolic import PLRNN, check, derive, parallel
from plrnn_symbolic.analysis.conditions import PARALLEL_MIN_REGIONS
from plrnn_symbolic.core.domains import working_precision
from plrnn_symbolic.core.parallel import usable_cores
from plrnn_symbolic.model.regions import RegionMatrices
from plrnn_symbolic.region.predicates import PREDICATES

SUBSET = 512


# ---- models ---------------------------------------------------------------------
def draw_weights(M: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A trained-like PLRNN: A = diag(U(0.3, 0.95)), W ~ N(0, (0.8/sqrt M)^2) with
    zero diagonal, small h; all float64 (so exact mode sees 53-bit rationals)."""
    rng = np.random.default_rng(seed)
    A = np.diag(rng.uniform(0.3, 0.95, M))
    W = rng.normal(0.0, 0.4 / np.sqrt(M) * 2, (M, M))
    np.fill_diagonal(W, 0.0)
    h = rng.normal(0.0, 0.05, M)
    return A, W, h


def draw_model(M: int, seed: int) -> PLRNN:
    A, W, h = draw_weights(M, seed)
    return PLRNN(A=A, W=W, h=h, name=f"bench-M{M}-seed{seed}")


def region_names(M: int, indices) -> list[str]:
    """Bit strings, unit 1 first, of the given region indices."""
    return [format(int(i), f"0{M}b") for i in indices]


def random_regions(M: int, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return region_names(M, np.sort(rng.choice(2**M, size=min(n, 2**M), replace=False)))


# ---- the naive exact baseline -------------------------------------------------------
def _fmpq_mat(x: np.ndarray) -> flint.fmpq_mat:
    n, m = x.shape
    return flint.fmpq_mat(n, m, [flint.fmpq(*float(v).as_integer_ratio()) for v in x.ravel()])


def _poly_at(p: flint.fmpq_poly, H: flint.fmpq_mat) -> flint.fmpq_mat:
    n = H.nrows()
    eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    out = flint.fmpq_mat(n, n)
    for c in reversed(p.coeffs()):
        out = out * H + eye * c
    return out


def _naive_blocks(H: flint.fmpq_mat, p: flint.fmpq_poly, m: int) -> tuple[int, ...]:
    """Jordan block sizes of each root of p (multiplicity m): the number of
    blocks of size >= k is (rank N^(k-1) - rank N^k) / deg p, N = p(H)."""
    d = p.degree()
    N = _poly_at(p, H)
    at_least = []  # at_least[k-1] = number of blocks of size >= k
    prev, power = H.nrows(), N
    while sum(at_least) < m:
        r = power.rank()
        at_least.append((prev - r) // d)
        prev, power = r, power * N
    at_least.append(0)
    return tuple(k for k in range(len(at_least) - 1, 0, -1) for _ in range(at_least[k - 1] - at_least[k]))


def _naive_roots(p: flint.fmpq_poly) -> list[tuple[bool, int]]:
    """(is real, sign of the real part) of each root of an irreducible p of
    degree >= 2, refining until every real root's sign is certain (from 16
    bits, as check() does, so the ratio measures structure, not precision)."""
    prec = 16
    old = flint.ctx.prec
    try:
        while True:
            flint.ctx.prec = prec
            roots = [r for r, _ in p.complex_roots()]
            out = []
            for r in roots:
                real = r.imag.is_exact() and r.imag.is_zero()
                if not real and r.imag.contains(0):
                    break
                if real and r.real.contains(0):
                    break
                out.append((real, 1 if r.real > 0 else -1))
            else:
                return out
            prec *= 2
    finally:
        flint.ctx.prec = old


def naive_region_verdicts(H: flint.fmpq_mat) -> tuple[str, ...]:
    """The five statuses of THEORY section 3 for H, decided from the
    factorisation of the full characteristic polynomial."""
    _, factors = H.charpoly().factor(monic=True)
    eigs = []  # (real, sign, is_one, blocks) per eigenvalue
    for p, m in factors:
        blocks = _naive_blocks(H, p, m) if m > 1 else (1,)
        if p.degree() == 1:
            v = -p.coeffs()[0]
            eigs.append((True, (v > 0) - (v < 0), v == 1, blocks))
        else:  # an irreducible factor of degree >= 2 has no rational root: never 0 or 1
            eigs += [(real, sign, False, blocks) for real, sign in _naive_roots(p)]
    zero = any(real and sign == 0 for real, sign, _, _ in eigs)
    on_axis = any(real and sign <= 0 for real, sign, _, _ in eigs)
    culver = all(not (real and sign < 0) or all(c % 2 == 0 for c in Counter(b).values())
                 for real, sign, _, b in eigs)
    unique = all(real and sign > 0 and len(b) == 1 for real, sign, _, b in eigs)
    one = any(is_one for _, _, is_one, _ in eigs)

    def s(x: bool) -> str:
        return "holds" if x else "fails"

    return s(not zero), s(not on_axis), s(not zero and culver), s(unique), s(one)


def naive_exact_sweep(A: np.ndarray, W: np.ndarray, regions: list[str]) -> dict[str, tuple[str, ...]]:
    """Per region: build W_Omega = A + W D over Q and decide from scratch."""
    M = A.shape[0]
    Aq = _fmpq_mat(A)
    AWq = Aq + _fmpq_mat(W)  # the exact sum (A + W in floats could round)
    out = {}
    for bits in regions:
        H = flint.fmpq_mat(M, M, [AWq[i, j] if bits[j] == "1" else Aq[i, j] for i in range(M) for j in range(M)])
        out[bits] = naive_region_verdicts(H)
    return out


def statuses(report) -> dict[str, tuple[str, ...]]:
    return {bits: tuple(st[p] for p in PREDICATES) for bits, st in report.statuses().items()}


# ---- timing -------------------------------------------------------------------------
def timed(fn, repeats: int = 3, short: float = 2.0):
    """(best time, result): repeat up to ``repeats`` times while a run is shorter than ``short`` s."""
    best, result = float("inf"), None
    for k in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
        if best >= short:
            break
    return best, result


def fmt_time(t: float) -> str:
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.1f} ms"
    return f"{t * 1e6:.1f} us"


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    print(f"\n{title}")
    print("  ".join(f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(header, widths))))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(f"{x:<{w}}" if i == 0 else f"{x:>{w}}" for i, (x, w) in enumerate(zip(r, widths))))


def environment() -> dict:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version', '')}".strip()
    except (TypeError, KeyError):  # numpy < 2 has no mode="dicts"
        blas = "unknown"
    import sympy
    return {
        "python": platform.python_version(), "numpy": np.__version__, "python-flint": flint.__version__,
        "sympy": sympy.__version__, "blas": blas, "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "loadavg_start": os.getloadavg(),  # other work on the machine skews the times
    }


# ---- the measurements ------------------------------------------------------------------
def bench_parallel(quick: bool) -> list[dict]:
    """Item 4: the same sweep (summary and table, what ``plrnn-symbolic check``
    prints) on one core and on all of them, alternating; the statuses compared."""
    M = 11 if quick else 12
    model = draw_model(M, seed=M)
    workers = usable_cores()
    rows = []
    for mode in ("exact", "certified"):
        def run(w, mode=mode):
            r = check(model, mode=mode, workers=w)
            r.table()
            return r
        t1 = tp = float("inf")
        for _ in range(1 if quick else 3):
            t, serial = timed(partial(run, 1), 1)
            t1 = min(t1, t)
            t, par = timed(partial(run, workers), 1)
            tp = min(tp, t)
        rows.append({"M": M, "mode": mode, "regions": 2**M, "workers": workers, "serial_s": t1, "parallel_s": tp,
                     "speedup": t1 / tp, "statuses_agree": statuses(serial) == statuses(par)})
        print(f"  M={M} {mode:<9} 1 core {fmt_time(t1)}, {workers} cores {fmt_time(tp)}", file=sys.stderr, flush=True)
    # derive: the region loop (the check before it is the same sweep as above)
    M = 10
    model = draw_model(M, seed=M)
    regions = random_regions(M, 128 if quick else 512, seed=2000)
    for mode in ("certified",):   # float derive is batched in one process: benchmarks/bench_float_derive.py
        t1 = tp = float("inf")
        for _ in range(1 if quick else 2):
            t, serial = timed(partial(derive, model, regions, mode, 30, workers=1), 1)
            t1 = min(t1, t)
            t, par = timed(partial(derive, model, regions, mode, 30, workers=workers), 1)
            tp = min(tp, t)
        same = all(np.array_equal(a.L, b.L) for a, b in zip(serial.systems.values(), par.systems.values()))
        rows.append({"M": M, "mode": f"derive, {mode}", "regions": len(regions), "workers": workers, "serial_s": t1,
                     "parallel_s": tp, "speedup": t1 / tp, "statuses_agree": same})
        print(f"  M={M} derive {mode:<9} 1 core {fmt_time(t1)}, {workers} cores {fmt_time(tp)}", file=sys.stderr,
              flush=True)
    return rows



def bench_exact_vs_naive(quick: bool) -> dict:
    """Item 1; ours and the naive sweep alternate, so a change of machine load
    during the run biases neither."""
    M, seed = 10, 10
    A, W, h = draw_weights(M, seed)
    model = PLRNN(A=A, W=W, h=h)
    regions = region_names(M, range(2**M))
    t_ours = t_naive = float("inf")
    for _ in range(1 if quick else 3):
        t, report = timed(partial(check, model, mode="exact", workers=1), 1)  # one core, like the naive sweep
        t_ours = min(t_ours, t)
        t, naive = timed(partial(naive_exact_sweep, A, W, regions), 1)
        t_naive = min(t_naive, t)
    ours = statuses(report)
    mismatch = [b for b in regions if ours[b] != naive[b]]
    t_par, par = timed(partial(check, model, mode="exact", workers=usable_cores()), 1 if quick else 3)
    assert statuses(par) == ours
    return {
        "M": M, "seed": seed, "regions": len(regions), "ours_s": t_ours, "naive_s": t_naive, "parallel_s": t_par,
        "ratio_naive_over_ours": t_naive / t_ours, "verdicts_agree": not mismatch,
        "mismatched_regions": mismatch[:20], "n_mismatched": len(mismatch), "summary": report.summary(),
        "kernels": kernel_floor(model, regions, quick),
    }


def kernel_floor(model: PLRNN, regions: list[str], quick: bool) -> dict:
    """Time of the FLINT calls alone that check() makes per region (on the same
    submatrices S), so that the rest of a sweep is Python around them."""
    mats = RegionMatrices(model)
    S_q = [S for S in (mats.exact(b)[2] for b in regions) if S is not None and S.nrows()]
    S_b = [S for S in (mats.ball(b, 53)[0] for b in regions) if S is not None]

    def charpoly_factor():
        return [S.charpoly().factor(monic=True)[1] for S in S_q]

    factors = charpoly_factor()
    nonlinear = [p for fl in factors for p, _ in fl if p.degree() > 1]

    def roots(prec):
        with working_precision(prec):
            for p in nonlinear:
                p.complex_roots()

    def eig():
        with working_precision(53):
            for S in S_b:
                S.eig(multiple=True)

    reps = 1 if quick else 3
    return {
        "charpoly_factor_S_s": timed(charpoly_factor, reps)[0],
        "complex_roots_64_s": timed(partial(roots, 64), reps)[0],
        "complex_roots_16_s": timed(partial(roots, 16), reps)[0],
        "acb_eig_S_53_s": timed(eig, reps)[0],
    }


def bench_curve(Ms: list[int], quick: bool, budget: float, known: dict) -> list[dict]:
    """One row per (M, mode): a full sweep when its estimate (from SUBSET random
    regions) fits the budget, else that estimate.  A uniform random subset has
    the distribution of active units of the full sweep, so the scaling is fair."""
    rows = []
    for M in Ms:
        model = draw_model(M, seed=M)
        n_all = 2**M
        for mode in ("exact", "certified", "float"):
            row = {"M": M, "mode": mode, "regions": n_all}
            if (M, mode) in known:
                row.update(total_s=known[M, mode], extrapolated=False, measured="item 3")
            else:
                sub = random_regions(M, SUBSET, seed=1000 + M)
                est = None
                if len(sub) < n_all:
                    t_sub, _ = timed(partial(check, model, regions=sub, mode=mode), 1)
                    # the subset runs on one core; the full sweep on the default workers (an even split assumed)
                    cores = 1 if mode == "float" else parallel.workers(None, n_all, PARALLEL_MIN_REGIONS)
                    est = t_sub * n_all / len(sub) / cores
                if est is None or est <= budget:
                    t, _ = timed(partial(check, model, mode=mode), 1 if quick else 3)
                    row.update(total_s=t, extrapolated=False, measured="full sweep")
                else:
                    row.update(total_s=est, extrapolated=True, subset=len(sub), subset_s=t_sub,
                               measured=f"{len(sub)} random regions, one core, in {fmt_time(t_sub)}, "
                                        f"x {n_all // len(sub)} / {cores} cores")
            row["per_region_s"] = row["total_s"] / n_all
            rows.append(row)
            print(f"  M={M:>2} {mode:<9} {'~' if row['extrapolated'] else ' '}{fmt_time(row['total_s'])}",
                  file=sys.stderr, flush=True)
    return rows


def bench_float_vs_eigvals(quick: bool) -> dict:
    """Item 3: the whole sweep (all 2^16 regions; --quick: a random subset)
    against numpy's batched eigvals over the same stack of region matrices."""
    M, seed = 16, 16
    A, W, h = draw_weights(M, seed)
    model = PLRNN(A=A, W=W, h=h)
    if quick:
        regions = random_regions(M, 4096, seed=2016)
        idx = np.array([int(b, 2) for b in regions])
    else:
        regions, idx = "all", np.arange(2**M)
    n = len(idx)
    reps = 1 if quick else 3

    def stack():  # region index i <-> bit string format(i, "016b"), unit 1 = most significant bit
        active = ((idx[:, None] >> np.arange(M - 1, -1, -1)[None, :]) & 1).astype(bool)
        return np.where(active[:, None, :], (A + W)[None], A[None])

    t_stack, H = timed(stack, reps)
    t_eig, _ = timed(partial(np.linalg.eigvals, H), reps)
    t_ours, report = timed(partial(check, model, regions=regions, mode="float"), reps)
    return {"M": M, "seed": seed, "regions": n, "all_regions": not quick, "ours_s": t_ours, "eigvals_s": t_eig,
            "stack_build_s": t_stack, "ratio_ours_over_eigvals": t_ours / t_eig, "summary": report.summary()}


def profile() -> str:
    """cProfile of the three modes (top functions by own time)."""
    out = io.StringIO()
    for mode, M in (("exact", 10), ("certified", 10), ("float", 12)):
        model = draw_model(M, seed=M)
        prof = cProfile.Profile()
        prof.enable()
        check(model, mode=mode)
        prof.disable()
        out.write(f"\n==== cProfile: check(mode={mode!r}), M = {M}, {2**M} regions ====\n")
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(18)
    return out.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one repeat, smaller sweeps (under a minute)")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of each mode")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()
    env = environment()

    print("[1/4] exact sweep vs naive FLINT ...", file=sys.stderr, flush=True)
    one = bench_exact_vs_naive(args.quick)
    print("[3/4] float sweep vs bare numpy eigvals ...", file=sys.stderr, flush=True)
    three = bench_float_vs_eigvals(args.quick)
    print("[4/4] parallel sweeps ...", file=sys.stderr, flush=True)
    four = bench_parallel(args.quick)
    print("[2/4] cost curve in M ...", file=sys.stderr, flush=True)
    budget = 5.0 if args.quick else 60.0
    known = {} if args.quick else {(16, "float"): three["ours_s"]}
    curve = bench_curve([8, 10, 12, 14, 16], args.quick, budget, known)
    env["loadavg_end"] = os.getloadavg()
    elapsed = time.perf_counter() - t_start

    print("environment: " + ", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"run: {'quick' if args.quick else 'full'}; times are best of "
          f"{'1' if args.quick else 'up to 3'} (one run when it takes over 2 s)")

    n, k = one["regions"], one["kernels"]
    print_table(
        f"1. exact sweep, M = {one['M']}, all {n} regions (trained-like float weights)",
        ["method", "total", "per region", "naive / ours", "verdicts agree"],
        [["check(model, mode='exact', workers=1)", fmt_time(one["ours_s"]), fmt_time(one["ours_s"] / n), "", ""],
         [f"check(model, mode='exact', workers={usable_cores()})", fmt_time(one["parallel_s"]),
          fmt_time(one["parallel_s"] / n), f"{one['naive_s'] / one['parallel_s']:.2f}x", "yes"],
         ["naive per-region FLINT on full W_Omega", fmt_time(one["naive_s"]), fmt_time(one["naive_s"] / n),
          f"{one['ratio_naive_over_ours']:.2f}x",
          "yes" if one["verdicts_agree"] else f"NO ({one['n_mismatched']} regions)"]],
    )
    print_table(
        "   FLINT calls alone on the same active submatrices S (the floor under the structured sweeps)",
        ["kernel", "total", "per region"],
        [[label, fmt_time(k[key]), fmt_time(k[key] / n)] for label, key in (
            ("S.charpoly().factor()", "charpoly_factor_S_s"),
            ("complex_roots of nonlinear factors, 64 bits", "complex_roots_64_s"),
            ("complex_roots of nonlinear factors, 16 bits", "complex_roots_16_s"),
            ("acb_mat.eig(S, multiple=True), 53 bits", "acb_eig_S_53_s"))],
    )

    rows = [[f"{r['M']}", r["mode"], f"{r['regions']}", ("~" if r["extrapolated"] else "") + fmt_time(r["total_s"]),
             fmt_time(r["per_region_s"]), r["measured"]] for r in curve]
    print_table(f"2. cost curve in M, default workers (a full sweep when estimated under {budget:g} s, "
                f"else ~ = extrapolated from {SUBSET} random regions on one core, divided by the default workers)",
                ["M", "mode", "regions", "total", "per region", "measured"], rows)

    n = three["regions"]
    what = "all" if three["all_regions"] else "a random subset of"
    print_table(
        f"3. float sweep, M = {three['M']}, {what} {n} regions",
        ["method", "total", "per region", "ours / eigvals"],
        [["check(model, mode='float')", fmt_time(three["ours_s"]), fmt_time(three["ours_s"] / n),
          f"{three['ratio_ours_over_eigvals']:.2f}x"],
         [f"np.linalg.eigvals on ({n}, {three['M']}, {three['M']})", fmt_time(three["eigvals_s"]),
          fmt_time(three["eigvals_s"] / n), "1.00x"],
         ["(building that stack in numpy, not counted)", fmt_time(three["stack_build_s"]),
          fmt_time(three["stack_build_s"] / n), ""]],
    )
    print_table(
        "4. parallel sweeps (check, then its table; derive), one core against all usable cores",
        ["M", "mode", "regions", "1 core", "cores", "all cores", "speedup", "same results"],
        [[f"{r['M']}", r["mode"], f"{r['regions']}", fmt_time(r["serial_s"]), f"{r['workers']}",
          fmt_time(r["parallel_s"]), f"{r['speedup']:.2f}x", "yes" if r["statuses_agree"] else "NO"] for r in four],
    )
    print(f"\ntotal wall time of the measurements: {elapsed:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "environment": env, "quick": args.quick, "wall_time_s": elapsed,
            "exact_vs_naive": one, "cost_curve": curve, "float_vs_eigvals": three, "parallel": four,
        }, indent=2))
        print(f"figures written to {args.json}")
    if args.profile:
        print(profile())
    return 0


if __name__ == "__main__":
    sys.exit(main())
