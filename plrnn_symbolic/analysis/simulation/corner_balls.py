"""Proofs about a sliding motion on two surfaces at once in FLINT ball arithmetic
(proofs/05_trajectory_equivalence.tex, Propositions 5.26 and 5.27): the a posteriori enclosure of the motion
z' = F(u(z)) with the bilinear equivalent control of Definition 5.21 by an interval Taylor method, and the
bracket of the time it ends.

The control u(z) is written in closed form.  With a_xy = n_1.f_xy(z), b_xy = n_2.f_xy(z) and
n_i.F(u) = p_i(u_2) + u_1 q_i(u_2) (p_i, q_i affine), every control has R(u_2) = c_2 u_2^2 + c_1 u_2 + c_0 = 0,
R = p_1 q_2 - q_1 p_2.  Where the discriminant D = c_1^2 - 4 c_2 c_0 is > 0 the two roots are the analytic
functions r_sigma = 2 c_0 / (-c_1 - sigma sqrt D) = (-c_1 + sigma sqrt D) / (2 c_2), sigma = +-1 (either
form, wherever its denominator is nonzero), and u_1 = -p_i(u_2) / q_i(u_2) for an i with q_i(u_2) != 0.  The
branch sigma is fixed at the start of a run (the only one whose root is proved in the open box with every
condition).  On every a priori box the discriminant and the denominators are proved nonzero (a division by a
ball that contains 0 makes the step fail), and along every step the control in the open box, its uniqueness in
the closed box [0, 1]^2, the attraction of Definition 5.21 and the strict sign of every other pre-activation are
proved from Taylor ranges with the Lagrange remainder.  The fields and the control equations are taken in the
basis of the differences of the four fields, and the resultant's coefficients in centred form, so that the
balls over a box stay close to the true ranges (the dependency problem of interval arithmetic).

The float motion itself (:class:`~.sliding.CornerMotion`) is in :mod:`.sliding`; this module reads only what
it holds (the model, the two surfaces, the four region systems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import flint
import numpy as np

from ...core.domains import to_arb, working_precision
from ...model.plrnn import PLRNN
from .sliding_balls import CERT_PREC, TAYLOR_ORDER, _arb, _ball_side, _start, _up, _width

__all__ = ["CornerEnclosure", "certify_corner", "enclose_corner", "hull_distance", "outward"]

MAX_CORNER_STEPS = 96      # Taylor steps one run of a corner motion may spend on its enclosure
MAX_HALVINGS = 6           # halvings of a step that cannot be proved (or widens too much) before the enclosure stops
STEP_WIDTH = 2.0 ** -52    # the widening one Taylor step may add, relative to the state's scale
MAX_EXIT_STEPS = 64        # Taylor steps spent on bracketing the end
EXIT_INFLATE = 1.125      # the a priori boxes of the bracket's steps: radius growth between Picard iterations
EXIT_MARGIN = 2.0 ** -36   # the bracket is sought at the float end time -+ this, relative to max(1, |t|)


class _Unproved(Exception):
    """A quantity the step needs is not proved (a denominator or the discriminant not proved nonzero)."""


class _CornerBalls:
    """The bilinear equivalent-control field F(u(z)) of two surfaces in ball arithmetic, on ball vectors and
    on vectors of power series (Taylor coefficients of its solutions by Picard iteration), and the conditions
    of Definition 5.21 (Proposition 5.26)."""

    def __init__(self, motion, s):
        model, (k, j) = motion.model, motion.surfaces
        self.M = M = len(motion.normals[0])
        sides = [[_ball_side(motion.systems[x][y], s) for y in (0, 1)] for x in (0, 1)]
        self.enclosed = all(sides[x][y][2] for x in (0, 1) for y in (0, 1))
        self.F = [[sides[x][y][0] for y in (0, 1)] for x in (0, 1)]
        self.c = [[sides[x][y][1] for y in (0, 1)] for x in (0, 1)]
        if isinstance(model, PLRNN):
            rows = [([flint.arb(1 if i == m else 0) for i in range(M)], flint.arb(0)) for m in range(M)]
        else:
            rows = [([to_arb(v) for v in model.W2.row(m)], to_arb(model.h2[m])) for m in range(model.L)]
        n = (rows[k][0], rows[j][0])
        d = model.pattern(motion.systems[0][0].region)
        # every other pre-activation, with the strict sign of the four cells (+1 active, -1 inactive)
        self.others = {m: (w, c, 1 if d[m] else -1) for m, (w, c) in enumerate(rows) if m not in (k, j)}
        # the 8 normal components a_xy = n_1.f_xy, b_xy = n_2.f_xy as affine maps z -> N z + e, in the order
        # (i, x, y) = (0,0,0), (0,0,1), (0,1,0), (0,1,1), (1,0,0), ...
        self.order = [(i, x, y) for i in (0, 1) for x in (0, 1) for y in (0, 1)]
        self.N = flint.arb_mat(8, M, [sum((n[i][r] * self.F[x][y][r, col] for r in range(M)), flint.arb(0))
                                      for i, x, y in self.order for col in range(M)])
        self.e = [sum((n[i][r] * self.c[x][y][r, 0] for r in range(M)), flint.arb(0)) for i, x, y in self.order]
        # the same in the basis of n_i.F(u) = P0 + u2 P1 + u1 (Q0 + u2 Q1), taken as affine maps of z directly
        # (so that the differences of the components are not formed on a box: less dependency), rows
        # (i, P0), (i, P1), (i, Q0), (i, Q1) for i = 0, 1
        basis = [((0, 0, 1),), ((0, 1, 1), (0, 0, -1)), ((1, 0, 1), (0, 0, -1)),
                 ((1, 1, 1), (1, 0, -1), (0, 1, -1), (0, 0, 1))]
        row = {key: r for r, key in enumerate(self.order)}
        self.NPQ = flint.arb_mat(8, M, [sum((sg * self.N[row[i, x, y], col] for x, y, sg in terms), flint.arb(0))
                                        for i in (0, 1) for terms in basis for col in range(M)])
        self.ePQ = [sum((sg * self.e[row[i, x, y]] for x, y, sg in terms), flint.arb(0))
                    for i in (0, 1) for terms in basis]
        # the fields in the same basis: F(u) = G00 + u1 G10 + u2 G01 + u1 u2 G11
        gF = [[sum((sg * self.F[x][y] for x, y, sg in terms), flint.arb_mat(M, M)),
               sum((sg * self.c[x][y] for x, y, sg in terms), flint.arb_mat(M, 1))] for terms in basis]
        self.G = [g[0] for g in gF]                 # order: G00, G01 (u2), G10 (u1), G11 (u1 u2)
        self.g = [g[1] for g in gF]
        self.stack = flint.arb_mat(4 * M, M, [self.G[b][r, col] for b in range(4) for r in range(M)
                                              for col in range(M)])
        self.sigma: int | None = None       # the branch of the square root, fixed by :meth:`fix_branch`
        # a PLRNN's surfaces are z_k = 0 and z_j = 0: the field's coordinates k and j are n_i.F(u(z)) = 0
        # wherever the control is defined, so every solution keeps z_k and z_j (Proposition 5.26)
        self.pinned = (k, j) if isinstance(model, PLRNN) else ()

    # ---- the control and the field, on balls or on series ------------------------------------------------
    @staticmethod
    def _resultant(pq):
        """(c2, c1, c0) of R = p_1 q_2 - q_1 p_2 from pq = (P0, P1, Q0, Q1), each a pair over i = 0, 1
        (n_i.F(u) = P0_i + u2 P1_i + u1 (Q0_i + u2 Q1_i))."""
        P0, P1, Q0, Q1 = pq
        c2 = P1[0] * Q1[1] - Q1[0] * P1[1]
        c1 = P0[0] * Q1[1] + P1[0] * Q0[1] - Q0[0] * P1[1] - Q1[0] * P0[1]
        c0 = P0[0] * Q0[1] - Q0[0] * P0[1]
        return (c2, c1, c0), pq

    def parts(self, z: list):
        """((c2, c1, c0) in the centred form of :meth:`resultant`, (P0, P1, Q0, Q1)) at z."""
        return self.resultant(z), self.pq(z)

    # c2, c1, c0 as sums of signed products of the rows of NPQ (row 4 i + b, b = P0, P1, Q0, Q1)
    PRODUCTS = (((1, 7, 1), (3, 5, -1)), ((0, 7, 1), (1, 6, 1), (2, 5, -1), (3, 4, -1)), ((0, 6, 1), (2, 4, -1)))

    def centre(self, z: list):
        """(m, [(c(m), grad c(m)) for c2, c1, c0]) for the midpoint m of z's balls (of a series vector's
        constant terms): what :meth:`resultant` needs that does not depend on d = z - m."""
        M = self.M
        mids = [flint.arb((x.coeffs()[0] if x.coeffs() else flint.arb(0)).mid()) if isinstance(x, flint.arb_series)
                else flint.arb(x.mid()) for x in z]
        vm = [sum((self.NPQ[r, col] * mids[col] for col in range(M)), self.ePQ[r]) for r in range(8)]
        out = []
        for terms in self.PRODUCTS:
            const = sum((sg * vm[a] * vm[b] for a, b, sg in terms), flint.arb(0))
            grad = [sum((sg * (vm[a] * self.NPQ[b, col] + vm[b] * self.NPQ[a, col]) for a, b, sg in terms),
                        flint.arb(0)) for col in range(M)]
            out.append((const, grad))
        return mids, out

    def resultant(self, z: list, centre=None):
        """(c2, c1, c0) at the ball vector (or series vector) z in the centred form around the midpoint m of
        z's balls (of the series' constant terms), d = z - m: c(m) + grad c(m).d + sum +-(N_X.d)(N_Y.d) over
        the products X Y that make c, with each affine factor X(z) = X(m) + N_X.d; the same polynomial as
        p_1 q_2 - q_1 p_2, evaluated so that d enters the first-order term once (less dependency on a box).
        ``centre`` is :meth:`centre` of z (or of any vector with the same midpoints), computed when not given."""
        M = self.M
        mids, parts = self.centre(z) if centre is None else centre
        d = [z[col] - mids[col] for col in range(M)]
        lin = [sum((self.NPQ[r, col] * d[col] for col in range(M)), flint.arb(0)) for r in range(8)]
        out = []
        for terms, (const, grad) in zip(self.PRODUCTS, parts, strict=True):
            quad = sum((sg * lin[a] * lin[b] for a, b, sg in terms), flint.arb(0))
            out.append(sum((grad[col] * d[col] for col in range(M)), const) + quad)
        return tuple(out)

    def pq(self, z: list):
        """(P0, P1, Q0, Q1) at the ball vector (or series vector) z."""
        v = [sum((self.NPQ[r, col] * z[col] for col in range(self.M)), self.ePQ[r]) for r in range(8)]
        return tuple([v[b], v[4 + b]] for b in range(4))

    @staticmethod
    def _represent(parts, sigma: int) -> tuple[int, int]:
        """On balls: (form, i) for the root r_sigma: form 0 writes it as 2 c0 / (-c1 - sigma sqrt D), form 1 as
        (-c1 + sigma sqrt D) / (2 c2), whichever denominator is proved nonzero with the larger lower bound on
        its absolute value; u1 from equation i (q_i(r_sigma) proved nonzero).  Raises :class:`_Unproved`
        (also when D > 0 is not proved)."""
        (c2, c1, c0), (_P0, _P1, Q0, Q1) = parts
        D = c1 * c1 - 4 * c2 * c0
        if not D > 0:
            raise _Unproved("discriminant")
        r = D.sqrt()
        dens = [-c1 - sigma * r, 2 * c2]
        lows = [float(abs(x).lower()) if (x > 0 or x < 0) else -1.0 for x in dens]
        if max(lows) <= 0:
            raise _Unproved("root denominator")
        form = int(np.argmax(lows))
        u2 = 2 * c0 / dens[0] if form == 0 else (-c1 + sigma * r) / dens[1]
        qs = [Q0[i] + u2 * Q1[i] for i in (0, 1)]
        lows = [float(abs(x).lower()) if (x > 0 or x < 0) else -1.0 for x in qs]
        if max(lows) <= 0:
            raise _Unproved("u1 denominator")
        return form, int(np.argmax(lows))

    def choose(self, parts, sigma: int) -> tuple:
        """On balls: (form, i, alt): the representation of the control (:meth:`_represent` of r_sigma) and,
        where one is proved valid, that of the other root r_-sigma with its u1 (else None).  Raises
        :class:`_Unproved` where the control is not proved well defined."""
        form, i = self._represent(parts, sigma)
        try:
            alt = self._represent(parts, -sigma)
        except _Unproved:
            alt = None
        return form, i, alt

    def controls(self, parts, sigma: int, choice):
        """(u1, u2, (c2, c1, c0)) on balls or series from ``parts`` (:meth:`parts`), in the representation
        ``choice`` (its first two entries)."""
        (c2, c1, c0), (P0, P1, Q0, Q1) = parts
        r = (c1 * c1 - 4 * c2 * c0).sqrt()
        form, i = choice[:2]
        u2 = 2 * c0 / (-c1 - sigma * r) if form == 0 else (-c1 + sigma * r) / (2 * c2)
        u1 = -(P0[i] + u2 * P1[i]) / (Q0[i] + u2 * Q1[i])
        return u1, u2, (c2, c1, c0)

    def components(self, z: list):
        """ab[i][x][y] at the ball vector z."""
        ab = [[[None, None], [None, None]], [[None, None], [None, None]]]
        for row, (i, x, y) in enumerate(self.order):
            ab[i][x][y] = sum((self.N[row, col] * z[col] for col in range(self.M)), self.e[row])
        return ab

    def _canopy(self, z: list, u1, u2) -> list:
        """F(u) = G00 + u1 G10 + u2 G01 + u1 u2 G11 at the ball vector z (Definition 5.21 in the basis of
        the differences of the four fields)."""
        G = [[sum((self.G[b][r, col] * z[col] for col in range(self.M)), self.g[b][r, 0]) for r in range(self.M)]
             for b in range(4)]
        return [G[0][r] + u2 * G[1][r] + u1 * (G[2][r] + u2 * G[3][r]) for r in range(self.M)]

    def field(self, z: list, sigma: int | None = None):
        """F(u(z)) on the ball vector z, or None where the control is not proved well defined there."""
        sigma = self.sigma if sigma is None else sigma
        parts = self.parts(z)
        try:
            choice = self.choose(parts, sigma)
        except _Unproved:
            return None
        u1, u2, _ = self.controls(parts, sigma, choice)
        return self._canopy(z, u1, u2)

    def coefficients(self, z: list, K: int, choice) -> list[list]:
        """The Taylor coefficients c_0 .. c_K of the solutions of z' = F(u(z)) from every point of the ball
        vector z, with the control in the representation ``choice`` (proved on a box containing z): K + 1
        Picard iterations on series truncated after degree K (flint.ctx.cap raised to K + 1 terms)."""
        n = K + 1
        cap = flint.ctx.cap
        flint.ctx.cap = max(cap, n)
        try:
            return self._coefficients(z, n, choice)
        finally:
            flint.ctx.cap = cap

    def _coefficients(self, z: list, n: int, choice) -> list[list]:
        M = self.M
        C = flint.arb_mat(M, n)
        for r in range(M):
            C[r, 0] = z[r]
        centre = self.centre(z)              # the constant terms stay z through the iterations
        for _ in range(n):
            S, V = self.stack * C, self.NPQ * C
            for b in range(4):
                for r in range(M):
                    S[b * M + r, 0] += self.g[b][r, 0]
            for r in range(8):
                V[r, 0] += self.ePQ[r]
            v = [flint.arb_series([V[r, m] for m in range(n)], prec=n) for r in range(8)]
            G = [[flint.arb_series([S[b * M + r, m] for m in range(n)], prec=n) for r in range(M)] for b in range(4)]
            try:
                zs = [flint.arb_series([C[r, m] for m in range(n)], prec=n) for r in range(M)]
                u1, u2, _ = self.controls((self.resultant(zs, centre), tuple([v[b], v[4 + b]] for b in range(4))),
                                          self.sigma, choice)
            except ValueError as err:          # a series divided by one whose constant term is not nonzero
                raise _Unproved(str(err)) from err
            out = [G[0][r] + u2 * G[1][r] + u1 * (G[2][r] + u2 * G[3][r]) for r in range(M)]
            new = flint.arb_mat(M, n)
            for r in range(M):
                if out[r].prec < n:
                    raise RuntimeError(f"series truncated at {out[r].prec} < {n} terms")
                co = out[r].coeffs()
                new[r, 0] = z[r]
                for m in range(1, n):
                    if r not in self.pinned and m - 1 < len(co):     # a pinned coordinate is constant
                        new[r, m] = co[m - 1] / m
            C = new
        return [[C[r, m] for m in range(n)] for r in range(M)]

    # ---- the conditions of Definition 5.21 --------------------------------------------------------------
    def quantities(self, z: list, sigma: int, choice) -> dict:
        """The quantities whose strict signs the conditions of :meth:`check` ask for, at the ball vector z or
        along the vector of series z (the control in the representation ``choice``): "u" (u1, u2), "l" (l(0),
        l(1) of the linear factor l(v) = c2 v + c1 + c2 u2 of R(v) = (v - u2) l(v)), for each side (p, x)
        ("slide", p, x) = (v_0, -v_1, sgn n_p.(v_0 f_1 - v_1 f_0)) and ("cross", p, x) = (sgn n_p.f_0,
        sgn n_p.f_1) (v = n_q.f of the two fields on that side, sgn = +1 on side 0, -1 on side 1), for
        every other pre-activation m ("other", m) = its value times the sign of the four cells, and where
        ``choice`` holds a representation of the other root r' of R, "alt" = (u1' - 1, -u1') with u1' the
        first coordinate of the only solution of the control equation i' with u2 = r'."""
        ab = self.components(z)
        parts = self.parts(z)
        u1, u2, (c2, c1, _c0) = self.controls(parts, sigma, choice)
        l0 = c1 + c2 * u2
        out = {"u": (u1, u2), "l": (l0, l0 + c2)}
        if choice[2] is not None:                    # the u1 of the other root of R
            v1 = self.controls(parts, -sigma, choice[2])[0]
            out["alt"] = (v1 - 1, -v1)
        for p in (0, 1):
            q = 1 - p
            for x in (0, 1):
                pair = [(x, 0), (x, 1)] if p == 0 else [(0, x), (1, x)]
                v0, v1 = (ab[q][a][b] for a, b in pair)
                w0, w1 = (ab[p][a][b] for a, b in pair)
                sgn = 1 if x == 0 else -1
                out["slide", p, x] = (v0, -v1, sgn * (v0 * w1 - v1 * w0))
                out["cross", p, x] = (sgn * w0, sgn * w1)
        for m, (w, c, side) in self.others.items():
            out["other", m] = (side * sum((w[r] * z[r] for r in range(self.M)), c),)
        return out

    @staticmethod
    def check(q: dict, drop: frozenset = frozenset()) -> bool:
        """The conditions, proved from balls ``q`` (of :meth:`quantities`) enclosing each quantity: u1, u2 in
        (0, 1) (u_p not when ("u", p) is in ``drop``, not beyond x when ("u", p, x) is); l(0) and l(1) of one strict sign, so that u2 is the only
        root of R in [0, 1], or else an "alt" quantity > 0, so that the other root's only candidate u1' lies
        outside [0, 1]; with q_i(u2) != 0 (proved by :meth:`choose`) u is then the only control in [0, 1]^2
        (Proposition 5.26); every side (p, x) holds the state (Definition 5.21: every "slide" quantity > 0 or
        every "cross" quantity > 0; not when ("side", p, x) is in ``drop``); every other pre-activation keeps
        the strict sign of the four cells (not when ("other", m) is in ``drop``)."""
        for p, u in enumerate(q["u"]):
            if ("u", p) in drop:
                continue
            if not ((u > 0 or ("u", p, 0) in drop) and (u < 1 or ("u", p, 1) in drop)):
                return False
        l0, l1 = q["l"]
        if not (l0 > 0 and l1 > 0 or l0 < 0 and l1 < 0 or any(v > 0 for v in q.get("alt", ()))):
            return False
        for p in (0, 1):
            for x in (0, 1):
                if ("side", p, x) in drop:
                    continue
                if ("tangency", p, x) in drop:     # the two fields of the side still slide on the other surface
                    if not all(v > 0 for v in q["slide", p, x][:2]):
                        return False
                    continue
                if not (all(v > 0 for v in q["slide", p, x]) or all(v > 0 for v in q["cross", p, x])):
                    return False
        for key, (v,) in ((k, v) for k, v in q.items() if k[0] == "other"):
            if ("other", key[1]) not in drop and not v > 0:
                return False
        return True

    def holds(self, box: list, drop: frozenset = frozenset(), sigma: int | None = None) -> bool:
        """On the ball vector ``box``: the control well defined (D > 0, its denominators proved nonzero:
        :meth:`choose`) and the conditions of :meth:`check` proved on the whole box."""
        sigma = self.sigma if sigma is None else sigma
        try:
            choice = self.choose(self.parts(box), sigma)
        except _Unproved:
            return False
        return self.check(self.quantities(box, sigma, choice), drop)

    def violated(self, z: list, ending) -> bool:
        """Whether the condition that ends the motion is proved violated at the ball vector z: for
        ("leaves", p, x) the control u_p proved beyond x (> 1 for x = 1, < 0 for x = 0); for ("crosses", m)
        pre-activation m proved of the sign opposite to the four cells'."""
        if ending[0] == "crosses":
            w, c, side = self.others[ending[1]]
            return bool(side * sum((w[r] * z[r] for r in range(self.M)), c) < 0)
        _, p, x = ending
        parts = self.parts(z)
        try:
            u = self.controls(parts, self.sigma, self.choose(parts, self.sigma))[p]
        except _Unproved:
            return False
        return bool(u > 1) if x == 1 else bool(u < 0)

    def fix_branch(self, z: list) -> bool:
        """Fix sigma: the branch whose control is proved in the open box at z with every condition; False when
        neither branch (or both) qualifies."""
        good = [sg for sg in (1, -1) if self.holds(z, frozenset(), sg)]
        if len(good) != 1:
            return False
        self.sigma = good[0]
        return True

    # ---- an interval Taylor step -------------------------------------------------------------------------
    def step(self, z: list, h, drop: frozenset = frozenset(), inflate: float = 1.125):
        """(the enclosure h after the ball vector z, an enclosure of the path over [0, h]) or None: an a priori
        box B with z + [0, h] F(u(B)) inside its interior (every solution from z stays in B on [0, h]: Picard;
        a pinned coordinate is kept as it is), the control well defined on B (:meth:`choose`), the conditions
        of :meth:`check` (less ``drop``) along the step, each quantity enclosed over t in [0, h] by its Taylor
        polynomial at z with the Lagrange remainder over B, and the Taylor polynomial of order K - 1 at z with
        the remainder c_K(B) h^K, K = TAYLOR_ORDER (Proposition 5.26).  ``inflate`` is the factor by which a
        candidate box's radius grows between the Picard iterations that seek B."""
        hb = _arb(Fraction(h))
        top = hb.upper()
        span = flint.arb(top / 2, top / 2)                  # [0, h]
        B = list(z)
        free = [r for r in range(self.M) if r not in self.pinned]
        for _ in range(10):
            fB = self.field(B)
            if fB is None:
                return None
            cand = [z[r] + span * fB[r] for r in range(self.M)]
            if all(B[r].contains_interior(cand[r]) for r in free):
                break
            B = [z[r] if r in self.pinned else
                 flint.arb(c.mid(), inflate * c.rad() + abs(float(c.mid())) * 1e-15 + 1e-30)
                 for r, c in enumerate(cand)]
        else:
            return None
        try:
            choice = self.choose(self.parts(B), self.sigma)    # the control well defined on B, so on z inside it too
        except _Unproved:
            return None
        K = TAYLOR_ORDER
        cap = flint.ctx.cap
        flint.ctx.cap = max(cap, K + 1)
        try:
            cz = self._coefficients(z, K, choice)
            cB = self._coefficients(B, K + 1, choice)
            # the conditions along the step: each quantity Q(z(t)), t in [0, h], lies in its Taylor polynomial
            # at z with the Lagrange remainder over B, evaluated at T = [0, h]
            qz = self.quantities([flint.arb_series(c, prec=K) for c in cz], self.sigma, choice)
            qB = self.quantities([flint.arb_series(c, prec=K + 1) for c in cB], self.sigma, choice)
        except (_Unproved, ValueError):         # ValueError: a series divided by one whose constant term may be 0
            return None
        finally:
            flint.ctx.cap = cap
        path = {key: tuple(_taylor_range(a, b, span, K) for a, b in zip(qz[key], qB[key], strict=True))
                for key in qz}
        if not self.check(path, drop):
            return None
        out, where = [], []
        for r in range(self.M):
            if r in self.pinned:
                out.append(z[r])
                where.append(z[r])
                continue
            acc = cB[r][K] * hb ** K
            for m in range(K - 1, -1, -1):
                acc = acc + cz[r][m] * hb ** m
            out.append(acc)
            where.append(_taylor_range(cz[r], cB[r], span, K))
        return out, where


