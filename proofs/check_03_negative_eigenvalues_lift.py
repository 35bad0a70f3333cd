"""Identities used in proofs/03_negative_eigenvalues_lift.tex.

Run:  python proofs/check_03_negative_eigenvalues_lift.py   (see _checks.py)
"""

from __future__ import annotations

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite
from _matfun import (
    exp_nilpotent,
    exp_quadratic,
    expm_route,
    jordan_block,
    lagrange,
    log_unipotent,
    paired_unit,
    rotation,
    shift,
    to_mp,
)

suite = Suite("03_negative_eigenvalues_lift")

rho, r, lam = sp.symbols("rho r l", positive=True)
a, mu, s, theta = sp.symbols("a mu s theta", real=True)
THETA = {theta: (-3, 3)}


def paired_exp(Lam: sp.Matrix, E_Lam: sp.Matrix, angle: sp.Expr):
    """X = [[Lam, -angle I], [angle I, Lam]] = diag(Lam, Lam) + angle K.  With
    e^Lam = E_Lam, return (X, e^X computed as e^diag(Lam, Lam) e^(angle K),
    the residuals of the two facts that product rule uses)."""
    k = Lam.shape[0]
    K = paired_unit(k)
    D = sp.diag(Lam, Lam)
    X = D + angle * K
    expX = sp.diag(E_Lam, E_Lam) * exp_quadratic(angle * K, 0, sp.I * angle)
    facts = [D * K - K * D, K * K + sp.eye(2 * k)]
    return X, expX, facts


for _k in (1, 2, 3):

    @suite.identity(f"paired_log_exp_{_k}", "Lemma 3.2")
    def _(wrong, k=_k):
        """J = J_k(-rho): Lam = log(-J) = log(rho I - N); the paired log
        [[Lam, -pi I], [pi I, Lam]] is real and exponentiates to J + J."""
        J = jordan_block(-rho, k)
        M = log_unipotent(-shift(k) / rho)
        Lam = sp.log(rho) * sp.eye(k) + M
        angle = 2 * sp.pi if wrong else sp.pi
        X, expX, facts = paired_exp(Lam, rho * exp_nilpotent(M), angle)
        JJ = sp.diag(J, J)
        return Claim([expX - JJ, *facts], cross=expm_route(X, JJ))


for _k in (2, 3, 4):

    @suite.identity(f"exp_keeps_single_block_{_k}", "Lemma 3.1")
    def _(wrong, k=_k):
        """(e^J - e^mu I)^(k-1) has corner entry e^((k-1) mu) != 0 and
        (e^J - e^mu I)^k = 0: e^{J_k(mu)} is similar to J_k(e^mu)."""
        E = sp.exp(mu) * exp_nilpotent(shift(k))
        D = E - sp.exp(mu) * sp.eye(k)
        expected = sp.exp((k if wrong else k - 1) * mu)
        return [(D ** (k - 1))[0, k - 1] - expected, D**k]


@suite.identity("real_jordan_pair_exp_blocks", "Theorem 3.3")
def _(wrong):
    """A real Jordan block of X for a +- i pi (size 2 each) exponentiates to a
    matrix with two Jordan blocks of size 2 at -e^a: rank(E + e^a I) = 2 and
    (E + e^a I)^2 = 0."""
    angle = sp.pi / 2 if wrong else sp.pi
    C = sp.Matrix([[a, -angle], [angle, a]])
    A0 = sp.kronecker_product(sp.eye(2), C)
    Nn = sp.kronecker_product(shift(2), sp.eye(2))
    X = A0 + Nn
    E = sp.kronecker_product(sp.eye(2), exp_quadratic(C, a, sp.I * angle)) * exp_nilpotent(Nn)
    D = E + sp.exp(a) * sp.eye(4)
    return Claim([A0 * Nn - Nn * A0, D.rank() - 2, D * D], cross=expm_route(X, E))


