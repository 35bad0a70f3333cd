"""Identities used in proofs/07_region_structure.tex.

Run:  python proofs/check_07_region_structure.py   (see _checks.py)
"""

from __future__ import annotations

import itertools

import sympy as sp
from _checks import Suite

suite = Suite("07_region_structure")

tt = sp.Symbol("t")
R = sp.Rational


def generic_model(m: int, zero_diagonal: bool):
    A = sp.diag(*sp.symbols(f"a1:{m + 1}", real=True))
    W = sp.Matrix(m, m, lambda i, j: 0 if (zero_diagonal and i == j) else sp.Symbol(f"w{i + 1}{j + 1}", real=True))
    return A, W


def split(d):
    inactive = [i for i, di in enumerate(d) if not di]
    active = [i for i, di in enumerate(d) if di]
    return inactive, active


def permuted(H: sp.Matrix, order: list[int]) -> sp.Matrix:
    return H.extract(order, order)


@suite.identity("inactive_columns_equal_A", "Lemma 7.1")
def _(wrong):
    """Column j of W_Omega = A + W D is column j of A when d_j = 0 (any W)."""
    A, W = generic_model(4, zero_diagonal=False)
    residuals = []
    for d in itertools.product((0, 1), repeat=4):
        H = A + W * sp.diag(*[1 - di for di in d] if wrong else d)
        for j in split(d)[0]:
            residuals.append(H[:, j] - A[:, j])
    return residuals


@suite.identity("permuted_block_triangular", "Lemma 7.1")
def _(wrong):
    """Inactive units first: W_Omega = [[D0, X], [0, S]], D0 = diag(a_jj,
    j inactive), S = (A + W)[active, active], X = W[inactive, active]."""
    A, W = generic_model(4, zero_diagonal=False)
    residuals = []
    for d in itertools.product((0, 1), repeat=4):
        inactive, active = split(d)
        order = (active + inactive) if wrong else (inactive + active)
        B = permuted(A + W * sp.diag(*d), order)
        p = len(inactive)
        residuals += [
            B[p:, :p],
            B[:p, :p] - sp.diag(*[A[j, j] for j in inactive]) if p else sp.zeros(1, 1),
            B[p:, p:] - (A + W).extract(active, active) if active else sp.zeros(1, 1),
            B[:p, p:] - W.extract(inactive, active) if p and active else sp.zeros(1, 1),
        ]
    return residuals


for _m in (3, 4):

    @suite.identity(f"charpoly_factorization_{_m}", "Theorem 7.2")
    def _(wrong, m=_m):
        """charpoly(W_Omega) = prod_{j inactive} (t - a_jj) * charpoly(S)."""
        A, W = generic_model(m, zero_diagonal=True)
        residuals = []
        for d in itertools.product((0, 1), repeat=m):
            inactive, active = split(d)
            H = A + W * sp.diag(*d)
            S = (A + W).extract(active, active)
            if wrong:
                S = A.extract(active, active)  # forgets W
            charS = (tt * sp.eye(len(active)) - S).det() if active else 1
            factored = sp.prod([tt - A[j, j] for j in inactive]) * charS
            residuals.append(sp.expand((tt * sp.eye(m) - H).det(method="berkowitz") - factored))
        return residuals


@suite.identity("sylvester_block_diagonalisation", "Theorem 7.3")
def _(wrong):
    """With Y's rows y_j = -x_j (a_jj I - S)^-1 (a_jj not an eigenvalue of S),
    T = [[I, Y], [0, I]] gives T^-1 W_Omega T = diag(D0, S) (after the
    permutation), for every region of a generic M = 3 model."""
    A, W = generic_model(3, zero_diagonal=True)
    residuals = []
    for d in itertools.product((0, 1), repeat=3):
        inactive, active = split(d)
        if not inactive or not active:
            continue
        B = permuted(A + W * sp.diag(*d), inactive + active)
        p, q = len(inactive), len(active)
        D0, X, S = B[:p, :p], B[:p, p:], B[p:, p:]
        sign = 1 if wrong else -1
        Y = sp.Matrix.vstack(
            *[sign * X[j, :] * (D0[j, j] * sp.eye(q) - S).inv() for j in range(p)]
        )
        T = sp.Matrix(sp.BlockMatrix([[sp.eye(p), Y], [sp.zeros(q, p), sp.eye(q)]]))
        residuals.append((T.inv() * B * T - sp.diag(D0, S)).applyfunc(sp.cancel))
    return residuals


@suite.identity("shared_value_can_give_jordan_block", "Remark 7.4")
def _(wrong):
    """The hypothesis of Theorem 7.3 matters: A = diag(1/2, 1/2),
    W = [[0, 1], [0, 0]], region 01: W_Omega = J_2(1/2) (one 2 x 2 block),
    because the inactive a_11 = 1/2 is also the eigenvalue of S = (1/2)."""
    A = sp.diag(R(1, 2), R(1, 2))
    W = sp.Matrix([[0, 1], [0, 0]])
    d = (1, 0) if wrong else (0, 1)
    H = A + W * sp.diag(*d)
    return [(H - sp.eye(2) / 2).rank() - 1, (H - sp.eye(2) / 2) ** 2]


@suite.identity("distinct_value_gives_simple_blocks", "Theorem 7.3")
def _(wrong):
    """A = diag(-1/2, -1/2, 3/4), W with zero diagonal, region 001: the value
    -1/2 is not an eigenvalue of S = (3/4), so W_Omega + I/2 has rank 1 and
    -1/2 has two 1 x 1 blocks (paired: Culver's condition holds at -1/2)."""
    A = sp.diag(-R(1, 2), -R(1, 2), R(3, 4))
    W = sp.Matrix([[0, 2, 5], [1, 0, -3], [7, 1, 0]])
    d = (1, 0, 1) if wrong else (0, 0, 1)
    K = A + W * sp.diag(*d) + sp.eye(3) / 2
    return [K.rank() - 1, (K**2).rank() - 1]


if __name__ == "__main__":
    suite.main()
