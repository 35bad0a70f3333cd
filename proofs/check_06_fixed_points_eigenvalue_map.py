"""Identities used in proofs/06_fixed_points_eigenvalue_map.tex.

Run:  python proofs/check_06_fixed_points_eigenvalue_map.py   (see _checks.py)
"""

from __future__ import annotations

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite
from _matfun import (
    beta,
    exp_nilpotent,
    exp_two_by_two,
    generic_2x2,
    lagrange,
    log_unipotent,
    matrix_function,
    phi1,
    primary,
    shift,
    to_mp,
    vec,
    x,
)

suite = Suite("06_fixed_points_eigenvalue_map")

l1, l2, lam, r, dt = sp.symbols("l1 l2 l r dt", positive=True)
a, b, mu, theta, tt = sp.symbols("a b mu theta t", real=True)
THETA = {theta: (-3, 3)}


for _k, _mu in ((2, mu), (3, mu), (2, sp.Integer(0))):

    @suite.identity(
        f"fixed_points_are_equilibria_{_k}{'_eigenvalue_one' if _mu == 0 else ''}",
        "Theorem 6.1",
    )
    def _(wrong, k=_k, m=_mu):
        """X = L dt = J_k(m), H = e^X, h = dt phi1(X) g:
        (H - I) z + h = dt phi1(X) (L z + g) for every z."""
        N = shift(k)
        X = m * sp.eye(k) + N
        H = sp.exp(m) * exp_nilpotent(N)
        Phi = primary(phi1(x), m, N)
        g, z = vec("g", k), vec("z", k)
        h = dt * Phi * g
        factor = sp.eye(k) if wrong else Phi
        return (H - sp.eye(k)) * z + h - dt * factor * (X / dt * z + g)


@suite.identity("fixed_point_is_equilibrium_2x2", "Theorem 6.1")
def _(wrong):
    """1 not an eigenvalue: z* = (I - H)^-1 h and g = beta(L dt) h / dt give
    L z* + g = 0 (generic 2x2 H with positive eigenvalues)."""
    H, h = generic_2x2(l1, l2, a, b), vec("h", 2)
    logs = [sp.log(l1), sp.log(l2)]
    X = lagrange(logs, H, [l1, l2])
    g = (h if wrong else lagrange([beta(v) for v in logs], X, logs) * h) / dt
    z_star = (sp.eye(2) - H).inv() * h
    return X / dt * z_star + g


for _k in (2, 3, 4):

    @suite.identity(f"eigenvalue_map_keeps_block_{_k}", "Theorem 6.2")
    def _(wrong, k=_k):
        """Log J_k(l) - log(l) I = M with M^k = 0 and corner of M^(k-1) equal
        to l^-(k-1) != 0: a single Jordan block at log l."""
        M = log_unipotent(shift(k) / lam)
        expected = lam ** (k - 1) if wrong else lam ** -(k - 1)
        return [(M ** (k - 1))[0, k - 1] - expected, M**k]


@suite.identity("eigenvalue_map_complex_pair", "Theorem 6.2")
def _(wrong):
    """L = Log(r R(theta))/dt has eigenvalues (log r +- i theta)/dt."""
    L = sp.Matrix([[sp.log(r), -theta], [theta, sp.log(r)]]) / dt
    shift_ = 2 * sp.pi if wrong else 0
    m1 = (sp.log(r) + sp.I * (theta + shift_)) / dt
    m2 = (sp.log(r) - sp.I * (theta + shift_)) / dt
    charpoly = (tt * sp.eye(2) - L).det()
    return Claim(sp.expand(charpoly - (tt - m1) * (tt - m2)), domains=THETA)


@suite.identity("type_invariants_2x2", "Corollary 6.4")
def _(wrong):
    """Generic 2x2 H with eigenvalues l1, l2 > 0, L = Log(H)/dt:
    tr L = log(l1 l2)/dt, det L = log l1 log l2 / dt^2,
    tr^2 - 4 det = (log l1 - log l2)^2 / dt^2 >= 0 (node or saddle)."""
    H = generic_2x2(l1, l2, a, b)
    logs = [sp.log(l1), sp.log(l2)]
    L = lagrange(logs, H, [l1, l2]) / dt
    det_expected = (sp.log(l1 * l2) if wrong else logs[0] * logs[1]) / dt**2
    return [
        L.trace() - (logs[0] + logs[1]) / dt,
        L.det() - det_expected,
        L.trace() ** 2 - 4 * L.det() - (logs[0] - logs[1]) ** 2 / dt**2,
    ]


@suite.identity("type_invariants_focus", "Corollary 6.4")
def _(wrong):
    """H = r R(theta), theta != 0: tr L = 2 log r / dt (sign of log r = sign
    of |lambda| - 1) and tr^2 - 4 det = -4 theta^2/dt^2 < 0 (a focus)."""
    L = sp.Matrix([[sp.log(r), -theta], [theta, sp.log(r)]]) / dt
    disc = 4 * theta**2 / dt**2 if wrong else -4 * theta**2 / dt**2
    return Claim([L.trace() - 2 * sp.log(r) / dt, L.trace() ** 2 - 4 * L.det() - disc],
                 domains=THETA)


R = sp.Rational
DT = R(1, 2)
REGION_MATRICES = [
    sp.Matrix([[R(9, 10), 0], [R(1, 2), R(9, 10)]]),
    sp.Matrix([[R(9, 10), -R(1, 2)], [R(1, 2), R(9, 10)]]),
    R(9, 10) * sp.eye(2),
    sp.Matrix([[R(9, 10), -R(1, 2)], [R(1, 2), R(9, 10)]]),
]


@suite.identity("hybrid_fundamental_matrix_is_product", "Theorem 6.5")
def _(wrong):
    """Along a region sequence the hybrid system's fundamental matrix at n dt
    is e^{L_n dt} ... e^{L_1 dt} = W_n ... W_1; numerically, by integrating
    Psi' = L(t) Psi with L_k = logm(W_k)/dt."""
    Psi = sp.eye(2)
    product = sp.eye(2)
    for Wk in REGION_MATRICES:
        Psi = exp_two_by_two(matrix_function(sp.log(x), Wk)) * Psi     # e^{L_k dt} from L_k itself
        product = (product * Wk) if wrong else (Wk * product)

    def evaluate(point):
        P = mpmath.eye(2)
        for Wk in REGION_MATRICES:
            L = mpmath.logm(to_mp(Wk, {})) / DT
            y0 = [P[i, j] for i in range(2) for j in range(2)]

            def rhs(t, y, L=L):
                Z = L * mpmath.matrix([[y[0], y[1]], [y[2], y[3]]])
                return [Z[0, 0], Z[0, 1], Z[1, 0], Z[1, 1]]

            sol = mpmath.odefun(rhs, 0, y0)(mpmath.mpf(DT.p) / DT.q)
            P = mpmath.matrix([[sol[0], sol[1]], [sol[2], sol[3]]])
        return [P - to_mp(product, {})]

    return Claim(Psi - product, cross=NumericRoute(frozenset(), evaluate))


if __name__ == "__main__":
    suite.main()
