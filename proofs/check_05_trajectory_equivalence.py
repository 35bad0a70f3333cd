"""Identities used in proofs/05_trajectory_equivalence.tex.

Run:  python proofs/check_05_trajectory_equivalence.py   (see _checks.py)

The example model (M = 2, dt = 1/2) has all four kinds of region matrix: a
multiple of I (region 00), two Jordan blocks (10, 01) and a complex pair (11).
Its numeric route integrates the region ODEs with mpmath's Taylor-series ODE
solver, with L = mpmath.logm(W_Omega)/dt, independently of the closed forms.
"""

from __future__ import annotations

import itertools

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite, reduce_numeric_logs
from _matfun import (
    beta,
    exp_two_by_two,
    expm_route,
    function_of_two_by_two,
    matrix_function,
    phi1,
    to_mp,
    x,
)

suite = Suite("05_trajectory_equivalence")

R = sp.Rational
A = sp.diag(R(9, 10), R(9, 10))
W = sp.Matrix([[0, -R(1, 2)], [R(1, 2), 0]])
H_BIAS = sp.Matrix([R(1, 10), -R(1, 5)])
C_IN = sp.Matrix([R(1, 3), -R(1, 4)])
DT = R(1, 2)
Z0 = sp.Matrix([R(1, 2), -R(1, 3)])
INPUTS = [1, -2, -2, 2, 0]  # visits regions 10, 10, 11, 01, 00


def region(z: sp.Matrix) -> tuple[int, ...]:
    """d_i = 1 iff z_i > 0 (z_i = 0 belongs to d_i = 0)."""
    return tuple(1 if v > 0 else 0 for v in z)


def region_matrix(d) -> sp.Matrix:
    return A + W * sp.diag(*d)


def plrnn_step(z: sp.Matrix, s) -> sp.Matrix:
    relu = z.applyfunc(lambda v: sp.Max(v, 0))
    return A * z + W * relu + H_BIAS + C_IN * s


def region_flow(d, z: sp.Matrix, bias: sp.Matrix, wrong: bool = False) -> sp.Matrix:
    """Time-dt flow of dz/dt = L z + g with L dt = Log W_d, g dt = beta(L dt) bias:
    e^{L dt} z + phi1(L dt) g dt.  e^{L dt} is the exponential of the matrix Log W_d,
    computed from Log W_d alone (exp_two_by_two), not exp(log x) of W_d, which sympy
    would rewrite to W_d by construction."""
    H = region_matrix(d)
    E = exp_two_by_two(matrix_function(sp.log(x), H))
    P = matrix_function(phi1(sp.log(x)), H)
    B = sp.eye(2) if wrong else matrix_function(beta(sp.log(x)), H)
    return E * z + P * (B * bias)


def ode_flow(d, z, g, t_end):
    """Numeric route: integrate dz/dt = L z + g, L = logm(W_d)/dt, over [0, t_end]."""
    L = mpmath.logm(to_mp(region_matrix(d), {})) / t_end
    sol = mpmath.odefun(lambda t, y: list(L * mpmath.matrix(y) + g), 0, list(z))
    return mpmath.matrix(sol(t_end))


def g_closed_form(d, bias: sp.Matrix, dt: sp.Expr) -> sp.Matrix:
    return matrix_function(beta(sp.log(x)), region_matrix(d)) * bias / dt


def generic_weights() -> tuple[sp.Matrix, sp.Matrix]:
    """A generic diagonal A and a generic W of a 3-unit PLRNN (real symbols)."""
    return sp.diag(*sp.symbols("a1:4", real=True)), sp.Matrix(3, 3, sp.symbols("w1:10", real=True))


@suite.identity("plrnn_equals_region_map_on_closure", "Lemma 5.1")
def _(wrong):
    """M = 3, generic A (diagonal), W, h: on the closure of region d (z_i >= 0
    where d_i = 1, z_i <= 0 where d_i = 0) relu(z) = D z and
    A z + W relu(z) + h = W_d z + h."""
    m = 3
    Ad, Wg = generic_weights()
    h = sp.Matrix(sp.symbols("h1:4", real=True))
    residuals = []
    for d in itertools.product((0, 1), repeat=m):
        z = sp.Matrix([
            sp.Symbol(f"z{i}_{''.join(map(str, d))}", nonnegative=True) if di
            else sp.Symbol(f"z{i}_{''.join(map(str, d))}", nonpositive=True)
            for i, di in enumerate(d)
        ])
        D = sp.diag(*d)
        relu = z.applyfunc(lambda v: sp.Max(v, 0))
        Dz = (sp.eye(m) - D) * z if wrong else D * z
        residuals += [relu - Dz, Ad * z + Wg * relu + h - ((Ad + Wg * D) * z + h)]
    return residuals


@suite.identity("region_maps_agree_on_shared_faces", "Lemma 5.1")
def _(wrong):
    """Regions d, d' differing only in unit i: W_d z = W_d' z on z_i = 0 (the
    piecewise affine map is continuous)."""
    m = 3
    Ad, Wg = generic_weights()
    z = sp.Matrix(sp.symbols("z1:4", real=True))
    residuals = []
    for d in itertools.product((0, 1), repeat=m):
        for i in range(m):
            if d[i]:
                e = list(d)
                e[i] = 0
                on_face = z.subs(z[i], 1 if wrong else 0)
                residuals.append((Ad + Wg * sp.diag(*d)) * on_face - (Ad + Wg * sp.diag(*e)) * on_face)
    return residuals


for _d in itertools.product((0, 1), repeat=2):

    @suite.identity(f"region_flow_reproduces_step_{''.join(map(str, _d))}", "Corollary 1.5, Theorem 5.5")
    def _(wrong, d=_d):
        z = sp.Matrix(sp.symbols("z1:3", real=True))
        b = sp.Matrix(sp.symbols("b1:3", real=True))  # h + C s, held over the step
        H = region_matrix(d)
        symbolic = region_flow(d, z, b, wrong) - (H * z + b)
        dt = sp.Symbol("dt", positive=True)
        g = (b if wrong else matrix_function(beta(sp.log(x)), H) * b) / dt

        def evaluate(point):
            zn, gn = to_mp(z, point), to_mp(g, point)
            target = to_mp(H * z + b, point)
            return [ode_flow(d, zn, gn, point[dt]) - target]

        route = NumericRoute(frozenset(z.free_symbols | b.free_symbols | {dt}), evaluate)
        return Claim(symbolic, domains={dt: (R(1, 4), 2)}, cross=route)


def discrete_orbit() -> list[sp.Matrix]:
    orbit = [Z0]
    for s in INPUTS:
        orbit.append(plrnn_step(orbit[-1], s))
    return orbit


@suite.identity("sample_and_hold_orbit", "Theorem 5.7")
def _(wrong):
    """The hybrid system (region latched at each sample time, input held) hits
    the discrete orbit exactly at every sample time, with no condition; the
    input matrix is B = beta(L dt) C / dt like g."""
    orbit = discrete_orbit()
    hybrid = [Z0]
    for n, s in enumerate(INPUTS):
        last = n == len(INPUTS) - 1  # the mutation spoils the last step only
        flow = region_flow(region(hybrid[-1]), hybrid[-1], H_BIAS + C_IN * s, wrong and last)
        hybrid.append(flow.applyfunc(reduce_numeric_logs))
    symbolic = [hz - oz for hz, oz in zip(hybrid, orbit, strict=True)]

    def evaluate(point):
        z = to_mp(Z0, {})
        out = []
        for n, s in enumerate(INPUTS):
            d = region(list(z))
            g = to_mp(g_closed_form(d, H_BIAS + C_IN * s, DT), {})
            z = ode_flow(d, z, g, mpmath.mpf(DT.p) / DT.q)
            out.append(z - to_mp(orbit[n + 1], {}))
        return out

    return Claim(symbolic, cross=NumericRoute(frozenset(), evaluate))


# ---- Theorem 5.15: sample and hold through exact lifts, re-embedded at every sample time --------------
# M = 1: z_t = -z/2 + (3/2) relu(z) - 1/4 + s_t.  Region 1 (z > 0): H = 1, an ODE of dimension 1 with the
# eigenvalue one; region 0: H = -1/2, no real logarithm, lifted to N = 2 by diag(H, H) = -I/2 with the
# paired logarithm X = log(1/2) I + pi [[0, -1], [1, 0]] (Lemma 3.2), G = (1, 0)^T, P = (1, 0).
LIFT_A, LIFT_W, LIFT_H = -R(1, 2), R(3, 2), -R(1, 4)
LIFT_Z0 = R(1)
LIFT_INPUTS = [-1, 0, 1, 0, 0]          # visits regions 1, 0, 0, 1, 1


