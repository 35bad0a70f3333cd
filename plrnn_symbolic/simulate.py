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
  exit time is isolated rigorously (below) and the flow continues from the crossing
  point in the region the state has entered.  At a switch into or out of a lifted
  region the state is projected with P and re-embedded with G of the new region
  (the added coordinates restart at zero); within one region the N-dimensional state
  is kept across sample times.  When the vector fields on both sides of the crossed
  boundary point into it (sliding), the autonomous trajectory *stops* there and the
  event is reported: the Filippov sliding flow is not affine, so it has no closed
  form here, and following the discontinuous field would only chatter.

Exit times and E1.  Each coordinate of the region flow y(t) = e^{Aug t} y_0, with
Aug = [[L, g, B], [0, 0, 0]] and y_0 = (z, 1, s), is an exponential polynomial in t.
The step [0, dt] is covered by dyadic cells; per region and cell width w, the ball
matrices e^{Aug w} and e^{Aug [0, w]} (an enclosure for every t in the cell, from
FLINT's ``arb_mat.exp`` of a ball matrix) are computed once.  On a cell, a
coordinate f (sign-adjusted so that the closure of the region is f >= 0) is proved
to stay in the closure by the enclosure itself or by the mean-value forms
f(t0) + [0, w] f'(cell) and f(t1) - [0, w] f'(cell); it is proved to have left when
its ball at the cell's end is < 0 (proofs/05_trajectory_equivalence.tex, Lemmas 5.10
and 5.12(b)).  Undecided cells are bisected, so no crossing can be missed (proofs/05_trajectory_equivalence.tex,
Proposition 5.13): the first exit time is enclosed in [t_lo, t_hi] with t_hi - t_lo =
dt 2^-(3 + MAX_LEVEL), and E1 is

* holds: every cell is proved to stay in the closure;
* fails: a coordinate is proved < 0 at some t in (0, dt] (the first one is reported);
* undecided: otherwise (a tangency at the resolution limit).

The autonomous system reaches the same finest cells more cheaply (``_scan_fast``).  An
interval [p, q] (a "chunk", of any length) is proved inside the closure by the chord form:
f(t) = chord(t) + f''(xi)/2 (t - p)(t - q), so f >= min(f(p), f(q)) - (q - p)^2/8 sup f'',
checked for all coordinates at once (three ball-vector containments), where f'' is enclosed
over the dyadic cell [p, p + 2^j] containing [p, q] (proofs/05_trajectory_equivalence.tex, Lemma 5.12(a)).  That enclosure is taken in a real
eigenvector basis V of Aug (``_modal_basis``): S Aug^2 e^{Aug s} y = S V Lm^2 e^{Lm s} V^-1 y with
Lm = V^-1 Aug V nearly block diagonal (proofs/05_trajectory_equivalence.tex, Lemma 5.11), so each mode contributes its own range, and a fast mode of
small amplitude (the stiff lifted regions of trained models) does not inflate it; in the original
coordinates the entrywise enclosure of e^{Aug [0, w]} mixes the fast modes into every entry and
was hundreds of times too wide.  Coordinates the chord leaves (next to an exit, where f(q) ~ 0)
are tried by the mean-value forms above and by second-order Taylor forms with Lagrange
remainder (Lemma 5.12(b)-(d)).  The states at p and q are products of cached e^{Aug c 8^j unit}; the cell
enclosures come from one exponential per region (cells of dt/8) and, for coarser cells, by
doubling (the entrywise union of X and X e^{Lm w} encloses [0, 2w] when X encloses [0, w];
Lemma 5.10(b)).
Chunk lengths adapt per region like an integrator's step.  The first exit is estimated in floats
(16 samples per step, Newton on Taylor polynomials), and the unit [u, u + 1] containing it is
accepted only when [p, u] is proved inside the closure and the state at u + 1 proved outside
(then the first exit lies in [u, u + 1]: Proposition 5.13(b));
otherwise the bisection above does the work.  Floats only choose where to look, never what is
proved.  The ball flows are cached per region system object, so ``simulate(..., systems=...)``
reuses them.

