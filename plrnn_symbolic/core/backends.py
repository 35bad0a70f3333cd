"""Where a sweep runs: this process, local worker processes, or a Dask cluster.

Every backend has the same interface (``map``, ``stream``; :mod:`.parallel`), so the
sweeps of ``check``, ``derive`` and ``stream_check`` are written once and give the
same result on each.

>>> type(backend(dict, (), 1)).__name__, type(backend(dict, (), 2)).__name__
('Serial', 'Pool')
"""

from __future__ import annotations

from collections.abc import Callable

from .parallel import Pool, Serial

__all__ = ["backend"]


def backend(init: Callable, args: tuple, n: int | None, scheduler=None):
    """The backend of a sweep whose worker state is ``init(*args)``: a Dask cluster when
    ``scheduler`` (its address, or a ``distributed.Client``) is given, on ``n`` of its
    workers (None: all); else ``n`` local processes, or this process for ``n = 1``."""
    if scheduler is not None:
        from .cluster import DaskPool

        return DaskPool(init, args, scheduler, n)
    return Pool(init, args, n) if n > 1 else Serial(init, args)
