"""``simulate``: the discrete PLRNN and its continuous-time systems side by side
(THEORY section 5, statements E1-E3; proofs/05_trajectory_equivalence).

Three trajectories are sampled at the times n dt:

* ``discrete``: the map z_{n+1} = W_Omega z_n + h + C s_n (float).
* ``hybrid`` (E3, sample and hold): on [n dt, (n+1) dt) the region is latched at
  Omega(z(n dt)) and the state follows that region's flow.  One step is
  z_{n+1} = P Phi_dt(G z_n), with e^{L dt} and dt phi1(L dt) (g, B) precomputed per
  region, so no integrator is involved.  For a lifted region the flow runs in N > M
  dimensions from G z_n; the lift is built so that Phi_dt(G z) = G (H z + h), i.e.
  the added coordinates are back at zero at the next sample time, and restarting
  from G z_n each step is exactly what the lift statement guarantees.
* ``autonomous``: the Filippov system that switches region the moment a coordinate
  of the state crosses zero.  Within a region the flow is closed form; the first
  exit time is isolated rigorously (:mod:`.exit_proofs`) and the flow continues from the crossing
  point in the region the state has entered.  At a switch into or out of a lifted
  region the state is projected with P and re-embedded with G of the new region
  (the added coordinates restart at zero); within one region the N-dimensional state
  is kept across sample times.  When the vector fields on both sides of the crossed
  boundary point into it (sliding), the autonomous trajectory follows the Filippov
  sliding motion (:mod:`.sliding`; on two surfaces at once the equivalent control of
  Definition 5.21), and stops with the reason where that motion is not defined or not
  unique.

What is rigorous.  The cell arithmetic is ball arithmetic (FLINT, 128 bits), and the float
check bounds every rounding error of its float operations (Lemma 5.14).  The
region system is enclosed exactly when ``derive`` gave a closed form (exact mode),
by the balls of the certified derivation, which contain the true L, g, B of the
region (certified mode: ``RegionSystem.enclosure``), or taken as the float system
is (float mode: a statement about the float system, labelled ``float``).  The starting states are the
float states of the trajectories: a verdict is about the flow from that float vector.
The autonomous trajectory restarts from a float vector after each crossing.

The parts: :mod:`.results` (what ``simulate`` returns), :mod:`.flows` (float closed-form
flows), :mod:`.enclosures` (ball flows and their cell enclosures), :mod:`.exit_proofs` (exit proofs
and E1), this module (the driver).
"""

from __future__ import annotations

import math
import sys
from typing import Any

import flint
import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from ...core.domains import CERTIFIED, EXACT, FLOAT, check_mode, working_precision
from ...core.errors import InputError
from ...core.truth import FAILS, HOLDS, UNDECIDED, Verdict
from ...model.plrnn import PLRNN
from ...model.regions import region_of
from ..transform import RegionSystem, derive
from .enclosures import _UNITS, PREC, _ball_flow, _BallFlow, _mid
from .exit_proofs import _scan_fast
from .flows import _augmented_float, _crossing_time, _HybridStep, _taylor
from .results import Segment, SimulationResult, SlidingEvent
from .sliding import (
    CORNER_METHOD,
    CORNER_TOL,
    CornerMotion,
    SlidingMotion,
    SlidingSegment,
    corner_attraction,
    equivalent_controls,
    nodal_attraction_proved,
    onto_side,
    surface_label,
)
from .sliding_balls import normal_signs

SYSTEMS = ("hybrid", "autonomous", "both")
MAX_SWITCHES = 64          # region switches of the autonomous system within one step before it stops
RESIDUAL_TOL = 1e-12       # a region system must reproduce its step to this (max norm) to be used
PER_STEP = 24              # dense samples of a sliding motion per step (for plots)
SIDE_TOL = 1e-9            # a normal component within this (relative) of 0 is not taken to have a sign
FOLD_ULPS = 64             # the margin, in rounding units, of the leaving side's normal component at a sliding exit


def _residual(sysm: RegionSystem) -> float:
    r = sysm.residual
    return max(float(r.get("exp", math.inf)), float(r.get("affine", math.inf)))


