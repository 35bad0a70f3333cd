"""Filippov sliding on a switching surface of the autonomous system (proofs/05_trajectory_equivalence.tex,
section "Filippov solutions"; Filippov 1988, chapter 2).

The autonomous system's field is discontinuous across the switching surfaces sigma_k(z) = w_k . z + c_k = 0
(a PLRNN's coordinate hyperplanes z_k = 0, w_k = e_k, c_k = 0; the pre-activations (W2 z + h2)_k of the
general form).  Write f_- and f_+ for the affine fields of the two regions that the surface separates
(f_+ on the side sigma_k > 0) and v_-+ = w_k . f_-+ for their normal components.  Where v_- > 0 > v_+ both
fields push into the surface and a Filippov solution stays on it, moving with the convex combination

    f_s = (1 - a) f_- + a f_+ ,    a = v_- / (v_- - v_+) = w.f_- / w.(f_- - f_+)  in (0, 1),

the unique convex combination of f_- and f_+ tangent to the surface, that is
f_s = (v_- f_+ - v_+ f_-) / (v_- - v_+): rational in z, with w.f_s = 0 identically.  The motion ends when
a leaves [0, 1]: v_+ reaches 0 (a = 1, f_+ turns tangent and the state leaves into the + region) or v_-
reaches 0 (a = 0, it leaves into the - region), or when the sliding state reaches another surface.

Here the sliding field is integrated in floats by an explicit Runge-Kutta method of order 8 with error
control (DOP853, Hairer, Norsett and Wanner), whose event location finds where v_+ or v_- changes sign
or another pre-activation crosses zero; every segment names that method.  Entry into sliding is decided
in ball arithmetic by the driver (both normal components proved to point into the surface); the motion
is then enclosed a posteriori and its end bracketed in ball arithmetic (:mod:`.sliding_balls`,
Propositions 5.20 and 5.24).  On two
surfaces at once the Filippov set no longer fixes the velocity (its tangent elements form a polytope of
dimension 2^p - 1 - p > 0); there the package uses the bilinear equivalent-control ("canopy") field of
:class:`CornerMotion` where the corner attracts and that control is unique, and stops and says so
elsewhere (Definition 5.21, Remark 5.22).  Three or more surfaces at once are not followed.  The entry
decisions on two surfaces are float decisions; the motion itself is then enclosed in ball arithmetic
(:mod:`.corner_balls`, Proposition 5.26: on every step the enclosure covers, the control is proved unique
in [0, 1]^2 and the intersection proved to attract) and its end bracketed where that can be proved
(Proposition 5.27); the one-surface motion is enclosed by :mod:`.sliding_balls`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.integrate
import sympy as sp

from ...model.plrnn import PLRNN
from ..transform import RegionSystem
from .corner_balls import enclose_corner, hull_distance, outward
from .sliding_balls import CERT_PREC, TAYLOR_ORDER, RunEnclosure, enclose, nodal_attraction_proved

__all__ = ["CORNER_METHOD", "SLIDING_METHOD", "CornerMotion", "SlidingSegment", "canopy_field", "corner_attraction",
           "equivalent_controls", "filippov_coefficient", "nodal_attraction_proved", "sliding_field", "surface_label"]

RTOL = 1e-13
ATOL = 1e-15
SLIDING_METHOD = (f"float: DOP853 (explicit Runge-Kutta of order 8, rtol {RTOL:g}, atol {ATOL:g} times the state's "
                  "scale) on the Filippov sliding field; the end located by the integrator's event root finding "
                  "(w.f+ or w.f- changes sign, or another pre-activation crosses zero), then bracketed in ball "
                  "arithmetic where that can be proved (see the segment's enclosure and exit)")


def filippov_coefficient(f_minus, f_plus, normal) -> float:
    """The Filippov coefficient a = w.f_- / w.(f_- - f_+) of the convex combination (1 - a) f_- + a f_+
    tangent to the surface with normal w (proofs/05_trajectory_equivalence.tex, Definition 5.17 and Lemma 5.18(a)).

    Sliding (both fields pushing into the surface) holds iff 0 < a < 1 with w.f_- > 0.

    Examples
    --------
    >>> filippov_coefficient([1.0, 0.0], [-3.0, 1.0], [1.0, 0.0])
    0.25
    """
    w = np.asarray(normal, dtype=float)
    vm, vp = w @ np.asarray(f_minus, dtype=float), w @ np.asarray(f_plus, dtype=float)
    return float(vm / (vm - vp))


def sliding_field(f_minus, f_plus, normal) -> np.ndarray:
    """The Filippov sliding field f_s = (v_- f_+ - v_+ f_-) / (v_- - v_+), v_-+ = w.f_-+, which equals
    (1 - a) f_- + a f_+ with a of :func:`filippov_coefficient` and has w.f_s = 0
    (proofs/05_trajectory_equivalence.tex, Definition 5.17 and Lemma 5.18(a)).

    References
    ----------
    A. F. Filippov, *Differential Equations with Discontinuous Righthand Sides*, Kluwer 1988, chapter 2,
    section 4 (the sliding mode on a surface of discontinuity).

    Examples
    --------
    >>> sliding_field([1.0, 0.0], [-3.0, 1.0], [1.0, 0.0]).tolist()
    [0.0, 0.25]
    """
    return _combine(np.asarray(f_minus, dtype=float), np.asarray(f_plus, dtype=float), np.asarray(normal, dtype=float))


def _combine(fm: np.ndarray, fp: np.ndarray, w: np.ndarray) -> np.ndarray:
    vm, vp = w @ fm, w @ fp
    return (vm * fp - vp * fm) / (vm - vp)


def surface_label(model, k: int) -> str:
    """How a surface is named, in the model's own terms (1-based k): "unit k" for a PLRNN (z_k = 0),
    "unit 21 (ReLU unit 1)" for an ALRNN, "pre-activation k" for the general form, and so on."""
    return model.preactivation_label(k)


def hyperplanes(model) -> tuple[np.ndarray, np.ndarray]:
    """(W2, h2) of the exit functions sigma(z) = W2 z + h2 (the identity and 0 for a PLRNN)."""
    num = model.numeric
    W2 = getattr(num, "W2", None)
    if W2 is None:
        return np.eye(model.M), np.zeros(model.M)
    return np.asarray(W2, dtype=float), np.asarray(num.h2, dtype=float)


@dataclass
class SlidingSegment:
    """One stretch of the autonomous trajectory that slides on a switching surface.

    ``surface`` is the 1-based index of the unit (PLRNN) or pre-activation whose zero set the state slides
    on, ``label`` names it ("unit 7", "pre-activation 3"), ``regions`` are the (minus, plus) regions on
    either side (the last pair when another surface was crossed while sliding), ``start_time`` and
    ``end_time`` bound it, ``steps`` are the sample steps n whose interval [n dt, (n+1) dt] it meets,
    ``end`` says how it ended, ``method`` how it was integrated; ``t`` and ``z`` are dense samples for plots.
    On two surfaces at once (:class:`CornerMotion`) ``surfaces`` holds both 1-based indices, ``label``
    names both and ``regions`` are the four regions around their intersection.
    """

    surface: int
    label: str
    regions: tuple[str, str]
    start_time: float
    end_time: float
    start_state: np.ndarray
    end_state: np.ndarray
    steps: list[int]
    method: str = SLIDING_METHOD
    end: str = "still sliding at the end of the run"
    t: list = field(default_factory=list, repr=False)
    z: list = field(default_factory=list, repr=False)
    integrator_steps: int = 0
    certified_duration: float = 0.0         # time on which the float motion is enclosed (see :func:`certify`)
    certified_bound: float | None = None    # the largest proved distance of its float states from the exact motion
    certified_about: str = ""
    uncovered: list = field(default_factory=list)   # (start, end) of the stretches the enclosure does not cover
    surfaces: tuple[int, ...] = ()          # every surface slid on (1-based); empty: just ``surface``
    exit_bracket: tuple[float, float] | None = None   # [t_a, t_b] (floats, rounded outward) holding the exact end
    exit_distance: float | None = None      # a proved bound on the distance of ``end_state`` from the exact end point
    exit_way: list | None = field(default=None, repr=False)   # (lo, hi) per coordinate: the motion over the bracket

    @property
    def all_surfaces(self) -> tuple[int, ...]:
        return self.surfaces or (self.surface,)

    @property
    def enclosure(self) -> str:
        """What the a posteriori enclosure proved (proofs/05_trajectory_equivalence.tex, Proposition 5.20; on two
        surfaces at once Proposition 5.26)."""
        corner = len(self.all_surfaces) > 1
        if self.certified_bound is None:
            return ("no enclosure (the control's uniqueness, the attraction of Definition 5.21 or a Taylor step "
                    "could not be proved)" if corner else
                    "no enclosure (the sliding condition or a Taylor step could not be proved)")
        if corner:
            what = ("the discriminant of the control's quadratic, the control in the open box (0, 1)^2 and "
                    "unique in [0, 1]^2, the attraction of Definition 5.21 and the sign of every other "
                    "pre-activation are proved")
            equation = "the equivalent-control equation z' = F(u(z)) (Definition 5.21)"
            where = "on both surfaces for a PLRNN, within rounding of them for the other forms"
        else:
            what = "the sliding condition is proved"
            equation = "the sliding equation z' = f_s(z)"
            where = "on the surface for a PLRNN, within rounding of it for the other forms"
        return (f"interval Taylor method of order {TAYLOR_ORDER} in FLINT balls ({CERT_PREC} bits): {self._covered()} "
                f"the float states at the integrator's points are within {self.certified_bound:.1e} of the exact "
                f"solution of {equation} of {self.certified_about} from the float state where each step's run starts "
                f"({where}), and along it {what} up to the end of the exact motion (the reported end time may lie "
                f"a little past it); {self.exit_text}" + (f"; not enclosed: {self._gaps()}" if self.uncovered else ""))

    def _covered(self) -> str:
        if not self.uncovered:
            return f"on the whole of its {self.duration:.6g} time units"
        return f"on all but {self.duration - self.certified_duration:.2g} of its {self.duration:.6g} time units"

    def move_end(self, t: float, z) -> None:
        """Report (t, z) as the end (a float state past the end, or put on a surface), keeping
        ``exit_distance`` a proved bound for it."""
        self.end_time, self.end_state = t, np.array(z, dtype=float)
        if self.exit_way is not None:
            self.exit_distance = RunEnclosure(None, 0.0, "", self.exit_bracket, self.exit_way).distance(self.end_state)

    @property
    def exit_text(self) -> str:
        """What is proved about the end of the segment (proofs/05_trajectory_equivalence.tex, Proposition 5.24;
        on two surfaces at once Proposition 5.27)."""
        if self.exit_bracket is None:
            return "the end is located in floats (the integrator's event root finding), not bracketed"
        a, b = self.exit_bracket
        return (f"the exact motion ends in t in [{a!r}, {b!r}] (width {b - a:.1e}), proved in ball arithmetic, "
                f"at a point within {self.exit_distance:.1e} of the reported end state")

    def _gaps(self) -> str:
        """The stretches the enclosure does not cover (next to the end, where a tends to 0 or 1, and any
        other: a Taylor step that could not be proved, or the step budget spent)."""
        if not self.uncovered:
            return "nothing"
        shown = ", ".join(f"t in [{a:.6g}, {b:.6g}]" for a, b in self.uncovered[:3])
        more = f" and {len(self.uncovered) - 3} more" if len(self.uncovered) > 3 else ""
        return shown + more

    @property
    def duration(self) -> float:
        return self.end_time - self.start_time

    def samples(self) -> tuple[np.ndarray, np.ndarray]:
        """(t, Z): the sliding state at the integrator's points and dense samples in between."""
        if not self.t:
            return np.zeros(0), np.zeros((0, len(self.start_state)))
        return np.concatenate(self.t), np.concatenate(self.z)

    def to_dict(self) -> dict[str, Any]:
        return {"surface": self.label, "index": self.surface, "surfaces": list(self.all_surfaces),
                "regions": list(self.regions),
                "start_time": self.start_time, "end_time": self.end_time, "duration": self.duration,
                "steps": [self.steps[0], self.steps[-1]], "start_state": self.start_state.tolist(),
                "end_state": self.end_state.tolist(), "end": self.end, "method": self.method,
                "integrator_steps": self.integrator_steps,
                "certified": {"duration": self.certified_duration, "bound": self.certified_bound,
                              "about": self.certified_about, "uncovered": [list(g) for g in self.uncovered],
                              "text": self.enclosure},
                "exit": {"bracket": None if self.exit_bracket is None else list(self.exit_bracket),
                         "distance": self.exit_distance, "text": self.exit_text}}

    def text(self) -> str:
        n0, n1 = self.steps[0], self.steps[-1]
        where = f"step {n0}" if n0 == n1 else f"steps {n0}-{n1}"
        enc = ("" if self.certified_bound is None else
               f"; enclosed to {self.certified_bound:.1e} " + ("on all of it" if not self.uncovered else
                                                              f"on all but {self.duration - self.certified_duration:.2g} of it"))
        if self.exit_bracket is not None:
            enc += f"; its end bracketed to {self.exit_bracket[1] - self.exit_bracket[0]:.1e}"
        between = (f"{self.regions[0]} and {self.regions[1]}" if len(self.regions) == 2 else
                   f"{', '.join(self.regions[:-1])} and {self.regions[-1]}")
        return (f"slides on {self.label} = 0 between regions {between} from "
                f"t = {self.start_time:.6g} to {self.end_time:.6g} (duration {self.duration:.4g}, {where}); "
                f"{self.end}{enc}")


