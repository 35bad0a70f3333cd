"""What ``simulate`` returns: the trajectories, E1 per step, the autonomous system's pieces and
sliding events (:class:`SimulationResult`, :class:`Segment`, :class:`SlidingEvent`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ...core.errors import InputError
from ...core.truth import FAILS, Truth, Verdict
from ...model.plrnn import PLRNN
from ...model.regions import region_of
from ..transform import RegionSystem
from .flows import _FloatFlows
from .rounding import ON_ORBIT, RoundingVerdict, judge_rounding
from .sliding import SlidingSegment

SHOWN_SEGMENTS = 8         # sliding segments listed one by one in the summary


def _ranges(steps: list[int]) -> str:
    """[1, 2, 3, 7] -> "steps 1-3, 7" (at most 12 runs, then "...")."""
    runs: list[list[int]] = []
    for n in steps:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:12])
    return "steps " + text + (", ..." if len(runs) > 12 else "")

__all__ = ["Segment", "SimulationResult", "SlidingEvent", "SlidingSegment"]


# ---- result objects ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A piece of the autonomous trajectory: the flow of ``region`` from ``y0`` on [t0, t1]."""

    region: str
    t0: float
    t1: float
    y0: np.ndarray      # (N,) state in the region's (possibly lifted) coordinates
    step: int           # index of the input s_step held on this piece


@dataclass(frozen=True)
class SlidingEvent:
    """Where the autonomous trajectory stops at a switching surface, and why: a sliding motion that is
    not defined or not unique there (a lifted region on one side, several surfaces at once, a
    repelling surface, grazing) or chattering.  Sliding that is followed is a
    :class:`~plrnn_symbolic.analysis.simulation.sliding.SlidingSegment` instead."""

    step: int
    time: float
    units: tuple[int, ...]     # 1-based: units of a PLRNN, pre-activations of the other forms
    state: np.ndarray
    regions: tuple[str, str]   # (coming from, would enter)
    action: str = "stopped"
    surface: str = ""          # "unit k" or "pre-activation k"
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "time": self.time, "units": list(self.units), "surface": self.surface,
                "state": self.state.tolist(), "regions": list(self.regions), "action": self.action,
                "reason": self.reason}


