"""Region sweeps on a Dask cluster (``dask.distributed``), the backend behind ``--scheduler``.

:class:`DaskPool` has the interface of :class:`plrnn_symbolic.core.parallel.Pool`:
``map(fn, items, bar)`` returns the chunks' results in item order, ``stream(fn,
tasks)`` yields them as they finish.  Each task carries the (small, pickled)
arguments of the worker state; a worker builds the state once per sweep and keeps
it for the sweep's later chunks.  Nothing else lives on a worker, so a worker that
is lost mid-sweep only costs its chunks, which the scheduler runs again elsewhere:
each chunk is a pure function of its regions, and the report is assembled by
chunk index, so it is the same for any cluster, any number of workers and any
order of completion.

Dask is optional (``pip install 'plrnn_symbolic[dask]'``); asking for a scheduler
without it is an :class:`~plrnn_symbolic.core.errors.InputError`.

>>> DaskPool(int, (), scheduler="  ")
Traceback (most recent call last):
...
plrnn_symbolic.core.errors.InputError: scheduler must be an address such as tcp://HOST:8786 or a Client, not '  '

References
----------
Dask Development Team, "Dask: Library for dynamic task scheduling" (2016), https://dask.org;
the futures interface of ``dask.distributed`` (``Client.submit``, ``as_completed``).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from threadpoolctl import threadpool_limits

from .errors import InputError
from .parallel import chunks

__all__ = ["CONNECT_TIMEOUT", "DaskPool", "distributed_module"]

CONNECT_TIMEOUT = 10   # seconds to reach a scheduler before the address is refused

_STATES: OrderedDict[str, Any] = OrderedDict()   # per worker process: the state of the last few sweeps
_KEEP = 4
_LOCK = threading.Lock()
_LIMITS: list = []


def distributed_module():
    """``dask.distributed``, or an InputError that says how to install it."""
    try:
        import distributed
    except ImportError:
        raise InputError("--scheduler (scheduler=) needs Dask: pip install 'plrnn_symbolic[dask]' "
                         "(or dask[distributed])") from None
    return distributed


def _state(token: str, init: Callable, args: tuple):
    with _LOCK:
        if not _LIMITS:   # one BLAS thread per worker process (see parallel._start)
            _LIMITS.append(threadpool_limits(1))
        if token not in _STATES:
            _STATES[token] = init(*args)
            while len(_STATES) > _KEEP:
                _STATES.popitem(last=False)
        return _STATES[token]


def _task(token: str, init: Callable, args: tuple, fn: Callable, chunk):
    return fn(_state(token, init, args), chunk)


class DaskPool:
    """A sweep's chunks as tasks on the Dask cluster at ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``, or a ``distributed.Client``).

    ``n`` places the tasks on the first ``n`` workers (by address; default all); a task
    moves to another worker only when those are lost.  ``init`` and ``fn`` must be
    importable module-level functions: the workers need the package installed.
    """

    def __init__(self, init: Callable, args: tuple, scheduler, n: int | None = None):
        self._distributed = distributed_module()
        if n is not None and n < 1:
            raise InputError("workers must be >= 1")
        self.init, self.args, self.scheduler = init, args, scheduler
        self.token = uuid.uuid4().hex
        with self._client() as client:
            # recent versions of distributed list only the first five workers unless asked for all
            addresses = sorted(client.scheduler_info(n_workers=-1)["workers"]
                               if _takes_n_workers(client) else client.scheduler_info()["workers"])
        if not addresses:
            raise InputError(f"the Dask scheduler at {self.address} has no workers (start some: dask worker ADDRESS)")
        self.targets = addresses[:n] if n is not None and n < len(addresses) else None
        self.n = len(self.targets or addresses)

    @property
    def address(self) -> str:
        s = self.scheduler
        return s if isinstance(s, str) else str(s.scheduler_info().get("address", s))

    def _client(self):
        d = self._distributed
        if isinstance(self.scheduler, d.Client):
            return _Borrowed(self.scheduler)
        if not isinstance(self.scheduler, str) or not self.scheduler.strip():
            raise InputError(f"scheduler must be an address such as tcp://HOST:8786 or a Client, "
                             f"not {self.scheduler!r}")
        try:
            # a malformed address is refused before a Client exists (a half-built Client hangs at exit)
            d.comm.get_address_host_port(self.scheduler.strip())
        except ValueError as exc:
            raise InputError(f"{self.scheduler!r} is not a Dask scheduler address such as tcp://HOST:8786 "
                             f"({exc})") from None
        try:
            return d.Client(self.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"no Dask scheduler at {self.scheduler} ({type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:200]})") from None

    def _submit(self, client, fn: Callable, chunk, key: str):
        # a key of its own per call: a second map of the same sweep must not meet the first one's results
        where = {"workers": self.targets, "allow_other_workers": True} if self.targets else {}
        return client.submit(_task, self.token, self.init, self.args, fn, chunk, key=key, pure=False, **where)

    def map(self, fn: Callable, items: Sequence, bar=None) -> list:
        parts = chunks(items, self.n)
        out: list = [None] * len(parts)
        with self._client() as client:
            call = uuid.uuid4().hex
            futures = {self._submit(client, fn, c, f"plrnn-{call}-{i}"): i for i, c in enumerate(parts)}
            for future, part in self._distributed.as_completed(futures, loop=client.loop, with_results=True):
                out[futures[future]] = part
                if bar is not None:
                    bar.update(len(part))
        if bar is not None:
            bar.close()
        return [x for part in out for x in part]

    def stream(self, fn: Callable, tasks: Iterable, window: int | None = None) -> Iterator[tuple[Any, Any]]:
        """As :meth:`plrnn_symbolic.core.parallel.Pool.stream`: at most ``window`` (default
        two per worker) tasks in flight."""
        window = window or 2 * self.n
        tasks = iter(tasks)
        with self._client() as client:
            running: dict = {}
            queue = self._distributed.as_completed(loop=client.loop)
            call = uuid.uuid4().hex
            for i, task in enumerate(tasks):
                f = self._submit(client, fn, task, f"plrnn-{call}-{i}")
                running[f] = task
                queue.add(f)
                if len(running) >= window:
                    break
            count = len(running)
            for f in queue:
                task = running.pop(f)
                result = f.result()
                for nxt in tasks:   # one in, one out
                    g = self._submit(client, fn, nxt, f"plrnn-{call}-{count}")
                    count += 1
                    running[g] = nxt
                    queue.add(g)
                    break
                yield task, result


class _Borrowed:
    """A client the caller owns: used in a ``with`` block without closing it."""

    def __init__(self, client):
        self.client = client

    def __enter__(self):
        return self.client

    def __exit__(self, *exc):
        return False


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters
