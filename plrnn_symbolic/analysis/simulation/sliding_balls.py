"""Proofs about a sliding motion in FLINT ball arithmetic (proofs/05_trajectory_equivalence.tex, Proposition 5.20
and Lemma 5.23): the a posteriori enclosure of the Filippov sliding motion on one surface by an interval Taylor
method, the bracket of the time it ends, and the uniqueness of the equivalent control where two surfaces meet.

The float motions themselves (:class:`~.sliding.SlidingMotion`, :class:`~.sliding.CornerMotion`) are in
:mod:`.sliding`; this module reads only what they hold (the model, the surface, the two region systems).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from ...core.domains import to_arb, working_precision
from ...model.plrnn import PLRNN
from ..transform import RegionSystem

__all__ = ["CERT_PREC", "TAYLOR_ORDER", "RunEnclosure", "certify", "enclose", "nodal_attraction_proved", "normal_signs"]

def _arb(x: Fraction) -> flint.arb:
    return flint.arb(x.numerator) / x.denominator


# ---- a posteriori enclosure of the sliding motion (interval Taylor method, FLINT balls) -------------------
TAYLOR_ORDER = 16          # order K of the interval Taylor steps
CERT_PREC = 128            # bits
MAX_CERT_STEPS = 96        # Taylor steps one run of a sliding motion may spend on its enclosure
MAX_HALVINGS = 6           # halvings of a step that cannot be proved (or widens it too much) before the enclosure stops there
STEP_WIDTH = 2.0 ** -53    # the widening of the enclosure one Taylor step may add, relative to the state's scale


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


def _exact_key(x: flint.arb) -> tuple:
    """The ball x exactly (midpoint and radius as mantissa and exponent): equal keys, equal balls."""
    return x.mid().man_exp(), x.rad().man_exp()


class _SlidingBalls:
    """The sliding field f_s = f_- + a (f_+ - f_-), a = v_- / (v_- - v_+), in ball arithmetic, on ball
    vectors, and the Taylor coefficients of its solutions (by the recurrence of automatic differentiation;
    by Picard iteration on power series in :meth:`_coefficients_picard`, the reference of the tests)."""

    def __init__(self, motion, s):
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
        self.others = {j: (w, c, 1 if d[j] else -1) for j, (w, c) in enumerate(rows) if j != k}
        self._at = None       # (z, the Taylor coefficients at z) of the last step's start
        # v -+ = w.(F z + c) = (w F) z + w.c
        self.wFm = [sum((w[i] * self.Fm[i, j] for i in range(self.M)), flint.arb(0)) for j in range(self.M)]
        self.wFp = [sum((w[i] * self.Fp[i, j] for i in range(self.M)), flint.arb(0)) for j in range(self.M)]
        self.wcm = sum((w[i] * self.cm[i, 0] for i in range(self.M)), flint.arb(0))
        self.wcp = sum((w[i] * self.cp[i, 0] for i in range(self.M)), flint.arb(0))
        self._rows = None       # the affine parts of the recurrence in one ball matrix (_affine)
        self._cache = {}        # the last few coefficient computations, by their exact balls (coefficients)

    def normal(self, z: list) -> tuple:
        """(v_-, v_+) at the ball (or series) vector z."""
        vm = sum((self.wFm[j] * z[j] for j in range(self.M)), self.wcm)
        vp = sum((self.wFp[j] * z[j] for j in range(self.M)), self.wcp)
        return vm, vp

    def field(self, z: list) -> list:
        """f_s on the ball vector z: f_-, f_+ - f_-, v_- and v_- - v_+ in one ball-matrix product (:meth:`_affine`)."""
        M = self.M
        G, g0 = self._affine()
        P = [p + c for p, c in zip((G * flint.arb_mat(M, 1, list(z))).entries(), g0, strict=True)]
        a = P[2 * M] / P[2 * M + 1]
        return [P[i] + a * P[M + i] for i in range(M)]

    def coefficients(self, z: list, K: int) -> list[list]:
        """The Taylor coefficients c_0 .. c_K of the solutions of z' = f_s from every point of the ball vector
        z, in one pass of the recurrence of automatic differentiation (:meth:`_coefficients`); the last few
        results are kept, so that the coefficients at the same balls (a step from z retried with half the
        size, say) are not computed again."""
        z = [x if isinstance(x, flint.arb) else flint.arb(x) for x in z]       # plain numbers as balls
        key = (K, flint.ctx.prec, tuple(_exact_key(x) for x in z)) if all(x.is_finite() for x in z) else None
        hit = None if key is None else self._cache.get(key)
        if hit is None:
            hit = self._coefficients(z, K + 1)
            if key is None:
                return hit
            if len(self._cache) >= 4:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = hit
        return [list(row) for row in hit]

    def _coefficients(self, z: list, n: int) -> list[list]:
        """c_0 .. c_{n-1}, coefficient k + 1 from coefficients 0 .. k: with the affine parts
        fm = F_- z + c_-, D = f_+ - f_- = (F_+ - F_-) z + (c_+ - c_-), v_- and d = v_- - v_+, whose k-th
        coefficients are those of the same affine maps at c_k (without the constant for k > 0),
        a = v_- / d by the Cauchy product d a = v_-: a_k = (v_-,k - sum_{j=1..k} d_j a_{k-j}) / d_0, and
        c_{k+1} = (fm_k + sum_{j=0..k} a_j D_{k-j}) / (k + 1).  Each k takes three ball-matrix products
        (D_k, v_-,k, d_k; fm_k; the convolution); no power series (and so no truncation at flint.ctx.cap)."""
        M = self.M
        _, g0, Fm, G2 = self._affine_parts()
        col = flint.arb_mat(M, 1, list(z))
        cols = [list(z)]
        D = flint.arb_mat(M, n)                         # D_0 .. D_k in its columns, exact zeros after
        rev = flint.arb_mat(n, 1)                       # a_k .. a_0 against D_0 .. D_k
        d, a = [], []
        for k in range(n - 1):
            P = (G2 * col).entries()
            F = Fm * col
            if k == 0:
                P = [p + c for p, c in zip(P, g0[M:], strict=True)]
                F = F + flint.arb_mat(M, 1, g0[:M])
            for i in range(M):
                D[i, k] = P[i]
            d.append(P[M + 1])
            num = P[M]
            for j in range(1, k + 1):
                num -= d[j] * a[k - j]
            a.append(num / d[0])
            for j in range(k + 1):
                rev[k - j, 0] = a[j]
            col = (F + D * rev) / (k + 1)
            cols.append(col.entries())
        return [list(row) for row in zip(*cols, strict=True)]

    def _affine(self) -> tuple[flint.arb_mat, list]:
        """The rows of F_-, F_+ - F_-, w F_- and w (F_- - F_+) in one (2M + 2) x M ball matrix, and their
        constant parts c_-, c_+ - c_-, w.c_-, w.(c_- - c_+)."""
        return self._affine_parts()[:2]

    def _affine_parts(self) -> tuple:
        """(:meth:`_affine`'s matrix, its constants, its first M rows (F_-), its last M + 2 rows)."""
        if self._rows is None:
            M = self.M
            Fm = [[self.Fm[i, j] for j in range(M)] for i in range(M)]
            rest = [[self.Fp[i, j] - self.Fm[i, j] for j in range(M)] for i in range(M)]
            rest += [list(self.wFm), [self.wFm[j] - self.wFp[j] for j in range(M)]]
            const = [self.cm[i, 0] for i in range(M)] + [self.cp[i, 0] - self.cm[i, 0] for i in range(M)]
            const += [self.wcm, self.wcm - self.wcp]
            self._rows = (flint.arb_mat(2 * M + 2, M, [x for r in Fm + rest for x in r]), const,
                          flint.arb_mat(M, M, [x for r in Fm for x in r]),
                          flint.arb_mat(M + 2, M, [x for r in rest for x in r]))
        return self._rows

    def _coefficients_picard(self, z: list, n: int) -> list[list]:
        """c_0 .. c_{n-1} by n Picard iterations on truncated power series (arb_series), each fixing one more
        coefficient: the former route, kept as an independent reference for the tests."""
        cap = flint.ctx.cap
        flint.ctx.cap = max(cap, n)     # FLINT truncates series products and quotients at ctx.cap terms (10 by
        try:                            # default), which would silently drop c_10 .. c_K and the remainder
            return self._picard(z, n)
        finally:
            flint.ctx.cap = cap

    def _picard(self, z: list, n: int) -> list[list]:
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

    def conditions(self, drop=None) -> list:
        """The sliding condition as strict signs of affine functionals l(z) = a.z + b, as (a, b, sign, kind):
        v_- > 0 (kind "minus": it ends when v_- reaches 0), v_+ < 0 ("plus") and every other pre-activation
        j with the sign of the two regions' pattern (("crosses", j)); without the one of kind ``drop``."""
        conds = [(self.wFm, self.wcm, 1, "minus"), (self.wFp, self.wcp, -1, "plus")]
        conds += [(w, c, side, ("crosses", j)) for j, (w, c, side) in self.others.items()]
        return [c for c in conds if c[3] != drop]

    def _value(self, a: list, b, z: list):
        return sum((a[i] * z[i] for i in range(self.M)), b)

    def slides(self, box: list) -> bool:
        """v_- > 0 > v_+ proved on the ball vector ``box`` (the sliding condition of Definition 5.17), and no
        other surface meets it: every other pre-activation has the strict sign of the two regions' pattern
        (Lemma 5.18's U), so that f_- and f_+ are the fields of the cells next to the box."""
        return all(sign * self._value(a, b, box) > 0 for a, b, sign, _ in self.conditions())

    def violated(self, kind, z: list) -> bool:
        """The condition of ``kind`` (see :meth:`conditions`) proved false, with a strict sign, on the ball
        vector z: the motion has ended there."""
        a, b, sign, _ = next(c for c in self.conditions() if c[3] == kind)
        return bool(sign * self._value(a, b, z) < 0)

    def step(self, z: list, h: float | Fraction) -> list | None:
        """An enclosure of the sliding motion h after the ball vector z, and a proof that it slides on the
        way (None where either fails): :meth:`advance` with every condition."""
        got = self.advance(z, h)
        return None if got is None else got[0]

    def advance(self, z: list, h: float | Fraction, drop=None) -> tuple[list, list] | None:
        """(the enclosure at h, an enclosure of the whole way [0, h]) of the solutions of z' = f_s from the
        ball vector z, with the conditions of :meth:`conditions` (all but ``drop``) proved on the way; None
        where a proof fails (proofs/05_trajectory_equivalence.tex, Proposition 5.24).

        An a priori box B with z + [0, h] f_s(B) inside B (so that every solution from z stays in B on
        [0, h]: Picard), on which v_- - v_+ > 0 (f_s is analytic there); the Taylor polynomial of order
        K - 1 at z with the Lagrange remainder c_K(B) t^K.  Each condition l(z) = a.z + b is proved on the
        Taylor form of l along the solution, sum_k (a.c_k) t^k + (a.c_K(B)) t^K over t in [0, h] (Horner in
        ball arithmetic), which is much tighter than l on B next to a zero of l: a motion can be followed
        to within the enclosure's width of where it ends."""
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
        vm, vp = self.normal(B)
        if not vm - vp > 0:
            return None
        K = TAYLOR_ORDER
        if self._at is None or self._at[0] is not z:      # the same start for several step sizes: once
            self._at = (z, self.coefficients(z, K - 1))   # (the list itself is kept, so ``is`` is identity)
        cz = self._at[1]
        cB = self.coefficients(B, K)
        series = [cz[i][:K] + [cB[i][K]] for i in range(self.M)]
        out = [_horner(c, hb) for c in series]
        if not all(x.is_finite() for x in out):
            return None
        conds = self.conditions(drop)
        E = flint.arb_mat([a for a, _, _, _ in conds]) * flint.arb_mat(series)    # row c: (a_c . c_k)_k
        for c, (_, b, sign, _) in enumerate(conds):
            e = [E[c, k] for k in range(K + 1)]
            e[0] += b
            if not sign * _range(e, hb, span) > 0:
                return None
        way = [_horner(series[i], span).intersection(B[i]) for i in range(self.M)]
        return out, way


def _range(e: list, hb, span) -> flint.arb:
    """An enclosure of p(t) = sum_{k<K} e_k t^k + r(t) t^K for every t in [0, h] = ``span`` and every choice
    of points in the balls e_k and r(t) in e_K (Proposition 5.24(a)): the Horner form over the ball [0, h],
    intersected, where the derivative of the polynomial part has one sign on [0, h] (its Horner form over
    [0, h] proves it), with the hull of its values at 0 and h (it is monotone) plus e_K [0, h]^K.  Next to a
    zero of a monotone functional the Horner form alone overestimates by about h^2 |e_2|; this does not."""
    K = len(e) - 1
    out = _horner(e, span)
    slope = _horner([k * e[k] for k in range(1, K)], span)
    if slope > 0 or slope < 0:
        ends = e[0].union(_horner(e[:K], hb))
        tail = e[K] * span ** K
        out = out.intersection(ends + tail)
    return out


def _horner(coeffs: list, t) -> flint.arb:
    """sum_k coeffs[k] t^k in ball arithmetic (t a ball: an enclosure for every t in it)."""
    acc = flint.arb(0)
    for c in reversed(coeffs):
        acc = acc * t + c
    return acc


def normal_signs(motion, z, s) -> tuple[int, int]:
    """The signs of (v_-, v_+) = (w.f_-(z), w.f_+(z)) at the float point z taken exactly, proved in ball
    arithmetic for the region systems as enclosed (or the float systems): +1 or -1, or 0 where the ball
    contains 0 (not decided).  A lifted side's field is the one at the embedded point (Remark 5.19)."""
    with working_precision(CERT_PREC):
        vm, vp = _SlidingBalls(motion, s).normal([flint.arb(float(x)) for x in np.asarray(z)[:len(motion.w)]])
        return tuple(1 if v > 0 else -1 if v < 0 else 0 for v in (vm, vp))


def nodal_attraction_proved(motion, z, s) -> bool:
    """Whether ball arithmetic proves, at the float point z taken exactly, that all four fields around the
    intersection point into both surfaces (the signs of Lemma 5.23, proofs/05_trajectory_equivalence.tex):
    then the control is unique in [0, 1]^2 there, for the region systems as enclosed (or the float systems)."""
    model, M = motion.model, len(motion.normals[0])
    with working_precision(CERT_PREC):
        if isinstance(model, PLRNN):
            rows = [([flint.arb(1 if i == k else 0) for i in range(M)], flint.arb(0)) for k in motion.surfaces]
        else:
            rows = [([to_arb(x) for x in model.W2.row(k)], to_arb(model.h2[k])) for k in motion.surfaces]
        zb = flint.arb_mat(M, 1, [flint.arb(float(x)) for x in z])
        for x in (0, 1):
            for y in (0, 1):
                F, c, _ = _ball_side(motion.systems[x][y], s)
                f = F * zb + c
                for (w, _c), side in zip(rows, (x, y), strict=True):
                    v = sum((w[i] * f[i, 0] for i in range(M)), flint.arb(0))
                    if not (v > 0 if side == 0 else v < 0):
                        return False
    return True


def _up(x: flint.arb) -> float:
    """A float >= every point of the ball x (inf for a ball that is not finite, e.g. from a NaN float state:
    a max over such bounds must not drop it, as max() drops a NaN)."""
    if not x.is_finite():
        return float("inf")
    u = x.upper()
    f = float(u)
    return f if f >= u else float(np.nextafter(f, np.inf))


def _width(z: list) -> float:
    return max(float(x.rad()) for x in z)


def certify(motion, z0, s, ts, zs, t0: float = 0.0) -> tuple[float | None, float, str]:
    """Enclose the sliding motion from the float state z0 (taken exactly) at the times ``ts`` (floats; the
    enclosure is for the exact times t - t0, each float taken exactly) and bound the distance of the float
    states ``zs`` there from it; stops where a step cannot be proved (after halving it) or the budget
    MAX_CERT_STEPS is spent.  A step that would widen the enclosure by more than STEP_WIDTH times the
    state's scale is halved too (up to MAX_HALVINGS times: the Lagrange remainder of a long step over its
    a priori box is what makes enclosures wide).  Returns (the bound, rounded up, or None when nothing was
    proved; the time up to which it holds; what the statement is about)."""
    run = enclose(motion, z0, s, ts, zs, t0)
    return run.bound, run.done, run.about


@dataclass
class RunEnclosure:
    """What :func:`enclose` proved about one run of a sliding motion from its float start state (times are
    from the run's start t0): ``bound`` on the distance of the float states at the integrator's points up to
    ``done`` (None: nothing proved), ``about`` the systems the statement is about, and where the run ended
    on an exit: ``bracket`` = (t_a, t_b), absolute float times rounded outward, with ``way`` the enclosure
    of the exact motion over it (floats rounded outward, per coordinate)."""

    bound: float | None
    done: float
    about: str
    bracket: tuple[float, float] | None = None
    way: list | None = None

    def distance(self, z) -> float | None:
        """A proved bound (rounded up) on the distance of the float state z from every point of ``way``."""
        if self.way is None:
            return None
        return max(_add_up(max(hi - float(x), float(x) - lo), 0.0) for (lo, hi), x in zip(self.way, z, strict=True))


def _start(balls, z0) -> tuple[str, list, float]:
    """What an enclosure from the float state z0 starts with: what its statement is about (the region
    systems as enclosed, or the float ones), z0 as exact balls, and the state's scale (for the widening
    allowed per step)."""
    about = "the region systems as enclosed" if balls.enclosed else "the float region systems"
    return about, [flint.arb(float(x)) for x in z0], max(1.0, float(np.abs(np.asarray(z0, dtype=float)).max()))


def enclose(motion, z0, s, ts, zs, t0: float = 0.0, end=None, t_end: float | None = None) -> RunEnclosure:
    """:func:`certify`, and when the run ended by the event ``end`` ("plus", "minus", ("crosses", j)) at the
    float time ``t_end``, the bracket of the exact end (:func:`_bracket`; Proposition 5.24)."""
    with working_precision(CERT_PREC):
        balls = _SlidingBalls(motion, s)
        about, z, scale = _start(balls, z0)
        if not balls.slides(z):
            return RunEnclosure(None, 0.0, about)
        worst, t_prev, steps, reached = 0.0, Fraction(0), 0, False
        base = Fraction(float(t0))
        exits = end is not None and t_end is not None and not _failed_end(end)
        if exits:           # the last point is the float end: the bracket (phase A) steps up to it in one go
            ts, zs, z_last = ts[:-1], zs[:-1], zs[-1]
        everywhere = True   # every point reached (vacuously when there is none: the start is exact)
        for t, zf in zip(ts, zs, strict=True):
            t = Fraction(float(t)) - base      # exact
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
                everywhere = False
                break
            reached = True
            worst = max([worst] + [_up((zb - float(x)).abs_upper()) for zb, x in zip(z, zf, strict=True)])
        if exits:
            partial = RunEnclosure(worst if reached else None, float(t_prev), about)
            got = _bracket(balls, z, t_prev, Fraction(float(t_end)) - base, end)
            if got is None:
                return partial
            ta, tb, way, za = got
            # every float state of the run past the last point the steps reached, the end state among them, is
            # bounded too, each by one step to its own time: from the enclosure at t_prev with every condition
            # (up to t_a), from the one at t_a with the ending condition dropped (past it); the run is then
            # covered up to its end.  Where such a step fails, no bracket is reported.
            for t, zf in [*zip(ts, zs, strict=True), (t_end, z_last)][len(ts) if everywhere else 0:]:
                t = Fraction(float(t)) - base
                if t <= t_prev:
                    continue
                z1, t1, drop = (z, t_prev, None) if t <= ta else (za, ta, end)
                step = balls.advance(z1, t - t1, drop) if t > t1 else (z1,)
                if step is None:
                    return partial
                worst = max([worst] + [_up((zb - float(x)).abs_upper()) for zb, x in zip(step[0], zf, strict=True)])
            return RunEnclosure(worst, float(ta), about, (_down_float(base + ta), _up_float(base + tb)),
                                [(_down_float_arb(x), _up(x)) for x in way])
    return RunEnclosure(worst if reached else None, float(t_prev), about)


BRACKET_MARGINS = (44, 40, 36, 32, 28, 24, 20, 16, 12)   # the end is sought within max(1, t) 2^-e of the float
                                                          # estimate, e in turn


def _bracket(balls: _SlidingBalls, z: list, t: Fraction, T: Fraction, kind):
    """The exact end of the sliding motion bracketed from the enclosure z at time t (every condition
    proved on [0, t]) and the float estimate T of the end by the event ``kind``: one step proving every
    condition up to t_a = T - delta (or t_a = t when none does), then one step from t_a to t_b = T + delta
    proving every condition but ``kind`` on the way and ``kind`` violated at t_b, for delta = max(1, T)
    2^-e, e in BRACKET_MARGINS (Proposition 5.24: the end is in (t_a, t_b), and it is the event ``kind``).
    Returns (t_a, t_b, the enclosure of the motion over [t_a, t_b], the enclosure at t_a) or None."""
    unit = max(Fraction(1), abs(T))
    for e in BRACKET_MARGINS:
        h = T - unit / 2 ** e - t
        if h <= 0:
            continue
        got = balls.advance(z, h)
        if got is not None:
            z, t = got[0], t + h
            break
    for e in BRACKET_MARGINS:
        h = T + unit / 2 ** e - t
        if h <= 0:
            continue
        got = balls.advance(z, h, drop=kind)
        if got is not None and balls.violated(kind, got[0]):
            return t, t + h, got[1], z
    return None


def _failed_end(end) -> bool:
    return isinstance(end, tuple) and end[0] == "failed"


def _down_float(x: Fraction) -> float:
    f = float(x)
    return f if Fraction(f) <= x else float(np.nextafter(f, -np.inf))


def _up_float(x: Fraction) -> float:
    f = float(x)
    return f if Fraction(f) >= x else float(np.nextafter(f, np.inf))


def _down_float_arb(x: flint.arb) -> float:
    """A float <= every point of the ball x."""
    return -_up(-x)


def _add_up(x: float, y: float) -> float:
    """x + y rounded up (one ulp above the float sum, which is within half an ulp)."""
    return float(np.nextafter(x + y, np.inf))