@dataclass(frozen=True)
class SimulationResult:
    """Trajectories of the discrete map and of its continuous-time systems at the sample times.

    Attributes
    ----------
    times : (steps + 1,) sample times n dt
    discrete, hybrid, autonomous : (steps + 1, M) arrays (``None`` if not simulated; NaN after a stop)
    e1 : one :class:`~plrnn_symbolic.core.truth.Verdict` per step (E1 for the step from z_n, n < steps)
    hybrid_step_deviation : max over n of |P Phi_dt(G z_n) - z_{n+1}| (one hybrid step from the discrete state)
    sliding : where the autonomous trajectory stopped at a switching surface (:class:`SlidingEvent`, with why)
    sliding_segments : the Filippov sliding motions it followed (:class:`SlidingSegment`: surface, regions,
        start and end time, the steps they meet, how each ended and the method that integrated it)
    autonomous_undecided_steps : steps whose exit scan was undecided: the autonomous trajectory went on in
        its region there without a proof that it stays (a switch may have been missed; a note says so)
    segments : the pieces of the autonomous trajectory (for dense output)
    """

    model: PLRNN
    mode: str
    system: str
    times: np.ndarray
    discrete: np.ndarray
    hybrid: np.ndarray | None
    autonomous: np.ndarray | None
    e1: tuple[Verdict, ...]
    hybrid_step_deviation: float | None
    sliding: tuple[SlidingEvent, ...]
    segments: tuple[Segment, ...]
    inputs: np.ndarray | None
    systems: dict[str, RegionSystem] = field(repr=False)
    notes: tuple[str, ...] = ()
    autonomous_undecided_steps: tuple[int, ...] = ()   # steps whose exit scan was undecided (not proved to stay)
    sliding_segments: tuple[SlidingSegment, ...] = ()

    @property
    def sliding_steps(self) -> list[int]:
        """The steps n whose interval [n dt, (n+1) dt] contains sliding (sorted)."""
        return sorted({n for sg in self.sliding_segments for n in sg.steps})

    @property
    def steps(self) -> int:
        return len(self.times) - 1

    @staticmethod
    @np.errstate(invalid="ignore")   # inf - inf where both left the float64 range: NaN, skipped as unreached
    def _deviation(y, z) -> float | None:
        x = y - z
        return float(np.nanmax(np.abs(x))) if np.isfinite(x).any() else float("nan")

    @property
    def max_deviation_hybrid(self) -> float | None:
        """max_n |hybrid(n dt) - z_n| (max norm) over the sample times reached."""
        return None if self.hybrid is None else self._deviation(self.hybrid, self.discrete)

    @property
    def max_deviation_autonomous(self) -> float | None:
        return None if self.autonomous is None else self._deviation(self.autonomous, self.discrete)

    def deviation_by_sliding(self) -> tuple[float, float]:
        """(max |autonomous - discrete| at the sample times (n+1) dt that end a step n containing sliding,
        the same max over the other sample times); NaN where there are none."""
        if self.autonomous is None:
            return float("nan"), float("nan")
        with np.errstate(invalid="ignore"):
            dev = np.abs(self.autonomous - self.discrete).max(axis=1)
        mask = np.zeros(len(dev), dtype=bool)
        mask[[n + 1 for n in self.sliding_steps if n + 1 < len(dev)]] = True

        def top(x):
            x = x[np.isfinite(x)]
            return float(x.max()) if x.size else float("nan")

        return top(dev[mask]), top(dev[~mask])

    @property
    def e1_counts(self) -> dict[str, int]:
        out = {"holds": 0, "fails": 0, "undecided": 0}
        for v in self.e1:
            out[v.status] += 1
        return out

    def e1_truths(self) -> list[Truth]:
        return [v.truth for v in self.e1]

    @cached_property
    def rounding(self) -> RoundingVerdict:
        """The float trajectories against a ball enclosure of the exact orbit of the map from the
        same z0 (:func:`~plrnn_symbolic.analysis.simulation.rounding.judge_rounding`): which of
        them left the orbit, and the largest Lyapunov exponent that amplified their rounding."""
        return judge_rounding(self.model, self.discrete, self.hybrid, self.inputs)

    @property
    def free_run_drifts(self) -> bool:
        """The free-running hybrid trajectory is farther than 1e-9 from a finite float map somewhere."""
        d = self.max_deviation_hybrid
        return d is not None and not d <= ON_ORBIT and bool(np.isfinite(self.discrete).all())

    def summary(self) -> str:
        """The report: the one-step deviations first (what E3 promises), then the free run, judged
        against the exact orbit when it drifts, then E1 and the autonomous system."""
        m = self.model
        c = self.e1_counts
        n = max(1, len(self.e1))
        head = (f"model {m.name or '(unnamed)'}: M = {m.M}, dt = {m.dt}, {self.steps} steps, system {self.system}, "
                f"derivation mode {self.mode}, {len(self.systems)} region systems derived (the regions the "
                f"discrete and continuous trajectories enter)")
        lines = [head]
        finite = np.all(np.isfinite(self.discrete), axis=1)
        if not finite.all():
            lines.append(f"the discrete trajectory leaves float64 at step {int(np.argmin(finite))} (the map diverges "
                         "from this z0); the deviations below are over the steps before")
        if self.hybrid is not None:
            lines.append(f"hybrid (sample and hold, E3): one step from each discrete state z_n lands within "
                         f"{self.hybrid_step_deviation:.1e} of z_(n+1) (E3: equal at every sample time)")
            lines.append(f"  free run from z_0: max deviation {self.max_deviation_hybrid:.3e} from the float map")
            if self.free_run_drifts:
                lines += ["  " + line for line in self.rounding.text()]
                dev = np.abs(self.hybrid - self.discrete).max(axis=1)
                part = int(np.argmax(~(dev <= ON_ORBIT)))
                if part > self.rounding.steps:
                    lines.append(f"    the free runs part at step {part}, after the steps compared (judge_rounding("
                                 "..., max_steps=N) compares more)")
        if self.e1:
            lines.append(f"E1 (region flow stays in its region for the whole step): holds {c['holds']}, "
                         f"fails {c['fails']} ({c['fails'] / n:.1%}), undecided {c['undecided']}")
            if self.sliding_segments:
                sl = set(self.sliding_steps)
                inside = [v.status for v in self.e1 if v.witness.get("step") in sl]
                lines.append(f"  the autonomous trajectory slides within {len(sl)} steps (sliding_steps); E1 from the "
                             f"discrete states of those steps: holds {inside.count('holds')}, fails "
                             f"{inside.count('fails')}, undecided {inside.count('undecided')}")
            first = next((v for v in self.e1 if v.truth is FAILS), None)
            if first is not None:
                w = first.witness
                lines.append(f"  first failure: step {w['step']}, {m.preactivation_label(w['unit'])} leaves region "
                             f"{w['region']} at t in [{w['time'][0]:.6g}, {w['time'][1]:.6g}] (within the step)")
        if self.autonomous is not None:
            lines.append(f"autonomous (switches at zero crossings): max deviation {self.max_deviation_autonomous:.3e} "
                         f"from the float map, {len(self.segments)} pieces (a step where E1 holds reproduces the "
                         "map's step; after one where it fails, the two trajectories may part for good)")
            if self.sliding_segments:
                with_, without = self.deviation_by_sliding()
                lines.append(f"  deviation at the ends of the steps that contain sliding: max {with_:.3e}; at the "
                             f"other sample times: max {without:.3e}")
        if self.sliding_segments:
            sl = self.sliding_steps
            lines.append(f"  sliding (Filippov): {len(self.sliding_segments)} segment(s), total duration "
                         f"{sum(sg.duration for sg in self.sliding_segments):.4g}, in {len(sl)} step(s) "
                         f"({_ranges(sl)}); the deviation above includes them")
            for sg in self.sliding_segments[:SHOWN_SEGMENTS]:
                lines.append(f"    {sg.text()}")
            if len(self.sliding_segments) > SHOWN_SEGMENTS:
                lines.append(f"    ... and {len(self.sliding_segments) - SHOWN_SEGMENTS} more (sliding_segments)")
            lines.append(f"    method: {self.sliding_segments[0].method}")
            lines.append(f"    enclosure (first segment): {self.sliding_segments[0].enclosure}")
        for ev in self.sliding:
            what = ev.surface or f"units {list(ev.units)}"
            lines.append(f"  stop at {what} = 0 at step {ev.step}, t = {ev.time:.6g}, between regions "
                         f"{ev.regions[0]} and {ev.regions[1]}: the autonomous trajectory {ev.action} there"
                         + (f" ({ev.reason})" if ev.reason else ""))
        lines += [f"note: {n_}" for n_ in self.notes]
        return "\n".join(lines)

    def to_dict(self, details: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": {"name": self.model.name, "M": self.model.M, "K": self.model.K, "dt": str(self.model.dt)},
            "steps": self.steps, "system": self.system, "mode": self.mode,
            "max_deviation_hybrid": self.max_deviation_hybrid,
            "max_deviation_autonomous": self.max_deviation_autonomous,
            "hybrid_step_deviation": self.hybrid_step_deviation,
            "e1": self.e1_counts,
            "sliding": [ev.to_dict() for ev in self.sliding],
            "sliding_segments": [sg.to_dict() for sg in self.sliding_segments],
            "sliding_steps": self.sliding_steps,
            "regions": {b: {"status": s.status, "dimension": s.dimension, "method": s.method}
                        for b, s in self.systems.items()},
            "notes": list(self.notes),
            "autonomous_undecided_steps": list(self.autonomous_undecided_steps),
            "rounding": self.rounding.to_dict() if self.free_run_drifts else None,
        }
        if details:
            sl = set(self.sliding_steps)
            out["e1_steps"] = [{"status": v.status, "method": v.method, **v.witness,
                                **({"autonomous_slides": v.witness.get("step") in sl} if sl else {})}
                               for v in self.e1]
            out["times"] = self.times.tolist()
            out["discrete"] = self.discrete.tolist()
            for key in ("hybrid", "autonomous"):
                x = getattr(self, key)
                out[key] = None if x is None else [[None if not np.isfinite(v) else float(v) for v in row] for row in x]
        return out

    def to_frame(self):
        """A ``pandas.DataFrame``, one row per sample time n (index ``n``): the time, the region of
        z_n, the E1 verdict of the step from z_n, and the states ``z1``..., ``hybrid_z1``...,
        ``autonomous_z1``... of the systems simulated (needs the ``frames`` extra).

        Examples
        --------
        >>> import plrnn_symbolic as ps
        >>> df = ps.simulate(ps.example("limit_cycle"), steps=10).to_frame()
        >>> df.shape, list(df.columns[:4])
        ((11, 21), ['t', 'region', 'e1', 'z1'])
        """
        from ...core.frames import frame

        M = self.model.M
        cols = {f"z{i + 1}": self.discrete[:, i] for i in range(M)}
        for which in ("hybrid", "autonomous"):
            traj = getattr(self, which)
            if traj is not None:
                cols.update({f"{which}_z{i + 1}": traj[:, i] for i in range(M)})
        e1 = [v.status for v in self.e1]
        rows = [{"n": n, "t": float(self.times[n]),
                 "region": region_of(self.discrete[n], self.model) if np.all(np.isfinite(self.discrete[n])) else None,
                 "e1": e1[n] if n < len(e1) else None, **{k: float(v[n]) for k, v in cols.items()}}
                for n in range(len(self.times))]
        return frame(rows, index="n")

    # ---- dense output (closed-form flows within each step or piece) -------------------------
    def dense(self, which: str, per_step: int = 24) -> tuple[np.ndarray, np.ndarray]:
        """(t, Z): the continuous trajectory ``which`` ("hybrid" or "autonomous") densely sampled."""
        flows = _FloatFlows(self.systems)
        ts, zs = [], []
        if which == "hybrid":
            if self.hybrid is None:
                raise InputError("the hybrid system was not simulated")
            dt = float(self.model.dt)
            for n in range(self.steps):
                z = self.hybrid[n]
                if not np.all(np.isfinite(z)):
                    break
                s = self._input(n)
                sysm = self.systems[region_of(z, self.model)]
                tau, Y = flows.sampled(sysm, sysm.G @ z, s, dt, per_step)
                ts.append(n * dt + tau)
                zs.append(Y @ sysm.P.T)
        elif which == "autonomous":
            if self.autonomous is None:
                raise InputError("the autonomous system was not simulated")
            dt = float(self.model.dt)
            for seg in self.segments:
                k = max(2, int(np.ceil(per_step * (seg.t1 - seg.t0) / dt)) + 1)
                sysm = self.systems[seg.region]
                tau, Y = flows.sampled(sysm, seg.y0, self._input(seg.step), seg.t1 - seg.t0, k - 1)
                ts.append(seg.t0 + tau)
                zs.append(Y @ sysm.P.T)
            for sg in self.sliding_segments:      # the sliding motions, as their integrator sampled them
                t, Z = sg.samples()
                ts.append(t)
                zs.append(Z)
            if ts:
                t, Z = np.concatenate(ts), np.concatenate(zs)
                order = np.argsort(t, kind="stable")
                return t[order], Z[order]
        else:
            raise InputError(f"unknown system {which!r}: 'hybrid' or 'autonomous'")
        if not ts:
            return np.zeros(0), np.zeros((0, self.model.M))
        return np.concatenate(ts), np.concatenate(zs)

    def _input(self, n: int):
        return None if self.inputs is None else self.inputs[n]
