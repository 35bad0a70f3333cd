"""Identities used in proofs/04_singular_impossible.tex.

Run:  python proofs/check_04_singular_impossible.py   (see _checks.py)
"""

from __future__ import annotations

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite
from _matfun import (
    exp_quadratic,
    lagrange,
    to_mp,
)

suite = Suite("04_singular_impossible")

a, b, c, d, m1, m2, m3, u, v, w, eta, cc = sp.symbols(
    "a b c d m1 m2 m3 u v w eta c_", real=True
)
t, mu = sp.symbols("t mu")


def det_exp_cross(X: sp.Matrix) -> NumericRoute:
    """Numeric route: det(mpmath.expm(X)) - exp(trace X)."""

    def evaluate(point):
        Xn = to_mp(X, point)
        return [mpmath.det(mpmath.expm(Xn)) - mpmath.exp(sum(Xn[i, i] for i in range(Xn.rows)))]

    return NumericRoute(X.free_symbols, evaluate)


@suite.identity("det_exp_is_exp_trace_2x2", "Lemma 4.1")
def _(wrong):
    """Generic 2x2 X: Y = X - (tr X/2) I has Y^2 = w I, e^X = e^s (cosh q I +
    sinh(q)/q Y) with q = sqrt(w), and det e^X = e^(2s)(cosh^2 q - sinh^2 q)."""
    X = sp.Matrix([[a, b], [c, d]])
    s = (a + d) / 2
    Y = X - s * sp.eye(2)
    ww = ((a - d) / 2) ** 2 + b * c
    E = exp_quadratic(X, s, sp.sqrt(ww))
    target = sp.exp(a * d) if wrong else sp.exp(a + d)
    return Claim([Y * Y - ww * sp.eye(2), E.det() - target], cross=det_exp_cross(X))


@suite.identity("det_exp_is_exp_trace_3x3_triangular", "Lemma 4.1")
def _(wrong):
    X = sp.Matrix([[m1, u, v], [0, m2, w], [0, 0, m3]])
    E = lagrange([sp.exp(m) for m in (m1, m2, m3)], X, [m1, m2, m3])
    target = sp.exp(m1 + m2 + (m2 if wrong else m3))
    return Claim(E.det() - target, cross=det_exp_cross(X))


@suite.identity("det_exp_is_exp_trace_3x3_series", "Lemma 4.1")
def _(wrong):
    """Generic 3x3 X: det of the Taylor polynomial of e^(Xt) agrees with the
    Taylor polynomial of e^(t tr X) up to the truncation order."""
    n = 3
    X = sp.Matrix(3, 3, sp.symbols("x1:10", real=True))
    E = sum(((X * t) ** k / sp.factorial(k) for k in range(n + 1)), sp.zeros(3, 3))
    tr = X.trace() + (X[0, 1] if wrong else 0)
    series = sum((tr * t) ** k / sp.factorial(k) for k in range(n + 1))
    diff = sp.expand(E.det(method="berkowitz") - series)
    return [diff.coeff(t, j) for j in range(n + 1)]


def lower_block_lift():
    """K = [[H, 0], [C, D]] (2 + 1): P K^n G = H^n for all n although
    K G != G H, with G = [I; 0], P = [I, 0]."""
    H = sp.Matrix([[a, b], [c, d]])
    K = sp.Matrix([[a, b, 0], [c, d, 0], [u, v, w]])
    G = sp.eye(3)[:, :2]
    return H, K, G, G.T


@suite.identity("projection_of_all_steps", "Theorem 4.3")
def _(wrong):
    H, K, G, P = lower_block_lift()
    if wrong:
        K = K + sp.Matrix([[0, 0, 1], [0, 0, 0], [0, 0, 0]])
    return [(P * K**n * G - H**n).expand() for n in range(5)]


@suite.identity("cayley_hamilton_transfers", "Theorem 4.3")
def _(wrong):
    """q = charpoly(K) kills K, hence P q(K) G = q(H) = 0: every eigenvalue of
    H is one of K, and q(0) = +-det K != 0 excludes eigenvalue 0."""
    H, K, _, _ = lower_block_lift()
    q = K.charpoly(mu).all_coeffs()
    if wrong:
        q = sp.Matrix([[a, b], [c, d + 1]]).charpoly(mu).all_coeffs()
    qH = sp.zeros(2, 2)
    for coeff in q:
        qH = qH * H + coeff * sp.eye(2)
    return [qH.expand(), (K.det() - H.det() * w).expand()]