def side_field(sysm: RegionSystem):
    """(F, c(s)): the region's field on the state space R^M as z -> F z + c(s).  For a region of dimension
    M that is L z + g + B s; for a lifted region (no real logarithm, the flow runs in N > M dimensions)
    it is the field at the embedded point G z projected back, P (L G z + g + B s): the field the
    autonomous system has there when it enters the region, whose added coordinates restart at zero at
    every switch (the convention of the driver; proofs/05_trajectory_equivalence.tex, Remark 5.19)."""
    if sysm.dimension == sysm.M:
        return sysm.L, (lambda s: sysm._affine(s))
    P, G = np.asarray(sysm.P, dtype=float), np.asarray(sysm.G, dtype=float)
    return P @ sysm.L @ G, (lambda s: P @ sysm._affine(s))


def _exact_row(model, k: int) -> tuple[list[Fraction], Fraction]:
    """(W2_k, h2_k) of the model's own exact weights, as fractions."""
    def q(x):
        x = sp.nsimplify(x) if not isinstance(x, sp.Rational) else x
        return Fraction(int(x.p), int(x.q)) if isinstance(x, sp.Rational) else Fraction(float(x))
    return [q(x) for x in model.W2.row(k)], q(model.h2[k])


def onto_side(model, k: int, z, sign: float) -> np.ndarray:
    """The float state z (first M coordinates of a possibly lifted state) moved by a few ulps along
    sign w_k until the exact pre-activation sigma_k(z) = W2_k z + h2_k, evaluated in rational arithmetic,
    has the sign ``sign`` strictly.  A state that leaves a surface starts in the closure of the side it
    leaves into, so that rounding cannot make its region flow cross straight back (a spurious crossing
    proved by the exit scan for the float state).  For a PLRNN, z_k = 0 exactly is in both closures:
    it is set and kept."""
    z = np.array(z, dtype=float)
    if isinstance(model, PLRNN):
        z[k] = 0.0
        return z
    w, c = _exact_row(model, k)
    wf = np.array([float(x) for x in w])
    M = len(w)
    shift = np.finfo(float).eps * max(1.0, float(np.abs(z[:M]).max()))
    for _ in range(12):
        if sign * (sum(wi * Fraction(float(zi)) for wi, zi in zip(w, z[:M], strict=True)) + c) > 0:
            break
        z[:M] = z[:M] + sign * shift / (wf @ wf) * wf
        shift *= 2
    return z