@suite.identity("second_real_log_complex_pair", "Theorem 3.4")
def _(wrong):
    H = r * rotation(theta)
    angle = theta + (sp.pi if wrong else 2 * sp.pi)
    X = sp.Matrix([[sp.log(r), -angle], [angle, sp.log(r)]])
    return Claim(exp_quadratic(X, sp.log(r), sp.I * angle) - H, domains=THETA)


for _k in (1, 2):

    @suite.identity(f"second_real_log_equal_blocks_{_k}", "Theorem 3.4")
    def _(wrong, k=_k):
        """J = J_k(l), l > 0: diag(Log J, Log J) + 2 pi K is a second real log of J + J."""
        J = jordan_block(lam, k)
        M = log_unipotent(shift(k) / lam)
        Lam = sp.log(lam) * sp.eye(k) + M
        X, expX, facts = paired_exp(Lam, lam * exp_nilpotent(M), sp.pi if wrong else 2 * sp.pi)
        JJ = sp.diag(J, J)
        return Claim([expX - JJ, *facts], cross=expm_route(X, JJ))


@suite.identity("branch_shift_is_real", "Theorem 3.4")
def _(wrong):
    """X = [[s, -pi], [pi, s]] has eigenvalues s +- i pi with spectral
    projectors Q, conj(Q); X + 2 pi i (Q - conj Q) is real: [[s, -3pi], [3pi, s]]."""
    X = sp.Matrix([[s, -sp.pi], [sp.pi, s]])
    m, mbar = s + sp.I * sp.pi, s - sp.I * sp.pi
    Q = lagrange([1, 0], X, [m, mbar])
    Qbar = lagrange([0, 1], X, [m, mbar])
    shifted = X + 2 * sp.pi * sp.I * (Q + Qbar if wrong else Q - Qbar)
    expected = sp.Matrix([[s, -3 * sp.pi], [3 * sp.pi, s]])
    return [shifted - expected, Q * Q - Q, Q * Qbar]


def one_dim_lift(S: sp.Matrix, rest_log: sp.Matrix, rest_exp: sp.Matrix, wrong: bool):
    """H = S diag(-rho, R) S^-1 with e^{rest_log} = R; v = S e1, w^T = e1^T S^-1.
    Ltilde = [[Log_rest H + log(rho) v w^T, -pi v], [pi w^T, log rho]] must
    have exp(Ltilde) = diag(H, -rho).  In the basis (S e1, ..., S eM, e_{M+1})
    Ltilde is log(rest) plus the rotation block [[log rho, -pi], [pi, log rho]]
    on (S e1, e_{M+1}); its exponential is assembled from the two blocks."""
    m = S.shape[0]
    Sinv = S.inv()
    H = S * sp.diag(-rho, rest_exp) * Sinv
    v, wT = S[:, 0], Sinv[0, :]
    log_rest = S * sp.diag(0, rest_log) * Sinv
    top_left = log_rest if wrong else log_rest + sp.log(rho) * v * wT
    Lt = sp.Matrix(sp.BlockMatrix([[top_left, -sp.pi * v], [sp.pi * wT, sp.log(rho) * sp.eye(1)]]))
    pair = sp.Matrix([[sp.log(rho), -sp.pi], [sp.pi, sp.log(rho)]])
    e_pair = exp_quadratic(pair, sp.log(rho), sp.I * sp.pi)
    B, expB = sp.zeros(m + 1, m + 1), sp.zeros(m + 1, m + 1)
    B[1:m, 1:m], expB[1:m, 1:m] = rest_log, rest_exp
    for (i, j), (p, q) in zip(((0, 0), (0, m), (m, 0), (m, m)), ((0, 0), (0, 1), (1, 0), (1, 1)), strict=True):
        B[i, j], expB[i, j] = pair[p, q], e_pair[p, q]
    T = sp.diag(S, 1)
    target = sp.diag(H, -rho)
    residual = [T.inv() * Lt * T - B, T * expB * T.inv() - target]
    return residual, expm_route(Lt, target)