@suite.identity("invariant_subspace_block_triangular", "Corollary 4.4")
def _(wrong):
    """e^X G = G H with G = [I; 0] forces e^X = [[H, B], [0, D]], whose
    characteristic polynomial is charpoly(H) charpoly(D)."""
    H = sp.Matrix([[a, b], [c, d]])
    D = sp.Matrix([[m1, u], [v, m2]])
    B = sp.Matrix([[w, m3], [eta, cc]])
    low = sp.Matrix([[1, 0], [0, 0]]) if wrong else sp.zeros(2, 2)
    K = sp.Matrix(sp.BlockMatrix([[H, B], [low, D]]))
    G = sp.eye(4)[:, :2]
    factored = H.charpoly(mu).as_expr() * D.charpoly(mu).as_expr()
    return [K * G - G * H, (K.charpoly(mu).as_expr() - factored).expand()]


@suite.identity("one_step_lift_charpoly", "Proposition 4.6")
def _(wrong):
    """K = [[H, -c I], [I, 0]]: det(mu I - K) = det(mu^2 I - mu H + c I)."""
    H = sp.Matrix([[a, b], [c, d]])
    K = sp.Matrix(sp.BlockMatrix([[H, -cc * sp.eye(2)], [sp.eye(2), sp.zeros(2, 2)]]))
    sign = -1 if wrong else 1
    target = (mu**2 * sp.eye(2) - mu * H + sign * cc * sp.eye(2)).det()
    return (K.charpoly(mu).as_expr() - target).expand()


def rotation_lift(e: sp.Expr, wrong: bool = False):
    """The 2x2 block A = [[e, -1], [1, 0]] (|e| < 2) has eigenvalues
    exp(+-i theta), cos theta = e/2, and the real log theta (A - cos theta I)/sin theta."""
    A = sp.Matrix([[e, -1], [1, 0]])
    th = sp.acos(e if wrong else e / 2)
    Y = A - sp.cos(th) * sp.eye(2)
    X = th / sp.sin(th) * Y
    return A, X, th


@suite.identity("one_step_lift_of_singular", "Proposition 4.6")
def _(wrong):
    """H = diag(0, eta) is singular, yet with G = [I; 0], P = [I, 0] and the
    real 4 x 4 matrix X below, P e^X G = H."""
    blocks = [rotation_lift(sp.Integer(0), wrong), rotation_lift(eta, wrong)]
    perm = sp.Matrix([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]])
    X = perm * sp.diag(blocks[0][1], blocks[1][1]) * perm.T
    expX = perm * sp.diag(
        *[exp_quadratic(Xb, 0, sp.I * th) for _, Xb, th in blocks]
    ) * perm.T
    G, H = sp.eye(4)[:, :2], sp.diag(0, eta)

    def evaluate(point):
        E = mpmath.expm(to_mp(X, point))
        return [to_mp(G.T, point) * E * to_mp(G, point) - to_mp(H, point)]

    domain = {eta: (-sp.Rational(19, 10), sp.Rational(19, 10))}
    route = NumericRoute(X.free_symbols | {eta}, evaluate)
    return Claim(G.T * expX * G - H, domains=domain, cross=route)


@suite.identity("one_step_lift_fails_second_step", "Proposition 4.6")
def _(wrong):
    """The same lift: P K^2 G = H^2 - I, not H^2 (the lifted state left the
    image of G after one step)."""
    A0, _, _ = rotation_lift(sp.Integer(0))
    A1, _, _ = rotation_lift(eta)
    perm = sp.Matrix([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]])
    K = perm * sp.diag(A0, A1) * perm.T
    G = sp.eye(4)[:, :2]
    H = sp.diag(0, eta)
    expected = H * H if wrong else H * H - sp.eye(2)
    return [G.T * K * G - H, G.T * K * K * G - expected]


if __name__ == "__main__":
    suite.main()
