"""Closed forms of matrix functions shared by the ``check_*.py`` scripts.

Each is the textbook formula a proof in ``proofs/`` uses; the scripts verify
identities built from them.  Conventions: ``J_k(mu) = mu I + N_k`` with ``N_k``
the nilpotent shift (ones on the superdiagonal); ``phi1(x) = (e^x - 1)/x`` and
``beta(x) = x/(e^x - 1)``, both with value 1 at 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp
from _checks import NumericRoute

x = sp.Symbol("x")


def phi1(z: sp.Expr) -> sp.Expr:
    z = sp.sympify(z)
    return sp.Integer(1) if z == 0 else (sp.exp(z) - 1) / z


def beta(z: sp.Expr) -> sp.Expr:
    z = sp.sympify(z)
    return sp.Integer(1) if z == 0 else z / (sp.exp(z) - 1)


def shift(k: int) -> sp.Matrix:
    """The nilpotent k x k shift N_k."""
    return sp.Matrix(k, k, lambda i, j: 1 if j == i + 1 else 0)


def jordan_block(mu: sp.Expr, k: int) -> sp.Matrix:
    return mu * sp.eye(k) + shift(k)


def taylor_coefficients(f: sp.Expr, at: sp.Expr, n: int) -> list[sp.Expr]:
    """f^(j)(at)/j! for j < n, f an expression in ``x``.  Where substitution
    gives 0/0 (a removable singularity, e.g. phi1 at 0) the coefficients come
    from a series expansion instead."""
    coeffs = [sp.diff(f, x, j).subs(x, at) / sp.factorial(j) for j in range(n)]
    if not any(c.has(sp.nan, sp.zoo) for c in coeffs):
        return coeffs
    y = sp.Dummy("y")
    s = sp.series(f.subs(x, at + y), y, 0, n).removeO()
    return [s.coeff(y, j) if j else s.subs(y, 0) for j in range(n)]


def primary(f: sp.Expr, mu: sp.Expr, M: sp.Matrix) -> sp.Matrix:
    """f(mu I + M) for nilpotent M: sum_j f^(j)(mu)/j! M^j, the defining
    formula of a primary matrix function (M = N_k gives f(J_k(mu)))."""
    n = M.shape[0]
    coeffs = taylor_coefficients(f, mu, n)
    total, power = sp.zeros(n, n), sp.eye(n)
    for c in coeffs:
        total += c * power
        power = power * M
    return total


def lagrange(values: Sequence[sp.Expr], H: sp.Matrix, eigs: Sequence[sp.Expr]):
    """Sylvester's formula f(H) = sum_i f(l_i) prod_{j != i} (H - l_j)/(l_i - l_j)
    for H with the distinct eigenvalues ``eigs`` and f(l_i) = ``values[i]``."""
    n = H.shape[0]
    total = sp.zeros(n, n)
    for i, (fi, li) in enumerate(zip(values, eigs, strict=True)):
        term = fi * sp.eye(n)
        for j, lj in enumerate(eigs):
            if j != i:
                term = term * (H - lj * sp.eye(n)) / (li - lj)
        total += term
    return total


def exp_nilpotent(M: sp.Matrix) -> sp.Matrix:
    """e^M for nilpotent M: the series stops at M^(n-1)."""
    n = M.shape[0]
    total, power = sp.eye(n), sp.eye(n)
    for j in range(1, n):
        power = power * M / j
        total += power
    return total


def log_unipotent(M: sp.Matrix) -> sp.Matrix:
    """log(I + M) = sum_{j>=1} (-1)^(j+1) M^j / j for nilpotent M."""
    n = M.shape[0]
    total, power = sp.zeros(n, n), sp.eye(n)
    for j in range(1, n):
        power = power * M
        total += sp.Rational((-1) ** (j + 1), j) * power
    return total


def exp_quadratic(X: sp.Matrix, s: sp.Expr, q: sp.Expr) -> sp.Matrix:
    """e^X when (X - s I)^2 = q^2 I:  e^s (cosh q I + sinh(q)/q (X - s I)).
    Valid for any root q (both coefficient functions are even in q); use
    q = i*theta for rotation-like X."""
    n = X.shape[0]
    Y = X - s * sp.eye(n)
    return sp.exp(s) * (sp.cosh(q) * sp.eye(n) + sp.sinh(q) / q * Y)


def exp_two_by_two(X: sp.Matrix) -> sp.Matrix:
    """e^X for a 2 x 2 X from its own trace and determinant (Lemma 1.2 of
    01_principal_embedding.tex): with s = tr X / 2, q^2 = s^2 - det X, (X - s I)^2 = q^2 I.
    Used to check e^{Log H} = H without letting sympy rewrite exp(log x) to x."""
    s = X.trace() / 2
    q2 = sp.simplify(s**2 - X.det())
    Y = X - s * sp.eye(2)
    if q2 == 0:
        return sp.exp(s) * (sp.eye(2) + Y)
    if q2.is_negative:
        theta = sp.sqrt(-q2)
        return sp.exp(s) * (sp.cos(theta) * sp.eye(2) + sp.sin(theta) / theta * Y)
    return exp_quadratic(X, s, sp.sqrt(q2))


def function_of_two_by_two(f: sp.Expr, X: sp.Matrix) -> sp.Matrix:
    """f(X) for a real 2 x 2 X with distinct eigenvalues s +- q (q^2 = s^2 - det X, s = tr X / 2),
    from X itself: (f(s + q) + f(s - q))/2 I + (f(s + q) - f(s - q))/(2q) (X - s I)."""
    s = X.trace() / 2
    q = sp.sqrt(sp.simplify(s**2 - X.det()))
    fp, fm = f.subs(x, s + q), f.subs(x, s - q)
    return (fp + fm) / 2 * sp.eye(2) + (fp - fm) / (2 * q) * (X - s * sp.eye(2))


def rotation(theta: sp.Expr) -> sp.Matrix:
    return sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])


def block_diag(*blocks: sp.Matrix) -> sp.Matrix:
    return sp.diag(*blocks)


def paired_unit(k: int) -> sp.Matrix:
    """K = [[0, -I_k], [I_k, 0]], the real form of i: K^2 = -I."""
    Z, eye = sp.zeros(k, k), sp.eye(k)
    return sp.Matrix(sp.BlockMatrix([[Z, -eye], [eye, Z]]))


def to_mp(M: sp.Matrix, point: dict) -> mpmath.matrix:
    """Evaluate a sympy matrix at ``point`` ({symbol: mpf}) into mpmath."""
    symbols = list(point)
    f = sp.lambdify(symbols, M, modules="mpmath")
    value = f(*point.values())
    return mpmath.matrix(value.tolist() if hasattr(value, "tolist") else value)


def matrix_function(f: sp.Expr, H: sp.Matrix) -> sp.Matrix:
    """f(H) for an exact (rational or algebraic) matrix through its Jordan form
    H = T J T^-1, f an expression in ``x`` analytic at every eigenvalue;
    sympy's ``log`` is the principal branch."""
    T, J = H.jordan_form()
    n = H.shape[0]
    F = sp.zeros(n, n)
    start = 0
    while start < n:
        end = start + 1
        while end < n and J[end - 1, end] == 1:
            end += 1
        k = end - start
        F[start:end, start:end] = primary(f, J[start, start], shift(k))
        start = end
    return (T * F * T.inv()).applyfunc(lambda e: sp.simplify(sp.expand_complex(e)))