def lift_step(z: sp.Expr, s) -> sp.Expr:
    return LIFT_A * z + LIFT_W * sp.Max(z, 0) + LIFT_H + s


def lift_system(d: int, wrong: bool) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """(X = L dt, G, P) of region d; wrong: the real part of the complex log of -1/2, no lift."""
    if d == 1:
        return sp.Matrix([[0]]), sp.Matrix([[1]]), sp.Matrix([[1]])        # log 1 = 0
    if wrong:
        return sp.Matrix([[sp.log(R(1, 2))]]), sp.Matrix([[1]]), sp.Matrix([[1]])
    X = sp.log(R(1, 2)) * sp.eye(2) + sp.pi * sp.Matrix([[0, -1], [1, 0]])
    return X, sp.Matrix([1, 0]), sp.Matrix([[1, 0]])


def lifted_flow(X: sp.Matrix, xs: sp.Matrix, b: sp.Matrix) -> sp.Matrix:
    """e^X x + phi1(X) beta(X) b: the time-dt flow of dx/dt = L x + g, g dt = beta(X) b, each
    factor computed from X itself (no exp(log x))."""
    if X.rows == 1:
        e = X[0, 0]
        return sp.Matrix([sp.exp(e) * xs[0] + b[0]])           # phi1(e) beta(e) = 1, also at e = 0
    E = exp_two_by_two(X)
    Phi = function_of_two_by_two(phi1(x), X)
    Beta = function_of_two_by_two(beta(x), X)
    return E * xs + Phi * (Beta * b)


@suite.identity("lifted_sample_and_hold_orbit", "Theorem 5.15")
def _(wrong):
    """The hybrid system that re-embeds z by G of the current region at every sample time, follows
    that region's (lifted) ODE for dt and projects by P, hits the orbit at every sample time; the
    mutation replaces the lift by the real part of the complex logarithm of -1/2."""
    orbit = [LIFT_Z0]
    for s in LIFT_INPUTS:
        orbit.append(lift_step(orbit[-1], s))
    z, out = LIFT_Z0, []
    for n, s in enumerate(LIFT_INPUTS):
        d = 1 if z > 0 else 0
        X, G, P = lift_system(d, wrong)
        xs = lifted_flow(X, G * z, G * (LIFT_H + s))
        z = sp.nsimplify(sp.simplify((P * xs)[0]))
        out.append(z - orbit[n + 1])

    def evaluate(point):
        zn, res = mpmath.mpf(LIFT_Z0), []
        for n, s in enumerate(LIFT_INPUTS):
            d = 1 if zn > 0 else 0
            Xs, G, P = lift_system(d, False)
            Xn, Gn, Pn = (to_mp(M, {}) for M in (Xs, G, P))
            N = Xn.rows
            aug = mpmath.zeros(2 * N)
            aug[:N, :N], aug[:N, N:] = Xn, mpmath.eye(N)
            phi = mpmath.expm(aug)[:N, N:]                        # phi1(X), from the series of expm
            g = mpmath.lu_solve(phi, Gn * (mpmath.mpf(LIFT_H.p) / LIFT_H.q + mpmath.mpf(sp.Rational(s).p)
                                           / sp.Rational(s).q))
            flow = mpmath.zeros(N + 1)
            flow[:N, :N], flow[:N, N] = Xn, g
            xs = mpmath.expm(flow) * mpmath.matrix(list(Gn * zn) + [1])
            zn = (Pn * xs[:N, 0])[0]
            res.append(zn - mpmath.mpf(orbit[n + 1].p) / orbit[n + 1].q)
        return res

    return Claim(out, cross=NumericRoute(frozenset(), evaluate))


# ---- the exit-time bounds of plrnn_symbolic/analysis/simulation/exit_proofs.py (Lemmas 5.10-5.12) -------
# An augmented matrix [[L, g], [0, 0]] with eigenvalues -1, 1/2 and 0.
AUG = sp.Matrix([[-1, 2, R(1, 2)], [0, R(1, 2), -1], [0, 0, 0]])


def exp_t(X: sp.Matrix, t: sp.Expr) -> sp.Matrix:
    """e^{X t} as a primary matrix function of the exact matrix X."""
    return matrix_function(sp.exp(t * x), X)


