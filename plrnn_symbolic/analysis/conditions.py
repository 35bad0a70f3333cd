"""``check``: decide the theorem conditions of every region asked for.

The sweep is one loop over regions; the number domain is the ``mode``:

* ``exact``: :func:`~plrnn_symbolic.region.spectrum.exact_spectrum` over Q (never undecided);
  symbolic weights (M <= 2) give conditions on the parameters instead;
* ``certified``: :func:`~plrnn_symbolic.region.spectrum.ball_spectrum`, starting at
  ``precision`` bits and doubling while anything is undecided, up to
  ``max_precision``;
* ``float``: :func:`~plrnn_symbolic.region.spectrum.float_spectrum` with eigenvalues
  computed for all regions at once in numpy.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm import tqdm

from ..core import parallel
from ..core.backends import backend
from ..core.domains import AUTO, EXACT, FLOAT, check_mode, check_precision
from ..core.errors import InputError
from ..core.frames import ByRegion, frame
from ..core.parallel import Pool
from ..core.truth import FAILS, HOLDS, UNDECIDED, Verdict
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, RegionMatrices, cells_note, region_matrix, select_regions
from ..region.boxspectrum import FamilyEnclosure, decide_discs
from ..region.predicates import PREDICATES, all_decided, decide
from ..region.spectrum import Spectrum, ball_spectrum, exact_spectrum, float_overflow, float_spectrum
from ..region.symbolic import decide_symbolic
from .sweep import guard_sweep, visited_record, visited_text

__all__ = [
    "PARALLEL_MIN_REGIONS",
    "CheckReport",
    "RegionCheck",
    "check",
]


@dataclass(frozen=True)
class RegionCheck:
    """The verdicts of one region, with the spectrum they were decided from."""

    region: str
    verdicts: dict[str, Verdict]
    spectrum: Spectrum | None
    method: str

    def __getitem__(self, name: str) -> Verdict:
        return self.verdicts[name]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: v.status for name, v in self.verdicts.items()}
        witness: dict[str, Any] = {name: v.witness for name, v in self.verdicts.items()}
        if self.spectrum is not None:
            witness["eigenvalues"] = self.spectrum.to_list()
        conds = {n: str(v.condition) for n, v in self.verdicts.items() if v.condition is not None}
        if conds:
            witness["conditions"] = conds
        out["witness"] = witness
        out["method"] = self.method
        return out


@dataclass(frozen=True)
class CheckReport(ByRegion):  # the mapping region -> RegionCheck it holds
    """Verdicts for every region checked (``report[bits][predicate]``)."""

    model: PLRNN
    mode: str
    regions: Mapping[str, RegionCheck]
    notes: list[str] = field(default_factory=list)
    visited: dict | None = None     # z0, steps, burn_in of a "visited" selection (sweep.visited_record)

    def to_frame(self):
        """A ``pandas.DataFrame``, one row per region (index ``region``): the five verdicts
        ("holds", "fails" or "undecided") and the method (needs the ``frames`` extra).

        Examples
        --------
        >>> from plrnn_symbolic import check, example
        >>> df = check(example("chaotic")).to_frame()
        >>> df.shape, int((df["real_log"] == "fails").sum())
        ((32, 6), 11)
        """
        methods = self._methods()
        return frame([{"region": bits, **verdicts, "method": methods[bits]}
                      for bits, verdicts in self.statuses().items()], index="region")

    def _methods(self) -> dict[str, str]:
        if isinstance(self.regions, _FloatRegions):
            return dict.fromkeys(self.regions, "float")
        if isinstance(self.regions, _SweptRegions):
            return dict(zip(self.regions, self.regions.methods))
        return {bits: rc.method for bits, rc in self.regions.items()}

    def summary(self) -> dict[str, dict[str, int]]:
        out = {p: {"holds": 0, "fails": 0, "undecided": 0} for p in PREDICATES}
        if isinstance(self.regions, _FloatRegions):  # counted from the vectorised verdicts
            holds = self.regions.holds.sum(axis=0)
            for k, p in enumerate(PREDICATES):
                out[p]["holds"], out[p]["fails"] = int(holds[k]), len(self.regions) - int(holds[k])
            return out
        if isinstance(self.regions, _SweptRegions):  # counted from the workers' truth codes
            counts = self.regions.counts()
            for k, p in enumerate(PREDICATES):
                for code, t in enumerate(_TRUTH):
                    out[p][t.value] = int(counts[k, code])
            return out
        for rc in self.regions.values():
            for p in PREDICATES:
                out[p][rc.verdicts[p].status] += 1
        return out

    def statuses(self) -> dict[str, dict[str, str]]:
        """``{bits: {predicate: "holds" | "fails" | "undecided"}}``, without building
        the witnesses of regions decided in bulk (float or parallel sweeps)."""
        if isinstance(self.regions, _FloatRegions):
            return {bits: {p: "holds" if h else "fails" for p, h in zip(PREDICATES, row)}
                    for bits, row in zip(self.regions, self.regions.holds.tolist())}
        if isinstance(self.regions, _SweptRegions):
            return {bits: {p: _TRUTH[c].value for p, c in zip(PREDICATES, row)}
                    for bits, row in zip(self.regions, self.regions.codes.tolist())}
        return {bits: {p: v.status for p, v in rc.verdicts.items()} for bits, rc in self.regions.items()}

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        return {
            "model": {"M": m.M, "K": m.K, "dt": str(m.dt), "name": m.name, "conventions": m.conventions()},
            "mode": self.mode,
            "visited": self.visited,
            "notes": list(self.notes),
            "summary": self.summary(),
            "regions": (self.regions.dicts() if isinstance(self.regions, _SweptRegions)
                        else {bits: rc.to_dict() for bits, rc in self.regions.items()}),
        }

    def table(self, max_rows: int = 40) -> str:
        """A readable summary, then the regions where something fails or is undecided."""
        m = self.model
        lines = [f"model {m.name or '(unnamed)'}: M = {m.M}, dt = {m.dt}, {len(self.regions)} regions, mode {self.mode}"]
        if self.visited is not None:
            lines.append(visited_text(self.visited))
        lines += [f"note: {n}" for n in self.notes]
        lines.append("")
        lines.append(f"{'predicate':<17}{'holds':>8}{'fails':>8}{'undecided':>11}")
        for p, c in self.summary().items():
            lines.append(f"{p:<17}{c['holds']:>8}{c['fails']:>8}{c['undecided']:>11}")
        if isinstance(self.regions, _SweptRegions):  # the workers sent the reasons
            bad = [(bits, r) for bits, r in zip(self.regions, self.regions.reasons) if r]
        elif isinstance(self.regions, _FloatRegions):  # only the flagged regions shown are built
            bad = [(bits, None) for bits in self.regions.flagged()]   # each has a reason (see flagged)
        else:
            bad = [(bits, r) for bits, rc in self.regions.items() if (r := _reason(rc))]
        if bad:
            lines.append("")
            lines.append("regions without a principal real logarithm, or with eigenvalue one:")
            for bits, r in bad[:max_rows]:
                lines.append(f"  {bits}  {r if r is not None else _reason(self.regions[bits])}")
            if len(bad) > max_rows:
                lines.append(f"  ... and {len(bad) - max_rows} more (use --json for all)")
        else:
            lines.append("")
            unique = self.summary()["unique_real_log"]["holds"]
            lines.append("every region checked has a principal real logarithm and no eigenvalue one: each has the "
                         "principal real ODE, the one with spectrum in the strip |Im mu| < pi/dt (plrnn-symbolic "
                         f"derive builds it); it is the only real ODE in the {unique} regions where "
                         "unique_real_log holds (elsewhere complex eigenvalues, or equal Jordan blocks, admit other real logarithms too)")
        return "\n".join(lines)


def _reason(rc: RegionCheck) -> str:
    v = rc.verdicts
    parts = []
    if v["invertible"].status != "holds":
        parts.append(f"singular: {v['invertible'].status}")
    elif v["real_log"].status != "holds":
        negs = v["real_log"].witness.get("negative_eigenvalues", [])
        txt = ", ".join(f"{e['value']} blocks {e['jordan_blocks']}" for e in negs[:3])
        parts.append(f"no real log ({v['real_log'].status}): unpaired negative eigenvalues {txt}")
    elif v["principal_log"].status != "holds":
        parts.append(f"real log not principal ({v['principal_log'].status})")
    if v["eigenvalue_one"].status != "fails":
        e1 = v["eigenvalue_one"].witness.get("eigenvalue_one", [])
        blocks = e1[0]["jordan_blocks"] if e1 else None
        parts.append(f"eigenvalue one ({v['eigenvalue_one'].status}; blocks {blocks})")
    if any(x.condition is not None and x.truth.value == "undecided" for x in v.values()):
        parts.append("depends on the parameters")
    return "; ".join(parts)


def _certified(mats: RegionMatrices, bits: str, precision: int, max_precision: int):
    prec = precision
    while True:
        S, points = mats.ball(bits, prec)
        spec = ball_spectrum(S, points, prec)
        verdicts = decide(spec)
        if all_decided(verdicts) or prec >= max_precision:
            return spec, verdicts
        prec = min(2 * prec, max_precision)


def check(model: PLRNN, regions: str | Iterable[str] = "all", mode: str = AUTO, *, z0=None,
          steps: int | None = None, burn_in: int = 0, inputs=None, precision: int = 53,
          max_precision: int = 1024, max_regions: int = MAX_REGIONS, progress: bool = False,
          workers: int | None = None, scheduler=None) -> CheckReport:
    """Decide the predicates of THEORY section 3 in each region.

    Parameters
    ----------
    model : PLRNN
    regions : "all", "visited" or list of bit strings
        ``"visited"`` takes the regions of the float trajectory from ``z0``
        (``steps`` steps after ``burn_in``).
    mode : "auto" (default), "exact", "certified" or "float"
        auto decides each region with balls and hands what they leave undecided to
        exact arithmetic (rational weights: floats always are); each region's
        ``method`` names what decided it.
    precision, max_precision : int
        Starting and largest precision in bits (certified mode; auto stops at
        four times the start before it goes exact).
    max_regions : int
        An exhaustive sweep above this many regions is refused (it is 2^M work).
    progress : bool
        Show a progress bar on stderr.
    workers : int, optional
        Processes for exact and certified sweeps.  By default every usable core
        for sweeps of at least ``PARALLEL_MIN_REGIONS`` regions, else one.  The
        report is the same for any number.  With a ``scheduler``: how many of
        the cluster's workers to use (default all).
    scheduler : str or distributed.Client, optional
        Run the exact or certified sweep on a Dask cluster (its scheduler's address,
        e.g. ``"tcp://10.0.0.5:8786"``, or a client; needs the ``dask`` extra):
        the same report as the local processes (:mod:`plrnn_symbolic.core.cluster`).
        A float sweep stays one vectorised pass in this process.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> m = PLRNN(A=[[-1, 0], [0, -1]], W=[[0, 0], [0, 0]], h=[0, 0])
    >>> r = check(m, regions=["00"])
    >>> r["00"]["real_log"].status, r["00"]["principal_log"].status
    ('holds', 'fails')
    """
    check_mode(mode)
    if isinstance(regions, str) and regions == "families":
        raise InputError("families of regions are decided by check_families(model, ...), which returns a FamilyReport")
    if mode == AUTO and model.is_symbolic:
        mode = EXACT
    if precision < 2 or max_precision < precision:
        raise InputError("precision must be >= 2 bits and max_precision >= precision")
    check_precision(max_precision, "max_precision")
    if isinstance(regions, str) and regions == "all" and model.n_candidates <= max_regions:
        # refused before the 2^M names are built when they would not fit in memory
        guard_sweep(model, mode, parallel.workers(workers, model.n_candidates, PARALLEL_MIN_REGIONS))
    names = select_regions(model, regions, z0=z0, steps=steps, burn_in=burn_in, inputs=inputs,
                           max_regions=max_regions)
    notes = [f"convention: {c}" for c in model.conventions()]
    visited = visited_record(model, regions, z0, steps, burn_in, inputs)
    if isinstance(regions, str) and regions == "all" and cells_note(model, max_regions):
        notes.append(cells_note(model, max_regions))
    bar = tqdm(names, desc=f"check ({mode})", unit="region", disable=None if progress and len(names) >= 64 else True,
               file=sys.stderr, leave=False)
    out: dict[str, RegionCheck] = {}
    if model.is_symbolic:
        if mode != EXACT:
            raise InputError(f"the model has free parameters {sorted(map(str, model.symbols))}: "
                             "use mode='exact' (conditions on the parameters) or substitute values")
        notes.append("symbolic weights: each verdict carries its condition on the parameters")
        for bits in bar:
            out[bits] = RegionCheck(bits, decide_symbolic(region_matrix(model, bits)), None, "symbolic")
        return CheckReport(model, mode, out, notes, visited)
    mats = RegionMatrices(model)
    if mode == FLOAT:
        return CheckReport(model, mode, _FloatRegions(mats, names), notes, visited)
    if scheduler is not None:
        pool = backend(_sweep_state, (model, mode, precision, max_precision), workers, scheduler)
        return CheckReport(model, mode, _SweptRegions(pool, names, bar),
                           [*notes, f"swept on a Dask cluster ({pool.n} worker{'s' if pool.n > 1 else ''})"], visited)
    workers = parallel.workers(workers, len(names), PARALLEL_MIN_REGIONS)
    if workers > 1:
        try:
            swept = _SweptRegions(parallel.Pool(_sweep_state, (model, mode, precision, max_precision), workers),
                                  names, bar)
        except (OSError, NotImplementedError) as exc:  # no process pools on this system (e.g. no /dev/shm)
            notes.append(f"no parallel sweep ({type(exc).__name__}: {exc}); swept by one process")
        else:
            return CheckReport(model, mode, swept, [*notes, f"swept in parallel by {workers} processes"], visited)
    for bits in bar:
        out[bits] = _region_check(mats, bits, mode, precision, max_precision)
    return CheckReport(model, mode, out, notes, visited)


def _spectrum(mats: RegionMatrices, bits: str, mode: str, precision: int, max_precision: int) -> Spectrum:
    if mode == EXACT:
        return exact_spectrum(*mats.exact_lazy(bits))
    if mode == AUTO:
        spec, verdicts = _certified(mats, bits, precision, min(max_precision, 4 * precision))
        if all_decided(verdicts) or not mats.model.is_rational:
            return spec
        return exact_spectrum(*mats.exact_lazy(bits))
    return _certified(mats, bits, precision, max_precision)[0]


PARALLEL_MIN_REGIONS = 2048   # default: every usable core from this many regions (benchmarks/bench_check.py, item 4)
_CODE = {HOLDS: 0, FAILS: 1, UNDECIDED: 2}
_TRUTH = (HOLDS, FAILS, UNDECIDED)


@dataclass(frozen=True)
class _SweepState:
    """What a worker (or the main process, to rebuild a region) needs for one region's check."""

    mats: RegionMatrices
    mode: str
    precision: int
    max_precision: int

    def region(self, bits: str) -> RegionCheck:
        return _region_check(self.mats, bits, self.mode, self.precision, self.max_precision)


