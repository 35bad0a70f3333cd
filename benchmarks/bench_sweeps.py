"""Benchmark of streamed sweeps (``stream_check``, ``check --stream``): memory and the cost curve.

    python benchmarks/bench_sweeps.py                  # M = 24 float (limited to --chunks), exact M = 12..18
    python benchmarks/bench_sweeps.py --quick          # a minute: float M = 20 and 24 (2 chunks), exact M = 10..14
    python benchmarks/bench_sweeps.py --exact 12 14 16 18 20 --float-M 24 --chunks 0   # 0: every chunk

1. Peak memory (``ru_maxrss`` of a fresh process running only the sweep, plus its worker
   processes) of a float sweep streamed to a JSON-lines file, against the same sweep held in
   memory by ``check(model, mode="float")`` at the largest M where that still fits, and the
   estimate of ``analysis.sweep.estimate_sweep`` for the in-memory sweep at the streamed M.  A
   run limited to ``--chunks`` chunks gives the rate; the time of the whole 2^M sweep is
   extrapolated from it (said so in the table).
2. The cost curve of the exact sweep in M, streamed, on every usable core: wall time per M and
   the factor per added unit; the first M or two are also timed with the in-memory ``check``
   (the baseline a user would otherwise run) to show what streaming costs.

No thresholds: the figures are printed, not judged.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


def draw_model(M: int, seed: int = 0):
    """The trained-like model of bench_check.py: A = diag(U(0.3, 0.95)), W ~ N(0, (0.8/sqrt M)^2)."""
    from plrnn_symbolic import PLRNN

    rng = np.random.default_rng(seed)
    A = np.diag(rng.uniform(0.3, 0.95, M))
    W = rng.normal(0.0, 0.8 / np.sqrt(M), (M, M))
    np.fill_diagonal(W, 0.0)
    return PLRNN(A=A, W=W, h=rng.normal(0.0, 0.05, M), name=f"bench-M{M}")


def child(kind: str, M: int, mode: str, chunks: int, chunk: int | None, workers: int | None) -> dict:
    """Run one sweep in this (fresh) process and report its time and peak memory."""
    from plrnn_symbolic import check
    from plrnn_symbolic.analysis.stream import stream_check

    model = draw_model(M)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        if kind == "stream":
            r = stream_check(model, Path(d) / "sweep.jsonl", mode, chunk=chunk, workers=workers,
                             max_chunks=chunks or None)
            decided, flagged = r.decided, r.flagged_count
            file_bytes = (Path(d) / "sweep.jsonl").stat().st_size
        else:
            r = check(model, mode=mode, workers=workers, max_regions=2**M)
            decided, flagged, file_bytes = len(r), None, 0
        seconds = time.perf_counter() - t0
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"kind": kind, "M": M, "mode": mode, "decided": decided, "regions": 2**M, "seconds": seconds,
            "peak_bytes": own, "worker_peak_bytes": workers_rss, "flagged": flagged, "file_bytes": file_bytes}


def run_child(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *map(str, args)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def mb(x: float) -> str:
    return f"{x / 1e6:,.0f} MB"


def duration(s: float) -> str:
    return f"{s:.2f} s" if s < 120 else f"{s / 60:.1f} min" if s < 7200 else f"{s / 3600:.1f} h"


def print_float(b: dict, rows: list[dict]) -> None:
    from plrnn_symbolic.analysis.sweep import estimate_sweep

    print("\n1. float sweep: peak memory (max RSS of the sweep's process; workers listed apart)")
    print(f"{'sweep':<34}{'regions decided':>18}{'time':>11}{'rate':>15}{'peak':>10}{'workers':>10}"
          f"{'whole 2^M sweep':>26}")
    print(f"{'in memory, check(), M = ' + str(b['M']):<34}{b['decided']:>18,}{duration(b['seconds']):>11}"
          f"{b['decided'] / b['seconds']:>13,.0f}/s{mb(b['peak_bytes']):>10}{mb(b['worker_peak_bytes']):>10}"
          f"{'(measured)':>26}")
    for r in rows:
        whole = duration(r["whole_seconds"]) + (" (measured)" if r["decided"] == r["regions"] else " (extrapolated)")
        print(f"{'streamed, M = ' + str(r['M']):<34}{r['decided']:>18,}{duration(r['seconds']):>11}"
              f"{r['decided'] / r['seconds']:>13,.0f}/s{mb(r['peak_bytes']):>10}{mb(r['worker_peak_bytes']):>10}"
              f"{whole:>26}")
    for r in rows:
        est = estimate_sweep(r["M"], "float")
        print(f"M = {r['M']}: streamed peak {mb(r['peak_bytes'])} against {mb(est.bytes)} estimated for the sweep "
              f"held in memory (estimate_sweep); {r['flagged']:,} flagged regions written, "
              f"{r['file_bytes'] / max(1, r['decided']):.1f} bytes of file per region decided")
        if r["M"] == b["M"]:
            print(f"M = {r['M']}: streamed / in memory, peak memory: {r['peak_bytes'] / b['peak_bytes']:.2f}x, "
                  f"time: {r['seconds'] / b['seconds']:.2f}x")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--float-M", type=int, nargs="+", default=None, help="float streamed sweeps (default 20 24)")
    p.add_argument("--chunks", type=int, default=None,
                   help="chunks of 16384 regions decided per float sweep above M = 20 (0: all; default 64)")
    p.add_argument("--memory-baseline-M", type=int, default=20, help="M of the in-memory float check (default 20)")
    p.add_argument("--exact", type=int, nargs="+", default=None, help="M of the exact curve (default 12 14 16 18)")
    p.add_argument("--no-float", action="store_true", help="skip part 1")
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        kind, M, mode, chunks, chunk, workers = args.child
        print(json.dumps(child(kind, int(M), mode, int(chunks), None if chunk == "0" else int(chunk),
                               None if workers == "0" else int(workers))))
        return 0
    from plrnn_symbolic.core.parallel import usable_cores

    float_Ms = args.float_M or ([20, 24])
    chunks = args.chunks if args.chunks is not None else (2 if args.quick else 64)
    exact_Ms = args.exact or ([10, 12, 14] if args.quick else [12, 14, 16, 18])
    print(f"machine: {usable_cores()} usable cores; python {sys.version.split()[0]}", flush=True)

    # 1. memory of the float sweep, streamed and held
    rows = []
    base = None if args.no_float else run_child("memory", args.memory_baseline_M, "float", 0, 0, 0)
    for M in [] if args.no_float else float_Ms:
        limit = 0 if M <= 20 else chunks
        r = run_child("stream", M, "float", limit, 0, 0)
        rate = r["decided"] / r["seconds"]
        r["whole_seconds"] = r["seconds"] if r["decided"] == r["regions"] else r["regions"] / rate
        rows.append(r)
    if base is not None:
        print_float(base, rows)

    # 2. the exact curve
    curve = []
    for M in exact_Ms:
        r = run_child("stream", M, "exact", 0, 0, 0)
        if M <= 14:   # the in-memory baseline where it is quick
            r["in_memory_seconds"] = run_child("memory", M, "exact", 0, 0, 0)["seconds"]
        curve.append(r)
        print(f"  exact M = {M}: {duration(r['seconds'])}", file=sys.stderr, flush=True)
    print(f"\n2. exact sweep, streamed, default workers ({usable_cores()} cores), every region decided")
    print(f"{'M':>3}{'regions':>12}{'time':>11}{'per region':>13}{'factor per unit':>17}{'peak':>10}"
          f"{'in-memory check':>17}{'streamed / held':>17}")
    prev = None
    for r in curve:
        factor = f"{(r['seconds'] / prev['seconds']) ** (1 / (r['M'] - prev['M'])):.2f}x" if prev else ""
        held = r.get("in_memory_seconds")
        ratio = f"{r['seconds'] / held:.2f}x" if held else ""
        print(f"{r['M']:>3}{r['regions']:>12,}{duration(r['seconds']):>11}{r['seconds'] / r['regions'] * 1e3:>10.3f} ms"
              f"{factor:>17}{mb(r['peak_bytes']):>10}{duration(held) if held else '':>17}{ratio:>17}")
        prev = r
    if len(curve) >= 2:
        a, z = curve[-2], curve[-1]
        f = (z["seconds"] / a["seconds"]) ** (1 / (z["M"] - a["M"]))
        for M in range(z["M"] + 2, 25, 2):
            print(f"extrapolated from the last two (x{f:.2f} per unit): M = {M}: "
                  f"{duration(z['seconds'] * f ** (M - z['M']))}")
    if args.json:
        Path(args.json).write_text(json.dumps({"float": rows, "float_in_memory": base, "exact": curve}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