@suite.identity("cell_semigroup_doubling", "Lemma 5.10")
def _(wrong):
    """e^{Aug (w + s)} = e^{Aug s} e^{Aug w}: the cell [w, 2w] is the cell [0, w] times
    e^{Aug w} (doubling), and a state d units on is a product of the cached factors.
    Mutation: e^{Aug s} e^{Aug s}."""
    w, s = sp.symbols("w s", positive=True)
    rhs = exp_t(AUG, s) * exp_t(AUG, s if wrong else w)
    residual = exp_t(AUG, w + s) - rhs
    return Claim(residual, cross=expm_route(AUG * (w + s), rhs))


@suite.identity("modal_derivative_enclosure", "Lemma 5.11")
def _(wrong):
    """For an arbitrary invertible V (not an eigenvector basis) and Lm = V^-1 Aug V:
    d^j/dt^j e^{Aug t} = Aug^j e^{Aug t} = V Lm^j e^{Lm t} V^-1 for j = 1, 2.
    Mutation: Lm = V Aug V^-1 (the similarity the wrong way round)."""
    t = sp.Symbol("t", real=True)
    V = sp.Matrix([[1, R(1, 2), 0], [-1, 1, 2], [R(1, 3), 0, 1]])
    Lm = V * AUG * V.inv() if wrong else V.inv() * AUG * V
    E = exp_t(AUG, t)
    Em = exp_t(Lm, t)
    residuals = [E.diff(t) - AUG * E, E.diff(t, 2) - AUG**2 * E]
    residuals += [V * Lm**j * Em * V.inv() - AUG**j * E for j in (1, 2)]

    def evaluate(point):
        tn = point[t]
        Vn, Ln = to_mp(V, {}), to_mp(Lm, {})
        return [Vn * Ln**2 * mpmath.expm(Ln * tn) * Vn**-1 - to_mp(AUG**2, {}) * mpmath.expm(to_mp(AUG, {}) * tn)]

    return Claim(residuals, cross=NumericRoute(frozenset({t}), evaluate))


F_COEFFS = sp.symbols("c0 c1 c2", real=True)
P_, Q_ = sp.symbols("p q", real=True)
T_ = sp.Symbol("t", real=True)


def quadratic(t: sp.Expr) -> sp.Expr:
    c0, c1, c2 = F_COEFFS
    return c0 + c1 * t + c2 * t**2 / 2


@suite.identity("chord_remainder_quadratic", "Lemma 5.12")
def _(wrong):
    """f(t) - chord(t) = f''/2 (t - p)(t - q) for a quadratic f (f'' = c2 constant),
    chord(t) = f(p) + (f(q) - f(p)) (t - p)/(q - p).  Mutation: (t - p)(q - t)."""
    f = quadratic
    chord = f(P_) + (f(Q_) - f(P_)) * (T_ - P_) / (Q_ - P_)
    c2 = sp.diff(f(T_), T_, 2)
    factor = (T_ - P_) * ((Q_ - T_) if wrong else (T_ - Q_))
    return f(T_) - chord - c2 / 2 * factor


@suite.identity("chord_product_maximum", "Lemma 5.12")
def _(wrong):
    """(q - p)^2/4 - (t - p)(q - t) = (t - (p + q)/2)^2, so 0 <= (t - p)(q - t) <= (q - p)^2/4 on
    [p, q] and the chord remainder is at least -(q - p)^2/8 sup f''.  Mutation: (q - p)^2/8."""
    bound = (Q_ - P_) ** 2 / (8 if wrong else 4)
    return bound - (T_ - P_) * (Q_ - T_) - (T_ - (P_ + Q_) / 2) ** 2


@suite.identity("taylor_forms_quadratic", "Lemma 5.12")
def _(wrong):
    """The second-order Taylor forms from both ends, exact for a quadratic f:
    f(p + s) = f(p) + s f'(p) + s^2/2 f'' and f(q - s) = f(q) - s f'(q) + s^2/2 f''.
    Mutation: f(q - s) = f(q) + s f'(q) + s^2/2 f''."""
    s = sp.Symbol("s", real=True)
    f = quadratic
    d1, d2 = sp.diff(f(T_), T_), sp.diff(f(T_), T_, 2)
    sign = 1 if wrong else -1
    return [f(P_ + s) - (f(P_) + s * d1.subs(T_, P_) + s**2 / 2 * d2),
            f(Q_ - s) - (f(Q_) + sign * s * d1.subs(T_, Q_) + s**2 / 2 * d2)]