def _sweep_state(model: PLRNN, mode: str, precision: int, max_precision: int) -> _SweepState:
    return _SweepState(RegionMatrices(model), mode, precision, max_precision)


def _region_check(mats: RegionMatrices, bits: str, mode: str, precision: int, max_precision: int) -> RegionCheck:
    spec = _spectrum(mats, bits, mode, precision, max_precision)
    verdicts = decide(spec)
    if mode != EXACT and mode != FLOAT and not all_decided(verdicts):
        verdicts = _by_discs(mats.model, bits, verdicts)
    return RegionCheck(bits, verdicts, spec, spec.method)


DISC_METHOD = ("certified (53 bits): Gershgorin discs of V^-1 W_Omega V and the resolvent at 0 and 1 "
               "(proofs/07_region_structure.tex, Theorem 7.13, Proposition 7.15)")


_ENCLOSURE: list = [None, None]


def _by_discs(model, bits: str, verdicts: dict[str, Verdict]) -> dict[str, Verdict]:
    """The predicates that the region's spectrum left undecided (eigenvalues the balls cannot isolate: a
    repeated eigenvalue of an irrational matrix, say), decided where they can be by Gershgorin discs
    around the region matrix's eigenvalues and the resolvent test of Theorem 7.13(b): the route of
    ``check --regions families`` for a family of one region.  The others are kept."""
    if _ENCLOSURE[0] is not model:        # one model's weights enclosed once (a sweep asks region by region)
        _ENCLOSURE[:] = [model, FamilyEnclosure(model)]
    enc = _ENCLOSURE[1]
    family = tuple(model.pattern(bits))
    discs = enc.discs(family) or enc.discs(family, eigenbasis=False) or []
    found = dict(decide_discs(discs)) if discs else {}
    if "invertible" not in found and enc.misses(family, 0):
        found["invertible"] = HOLDS
    if "eigenvalue_one" not in found and enc.misses(family, 1):
        found["eigenvalue_one"] = FAILS
    witness = {"discs": [d.to_list() for d in discs], "statement": "proofs/07_region_structure.tex, Proposition 7.15"}
    return {p: (Verdict(p, found[p], witness, DISC_METHOD) if v.truth is UNDECIDED and p in found else v)
            for p, v in verdicts.items()}


