"""Instruction counts of the simulation benchmark: the same ratios as bench_simulate.py, without the noise.

    python benchmarks/count_instructions.py [--example NAME] [--steps N]

Wall times on a shared machine vary by up to 2x from run to run; the number of instructions a run
executes does not (to a few parts in a thousand).  Each workload of bench_simulate.py runs in its
own process under valgrind's callgrind, which counts instructions only around the measured call
(``--instr-atstart=no``, switched on and off by ``callgrind_control``): the model is loaded and
its region systems derived first, and every workload is run once uncounted before the counted run
(so the caches a workload keeps are warm; "cold" builds its ball enclosures inside the counted call
from fresh copies of the systems).  Needs valgrind (``apt-get install valgrind``); a run takes about
half a minute per workload, two at a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = ("hybrid", "ivp_hybrid", "autonomous", "autonomous_cold", "ivp_autonomous")


def child(workload: str, name: str, steps: int) -> None:
    """Set up, run once uncounted, then run once with callgrind's instrumentation on."""
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    from bench_simulate import ivp_autonomous, ivp_hybrid

    from plrnn_symbolic import example
    from plrnn_symbolic.analysis.simulation import simulate

    m = example(name)
    warm = simulate(m, steps, burn_in=2000, system="both", e1=False)
    systems, z0, dt = warm.systems, warm.discrete[0], float(m.dt)
    run = {
        "hybrid": lambda: simulate(m, steps, z0=z0, system="hybrid", e1=False, systems=systems),
        "ivp_hybrid": lambda: ivp_hybrid(systems, z0, steps, dt),
        "autonomous": lambda: simulate(m, steps, z0=z0, system="autonomous", e1=False, systems=systems),
        "autonomous_cold": lambda: simulate(m, steps, z0=z0, system="autonomous", e1=False,
                                            systems={b: dataclasses.replace(s) for b, s in systems.items()}),
        "ivp_autonomous": lambda: ivp_autonomous(systems, z0, steps, dt),
    }[workload]
    run()
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    run()
    subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)


def count(workload: str, name: str, steps: int, tmp: str) -> int:
    out = os.path.join(tmp, f"callgrind.{workload}")
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                           sys.executable, __file__, "--child", workload, "--example", name, "--steps", str(steps)],
                          capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode or not found:
        raise SystemExit(f"{workload}: valgrind run failed:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--example", default="vdp_trained", help="bundled example (default vdp_trained)")
    ap.add_argument("--steps", type=int, default=1000, help="steps (default 1000)")
    ap.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.example, a.steps)
        return 0
    sys.path.insert(0, str(HERE.parent))
    from plrnn_symbolic.model.examples import EXAMPLES

    if a.example not in EXAMPLES:
        print(f"unknown example {a.example!r}; choose one of: {', '.join(EXAMPLES)}", file=sys.stderr)
        return 2
    if a.steps < 1:
        print(f"--steps must be at least 1, got {a.steps}", file=sys.stderr)
        return 2
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("count_instructions.py needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        n = dict(zip(WORKLOADS, pool.map(lambda w: count(w, a.example, a.steps, tmp), WORKLOADS), strict=True))
    print(f"{a.example}, {a.steps} steps: instructions (millions) and ratios")
    rows = [("hybrid (sample and hold)", "hybrid", "ivp_hybrid"),
            ("autonomous, enclosures cached", "autonomous", "ivp_autonomous"),
            ("autonomous, enclosures built in the call", "autonomous_cold", "ivp_autonomous")]
    print(f"{'':42s}{'ours':>10s}{'solve_ivp':>11s}{'ratio':>8s}")
    for label, ours, ref in rows:
        print(f"{label:42s}{n[ours] / 1e6:10.0f}{n[ref] / 1e6:11.0f}{n[ref] / n[ours]:7.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