def _integrate(record, rhs, z, t0: float, t1: float, events: list, kinds: list):
    """DOP853 from z at t0 towards t1, stopped by the first terminal event: (solution, end time, the
    event's kind from ``kinds``, or None when t1 was reached, or ("failed", message))."""
    scale = max(1.0, float(np.abs(z).max()))
    sol = scipy.integrate.solve_ivp(rhs, (t0, t1), np.asarray(z, dtype=float), method="DOP853", rtol=RTOL,
                                    atol=ATOL * scale, events=events, dense_output=True)
    record.integrator_steps += max(1, len(sol.t) - 1)
    if not sol.success or not len(sol.sol.interpolants):
        return sol, float(sol.t[-1]), ("failed", sol.message)
    t_end, why = t1, None
    for i, te in enumerate(sol.t_events):
        if len(te) and te[0] < t_end:
            t_end, why = float(te[0]), kinds[i]
    return sol, t_end, why


def _failed(why) -> bool:
    return isinstance(why, tuple) and why[0] == "failed"


class SlidingMotion:
    """The state of a sliding motion on surface ``k`` (0-based) between the regions ``minus`` and ``plus``
    (their systems), for the driver: :meth:`run` integrates the sliding field over a time interval with
    the input s held."""

    def __init__(self, model, k: int, minus: RegionSystem, plus: RegionSystem, record: SlidingSegment):
        self.model = model
        self.k = k
        self.minus, self.plus = minus, plus
        self.record = record
        self.W2, self.h2 = hyperplanes(model)
        self.w = self.W2[k]
        self._fields = (side_field(minus), side_field(plus))

    @property
    def regions(self) -> tuple[str, str]:
        return self.minus.region, self.plus.region

    def side_fields(self, z, s) -> tuple[np.ndarray, np.ndarray]:
        """(f_-(z), f_+(z)) on R^M (:func:`side_field`)."""
        (Fm, cm), (Fp, cp) = self._fields
        return Fm @ z + cm(s), Fp @ z + cp(s)

    def normal_components(self, z, s) -> tuple[float, float]:
        """(v_-, v_+) = (w.f_-(z), w.f_+(z))."""
        fm, fp = self.side_fields(z, s)
        return float(self.w @ fm), float(self.w @ fp)

    def field(self, z, s) -> np.ndarray:
        return _combine(*self.side_fields(z, s), self.w)

    def project(self, z) -> np.ndarray:
        """z moved orthogonally onto the surface w.z + c = 0 (a float correction; a PLRNN's z_k set to 0)."""
        z = np.array(z, dtype=float)
        if isinstance(self.model, PLRNN):
            z[self.k] = 0.0
            return z
        return z - (self.w @ z + self.h2[self.k]) / (self.w @ self.w) * self.w

    def onto_side(self, z, sign: float) -> np.ndarray:
        """z projected onto the surface, then put on the side ``sign`` of it (+1: sigma > 0, -1: sigma < 0)
        by :func:`onto_side`."""
        return onto_side(self.model, self.k, self.project(z), sign)

    def run(self, z, s, t0: float, t1: float, per_unit: float):
        """Integrate from z at t0 towards t1; returns (t_end, z_end, why) with why None when t1 was reached,
        else "plus" (v_+ reached 0), "minus" (v_- reached 0), ("crosses", j) (pre-activation j, 0-based) or
        ("failed", the integrator's message)."""
        L = len(self.h2)
        (Lm, cm), (Lp, cp) = self._fields
        gm, gp = cm(s), cp(s)
        w = self.w

        def rhs(_t, y):
            return _combine(Lm @ y + gm, Lp @ y + gp, w)

        def leave_plus(_t, y):
            return w @ (Lp @ y + gp)

        def leave_minus(_t, y):
            return w @ (Lm @ y + gm)

        leave_plus.terminal = leave_minus.terminal = True
        leave_plus.direction = 1.0     # v_+ rises through 0
        leave_minus.direction = -1.0   # v_- falls through 0
        events = [leave_plus, leave_minus]
        others = [j for j in range(L) if j != self.k]
        for j in others:
            def cross(_t, y, j=j):
                return self.W2[j] @ y + self.h2[j]
            cross.terminal = True
            events.append(cross)
        if not t1 > t0:                          # the motion starts at the step's end: nothing to integrate
            return t1, self.project(z), None
        kinds = ["plus", "minus", *(("crosses", j) for j in others)]
        sol, t_end, why = _integrate(self.record, rhs, z, t0, t1, events, kinds)
        if _failed(why):
            return t_end, self.project(sol.y[:, -1]), why
        z_end = self.project(sol.sol(t_end))
        inner = sol.t[(sol.t > t0) & (sol.t < t_end)]
        ts = np.append(inner, t_end)
        enc = enclose(self, z, s, ts, [self.project(sol.sol(t)) for t in ts], t0, why, t_end)
        rec = self.record
        # with the end bracketed, the exact motion is enclosed and the sliding condition proved up to its end
        done = (t_end - t0) if enc.bracket is not None else enc.done if enc.bound is not None else 0.0
        if enc.bound is not None:
            rec.certified_bound = max(enc.bound, rec.certified_bound or 0.0)
            rec.certified_about = enc.about
        rec.certified_duration += done
        rec.exit_bracket, rec.exit_way = enc.bracket, enc.way
        rec.exit_distance = enc.distance(z_end)
        if t0 + done < t_end:
            rec.uncovered.append((t0 + done, t_end))
        k = max(2, int(np.ceil((t_end - t0) * per_unit)) + 1)
        ts = np.union1d(np.linspace(t0, t_end, k), sol.t[sol.t < t_end])    # dense samples and the integrator's points
        self.record.t.append(ts)
        self.record.z.append(np.array([self.project(zi) for zi in sol.sol(ts).T]))
        return t_end, z_end, why