# ---- the simulator ------------------------------------------------------------------------------
class _Simulator:
    def __init__(self, model: PLRNN, mode: str, digits: int):
        self.model = model
        self.mode = mode
        self.digits = digits
        self.systems: dict[str, RegionSystem] = {}
        self._ready: dict[str, RegionSystem] = {}   # derived ahead (float: in one batch), taken on first visit
        self._hybrid: dict[str, _HybridStep] = {}
        self._by_signs: dict[bytes, tuple[str, _HybridStep | None]] = {}
        self._ball: dict[str, _BallFlow] = {}
        self.notes: list[str] = []
        self.undecided_steps: list[int] = []   # autonomous steps whose exit scan stayed undecided
        self.slides: list[SlidingSegment] = []  # the sliding segments of the autonomous trajectory
        self.inputs: np.ndarray | None = None
        self.dt = float(model.dt)
        # the exit functions: the coordinates of a PLRNN, the pre-activations W2 z + h2 of the general form
        self.signs = (lambda Z: Z > 0) if isinstance(model, PLRNN) else (lambda Z: model.preactivations(Z) > 0)

    def system(self, bits: str) -> RegionSystem:
        """The region's continuous system, derived on first visit."""
        if bits not in self.systems:
            ready = self._ready.pop(bits, None)
            self.systems[bits] = ready if ready is not None else self._derive(bits)
        return self.systems[bits]

    def derive_ahead(self, states: np.ndarray) -> None:
        """Derive the regions of ``states`` in one call (float derive is batched), kept until visited:
        only the systems ``_derive`` would return on its first try (no fallback, so no note)."""
        finite = states[np.isfinite(states).all(axis=1)]
        todo = [self.model.region_name(row) for row in np.unique(self.signs(finite), axis=0)]
        todo = [b for b in todo if b not in self.systems]
        if todo:
            for bits, s in derive(self.model, todo, mode=self.mode, digits=self.digits).systems.items():
                if s.status == "impossible" or (s.derived and _residual(s) <= RESIDUAL_TOL):
                    self._ready[bits] = s

    def _derive(self, bits: str) -> RegionSystem:
        """Derive in the asked mode; where that is undecided or does not reproduce the step to
        RESIDUAL_TOL (e.g. a defective eigenvalue defeats the certified eigendecomposition),
        try exact (rational models), then float, and keep the best, saying so in the notes."""
        tried = []
        for mode in dict.fromkeys([self.mode, *([EXACT] if self.model.is_rational else []), FLOAT]):
            sysm = derive(self.model, [bits], mode=mode, digits=self.digits)[bits]
            if sysm.status == "impossible":
                return sysm
            tried.append((mode, sysm))
            if sysm.derived and _residual(sysm) <= RESIDUAL_TOL:
                break
        usable = [(mode, s) for mode, s in tried if s.derived]
        if not usable:
            return tried[0][1]
        mode, best = min(usable, key=lambda ms: _residual(ms[1]))
        if mode != self.mode or len(tried) > 1:
            first = tried[0][1]
            why = "is undecided" if not first.derived else f"has residual {_residual(first):.1e}"
            self.notes.append(f"region {bits}: the {self.mode} derivation {why}; using the {mode} derivation "
                              f"(residual {_residual(best):.1e})")
        return best

    def usable(self, bits: str) -> RegionSystem | None:
        sysm = self.system(bits)
        return sysm if sysm.derived else None

    def hybrid_of(self, z) -> tuple[str, _HybridStep | None]:
        """(region of z, its latched step or None when it has no continuous-time system), looked up by
        the sign pattern's bytes (cheaper than the region's name on every step)."""
        key = self.signs(z).tobytes()
        hit = self._by_signs.get(key)
        if hit is None:
            bits = region_of(z, self.model)
            hit = self._by_signs[key] = (bits, self.hybrid_step(bits) if self.usable(bits) is not None else None)
        return hit

    def one_step_deviation(self, discrete: np.ndarray, inputs) -> float:
        """max_n |hybrid step from z_n - z_{n+1}| over the steps whose region has a system (steps
        whose deviation is NaN, after an overflow, left out): the steps grouped by region, one matrix
        product per region."""
        X = discrete[:-1]
        groups: dict[bytes, list[int]] = {}
        for n, key in enumerate(map(np.ndarray.tobytes, self.signs(X))):
            groups.setdefault(key, []).append(n)
        dev = 0.0
        for idx in groups.values():
            _, hs = self.hybrid_of(X[idx[0]])
            if hs is None:
                continue
            pred = X[idx] @ hs.F.T + hs.c
            if hs.D is not None and inputs is not None:
                pred = pred + inputs[idx] @ hs.D.T
            err = np.abs(pred - discrete[np.array(idx) + 1]).max(axis=1)
            err = err[~np.isnan(err)]                      # a step that overflowed has no deviation
            if err.size:
                dev = max(dev, float(err.max()))
        return dev

    def hybrid_step(self, bits: str) -> _HybridStep:
        if bits not in self._hybrid:
            sysm = self.system(bits)
            N = sysm.dimension
            E = scipy.linalg.expm(_augmented_float(sysm) * sysm.dt)
            self._hybrid[bits] = _HybridStep(sysm.P @ E[:N, :N] @ sysm.G, sysm.P @ E[:N, N],
                                             sysm.P @ E[:N, N + 1:] if sysm.B is not None else None)
        return self._hybrid[bits]

    def ball(self, bits: str) -> _BallFlow:
        if bits not in self._ball:
            self._ball[bits] = _ball_flow(self.system(bits), self.digits)
        return self._ball[bits]

    # E1 for the step from z (THEORY E1)
    def e1(self, n: int, z, s) -> Verdict:
        bits = region_of(z, self.model)
        sysm = self.usable(bits)
        if sysm is None:
            return Verdict("E1", UNDECIDED, {"step": n, "region": bits, "reason": f"region status "
                           f"{self.system(bits).status}: no continuous-time system"}, "none")
        flow = self.ball(bits)
        ya = flow.augment(sysm.G @ z, s)
        wit: dict[str, Any] = {"step": n, "region": bits}
        with working_precision(PREC):
            check = (flow._whole or flow.whole_step())[3]
            ev = None if check is None else check.evaluate(ya)
            if ev is not None and check.proves(*ev):         # the whole step proved in float64 (Lemma 5.14)
                return Verdict("E1", HOLDS, wit, f"{flow.method}; the step proved in float64 with rigorous "
                                                 "error bounds (proofs/05_trajectory_equivalence.tex, Lemma 5.14)")
            # the fast scan: the same verdict and exit cell as _scan (to which it hands over where its
            # own proofs do not go through), found with fewer ball operations
            sc = _scan_fast(flow, None, 0, _UNITS, ya, None if ev is None else (flow, ev))
        dt = float(self.model.dt)
        if sc.truth is FAILS:
            wit.update(unit=sc.units[0] + 1, units=[u + 1 for u in sc.units],
                       time=[sc.p_lo * dt / _UNITS, sc.p_hi * dt / _UNITS])
            if sc.undecided_at is not None:
                wit["undecided_before"] = sc.undecided_at * dt / _UNITS
        elif sc.truth is UNDECIDED:
            wit["undecided_at"] = sc.undecided_at * dt / _UNITS
        return Verdict("E1", sc.truth, wit, flow.method)

    # one sample interval of the autonomous system
    def autonomous_step(self, n: int, state, segments: list, sliding: list):
        """Advance (region, y) over [n dt, (n+1) dt]; returns the new state or None after a stop.

        The common case first, with nothing but the region's float check (built on an earlier visit):
        the whole step proved inside (:func:`_whole_step_float`), with the end state of
        :func:`_scan_fast`; everything else in :meth:`_autonomous_step`."""
        bits, y = state
        flow = self._ball.get(bits)
        rows = None
        if flow is not None and flow._whole is not None and flow._whole[3] is not None and flow.span >= _UNITS:
            ya = flow.augment(y, None if self.inputs is None else self.inputs[n])
            ev = flow._whole[3].evaluate(ya)
            if ev is not None and flow._whole[3].proves(*ev):
                segments.append(Segment(bits, n * self.dt, (n + 1) * self.dt, np.array(y, dtype=float), n))
                return bits, (flow._whole[2] @ ya)[:flow.N]
            rows = None if ev is None else (flow, ev)
        with working_precision(PREC):
            return self._autonomous_step(n, state, segments, sliding, rows)

    def _autonomous_step(self, n: int, state, segments: list, sliding: list, rows=None):
        bits, y = state
        dt = self.dt
        s = None if self.inputs is None else self.inputs[n]
        p = 0
        t_cur = n * dt                               # where a sliding motion goes on (float time)
        for _ in range(MAX_SWITCHES + 1):
            if isinstance(bits, SlidingMotion | CornerMotion):
                out = self._slide(n, bits, y, t_cur, s, segments, sliding)
                if out is None:
                    return None
                bits, y, p, t_cur, done = out
                if done:
                    return bits, y                   # still sliding at (n+1) dt, or the step is done
                rows = None
                continue
            sysm = self.usable(bits)
            if sysm is None:
                self.notes.append(f"the autonomous trajectory stops at t = {n * dt + p * dt / _UNITS:.6g}: region "
                                  f"{bits} has status {self.system(bits).status}")
                return None
            flow = self.ball(bits)
            ya = flow.augment(y, s)
            sc = _scan_fast(flow, None, p, _UNITS, ya, rows)
            rows = None                             # the float check's rows were for p = 0 in the first region
            t0 = n * dt + p * dt / _UNITS
            if sc.truth is not FAILS:
                if sc.truth is UNDECIDED and n not in self.undecided_steps:
                    # not proved to stay: a tangency at the resolution limit; the run goes on in the
                    # region, and the step is reported as one where a switch may have been missed
                    self.undecided_steps.append(n)
                segments.append(Segment(bits, t0, (n + 1) * dt, np.array(y, dtype=float), n))
                return bits, sc.end_state(flow.N)
            # the exit is proved in [t_lo, t_hi] (width dt 2^-(BASE_CELLS + MAX_LEVEL)); inside it the
            # crossing time is refined in floats and the flow continues from there in the new region
            tau_max = (sc.p_hi - sc.p_lo) * dt / _UNITS
            Af, Sf = flow.float_maps()
            y_lo = _mid(sc.y_lo, flow.n)
            tau = sc.tau if sc.tau is not None else _crossing_time(Af, Sf, y_lo, sc.units, tau_max)
            t_hi = n * dt + sc.p_lo * dt / _UNITS + tau
            segments.append(Segment(bits, t0, t_hi, np.array(y, dtype=float), n))
            y_cross = _taylor(Af, y_lo, tau, flow.taylor_terms)[:flow.N]
            z = y_cross.copy() if flow.N == sysm.M else sysm.P @ y_cross  # P = I unless the region is lifted
            new, z = self._cross(bits, z, sc.units)
            nsys = self.usable(new)
            nflow = None if nsys is None else self.ball(new)
            ya = None if nsys is None else nflow.augment(z if nflow.N == nsys.M else nsys.G @ z, s)
            slide = self._sliding(nflow, ya, sc.units)
            if slide:
                motion = self._enter_sliding(n, t_hi, bits, new, z, y_cross, slide, s, sliding)
                if motion is None:
                    return None
                bits, y, t_cur = motion, z, t_hi
                continue
            if nsys is None:
                bits, y, p = new, z, sc.p_hi
                continue
            # the new region's flow from the crossing point to the bracket's end, where the grid resumes
            yn = _taylor(nflow.aug_float, ya, tau_max - tau, nflow.taylor_terms)
            segments.append(Segment(new, t_hi, n * dt + sc.p_hi * dt / _UNITS, ya[:nflow.N].copy(), n))
            bits, y, p = new, yn[:nflow.N], sc.p_hi
        chatter = f"stopped (chattering: more than {MAX_SWITCHES} switches within one step)"
        if isinstance(bits, SlidingMotion | CornerMotion):
            k, regions, t_stop, where = bits.k, bits.regions[:1] + bits.regions[-1:], t_cur, y
            bits.record.end = chatter + " while sliding"     # not "still sliding at the end of the run"
        else:
            k, regions, t_stop, where = sc.units[0], (segments[-2].region, bits), t_hi, z
        sliding.append(SlidingEvent(n, t_stop, (k + 1,), np.array(where, dtype=float), regions,
                                    chatter, surface_label(self.model, k + 1)))
        return None

    # ---- Filippov sliding (proofs/05_trajectory_equivalence.tex, section "Filippov solutions") -------
    def _pair(self, bits: str, k: int) -> tuple[str, str]:
        """The regions on the - and + side of surface k (0-based) next to region ``bits``."""
        d = list(self.model.pattern(bits))
        d[k] = 0
        minus = self.model.region_name(d)
        d[k] = 1
        return minus, self.model.region_name(d)


    def _stop_sliding(self, sliding: list, n: int, t: float, k: int, z, regions, why: str, units=None) -> None:
        units = tuple(units) if units is not None else (k,)
        sliding.append(SlidingEvent(n, t, tuple(u + 1 for u in units), np.array(z, dtype=float), tuple(regions),
                                    "stopped", surface_label(self.model, k + 1), why))

    # ---- two surfaces at once (proofs/05_trajectory_equivalence.tex, Definition 5.21, Remark 5.22) -------
    def _corner(self, n: int, t: float, bits: str, surfaces: tuple[int, int], z, s):
        """A sliding motion on the intersection of ``surfaces`` (0-based) at z, next to region ``bits``, when
        the four regions around it have M-dimensional fields, the intersection attracts (Definition 5.21) and
        the equivalent control is unique in the open box; returns (motion or None, why not, whether the
        intersection attracts)."""
        k, j = surfaces
        names = f"{surface_label(self.model, k + 1)} and {surface_label(self.model, j + 1)}"
        systems = [[None, None], [None, None]]
        d = list(self.model.pattern(bits))
        for a in (0, 1):
            for b in (0, 1):
                d[k], d[j] = a, b
                name = self.model.region_name(d)
                sysm = self.usable(name)
                if sysm is None:
                    return None, (f"region {name} next to {names} = 0 has no continuous-time system (status "
                                  f"{self.system(name).status}): sliding on both is not defined"), False
                if sysm.dimension != sysm.M:
                    return None, (f"region {name} next to {names} = 0 is lifted (no real logarithm): sliding on two "
                                  "surfaces at once next to a lifted region is not followed (Remark 5.22)"), False
                systems[a][b] = sysm
        label = names
        rec = SlidingSegment(k + 1, label, (), t, t, np.array(z, dtype=float), np.array(z, dtype=float), [n],
                             method=CORNER_METHOD, surfaces=(k + 1, j + 1))
        motion = CornerMotion(self.model, (k, j), systems, rec)
        rec.regions = motion.regions
        z = motion.project(z)
        rec.start_state, rec.end_state = z.copy(), z.copy()
        fields = motion.fields_at(z, s)
        bad = corner_attraction(fields, motion.normals)
        us = equivalent_controls(fields, motion.normals)
        if us is None:
            return None, (f"on {names} = 0 the equivalent controls u with n.F(u) = 0 are not isolated: the sliding "
                          "field is not unique (Remark 5.22)"), bad is None
        inside = [u for u in us if np.all(u > CORNER_TOL) and np.all(u < 1 - CORNER_TOL)]
        if len(us) != 1 or len(inside) != 1:
            return None, (f"on {names} = 0 the equivalent control has {len(inside)} solution(s) in the open box "
                          f"(0, 1)^2 and {len(us) - len(inside)} on its boundary (floats; "
                          f"{', '.join(str(np.round(u, 6).tolist()) for u in us) or 'none'}): the sliding field is "
                          f"{'not unique' if len(us) > 1 else 'not defined' if not us else 'not decided'} "
                          "there (Remark 5.22)"), bad is None
        if bad is not None:
            p, x, what = bad
            return None, (f"both fields push into {names} = 0 at once, but the intersection does not attract "
                          f"(Definition 5.21, floats): on the {'positive' if x else 'negative'} side of "
                          f"{surface_label(self.model, surfaces[p] + 1)} = 0 {what}"), False
        motion.u = inside[0]
        if nodal_attraction_proved(motion, z, s):
            rec.method += ("; at the entry point every field is proved in ball arithmetic to point into both "
                           "surfaces, so the control there is unique (Lemma 5.23)")
        self.slides.append(rec)
        return motion, None, True

    def _corner_ends(self, n: int, motion: CornerMotion, t_end: float, z_end, why, s, sliding: list):
        """The end of a motion on two surfaces at once (see :meth:`_slide`): into one-surface sliding, or a stop."""
        rec = motion.record
        k = motion.k
        lab = [surface_label(self.model, u + 1) for u in motion.surfaces]
        if why[0] == "leaves":
            p, x = why[1], why[2]
            pair = (motion.systems[x][0], motion.systems[x][1]) if p == 0 else (motion.systems[0][x], motion.systems[1][x])
            q = motion.surfaces[1 - p]
            side = "positive" if x else "negative"
            nrec = SlidingSegment(q + 1, lab[1 - p], (pair[0].region, pair[1].region), t_end, t_end, z_end.copy(),
                                  z_end.copy(), [n])
            follow = SlidingMotion(self.model, q, pair[0], pair[1], nrec)
            located = t_end
            t_end, z_end = _past_the_corner_fold(motion, follow, p, x, z_end, t_end, s)
            if t_end > located:         # float steps past the fold (as in :meth:`_slide`): covered as far as the
                # bracket's end t_b, where the end is bracketed (the end state's distance is proved); past t_b, and
                # without a bracket, not enclosed
                upto = located if motion.exit is None else min(t_end, max(located, motion.exit[1]))
                rec.certified_duration += upto - located
                if t_end > upto:
                    rec.uncovered.append((upto, t_end))
            z_end = _onto_side_kept(self.model, motion.surfaces[p], z_end, 1.0 if x else -1.0)
            rec.end_time, rec.end_state = t_end, z_end
            note = motion.record_exit()             # the proved bracket of the end, against the final end state
            vm, vp = follow.normal_components(z_end, s)
            tol = SIDE_TOL * (np.abs(follow.w) @ sum(np.abs(f) for f in follow.side_fields(z_end, s)))
            if not (vm > tol and vp < -tol):
                rec.end = (f"the control of {lab[p]} = 0 reached {x}, where the fields of regions {pair[0].region} and {pair[1].region} "
                           f"do not both push into {lab[1 - p]} = 0: the continuation is not decided{note}")
                self._stop_sliding(sliding, n, t_end, k, z_end, (motion.regions[0], motion.regions[-1]), rec.end,
                                   motion.surfaces)
                return None
            rec.end = (f"the control of {lab[p]} = 0 reached {x}: the sliding field on {lab[1 - p]} = 0 on the {side} side of "
                       f"{lab[p]} = 0 turned tangent to it, and the state leaves {lab[p]} = 0 into that side, "
                       f"sliding on {lab[1 - p]} = 0 between regions {pair[0].region} and {pair[1].region}{note}")
            nrec.start_time = nrec.end_time = t_end
            nrec.start_state, nrec.end_state = z_end.copy(), z_end.copy()
            self.slides.append(nrec)
            return follow, z_end, 0, t_end, False
        if why[0] == "lost":
            p, x = why[1], why[2]
            rec.end = (f"on the {'positive' if x else 'negative'} side of {lab[p]} = 0 the fields stop holding the "
                       f"state at {lab[p]} = 0 other than by its control reaching {x} (Definition 5.21): the "
                       "continuation is not decided (not followed)")
        elif why[0] == "merge":
            rec.end = ("two solutions of the equivalent control merge: past here the sliding field is not unique "
                       "(not followed)")
        elif why[0] == "crosses":
            rec.end = (f"reaches {surface_label(self.model, why[1] + 1)} = 0 while sliding on two surfaces: three "
                       "surfaces at once are not followed") + motion.record_exit()
        else:
            rec.end = f"the integrator failed ({why[1]})"
        self._stop_sliding(sliding, n, t_end, k, z_end, (motion.regions[0], motion.regions[-1]), rec.end,
                           motion.surfaces)
        return None

    def _enter_sliding(self, n: int, t: float, old: str, new: str, z: np.ndarray, y_old: np.ndarray, units, s,
                       sliding: list):
        """A sliding motion from the crossing point z, where the field of region ``new`` is proved (balls,
        :meth:`_sliding`) to point back across ``units``; ``y_old`` is the state of region ``old`` there (in
        its own, possibly lifted, coordinates).  None after a stop (recorded in ``sliding``)."""
        label = surface_label(self.model, units[0] + 1)
        if len(units) == 2:
            motion, why, _ = self._corner(n, t, new, tuple(units), z, s)
            if motion is None:
                self._stop_sliding(sliding, n, t, units[0], z, (old, new), why, units)
            return motion
        if len(units) > 2:
            self._stop_sliding(sliding, n, t, units[0], z, (old, new),
                               f"both fields push into {len(units)} surfaces at once "
                               f"({', '.join(surface_label(self.model, u + 1) for u in units)}): sliding on "
                               "three or more surfaces at once is not followed (Remark 5.22)", units)
            return None
        k = units[0]
        minus, plus = self._pair(new, k)
        fm, fp = self.usable(minus), self.usable(plus)
        if fm is None or fp is None:
            bad = minus if fm is None else plus
            self._stop_sliding(sliding, n, t, k, z, (old, new),
                               f"region {bad} has no continuous-time system (status {self.system(bad).status}): "
                               f"the Filippov sliding field on {label} = 0 is not defined")
            return None
        # the side we came from: its field must be proved to push into the surface too (else grazing)
        oflow, osys = self.ball(old), self.system(old)
        with working_precision(PREC):
            v = oflow.SA * flint.arb_mat(oflow.n, 1, oflow.augment(y_old, s).tolist())
        if not v[k, 0] < 0:
            lifted = (f"; region {old} is lifted, and its flow in {osys.dimension} dimensions need not follow "
                      "its field at the embedded point (Remark 5.19)" if osys.dimension != osys.M else "")
            self._stop_sliding(sliding, n, t, k, z, (old, new),
                               f"the field of region {old} is not proved to cross {label} = 0 at the crossing "
                               f"point (grazing), so neither crossing nor sliding is decided there{lifted}")
            return None
        rec = SlidingSegment(k + 1, label, (minus, plus), t, t, z.copy(), z.copy(), [n])
        motion = SlidingMotion(self.model, k, fm, fp, rec)
        # a lifted side enters with its field at the embedded point (Remark 5.19), which the ball test above
        # (on the lifted state itself) did not see: the sliding condition must be proved for it too
        signs = normal_signs(motion, z, s) if fm.dimension != fm.M or fp.dimension != fp.M else (1, -1)
        if signs != (1, -1):
            vm, vp = motion.normal_components(z, s)
            verdict = "are not proved to push" if 0 in signs else "do not both push"
            self._stop_sliding(sliding, n, t, k, z, (old, new),
                               f"with the field of a lifted side taken at the embedded point (Remark 5.19), "
                               f"w.f- = {vm:.3g} and w.f+ = {vp:.3g} {verdict} into {label} = 0: "
                               "the sliding motion is not defined there")
            return None
        _note_lifted(rec, fm, fp)
        self.slides.append(rec)
        return motion

    def _slide(self, n: int, motion: SlidingMotion, z, t0: float, s, segments: list, sliding: list):
        """Follow the sliding motion from z at t0 to the end of the step or of the sliding; returns
        (motion or region, state, grid position p, time, whether the step is done) or None after a stop."""
        dt = self.dt
        t1 = (n + 1) * dt
        rec = motion.record
        if rec.steps[-1] != n:
            rec.steps.append(n)
        t_end, z_end, why = motion.run(z, s, t0, t1, PER_STEP / dt)
        rec.end_time, rec.end_state = t_end, z_end
        if why is None:
            return motion, z_end, _UNITS, t1, True
        if isinstance(motion, CornerMotion):
            return self._corner_ends(n, motion, t_end, z_end, why, s, sliding)
        if why in ("plus", "minus"):
            side = motion.plus if why == "plus" else motion.minus
            located = t_end
            t_end, z_end = _past_the_fold(motion, z_end, t_end, s, why)
            if t_end > located:         # float steps past the fold: within the bracket's proof as far as its
                # end t_b (the end is bracketed and the end state's distance is proved); past t_b, where the
                # ending condition is proved violated, and without a bracket, not enclosed
                upto = located if rec.exit_bracket is None else min(t_end, max(located, rec.exit_bracket[1]))
                rec.certified_duration += upto - located
                if t_end > upto:
                    rec.uncovered.append((upto, t_end))
            rec.move_end(t_end, z_end)
            rec.end = (f"a reached {1 if why == 'plus' else 0}: the field of region {side.region} turned "
                       f"tangent to the surface, and the state leaves into region {side.region}")
            return self._resume(n, side, z_end, t_end, s, segments, (motion.k, 1.0 if why == "plus" else -1.0))
        if why[0] == "failed":
            rec.end = f"the integrator failed ({why[1]})"
            self._stop_sliding(sliding, n, t_end, motion.k, z_end, motion.regions, rec.end)
            return None
        # another surface crossed while sliding: the pair of regions on either side changes
        j = why[1]
        corner, reason, attracts = self._corner(n, t_end, motion.regions[0], (motion.k, j), z_end, s)
        if corner is not None:
            rec.end = (f"reaches {surface_label(self.model, j + 1)} = 0, where the intersection with it attracts: "
                       "the state slides on both")
            rec.move_end(t_end, corner.record.start_state)
            return corner, corner.record.start_state, 0, t_end, False
        if attracts:
            rec.end = f"reaches {surface_label(self.model, j + 1)} = 0: {reason}"
            self._stop_sliding(sliding, n, t_end, motion.k, z_end, motion.regions, reason, (motion.k, j))
            return None
        minus, plus = (self._flip(b, j) for b in motion.regions)
        fm, fp = self.usable(minus), self.usable(plus)
        cross = surface_label(self.model, j + 1)
        if fm is None or fp is None:
            rec.end = f"reaches {cross} = 0, beyond which a region has no continuous-time system"
            self._stop_sliding(sliding, n, t_end, motion.k, z_end, (minus, plus), rec.end)
            return None
        tmp = SlidingMotion(self.model, motion.k, fm, fp, rec)
        signs = normal_signs(tmp, z_end, s)       # proved in balls at the float crossing point
        vm, vp = tmp.normal_components(z_end, s)
        if signs == (1, -1):                     # still sliding, between the next pair of regions
            rec.regions = (minus, plus)
            rec.exit_bracket = rec.exit_way = rec.exit_distance = None    # the segment goes on
            _note_lifted(rec, fm, fp)
            return tmp, z_end, 0, t_end, False
        if signs in ((1, 1), (-1, -1)):
            side = fp if signs[1] > 0 else fm
            rec.end = f"reaches {cross} = 0, where both fields cross the surface: the state enters region " \
                      f"{side.region}"
            return self._resume(n, side, z_end, t_end, s, segments, (motion.k, float(signs[1])))
        why_not = ("the continuation is not unique" if signs == (-1, 1) else
                   "their signs are not proved there, so the continuation is not decided")
        rec.end = (f"reaches {cross} = 0, where the fields of regions {minus} and {plus} do not both push into "
                   f"the surface (w.f- = {vm:.3g}, w.f+ = {vp:.3g}): {why_not}")
        self._stop_sliding(sliding, n, t_end, motion.k, z_end, (minus, plus), rec.end)
        return None

    def _flip(self, bits: str, j: int) -> str:
        d = list(self.model.pattern(bits))
        d[j] = 1 - d[j]
        return self.model.region_name(d)

    def _resume(self, n: int, sysm: RegionSystem, z, t: float, s, segments: list, side: tuple[int, float]):
        """The region flow from the point z where sliding ended at time t, to the next grid point of the
        exit scan (integer time units), as after a crossing; the state there kept on ``side`` = (surface,
        sign) of the surface it left (:func:`~.sliding.onto_side`: its distance from the surface is then
        far below the rounding of that short flow)."""
        dt = self.dt
        unit = dt / _UNITS
        frac = (t - n * dt) / unit
        p = min(_UNITS, max(0, math.ceil(frac)))
        flow = self.ball(sysm.region)
        ya = flow.augment(sysm.G @ z, s)
        yn = _taylor(flow.aug_float, ya, max(0.0, p - frac) * unit, flow.taylor_terms)
        segments.append(Segment(sysm.region, t, n * dt + p * unit, ya[:flow.N].copy(), n))
        return sysm.region, onto_side(self.model, *side[:1], yn[:flow.N], side[1]), p, t, p >= _UNITS

    def _cross(self, bits: str, z: np.ndarray, units) -> tuple[str, np.ndarray]:
        """The region entered when the exit functions ``units`` cross zero at the (float) point z, and
        z put on those hyperplanes: a PLRNN's coordinate set to 0; for the general form z moved
        orthogonally onto W2_k z + h2_k = 0 (a float correction of the float crossing point)."""
        if isinstance(self.model, PLRNN):
            new = list(bits)
            for u in units:
                z[u] = 0.0
                new[u] = "0" if bits[u] == "1" else "1"
            return "".join(new), z
        num = self.model.numeric
        d = list(self.model.pattern(bits))
        for u in units:
            w = num.W2[u]
            if np.any(w):
                z = z - (w @ z + num.h2[u]) / (w @ w) * w
            d[u] = 1 - d[u]
        return self.model.region_name(d), z

    @staticmethod
    def _sliding(flow: _BallFlow | None, ya, units) -> list[int]:
        """Units u crossed where the new region's field points back: both fields point into z_u = 0
        (``flow``, ``ya``: the new region's ball flow and the augmented crossing point G z, 1, s
        there; None if it has no system)."""
        if ya is None:
            return []
        # the float field decides where it is far from 0: there the ball (whose midpoint differs from
        # it by rounding, ~1e-16 of the magnitude) cannot be < 0
        SA, absSA = flow.float_field()
        for u in units:
            if not SA[u] @ ya > 1e-9 * (absSA[u] @ np.abs(ya)):
                break
        else:
            return []
        with working_precision(PREC):
            v = flow.SA * flint.arb_mat(flow.n, 1, ya.tolist())   # sign-adjusted: > 0 means into the new region
        return [u for u in units if v[u, 0] < 0]


