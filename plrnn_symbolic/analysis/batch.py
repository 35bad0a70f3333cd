"""Many models at once: the predicates of every model of a batch (the trained models of a
hyperparameter search), one task per model, in this process, in local worker processes or on a
Dask cluster (:func:`check_models`).

A model's regions are checked in the worker that drew it, with the same :func:`.conditions.check`
as for one model; the batch keeps, per model, the verdict counts and the regions that lack a
principal real logarithm (or have the eigenvalue one), not every region's verdicts, so a batch of
hundreds of models stays small.  The entries come back in the order the models were given, for
any backend and any number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.backends import backend
from ..core.domains import AUTO
from ..core.errors import InputError
from ..model.regions import MAX_REGIONS
from .conditions import _reason, check

__all__ = ["BatchEntry", "BatchReport", "check_models"]

KEPT = 1000     # flagged regions kept per model


@dataclass(frozen=True)
class BatchEntry:
    """One model of a batch: its name, size, the verdict counts of its regions (``summary``, as
    :meth:`.conditions.CheckReport.summary`), the first ``KEPT`` regions without a principal real
    logarithm or with the eigenvalue one (``flagged``, ``n_flagged`` of them in all), the notes
    of its check, and ``error``: why the model was refused (then there are no counts)."""

    name: str
    M: int
    kind: str
    regions: int
    summary: dict[str, dict[str, int]]
    flagged: tuple[str, ...]
    n_flagged: int
    notes: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "M": self.M, "kind": self.kind, "regions": self.regions,
                "summary": self.summary, "flagged": list(self.flagged), "n_flagged": self.n_flagged,
                "notes": list(self.notes), "error": self.error}


@dataclass(frozen=True)
class BatchReport(Sequence):
    """The entries of :func:`check_models`, in the order of the models."""

    entries: tuple[BatchEntry, ...]
    mode: str
    regions: str
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, i):
        return self.entries[i]

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def refused(self) -> list[BatchEntry]:
        return [e for e in self.entries if e.error is not None]

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "regions": self.regions, "notes": list(self.notes),
                "models": [e.to_dict() for e in self.entries]}

    def table(self) -> str:
        """One line per model: regions checked, how many have a principal real logarithm, how many
        have none, how many are undecided."""
        lines = [f"{len(self)} models, regions {self.regions}, mode {self.mode}"]
        lines += [f"note: {n}" for n in self.notes]
        width = max([len(e.name) for e in self.entries] + [5])
        lines.append("")
        lines.append(f"{'model':<{width}}  {'M':>3}  {'regions':>8}  {'principal log':>13}  {'no real log':>11}  "
                     f"{'undecided':>9}")
        for e in self.entries:
            if e.error is not None:
                lines.append(f"{e.name:<{width}}  {e.M:>3}  refused: {e.error}")
                continue
            p, r = e.summary["principal_log"], e.summary["real_log"]
            und = max(c["undecided"] for c in e.summary.values())
            lines.append(f"{e.name:<{width}}  {e.M:>3}  {e.regions:>8,}  {p['holds']:>13,}  {r['fails']:>11,}  "
                         f"{und:>9,}")
        return "\n".join(lines)


def _flagged(report) -> list[str]:
    """Regions the sweep's table lists: invertible, principal_log or real_log not proved, or the
    eigenvalue one not excluded (:func:`.conditions._reason`)."""
    return [name for name, rc in report.items() if _reason(rc)]


def _options(regions, mode, steps, burn_in, precision, max_precision, max_regions) -> dict:
    return {"regions": regions, "mode": mode, "steps": steps, "burn_in": burn_in, "precision": precision,
            "max_precision": max_precision, "max_regions": max_regions}


def _check_one(options: dict, task) -> BatchEntry:
    """The entry of one model (a worker's task)."""
    _, name, model, inputs = task
    kind = getattr(model, "kind", "plrnn")
    try:
        rep = check(model, options["regions"], options["mode"], steps=options["steps"], burn_in=options["burn_in"],
                    inputs=inputs, precision=options["precision"], max_precision=options["max_precision"],
                    max_regions=options["max_regions"], workers=1)
    except InputError as exc:
        return BatchEntry(name, model.M, kind, 0, {}, (), 0, (), str(exc))
    flagged = _flagged(rep)
    return BatchEntry(name, model.M, kind, len(rep), rep.summary(), tuple(flagged[:KEPT]), len(flagged),
                      tuple(rep.notes))


def check_models(models: Iterable, regions: str = "visited", mode: str = AUTO, *, steps: int | None = None,
                 burn_in: int = 0, precision: int = 53, max_precision: int = 1024, max_regions: int = MAX_REGIONS,
                 workers: int | None = None, scheduler=None, progress: bool = False) -> BatchReport:
    """Check every model of a batch, one task per model.

    Parameters
    ----------
    models : iterable
        ``(name, model)`` or ``(name, model, inputs)`` tuples, or models (named by their
        ``name`` or position).
    regions : "visited" or "all"
        Which regions of each model to check (as :func:`.conditions.check`); a model whose
        exhaustive sweep is above ``max_regions`` is refused in its entry, the others go on.
    mode, steps, burn_in, precision, max_precision, max_regions :
        As :func:`.conditions.check`, for every model.
    workers : int, optional
        Local processes (default: every usable core from 4 models on), or with ``scheduler``
        how many of the cluster's workers.
    scheduler : str or distributed.Client, optional
        Run the models on a Dask cluster (:mod:`..core.cluster`).
    progress : bool
        A progress bar over the models (stderr).

    Returns
    -------
    BatchReport
        The entries in the order of ``models``; the same for any backend and number of workers.

    Examples
    --------
    >>> from plrnn_symbolic import example
    >>> rep = check_models([example("limit_cycle"), example("chaotic")], regions="all", workers=1)
    >>> [(e.name, e.regions, e.summary["principal_log"]["holds"]) for e in rep]
    [('limit_cycle', 64, 64), ('chaotic', 32, 21)]

    References
    ----------
    The predicates: THEORY section 3; proofs/01-03.
    """
    if regions not in ("visited", "all"):
        raise InputError(f"a batch checks 'visited' or 'all' regions of each model, not {regions!r}")
    items = []
    for i, m in enumerate(models):
        name, model, inputs = (m + (None,))[:3] if isinstance(m, tuple) else (getattr(m, "name", "") or "", m, None)
        items.append((name or f"model {i + 1}", model, inputs))
    if not items:
        raise InputError("no models to check")
    from ..core import parallel

    n = parallel.workers(workers, len(items), 4) if scheduler is None else workers   # None: all of a cluster's
    opts = _options(regions, mode, steps, burn_in, precision, max_precision, max_regions)
    pool = backend(dict, (opts,), n, scheduler)          # refuses a scheduler without Dask before any output
    bar = None
    if progress:
        import sys

        from tqdm import tqdm

        bar = tqdm(total=len(items), desc="models", unit="model", file=sys.stderr, leave=False)
    entries: list = [None] * len(items)
    tasks = [(i, *item) for i, item in enumerate(items)]     # one task per model, put back in order
    for task, entry in pool.stream(_check_one, tasks):
        entries[task[0]] = entry
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return BatchReport(tuple(entries), mode, regions)