# ---- two surfaces at once: the bilinear equivalent control (Definition 5.21, Remark 5.22) -------------
CORNER_TOL = 1e-9          # relative: a control within this of the box's boundary, or a sign within it of 0, is not decided
CORNER_METHOD = (f"float: DOP853 (rtol {RTOL:g}, atol {ATOL:g} times the state's scale) on the bilinear "
                 "equivalent-control field of two surfaces (proofs/05_trajectory_equivalence.tex, Definition 5.21), "
                 "its control u at every point the root in the open box (0, 1)^2 of n_i.F(u) = 0 found from the "
                 "resultant quadratic, the roots and the corner's attraction decided in floats at the entry; the end "
                 "located by the integrator's event root finding; enclosed a posteriori by interval Taylor steps "
                 "in FLINT balls, which prove the control unique and the attraction on every step where they "
                 "succeed (Proposition 5.26), and the end bracketed in balls where that can be proved "
                 "(Proposition 5.27)")


def canopy_field(fields, u) -> np.ndarray:
    """The bilinear interpolation F(u) = sum_d w_d(u) f_d of the four fields around the intersection of two
    surfaces, w_d(u) = prod_i (u_i if d_i = 1 else 1 - u_i) (proofs/05_trajectory_equivalence.tex,
    Definition 5.21); ``fields[a][b]`` is the field of the region on side a of the first surface and side b
    of the second (1: the pre-activation is positive).

    Examples
    --------
    >>> canopy_field([[[1.0, 1.0], [1.0, -1.0]], [[-1.0, 1.0], [-1.0, -1.0]]], [0.5, 0.5]).tolist()
    [0.0, 0.0]
    """
    u1, u2 = (float(x) for x in u)
    f = [[np.asarray(x, dtype=float) for x in row] for row in fields]
    return (1 - u1) * ((1 - u2) * f[0][0] + u2 * f[0][1]) + u1 * ((1 - u2) * f[1][0] + u2 * f[1][1])


