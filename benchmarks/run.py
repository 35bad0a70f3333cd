"""Every benchmark in one command: ``python benchmarks/run.py [--quick]``.

Runs bench_check.py (region sweeps), bench_derive.py (per-region logarithms),
bench_float_derive.py (float derive of all regions, cold simulate),
bench_simulate.py (simulation), bench_sliding.py (through Filippov sliding) and bench_families.py (family
certificates), each printing its table of times and ratios
against the baseline a user would otherwise use, measured in the same run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    quick = ["--quick"] if "--quick" in sys.argv[1:] else []
    status = 0
    for script in ("bench_check.py", "bench_derive.py", "bench_float_derive.py", "bench_simulate.py",
                   "bench_sliding.py", "bench_families.py"):
        print(f"\n######## {script} {' '.join(quick)}", flush=True)
        args = quick if script == "bench_check.py" else []
        status |= subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
