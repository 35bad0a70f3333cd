"""Identities used in proofs/02_affine_term_zoh.tex.

Run:  python proofs/check_02_affine_term_zoh.py   (see _checks.py)
"""

from __future__ import annotations

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite
from _matfun import (
    beta,
    exp_nilpotent,
    expm_route,
    generic_2x2,
    jordan_block,
    lagrange,
    phi1,
    primary,
    shift,
    to_mp,
    vec,
    x,
)

suite = Suite("02_affine_term_zoh")

ORDER = 40
l1, l2, dt = sp.symbols("l1 l2 dt", positive=True)
a, b, mu, m1, m2 = sp.symbols("a b mu m1 m2", real=True)
kk = sp.Symbol("k", integer=True)


def wrong_beta(z: sp.Expr) -> sp.Expr:
    return z / (sp.exp(z) + 1)


def phi1_series(n: int) -> sp.Expr:
    return sum(x**k / sp.factorial(k + 1) for k in range(n))


def truncate(e: sp.Expr, n: int) -> sp.Expr:
    e = sp.expand(e)
    return sum(e.coeff(x, j) * x**j for j in range(n))


@suite.identity("beta_phi1_series", "Lemma 2.1")
def _(wrong):
    f = wrong_beta(x) if wrong else beta(x)
    beta_series = sp.series(f, x, 0, ORDER).removeO()
    return truncate(beta_series * phi1_series(ORDER), ORDER) - 1


@suite.identity("beta_taylor_is_bernoulli", "Lemma 2.1")
def _(wrong):
    """x/(e^x - 1) = sum B_n x^n/n! with B_1 = -1/2.  sympy's bernoulli(1) is
    +1/2 from version 1.12 on and -1/2 before, so B_1 is written out."""
    beta_series = sp.series(beta(x), x, 0, ORDER).removeO()
    b1 = sp.Rational(1, 2) if wrong else -sp.Rational(1, 2)
    bern = [b1 if n == 1 else sp.bernoulli(n) for n in range(ORDER)]
    return sp.Matrix([beta_series.coeff(x, n) - bern[n] / sp.factorial(n) for n in range(ORDER)])


@suite.identity("phi1_vanishes_at_2_pi_i_k", "Lemma 2.1")
def _(wrong):
    return phi1((1 if wrong else 2) * sp.pi * sp.I * kk)


for _k in (1, 2, 3, 4):

    @suite.identity(f"beta_phi1_jordan_{_k}", "Theorem 2.2")
    def _(wrong, k=_k):
        f = wrong_beta(x) if wrong else beta(x)
        N = shift(k)
        return primary(f, mu, N) * primary(phi1(x), mu, N) - sp.eye(k)


for _k in (1, 3, 5):

    @suite.identity(f"beta_phi1_jordan_eigenvalue_zero_{_k}", "Theorem 2.2")
    def _(wrong, k=_k):
        f = wrong_beta(x) if wrong else beta(x)
        N = shift(k)
        zero = sp.Integer(0)
        return primary(f, zero, N) * primary(phi1(x), zero, N) - sp.eye(k)


@suite.identity("beta_phi1_2x2_generic", "Theorem 2.2")
def _(wrong):
    X = generic_2x2(m1, m2, a, b)
    bet = wrong_beta if wrong else beta
    B = lagrange([bet(m1), bet(m2)], X, [m1, m2])
    P = lagrange([phi1(m1), phi1(m2)], X, [m1, m2])
    return B * P - sp.eye(2)


@suite.identity("textbook_form_jordan", "Theorem 2.3")
def _(wrong):
    """beta(X) (e^X - I) = (e^X - I) beta(X) = X, so beta(X) = X (e^X - I)^-1
    = (e^X - I)^-1 X when e^X - I is invertible."""
    k = 3
    J, N = jordan_block(mu, k), shift(k)
    E = sp.exp(mu) * exp_nilpotent(N)
    D = E + sp.eye(k) if wrong else E - sp.eye(k)
    B = primary(beta(x), mu, N)
    return [B * D - J, D * B - J]


@suite.identity("textbook_form_2x2_generic", "Theorem 2.3")
def _(wrong):
    X = generic_2x2(m1, m2, a, b)
    E = lagrange([sp.exp(m1), sp.exp(m2)], X, [m1, m2])
    D = E + sp.eye(2) if wrong else E - sp.eye(2)
    B = lagrange([beta(m1), beta(m2)], X, [m1, m2])
    return [B * D - X, D * B - X]


@suite.identity("augmented_power_pattern", "Theorem 2.4")
def _(wrong):
    """[[X, y], [0, 0]]^n = [[X^n, X^(n-1) y], [0, 0]] for generic 3x3 X."""
    X = sp.Matrix(3, 3, sp.symbols("m1:10", real=True))
    y = vec("y", 3)
    M = sp.Matrix(sp.BlockMatrix([[X, y], [sp.zeros(1, 3), sp.zeros(1, 1)]]))
    rows = []
    for n in range(1, 5):
        top = X**n * y if wrong else X ** (n - 1) * y
        expected = sp.Matrix.vstack(sp.Matrix.hstack(X**n, top), sp.zeros(1, 4))
        rows.append((M**n - expected).expand())
    return rows


