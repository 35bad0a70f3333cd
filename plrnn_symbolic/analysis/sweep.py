"""What an exhaustive sweep of the 2^M regions will cost, said before it starts, and the
refusal of one that cannot fit in the machine's memory (:func:`estimate_sweep`, :func:`guard_sweep`).

The figures are rough per-region costs measured on this project's machine (README, "Benchmarks"):
a float sweep keeps the eigenvalues and the five verdicts of every region, an exact or certified
one a region check object of a few kilobytes; the region names themselves take about 80 bytes
each.  They are estimates to decide whether to start, not promises.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..core.domains import FLOAT
from ..core.errors import InputError
from ..model.plrnn import PLRNN
from ..model.regions import visited_steps

__all__ = ["SweepEstimate", "available_memory", "estimate_sweep", "guard_sweep", "visited_record", "visited_text"]

_NAME_BYTES = 80                                  # a region's name in the list of names, and its index
_SECONDS_AT_10 = {FLOAT: 1.5e-5, "exact": 1.0e-3}  # per region at M = 10, one core; certified and auto below
_OTHER_SECONDS_AT_10 = 1.5e-3
_DERIVE_SECONDS_AT_10 = 7e-3                       # derive, per region at M = 10 (certified, one core)


@dataclass(frozen=True)
class SweepEstimate:
    """The cost of deciding ``regions`` regions of an ``M``-unit model in ``mode``."""

    M: int
    regions: int
    mode: str
    workers: int
    bytes: float
    seconds: float

    def text(self) -> str:
        return (f"sweep of {self.regions:,} regions (M = {self.M}, mode {self.mode}, {self.workers} "
                f"process{'es' if self.workers > 1 else ''}): about {_size(self.bytes)} of memory and "
                f"{_duration(self.seconds)}")


def _size(n: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _duration(s: float) -> str:
    for limit, unit, div in ((120, "s", 1), (7200, "min", 60), (172800, "h", 3600), (float("inf"), "days", 86400)):
        if s < limit:
            return f"{s / div:.2g} {unit}"
    raise AssertionError("unreachable")


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (MemAvailable of /proc/meminfo, else the free
    physical pages), or None where neither can be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def estimate_sweep(M: int, mode: str, regions: int | None = None, workers: int = 1,
                   derive: bool = False) -> SweepEstimate:
    """The memory and time of a sweep of ``regions`` (default all 2^M) regions by ``check`` (or, with
    ``derive``, by ``derive``, which also keeps a system per region).  A parallel exact or certified
    check keeps only each region's truth codes, method and reason in the main process.

    Examples
    --------
    >>> e = estimate_sweep(30, "auto")
    >>> e.regions, e.bytes > 1e12
    (1073741824, True)
    >>> estimate_sweep(10, "float").text()
    'sweep of 1,024 regions (M = 10, mode float, 1 process): about 368.6 kB of memory and 0.015 s'
    """
    n = 2**M if regions is None else regions
    workers = 1 if mode == FLOAT else workers          # a float sweep is one vectorised pass
    per_region = _NAME_BYTES + (16 * M + 120 if mode == FLOAT else 200 if workers > 1 else 6000 + 100 * M)
    seconds = n * _SECONDS_AT_10.get(mode, _OTHER_SECONDS_AT_10) * max(1.0, (M / 10) ** 2) / max(1, workers)
    if derive:
        per_region += 4000 + 24 * M * M
        seconds += n * _DERIVE_SECONDS_AT_10 * max(1.0, (M / 10) ** 3) / max(1, workers)
    return SweepEstimate(M, n, mode, max(1, workers), float(n * per_region), seconds)


def guard_sweep(model: PLRNN, mode: str, workers: int = 1, memory: int | None = None,
                derive: bool = False) -> SweepEstimate:
    """Refuse, before anything is allocated, an exhaustive sweep that would not fit in memory.

    Raises
    ------
    InputError
        One line: the estimate, the memory available, and how to go on.

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> m = PLRNN(A=[[0.5 if i == j else 0 for j in range(30)] for i in range(30)], W=[[0] * 30] * 30, h=[0] * 30)
    >>> guard_sweep(m, "auto", memory=16 * 10**9)
    Traceback (most recent call last):
    ...
    plrnn_symbolic.core.errors.InputError: sweep of 1,073,741,824 regions (M = 30, mode auto, 1 process): about 9.7 TB of memory and 1.7e+02 days, but 16.0 GB is available: check the regions a trajectory visits (--regions visited, or regions="visited"), or name the regions (bit strings)
    """
    # every region name of the model (2^M orthants of a PLRNN; the activation patterns of the other
    # forms, an upper bound on their non-empty cells)
    est = estimate_sweep(model.M, mode, model.n_candidates, workers=workers, derive=derive)
    memory = available_memory() if memory is None else memory
    if memory is not None and est.bytes > 0.8 * memory:
        raise InputError(f"{est.text()}, but {_size(memory)} is available: check the regions a trajectory visits "
                         "(--regions visited, or regions=\"visited\"), or name the regions (bit strings)")
    return est


def visited_record(model: PLRNN, regions, z0=None, steps: int | None = None, burn_in: int = 0,
                   inputs=None) -> dict | None:
    """What made a ``"visited"`` selection: the initial state actually used (the given one, else
    the model's own, else the origin), the steps and the burn-in; None for any other selection.

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> visited_record(PLRNN(A=[[0.5]], W=[[0]], h=[1]), "visited", steps=50)
    {'z0': [0.0], 'steps': 50, 'burn_in': 0}
    """
    if not (isinstance(regions, str) and regions == "visited"):
        return None
    num = model.numeric
    start = z0 if z0 is not None else num.z0 if num.z0 is not None else [0.0] * model.M
    return {"z0": [float(x) for x in start], "steps": int(visited_steps(steps, burn_in, inputs)),
            "burn_in": int(burn_in)}


def visited_text(record: dict) -> str:
    """The record of :func:`visited_record` as one line of a report."""
    z0 = ", ".join(f"{x:.6g}" for x in record["z0"])
    return (f"visited: the regions of the float trajectory from z0 = [{z0}], {record['steps']} steps after a "
            f"burn-in of {record['burn_in']}")
