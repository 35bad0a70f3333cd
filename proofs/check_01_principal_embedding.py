"""Identities used in proofs/01_principal_embedding.tex.

Run:  python proofs/check_01_principal_embedding.py   (see _checks.py)
"""

from __future__ import annotations

import sympy as sp
from _checks import Claim, Suite
from _matfun import (
    beta,
    exp_nilpotent,
    exp_quadratic,
    generic_2x2,
    jordan_block,
    lagrange,
    log_unipotent,
    logm_route,
    paired_unit,
    phi1,
    primary,
    rotation,
    shift,
    vec,
    x,
)

suite = Suite("01_principal_embedding")

l1, l2, l3, lam, r, dt, t = sp.symbols("l1 l2 l3 l r dt t", positive=True)
a, b, c, p, q, u, theta, mu, sigma, omega = sp.symbols(
    "a b c p q u theta mu sigma omega", real=True
)
THETA = {theta: (-3, 3)}  # principal branch: |theta| < pi


def log_2x2(H: sp.Matrix, wrong: bool = False) -> sp.Matrix:
    """(log l1 (H - l2 I) - log l2 (H - l1 I)) / (l1 - l2)."""
    eigs = [l2, l1] if wrong else [l1, l2]
    return lagrange([sp.log(l1), sp.log(l2)], H, eigs)


@suite.identity("log_2x2_square_relation", "Lemma 1.2")
def _(wrong):
    H = generic_2x2(l1, l2, a, b)
    X = log_2x2(H)
    s = (sp.log(l1) + sp.log(l2)) / 2
    qq = (sp.log(l1) - sp.log(l2)) / 2
    if wrong:
        qq = (sp.log(l1) + sp.log(l2)) / 2
    Y = X - s * sp.eye(2)
    return Y * Y - qq**2 * sp.eye(2)


@suite.identity("exp_log_2x2_distinct", "Theorem 1.1")
def _(wrong):
    H = generic_2x2(l1, l2, a, b)
    X = log_2x2(H, wrong)
    s = (sp.log(l1) + sp.log(l2)) / 2
    qq = (sp.log(l1) - sp.log(l2)) / 2
    return Claim(exp_quadratic(X, s, qq) - H, cross=logm_route(H, X))


@suite.identity("exp_log_2x2_double_eigenvalue", "Theorem 1.1")
def _(wrong):
    N = sp.Matrix([[p * q, -(p**2)], [q**2, -p * q]])  # generic N with N^2 = 0
    H = lam * sp.eye(2) + N
    M = N if wrong else N / lam
    X = sp.log(lam) * sp.eye(2) + M
    return Claim([lam * exp_nilpotent(M) - H, N * N], cross=logm_route(H, X))


def complex_pair():
    """H = S (r R(theta)) S^-1 with eigenvalues r e^{+-i theta}."""
    S = sp.Matrix([[p, u], [0, 1]])
    H = S * (r * rotation(theta)) * S.inv()
    real_log = S * sp.Matrix([[sp.log(r), -theta], [theta, sp.log(r)]]) * S.inv()
    return S, H, real_log


@suite.identity("log_2x2_complex_pair_is_real", "Theorem 1.1")
def _(wrong):
    S, H, real_log = complex_pair()
    e1, e2 = r * sp.exp(sp.I * theta), r * sp.exp(-sp.I * theta)
    Xc = lagrange([sp.log(r) + sp.I * theta, sp.log(r) - sp.I * theta], H, [e1, e2])
    if wrong:  # a non-principal branch: still a logarithm, not the principal one
        real_log = real_log + 2 * sp.pi * S * paired_unit(1) * S.inv()
    cross = logm_route(H, real_log)
    return Claim(Xc - real_log, domains=THETA, cross=cross)


@suite.identity("exp_log_2x2_complex_pair", "Theorem 1.1")
def _(wrong):
    S, H, _ = complex_pair()
    # X = log r I + Y with Y^2 = -theta^2 I, so exp_quadratic applies with
    # q = i theta; the wrong version rotates the other way
    Y = S * (-theta if wrong else theta) * paired_unit(1) * S.inv()
    X = sp.log(r) * sp.eye(2) + Y
    residual = [exp_quadratic(X, sp.log(r), sp.I * theta) - H, Y * Y + theta**2 * sp.eye(2)]
    return Claim(residual, domains=THETA)


def triangular_3x3() -> sp.Matrix:
    return sp.Matrix([[l1, a, b], [0, l2, c], [0, 0, l3]])


@suite.identity("exp_log_3x3_triangular", "Theorem 1.1")
def _(wrong):
    T = triangular_3x3()
    eigs = [l1, l2, l3]
    logs = [sp.log(v) for v in eigs]
    X = lagrange(logs, T, [l1, l3, l2] if wrong else eigs)
    # X is upper triangular with diagonal log l_i, so its eigenvalues are the logs
    expX = lagrange(eigs, X, logs)
    return Claim(expX - T, cross=logm_route(T, X))


@suite.identity("exp_log_3x3_diagonalizable", "Theorem 1.1")
def _(wrong):
    """Sylvester's formula for log H equals S diag(log l_i) S^-1, and the
    Sylvester formula for exp of the latter gives back H."""
    S = sp.Matrix([[1, a, 0], [0, 1, b], [c, 0, 1]])
    eigs = [l1, l2, l3]
    H = S * sp.diag(*eigs) * S.inv()
    logs = [sp.log(v) for v in eigs]
    X = lagrange(logs, H, eigs)
    Xd = S * sp.diag(*(logs[:2] + logs[1:2] if wrong else logs)) * S.inv()
    return Claim([X - Xd, lagrange(eigs, Xd, logs) - H], cross=logm_route(H, X))