Most steps never reach the balls.  The terms of the chord form over the whole step (f(0), f(dt),
f(0) - K f'' and f(dt) - K f''), those of a Taylor form at the start (f(0), f'(0) and
f(0) + dt f'(0) + 4K f'', for a coordinate that moves into the region, as just after a switch) and
4K f'' are all linear in (y, V^-1 y); their ball matrices are turned once per region into float
midpoints and one error matrix (:mod:`.floatball`, proofs/05_trajectory_equivalence.tex, Lemma 5.14),
and a step from the float state y is proved by three numpy products: each coordinate by one of the
two forms.  Where that fails, the same rows bracket the exit (``_exit_from_rows``): the coordinates
a form proves need nothing more, and each other one needs f'' of one sign over the step and, from
one ball product at the estimated exit, f >= 0 there (and f' <= 0 where f is convex).  E1 for each
step takes the float check first and then the fast scan, which reaches the bisection's verdicts and
exit cells.

What is rigorous.  The cell arithmetic is ball arithmetic (FLINT, 128 bits), and the float
check bounds every rounding error of its float operations (Lemma 5.14).  The
region system is enclosed exactly when ``derive`` gave a closed form (exact mode),
else its float L, g, B are widened to cover the rounding of the certified
derivation (certified mode; labelled so) or taken as they are (float mode: a
statement about the float system, labelled ``float``).  The starting states are the
float states of the trajectories: a verdict is about the flow from that float vector.
The autonomous trajectory restarts from a float vector after each crossing.
"""

from __future__ import annotations

import math
import sys
import weakref
from dataclasses import dataclass, field
from typing import Any

import flint
import numpy as np
import scipy.linalg
from threadpoolctl import threadpool_limits

from . import floatball
from .domains import CERTIFIED, EXACT, FLOAT, check_mode, to_arb, working_precision
from .errors import InputError
from .model import PLRNN
from .regions import region_of
from .transform import RegionSystem, derive
from .truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict

SYSTEMS = ("hybrid", "autonomous", "both")
PREC = 128                 # bits of the ball arithmetic for exit times
ENCLOSURE_PREC = 30        # bits of the exponential of the interval matrix behind the cell enclosures (wide anyway)
POINT_PREC = 96            # bits of e^{Aug unit}, the start of the squarings in _BallFlow.point (see there)
BASE_CELLS = 3             # a step is first covered by 2^3 cells
MAX_LEVEL = 24             # bisection depth below the base cells: exits proved to within dt 2^-27
_UNITS = 1 << (BASE_CELLS + MAX_LEVEL)   # integer time units per step
CELL_BUDGET = 600          # cells one scan may bisect into before undecided cells are given up
ENCLOSURE_ROOT = 0         # cell enclosures by exp at this level, coarser ones by doubling, none finer
MAX_SWITCHES = 64          # region switches of the autonomous system within one step before it stops
RESIDUAL_TOL = 1e-12       # a region system must reproduce its step to this (max norm) to be used


def _residual(sysm: RegionSystem) -> float:
    r = sysm.residual
    return max(float(r.get("exp", math.inf)), float(r.get("affine", math.inf)))


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
    """The vector fields on both sides of a boundary point into it: Filippov sliding."""

    step: int
    time: float
    units: tuple[int, ...]     # 1-based
    state: np.ndarray
    regions: tuple[str, str]   # (coming from, would enter)
    action: str = "stopped"

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "time": self.time, "units": list(self.units), "state": self.state.tolist(),
                "regions": list(self.regions), "action": self.action}


@dataclass(frozen=True)
class SimulationResult:
    """Trajectories of the discrete map and of its continuous-time systems at the sample times.

    Attributes
    ----------
    times : (steps + 1,) sample times n dt
    discrete, hybrid, autonomous : (steps + 1, M) arrays (``None`` if not simulated; NaN after a stop)
    e1 : one :class:`~plrnn_symbolic.truth.Verdict` per step (E1 for the step from z_n, n < steps)
    hybrid_step_deviation : max over n of |P Phi_dt(G z_n) - z_{n+1}| (one hybrid step from the discrete state)
    sliding : detected sliding events (the autonomous trajectory stops at the first)
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

    @property
    def e1_counts(self) -> dict[str, int]:
        out = {"holds": 0, "fails": 0, "undecided": 0}
        for v in self.e1:
            out[v.status] += 1
        return out

    def e1_truths(self) -> list[Truth]:
        return [v.truth for v in self.e1]

    def summary(self) -> str:
        m = self.model
        c = self.e1_counts
        n = max(1, len(self.e1))
        head = (f"model {m.name or '(unnamed)'}: M = {m.M}, dt = {m.dt}, {self.steps} steps, system {self.system}, "
                f"derivation mode {self.mode}, {len(self.systems)} region systems derived (the regions the "
                f"discrete and continuous trajectories enter)")
        lines = [head]
        if self.e1:
            lines.append(f"E1 (region flow stays in its region for the whole step): holds {c['holds']}, "
                         f"fails {c['fails']} ({c['fails'] / n:.1%}), undecided {c['undecided']}")
            first = next((v for v in self.e1 if v.truth is FAILS), None)
            if first is not None:
                w = first.witness
                lines.append(f"  first failure: step {w['step']}, unit {w['unit']} leaves region {w['region']} "
                             f"at t in [{w['time'][0]:.6g}, {w['time'][1]:.6g}] (within the step)")
        if self.hybrid is not None:
            lines.append(f"hybrid (sample and hold, E3): max deviation from the discrete trajectory "
                         f"{self.max_deviation_hybrid:.3e} (one step from z_n: {self.hybrid_step_deviation:.3e})")
        if self.autonomous is not None:
            lines.append(f"autonomous (switches at zero crossings): max deviation {self.max_deviation_autonomous:.3e}, "
                         f"{len(self.segments)} pieces")
        for ev in self.sliding:
            lines.append(f"  sliding at step {ev.step}, t = {ev.time:.6g}: units {list(ev.units)} between regions "
                         f"{ev.regions[0]} and {ev.regions[1]}; the autonomous trajectory {ev.action} there")
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
            "regions": {b: {"status": s.status, "dimension": s.dimension, "method": s.method}
                        for b, s in self.systems.items()},
            "notes": list(self.notes),
        }
        if details:
            out["e1_steps"] = [{"status": v.status, "method": v.method, **v.witness} for v in self.e1]
            out["times"] = self.times.tolist()
            out["discrete"] = self.discrete.tolist()
            for key in ("hybrid", "autonomous"):
                x = getattr(self, key)
                out[key] = None if x is None else [[None if not np.isfinite(v) else float(v) for v in row] for row in x]
        return out

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
                sysm = self.systems[region_of(z)]
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
        else:
            raise InputError(f"unknown system {which!r}: 'hybrid' or 'autonomous'")
        if not ts:
            return np.zeros(0), np.zeros((0, self.model.M))
        return np.concatenate(ts), np.concatenate(zs)

    def _input(self, n: int):
        return None if self.inputs is None else self.inputs[n]


# ---- per-region precomputation ------------------------------------------------------------------
class _FloatFlows:
    """Float closed-form flows, one augmented exponential per (region, duration)."""

    def __init__(self, systems: dict[str, RegionSystem]):
        self.systems = systems
        self._cache: dict[tuple[str, float], np.ndarray] = {}

    def expm(self, sysm: RegionSystem, t: float) -> np.ndarray:
        key = (sysm.region, t)
        if key not in self._cache:
            self._cache[key] = scipy.linalg.expm(_augmented_float(sysm) * t)
        return self._cache[key]

    def sampled(self, sysm: RegionSystem, y0, s, duration: float, k: int):
        """The flow from y0 at k + 1 equally spaced times in [0, duration]."""
        N = sysm.dimension
        E = self.expm(sysm, duration / k)
        y = _augmented_state(y0, s, sysm)
        out = np.empty((k + 1, N))
        for i in range(k + 1):
            out[i] = y[:N]
            y = E @ y
        return np.linspace(0.0, duration, k + 1), out


def _augmented_float(sysm: RegionSystem) -> np.ndarray:
    N = sysm.dimension
    K = 0 if sysm.B is None else sysm.B.shape[1]
    aug = np.zeros((N + 1 + K, N + 1 + K))
    aug[:N, :N] = sysm.L
    aug[:N, N] = sysm.g
    if K:
        aug[:N, N + 1:] = sysm.B
    return aug


def _augmented_state(y, s, sysm: RegionSystem) -> np.ndarray:
    K = 0 if sysm.B is None else sysm.B.shape[1]
    out = np.empty(sysm.dimension + 1 + K)
    out[:sysm.dimension] = y
    out[sysm.dimension] = 1.0
    if K:
        out[sysm.dimension + 1:] = 0.0 if s is None else s
    return out


@dataclass(frozen=True)
class _HybridStep:
    """z -> P e^{L dt} G z + P dt phi1(L dt) (g + B s): one latched step, precomputed."""

    F: np.ndarray       # M x M
    c: np.ndarray       # M
    D: np.ndarray | None  # M x K

    def __call__(self, z, s=None) -> np.ndarray:
        out = self.F @ z + self.c
        if self.D is not None and s is not None:
            out = out + self.D @ s
        return out


_FLOWS: dict[tuple[int, int], tuple[Any, Any]] = {}   # (id(system), digits) -> (weak reference, _BallFlow)
MAX_CACHED_FLOWS = 4096


def _ball_flow(sysm: RegionSystem, digits: int) -> _BallFlow:
    """The ball flow of a region system, built once per system object and kept while the object
    lives (``simulate(..., systems=...)`` reuses the systems of an earlier run, and with them their
    enclosures): a cache keyed by the object's identity, emptied by a weak-reference callback."""
    key = (id(sysm), digits)
    hit = _FLOWS.get(key)
    if hit is not None and hit[0]() is sysm:
        return hit[1]
    flow = _BallFlow(sysm, digits)
    if len(_FLOWS) >= MAX_CACHED_FLOWS:
        _FLOWS.clear()

    def forget(ref, key=key):
        if _FLOWS.get(key, (None,))[0] is ref:
            del _FLOWS[key]

    _FLOWS[key] = (weakref.ref(sysm, forget), flow)
    return flow


class _BallFlow:
    """Ball-arithmetic flow of one region for the exit-time search.

    ``S`` picks the M state coordinates (P) and flips their signs so that the closure
    of the region is S y >= 0; per cell level the point map e^{Aug w}, and the cell
    enclosures S e^{Aug [0, w]} and S Aug e^{Aug [0, w]} are cached.
    """

    def __init__(self, sysm: RegionSystem, digits: int):
        # no reference to the system itself (the flows are cached per system, see _ball_flow)
        self.N = sysm.dimension
        self.aug_float = _augmented_float(sysm)
        self.region = sysm.region
        N = sysm.dimension
        K = 0 if sysm.B is None else sysm.B.shape[1]
        self.n = n = N + 1 + K
        M = sysm.M
        with working_precision(PREC):
            aug = flint.arb_mat(n, n)
            if sysm.L_exact is not None and not sysm.L_exact.free_symbols:
                self.method = "certified (ball arithmetic on the exact region system)"
                for i in range(N):
                    for j in range(N):
                        aug[i, j] = to_arb(sysm.L_exact[i, j])
                    aug[i, N] = to_arb(sysm.g_exact[i])
                    for j in range(K):
                        aug[i, N + 1 + j] = to_arb(sysm.B_exact[i, j])
            else:
                Af = self.aug_float
                if sysm.method.startswith("certified"):
                    # the certified derivation's balls were rounded to float64: cover that rounding
                    # (relative 2^-50) and the derivation's own accuracy (digits)
                    rel, absolute = 2.0**-50, 10.0 ** -(digits - 5) * float(np.abs(Af).max())
                    self.method = "certified (ball arithmetic on the derived system, widened to cover its rounding)"
                else:
                    rel, absolute = 0.0, 0.0
                    self.method = "float (ball arithmetic on the float-derived system)"
                # every entry x of the first N rows widened to x +- (rel |x| + absolute), as two matrix
                # operations (the float entries are exact; the last rows stay exactly zero)
                aug = flint.arb_mat(Af.tolist())
                if rel:
                    aug = aug * flint.arb(1, rel)
                if absolute:
                    zero, r = flint.arb(0), flint.arb(0, absolute)
                    aug = aug + flint.arb_mat(n, n, [r] * (N * n) + [zero] * ((n - N) * n))
            self.aug = aug
            # S: the rows of P (entries 0 and 1), the sign flipped where the region has the unit off
            Sf = np.zeros((M, n))
            Sf[:, :N] = np.asarray(sysm.P, dtype=float) * np.array([1.0 if b == "1" else -1.0 for b in sysm.region])[:, None]
            self.S = flint.arb_mat(M, n, Sf.ravel().tolist())
        self._float = (self.aug_float, Sf)
        self._levels: dict[int, tuple] = {}
        self._point: dict[int, Any] = {}
        self._rows: list[list | None] = [None] * ((MAX_LEVEL + BASE_CELLS + 3) // 3)   # see row()
        self._enclosures: dict[tuple[int, int], Any] = {}     # (order, level) -> see derivative()
        # the step: exact (a ball around the exact dt) for an exact system, whose flow E1 is about; the
        # float dt otherwise (a certified system's widening, relative 2^-50, covers float(dt) vs dt)
        with working_precision(PREC):
            exact = sysm.L_exact is not None and not sysm.L_exact.free_symbols     # the branch above
            self.dt = to_arb(sysm.dt_exact) if exact and sysm.dt_exact is not None else flint.arb(sysm.dt)
        self.unit = float(sysm.dt) / _UNITS      # one time unit (float; only for float estimates)
        # terms of the Taylor polynomial of e^{Aug tau}, tau <= one time unit, exact to rounding:
        # the first omitted one, (unit ||Aug||)^k / k!, below 1e-17
        x = self.unit * float(np.abs(self.aug_float).sum(axis=1).max())
        k = 2
        while k < 30 and (x > 1e10 or x ** k / math.factorial(k) >= 1e-17):   # x ** k overflows past 1e308
            k += 1
        self.taylor_terms = k
        self._root = None                      # e^{Lm [0, w]} at ENCLOSURE_ROOT (see derivative())
        self._modal_points: dict[int, Any] = {}
        self._pairs: dict[int, tuple] = {}     # level -> enclosure(level)
        self._chords: dict[tuple[int, int], Any] = {}   # (level, e) -> K Tdd (see chord())
        self._whole = None                     # see whole_step()
        self._out = None                       # see step_out()
        self._exit_rows = None                 # see exit_rows()
        self.nonneg = _nonnegative(M)
        self.span = _UNITS >> BASE_CELLS        # chunk length that _prove_in tries first (adapted there)
        with working_precision(PREC):
            self.SA = self.S * self.aug
            # modal coordinates x = V^-1 y for the derivative enclosures (see enclosure())
            V = _modal_basis(self.aug_float)
            if V is None:
                self.V = self.W = None
                self.Lm, SV = self.aug, self.S
            else:
                self.V = flint.arb_mat(V.tolist())          # exact: float entries
                self.W = self.V.inv()                       # a ball enclosure of V^-1
                self.Lm = self.W * self.aug * self.V        # encloses V^-1 Aug V
                SV = self.S * self.V
            SVL = SV * self.Lm
            # S V Lm and S V Lm^2, for the enclosures of the coordinates' first two derivatives
            self._SVL = (SVL, SVL * self.Lm)

    def level(self, k: int):
        """(w, e^{Aug w}, S e^{Aug [0,w]}, S Aug e^{Aug [0,w]}) for cells of width dt 2^-(BASE_CELLS + k)
        (proofs/05_trajectory_equivalence.tex, Lemma 5.10(a))."""
        if k not in self._levels:
            with working_precision(PREC):
                w = flint.arb(self.dt) / (1 << (BASE_CELLS + k))
                E = (self.aug * w).exp()
                Ec = (self.aug * (w / 2 + flint.arb(0, 1) * (w / 2))).exp()
                SEc = self.S * Ec
                SAEc = self.S * (self.aug * Ec)
                self._levels[k] = (w, E, SEc, SAEc)
        return self._levels[k]

    def point(self, k: int):
        """e^{Aug w} (ball) for w = dt 2^-(BASE_CELLS + k), -BASE_CELLS <= k <= MAX_LEVEL: the finest
        by ``exp``, the others by squaring (an enclosure of a product of enclosures; proofs/05_trajectory_equivalence.tex,
        Lemma 5.10(c)).  The finest is
        taken at POINT_PREC bits (half the cost of PREC): the 27 squarings double its relative radius
        each, so e^{Aug dt/8} is still within about 2^-69 of exact, far below the float states'
        2^-53; the squarings themselves run at PREC, which costs no more than fewer bits."""
        E = self._point.get(k)
        if E is None:
            with working_precision(PREC):
                if not self._point:
                    with working_precision(POINT_PREC):
                        self._point[MAX_LEVEL] = (self.aug * (flint.arb(self.dt) / _UNITS)).exp()
                i = min(self._point)                 # the cached levels are i .. MAX_LEVEL
                E = self._point[i]
                for level in range(i - 1, k - 1, -1):
                    E = E * E
                    self._point[level] = E
        return E

    def row(self, j: int) -> list:
        """[None, e^{Aug c 8^j unit} for c = 1 .. 7] (balls; the c that do not fit in a step left
        out): the powers of two from :meth:`point`, the others their products."""
        r = self._rows[j]
        if r is None:
            k = MAX_LEVEL - 3 * j
            with working_precision(PREC):
                P1 = self.point(k)
                r = [None, P1]
                if k - 1 >= -BASE_CELLS:
                    P2 = self.point(k - 1)
                    r += [P2, P2 * P1]
                if k - 2 >= -BASE_CELLS:
                    P4 = self.point(k - 2)
                    P6 = P4 * P2
                    r += [P4, P4 * P1, P6, P6 * P1]
            self._rows[j] = r
        return r

    def modal(self, y):
        """x = V^-1 y (ball), the coordinates the enclosures of :meth:`enclosure` apply to."""
        return y if self.W is None else self.W * y

    def enclosure(self, k: int):
        """(w, Td, Tdd) for w = dt 2^-(BASE_CELLS + k) (-BASE_CELLS <= k <= ENCLOSURE_ROOT; a finer k
        gets the level ENCLOSURE_ROOT, whose cell contains its cell): Td = S V Lm e^{Lm [0,w]}
        and Tdd = S V Lm^2 e^{Lm [0,w]}, Lm = V^-1 Aug V, so that for the cell [0, w] from y the
        products Td x and Tdd x (x = V^-1 y, :meth:`modal`) enclose the first and second derivatives
        of the sign-adjusted coordinates: d^j/dt^j S e^{Aug t} y = S Aug^j e^{Aug t} y
        = S V Lm^j e^{Lm t} V^-1 y (proofs/05_trajectory_equivalence.tex, Lemma 5.11).

        V is a real eigenvector basis of Aug (:func:`_modal_basis`; the identity when there is none),
        so e^{Lm t} is nearly block diagonal: the enclosure over a cell takes each mode's own range,
        and a fast mode of small amplitude contributes only its small amplitude.  In the original
        coordinates the entries of S Aug^2 e^{Aug t} vary with the fast modes, and their entrywise
        ranges times y over-estimate f'' by orders of magnitude on stiff regions.  V is exact
        (float entries); W = V^-1 and Lm are ball enclosures, so each product encloses.

        Level ENCLOSURE_ROOT comes from ``exp`` of the interval matrix (finer cells use it too: it
        contains them, and their exponentials would cost more than they save); the coarser ones
        by doubling: for t = w + s, s in [0, w], X e^{Lm t} = (X e^{Lm s}) e^{Lm w}, so the entrywise
        union of the level-(k+1) enclosure and its product with e^{Lm w} (= W e^{Aug w} V, from
        :meth:`point`) encloses the cell [0, 2w] (Lemma 5.10(b)).  A product and a union per level instead of an
        exponential of a wide interval matrix (whose squaring phase also over-estimates more)."""
        k = min(k, ENCLOSURE_ROOT)
        e = self._pairs.get(k)
        if e is None:
            with working_precision(PREC):
                e = self._pairs[k] = (flint.arb(self.dt) / (1 << (BASE_CELLS + k)), self.derivative(1, k),
                                      self.derivative(2, k))
        return e

    def derivative(self, order: int, k: int):
        """S V Lm^order e^{Lm [0,w]} at level min(k, ENCLOSURE_ROOT) (see :meth:`enclosure`), built
        and cached per order: the chord form needs only the second derivative (Lemmas 5.10, 5.11 of
        proofs/05_trajectory_equivalence.tex)."""
        k = min(k, ENCLOSURE_ROOT)
        X = self._enclosures.get((order, k))
        if X is None:
            with working_precision(PREC):
                if k == ENCLOSURE_ROOT:
                    if self._root is None:
                        w = flint.arb(self.dt) / (1 << (BASE_CELLS + k))
                        with working_precision(ENCLOSURE_PREC):      # a wide enclosure: 30 bits are plenty
                            self._root = (self.Lm * (w / 2 + flint.arb(0, 1) * (w / 2))).exp()   # e^{Lm [0, w]}
                    X = self._SVL[order - 1] * self._root
                else:
                    X = self.derivative(order, k + 1)
                    X = flint.arb_mat(X.nrows(), X.ncols(), list(map(flint.arb.union, X.entries(),
                                                                     (X * self.modal_point(k + 1)).entries())))
            self._enclosures[order, k] = X
        return X

    def modal_point(self, k: int):
        """e^{Lm w} for level k <= ENCLOSURE_ROOT: W e^{Aug w} V at the root, squares above it
        (proofs/05_trajectory_equivalence.tex, Lemmas 5.11 and 5.10(c))."""
        E = self._modal_points.get(k)
        if E is None:
            with working_precision(PREC):
                if k == ENCLOSURE_ROOT:
                    E = self.point(k) if self.W is None else self.W * self.point(k) * self.V
                else:
                    E = self.modal_point(k + 1)
                    E = E * E
            self._modal_points[k] = E
        return E

    def chord(self, k: int, e: int = 8):
        """K Tdd for level k and K = (w e/8)^2 / 8 (Tdd of :meth:`enclosure`): times x = V^-1 y, an
        enclosure of K f'' over the cell, the term of the chord form (:func:`_interval`) of a chunk
        of at most e/8 of the cell (e = 5 .. 8: a chunk of the level is longer than half its cell, so
        e >= 5 for j >= 3).  Built for each (k, e) when first asked: a run uses one to three e per level."""
        KT = self._chords.get((k, e))
        if KT is None:
            Tdd = self.derivative(2, k)
            with working_precision(PREC):
                x = flint.arb(self.dt) / (1 << (BASE_CELLS + k)) * e / 8
                KT = self._chords[k, e] = Tdd * (x * x / 8).upper()
        return KT

    def step_out(self):
        """S e^{Aug unit}: times the ball state at q, the sign-adjusted coordinates at q + 1."""
        if self._out is None:
            with working_precision(PREC):
                self._out = self.S * self.point(MAX_LEVEL)
        return self._out

    def exit_rows(self):
        """[S; S Aug; S e^{Aug unit}] (ball): times the ball state at q, f(q), f'(q) and f(q + 1)."""
        if self._exit_rows is None:
            with working_precision(PREC):
                rows = (self.S, self.SA, self.S * self.point(MAX_LEVEL))
                self._exit_rows = flint.arb_mat(3 * self.S.nrows(), self.n, [v for b in rows for v in b.entries()])
        return self._exit_rows

    def whole_step(self) -> tuple:
        """(S E, K Tdd, the float e^{Aug dt}, the float check or None) for the checks of a whole step,
        E = e^{Aug dt} (ball, :meth:`point`) and K Tdd the chord term of the whole step
        (:meth:`chord`): :func:`_whole_step_in` in balls, :func:`_whole_step_float` in floats
        (:meth:`_float_whole`), and the float end state e^{Aug dt} y of a step that holds."""
        if self._whole is None:
            with working_precision(PREC):
                E = self.point(-BASE_CELLS)
                Ef = np.array([float(v) for v in E.entries()]).reshape(self.n, self.n)
                SE, KT = self.S * E, self.chord(-BASE_CELLS)
                self._whole = (SE, KT, Ef, self._float_whole(SE, KT))
        return self._whole

    def _float_whole(self, SE, KT) -> floatball.FloatCheck | None:
        """The float check of a whole step from y (:func:`_whole_step_float`), with x = V^-1 y: each
        coordinate is proved >= 0 on [0, dt] by one of two forms of proofs/05_trajectory_equivalence.tex,
        Lemma 5.12, whose terms are rows of Q [y; x]:

        * the chord form (a): f(0), f(dt), f(0) - K f'' and f(dt) - K f'' >= 0 (the terms of
          :func:`_whole_step_in`; rows S, S E, S - K Tdd W, S E - K Tdd W);
        * the Taylor form at the start (c), for a coordinate that moves into the region, as one
          does just after a switch (where f(0) is about 0 and the chord form fails): f(0) >= 0,
          f'(0) >= 0 and f(0) + dt f'(0) + dt^2/2 f''(xi) >= 0 for every xi in the step: with
          b = f'(0) >= 0 the quadratic of (c) is then >= 0 on [0, dt] by (d) (increasing if
          convex, its least value at an end if concave); rows S, S Aug, S + dt S Aug + 4 K Tdd W.
          (4 K >= dt^2/2, K the chord form's factor: a larger factor of f'' only lowers the bound
          where f'' < 0, the concave case, which is the one the row is for.)

        A seventh block, 4 K Tdd W (4 K f'' over the step), is in no form: its sign, where it has one,
        serves the exit bracket of :func:`_exit_from_rows`.  None where a bound is not finite."""
        M, n = self.S.nrows(), self.n
        with working_precision(PREC):
            S1 = self.S + self.SA * flint.arb(self.dt)
        Sm = np.array([float(v) for v in self.S.entries()]).reshape(M, n)     # exact: 0 and +-1
        SEm, SEr = floatball.parts(SE)
        KTm, KTr = floatball.parts(KT)
        SAm, SAr = floatball.parts(self.SA)
        S1m, S1r = floatball.parts(S1)
        T2m, T2r = 4 * KTm, 4 * KTr                  # exact: a power of two
        W = (np.eye(n), np.zeros((n, n))) if self.W is None else floatball.parts(self.W)
        Z = np.zeros((M, n))
        Q = (np.block([[Sm, Z], [SEm, Z], [Sm, -KTm], [SEm, -KTm], [SAm, Z], [S1m, T2m], [Z, T2m]]),
             np.block([[Z, Z], [SEr, Z], [Z, KTr], [SEr, KTr], [SAr, Z], [S1r, T2r], [Z, T2r]]))
        check = floatball.FloatCheck(Q, W, one=self.N, forms=[(0, 1, 2, 3), (0, 4, 5)], block=M)
        return check if check.usable else None

    def float_samples(self):
        """(h, Z, R, P, M) for the float pre-screen, h = dt / FLOAT_SAMPLES: Z stacks S e^{Aug i h}
        (i = 1 .. FLOAT_SAMPLES), P[i] = e^{Aug i h} and R stacks S (Aug h)^j / j! (the Taylor
        terms to float accuracy); None when Aug h is too large for that Taylor series."""
        if not hasattr(self, "_samples"):
            Af, Sf = self.float_maps()
            h = float(self.dt) / FLOAT_SAMPLES
            B = Af * h
            nb = float(np.abs(B).sum(axis=1).max())
            if not math.isfinite(nb) or nb > 2.0:
                self._samples = None
                return None
            # e^{Aug h} by its Taylor series (||Aug h|| <= 2; scipy's expm can stall on a multithreaded
            # BLAS), alongside the terms S (Aug h)^j / j!
            terms, T, j = [Sf], Sf, 1
            E = Bj = np.eye(self.n)
            powers = [Bj]
            while j < 60:
                T = T @ B / j
                Bj = Bj @ B / j
                E = E + Bj
                terms.append(T)
                powers.append(Bj)
                j += 1
                if nb ** j / math.factorial(j) < 1e-18:
                    break
            P = [np.eye(self.n)]
            for _ in range(FLOAT_SAMPLES):
                P.append(E @ P[-1])
            R = np.vstack(terms)
            self._samples = (h, np.vstack([Sf @ Pi for Pi in P[1:]]), R, P, Sf.shape[0])
            self._powers = np.vstack(powers)
        return self._samples

    def float_flow(self, y: np.ndarray, d: int) -> np.ndarray:
        """e^{Aug d unit} y in floats (0 <= d <= one step): P[i] y for the last sample i h before
        d units, then the Taylor series of e^{Aug r} (r < h, the terms of :meth:`float_samples`) in
        one product; the midpoint of the ball product (:func:`_point`) where there are no samples."""
        fs = self.float_samples()
        if fs is None:
            with working_precision(PREC):
                return _mid(_point(self, flint.arb_mat(self.n, 1, y.tolist()), d), self.n)
        per = _UNITS // FLOAT_SAMPLES                  # time units per sample (exact: both powers of two)
        i, r = divmod(d, per)
        yi = fs[3][i] @ y
        if not r:
            return yi
        T = self._powers
        s = r / per
        return (s ** np.arange(len(T) // self.n)) @ (T @ yi).reshape(-1, self.n)

    def float_field(self) -> tuple[np.ndarray, np.ndarray]:
        """(S Aug, |S| |Aug|) as float arrays."""
        if not hasattr(self, "_field"):
            Af, Sf = self.float_maps()
            self._field = (Sf @ Af, np.abs(Sf) @ np.abs(Af))
        return self._field

    def float_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(Aug, S) as float arrays."""
        return self._float

    def y0(self, y, s) -> flint.arb_mat:
        return flint.arb_mat(self.n, 1, self.augment(y, s).tolist())

    def augment(self, y, s) -> np.ndarray:
        """(y, 1, s) as a float vector (s = 0 when there are inputs but none given)."""
        out = np.empty(self.n)
        out[:self.N] = y
        out[self.N] = 1.0
        if self.n > self.N + 1:
            out[self.N + 1:] = 0.0 if s is None else s
        return out


_IN, _OUT, _UNDECIDED = 0, 1, 2
MODAL_COND = 1e8           # a modal basis is used when its condition number is below this


def _modal_basis(Af: np.ndarray) -> np.ndarray | None:
    """A real eigenvector basis V of Aug (float): a real eigenvalue's eigenvector, and the real and
    imaginary parts of one eigenvector of each complex pair, so that V^-1 Aug V is block diagonal
    up to rounding.  None when Aug is not (well) diagonalizable: then the enclosures use the
    original coordinates.  Only the tightness of the enclosures depends on V, never their rigour
    (proofs/05_trajectory_equivalence.tex, Lemma 5.11)."""
    try:
        lam, U = np.linalg.eig(Af)
    except np.linalg.LinAlgError:
        return None
    cols = []
    for lj, u in zip(lam, U.T, strict=True):
        if lj.imag == 0:
            cols.append(u.real)
        elif lj.imag > 0:
            cols += [u.real, u.imag]
    if len(cols) != len(Af):
        return None
    V = np.array(cols).T
    if not np.isfinite(V).all() or np.linalg.cond(V) > MODAL_COND:
        return None
    return V


def _nonnegative(m: int):
    """An m x 1 ball matrix X with every entry [0, 2^201]: ``X.contains(v)`` (one call into FLINT)
    proves every entry of the ball vector v >= 0.  The ball's radius is stored rounded up, so it is
    asked slightly smaller than its midpoint; its lower end is checked to be >= 0, which is all the
    soundness needs (an entry above 2^201 is not contained, which only makes the test fail)."""
    with working_precision(PREC):
        x = flint.arb(2**200, 2**200 - 2**160)
        assert x.lower() >= 0 and x.upper() >= 2**200
        return flint.arb_mat(m, 1, [x] * m)


def _cell(flow: _BallFlow, y, k: int):
    """Decide the cell of level k starting at the ball state y (at the working precision PREC).

    Returns (verdict, y_end, units_out): _IN if every coordinate is proved to stay in the
    closure on the cell, _OUT if some coordinate is proved < 0 at the cell's end (those
    units), else _UNDECIDED.  The enclosures are those of proofs/05_trajectory_equivalence.tex,
    Lemma 5.10(a); the mean-value forms are Lemma 5.12(b).
    """
    w, E, SEc, SAEc = flow._levels.get(k) or flow.level(k)
    y1 = E * y
    fc = (SEc * y).entries()
    if all(x >= 0 for x in fc):        # the enclosure over the whole cell: the common case
        return _IN, y1, []
    f1 = (flow.S * y1).entries()
    out = [i for i, x in enumerate(f1) if x < 0]
    if out:
        return _OUT, y1, out
    f0 = (flow.S * y).entries()
    dc = (SAEc * y).entries()
    for i, x in enumerate(fc):
        if x >= 0:
            continue
        lo = dc[i].lower()
        if f0[i].lower() + (0 if lo >= 0 else lo * w) >= 0:   # f(t0) + [0, w] f'
            continue
        hi = dc[i].upper()
        if f1[i].lower() - (0 if hi <= 0 else hi * w) >= 0:   # f(t1) - [0, w] f'
            continue
        return _UNDECIDED, y1, []
    return _IN, y1, []


@dataclass
class _Scan:
    """Outcome of a scan of [p0, p1] (integer time units) in one region."""

    truth: Truth
    y_end: Any = None           # ball state at p1 (holds; None when z_end stands for it), or at p_hi (an exit of _scan)
    p_lo: int = 0               # exit enclosed in [p_lo, p_hi]
    p_hi: int = 0
    units: tuple[int, ...] = ()
    undecided_at: int | None = None
    y_lo: Any = None            # ball state at p_lo (exit)
    tau: float | None = None    # float estimate of the exit time after p_lo (when known)
    z_end: np.ndarray | None = None   # the float state at p1 when y_end is not computed (holds)

    def end_state(self, n: int) -> np.ndarray:
        """The first n coordinates of the state at p1 (holds) as floats."""
        return self.z_end[:n] if self.z_end is not None else _mid(self.y_end, n)


def _scan(flow: _BallFlow, y, p0: int, p1: int) -> _Scan:
    """Cover [p0, p1] by aligned dyadic cells (bisected where undecided) and find the first exit.

    An exit is only reported once bisection has reached the finest level, so [p_lo, p_hi]
    is one finest cell and every earlier cell is proved inside the closure (or undecided,
    which is recorded in ``undecided_at`` and skipped); see proofs/05_trajectory_equivalence.tex,
    Proposition 5.13.  Bisection of undecided cells stops
    after CELL_BUDGET cells (a flow that runs along a boundary, e.g. an equilibrium on it,
    is undecided at every level and would otherwise be bisected everywhere).
    """
    budget = [CELL_BUDGET]
    undecided_at = None
    stack_p = p0
    while stack_p < p1:
        # the largest aligned cell starting at stack_p that fits in [stack_p, p1]
        size = _UNITS >> BASE_CELLS
        while size > 1 and (stack_p % size or stack_p + size > p1):
            size >>= 1
        k = (_UNITS >> BASE_CELLS).bit_length() - size.bit_length()
        res = _refine(flow, y, stack_p, k, budget)
        if res.truth is FAILS:
            if undecided_at is not None:
                res.undecided_at = undecided_at
            return res
        if res.truth is UNDECIDED and undecided_at is None:
            undecided_at = res.undecided_at
        y = res.y_end
        stack_p += size
    return _Scan(UNDECIDED if undecided_at is not None else HOLDS, y, undecided_at=undecided_at)


def _refine(flow: _BallFlow, y, p: int, k: int, budget: list[int], known=None) -> _Scan:
    """Decide one aligned cell of level k at p, bisecting until decided or at MAX_LEVEL.

    ``known`` = (y_end, units) when the cell's end is already proved out (the right half of
    an exit cell whose left half is inside): then only its halves are evaluated.
    """
    if known is None:
        verdict, y1, units = _cell(flow, y, k)
        budget[0] -= 1
    else:
        verdict, (y1, units) = _OUT, known
    size = _UNITS >> (BASE_CELLS + k)
    if verdict == _IN:
        return _Scan(HOLDS, y1)
    if k == MAX_LEVEL:
        if verdict == _OUT:
            return _Scan(FAILS, y1, p, p + size, tuple(units), y_lo=y)
        return _Scan(UNDECIDED, y1, undecided_at=p)
    if verdict == _UNDECIDED and budget[0] <= 0:
        return _Scan(UNDECIDED, y1, undecided_at=p)
    left = _refine(flow, y, p, k + 1, budget)
    if left.truth is FAILS:
        return left
    right = _refine(flow, left.y_end, p + size // 2, k + 1, budget, (y1, units) if verdict == _OUT else None)
    if right.truth is FAILS:
        if left.truth is UNDECIDED:
            right.undecided_at = left.undecided_at
        return right
    if UNDECIDED in (left.truth, right.truth):
        return _Scan(UNDECIDED, right.y_end, undecided_at=left.undecided_at if left.truth is UNDECIDED
                     else right.undecided_at)
    return _Scan(HOLDS, right.y_end)


# ---- the autonomous scan: intervals of any length, the exit located in floats and then proved -------
FAST_CHECKS = 48           # interval checks one fast scan may spend before it hands over to _scan


def _point(flow: _BallFlow, y, d: int):
    """The ball state d time units after the ball state y: a product of the cached e^{Aug c 8^j unit}
    over the octal digits c of d (each factor encloses its exponential, so the product encloses the flow;
    proofs/05_trajectory_equivalence.tex, Lemma 5.10(c))."""
    j = 0
    rows = flow._rows
    while d:
        c = d & 7
        if c:
            y = (rows[j] or flow.row(j))[c] * y
        d >>= 3
        j += 1
    return y


def _quadratic_nonnegative(a, b, c, D) -> bool:
    """True only if a + b t + c t^2 / 2 >= 0 for every t in [0, D] (a, b, c, D: balls; proved by ball
    arithmetic for every value in the balls).  Concave or linear (c <= 0 somewhere): the minimum is at an
    end, so both ends are checked.  Convex (c > 0): increasing when b >= 0 (minimum a); decreasing on
    [0, D] when -b >= c D (minimum at D); otherwise a - b^2 / (2c), the global minimum, bounds it
    (proofs/05_trajectory_equivalence.tex, Lemma 5.12(d), for real a, b, c, D: the caller passes
    exact points, the ends of balls)."""
    if not a >= 0:
        return False
    if not c > 0:
        return a + D * (b + c * D / 2) >= 0
    if b >= 0:
        return True
    if -b >= c * D:
        return a + D * (b + c * D / 2) >= 0
    return a - b * b / (2 * c) >= 0


def _interval(flow: _BallFlow, y, p: int, q: int, yq, f0=None):
    """Decide [p, q] (p < q, time units) from the ball states y at p and yq at q, given that every
    sign-adjusted coordinate is proved >= 0 at p.

    The enclosures over the dyadic cell [p, p + w] (w = 2^j time units >= d = q - p) are used, which
    contains [p, q] (:meth:`_BallFlow.enclosure`: f, f' and f'' over the cell from y).  The three
    forms below are proofs/05_trajectory_equivalence.tex, Lemma 5.12(a), (b) and (c)-(d).  A
    sign-adjusted coordinate f is proved >= 0 on [p, q] by the first of these that applies:

    * the chord form: f(t) = chord(t) + f''(xi)/2 (t - p)(t - q) (linear interpolation error,
      xi in [p, q]); the chord is >= min(f(p), f(q)) and (t - p)(t - q) in [-d^2/4, 0], so
      f >= min(f(p), f(q)) - d^2/8 max(0, sup f'').  Checked as f(p) >= 0 (presumed: the caller
      has proved it), f(q) >= 0, f(p) - K f'' >= 0 and f(q) - K f'' >= 0 with K >= d^2/8
      (:meth:`_BallFlow.chord` encloses K f'' over the cell): where sup f'' > 0 the last two give
      the bound, else the first two do;
    * the mean-value forms f(p) + [0, d] f' and f(q) - [0, d] f';
    * the Taylor forms with Lagrange remainder, t in [0, d]: f(p + t) = f(p) + t f'(p) + t^2/2 f''(xi)
      and f(q - t) = f(q) - t f'(q) + t^2/2 f''(xi), xi in [p, q], so f >= 0 on [p, q] once the
      quadratic with the lower bounds of f(p), f'(p) (resp. f(q), -f'(q)) and of f'' over the cell is
      >= 0 on [0, d] (:func:`_quadratic_nonnegative`).  Near a transversal exit at q this decides in
      one check what the mean-value forms only decide after many bisections.

    ``f0``: S y (the sign-adjusted coordinates at p) if the caller has it.  Returns (verdict, units,
    S yq): (_IN, []), (_OUT, units proved < 0 at q) or (_UNDECIDED, [])."""
    d = q - p
    k = MAX_LEVEL - (d - 1).bit_length()
    j = (d - 1).bit_length()
    e = 8 if j < 3 else (8 * d + (1 << j) - 1) >> j       # d <= e/8 of the cell: K = (w e/8)^2 / 8
    KT = flow._chords.get((k, e))
    if KT is None:
        KT = flow.chord(k, e)
    if f0 is None:
        f0 = flow.S * y
    f1m = flow.S * yq
    nonneg = flow.nonneg
    x = flow.modal(y)
    t = KT * x                                         # K f'' over the cell
    g0 = g1 = None
    if nonneg.contains(f1m):                           # f(q) >= 0 for every coordinate
        g0, g1 = f0 - t, f1m - t
        if nonneg.contains(g0) and nonneg.contains(g1):
            return _IN, [], f1m
        f1 = f1m.entries()
    else:
        f1 = f1m.entries()
        out = [i for i, v in enumerate(f1) if v < 0]
        if out:
            return _OUT, out, f1m
        g0, g1 = f0 - t, f1m - t
    # the coordinates the chord form leaves: f(p) - K f'', f(q) - K f'' or f(q) not proved >= 0
    rows = [i for i, (a, b, c) in enumerate(zip(g0.entries(), g1.entries(), f1)) if not (a >= 0 and b >= 0 and c >= 0)]
    return (_IN if _rows_in(flow, y, x, yq, d, k, rows, f0.entries(), f1) else _UNDECIDED), [], f1m


def _rows_in(flow: _BallFlow, y, x, yq, d: int, k: int, rows: list[int], f0: list, f1: list) -> bool:
    """The mean-value and Taylor forms of :func:`_interval` for the coordinates ``rows`` that the
    chord form left (x = V^-1 y, f0 and f1 the entries of S y and S yq): True when every one is proved
    (proofs/05_trajectory_equivalence.tex, Lemma 5.12(b)-(d))."""
    _, Td, Tdd = flow.enclosure(k)
    dc = (Td * x).entries()
    wd = flint.arb(flow.dt) * d / _UNITS               # d time units (exact ball arithmetic)
    left = []
    for i in rows:
        lo = dc[i].lower()
        if f0[i].lower() + (0 if lo >= 0 else lo * wd) >= 0:
            continue
        hi = dc[i].upper()
        if f1[i].lower() - (0 if hi <= 0 else hi * wd) >= 0:
            continue
        left.append(i)
    if not left:
        return True
    D = wd.upper()
    g0, g1, cc = (flow.SA * y).entries(), (flow.SA * yq).entries(), (Tdd * x).entries()
    for i in left:
        c = cc[i].lower()
        if not (_quadratic_nonnegative(f1[i].lower(), -g1[i].upper(), c, D)
                or _quadratic_nonnegative(f0[i].lower(), g0[i].lower(), c, D)):
            return False
    return True


def _prove_in(flow: _BallFlow, y, p: int, q: int, yq, budget: list[int]) -> bool:
    """Prove [p, q] inside the closure chunk by chunk from p, each chunk by :func:`_interval` (True
    only when every chunk is proved).  The chunk length is a power of two of time units (its end
    state one cached product away) that adapts like an integrator's step: halved where a chunk is
    undecided, doubled after a proved one, and started at the length last proved in this region
    (``flow.span``).  The chunks only choose where to check: every point of [p, q] is in a proved
    chunk.  _interval presumes f >= 0 at the chunk's start: proved here for p, and for each later
    chunk by the one before it, which proved it at its end for the same ball (proofs/05_trajectory_equivalence.tex,
    Proposition 5.13(a))."""
    f0 = flow.S * y
    if not flow.nonneg.contains(f0):               # f(p) >= 0, which _interval presumes
        return False
    h = 2 * flow.span                # a first chunk twice as long, so that the span can grow
    cap = q - p                      # below the shortest chunk found undecided in this call
    while p < q:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if h >= q - p:
            m, ym = q, yq
        else:
            m = p + h
            ym = _point(flow, y, h)
        v, _, f1 = _interval(flow, y, p, m, ym, f0)
        if v == _IN:
            if m < q or m - p > flow.span:
                flow.span = 1 << ((m - p).bit_length() - 1)
            p, y, f0 = m, ym, f1
            h = min(2 * flow.span, cap)
        elif v == _OUT or m - p == 1:
            return False
        else:
            h = cap = 1 << ((m - p - 1).bit_length() - 1)       # a power of two below m - p
    return True


FLOAT_SAMPLES = 16         # the float pre-screen samples a step at 16 points


def _float_screen(flow: _BallFlow, y: np.ndarray, T: float):
    """(i, the sign-adjusted coordinates there) for the first of the samples (i + 1) dt / FLOAT_SAMPLES
    in (0, T] of the float flow from y with a negative coordinate; None if there is none."""
    fs = flow.float_samples()
    if fs is None:
        return None
    h, Z, _, _, M = fs
    count = min(FLOAT_SAMPLES, math.ceil(T / h - 1e-9))
    if count <= 0:                             # less than a sample left: nothing to screen
        return None
    vals = Z[:count * M] @ y
    neg = vals < 0
    k = int(neg.argmax())
    if not neg[k]:
        return None
    i = k // M                                 # the first sample (time (i + 1) h) with a negative coordinate
    return i, vals[i * M:(i + 1) * M]


def _float_exit(flow: _BallFlow, y: np.ndarray, T: float, hit=None) -> float | None:
    """The first time in (0, T] at which a sign-adjusted coordinate of the float flow from y turns
    negative: the flow sampled every dt / FLOAT_SAMPLES (``hit``: the outcome of :func:`_float_screen`
    if the caller has it), the first negative sample's cell refined by safeguarded Newton on the
    Taylor polynomials there (a float estimate only: the caller proves it or discards it)."""
    if hit is None:
        hit = _float_screen(flow, y, T)
        if hit is None:
            return None
    h, _, R, P, M = flow.float_samples()
    i, row = hit
    C = (R @ (P[i] @ y)).reshape(-1, M)        # the coordinates' Taylor polynomials in s = (t - i h) / h
    best = None
    for u, fb in enumerate(row.tolist()):
        if not fb < 0:
            continue
        c = C[::-1, u].tolist()
        a, b = 0.0, 1.0
        fa = c[-1]
        if fa < 0:
            x = 0.0
        else:
            x = fa / (fa - fb)
            for _ in range(40):
                f = df = 0.0
                for cj in c:               # Horner for f and f'
                    df = df * x + f
                    f = f * x + cj
                if f >= 0:
                    a = x
                else:
                    b = x
                nx = x - f / df if df else 0.5 * (a + b)
                if not a <= nx <= b:
                    nx = 0.5 * (a + b)
                if abs(nx - x) < 1e-13:
                    x = nx
                    break
                x = nx
        best = x if best is None else min(best, x)
    tau = (i + best) * h
    return tau if tau <= T else None


def _scan_fast(flow: _BallFlow, y, p0: int, p1: int, yf: np.ndarray | None = None, rows=None) -> _Scan:
    """The scan of [p0, p1] for the autonomous system, with the same outcome as :func:`_scan` but
    cheaper.  Where the region's chunks (see :func:`_prove_in`) have been as long as [p0, p1], the
    whole interval is tried in one check first (a whole step by :func:`_whole_step_in`; a shorter
    interval by :func:`_prove_in`, unless the float flow ends outside the closure).  A whole step that holds reports its end state in floats
    (e^{Aug dt} y), the same however it was proved.  Otherwise the flow is sampled in floats (``yf``:
    the float state at p0, default the midpoint of y); without a sample outside the closure,
    [p0, p1] is proved inside by :func:`_prove_in`.
    Otherwise the first exit is estimated in floats, the time unit [q, q + 1] containing it is
    taken, [p0, q] is proved inside the closure and the state at q + 1 proved outside, so the first
    exit lies in [q, q + 1], a finest cell of :func:`_scan` (proofs/05_trajectory_equivalence.tex, Proposition 5.13(b)).  Whenever a proof does not go
    through, :func:`_scan` does the work.

    ``y`` None: the state is the float vector ``yf`` itself, and the float check of the whole step
    from p0 is tried first (``rows``: (flow, its evaluation), if the caller has it and found that it
    does not prove the step; used only for this flow at p0 = 0, the start of a step, the one state
    the callers evaluate); where it fails, its rows may still prove the exit bracket
    (:func:`_exit_from_rows`)."""
    d = p1 - p0
    if yf is None:
        yf = _mid(y, flow.n)
    # the end state in floats, the one reported however [p0, p1] is proved
    z1 = (flow._whole or flow.whole_step())[2] @ yf if d == _UNITS else flow.float_flow(yf, d)
    whole = flow.span >= _UNITS          # try the whole step from p0 (for d < _UNITS it contains [p0, p1])
    if rows is not None:                 # (flow, (c, r)) of the float check at the step's start
        rows = rows[1] if rows[0] is flow and p0 == 0 and y is None else None
    if y is None:                        # the state is the float vector yf itself, exactly
        check = (flow._whole or flow.whole_step())[3]
        if whole and check is not None:
            if rows is None:                 # (rows given: the caller found that they do not prove it)
                rows = check.evaluate(yf)
                if rows is not None and check.proves(*rows):
                    return _Scan(HOLDS, z_end=z1)
            whole = False                # not proved in floats; the balls are hardly tighter
        else:
            rows = None
        y = flint.arb_mat(flow.n, 1, yf.tolist())
    else:
        rows = None
    yq = None
    if whole and _whole_step_in(flow, y):
        return _Scan(HOLDS, z_end=z1)
    if flow.span >= d and (d < _UNITS or (flow.float_maps()[1] @ z1 >= 0).all()):
        # one check for the whole interval (not tried where the float flow ends outside)
        yq = _point(flow, y, d)
        if _prove_in(flow, y, p0, p1, yq, [1]):
            return _Scan(HOLDS, yq, z_end=z1)
    hit = _float_screen(flow, yf, d * flow.unit)
    budget = [FAST_CHECKS]
    tau = None if hit is None else _float_exit(flow, yf, d * flow.unit, hit)
    if tau is not None and rows is not None:
        sc = _exit_from_rows(flow, y, p0, min(p0 + int(tau / flow.unit), p1 - 1), rows)
        if sc is not None:
            sc.tau = min(max(tau - (sc.p_lo - p0) * flow.unit, 0.0), flow.unit)
            return sc
    if tau is not None:
        q = min(p0 + int(tau / flow.unit), p1 - 1)
        y_lo = _point(flow, y, q - p0)
        units = [i for i, x in enumerate((flow.step_out() * y_lo).entries()) if x < 0]    # S y at q + 1
        if units and _prove_in(flow, y, p0, q, y_lo, budget):
            return _Scan(FAILS, None, q, q + 1, tuple(units), y_lo=y_lo,
                         tau=min(max(tau - (q - p0) * flow.unit, 0.0), flow.unit))
    if yq is None:
        yq = _point(flow, y, d)
    if _prove_in(flow, y, p0, p1, yq, budget):
        return _Scan(HOLDS, yq, z_end=z1)
    sc = _scan(flow, y, p0, p1)
    if sc.truth is not FAILS:
        sc.z_end = z1
    return sc


def _exit_from_rows(flow: _BallFlow, y, p0: int, q: int, rows) -> _Scan | None:
    """The exit bracket [q, q + 1] from the rows of the float check of the whole step from p0 (``rows``,
    (c, r) of :meth:`.floatball.FloatCheck.evaluate`, at the exact float state y) and one ball
    product at q; None where that does not prove it.

    A coordinate that a form of the float check proves is >= 0 on [p0, p0 + dt], which contains
    [p0, q + 1].  Each other coordinate i must have f_i(p0) >= 0 (its row), f'' of one sign over the
    step (the seventh block of :meth:`_BallFlow._float_whole`) and, from the ball state at q,
    f_i(q) >= 0 and, where f'' >= 0, f_i'(q) <= 0.  Then f_i >= 0 on [p0, q]: where f'' <= 0, f_i is
    concave and lies above its chord, >= min(f_i(p0), f_i(q)) (proofs/05_trajectory_equivalence.tex,
    Lemma 5.12(a)); where f'' >= 0, f_i' is increasing, so f_i' <= f_i'(q) <= 0 on [p0, q] and
    f_i >= f_i(q) (Lemma 5.12(b)).  A coordinate < 0 at q + 1 then brackets the first exit in
    [q, q + 1] (Proposition 5.13(b))."""
    check = flow._whole[3]
    c, r = rows
    M = flow.S.nrows()
    left = check.failing(c, r)
    if not left:
        return None
    ok = (c >= r).tolist()
    convex, concave = [], []
    for i in left:
        j = 6 * M + i                               # 4 K f'' of coordinate i over the step
        if not ok[i]:                               # f_i(p0) >= 0 not proved
            return None
        if c[j] >= r[j]:
            convex.append(i)
        elif c[j] + r[j] <= 0:
            concave.append(i)
        else:
            return None
    y_lo = _point(flow, y, q - p0)
    Z = flow.exit_rows() * y_lo                     # f(q), f'(q), f(q + 1); only the rows of ``left`` are read
    if not all(Z[i, 0] >= 0 for i in left) or not all(Z[M + i, 0] <= 0 for i in convex):
        return None
    units = [i for i in left if Z[2 * M + i, 0] < 0]
    if not units:
        return None
    return _Scan(FAILS, None, q, q + 1, tuple(units), y_lo=y_lo)


def _whole_step_float(flow: _BallFlow, ya: np.ndarray) -> bool | None:
    """The check of :func:`_whole_step_in` from the float state ya (exact) in float ball arithmetic
    (:mod:`.floatball`, proofs/05_trajectory_equivalence.tex, Lemma 5.14): Q [ya; V^-1 ya] >= 0 (see
    :meth:`_BallFlow._float_whole`) for every member of the balls Q and W ∋ V^-1.  True if
    it proves every coordinate >= 0 on the step, False if not, None where it is not available."""
    check = (flow._whole or flow.whole_step())[3]
    return None if check is None else check.holds(ya)


def _whole_step_in(flow: _BallFlow, y) -> bool:
    """The chord form of :func:`_interval` for a whole step [0, dt] from the ball y, in four ball
    products (:meth:`_BallFlow.whole_step`): True if it proves every coordinate >= 0 on the step
    (proofs/05_trajectory_equivalence.tex, Lemma 5.12(a), with the enclosures of Lemmas 5.10(c) and 5.11)."""
    SE, KT = (flow._whole or flow.whole_step())[:2]
    nonneg = flow.nonneg
    f0 = flow.S * y
    if not nonneg.contains(f0):
        return False
    f1 = SE * y
    if not nonneg.contains(f1):
        return False
    t = KT * flow.modal(y)
    return nonneg.contains(f0 - t) and nonneg.contains(f1 - t)


def _taylor(Af: np.ndarray, y: np.ndarray, tau: float, terms: int = 4) -> np.ndarray:
    """e^{Af tau} y by its Taylor polynomial of ``terms`` terms (float, Horner): for the short times
    inside an exit bracket (at most one time unit) two or three terms are exact to rounding (see
    ``_BallFlow.taylor_terms``)."""
    if terms == 2:
        return y + tau * (Af @ y)
    if terms == 3:
        v = Af @ y
        return y + tau * (v + (0.5 * tau) * (Af @ v))
    out = y
    for k in range(terms - 1, 0, -1):
        out = y + (tau / k) * (Af @ out)
    return out


def _crossing_time(Af: np.ndarray, Sf: np.ndarray, y: np.ndarray, units, tau_max: float) -> float:
    """The first root in [0, tau_max] of the sign-adjusted coordinates ``units``, inside a bracket
    where the exit is proved: Newton on their cubic Taylor polynomials (float)."""
    v1 = Af @ y
    v2 = Af @ v1
    v3 = Af @ v2
    best = tau_max
    coef = (Sf[list(units)] @ np.stack((y, v1, v2 / 2, v3 / 6), axis=1)).tolist()
    for c0, c1, c2, c3 in coef:
        tau = min(max(-c0 / c1, 0.0), tau_max) if c1 else 0.5 * tau_max
        for _ in range(4):
            d = c1 + tau * (2 * c2 + 3 * c3 * tau)
            if not d:
                break
            tau = min(max(tau - (c0 + tau * (c1 + tau * (c2 + tau * c3))) / d, 0.0), tau_max)
        best = min(best, tau)
    return best


def _mid(y: flint.arb_mat, N: int) -> np.ndarray:
    return np.fromiter(map(float, y.entries()[:N]), float, N)       # float(arb): its midpoint, rounded


# ---- the simulator ------------------------------------------------------------------------------
class _Simulator:
    def __init__(self, model: PLRNN, mode: str, digits: int):
        self.model = model
        self.mode = mode
        self.digits = digits
        self.systems: dict[str, RegionSystem] = {}
        self._hybrid: dict[str, _HybridStep] = {}
        self._by_signs: dict[bytes, tuple[str, _HybridStep | None]] = {}
        self._ball: dict[str, _BallFlow] = {}
        self.notes: list[str] = []
        self.inputs: np.ndarray | None = None
        self.dt = float(model.dt)

    def system(self, bits: str) -> RegionSystem:
        """The region's continuous system, derived on first visit."""
        if bits not in self.systems:
            self.systems[bits] = self._derive(bits)
        return self.systems[bits]

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
        key = (z > 0).tobytes()
        hit = self._by_signs.get(key)
        if hit is None:
            bits = region_of(z)
            hit = self._by_signs[key] = (bits, self.hybrid_step(bits) if self.usable(bits) is not None else None)
        return hit

    def one_step_deviation(self, discrete: np.ndarray, inputs) -> float:
        """max_n |hybrid step from z_n - z_{n+1}| over the steps whose region has a system (steps
        whose deviation is NaN, after an overflow, left out): the steps grouped by region, one matrix
        product per region."""
        X = discrete[:-1]
        groups: dict[bytes, list[int]] = {}
        for n, key in enumerate(map(np.ndarray.tobytes, X > 0)):
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
        bits = region_of(z)
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
        for _ in range(MAX_SWITCHES + 1):
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
            z = _taylor(Af, y_lo, tau, flow.taylor_terms)[:flow.N]
            z = z.copy() if flow.N == sysm.M else sysm.P @ z             # P = I unless the region is lifted
            new = list(bits)
            for u in sc.units:
                z[u] = 0.0
                new[u] = "0" if bits[u] == "1" else "1"
            new = "".join(new)
            nsys = self.usable(new)
            nflow = None if nsys is None else self.ball(new)
            ya = None if nsys is None else nflow.augment(z if nflow.N == nsys.M else nsys.G @ z, s)
            slide = self._sliding(nflow, ya, sc.units)
            if slide:
                sliding.append(SlidingEvent(n, t_hi, tuple(u + 1 for u in slide), z.copy(), (bits, new)))
                return None
            if nsys is None:
                bits, y, p = new, z, sc.p_hi
                continue
            # the new region's flow from the crossing point to the bracket's end, where the grid resumes
            yn = _taylor(nflow.aug_float, ya, tau_max - tau, nflow.taylor_terms)
            segments.append(Segment(new, t_hi, n * dt + sc.p_hi * dt / _UNITS, ya[:nflow.N].copy(), n))
            bits, y, p = new, yn[:nflow.N], sc.p_hi
        sliding.append(SlidingEvent(n, t_hi, tuple(u + 1 for u in sc.units), z.copy(), (segments[-2].region, bits),
                                    f"stopped (chattering: more than {MAX_SWITCHES} switches within one step)"))
        return None

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


@threadpool_limits.wrap(limits=1)   # small matrices: a second BLAS thread stalls expm on a busy machine
@np.errstate(over="ignore", invalid="ignore")   # float overflow is reported in the notes (and E1 is NaN-safe)
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
        b0 = region_of(z0)
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
    if finite_steps <= steps:
        sim.notes.append(f"the discrete trajectory leaves the float64 range (|z| <= 1.8e308) at step {finite_steps}: "
                         "its later states are infinite or NaN, and E1 there is undecided")
    return SimulationResult(model, mode, system, np.arange(steps + 1) * dt, discrete, hyb, aut, tuple(verdicts),
                            step_dev if run_h else None, tuple(sliding), tuple(segments), inputs, dict(sim.systems),
                            tuple(dict.fromkeys(sim.notes)))


# ---- command line ------------------------------------------------------------------------------
EPILOG = ("example:\n  plrnn-symbolic simulate --example limit_cycle --steps 1000\n"
          "  plrnn-symbolic simulate model.npz --steps 500 --z0 0.1,0,0 --system hybrid --json\n"
          "  plrnn-symbolic simulate --example limit_cycle --steps 200 --plot cycle.png")


def add_arguments(parser) -> None:
    """Add the ``simulate`` options to an argparse (sub)parser (MODEL and --example are the caller's)."""
    parser.add_argument("--steps", type=int, default=100, help="number of steps N (default 100)")
    parser.add_argument("--z0", help="initial state, e.g. 0.1,-0.2,0.3 (default: the model's z0, else 0)")
    parser.add_argument("--system", choices=SYSTEMS, default="both",
                        help="hybrid (sample and hold), autonomous (switching), or both (default)")
    parser.add_argument("--burn-in", type=int, default=0, help="discrete steps run from z0 first, not counted")
    parser.add_argument("--inputs", metavar="FILE", help="inputs s_0, s_1, ... as a (T, K) .npy or .csv file")
    parser.add_argument("--mode", choices=[EXACT, CERTIFIED, FLOAT], default=CERTIFIED,
                        help="derivation of the region systems (default certified: rigorous and fast on float "
                             "weights; exact: closed forms on rational models)")
    parser.add_argument("--digits", type=int, default=30, help="digits of the certified derivation")
    parser.add_argument("--no-e1", action="store_true", help="skip the per-step E1 decisions")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--plot", metavar="FILE.png", help="write the figure (time graphs and a 2-D section)")
    parser.add_argument("--units", help="units to plot, 1-based, e.g. 1,4 (default: the two most variable)")


def run_cli(args) -> int:
    """Run ``plrnn-symbolic simulate`` from parsed arguments; returns the exit status."""
    import json

    from .cli import _model_from, _vector, _z0

    model = _model_from(args)
    if args.steps is None or args.steps < 0:
        raise InputError("--steps must be a nonnegative integer")
    inputs = None
    if getattr(args, "inputs", None):
        from .io import load_inputs

        inputs = load_inputs(args.inputs)
    units = None
    if getattr(args, "units", None):
        try:
            units = [int(u) for u in _vector(args.units)]
        except ValueError:
            raise InputError(f"--units {args.units!r}: give 1-based unit numbers, e.g. 1,4") from None
        if any(not 1 <= u <= model.M for u in units):
            raise InputError(f"--units: units are 1..{model.M}")
    res = simulate(model, args.steps, _z0(args, model), args.system, inputs, args.mode,
                   digits=getattr(args, "digits", 30), e1=not getattr(args, "no_e1", False),
                   burn_in=getattr(args, "burn_in", 0) or 0, progress=not args.json)
    if args.plot:
        from .plotting import plot_simulation

        plot_simulation(res, args.plot, units=units)
    if args.json:
        print(json.dumps(res.to_dict(), indent=1, default=str))
    else:
        print(res.summary())
        if args.plot:
            print(f"figure written to {args.plot}")
    return 0