def _past_the_fold(motion: SlidingMotion, z: np.ndarray, t: float, s, why: str) -> tuple[float, np.ndarray]:
    """Where the integrator located the end of a sliding motion, the normal component v of the side
    it leaves into is 0 only up to the event location's accuracy; one of the wrong sign would make the
    region flow cross straight back (a spurious re-entry).  Step on along the sliding field until
    v has the sign of leaving, by a margin at the rounding level of v: a step of the size of the event
    location's error (Euler steps; a degenerate rate leaves z as it is)."""
    sign = 1.0 if why == "plus" else -1.0            # leaving into + needs v+ > 0, into - needs v- < 0
    for _ in range(3):
        fm, fp = motion.side_fields(z, s)
        v = motion.w @ (fp if why == "plus" else fm)
        margin = FOLD_ULPS * np.finfo(float).eps * (np.abs(motion.w) @ (np.abs(fm) + np.abs(fp)))
        if sign * v >= margin:
            break
        fs = motion.field(z, s)
        F = motion._fields[1 if why == "plus" else 0][0]
        rate = motion.w @ (F @ fs)                    # dv/dt along the sliding motion
        if not sign * rate > 0:
            break
        tau = (2 * margin - sign * v) / (sign * rate)
        z, t = motion.project(z + tau * fs), t + tau
    return t, z


