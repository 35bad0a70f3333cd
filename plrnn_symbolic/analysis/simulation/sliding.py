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
in ball arithmetic by the driver (both normal components proved to point into the surface).  Sliding on
two or more surfaces at once is not followed: the Filippov set is then a polytope of dimension
2^p - 1 - p > 0 of tangent convex combinations, not one vector, and the run stops and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import scipy.integrate
import sympy as sp

from ...core.domains import to_arb, working_precision
from ...model.plrnn import PLRNN
from ..transform import RegionSystem

__all__ = ["SLIDING_METHOD", "SlidingSegment", "filippov_coefficient", "sliding_field", "surface_label"]

RTOL = 1e-13
ATOL = 1e-15
SLIDING_METHOD = (f"float: DOP853 (explicit Runge-Kutta of order 8, rtol {RTOL:g}, atol {ATOL:g} times the state's "
                  "scale) on the Filippov sliding field; the end located by the integrator's event root finding "
                  "(w.f+ or w.f- changes sign, or another pre-activation crosses zero), not proved")


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

    @property
    def enclosure(self) -> str:
        """What the a posteriori enclosure proved (proofs/05_trajectory_equivalence.tex, Proposition 5.20)."""
        if self.certified_bound is None:
            return "no enclosure (the sliding condition or a Taylor step could not be proved)"
        return (f"interval Taylor method of order {TAYLOR_ORDER} in FLINT balls ({CERT_PREC} bits): on all but "
                f"{self.duration - self.certified_duration:.2g} of its {self.duration:.6g} time units the sliding "
                "condition is proved "
                f"and the float states at the integrator's points are within {self.certified_bound:.1e} of the "
                f"exact solution of the sliding equation z' = f_s(z) of {self.certified_about} from the float "
                "state where each step's run starts (on the surface for a PLRNN, within rounding of it for the "
                f"other forms); not enclosed: {self._gaps()}")

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
        return {"surface": self.label, "index": self.surface, "regions": list(self.regions),
                "start_time": self.start_time, "end_time": self.end_time, "duration": self.duration,
                "steps": [self.steps[0], self.steps[-1]], "start_state": self.start_state.tolist(),
                "end_state": self.end_state.tolist(), "end": self.end, "method": self.method,
                "integrator_steps": self.integrator_steps,
                "certified": {"duration": self.certified_duration, "bound": self.certified_bound,
                              "about": self.certified_about, "uncovered": [list(g) for g in self.uncovered],
                              "text": self.enclosure}}

    def text(self) -> str:
        n0, n1 = self.steps[0], self.steps[-1]
        where = f"step {n0}" if n0 == n1 else f"steps {n0}-{n1}"
        enc = ("" if self.certified_bound is None else
               f"; enclosed to {self.certified_bound:.1e} on all but {self.duration - self.certified_duration:.2g} of it")
        return (f"slides on {self.label} = 0 between regions {self.regions[0]} and {self.regions[1]} from "
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


def _arb(x: Fraction) -> flint.arb:
    return flint.arb(x.numerator) / x.denominator


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
        scale = max(1.0, float(np.abs(z).max()))
        sol = scipy.integrate.solve_ivp(rhs, (t0, t1), np.asarray(z, dtype=float), method="DOP853", rtol=RTOL,
                                        atol=ATOL * scale, events=events, dense_output=True)
        self.record.integrator_steps += max(1, len(sol.t) - 1)
        if not sol.success or not len(sol.sol.interpolants):
            return float(sol.t[-1]), self.project(sol.y[:, -1]), ("failed", sol.message)
        t_end, why = t1, None
        for i, te in enumerate(sol.t_events):
            if len(te) and te[0] < t_end:
                t_end, why = float(te[0]), ("plus" if i == 0 else "minus" if i == 1 else ("crosses", others[i - 2]))
        z_end = self.project(sol.sol(t_end))
        inner = sol.t[(sol.t > t0) & (sol.t < t_end)]
        ts = np.append(inner, t_end)
        bound, done, about = certify(self, z, s, ts, [self.project(sol.sol(t)) for t in ts], t0)
        rec = self.record
        if bound is not None:
            rec.certified_bound = max(bound, rec.certified_bound or 0.0)
            rec.certified_duration += done
            rec.certified_about = about
        else:
            done = 0.0
        if t0 + done < t_end:
            rec.uncovered.append((t0 + done, t_end))
        k = max(2, int(np.ceil((t_end - t0) * per_unit)) + 1)
        ts = np.union1d(np.linspace(t0, t_end, k), sol.t[sol.t < t_end])    # dense samples and the integrator's points
        self.record.t.append(ts)
        self.record.z.append(np.array([self.project(zi) for zi in sol.sol(ts).T]))
        return t_end, z_end, why


# ---- a posteriori enclosure of the sliding motion (interval Taylor method, FLINT balls) -------------------
TAYLOR_ORDER = 16          # order K of the interval Taylor steps
CERT_PREC = 128            # bits
MAX_CERT_STEPS = 96        # Taylor steps one run of a sliding motion may spend on its enclosure
MAX_HALVINGS = 6           # halvings of a step that cannot be proved (or widens it too much) before the enclosure stops there
STEP_WIDTH = 2.0 ** -52    # the widening of the enclosure one Taylor step may add, relative to the state's scale


def _ball_side(sysm: RegionSystem, s) -> tuple[flint.arb_mat, flint.arb_mat, bool]:
    """(F, c) in balls with the field of the side z -> F z + c (:func:`side_field`): from the enclosure of an
    exact or certified derivation (balls containing the true [L g B]), else the float system taken exactly
    (the statement is then about the float system); and whether the enclosure was used."""
    N, M = sysm.dimension, sysm.M
    K = 0 if sysm.B is None else sysm.B.shape[1]
    if sysm.enclosure is not None:
        aug = sysm.enclosure.arb()
    else:
        aug = flint.arb_mat(np.column_stack([sysm.L, sysm.g] + ([sysm.B] if K else [])).tolist())
    L = flint.arb_mat(N, N, [aug[i, j] for i in range(N) for j in range(N)])
    c = flint.arb_mat(N, 1, [aug[i, N] + sum((aug[i, N + 1 + j] * float(s[j]) for j in range(K) if s is not None),
                                             flint.arb(0)) for i in range(N)])
    if N != M:
        P, G = flint.arb_mat(np.asarray(sysm.P, dtype=float).tolist()), flint.arb_mat(np.asarray(sysm.G, dtype=float).tolist())
        L, c = P * L * G, P * c
    return L, c, sysm.enclosure is not None


class _SlidingBalls:
    """The sliding field f_s = f_- + a (f_+ - f_-), a = v_- / (v_- - v_+), in ball arithmetic, on ball
    vectors and on vectors of power series (Taylor coefficients of solutions by Picard iteration)."""

    def __init__(self, motion: SlidingMotion, s):
        self.M = len(motion.w)
        (self.Fm, self.cm, em), (self.Fp, self.cp, ep) = _ball_side(motion.minus, s), _ball_side(motion.plus, s)
        self.enclosed = em and ep
        model, k = motion.model, motion.k
        if isinstance(model, PLRNN):
            rows = [([flint.arb(1 if i == j else 0) for i in range(self.M)], flint.arb(0)) for j in range(self.M)]
        else:
            # balls around the model's own exact weights (sqrt(2), say, enclosed rigorously, not rounded)
            rows = [([to_arb(x) for x in model.W2.row(j)], to_arb(model.h2[j])) for j in range(model.L)]
        w = rows[k][0]
        # the other surfaces, exactly, each with the side the two regions lie on (+1: active, -1: inactive;
        # the regions differ only in pre-activation k)
        d = model.pattern(motion.minus.region)
        self.others = [(w, c, 1 if d[j] else -1) for j, (w, c) in enumerate(rows) if j != k]
        # v -+ = w.(F z + c) = (w F) z + w.c
        self.wFm = [sum((w[i] * self.Fm[i, j] for i in range(self.M)), flint.arb(0)) for j in range(self.M)]
        self.wFp = [sum((w[i] * self.Fp[i, j] for i in range(self.M)), flint.arb(0)) for j in range(self.M)]
        self.wcm = sum((w[i] * self.cm[i, 0] for i in range(self.M)), flint.arb(0))
        self.wcp = sum((w[i] * self.cp[i, 0] for i in range(self.M)), flint.arb(0))

    def normal(self, z: list) -> tuple:
        """(v_-, v_+) at the ball (or series) vector z."""
        vm = sum((self.wFm[j] * z[j] for j in range(self.M)), self.wcm)
        vp = sum((self.wFp[j] * z[j] for j in range(self.M)), self.wcp)
        return vm, vp

    def field(self, z: list) -> list:
        M = self.M
        fm = [sum((self.Fm[i, j] * z[j] for j in range(M)), self.cm[i, 0]) for i in range(M)]
        fp = [sum((self.Fp[i, j] * z[j] for j in range(M)), self.cp[i, 0]) for i in range(M)]
        vm, vp = self.normal(z)
        a = vm / (vm - vp)
        return [fm[i] + a * (fp[i] - fm[i]) for i in range(M)]

    def coefficients(self, z: list, K: int) -> list[list]:
        """The Taylor coefficients c_0 .. c_K of the solutions of z' = f_s from every point of the ball vector
        z (K + 1 Picard iterations on truncated series, each fixing one more coefficient).  The affine parts
        act on the M x (K + 1) matrix of coefficients in one ball-matrix product each."""
        M, n = self.M, K + 1
        cap = flint.ctx.cap
        flint.ctx.cap = max(cap, n)     # FLINT truncates series products and quotients at ctx.cap terms (10 by
        try:                            # default), which would silently drop c_10 .. c_K and the remainder
            return self._coefficients(z, n)
        finally:
            flint.ctx.cap = cap

    def _coefficients(self, z: list, n: int) -> list[list]:
        M = self.M
        C = flint.arb_mat(M, n)
        for i in range(M):
            C[i, 0] = z[i]
        wF = flint.arb_mat(2, M, self.wFm + self.wFp)
        for _ in range(n):
            Fm, Fp, V = self.Fm * C, self.Fp * C, wF * C
            for i in range(M):
                Fm[i, 0] += self.cm[i, 0]
                Fp[i, 0] += self.cp[i, 0]
            V[0, 0] += self.wcm
            V[1, 0] += self.wcp
            vm = flint.arb_series([V[0, k] for k in range(n)], prec=n)
            vp = flint.arb_series([V[1, k] for k in range(n)], prec=n)
            a = vm / (vm - vp)
            new = flint.arb_mat(M, n)
            for i in range(M):
                fm = flint.arb_series([Fm[i, k] for k in range(n)], prec=n)
                fp = flint.arb_series([Fp[i, k] for k in range(n)], prec=n)
                series = fm + a * (fp - fm)
                if series.prec < n:
                    raise RuntimeError(f"series truncated at {series.prec} < {n} terms")
                co = series.coeffs()
                new[i, 0] = z[i]
                for k in range(1, n):
                    if k - 1 < len(co):
                        new[i, k] = co[k - 1] / k
            C = new
        return [[C[i, k] for k in range(n)] for i in range(M)]

    def slides(self, box: list) -> bool:
        """v_- > 0 > v_+ proved on the ball vector ``box`` (the sliding condition of Definition 5.17), and no
        other surface meets it: every other pre-activation has the strict sign of the two regions' pattern
        (Lemma 5.18's U), so that f_- and f_+ are the fields of the cells next to the box."""
        vm, vp = self.normal(box)
        if not (vm > 0 and vp < 0):
            return False
        for w, c, side in self.others:    # in the cell of the two regions: f_- and f_+ are the fields there
            x = sum((w[i] * box[i] for i in range(self.M)), c)
            if not side * x > 0:
                return False
        return True

    def step(self, z: list, h: float | Fraction) -> list | None:
        """An enclosure of the sliding motion h after the ball vector z, and a proof that it slides on the
        way (None where either fails): an a priori box B with z + [0, h] f_s(B) inside B (so that every
        solution from z stays in B on [0, h]: Picard), the sliding condition on B, and the Taylor
        polynomial of order K - 1 at z with the Lagrange remainder c_K(B) h^K."""
        hb = _arb(Fraction(h))                              # a ball that contains h (exact for a float h)
        top = hb.upper()
        span = flint.arb(top / 2, top / 2)                  # [0, h] (halving a binary number is exact)
        B = list(z)
        for _ in range(10):
            fB = self.field(B)
            cand = [z[i] + span * fB[i] for i in range(self.M)]
            if all(B[i].contains_interior(cand[i]) for i in range(self.M)):
                break
            B = [flint.arb(c.mid(), 2 * c.rad() + abs(float(c.mid())) * 1e-12 + 1e-30) for c in cand]
        else:
            return None
        if not self.slides(B):
            return None
        K = TAYLOR_ORDER
        cz = self.coefficients(z, K - 1)
        cB = self.coefficients(B, K)
        out = []
        for i in range(self.M):
            acc = cB[i][K] * hb ** K
            for k in range(K - 1, -1, -1):
                acc = acc + cz[i][k] * hb ** k
            out.append(acc)
        return out


def _up(x: flint.arb) -> float:
    """A float >= every point of the ball x."""
    u = x.upper()
    f = float(u)
    return f if f >= u else float(np.nextafter(f, np.inf))


def _width(z: list) -> float:
    return max(float(x.rad()) for x in z)


def certify(motion: SlidingMotion, z0, s, ts, zs, t0: float = 0.0) -> tuple[float | None, float, str]:
    """Enclose the sliding motion from the float state z0 (taken exactly) at the times ``ts`` (floats; the
    enclosure is for the exact times t - t0, each float taken exactly) and bound the distance of the float
    states ``zs`` there from it; stops where a step cannot be proved (after halving it) or the budget
    MAX_CERT_STEPS is spent.  A step that would widen the enclosure by more than STEP_WIDTH times the
    state's scale is halved too (up to MAX_HALVINGS times: the Lagrange remainder of a long step over its
    a priori box is what makes enclosures wide).  Returns (the bound, rounded up, or None when nothing was
    proved; the time up to which it holds; what the statement is about)."""
    with working_precision(CERT_PREC):
        balls = _SlidingBalls(motion, s)
        about = "the region systems as enclosed" if balls.enclosed else "the float region systems"
        z = [flint.arb(float(x)) for x in z0]
        if not balls.slides(z):
            return None, 0.0, about
        scale = max(1.0, float(np.abs(np.asarray(z0, dtype=float)).max()))
        worst, t_prev, steps, reached = 0.0, Fraction(0), 0, False
        for t, zf in zip(ts, zs, strict=True):
            t = Fraction(float(t)) - Fraction(float(t0))      # exact
            h = t - t_prev
            halvings = 0
            while t_prev < t and steps < MAX_CERT_STEPS and halvings <= MAX_HALVINGS:
                h = min(h, t - t_prev)
                nz = balls.step(z, h)
                steps += 1
                if nz is None or (halvings < MAX_HALVINGS and _width(nz) - _width(z) > STEP_WIDTH * scale):
                    h /= 2
                    halvings += 1
                else:
                    z, t_prev = nz, t_prev + h
            if t_prev < t:
                break
            reached = True
            worst = max([worst] + [_up((zb - float(x)).abs_upper()) for zb, x in zip(z, zf, strict=True)])
    return (worst if reached else None), float(t_prev), about