def _coeff(x, k: int):
    """The coefficient of degree k of a series (or of a list of coefficients), 0 past the stored ones."""
    co = x.coeffs() if isinstance(x, flint.arb_series) else x
    return co[k] if k < len(co) else flint.arb(0)


def _taylor_range(at_z, over_B, T: flint.arb, K: int) -> flint.arb:
    """sum_{k<K} a_k T^k + b_K T^K, a from ``at_z`` and b from ``over_B`` (series or coefficient lists): the
    range over T = [0, h] of a quantity along the step (Taylor with the Lagrange remainder).  A series whose
    stored precision is below the terms needed raises (FLINT's ctx.cap truncation must not drop terms)."""
    for x, need in ((at_z, K), (over_B, K + 1)):
        if isinstance(x, flint.arb_series) and x.prec < need:
            raise RuntimeError(f"series truncated at {x.prec} < {need} terms")
    acc = _coeff(over_B, K) * T ** K
    for k in range(K - 1, -1, -1):
        acc = acc + _coeff(at_z, k) * T ** k
    return acc


@dataclass
class CornerEnclosure:
    """What :func:`enclose_corner` proved: ``bound`` (float, rounded up; None when nothing was proved) on the
    distance of the float states from the exact motion at the integrator points reached, ``done`` the time
    (relative to t0, a float) up to which it holds, ``about`` the systems the statement is about; and, when
    the end was bracketed, ``bracket`` = (t_a, t_b) exact times relative to t0 (Fractions) and ``boxes`` the a
    priori boxes covering [t_a, t_b]."""

    bound: float | None
    done: float
    about: str
    bracket: tuple[Fraction, Fraction] | None = None
    boxes: list = field(default_factory=list, repr=False)
    points: list = field(default_factory=list, repr=False)   # (t - t0 exact, the ball vector) at each point reached