def _past_the_corner_fold(corner: CornerMotion, follow: SlidingMotion, p: int, x: int, z, t: float, s):
    """As :func:`_past_the_fold`, where a motion on two surfaces leaves surface p into side x: step along the
    sliding field on the other surface (``follow``) until it points away from surface p by a margin at the
    rounding level (doubling steps from one of that size; at most 24)."""
    sign = 1.0 if x else -1.0                   # leaving into side x: sign n_p.f_s > 0
    n_p = corner.normals[p]
    fs = follow.field(z, s)
    speed = float(np.abs(fs).max())
    if not speed > 0:
        return t, z
    tau = FOLD_ULPS * np.finfo(float).eps * max(1.0, float(np.abs(z).max())) / speed
    for _ in range(24):
        fs = follow.field(z, s)
        margin = FOLD_ULPS * np.finfo(float).eps * float(np.abs(n_p) @ sum(np.abs(f) for f in follow.side_fields(z, s)))
        if sign * float(n_p @ fs) >= margin:
            break
        z, t = follow.project(z + tau * fs), t + tau
        tau *= 2
    return t, z


def _onto_side_kept(model, k: int, z, sign: float) -> np.ndarray:
    """z put strictly on side ``sign`` of surface k (:func:`~.sliding.onto_side`); for a PLRNN a tiny
    coordinate of that sign instead of 0, so that the sliding motion on the other surface does not start
    on surface k (where its event location would stop it at once)."""
    if isinstance(model, PLRNN):
        z = np.array(z, dtype=float)
        z[k] = sign * 2.0 ** -1000
        return z
    return onto_side(model, k, z, sign)