def _facts(state: _SweepState, chunk: list[str]) -> list[tuple[bytes, str, str]]:
    """Per region only what a summary and a table need: the truth codes, the
    method and the reason; spectra (FLINT objects) stay in the worker."""
    out = []
    for bits in chunk:
        rc = state.region(bits)
        out.append((bytes(_CODE[rc.verdicts[p].truth] for p in PREDICATES), rc.method, _reason(rc)))
    return out


def _dicts(state: _SweepState, chunk: list[str]) -> list[dict]:
    return [state.region(bits).to_dict() for bits in chunk]


class _SweptRegions(Mapping):
    """A sweep decided in worker processes.

    The workers send back each region's truth codes, method and reason (a few
    bytes) instead of its spectrum: FLINT balls and polynomials cost as much to
    ship between processes as to compute.  A region's full :class:`RegionCheck`
    is rebuilt here when asked for, by the same deterministic computation, and
    checked against the codes the worker sent; ``dicts`` builds the JSON form of
    every region in the workers.
    """

    def __init__(self, pool: Pool, names: list[str], bar):
        self._pool, self._names = pool, names
        self._index = {b: i for i, b in enumerate(names)}
        facts = pool.map(_facts, names, bar)
        self.codes = np.frombuffer(b"".join(f[0] for f in facts), dtype=np.uint8).reshape(len(names), len(PREDICATES))
        self.methods = [f[1] for f in facts]
        self.reasons = [f[2] for f in facts]
        self._built: dict[str, RegionCheck] = {}
        self._state = _sweep_state(*pool.args)

    def __getitem__(self, bits: str) -> RegionCheck:
        rc = self._built.get(bits)
        if rc is None:
            i = self._index[bits]
            rc = self._state.region(bits)
            if bytes(_CODE[rc.verdicts[p].truth] for p in PREDICATES) != self.codes[i].tobytes():
                raise RuntimeError(f"region {bits}: the verdicts rebuilt differ from the worker's")  # never expected
            self._built[bits] = rc
        return rc

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def counts(self) -> np.ndarray:
        """(predicate, truth code) counts."""
        return np.stack([np.bincount(self.codes[:, k], minlength=3) for k in range(len(PREDICATES))])

    def dicts(self) -> dict[str, dict]:
        return dict(zip(self._names, self._pool.map(_dicts, self._names)))


