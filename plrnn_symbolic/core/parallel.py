"""Region sweeps in worker processes, for ``check`` and ``derive``.

A sweep is a list of items (region names, or names with what is known of
them) cut into chunks; every worker builds its state once (``init(*args)``:
the model's region matrices, the mode) and maps a chunk function over the
chunks it is sent.  Results come back in the order of the items, whatever the
order in which chunks finish, so a parallel sweep returns what the serial one
does.  What a chunk returns should be small: FLINT balls and polynomials cost
about as much to send between processes as to compute (``check`` sends truth
codes, ``derive`` the region systems' float arrays).

Every backend has the same two methods: ``map(fn, items, bar)`` (the results in
item order) and ``stream(fn, tasks)`` (each task's result as it finishes, with a
bounded number of tasks in flight, for sweeps whose results are written as they
come).  :func:`plrnn_symbolic.core.backends.backend` picks one: this process
(:class:`Serial`), a local process pool (:class:`Pool`), or a Dask cluster
(:class:`plrnn_symbolic.core.cluster.DaskPool`).

>>> workers(None, 10, threshold=100), workers(3, 10, threshold=100)
(1, 3)
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import partial
from typing import Any

from threadpoolctl import threadpool_limits

from .errors import InputError

__all__ = ["Pool", "Serial", "chunks", "usable_cores", "workers"]


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def workers(asked: int | None, n_items: int, threshold: int) -> int:
    """The number of processes for a sweep of ``n_items``: ``asked``, or by default
    every usable core from ``threshold`` items on (smaller sweeps do not repay
    starting the processes) and one below."""
    if asked is None:
        return usable_cores() if n_items >= threshold else 1
    if asked < 1:
        raise InputError("workers must be >= 1")
    return asked


_STATE: dict[str, Any] = {}


def _start(init: Callable, args: tuple) -> None:
    # one BLAS thread per worker: the matrices are small, and a second thread per process
    # on a busy core stalls (measured: float derive of 512 regions, 2 workers, 7.3 s against 1.8 s)
    _STATE["limits"] = threadpool_limits(1)
    _STATE["state"] = init(*args)


def _run(fn: Callable, chunk: list) -> list:
    return fn(_STATE["state"], chunk)


def chunks(items: Sequence, n: int) -> list[list]:
    """``items`` cut into consecutive chunks, about eight per worker (and at least 16 items each).

    >>> [len(c) for c in chunks(range(100), 2)]
    [16, 16, 16, 16, 16, 16, 4]
    """
    size = max(16, len(items) // (n * 8))
    return [list(items[k:k + size]) for k in range(0, len(items), size)]


class Pool:
    """``n`` worker processes whose state is ``init(*args)``; ``map(fn, items)``
    returns ``fn(state, chunk)`` concatenated over the chunks, in item order.
    ``init`` and ``fn`` must be module-level functions (they are pickled by name)."""

    def __init__(self, init: Callable, args: tuple, n: int):
        self.init, self.args, self.n = init, args, n

    def _executor(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        return ProcessPoolExecutor(self.n, mp_context=ctx, initializer=_start, initargs=(self.init, self.args))

    def map(self, fn: Callable, items: Sequence, bar=None) -> list:
        with self._executor() as pool:
            return _gather(pool.map(partial(_run, fn), chunks(items, self.n)), bar)

    def stream(self, fn: Callable, tasks: Iterable, window: int | None = None) -> Iterator[tuple[Any, Any]]:
        """``(task, fn(state, task))`` for every task, in the order they finish; at most
        ``window`` (default two per process) tasks are sent ahead, so memory does not grow
        with the number of tasks."""
        window = window or 2 * self.n
        tasks = iter(tasks)
        with self._executor() as pool:
            running: dict = {}
            while True:
                for task in tasks:
                    running[pool.submit(_run, fn, task)] = task
                    if len(running) >= window:
                        break
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    yield running.pop(f), f.result()


def _gather(parts: Iterable[list], bar=None) -> list:
    """The chunks' results joined in order, the progress bar moved on by each (and closed)."""
    out: list = []
    for part in parts:
        out.extend(part)
        if bar is not None:
            bar.update(len(part))
    if bar is not None:
        bar.close()
    return out


class Serial:
    """The backend of one process: ``init(*args)`` built here, the chunks run in turn
    (with one BLAS thread, as in the workers)."""

    n = 1

    def __init__(self, init: Callable, args: tuple):
        self.init, self.args = init, args
        self._state = None

    def _run(self, fn: Callable, chunk):
        if self._state is None:
            self._state = self.init(*self.args)
        with threadpool_limits(1):
            return fn(self._state, chunk)

    def map(self, fn: Callable, items: Sequence, bar=None) -> list:
        return _gather((self._run(fn, chunk) for chunk in chunks(items, 1)), bar)

    def stream(self, fn: Callable, tasks: Iterable, window: int | None = None) -> Iterator[tuple[Any, Any]]:
        for task in tasks:
            yield task, self._run(fn, task)