def _note_lifted(rec: SlidingSegment, *sides: RegionSystem) -> None:
    """Say in the segment's method when a side is a lifted region (its field taken at the embedded point)."""
    for sysm in sides:
        if sysm.dimension != sysm.M and f"region {sysm.region} " not in rec.method:
            rec.method += (f"; region {sysm.region} is lifted (no real logarithm): its field is taken at the embedded "
                           "point, P (L G z + g), proofs/05_trajectory_equivalence.tex, Remark 5.19")


@threadpool_limits.wrap(limits=1)   # small matrices: a second BLAS thread stalls expm on a busy machine
@np.errstate(over="ignore", invalid="ignore")   # float overflow is reported in the summary (and E1 is NaN-safe)
def simulate(model: PLRNN, steps: int = 100, z0=None, system: str = "both", inputs=None, mode: str = CERTIFIED,
             digits: int = 30, e1: bool = True, burn_in: int = 0, progress: bool = False,
             systems: dict[str, RegionSystem] | None = None) -> SimulationResult:
    """Simulate the discrete PLRNN and its continuous-time systems side by side (THEORY section 5).

    Parameters
    ----------
    model : PLRNN
    steps : int
        Number of steps N; the sample times are 0, dt, ..., N dt.
    z0 : (M,) array_like, optional
        Initial state; default the model's own ``z0``, else the origin.
    system : "hybrid", "autonomous" or "both"
        Which continuous-time systems to run (E3 sample and hold, or the switching one).
    inputs : (steps, K) array_like, optional
        s_0, ..., s_{steps-1}, held constant over each step.
    mode : "exact", "certified" or "float"
        How ``derive`` builds each visited region's system (regions are derived lazily,
        once).  Certified (default) is rigorous at ``digits`` digits and fast on trained
        float weights; exact gives closed forms on rational models, so that E1 is decided
        for the exact system.
    burn_in : int
        Steps of the discrete map run from ``z0`` first (not simulated, not counted), e.g. to
        start on an attractor.
    e1 : bool
        Decide E1 for each step from the discrete state z_n.
    progress : bool
        A progress bar on stderr (shown only on a terminal).
    systems : dict, optional
        Region systems derived before (e.g. ``earlier_result.systems``), reused and not derived again.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.75]], W=[[0, 0.25], [0.125, 0]], h=[0.25, 0.125])
    >>> r = simulate(m, steps=5, z0=[1, 1])
    >>> r.max_deviation_hybrid < 1e-12, r.e1_counts
    (True, {'holds': 5, 'fails': 0, 'undecided': 0})
    >>> r.max_deviation_autonomous < 1e-12
    True
    """
    check_mode(mode)
    if system not in SYSTEMS:
        raise InputError(f"unknown system {system!r}: choose one of {', '.join(SYSTEMS)}")
    if not isinstance(steps, int | np.integer) or steps < 0:
        raise InputError(f"steps must be a nonnegative integer, got {steps!r}")
    num = model.numeric
    if z0 is None:
        z0 = num.z0 if num.z0 is not None else np.zeros(model.M)
    z0 = np.asarray(z0, dtype=float).ravel()
    if not isinstance(burn_in, int | np.integer) or burn_in < 0:
        raise InputError(f"burn_in must be a nonnegative integer, got {burn_in!r}")
    if burn_in:
        z0 = num.trajectory(z0, burn_in)[-1]
    if inputs is not None:
        inputs = np.asarray(inputs, dtype=float)
        if inputs.ndim == 1:
            inputs = inputs.reshape(-1, 1)
        if model.K == 0:
            raise InputError("the model has no input weights C; inputs cannot be used")
        if inputs.ndim != 2 or inputs.shape[0] < steps or inputs.shape[1] != model.K:
            raise InputError(f"inputs must be a (steps={steps}, K={model.K}) array, got shape {inputs.shape}")
        inputs = inputs[:steps]
    discrete = num.trajectory(z0, steps, inputs)
    finite = np.isfinite(discrete).all(axis=1)
    finite_steps = steps + 1 if finite.all() else int(np.argmin(finite))   # states z_0 .. z_{finite_steps - 1}
    sim = _Simulator(model, mode, digits)
    if systems:
        sim.systems.update(systems)
    if mode == FLOAT:
        sim.derive_ahead(discrete)
    sim.inputs = inputs
    dt = float(model.dt)
    M = model.M
    run_h = system in ("hybrid", "both")
    run_a = system in ("autonomous", "both")
    hyb = np.full((steps + 1, M), np.nan) if run_h else None
    aut = np.full((steps + 1, M), np.nan) if run_a else None
    verdicts: list[Verdict] = []
    segments: list[Segment] = []
    sliding: list[SlidingEvent] = []
    step_dev = 0.0
    if run_h:
        hyb[0] = z0
    a_state = None
    if run_a:
        aut[0] = z0
        b0 = region_of(z0, model)
        s0 = sim.usable(b0)
        a_state = (b0, s0.G @ z0) if s0 is not None else None
        if s0 is None:
            sim.notes.append(f"the autonomous trajectory cannot start: region {b0} has status {sim.system(b0).status}")
    h_alive = run_h
    if run_h:
        step_dev = sim.one_step_deviation(discrete, inputs)
    from tqdm import tqdm

    for n in tqdm(range(steps), desc="simulate", unit="step", file=sys.stderr, leave=False,
                  disable=None if progress and steps >= 50 else True):
        s = None if inputs is None else inputs[n]
        z = discrete[n]
        if h_alive:
            zh = hyb[n]
            bh, hs = sim.hybrid_of(zh)
            if hs is None:
                sim.notes.append(f"the hybrid trajectory stops at step {n}: region {bh} has status "
                                 f"{sim.system(bh).status} (no continuous-time system)")
                h_alive = False
            else:
                hyb[n + 1] = hs(zh, s)
        if e1:
            verdicts.append(sim.e1(n, z, s) if n < finite_steps else Verdict(
                "E1", UNDECIDED, {"step": n, "region": None, "reason": "the discrete state is beyond the float64 range"},
                "none"))
        if run_a and a_state is not None:
            a_state = sim.autonomous_step(n, a_state, segments, sliding)
            if a_state is not None:
                aut[n + 1] = a_state[1][:M]     # P y, P = [I, 0] (transform._lift_maps)
    if sim.undecided_steps:
        sim.notes.append(f"the autonomous exit scan is undecided at {len(sim.undecided_steps)} step(s) (first: step "
                         f"{sim.undecided_steps[0]}): not proved to stay in the region, the trajectory continues "
                         "there, so a switch may have been missed at those steps (autonomous_undecided_steps)")
    return SimulationResult(model, mode, system, np.arange(steps + 1) * dt, discrete, hyb, aut, tuple(verdicts),
                            step_dev if run_h else None, tuple(sliding), tuple(segments), inputs, dict(sim.systems),
                            tuple(dict.fromkeys(sim.notes)), tuple(sim.undecided_steps), tuple(sim.slides))


__all__ = ["simulate"]