def _widens(new: list, old: list, scale: float, halvings: int) -> bool:
    return halvings < MAX_HALVINGS and _width(new) - _width(old) > STEP_WIDTH * scale


def enclose_corner(motion, z0, s, ts, zs, t0: float = 0.0, ending=None, t_end: float | None = None
                   ) -> CornerEnclosure:
    """Enclose the motion on two surfaces from the float state z0 (taken exactly) at the times ``ts`` (floats,
    each taken exactly, minus t0) and bound the distance of the float states ``zs`` there from it
    (Proposition 5.26); stops where a step cannot be proved after MAX_HALVINGS halvings or the budget
    MAX_CORNER_STEPS is spent.  With ``ending`` (("leaves", p, x) or ("crosses", m), the float motion's end
    at the float time ``t_end``) it then brackets the end (Proposition 5.27): Taylor steps with every condition
    up to t_a as close to t_end as they can be proved, then steps without the ending condition until it is
    proved violated at a step's end t_b."""
    with working_precision(CERT_PREC):
        balls = _CornerBalls(motion, s)
        about, z, scale = _start(balls, z0)
        if not balls.fix_branch(z):
            return CornerEnclosure(None, 0.0, about)
        worst, t_prev, steps, reached, points = 0.0, Fraction(0), 0, False, []
        for t, zf in zip(ts, zs, strict=True):
            t = Fraction(float(t)) - Fraction(float(t0))
            h, halvings = t - t_prev, 0
            while t_prev < t and steps < MAX_CORNER_STEPS and halvings <= MAX_HALVINGS:
                h = min(h, t - t_prev)
                r = balls.step(z, h)
                steps += 1
                if r is None or _widens(r[0], z, scale, halvings):
                    h /= 2
                    halvings += 1
                else:
                    z, t_prev = r[0], t_prev + h
            if t_prev < t:
                break
            reached = True
            points.append((t_prev, list(z)))
            worst = max([worst] + [_up((zb - float(x)).abs_upper()) for zb, x in zip(z, zf, strict=True)])
        out = CornerEnclosure(worst if reached else None, float(t_prev), about, points=points)
        if ending is not None and t_end is not None and ending[0] in ("leaves", "crosses"):
            got = _bracket(balls, z, t_prev, Fraction(float(t_end)) - Fraction(float(t0)), ending,
                           max(1.0, abs(float(t_end))), scale)
            if got is not None:
                out.bracket, out.boxes = got
    return out


