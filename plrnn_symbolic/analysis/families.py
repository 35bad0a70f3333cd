"""``check_families``: the predicates of THEORY section 3 decided for whole families of regions at once.

A family fixes some pre-activations (active ``1`` or inactive ``0``) and leaves the others free
(``*``); it holds the 2^free regions (activation patterns) that agree with it.  Its region matrices
all lie in one box of matrices, affine in D, and a certified enclosure of the spectra of the whole box
(:mod:`plrnn_symbolic.region.boxspectrum`, proofs/07_region_structure.tex, Theorem 7.13 and
Proposition 7.15) decides a predicate for every region of the family at once: a certificate.

Branch and bound: a family whose enclosure leaves a predicate undecided is split on one free
pre-activation (the one that widens the enclosure most) into its active and inactive halves, and
only the predicates still open are decided below.  A family of one region goes to the per-region
route of :func:`~plrnn_symbolic.analysis.conditions.check` in the mode asked for (``auto`` by
default), so every verdict is the one an exhaustive sweep gives, and the counts of the report
(:meth:`FamilyReport.summary`) are those of the exhaustive sweep.

For the general form (:mod:`plrnn_symbolic.model.family`) a family is a pattern of the L
pre-activations, and some of its patterns may be empty cells.  A certificate over the box covers
them trivially; the report counts the non-empty cells only (decided exactly, as the exhaustive
sweep does, proofs/07 Lemma 7.10), and families without any are dropped.  When the rows of W2 are
linearly independent (an ALRNN, say) every pattern is a cell and nothing needs counting.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from tqdm import tqdm

from ..core.domains import AUTO, check_mode, fmpq_matrix
from ..core.errors import InputError
from ..core.truth import FAILS, HOLDS, Truth
from ..model.family import ReluRNN
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, cells
from ..region.boxspectrum import Disc, FamilyEnclosure, decide_discs
from ..region.predicates import PREDICATES
from .conditions import CheckReport, check

__all__ = ["FREE", "FamilyCertificate", "FamilyReport", "check_families"]

FREE = "*"


@dataclass(frozen=True)
class FamilyCertificate:
    """Verdicts proved for every region of one family by one enclosure.

    Attributes
    ----------
    family : str
        One character per pre-activation (unit, for a PLRNN; unit 1 first): ``1`` active,
        ``0`` inactive, ``*`` free.
    verdicts : dict
        predicate -> :class:`~plrnn_symbolic.core.truth.Truth`, each holding for every region of the
        family (only the predicates decided here; the others were decided by a larger family).
    regions : int
        Regions of the family (non-empty cells, for the general form).
    discs : tuple of Disc
        The witness: discs that contain every eigenvalue of every region matrix of the family.  When
        the verdicts came from both enclosures (in the approximate eigenbasis, then of the matrix
        itself) these are both sets of M discs one after the other; Gershgorin's count (each group of
        joined discs holds as many eigenvalues as discs) applies to each set of M alone, and
        :meth:`to_dict` lists them apart under ``"sets"``.
    method : str
    """

    family: str
    verdicts: dict[str, Truth]
    regions: int
    discs: tuple[Disc, ...]
    method: str
    M: int = 0          # discs per enclosure (the state dimension)

    def to_dict(self) -> dict[str, Any]:
        return {"family": self.family, "regions": self.regions,
                "verdicts": {p: t.value for p, t in self.verdicts.items()}, "method": self.method,
                "witness": {"discs": [d.to_list() for d in self.discs],
                            "sets": [[d.to_list() for d in self.discs[i:i + self.M]]
                                     for i in range(0, len(self.discs), self.M)] if self.M else []}}


@dataclass(frozen=True)
class FamilyReport:
    """The verdict counts of every region of a model, from family certificates and enumeration.

    ``certificates`` decided whole families; ``enumerated`` is the per-region report of the regions
    left (``opened[region]`` names the predicates each was enumerated for; the others were proved by
    a certificate of a family that holds it).  :meth:`summary` has the form of
    :meth:`CheckReport.summary` and the counts of an exhaustive sweep.
    """

    model: PLRNN | ReluRNN
    mode: str
    regions: int
    certificates: tuple[FamilyCertificate, ...]
    enumerated: CheckReport | None
    opened: dict[str, tuple[str, ...]]
    notes: list[str] = field(default_factory=list)
    predicates: tuple[str, ...] = PREDICATES

    def summary(self) -> dict[str, dict[str, int]]:
        out = {p: {"holds": 0, "fails": 0, "undecided": 0} for p in self.predicates}
        for c in self.certificates:
            for p, t in c.verdicts.items():
                out[p][t.value] += c.regions
        if self.enumerated is not None:
            statuses = self.enumerated.statuses()
            for name, predicates in self.opened.items():
                for p in predicates:
                    out[p][statuses[name][p]] += 1
        return out

    def coverage(self) -> dict[str, int]:
        """Per predicate, the regions whose verdict a family certificate proved."""
        out = dict.fromkeys(self.predicates, 0)
        for c in self.certificates:
            for p in c.verdicts:
                out[p] += c.regions
        return out

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        return {
            "model": {"M": m.M, "K": m.K, "dt": str(m.dt), "name": m.name, "conventions": m.conventions()},
            "mode": self.mode,
            "regions": "families",
            "notes": list(self.notes),
            "summary": self.summary(),
            "families": {"regions": self.regions, "certificates": len(self.certificates),
                         "covered_by_certificates": self.coverage(), "enumerated": len(self.opened)},
            "certificates": [c.to_dict() for c in self.certificates],
            "enumerated": ({name: {"predicates": list(self.opened[name]), **rc}
                            for name, rc in self.enumerated.to_dict()["regions"].items()}
                           if self.enumerated is not None else {}),
        }

    def table(self, max_rows: int = 20) -> str:
        """A readable summary: the verdict counts, what the certificates covered, the enumerated regions that fail."""
        m = self.model
        lines = [(f"model {m.name or '(unnamed)'}: M = {m.M}, dt = {m.dt}, {self.regions:,} regions decided by "
                 f"families, mode {self.mode} for the regions enumerated")]
        lines += [f"note: {n}" for n in self.notes]
        lines += ["", f"{'predicate':<17}{'holds':>16}{'fails':>16}{'undecided':>11}{'by certificates':>18}"]
        cov = self.coverage()
        for p, c in self.summary().items():
            lines.append(f"{p:<17}{c['holds']:>16,}{c['fails']:>16,}{c['undecided']:>11,}{cov[p]:>18,}")
        every = sum(c.regions for c in self.certificates if len(c.verdicts) == len(self.predicates))
        lines += ["", (f"{len(self.certificates):,} family certificates; {every:,} regions decided in full by one "
                      f"certificate, {len(self.opened):,} regions left to enumeration")]
        shown = sorted(self.certificates, key=lambda c: -c.regions)[:max_rows // 2]
        for c in shown:
            verdicts = ", ".join(f"{p} {t.value}" for p, t in c.verdicts.items())
            lines.append(f"  {c.family}  {c.regions:,} regions: {verdicts}")
        if len(self.certificates) > len(shown):
            lines.append(f"  ... and {len(self.certificates) - len(shown):,} more (use --json for all)")
        if self.enumerated is not None:
            statuses = self.enumerated.statuses()
            bad = [(name, {p: s[p] for p in self.opened[name]}) for name, s in statuses.items()
                   if any(s[p] != "holds" for p in ("invertible", "principal_log", "real_log") if p in self.opened[name])
                   or ("eigenvalue_one" in self.opened[name] and s["eigenvalue_one"] != "fails")]
            if bad:
                lines += ["", "enumerated regions without a principal real logarithm, or with eigenvalue one:"]
                for name, s in bad[:max_rows]:
                    lines.append(f"  {name}  " + ", ".join(f"{p} {v}" for p, v in s.items()))
                if len(bad) > max_rows:
                    lines.append(f"  ... and {len(bad) - max_rows:,} more (use --json for all)")
        return "\n".join(lines)


def _independent_rows(W2) -> bool:
    """The rows of W2 are linearly independent (decided exactly; False for irrational entries)."""
    if not all(isinstance(x, sp.Rational) for x in W2):
        return False
    return fmpq_matrix(W2).rank() == W2.rows


def _family_text(family: Sequence[int | None]) -> str:
    return "".join(FREE if x is None else str(x) for x in family)


MAX_FAMILIES = 20_000   # families examined before giving up (each costs an eigendecomposition and ball products)


def check_families(model: PLRNN | ReluRNN, mode: str = AUTO, *, predicates: Sequence[str] = PREDICATES,
                   precision: int = 53, max_regions: int = MAX_REGIONS, max_families: int = MAX_FAMILIES,
                   progress: bool = False, workers: int | None = None) -> FamilyReport:
    """Decide the predicates of THEORY section 3 for every region, family by family.

    A certified enclosure of the spectra of a whole family (proofs/07_region_structure.tex,
    Theorem 7.13) proves a predicate for all its regions at once (Proposition 7.15); a family left
    undecided is split on a free pre-activation, down to single regions, which are checked one by
    one (:func:`~plrnn_symbolic.analysis.conditions.check` in ``mode``).

    Parameters
    ----------
    model : PLRNN or ReluRNN
        Numeric weights (rational, floats, or constants such as sqrt(2)).
    mode : "auto" (default), "exact", "certified" or "float"
        The mode of the per-region check of the regions left to enumeration; the certificates
        themselves are always certified (FLINT balls).
    predicates : sequence of str
        The predicates to decide (default all five); a family is split only while one of these is
        open, so asking for fewer (say ``["principal_log"]``) can leave far fewer regions to enumerate.
    precision : int
        Bits of the ball arithmetic of the enclosures (and the starting precision of the
        per-region check).
    max_regions : int
        Refuse when more than this many regions would be left to enumeration (and, for the general
        form, when the model has more non-empty cells than this: they are counted first).
    max_families : int
        Refuse when the branch and bound has examined this many families without an end in sight.
    progress : bool
        Show a progress bar on stderr.
    workers : int, optional
        Processes for the per-region check of the enumerated regions.

    Returns
    -------
    FamilyReport

    References
    ----------
    S. Gershgorin (1931); R. S. Varga, "Gersgorin and His Circles" (2004); W. J. Culver (1966).

    Examples
    --------
    A weakly coupled contractive model: one certificate decides all 2^12 regions.

    >>> from plrnn_symbolic import PLRNN
    >>> M = 12
    >>> A = [[(i + 3) / (M + 4) if i == j else 0 for j in range(M)] for i in range(M)]
    >>> W = [[0 if i == j else (-1) ** (i + j) / 2000 for j in range(M)] for i in range(M)]
    >>> r = check_families(PLRNN(A, W, [0] * M))
    >>> len(r.certificates), len(r.opened), r.summary()["unique_real_log"]
    (1, 0, {'holds': 4096, 'fails': 0, 'undecided': 0})
    """
    check_mode(mode)
    wanted = tuple(p for p in PREDICATES if p in set(predicates))
    unknown = sorted(set(predicates) - set(PREDICATES))
    if unknown or not wanted:
        raise InputError(f"unknown predicate(s) {unknown}: choose from {', '.join(PREDICATES)}")
    if model.is_symbolic:
        raise InputError("families need numeric weights: substitute values for "
                         f"{sorted(map(str, model.symbols))} (or check the regions with mode='exact')")
    enc = FamilyEnclosure(model, precision)
    L = enc.L
    general = not isinstance(model, PLRNN)
    notes = [f"convention: {c}" for c in model.conventions()]
    if general and _independent_rows(model.W2):
        patterns, total = None, 2**L          # every pattern is a cell (proofs/07, Lemma 7.10)
        notes.append(f"families are patterns of the {L} pre-activations (W2 z + h2), first first; the rows of W2 "
                     "are linearly independent, so every pattern is a non-empty cell (proofs/07, Lemma 7.10)")
    elif general:
        names, skipped = cells(model, max_regions)
        patterns: list[tuple[int, ...]] | None = [model.pattern(n) for n in names]
        total = len(names)
        notes.append(f"families are patterns of the {L} pre-activations (W2 z + h2), first first; "
                     f"{total:,} non-empty cells of {2**L:,} patterns are counted ({skipped:,} region names "
                     "with empty cells skipped; emptiness decided exactly, by a rational LP)")
    else:
        patterns, total = None, 2**L
    method = (f"certified ({precision} bits): Gershgorin discs of V^-1 W_Omega V over the box of the free "
              "pre-activations (proofs/07, Theorem 7.13, Proposition 7.15)")
    certificates: list[FamilyCertificate] = []
    opened: dict[str, tuple[str, ...]] = {}
    bar = tqdm(total=total, desc="families", unit="region", file=sys.stderr, leave=False,
               disable=None if progress and total >= 64 else True)
    examined = 0
    stack: list[tuple[tuple[int | None, ...], dict[str, Truth], list | None]] = [((None,) * L, {}, patterns)]
    while stack:
        family, known, pats = stack.pop()
        free = [k for k, x in enumerate(family) if x is None]
        count = 2 ** len(free) if pats is None else len(pats)
        if count == 0:
            continue
        if count == 1:                      # one region: the per-region route
            d = tuple(family) if pats is None else pats[0]
            name = "".join(str(x) for x in d) if not general else model.region_name(d)
            opened[name] = tuple(p for p in wanted if p not in known)
            if len(opened) > max_regions:
                raise InputError(f"the family certificates leave more than {max_regions:,} regions to enumerate; "
                                 "check visited regions instead, or raise the limit (--max-regions)")
            bar.update(1)
            continue
        examined += 1
        if examined > max_families:
            raise InputError(f"the family certificates did not decide the model within {max_families:,} families "
                             f"({len(opened):,} regions enumerated so far); ask for fewer predicates, or check "
                             "visited regions instead")
        new: dict[str, Truth] = {}
        witness: tuple[Disc, ...] = ()
        for eigenbasis in (True, False):     # the discs in an approximate eigenbasis, then of the matrix itself
            discs = enc.discs(family, eigenbasis)
            found = {} if discs is None else {p: t for p, t in decide_discs(discs).items()
                                              if p in wanted and p not in known and p not in new}
            if found:
                new.update(found)
                witness += tuple(discs)
            if len(known) + len(new) == len(wanted):
                break
        for p, point, truth in (("invertible", 0, HOLDS), ("eigenvalue_one", 1, FAILS)):
            if p in wanted and p not in known and p not in new and enc.misses(family, point):
                new[p] = truth
        new = {p: new[p] for p in wanted if p in new}
        if new:
            certificates.append(FamilyCertificate(_family_text(family), new, count, witness, method, enc.M))
            known = {**known, **new}
        if len(known) == len(wanted):
            bar.update(count)
            continue
        left = set(wanted) - set(known)
        k = enc.split_unit(family, 1 if left == {"eigenvalue_one"} else 0 if left == {"invertible"} else None)
        for bit in (0, 1):
            child = tuple(bit if j == k else x for j, x in enumerate(family))
            stack.append((child, known, None if pats is None else [d for d in pats if d[k] == bit]))
    bar.close()
    enumerated = None
    if opened:
        enumerated = check(model, list(opened), mode, precision=precision, max_precision=max(1024, precision),
                           max_regions=max(max_regions, len(opened)), progress=progress, workers=workers)
        notes += [n for n in enumerated.notes if n not in notes]
    return FamilyReport(model, mode, total, tuple(certificates), enumerated, opened, notes, wanted)