def vec(name: str, n: int) -> sp.Matrix:
    """The column of real symbols name1, ..., name<n>."""
    return sp.Matrix(sp.symbols(f"{name}1:{n + 1}", real=True))


def generic_2x2(e1: sp.Expr, e2: sp.Expr, a: sp.Symbol, b: sp.Symbol) -> sp.Matrix:
    """Every 2x2 matrix with eigenvalues e1, e2 and (1,2) entry b != 0."""
    return sp.Matrix([[a, b], [(a * (e1 + e2 - a) - e1 * e2) / b, e1 + e2 - a]])


def expm_route(X: sp.Matrix, E: sp.Matrix) -> NumericRoute:
    """Independent numeric route: mpmath.expm(X) - E must vanish."""

    def evaluate(point):
        return [mpmath.expm(to_mp(X, point)) - to_mp(E, point)]

    return NumericRoute(frozenset(X.free_symbols | E.free_symbols), evaluate)


def logm_route(H: sp.Matrix, X: sp.Matrix) -> NumericRoute:
    """Independent numeric route: X is mpmath's principal logm(H), expm(X) = H."""

    def evaluate(point):
        Hn, Xn = to_mp(H, point), to_mp(X, point)
        return [mpmath.logm(Hn) - Xn, mpmath.expm(Xn) - Hn]

    return NumericRoute(frozenset(H.free_symbols | X.free_symbols), evaluate)