def augmented(X: sp.Matrix, y: sp.Matrix) -> sp.Matrix:
    n = X.shape[0]
    return sp.Matrix(sp.BlockMatrix([[X, y], [sp.zeros(1, n), sp.zeros(1, 1)]]))


@suite.identity("augmented_exp_jordan", "Theorem 2.4")
def _(wrong):
    """exp([[X, y], [0, 0]]) = [[e^X, phi1(X) y], [0, 1]], X = J_2(mu), mu != 0,
    by the similarity T = [[I, -X^-1 y], [0, 1]] that splits off eigenvalue 0."""
    k = 2
    X, N, y = jordan_block(mu, k), shift(k), vec("y", k)
    E = sp.exp(mu) * exp_nilpotent(N)
    T = sp.Matrix(sp.BlockMatrix([[sp.eye(k), -X.inv() * y], [sp.zeros(1, k), sp.eye(1)]]))
    via_similarity = T * sp.diag(E, 1) * T.inv()
    f = beta(x) if wrong else phi1(x)
    expected = sp.Matrix(
        sp.BlockMatrix([[E, primary(f, mu, N) * y], [sp.zeros(1, k), sp.eye(1)]])
    )
    M = augmented(X, y)
    residual = [via_similarity - expected, T.inv() * M * T - sp.diag(X, 0)]
    return Claim(residual, cross=expm_route(M, expected))


@suite.identity("augmented_exp_eigenvalue_one", "Theorem 2.4")
def _(wrong):
    """X = J_3(0) (H = e^X has eigenvalue one): the augmented matrix is
    nilpotent and its exponential is a finite sum."""
    k = 3
    N, y = shift(k), vec("y", k)
    f = sp.Integer(1) + 0 * x if wrong else phi1(x)
    expected = sp.Matrix(
        sp.BlockMatrix(
            [[exp_nilpotent(N), primary(f, sp.Integer(0), N) * y], [sp.zeros(1, k), sp.eye(1)]]
        )
    )
    return exp_nilpotent(augmented(N, y)) - expected


@suite.identity("augmented_log_is_principal", "Corollary 2.5")
def _(wrong):
    """[[L dt, g dt], [0, 0]] with L dt = Log H, g dt = beta(L dt) h: its
    exponential is [[H, h], [0, 1]]; numerically it is mpmath's principal logm."""
    H, h = generic_2x2(l1, l2, a, b), vec("h", 2)
    logs = [sp.log(l1), sp.log(l2)]
    X = lagrange(logs, H, [l1, l2])
    bet = wrong_beta if wrong else beta
    gdt = lagrange([bet(v) for v in logs], X, logs) * h
    E = lagrange([l1, l2], X, logs)
    P = lagrange([phi1(v) for v in logs], X, logs)
    residual = [E - H, P * gdt - h]
    Y = augmented(X, gdt)
    Haug = sp.Matrix(sp.BlockMatrix([[H, h], [sp.zeros(1, 2), sp.eye(1)]]))

    def evaluate(point):
        return [mpmath.logm(to_mp(Haug, point)) - to_mp(Y, point)]

    return Claim(residual, cross=NumericRoute(Y.free_symbols | Haug.free_symbols, evaluate))


@suite.identity("eigenvalue_one_jordan_step", "Theorem 2.6")
def _(wrong):
    """H = J_2(1): Log H = N, g dt = beta(N) h = (I - N/2) h reproduces the
    step although det(H - I) = 0."""
    N, h, z = shift(2), vec("h", 2), vec("z", 2)
    H = sp.eye(2) + N
    gdt = h if wrong else primary(beta(x), sp.Integer(0), N) * h
    step = exp_nilpotent(N) * z + primary(phi1(x), sp.Integer(0), N) * gdt
    return [step - (H * z + h), (H - sp.eye(2)).det()]


@suite.identity("authors_block_formula", "Theorem 2.6")
def _(wrong):
    """H = diag(I_2, H2): the beta form gives g = (h1/dt, h2/dt, L2 (H2 - I)^-1 h')."""
    H2 = generic_2x2(l1, l2, a, b)
    logs = [sp.log(l1), sp.log(l2)]
    X2 = lagrange(logs, H2, [l1, l2])
    h = vec("h", 4)
    beta_X = sp.diag(primary(beta(x), sp.Integer(0), sp.zeros(2, 2)),
                     lagrange([beta(v) for v in logs], X2, logs))
    g = beta_X * h / dt
    top = sp.zeros(2, 1) if wrong else h[:2, :] / dt
    block = sp.Matrix.vstack(top, X2 / dt * (H2 - sp.eye(2)).inv() * h[2:, :])
    return g - block


if __name__ == "__main__":
    suite.main()