class _FloatRegions(Mapping):
    """The float sweep: every region decided at once in numpy, its RegionCheck
    built (by the per-region path, :func:`float_spectrum` and :func:`decide`)
    only when asked for.

    A region whose eigenvalues are pairwise farther apart than the tolerance has
    clusters of one eigenvalue, so 1 x 1 Jordan blocks, and its verdicts follow
    from the facts of each eigenvalue (the same comparisons as ``float_spectrum``):
    invertible iff none is zero, principal_log iff none is zero or negative,
    real_log iff none is zero or negative (an unpaired 1 x 1 block), unique_real_log
    iff all are positive, eigenvalue_one iff one is one.  Any other region goes
    through the per-region path (Jordan ranks) right away.
    """

    def __init__(self, mats: RegionMatrices, names: list[str], chunk: int = 4096):
        self._mats, self._names = mats, names
        self._index = {b: i for i, b in enumerate(names)}
        self._built: dict[str, RegionCheck] = {}
        n, M = len(names), mats.M
        self.lam = np.empty((n, M), dtype=complex)
        self.tol = np.empty(n)
        self.holds = np.empty((n, len(PREDICATES)), dtype=bool)  # float never leaves a verdict undecided
        for k in range(0, n, chunk):
            H = mats.float_batch(names[k:k + chunk])
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused just below
                tol = 1e-8 * np.maximum(1.0, np.abs(H).sum(axis=2).max(axis=1))  # float_tolerance, batched
            if not (np.isfinite(H).all() and np.isfinite(tol).all()):
                raise float_overflow()
            try:
                lam = np.linalg.eigvals(H).astype(complex)
            except np.linalg.LinAlgError:
                raise float_overflow() from None
            if not np.isfinite(lam).all():
                raise float_overflow()
            t = tol[:, None]
            real = np.abs(lam.imag) <= t
            zero = np.abs(lam) <= t
            one = np.abs(lam - 1) <= t
            neg = real & (lam.real < -t)
            pos = real & (lam.real > t)
            invertible = ~zero.any(axis=1)
            no_neg = ~neg.any(axis=1)
            self.holds[k:k + len(H)] = np.stack(
                [invertible, invertible & no_neg, invertible & no_neg, pos.all(axis=1), one.any(axis=1)], axis=1)
            self.lam[k:k + len(H)], self.tol[k:k + len(H)] = lam, tol
            gap = np.abs(lam[:, :, None] - lam[:, None, :])
            gap[:, np.arange(M), np.arange(M)] = np.inf
            for i in np.flatnonzero((gap <= tol[:, None, None]).any(axis=(1, 2))):
                rc = self[names[k + i]]
                self.holds[k + i] = [rc.verdicts[p].truth is HOLDS for p in PREDICATES]

    def __getitem__(self, bits: str) -> RegionCheck:
        rc = self._built.get(bits)
        if rc is None:
            i = self._index[bits]
            spec = float_spectrum(self._mats.float(bits), float(self.tol[i]), eigenvalues=self.lam[i])
            rc = self._built[bits] = RegionCheck(bits, decide(spec), spec, spec.method)
        return rc

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def flagged(self) -> list[str]:
        """Regions where ``_reason`` has something to say: invertible, principal_log or real_log
        does not hold, or eigenvalue_one does not fail (a failing unique_real_log alone is no reason:
        complex eigenvalues have other real logarithms besides the principal one)."""
        return [self._names[i] for i in self.flagged_indices()]

    def flagged_indices(self) -> np.ndarray:
        """The positions of the regions of :meth:`flagged`."""
        good = self.holds[:, :3].all(axis=1) & ~self.holds[:, 4]   # unique_real_log is not a reason
        return np.flatnonzero(~good)