def _ending_drop(ending) -> frozenset:
    """The conditions dropped past t_a (Proposition 5.27).  For a face ("leaves", p, x) only u_p beyond x and the
    tangency of side (p, x) to surface p: the other face of u_p and the sliding of that side's two fields on the
    other surface are kept, so that the first condition to fail is u_p reaching x (where the pair slides, the
    tangency vanishing makes (x, a) a control, the unique one); dropping the whole side would let the end be the
    pair ceasing to slide with the control inside the box, which is not the end the segment names.  For a
    crossing ("crosses", m) the sign of pre-activation m."""
    if ending[0] == "leaves":
        return frozenset({("u", ending[1], ending[2]), ("tangency", ending[1], ending[2])})
    return frozenset({("other", ending[1])})


def _bracket(balls: _CornerBalls, z: list, tau: Fraction, t_end: Fraction, ending, tscale: float, scale: float):
    """((t_a, t_b), boxes) or None (Proposition 5.27); times relative to the run's start."""
    eps = Fraction(EXIT_MARGIN * tscale)
    steps = 0
    # t_a: every condition proved, up to t_end - eps where possible
    target = t_end - eps
    h = target - tau
    while tau < target and steps < MAX_EXIT_STEPS:
        h = min(h, target - tau)
        r = balls.step(z, h, inflate=EXIT_INFLATE)
        steps += 1
        if r is None or _widens(r[0], z, scale, 0):
            h = h / 2
        else:            # near the end a step to the target itself is provable (the ranges' excess is O(h^2))
            z, tau = r[0], tau + h
            h = 2 * h
    t_a = tau
    # t_b: without the ending condition, until it is proved violated at a step's end
    drop = _ending_drop(ending)
    h = max(t_end + eps - tau, eps)
    boxes, halvings = [], 0
    while steps < MAX_EXIT_STEPS and halvings <= MAX_HALVINGS:
        r = balls.step(z, h, drop, inflate=EXIT_INFLATE)
        steps += 1
        if r is None:
            h /= 2
            halvings += 1
            continue
        z, tau = r[0], tau + h
        boxes.append(r[1])
        if balls.violated(z, ending):
            return (t_a, tau), boxes
        h = 2 * h
    return None