def _components(fields, normals) -> tuple[list, list]:
    """(a, b): a[x][y] = n_1.f_xy and b[x][y] = n_2.f_xy."""
    n1, n2 = (np.asarray(n, dtype=float) for n in normals)
    return ([[float(n1 @ np.asarray(f, dtype=float)) for f in row] for row in fields],
            [[float(n2 @ np.asarray(f, dtype=float)) for f in row] for row in fields])


def _affine_in_u2(a) -> tuple[tuple[float, float], tuple[float, float]]:
    """n.F(u) = p(u2) + u1 q(u2) with p, q affine in u2: ((p0, p1), (q0, q1))."""
    return ((a[0][0], a[0][1] - a[0][0]),
            (a[1][0] - a[0][0], a[1][1] - a[1][0] - a[0][1] + a[0][0]))


def _resultant(a, b) -> list[float]:
    """[c2, c1, c0]: the coefficients of R(u2) = p_a q_b - q_a p_b, which vanishes at the u2 of every common
    zero of the two bilinear equations (u1 eliminated)."""
    (pa, qa), (pb, qb) = _affine_in_u2(a), _affine_in_u2(b)

    def mul(x, y):
        return (x[1] * y[1], x[0] * y[1] + x[1] * y[0], x[0] * y[0])

    m1, m2 = mul(pa, qb), mul(qa, pb)
    return [m1[i] - m2[i] for i in range(3)]