@suite.identity("quadratic_vertex_minimum", "Lemma 5.12")
def _(wrong):
    """a + b s + c s^2/2 - (a - b^2/(2c)) = c/2 (s + b/c)^2: for c > 0 the quadratic's
    minimum over all s is a - b^2/(2c).  Mutation: a - b^2/(4c)."""
    a, b, s = sp.symbols("a b s", real=True)
    c = sp.Symbol("c", positive=True)
    vertex = a - b**2 / ((4 if wrong else 2) * c)
    return a + b * s + c * s**2 / 2 - vertex - c / 2 * (s + b / c) ** 2


# ---- Lemma 5.14: the margins of the float check (plrnn_symbolic/core/floatball.py) -----------------
U = R(1, 2**52)              # twice the unit roundoff
MU = R(1, 2**1022)           # the absolute error of one operation (gradual underflow)


def gamma(k: int) -> sp.Rational:
    return k * U / (1 - k * U)


def kappa(wrong: bool) -> sp.Rational:
    """up(x) >= kappa x: the factor 1 + 2^-38 of up, less two roundings (1 + 2^-45 when wrong)."""
    return (1 + R(1, 2**(45 if wrong else 38))) * (1 - U) ** 2


def shortfall(lhs: sp.Expr, rhs: sp.Expr) -> sp.Expr:
    """0 iff lhs >= rhs > 0; else the relative shortfall 1 - lhs/rhs (exact rationals)."""
    return sp.Max(0, 1 - lhs / rhs)


@suite.identity("lemma_5_14_up_factor", "Lemma 5.14")
def _(wrong):
    """Each up step restores a bound: kappa (1 - gamma_1024) >= 1 + 2^-39."""
    return shortfall(kappa(wrong) * (1 - gamma(1024)), 1 + R(1, 2**39))


@suite.identity("lemma_5_14_final_factor", "Lemma 5.14")
def _(wrong):
    """The last up gives D >= (1 + 2^-38) D_0 from D' >= (1 + 2^-39) D_0: kappa (1 + 2^-39) >= 1 + 2^-38."""
    return shortfall(kappa(wrong) * (1 + R(1, 2**39)), 1 + R(1, 2**38))


@suite.identity("lemma_5_14_absolute_terms", "Lemma 5.14")
def _(wrong):
    """The absolute losses (at most 6 n mu, n <= 512) stay below the 2^-1001 that up keeps of the
    2^-1000 it adds: 2^-1000 - mu >= 2^-1001 >= 6 * 512 mu kappa (2^-1010 added when wrong)."""
    added = R(1, 2**(1010 if wrong else 1000))
    return [shortfall(added - MU, R(1, 2**1001)), shortfall(R(1, 2**1001), 6 * 512 * MU * kappa(False))]


# ---- Definition 5.17, Lemma 5.18: the Filippov sliding field -----------------------------------------
def _sliding_parts():
    fm = sp.Matrix(sp.symbols("fm1:4", real=True))
    fp = sp.Matrix(sp.symbols("fp1:4", real=True))
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    return fm, fp, w, (w.T * fm)[0], (w.T * fp)[0]


@suite.identity("sliding_field_is_tangent", "Definition 5.17, Lemma 5.18")
def _(wrong):
    """w.((1 - a) f- + a f+) = 0 for a = w.f- / w.(f- - f+).  Mutation: a and 1 - a swapped."""
    fm, fp, w, vm, vp = _sliding_parts()
    a = vm / (vm - vp)
    if wrong:
        a = 1 - a
    return sp.simplify((w.T * ((1 - a) * fm + a * fp))[0])


@suite.identity("sliding_field_rational_form", "Definition 5.17, Lemma 5.18")
def _(wrong):
    """(1 - a) f- + a f+ = (v- f+ - v+ f-) / (v- - v+).  Mutation: + v+ f- in the numerator."""
    fm, fp, _, vm, vp = _sliding_parts()
    a = vm / (vm - vp)
    rational = (vm * fp + (1 if wrong else -1) * vp * fm) / (vm - vp)
    return ((1 - a) * fm + a * fp - rational).applyfunc(sp.simplify)