def certify_corner(motion, z0, s, ts, zs, t0: float = 0.0) -> tuple[float | None, float, str]:
    """The contract of :func:`~.sliding_balls.certify` for the motion on two surfaces at once
    (proofs/05_trajectory_equivalence.tex, Proposition 5.26): (the bound on the distance of the float states
    ``zs`` at the times ``ts`` from the exact solution of z' = F(u(z)) from z0, rounded up, or None when nothing
    was proved; the time, relative to t0, up to which it holds; what the statement is about)."""
    out = enclose_corner(motion, z0, s, ts, zs, t0)
    return out.bound, out.done, out.about


def outward(t0: float, rel: Fraction, direction: float) -> float:
    """The float nearest t0 + rel (exact) in the direction -inf (direction < 0) or +inf."""
    x = Fraction(float(t0)) + rel
    f = float(x)
    if direction < 0 and Fraction(f) > x:
        f = float(np.nextafter(f, -np.inf))
    elif direction > 0 and Fraction(f) < x:
        f = float(np.nextafter(f, np.inf))
    return f


def hull_distance(boxes: list, z) -> float:
    """A float >= the largest coordinate difference (max norm) between the float point z and any point of the
    union of the ball vectors ``boxes``."""
    with working_precision(CERT_PREC):
        return max(_up((b - float(x)).abs_upper()) for box in boxes for b, x in zip(box, z, strict=True))
