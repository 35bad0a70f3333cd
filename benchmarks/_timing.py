"""The one timer the benchmark scripts share."""

from __future__ import annotations

import time


def best(f, repeat: int = 3):
    """(best wall time over ``repeat`` calls of ``f``, the last result)."""
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out