@suite.identity("sliding_closed_form_antiderivative", "Lemma 5.18")
def _(wrong):
    """The time along the reduced sliding equation du/dt = N(u)/D(u), N = c2 (u - r1)(u - r2),
    D = d1 u + d0: F(u) = alpha log(u - r1) + beta log(u - r2) with alpha = (d1 r1 + d0)/(c2 (r1 - r2)),
    beta = (d1 r2 + d0)/(c2 (r2 - r1)) has F' = D/N.  Mutation: alpha and beta swapped."""
    u, r1, r2, d1, d0, c2 = sp.symbols("u r1 r2 d1 d0 c2")
    alpha = (d1 * r1 + d0) / (c2 * (r1 - r2))
    beta_ = (d1 * r2 + d0) / (c2 * (r2 - r1))
    if wrong:
        alpha, beta_ = beta_, alpha
    F = alpha * sp.log(u - r1) + beta_ * sp.log(u - r2)
    return sp.simplify(sp.diff(F, u) - (d1 * u + d0) / (c2 * (u - r1) * (u - r2)))



# ---- Definition 5.21: the bilinear equivalent control on two surfaces --------------------------------------
def _canopy(f, u1, u2):
    """F(u) = sum_xy w_x(u1) w_y(u2) f_xy."""
    return ((1 - u1) * ((1 - u2) * f[0][0] + u2 * f[0][1]) + u1 * ((1 - u2) * f[1][0] + u2 * f[1][1]))


@suite.identity("canopy_face_is_the_sliding_field", "Definition 5.21")
def _(wrong):
    """F(1, a) = f_s: on the face u1 = 1 the control of the second surface is the Filippov coefficient a of
    f_10, f_11 across n2, and the bilinear field there is their sliding field (Definition 5.17).
    Mutation: u2 = 1 - a."""
    f = [[sp.Matrix(sp.symbols(f"f{x}{y}_1:4", real=True)) for y in (0, 1)] for x in (0, 1)]
    n2 = sp.Matrix(sp.symbols("n1:4", real=True))
    vm, vp = (n2.T * f[1][0])[0], (n2.T * f[1][1])[0]
    a = vm / (vm - vp)
    if wrong:
        a = 1 - a
    fs = (vm * f[1][1] - vp * f[1][0]) / (vm - vp)
    return (_canopy(f, 1, a) - fs).applyfunc(sp.simplify)


@suite.identity("canopy_resultant", "Definition 5.21")
def _(wrong):
    """With n_i.F(u) = p_i(u2) + u1 q_i(u2), at u1* = -p_1/q_1 (where n_1.F vanishes) q_1 n_2.F(u1*, u2) =
    -R(u2), R = p_1 q_2 - q_1 p_2: every control has R(u2) = 0.  Mutation: + q_1 p_2 in R."""
    u1, u2 = sp.symbols("u1 u2")
    a = [[sp.Symbol(f"a{x}{y}") for y in (0, 1)] for x in (0, 1)]
    b = [[sp.Symbol(f"b{x}{y}") for y in (0, 1)] for x in (0, 1)]
    E1, E2 = _canopy(a, u1, u2), _canopy(b, u1, u2)
    p1, q1 = E1.subs(u1, 0), sp.expand(E1 - E1.subs(u1, 0)).coeff(u1)
    p2, q2 = E2.subs(u1, 0), sp.expand(E2 - E2.subs(u1, 0)).coeff(u1)
    R = p1 * q2 + (1 if wrong else -1) * q1 * p2
    star = -p1 / q1
    return sp.simplify(sp.Matrix([E1.subs(u1, star), q1 * E2.subs(u1, star) + R]))



@suite.identity("nodal_control_quadratic", "Lemma 5.23")
def _(wrong):
    """(A0 - A1) n_2.F(phi(u2), u2) = (1 - u2) P + u2 S with phi = A0 / (A0 - A1), P = -A1 b00 + A0 b10,
    S = -A1 b01 + A0 b11.  Mutation: b00 and b10 exchanged in P."""
    u2 = sp.Symbol("u2")
    a = [[sp.Symbol(f"a{x}{y}") for y in (0, 1)] for x in (0, 1)]
    b = [[sp.Symbol(f"b{x}{y}") for y in (0, 1)] for x in (0, 1)]
    A0 = (1 - u2) * a[0][0] + u2 * a[0][1]
    A1 = (1 - u2) * a[1][0] + u2 * a[1][1]
    phi = A0 / (A0 - A1)
    P = -A1 * (b[1][0] if wrong else b[0][0]) + A0 * (b[0][0] if wrong else b[1][0])
    S = -A1 * b[0][1] + A0 * b[1][1]
    return sp.simplify((A0 - A1) * _canopy(b, phi, u2) - ((1 - u2) * P + u2 * S))