def equivalent_controls(fields, normals, tol: float = CORNER_TOL) -> list[np.ndarray] | None:
    """Every control u in the closed box [0, 1]^2 (up to ``tol``) with n_1.F(u) = n_2.F(u) = 0, F the
    bilinear field of :func:`canopy_field`; None when the solutions are not isolated (the resultant vanishes
    identically, or a whole segment u2 = const solves both).  Floats, not proved: u2 from the roots of the
    resultant quadratic, u1 from the better conditioned of the two equations, each refined by Newton steps
    (proofs/05_trajectory_equivalence.tex, Definition 5.21 and Remark 5.22).

    Examples
    --------
    >>> f = [[[1.0, 1.0], [1.0, -1.0]], [[-1.0, 1.0], [-1.0, -1.0]]]      # all four point into the corner
    >>> [u.tolist() for u in equivalent_controls(f, [[1.0, 0.0], [0.0, 1.0]])]
    [[0.5, 0.5]]
    """
    a, b = _components(fields, normals)
    scale = max(abs(x) for row in a + b for x in row) or 1.0
    a = [[x / scale for x in row] for row in a]
    b = [[x / scale for x in row] for row in b]
    (pa, qa), (pb, qb) = _affine_in_u2(a), _affine_in_u2(b)
    c = _resultant(a, b)
    if max(abs(x) for x in c) <= tol:
        return None
    out: list[np.ndarray] = []
    for r in np.roots(np.trim_zeros(np.array(c), "f")):
        if abs(r.imag) > tol * (1 + abs(r.real)) or not -tol <= r.real <= 1 + tol:
            continue
        u2 = float(r.real)
        da, db = qa[0] + qa[1] * u2, qb[0] + qb[1] * u2
        na, nb = pa[0] + pa[1] * u2, pb[0] + pb[1] * u2
        if max(abs(da), abs(db)) <= tol:
            if max(abs(na), abs(nb)) <= tol:
                return None                       # every u1 solves both at this u2
            continue
        u = np.array([-na / da if abs(da) >= abs(db) else -nb / db, u2])
        for _ in range(3):                        # Newton on the bilinear pair
            E = np.array([_bilinear(a, u), _bilinear(b, u)])
            J = np.array([_gradient(a, u), _gradient(b, u)])
            try:
                u = u - np.linalg.solve(J, E)
            except np.linalg.LinAlgError:
                break
        if np.all(u >= -tol) and np.all(u <= 1 + tol) and not any(np.allclose(u, v, atol=tol) for v in out):
            out.append(u)
    return out


def _bilinear(a, u) -> float:
    u1, u2 = u
    return (1 - u1) * ((1 - u2) * a[0][0] + u2 * a[0][1]) + u1 * ((1 - u2) * a[1][0] + u2 * a[1][1])


def _gradient(a, u) -> list[float]:
    u1, u2 = u
    return [((1 - u2) * (a[1][0] - a[0][0]) + u2 * (a[1][1] - a[0][1])),
            ((1 - u1) * (a[0][1] - a[0][0]) + u1 * (a[1][1] - a[1][0]))]


def _faces(fields, normals):
    """For each surface p (0, 1) and side x (0: pre-activation < 0, 1: > 0), the two fields on that side
    (f_0 on the negative side of the other surface q, f_1 on its positive side) and how they hold the state
    at p, as (p, x, slide, cross, scale): with v_0 = n_q.f_0, v_1 = n_q.f_1 and sgn = +1 on side 0, -1 on
    side 1, ``slide`` = min(v_0, -v_1, sgn n_p.f_s), f_s the one-surface sliding field on q on that side
    (Definition 5.17; -inf when v_0 <= v_1), and ``cross`` = min(sgn n_p.f_0, sgn n_p.f_1); the side
    holds the state at p iff max(slide, cross) > 0 (Definition 5.21)."""
    n = [np.asarray(x, dtype=float) for x in normals]
    for p in (0, 1):
        q = 1 - p
        for x in (0, 1):
            f0, f1 = (fields[x][0], fields[x][1]) if p == 0 else (fields[0][x], fields[1][x])
            f0, f1 = np.asarray(f0, dtype=float), np.asarray(f1, dtype=float)
            v0, v1 = float(n[q] @ f0), float(n[q] @ f1)
            sgn = 1.0 if x == 0 else -1.0
            slide = min(v0, -v1, sgn * float(n[p] @ (v0 * f1 - v1 * f0)) / (v0 - v1)) if v0 > v1 else -np.inf
            cross = min(sgn * float(n[p] @ f0), sgn * float(n[p] @ f1))
            scale = float(np.abs(n[p]) @ (np.abs(f0) + np.abs(f1)) + np.abs(n[q]) @ (np.abs(f0) + np.abs(f1)))
            yield p, x, slide, cross, scale