def log_jordan(lv: sp.Expr, k: int, wrong: bool = False) -> sp.Matrix:
    """log J_k(l) = log(l) I + sum_{j>=1} (-1)^(j+1) N^j / (j l^j)."""
    M = log_unipotent(shift(k) if wrong else shift(k) / lv)
    return sp.log(lv) * sp.eye(k) + M


for _k in (2, 3, 4):

    @suite.identity(f"exp_log_jordan_block_{_k}", "Theorem 1.1")
    def _(wrong, k=_k):
        J = jordan_block(lam, k)
        X = log_jordan(lam, k, wrong)
        M = X - sp.log(lam) * sp.eye(k)
        return Claim(lam * exp_nilpotent(M) - J, cross=logm_route(J, X))


def flow_residual(L, expLt, tphi1, wrong_vector=None):
    """z(t) = e^{Lt} z0 + t phi1(Lt) g;  residual z' - (L z + g)."""
    n = L.shape[0]
    z0, g = vec("z", n), vec("g", n)
    z = expLt * z0 + tphi1 * (wrong_vector if wrong_vector is not None else g)
    return sp.diff(z, t) - (L * z + g)


for _k in (1, 2, 3):

    @suite.identity(f"flow_solves_ode_jordan_{_k}", "Theorem 1.3")
    def _(wrong, k=_k):
        L = jordan_block(mu, k)
        tN = t * shift(k)
        expLt = sp.exp(mu * t) * exp_nilpotent(tN)
        f = sp.exp(x) if wrong else phi1(x)
        tphi1 = t * primary(f, mu * t, tN)
        return Claim(flow_residual(L, expLt, tphi1), domains={mu: (-2, 2)})


@suite.identity("flow_solves_ode_jordan_eigenvalue_zero", "Theorem 1.3")
def _(wrong):
    k = 3
    L = shift(k)
    expLt = exp_nilpotent(t * L)
    f = sp.exp(x) if wrong else (sp.exp(x) - 1) / x
    tphi1 = t * primary(f, sp.Integer(0), t * L)
    return flow_residual(L, expLt, tphi1)


@suite.identity("flow_solves_ode_rotation", "Theorem 1.3")
def _(wrong):
    L = sp.Matrix([[sigma, -omega], [omega, sigma]])
    expLt = sp.exp(sigma * t) * rotation(omega * t)
    tphi1 = L.inv() * (expLt - sp.eye(2))
    if wrong:
        tphi1 = L.inv() * expLt
    return flow_residual(L, expLt, tphi1)


@suite.identity("flow_series_generic_3x3", "Theorem 1.3")
def _(wrong):
    """Term-by-term: the Taylor polynomials of e^{Lt} and t phi1(Lt) satisfy
    the ODE up to the truncation order, for a fully generic 3x3 L."""
    n = 3
    L = sp.Matrix(3, 3, sp.symbols("m1:10", real=True))
    E = sum(((L * t) ** k / sp.factorial(k) for k in range(n + 1)), sp.zeros(3, 3))
    den = (lambda k: sp.factorial(k)) if wrong else (lambda k: sp.factorial(k + 1))
    F = sum((t ** (k + 1) * L**k / den(k) for k in range(n + 1)), sp.zeros(3, 3))
    residual = flow_residual(L, E, F).expand()
    return residual.applyfunc(lambda e: sum(e.coeff(t, j) * t**j for j in range(n)))


@suite.identity("embedding_step_jordan", "Theorem 1.4")
def _(wrong):
    k = 3
    H = jordan_block(lam, k)
    X = log_jordan(lam, k)  # = L dt
    M = X - sp.log(lam) * sp.eye(k)
    h, z = vec("h", k), vec("z", k)
    g = (h if wrong else primary(beta(x), sp.log(lam), M) * h) / dt
    L = X / dt
    step = lam * exp_nilpotent(M) * z + dt * primary(phi1(x), sp.log(lam), M) * g
    return Claim(step - (H * z + h), cross=logm_route(H, L * dt))


@suite.identity("embedding_step_2x2_distinct", "Theorem 1.4")
def _(wrong):
    H = generic_2x2(l1, l2, a, b)
    X = log_2x2(H)  # = L dt
    logs = [sp.log(l1), sp.log(l2)]
    bet = (lambda v: v / (sp.exp(v) + 1)) if wrong else beta
    g = lagrange([bet(v) for v in logs], X, logs) * vec("h", 2) / dt
    expX = lagrange([l1, l2], X, logs)
    phi = lagrange([phi1(v) for v in logs], X, logs)
    z, h = vec("z", 2), vec("h", 2)
    return expX * z + dt * phi * g - (H * z + h)


s_ = sp.Symbol("s", real=True)


@suite.identity("function_on_rotation_plane", "Theorem 1.7")
def _(wrong):
    """On a plane where X = s I + theta J (J^2 = -I), f(X) = Re f(z) I + Im f(z) J with
    z = s + i theta; for f = beta this is (e^X - I)(Re b I + Im b J) = X with b = beta(z),
    and for f = exp, e^X = Re e^z I + Im e^z J (at theta = pi: e^X = -e^s I)."""
    X = s_ * sp.eye(2) + theta * rotation(sp.pi / 2)
    J = rotation(sp.pi / 2)
    z = s_ + sp.I * theta
    E = sp.exp(s_) * rotation(theta)
    br, bi = beta(z).as_real_imag()
    er, ei = sp.exp(z).as_real_imag()
    sign = -1 if wrong else 1
    return Claim([(E - sp.eye(2)) * (br * sp.eye(2) + sign * bi * J) - X,
                  E - (er * sp.eye(2) + sign * ei * J)], domains=THETA)


if __name__ == "__main__":
    suite.main()