# ---- Propositions 5.26 and 5.27: the motion on two surfaces in ball arithmetic ------------------------------------
def _resultant_coefficients():
    return sp.symbols("c2 c1 c0")


@suite.identity("canopy_root_two_forms", "Proposition 5.26")
def _(wrong):
    """The two forms of a root of R(v) = c2 v^2 + c1 v + c0 agree: 2 c0 (2 c2) = (-c1 - s sqrt D)(-c1 + s sqrt D)
    with D = c1^2 - 4 c2 c0 and s^2 = 1, so 2 c0 / (-c1 - s sqrt D) = (-c1 + s sqrt D) / (2 c2) wherever both
    denominators are nonzero, and R vanishes there.  Mutation: D = c1^2 + 4 c2 c0."""
    c2, c1, c0 = _resultant_coefficients()
    s = sp.Symbol("s")
    D = c1 ** 2 + (4 if wrong else -4) * c2 * c0
    r = sp.sqrt(D)
    form_b = (-c1 + s * r) / (2 * c2)
    return [sp.expand(4 * c0 * c2 - (-c1 - s * r) * (-c1 + s * r)).subs(s ** 2, 1),
            sp.expand(2 * c2 * (c2 * form_b ** 2 + c1 * form_b + c0)).subs(s ** 2, 1)]


@suite.identity("resultant_linear_factor", "Proposition 5.26")
def _(wrong):
    """R(v) - R(r) = (v - r) l(v) with l(v) = c2 v + c1 + c2 r: at a root r of R, R(v) = (v - r) l(v), so R has
    no other root in [0, 1] when l has one strict sign at 0 and 1.  Mutation: l = c2 v + c1 - c2 r."""
    c2, c1, c0 = _resultant_coefficients()
    v, r = sp.symbols("v r")

    def R(x):
        return c2 * x ** 2 + c1 * x + c0

    ell = c2 * v + c1 + (-1 if wrong else 1) * c2 * r
    return sp.expand(R(v) - R(r) - (v - r) * ell)


@suite.identity("canopy_difference_basis", "Proposition 5.26")
def _(wrong):
    """F(u) = G00 + u1 G10 + u2 G01 + u1 u2 G11 with G00 = f00, G10 = f10 - f00, G01 = f01 - f00,
    G11 = f11 - f10 - f01 + f00 (the basis the enclosure evaluates F and n_i.F in).  Mutation: + f10 in G11."""
    u1, u2 = sp.symbols("u1 u2")
    f = [[sp.Matrix(sp.symbols(f"f{x}{y}_1:4", real=True)) for y in (0, 1)] for x in (0, 1)]
    G11 = f[1][1] + (1 if wrong else -1) * f[1][0] - f[0][1] + f[0][0]
    basis = f[0][0] + u1 * (f[1][0] - f[0][0]) + u2 * (f[0][1] - f[0][0]) + u1 * u2 * G11
    return (basis - _canopy(f, u1, u2)).applyfunc(sp.expand)


@suite.identity("centred_product", "Proposition 5.26")
def _(wrong):
    """For affine X(z) = X(m) + N_X.d and Y(z) = Y(m) + N_Y.d (d = z - m): X Y = X(m) Y(m)
    + (X(m) N_Y + Y(m) N_X).d + (N_X.d)(N_Y.d), the centred form of the resultant's products.  Mutation: the
    quadratic term dropped."""
    d = sp.Matrix(sp.symbols("d1:4"))
    NX, NY = sp.Matrix(sp.symbols("x1:4")), sp.Matrix(sp.symbols("y1:4"))
    Xm, Ym = sp.symbols("Xm Ym")
    X, Y = Xm + (NX.T * d)[0], Ym + (NY.T * d)[0]
    centred = Xm * Ym + ((Xm * NY + Ym * NX).T * d)[0] + (0 if wrong else (NX.T * d)[0] * (NY.T * d)[0])
    return sp.expand(X * Y - centred)


if __name__ == "__main__":
    suite.main()