@suite.identity("one_dim_lift_simple_negative", "Theorem 3.8")
def _(wrong):
    """M = 3: the rest of the spectrum is a complex pair r e^{+-i theta}."""
    rest_log = sp.Matrix([[sp.log(r), -theta], [theta, sp.log(r)]])
    S = sp.Matrix([[1, 1, 0], [0, 1, 1], [1, 0, 2]])
    residual, route = one_dim_lift(S, rest_log, r * rotation(theta), wrong)
    return Claim(residual, domains=THETA, cross=route)


@suite.identity("one_dim_lift_generic_eigenvectors", "Theorem 3.8")
def _(wrong):
    """M = 2 with symbolic eigenvectors: H = S diag(-rho, l) S^-1, S = [[1, p], [q, 1]]."""
    p, q = sp.symbols("p q", real=True)
    S = sp.Matrix([[1, p], [q, 1]])
    residual, route = one_dim_lift(S, sp.Matrix([[sp.log(lam)]]), sp.Matrix([[lam]]), wrong)
    return Claim(residual, domains={p: (-sp.Rational(1, 2), sp.Rational(1, 2))}, cross=route)


@suite.identity("minimal_lift_pairs_unequal_blocks", "Theorem 3.9")
def _(wrong):
    """H = J_2(-rho) + J_1(-rho) sits as an invariant subspace of
    K = J_2(-rho) + J_2(-rho), which has the real paired log: an exact lift of
    dimension 4 = M + 1, where doubling the unpaired blocks would need 6."""
    J2 = jordan_block(-rho, 2)
    H = sp.diag(J2, -rho)
    K = sp.diag(J2, J2)
    G = sp.Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]]) if wrong else sp.eye(4)[:, :3]
    P = G.T
    M = log_unipotent(-shift(2) / rho)
    X, expX, facts = paired_exp(sp.log(rho) * sp.eye(2) + M, rho * exp_nilpotent(M), sp.pi)

    def evaluate(point):
        E = mpmath.expm(to_mp(X, point))
        return [E * to_mp(G, point) - to_mp(G * H, point), to_mp(P, point) * E * to_mp(G, point) - to_mp(H, point)]

    route = NumericRoute(X.free_symbols | H.free_symbols, evaluate)
    residual = [K * G - G * H, P * G - sp.eye(3), expX - K, *facts]
    return Claim(residual, cross=route)


def extra_dimension_pairing(sizes: list[int]) -> int:
    """Sum over pairs (alpha_1, alpha_2), (alpha_3, alpha_4), ... of the
    differences, sizes sorted decreasingly (Theorem 3.9)."""
    alpha = sorted(sizes, reverse=True) + [0]
    return sum(alpha[i] - alpha[i + 1] for i in range(0, len(sizes), 2))


def extra_dimension_doubling(sizes: list[int]) -> int:
    """Total size of one copy of each block size that occurs an odd number of times."""
    return sum(k for k in set(sizes) if sizes.count(k) % 2)


@suite.identity("lift_dimension_examples", "Theorem 3.9")
def _(wrong):
    """Pairing consecutive block sizes never needs more than doubling the
    unpaired ones, and both agree when all blocks are 1 x 1."""
    cases = {(1,): (1, 1), (1, 1): (0, 0), (1, 1, 1): (1, 1), (2, 1): (1, 3),
             (3, 1): (2, 4), (2, 2, 1): (1, 1), (3, 2, 1): (2, 6)}
    pairing = (lambda sz: extra_dimension_doubling(sz)) if wrong else extra_dimension_pairing
    return [sp.Integer(pairing(list(k)) - e1) for k, (e1, _) in cases.items()] + [
        sp.Integer(extra_dimension_doubling(list(k)) - e2) for k, (_, e2) in cases.items()
    ]


if __name__ == "__main__":
    suite.main()
