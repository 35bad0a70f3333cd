"""``dynamics``: fixed points, cycles and Lyapunov exponents on both sides of the
translation (THEORY section 6), gathered in one :class:`DynamicsReport`.

The mathematics lives in :mod:`.steady_states` (fixed points, equilibria, their eigenvalues and
types), :mod:`.cycles` (k-cycles) and :mod:`.lyapunov` (Lyapunov exponents of the map, the hybrid
and the autonomous system); this module runs them and reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.domains import EXACT, FLOAT
from ..core.errors import InputError, NoResult
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, cells, cells_note
from .cycles import Cycle, find_cycles
from .lyapunov import AutonomousLyapunov, lyapunov_autonomous, lyapunov_discrete
from .steady_states import FixedPoint, _finite
from .steady_states import fixed_points as find_fixed_points


@dataclass(frozen=True)
class DynamicsReport:
    """Fixed points, cycles and Lyapunov spectra of one model (see :func:`dynamics`)."""

    model: PLRNN
    mode: str
    fixed_points: list[FixedPoint]
    no_fixed_point: list[str]
    cycles: list[Cycle]
    lyapunov_discrete: np.ndarray | None
    lyapunov_continuous: np.ndarray | None
    regions_swept: int
    notes: list[str] = field(default_factory=list)
    lyapunov_autonomous: AutonomousLyapunov | None = None     # only when asked (a simulation)

    @property
    def real_fixed_points(self) -> list[FixedPoint]:
        return [fp for fp in self.fixed_points if fp.real]

    def to_dict(self, virtual: bool = True) -> dict[str, Any]:
        m = self.model
        return {
            "model": {"M": m.M, "K": m.K, "dt": str(m.dt), "name": m.name},
            "mode": self.mode, "regions_swept": self.regions_swept, "notes": list(self.notes),
            "fixed_points": [fp.to_dict() for fp in self.fixed_points if virtual or fp.real],
            "no_fixed_point": list(self.no_fixed_point),
            "cycles": [c.to_dict() for c in self.cycles],
            "lyapunov_discrete": None if self.lyapunov_discrete is None else _finite(self.lyapunov_discrete),
            "lyapunov_continuous": None if self.lyapunov_continuous is None else _finite(self.lyapunov_continuous),
            **({} if self.lyapunov_autonomous is None else {"lyapunov_autonomous": self.lyapunov_autonomous.to_dict()}),
        }

    def to_frame(self, virtual: bool = True):
        """A ``pandas.DataFrame`` of the fixed points, one row each: region, real, stable, the
        discrete and continuous types, the unstable dimension, the spectral radius, the dimension
        of the set (0: a point), |L z* + g| of the matching equilibrium and the coordinates
        ``z1``... (needs the ``frames`` extra).  Cycles and Lyapunov exponents are in
        :meth:`to_dict`.

        Examples
        --------
        >>> from plrnn_symbolic import dynamics, example
        >>> report = dynamics(example("chaotic"), lyapunov_steps=10)
        >>> df = report.to_frame()
        >>> len(df) == len(report.fixed_points), int(df["real"].sum()) == len(report.real_fixed_points)
        (True, True)
        """
        from ..core.frames import frame

        rows = []
        for fp in self.fixed_points:
            if not (virtual or fp.real):
                continue
            d, c, u = fp.types
            eq = fp.equilibrium or {}
            rows.append({"region": fp.region, "real": fp.real, "stable": fp.stable, "type": d,
                         "continuous_type": c, "unstable_dimension": u,
                         "spectral_radius": float(np.abs(fp.eigenvalues).max(initial=0.0)),
                         "set_dimension": fp.dimension, "equilibrium_residual": eq.get("residual"),
                         **{f"z{i + 1}": float(x) for i, x in enumerate(fp.z)}})
        return frame(rows)

    def table(self, max_rows: int = 20) -> str:
        m = self.model
        real = self.real_fixed_points
        lines = [(f"model {m.name or '(unnamed)'}: M = {m.M}, dt = {m.dt}, "
                  + (f"{self.regions_swept} regions, " if self.regions_swept else "") + f"mode {self.mode}")]
        lines += [f"note: {n}" for n in self.notes]
        lines.append("")
        n_sets = sum(fp.dimension > 0 for fp in self.fixed_points)
        if not self.regions_swept:
            lines.append("fixed points: not searched")
        else:
            lines.append(f"fixed points: {len(real)} real, {len(self.fixed_points) - len(real)} virtual"
                     + (f" ({n_sets} affine sets)" if n_sets else "")
                     + (f"; {len(self.no_fixed_point)} regions without any (eigenvalue one)"
                        if self.no_fixed_point else ""))
        with np.printoptions(precision=4, suppress=True, linewidth=120):
            for fp in real[:max_rows]:
                d, c, u = fp.types
                rad = np.abs(fp.eigenvalues).max(initial=0.0)
                eq = fp.equilibrium or {}
                res = eq.get("residual")
                lines.append(f"  {fp.region}  z = {fp.z}" + (f"  (+ span of {fp.dimension})" if fp.dimension else ""))
                lines.append(f"      {'stable' if fp.stable else 'unstable'}, {d} (continuous: {c}), "
                             f"spectral radius {rad:.6g}, unstable dimension {u}"
                             + (f"; ODE {eq.get('status')}, |L z + g| = {res:.2e}" if res is not None else
                                (f"; ODE {eq.get('status')}" if eq else "")))
            if len(real) > max_rows:
                lines.append(f"  ... and {len(real) - max_rows} more (use --json for all)")
            if self.cycles:
                lines.append("")
                lines.append(f"cycles: {len(self.cycles)}")
                for c in self.cycles[:max_rows]:
                    rad = np.abs(c.multipliers).max(initial=0.0)
                    keeps = c.autonomous_keeps_it
                    auto = ("" if c.e1_failures is None else
                            "; autonomous system keeps it (E1 proved on every step)" if keeps else
                            f"; E1 fails on {len(c.e1_failures)} of {c.period} steps" if keeps is False else
                            f"; E1 undecided on {len(c.e1_undecided)} of {c.period} steps")
                    lines.append(f"  period {c.period} ({c.period * c.dt:g} time units): "
                                 f"{'stable' if c.stable else 'unstable'}, max |multiplier| {rad:.6g}, "
                                 f"{len(set(c.regions))} regions, "
                                 f"hybrid periodic orbit: {'yes' if c.hybrid else 'no'}{auto}")
            if self.lyapunov_discrete is not None:
                lines.append("")
                lines.append(f"Lyapunov exponents (map, per step):     {np.asarray(self.lyapunov_discrete)}")
                lines.append(f"Lyapunov exponents (hybrid, per time):  {np.asarray(self.lyapunov_continuous)}")
            if self.lyapunov_autonomous is not None:
                a = self.lyapunov_autonomous
                lines.append(f"Lyapunov exponents (autonomous, measured, per time): {np.asarray(a.exponents)}")
                lines.append(f"  ({a.switches} switches in {a.time:g} time units; {a.method})")
        return "\n".join(lines)


# ---- everything at once ---------------------------------------------------------------------------------------------
def dynamics(model: PLRNN, cycles: int = 0, mode: str | None = None, *, max_regions: int = MAX_REGIONS,
             equilibria: str = "real", lyapunov_steps: int = 20000, burn_in: int = 1000, z0=None,
             seed: int = 0, starts: int = 200, progress: bool = False,
             autonomous_lyapunov: bool = False, fixed_points: bool = True) -> DynamicsReport:
    """Fixed points and equilibria, k-cycles (k <= ``cycles``) and Lyapunov spectra.

    Parameters
    ----------
    model : PLRNN
        Inputs are held at zero.
    cycles : int
        Largest cycle period to look for (0: none).
    mode : "exact" or "float", optional
        Default exact whenever the weights are rational, which includes float
        weights (converted exactly); float only for irrational constants.
        For a 10-unit float model the exact sweep of the fixed points takes
        about a second (``vdp_trained``: 1.1 s), ``mode="float"`` less.
    max_regions : int
        The fixed-point sweep covers all 2^M regions; above this it is refused.
    lyapunov_steps, burn_in, z0 :
        The orbit for the Lyapunov spectrum (default from the model's z0).
    fixed_points : bool
        Sweep the regions for fixed points and equilibria (default); ``False`` leaves the
        sweep out (a model with too many regions or cells), and the report says so.
    autonomous_lyapunov : bool
        Also measure the autonomous system's spectrum (:func:`lyapunov_autonomous`, a simulation of
        as many steps).

    Returns
    -------
    DynamicsReport

    Examples
    --------
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 0], [0, 0]], h=[1, -1])
    >>> r = dynamics(m, lyapunov_steps=50, burn_in=0)
    >>> [fp.region for fp in r.real_fixed_points], np.round(r.lyapunov_discrete, 6).tolist()
    (['10'], [-0.693147, -0.693147])
    """
    mode = mode or (EXACT if model.is_rational else FLOAT)
    notes = []
    if model.K:
        notes.append("inputs held at zero (the autonomous map z -> W_Omega z + h)")
    notes += [f"convention: {c}" for c in model.conventions()]
    if fixed_points:
        try:
            swept = len(cells(model, max_regions)[0])
        except InputError as exc:
            raise InputError(f"{exc}; or leave the fixed points out (dynamics --no-fixed-points, "
                             "fixed_points=False) for the cycles and Lyapunov exponents alone") from None
        if cells_note(model, max_regions):
            notes.append(cells_note(model, max_regions))
        fps, none = find_fixed_points(model, mode, max_regions=max_regions, equilibria=equilibria, progress=progress)
    else:
        swept, fps, none = 0, [], []
        notes.append("fixed points not searched (fixed_points=False, --no-fixed-points): the region sweep was "
                     "left out, so the absence of fixed points below says nothing")
    found = find_cycles(model, cycles, mode, seed=seed, starts=starts, progress=progress) if cycles >= 2 else []
    n_names = 2**model.M if isinstance(model, PLRNN) else model.n_candidates
    if cycles >= 2 and any(n_names**k > 2**16 for k in range(2, cycles + 1)):
        notes.append("cycles of the longer periods come from a search from random starts: others may exist")
    try:
        lyap = lyapunov_discrete(model, z0, lyapunov_steps, burn_in)
        lyap_c = lyap / float(model.dt)
    except NoResult as exc:
        lyap = lyap_c = None
        notes.append(f"no Lyapunov spectrum: {exc}")
    notes.append("lyapunov_continuous is the hybrid (sample-and-hold) system's: the map's divided by dt")
    auto = None
    if autonomous_lyapunov:
        try:
            auto = lyapunov_autonomous(model, z0, lyapunov_steps, burn_in)
            notes.append("lyapunov_autonomous is measured (float) along the simulated switching trajectory")
        except NoResult as exc:
            notes.append(f"no autonomous Lyapunov spectrum: {exc}")
    return DynamicsReport(model, mode, fps, none, found, lyap, lyap_c, swept, notes, auto)


__all__ = ["DynamicsReport", "dynamics"]
