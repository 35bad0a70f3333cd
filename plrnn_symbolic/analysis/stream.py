"""Streaming sweeps: the exhaustive ``check`` of a large model in bounded memory, written as it
runs and resumable after an interruption (:func:`stream_check`, :func:`read_stream`).

The 2^M regions of a PLRNN are cut into chunks of consecutive indices
(:mod:`plrnn_symbolic.model.enumeration`); a worker builds the names of its chunk,
decides them exactly as :func:`~plrnn_symbolic.analysis.conditions.check` does, and
sends back only the chunk's counts (predicate x holds/fails/undecided, and the methods
that decided) and its flagged regions: those without a principal real logarithm or
with eigenvalue one, the regions the table of ``check`` lists.  Each chunk is appended
to a JSON-lines file as soon as it is done and flushed to disk; nothing else is kept,
so the memory does not grow with 2^M (the report keeps the first ``keep`` flagged
regions in region order; the file has all of them).

An interrupted sweep (an exception, Ctrl-C, a killed process or a lost machine)
leaves a file whose complete lines are finished chunks; ``resume=True`` reads them,
drops a half-written last line, and decides only the chunks not in the file.  A chunk
is a pure function of the model, the mode and its index range, and the report is
assembled from the counts by chunk index, so it is the same for any backend (this
process, local processes, a Dask cluster), any number of workers, any completion
order, and any number of interruptions.

The file: a first line ``{"record": "sweep", ...}`` (the model's fingerprint, the mode,
the precision, the number of regions and the chunk size: a resumed sweep must match
it), one line ``{"record": "chunk", "index": ..., "counts": ..., "flagged": [[bits,
codes, method, reason], ...]}`` per finished chunk in the order they finished (codes:
one letter h/f/u per predicate, in the order of ``PREDICATES``), and a last line
``{"record": "done", ...}``.

References
----------
The predicates and methods are those of :func:`plrnn_symbolic.analysis.conditions.check`
(THEORY section 3; Culver 1966 for the real logarithm).  JSON Lines: https://jsonlines.org.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..core import parallel
from ..core.backends import backend
from ..core.domains import AUTO, EXACT, FLOAT, check_mode, check_precision
from ..core.errors import InputError
from ..core.version import __version__
from ..model.enumeration import region_block
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, cells
from ..region.predicates import PREDICATES
from .conditions import _CODE, _TRUTH, _FloatRegions, _reason, _sweep_state

__all__ = ["FLOAT_PARALLEL_MIN_REGIONS", "FORMAT", "STREAM_CHUNK", "StreamReport", "read_stream", "stream_check"]

FORMAT = 1                                  # the version of the file's layout
STREAM_CHUNK = {FLOAT: 16384, EXACT: 256}   # regions per chunk by default (others: 256)
FLOAT_PARALLEL_MIN_REGIONS = 2**18          # a float stream uses every core from this many regions on
_LETTER = "hfu"                             # truth codes 0, 1, 2 (conditions._CODE) as letters


@dataclass(frozen=True)
class StreamReport:
    """What a streaming sweep found: the counts over every region decided, and the flagged regions.

    ``summary`` is ``{predicate: {"holds": n, "fails": n, "undecided": n}}`` as in
    :meth:`CheckReport.summary`; ``flagged`` holds the first ``keep`` flagged regions in
    region order as ``(bits, statuses, method, reason)`` (the file holds all
    ``flagged_count``); ``computed`` and ``resumed`` count the regions decided by this call
    and read back from the file.
    """

    path: str
    model: dict
    mode: str
    regions: int
    chunk: int
    decided: int
    summary: dict[str, dict[str, int]]
    methods: dict[str, int]
    flagged: list[tuple[str, dict[str, str], str, str]]
    flagged_count: int
    computed: int = 0
    resumed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.decided == self.regions

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (the same for any backend, worker count or interruption,
        except ``computed``, ``resumed`` and ``notes``, which say how it was made)."""
        return {"model": self.model, "mode": self.mode, "stream": self.path, "regions": self.regions,
                "decided": self.decided, "complete": self.complete, "chunk": self.chunk, "summary": self.summary,
                "methods": self.methods, "flagged_count": self.flagged_count,
                "flagged": [{"region": b, **s, "method": m, "reason": r} for b, s, m, r in self.flagged],
                "computed": self.computed, "resumed": self.resumed, "notes": list(self.notes)}

    def table(self, max_rows: int = 40) -> str:
        m = self.model
        state = "complete" if self.complete else f"incomplete: {self.decided:,} of {self.regions:,} regions decided"
        lines = [(f"model {m['name'] or '(unnamed)'}: M = {m['M']}, {self.regions:,} regions, mode {self.mode}, "
                 f"streamed to {self.path} ({state})"),
                 f"this run decided {self.computed:,} regions; {self.resumed:,} were read back from the file"]
        lines += [f"note: {n}" for n in self.notes]
        lines += ["", f"{'predicate':<17}{'holds':>12}{'fails':>12}{'undecided':>12}"]
        for p, c in self.summary.items():
            lines.append(f"{p:<17}{c['holds']:>12,}{c['fails']:>12,}{c['undecided']:>12,}")
        lines += ["", "decided by: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.methods.items()))]
        if self.flagged_count:
            lines += ["", (f"{self.flagged_count:,} regions without a principal real logarithm, or with eigenvalue "
                          f"one (all in {self.path}):")]
            lines += [f"  {b}  {r}" for b, _, _, r in self.flagged[:max_rows]]
            if self.flagged_count > min(max_rows, len(self.flagged)):
                lines.append(f"  ... and {self.flagged_count - min(max_rows, len(self.flagged)):,} more")
        else:
            lines += ["", "every region decided has a principal real logarithm and no eigenvalue one"]
        return "\n".join(lines)


def fingerprint(model) -> str:
    """A hash of the model's exact weights and step: a resumed sweep must be of the same model."""
    parts = [model.kind, model.M, model.dt]
    for name in ("A", "W1", "W2", "h1", "h2", "C"):
        x = getattr(model, name, None)
        parts.append(None if x is None else [[str(v) for v in row] for row in x.tolist()])
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def _flag_reason(codes: str) -> str:
    """The reason of a float region, from its truth codes (``check(model, [bits], "float")`` has the witness)."""
    c = dict(zip(PREDICATES, codes))
    word = {"h": "holds", "f": "fails", "u": "undecided"}
    parts = []
    if c["invertible"] != "h":
        parts.append(f"singular: {word[c['invertible']]}")
    elif c["real_log"] != "h":
        parts.append(f"no real log ({word[c['real_log']]}): unpaired negative eigenvalues")
    elif c["principal_log"] != "h":
        parts.append(f"real log not principal ({word[c['principal_log']]})")
    if c["eigenvalue_one"] != "f":
        parts.append(f"eigenvalue one ({word[c['eigenvalue_one']]})")
    return "; ".join(parts)


def _chunk(state, task) -> dict:
    """Decide one chunk (in a worker): its counts, methods and flagged regions."""
    index, start, stop, names = task
    if names is None:
        names = region_block(state.mats.M, start, stop)
    counts = np.zeros((len(PREDICATES), 3), dtype=np.int64)
    flagged = []
    if state.mode == FLOAT:
        fr = _FloatRegions(state.mats, names)
        codes = np.where(fr.holds, 0, 1)
        for k in range(len(PREDICATES)):
            counts[k] = np.bincount(codes[:, k], minlength=3)
        for i in fr.flagged_indices().tolist():
            text = "".join(_LETTER[x] for x in codes[i])
            flagged.append([names[i], text, "float", _flag_reason(text)])
        methods = {"float": len(names)}
    else:
        methods: Counter = Counter()
        for b in names:
            rc = state.region(b)
            row = [_CODE[rc.verdicts[p].truth] for p in PREDICATES]
            counts[np.arange(len(PREDICATES)), row] += 1
            methods[rc.method] += 1
            reason = _reason(rc)
            if reason:
                flagged.append([b, "".join(_LETTER[x] for x in row), rc.method, reason])
    return {"record": "chunk", "index": index, "start": start, "stop": stop, "counts": counts.tolist(),
            "methods": dict(methods), "flagged": flagged}


class _StreamFile:
    """The JSON-lines file of a sweep: its header, its finished chunks, appended one line at a time."""

    def __init__(self, path: Path, header: dict, resume: bool):
        self.path = path
        self.chunks: dict[int, dict] = {}
        self.done = False
        if path.exists() and path.stat().st_size and not resume:
            raise InputError(f"{path} already exists: resume=True (--resume) continues its sweep, or remove it")
        if path.exists() and path.stat().st_size:
            self._read(header)
            self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
        else:
            if not path.parent.is_dir():
                raise InputError(f"no such folder: {str(path.parent)!r} (create it first)")
            self.file = open(path, "w", encoding="utf-8")  # noqa: SIM115
            self.write(header)

    def _read(self, header: dict) -> None:
        with open(self.path, "rb") as f:
            data = f.read()
        good = data.rfind(b"\n") + 1           # a last line without its newline was cut off mid-write
        lines = data[:good].decode("utf-8").splitlines()
        try:
            first = json.loads(lines[0]) if lines else None
        except json.JSONDecodeError:
            first = None
        if not isinstance(first, dict) or first.get("record") != "sweep":
            raise InputError(f"{self.path} is not a streamed sweep of plrnn-symbolic (no header line)")
        for key in ("format", "fingerprint", "mode", "precision", "max_precision", "regions", "chunk"):
            if first.get(key) != header.get(key):
                raise InputError(f"{self.path} holds a different sweep ({key} {first.get(key)!r}, asked for "
                                 f"{header.get(key)!r}): resume it with the same model and options, or remove it")
        for line in lines[1:]:
            rec = json.loads(line)
            if rec.get("record") == "chunk":
                self.chunks[rec["index"]] = rec
            elif rec.get("record") == "done":
                self.done = True
        if good < len(data):
            with open(self.path, "r+b") as f:
                f.truncate(good)

    def write(self, record: dict) -> None:
        self.file.write(json.dumps(record, separators=(",", ":")) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())

    def close(self) -> None:
        self.file.close()


class _Tally:
    """Counts over the chunks seen, and the first ``keep`` flagged regions in region order."""

    def __init__(self, keep: int):
        self.keep = keep
        self.counts = np.zeros((len(PREDICATES), 3), dtype=np.int64)
        self.methods: Counter = Counter()
        self.flagged: list = []
        self.flagged_count = 0
        self.decided = 0

    def add(self, rec: dict) -> None:
        self.counts += np.array(rec["counts"], dtype=np.int64)
        self.methods.update(rec["methods"])
        self.flagged_count += len(rec["flagged"])
        self.decided += rec["stop"] - rec["start"]
        if self.keep and rec["flagged"]:
            # region order is the names' descending order (all_regions, and the cells of the other forms)
            merged = self.flagged + [tuple(f) for f in rec["flagged"]]
            merged.sort(key=lambda x: x[0], reverse=True)
            self.flagged = merged[:self.keep]

    def summary(self) -> dict[str, dict[str, int]]:
        return {p: {t.value: int(self.counts[k, c]) for c, t in enumerate(_TRUTH)} for k, p in enumerate(PREDICATES)}

    def flagged_list(self) -> list:
        word = {"h": "holds", "f": "fails", "u": "undecided"}
        return [(b, {p: word[x] for p, x in zip(PREDICATES, codes)}, method, reason)
                for b, codes, method, reason in self.flagged]


def _chunk_of(path: Path) -> int | None:
    """The chunk size in the header of an existing sweep file (a resumed sweep keeps it)."""
    try:
        with open(path, encoding="utf-8") as f:
            size = json.loads(f.readline()).get("chunk")
    except (OSError, ValueError, AttributeError):
        return None
    return size if isinstance(size, int) else None


def stream_check(model, path: str | os.PathLike, mode: str = AUTO, *, resume: bool = False,
                 chunk: int | None = None, precision: int = 53, max_precision: int = 1024,
                 workers: int | None = None, scheduler=None, keep: int = 1000, progress: bool = False,
                 max_regions: int | None = None, max_chunks: int | None = None) -> StreamReport:
    """Check every region of ``model`` in chunks, writing each finished chunk to ``path`` (JSON lines).

    Parameters
    ----------
    model : PLRNN or a model of the family
        A PLRNN's 2^M regions are enumerated a chunk at a time (never as one list); the
        other forms' non-empty cells are found first (:func:`~plrnn_symbolic.model.regions.cells`),
        which holds their names.
    path : str or path
        The JSON-lines file.  An existing file is refused unless ``resume``.
    mode : "auto", "exact", "certified" or "float"
        As in :func:`~plrnn_symbolic.analysis.conditions.check`; each region's verdicts are
        the ones ``check`` gives.
    resume : bool
        Continue the sweep in ``path``: its finished chunks are read back, not decided again.
        The model, mode and precision must be those of the file (the chunk size is taken from it).
    chunk : int, optional
        Regions per chunk (default ``STREAM_CHUNK``): the unit of work, of memory and of what
        an interruption loses.
    precision, max_precision : int
        Bits of the certified and auto modes, as in ``check``.
    workers, scheduler
        As in ``check``: local processes (by default every usable core from 2048 regions on,
        float from 2^18), or a Dask cluster.  The report is the same for any choice.
    keep : int
        How many flagged regions the report holds (the first in region order).
    max_regions : int, optional
        Refuse sweeps of more regions (default: no limit; the memory is bounded anyway).
    max_chunks : int, optional
        Stop after deciding this many chunks (a run within a time limit); the file is left
        as an interrupted sweep would leave it, and ``resume=True`` continues it.

    Returns
    -------
    StreamReport

    Examples
    --------
    >>> import tempfile, os
    >>> from plrnn_symbolic import check, example
    >>> m = example("chaotic")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     r = stream_check(m, os.path.join(d, "sweep.jsonl"), "exact", chunk=8)
    >>> r.complete, r.flagged_count, r.summary == check(m, mode="exact").summary()
    (True, 12, True)
    """
    check_mode(mode)
    if model.is_symbolic:
        raise InputError("a streamed sweep needs numeric weights (symbolic models: check(model, mode='exact'))")
    if precision < 2 or max_precision < precision:
        raise InputError("precision must be >= 2 bits and max_precision >= precision")
    check_precision(max_precision, "max_precision")
    if keep < 0 or (max_chunks is not None and max_chunks < 0):
        raise InputError("keep and max_chunks must be >= 0")
    names = None
    notes = [f"convention: {c}" for c in model.conventions()]
    if isinstance(model, PLRNN):
        n = 2**model.M
    else:
        names = cells(model, max_regions or MAX_REGIONS)[0]
        n = len(names)
        notes.append(f"{n:,} non-empty cells of {model.n_candidates:,} region names (their names are held to "
                     "enumerate them)")
    if max_regions is not None and n > max_regions:
        raise InputError(f"a sweep of {n:,} regions is above max_regions = {max_regions:,}")
    size = chunk if chunk is not None else (resume and _chunk_of(Path(path))) or STREAM_CHUNK.get(mode, 256)
    if size < 1:
        raise InputError("chunk must be >= 1")
    header = {"record": "sweep", "format": FORMAT, "fingerprint": fingerprint(model), "M": model.M,
              "kind": model.kind, "name": model.name, "dt": str(model.dt), "mode": mode, "precision": precision,
              "max_precision": max_precision, "regions": n, "chunk": size, "predicates": list(PREDICATES),
              "version": __version__}
    out = _StreamFile(Path(path), header, resume)
    tally = _Tally(keep)
    for rec in out.chunks.values():
        tally.add(rec)
    resumed = tally.decided
    n_chunks = -(-n // size)
    tasks = ((c, c * size, min(n, (c + 1) * size), None if names is None else names[c * size:(c + 1) * size])
             for c in range(n_chunks) if c not in out.chunks)
    bar = tqdm(total=n, initial=resumed, desc=f"check ({mode}, streamed)", unit="region", file=sys.stderr,
               leave=False, disable=None if progress and n >= 64 else True)
    try:
        if resumed < n:
            threshold = FLOAT_PARALLEL_MIN_REGIONS if mode == FLOAT else 2048
            k = workers if scheduler is not None else parallel.workers(workers, n - resumed, threshold)
            pool = backend(_sweep_state, (model, mode, precision, max_precision), k, scheduler)
            if scheduler is not None:
                notes.append(f"swept on a Dask cluster ({pool.n} worker{'s' if pool.n > 1 else ''})")
            elif pool.n > 1:
                notes.append(f"swept in parallel by {pool.n} processes")
            if max_chunks is not None:
                tasks = itertools.islice(tasks, max_chunks)
            for _, rec in pool.stream(_chunk, tasks):
                out.write(rec)
                tally.add(rec)
                bar.update(rec["stop"] - rec["start"])
        if not out.done and tally.decided == n:
            out.write({"record": "done", "regions": n, "summary": tally.summary(),
                       "flagged_count": tally.flagged_count})
    finally:
        out.close()
        bar.close()
    model_info = {"M": model.M, "kind": model.kind, "name": model.name, "dt": str(model.dt),
                  "fingerprint": header["fingerprint"]}
    return StreamReport(str(path), model_info, mode, n, size, tally.decided, tally.summary(), dict(tally.methods),
                        tally.flagged_list(), tally.flagged_count, tally.decided - resumed, resumed, notes)


def read_stream(path: str | os.PathLike, keep: int = 1000) -> StreamReport:
    """The report of a streamed sweep from its file, finished or not (nothing is decided).

    Examples
    --------
    >>> import tempfile, os
    >>> from plrnn_symbolic import example
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = os.path.join(d, "sweep.jsonl")
    ...     a = stream_check(example("chaotic"), f, "float", chunk=4)
    ...     b = read_stream(f)
    >>> b.summary == a.summary and b.flagged == a.flagged and b.complete
    True
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"no such file: {str(p)!r}")
    with open(p, encoding="utf-8") as f:
        try:
            header = json.loads(f.readline())
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("record") != "sweep":
            raise InputError(f"{p} is not a streamed sweep of plrnn-symbolic (no header line)")
        tally = _Tally(keep)
        seen = set()
        for line in f:
            if not line.endswith("\n"):
                break                       # cut off mid-write
            rec = json.loads(line)
            if rec.get("record") == "chunk" and rec["index"] not in seen:
                seen.add(rec["index"])
                tally.add(rec)
    model_info = {"M": header["M"], "kind": header["kind"], "name": header["name"], "dt": header.get("dt"),
                  "fingerprint": header["fingerprint"]}
    return StreamReport(str(path), model_info, header["mode"], header["regions"], header["chunk"], tally.decided,
                        tally.summary(), dict(tally.methods), tally.flagged_list(), tally.flagged_count, 0,
                        tally.decided)
