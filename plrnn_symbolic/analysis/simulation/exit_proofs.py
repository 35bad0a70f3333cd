"""Exit proofs and E1: the first time a region flow leaves its region, proved in ball arithmetic
(proofs/05_trajectory_equivalence.tex, Lemmas 5.10-5.14, Proposition 5.13).

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
midpoints and one error matrix (:mod:`plrnn_symbolic.core.floatball`, proofs/05_trajectory_equivalence.tex, Lemma 5.14),
and a step from the float state y is proved by three numpy products: each coordinate by one of the
two forms.  Where that fails, the same rows bracket the exit (``_exit_from_rows``): the coordinates
a form proves need nothing more, and each other one needs f'' of one sign over the step and, from
one ball product at the estimated exit, f >= 0 there (and f' <= 0 where f is convex).  E1 for each
step takes the float check first and then the fast scan, which reaches the bisection's verdicts and
exit cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import flint
import numpy as np

from ...core.truth import FAILS, HOLDS, UNDECIDED, Truth
from .enclosures import _UNITS, BASE_CELLS, FLOAT_SAMPLES, MAX_LEVEL, _BallFlow, _mid, _point

CELL_BUDGET = 600          # cells one scan may bisect into before undecided cells are given up


_IN, _OUT, _UNDECIDED = 0, 1, 2


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
    (:mod:`plrnn_symbolic.core.floatball`, proofs/05_trajectory_equivalence.tex, Lemma 5.14): Q [ya; V^-1 ya] >= 0 (see
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


__all__ = ["CELL_BUDGET", "FAST_CHECKS"]