def corner_attraction(fields, normals, tol: float = CORNER_TOL) -> tuple[int, int, str] | None:
    """None when the intersection of the two surfaces attracts in the sense of Definition 5.21: on each side
    of each surface p, either the two fields there slide on the other surface q and that sliding field
    points into p, or both fields point into p; else (surface, side, what fails), both 0-based.  A margin
    within ``tol`` (relative) of 0 is taken as failing.  Floats, not proved.

    Examples
    --------
    >>> f = [[[1.0, 1.0], [1.0, -1.0]], [[-1.0, 1.0], [-1.0, -1.0]]]
    >>> corner_attraction(f, [[1.0, 0.0], [0.0, 1.0]]) is None
    True
    >>> corner_attraction([[[1.0, 1.0], [1.0, -1.0]], [[1.0, 1.0], [-1.0, -1.0]]], [[1.0, 0.0], [0.0, 1.0]])
    (0, 1, 'neither do both fields there point into it, nor does their sliding field on the other surface')
    """
    for p, x, slide, cross, scale in _faces(fields, normals):
        if not max(slide, cross) > tol * (scale or 1.0):
            return p, x, "neither do both fields there point into it, nor does their sliding field on the other surface"
    return None


class CornerMotion:
    """The state of a sliding motion on the intersection of the surfaces ``surfaces`` = (k, j) (0-based),
    with ``systems[a][b]`` the region on side a of surface k and side b of surface j, for the driver:
    :meth:`run` integrates the equivalent-control field F(u(z)) of Definition 5.21 over a time interval
    with the input s held.  ``k`` is the first surface (for reports that name one)."""

    def __init__(self, model, surfaces: tuple[int, int], systems, record: SlidingSegment):
        self.model = model
        self.surfaces = tuple(surfaces)
        self.k = self.surfaces[0]
        self.systems = systems
        self.record = record
        self.W2, self.h2 = hyperplanes(model)
        self.normals = (self.W2[self.surfaces[0]], self.W2[self.surfaces[1]])
        self._fields = [[side_field(systems[a][b]) for b in (0, 1)] for a in (0, 1)]
        self.u: np.ndarray | None = None          # the control at the last point evaluated
        self.exit = None                           # (t_a, t_b, boxes) when the last run bracketed its end
        self.enclosure = None                      # what the last run's enclosure proved (corner_balls.CornerEnclosure)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(self.systems[a][b].region for a in (0, 1) for b in (0, 1))

    def fields_at(self, z, s) -> list[list[np.ndarray]]:
        return [[F @ z + c(s) for F, c in row] for row in self._fields]

    def controls(self, z, s) -> list[np.ndarray] | None:
        """The controls u in the closed box at z (:func:`equivalent_controls`)."""
        return equivalent_controls(self.fields_at(z, s), self.normals)

    def attraction(self, z, s):
        """None when the corner attracts at z (:func:`corner_attraction`), else (surface, side, why)."""
        return corner_attraction(self.fields_at(z, s), self.normals)

    def project(self, z) -> np.ndarray:
        """z moved onto both surfaces (a PLRNN's two coordinates set to 0; else the least-norm float
        correction)."""
        z = np.array(z, dtype=float)
        if isinstance(self.model, PLRNN):
            z[list(self.surfaces)] = 0.0
            return z
        Wp = self.W2[list(self.surfaces)]
        return z - Wp.T @ np.linalg.solve(Wp @ Wp.T, Wp @ z + self.h2[list(self.surfaces)])

    def field(self, z, s) -> np.ndarray:
        """F(u) at z with u the control nearest the last one (the unique one in the open box while the
        driver's conditions hold; between events their number does not change)."""
        f = self.fields_at(z, s)
        us = equivalent_controls(f, self.normals) or []
        if us:
            ref = self.u if self.u is not None else np.full(2, 0.5)
            self.u = min(us, key=lambda u: float(np.abs(u - ref).max()))
        return canopy_field(f, self.u if self.u is not None else np.full(2, 0.5))

    def _certify(self, z, s, sol, t0: float, t_end: float, why) -> None:
        """Enclose the float motion of this run in balls (Proposition 5.26) and, where it ended by a control
        reaching the box's face or another pre-activation crossing zero, bracket that end (Proposition 5.27):
        the record's certified bound, duration and uncovered stretches, and ``self.exit`` for
        :meth:`record_exit`."""
        inner = sol.t[(sol.t > t0) & (sol.t < t_end)]
        ts = np.append(inner, t_end)
        ending = why if why is not None and why[0] in ("leaves", "crosses") else None
        enc = enclose_corner(self, z, s, ts, [self.project(sol.sol(t)) for t in ts], t0, ending, t_end)
        self.enclosure = enc
        rec = self.record
        done = enc.done
        if enc.bound is not None:
            rec.certified_bound = max(enc.bound, rec.certified_bound or 0.0)
            rec.certified_duration += done
            rec.certified_about = enc.about
        else:
            done = 0.0
        if t0 + done < t_end:
            rec.uncovered.append((t0 + done, t_end))
        self.exit = None if enc.bracket is None else (outward(t0, enc.bracket[0], -1.0),
                                                      outward(t0, enc.bracket[1], 1.0), enc.boxes)

    def record_exit(self) -> str:
        """Fill the record's exit bracket and the distance of its (final) end state from the enclosure over
        the bracket (Proposition 5.27), where the last run bracketed its end; returns a note for the record's
        ``end`` text when the float end time lies outside the proved bracket (which then holds the exact end)."""
        if self.exit is None:
            return ""
        a, b, boxes = self.exit
        rec = self.record
        rec.exit_bracket = (a, b)
        rec.exit_distance = hull_distance(boxes, rec.end_state)
        if a <= rec.end_time <= b:
            return ""
        return (f"; the float end time {rec.end_time!r} lies outside the bracket [{a!r}, {b!r}] proved in ball "
                "arithmetic, which holds the exact end")

    def run(self, z, s, t0: float, t1: float, per_unit: float):
        """Integrate from z at t0 towards t1; returns (t_end, z_end, why) with why None when t1 was reached,
        else ("leaves", p, x): the sliding field on the other surface, on side x of surface p (0, 1 of
        ``surfaces``), turned tangent to surface p (u_p reached x); ("lost", p, x): that side stopped holding
        the state at p otherwise (Definition 5.21); ("merge",): two controls merged (the resultant's
        discriminant reached 0); ("crosses", m): another pre-activation m (0-based) crossed zero; or
        ("failed", the integrator's message)."""
        self.exit = None
        if not t1 > t0:
            return t1, self.project(z), None
        self.u = None
        self.field(z, s)                           # the control at the start
        n = self.normals

        def rhs(_t, y):
            return self.field(y, s)

        events, kinds = [], []
        for idx in range(4):
            def held(_t, y, idx=idx):
                _, _, slide, cross, scale = list(_faces(self.fields_at(y, s), n))[idx]
                return max(slide, cross) / (scale or 1.0)

            held.terminal, held.direction = True, -1.0
            events.append(held)
            kinds.append(("side", *divmod(idx, 2)))

        def merge(_t, y):
            c2, c1, c0 = _resultant(*_components(self.fields_at(y, s), n))
            return c1 * c1 - 4 * c2 * c0

        merge.terminal, merge.direction = True, -1.0
        events.append(merge)
        kinds.append(("merge",))
        for m in range(len(self.h2)):
            if m in self.surfaces:
                continue

            def cross(_t, y, m=m):
                return self.W2[m] @ y + self.h2[m]

            cross.terminal = True
            events.append(cross)
            kinds.append(("crosses", m))
        sol, t_end, why = _integrate(self.record, rhs, z, t0, t1, events, kinds)
        if _failed(why):
            return t_end, self.project(sol.y[:, -1]), why
        z_end = self.project(sol.sol(t_end))
        self.u = None
        self.field(z_end, s)
        if why is not None and why[0] == "side":
            # the side stopped holding the state at p: through its sliding field turning tangent (u_p reached
            # x, Definition 5.21), or otherwise (not followed)
            p, x = why[1], why[2]
            _, _, slide, cross, _ = list(_faces(self.fields_at(z_end, s), n))[2 * p + x]
            # u_p reached x only where the side held by sliding and the quantity that failed is the tangency of
            # that sliding field to surface p; where the two fields stop sliding on the other surface (v_0 or
            # -v_1 the smallest), the control is inside the box and the side is lost otherwise
            f = self.fields_at(z_end, s)
            f0, f1 = (np.asarray(f[x][0]), np.asarray(f[x][1])) if p == 0 else (np.asarray(f[0][x]), np.asarray(f[1][x]))
            v0, v1 = float(n[1 - p] @ f0), float(n[1 - p] @ f1)
            tangency = (1.0 if x == 0 else -1.0) * float(n[p] @ (v0 * f1 - v1 * f0)) / (v0 - v1) if v0 > v1 else np.inf
            f0v = slide >= cross and np.isfinite(slide) and tangency <= min(v0, -v1)
            why = ("leaves" if f0v else "lost", why[1], why[2])
        self._certify(z, s, sol, t0, t_end, why)
        k = max(2, int(np.ceil((t_end - t0) * per_unit)) + 1)
        ts = np.union1d(np.linspace(t0, t_end, k), sol.t[sol.t < t_end])
        self.record.t.append(ts)
        self.record.z.append(np.array([self.project(zi) for zi in sol.sol(ts).T]))
        return t_end, z_end, why
