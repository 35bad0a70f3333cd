"""Identities used in proofs/07_region_structure.tex.

Run:  python proofs/check_07_region_structure.py   (see _checks.py)
"""

from __future__ import annotations

import itertools
import random

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite

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


# ---- the ReLU RNN family (THEORY section 8) ---------------------------------------------------------
def generic_general(m: int, L: int):
    A = sp.Matrix(m, m, lambda i, j: sp.Symbol(f"a{i + 1}{j + 1}", real=True))
    W1 = sp.Matrix(m, L, lambda i, k: sp.Symbol(f"u{i + 1}{k + 1}", real=True))
    W2 = sp.Matrix(L, m, lambda k, j: sp.Symbol(f"v{k + 1}{j + 1}", real=True))
    h1 = sp.Matrix(m, 1, lambda i, _: sp.Symbol(f"c{i + 1}", real=True))
    h2 = sp.Matrix(L, 1, lambda k, _: sp.Symbol(f"b{k + 1}", real=True))
    z = sp.Matrix(m, 1, lambda i, _: sp.Symbol(f"z{i + 1}", real=True))
    return A, W1, W2, h1, h2, z


@suite.identity("general_form_affine_on_cells", "Lemma 7.7")
def _(wrong):
    """On the cell of pattern d, A z + W1 relu(W2 z + h2) + h1 = W_Omega z + h_Omega with
    W_Omega = A + W1 D W2 and h_Omega = h1 + W1 D h2 (relu(x_k) = d_k x_k there)."""
    A, W1, W2, h1, h2, z = generic_general(2, 3)
    residuals = []
    for d in itertools.product((0, 1), repeat=3):
        D = sp.diag(*d)
        step = A * z + W1 * D * (W2 * z + h2) + h1
        h_omega = h1 if wrong else h1 + W1 * D * h2
        residuals.append(sp.expand(step - ((A + W1 * D * W2) * z + h_omega)))
    return residuals


@suite.identity("family_members_in_general_form", "Proposition 7.8")
def _(wrong):
    """The table of THEORY section 8: the ALRNN (relu on the last P units), the dendritic PLRNN
    (B thresholds per unit) and its clipped form, written as A z + W1 relu(W2 z + h2) + h1, agree
    with their own equations on every cell (relu(x) = x or 0 by the cell's pattern)."""
    m, B = 2, 2
    a = sp.symbols("a1:3", real=True)
    W = sp.Matrix(m, m, lambda i, j: sp.Symbol(f"w{i + 1}{j + 1}", real=True))
    h = sp.Matrix(sp.symbols("h1:3", real=True))
    al = sp.symbols("alpha1:3", real=True)
    th = sp.Matrix(m, B, lambda i, b: sp.Symbol(f"theta{i + 1}{b + 1}", real=True))
    z = sp.Matrix(sp.symbols("z1:3", real=True))
    residuals = []
    # ALRNN, M = 2, P = 1: z -> diag(a) z + W [z_1; relu(z_2)] + h
    for d in (0, 1):
        own = sp.diag(*a) * z + W * sp.Matrix([z[0], d * z[1]]) + h
        A_gen = sp.diag(*a) + W[:, 0] * sp.Matrix([[1, 0]])
        W2 = sp.Matrix([[0, 1]]) if not wrong else sp.Matrix([[1, 0]])
        gen = A_gen * z + W[:, 1] * d * (W2 * z) + h
        residuals.append(sp.expand(own - gen))
    # dendritic, clipped and not: W sum_b alpha_b (relu(z - h_b) [- relu(z)]) + h0
    for clipped in (False, True):
        blocks = [W * al[b] for b in range(B)] + ([-W * sum(al)] if clipped else [])
        W1 = sp.Matrix.hstack(*blocks)
        W2 = sp.Matrix.vstack(*([sp.eye(m)] * (B + (1 if clipped else 0))))
        sgn = 1 if wrong else -1
        h2 = sp.Matrix.vstack(*[sgn * th[:, b] for b in range(B)], *([sp.zeros(m, 1)] if clipped else []))
        for d in itertools.product((0, 1), repeat=W2.rows):
            D = sp.diag(*d)
            gen = sp.diag(*a) * z + W1 * D * (W2 * z + h2) + h
            rel = [sp.Matrix([d[b * m + i] * (z[i] - th[i, b]) for i in range(m)]) for b in range(B)]
            inner = sum((al[b] * rel[b] for b in range(B)), sp.zeros(m, 1))
            if clipped:
                inner -= sum(al) * sp.Matrix([d[B * m + i] * z[i] for i in range(m)])
            residuals.append(sp.expand(gen - (sp.diag(*a) * z + W * inner + h)))
    return residuals


@suite.identity("diagonal_column_splits_the_spectrum", "Proposition 7.9")
def _(wrong):
    """A column j of a matrix H that is zero off the diagonal splits charpoly(H) =
    (t - H_jj) charpoly(H without row and column j): here for every column-zero pattern of a
    generic 3 x 3 matrix with column 2 = H_22 e_2."""
    H = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"x{i + 1}{j + 1}", real=True))
    H[0, 1] = H[2, 1] = 0
    keep = [0, 2] if not wrong else [0, 1]
    rest = H.extract(keep, keep)
    return [sp.expand((tt * sp.eye(3) - H).det() - (tt - H[1, 1]) * (tt * sp.eye(2) - rest).det())]


@suite.identity("exit_functions_are_linear_in_the_augmented_state", "Proposition 7.11")
def _(wrong):
    """The exit function of pre-activation k along the region flow, s_k (W2 z(t) + h2)_k, is the row
    s_k [W2_k P, h2_k, 0] times the augmented state (y(t), 1, s): a linear functional of
    e^{Aug t} (y0, 1, s), as the coordinates are for a PLRNN (P = I, W2 = I, h2 = 0)."""
    _A, _W1, W2, _h1, h2, z = generic_general(2, 3)
    residuals = []
    for k in range(3):
        for sk in (1, -1):
            row = sp.Matrix.hstack(sk * W2[k, :], sp.Matrix([[sk * h2[k] * (0 if wrong else 1)]]))
            aug_state = sp.Matrix.vstack(z, sp.Matrix([1]))
            residuals.append(sp.expand((row * aug_state)[0] - sk * (W2 * z + h2)[k]))
    return residuals


# ---- families of regions: one enclosure for a box of region matrices (7.12-7.15) -------------------
def _box(A, W1, W2, family, delta):
    """H(delta) = H_c + sum_{k free} delta_k w_k v_k^T with c_k = 1/2 on the free set (Lemma 7.12)."""
    c = [R(1, 2) if x is None else x for x in family]
    H = A + W1 * sp.diag(*c) * W2
    for k, x in enumerate(family):
        if x is None:
            H = H + delta[k] * W1[:, k] * W2[k, :]
    return H


@suite.identity("box_contains_every_region_matrix", "Lemma 7.12")
def _(wrong):
    """Every region matrix W_d = A + W1 D W2 of a family is H(delta) with delta_k = d_k - 1/2 on the free
    pre-activations: all 27 families of a generic M = 2, L = 3 model, every pattern in each."""
    A, W1, W2, _h1, _h2, _z = generic_general(2, 3)
    residuals = []
    for family in itertools.product((0, 1, None), repeat=3):
        free = [k for k, x in enumerate(family) if x is None]
        for bits in itertools.product((0, 1), repeat=len(free)):
            d = list(family)
            for k, b in zip(free, bits):
                d[k] = b
            delta = [(d[k] if wrong else d[k] - R(1, 2)) if k in free else 0 for k in range(3)]
            residuals.append(sp.expand(A + W1 * sp.diag(*d) * W2 - _box(A, W1, W2, family, delta)))
    return residuals


# a 4-unit PLRNN (W1 = W, W2 = I) whose box is wide: the discs must contain the spectra of its 16 regions
BOX_A = sp.diag(R(1, 2), R(-3, 10), R(4, 5), R(1, 10))
BOX_W = sp.Matrix([[0, R(2, 5), R(-1, 5), R(1, 10)], [R(-3, 10), 0, R(1, 4), R(1, 5)],
                   [R(1, 5), R(-1, 10), 0, R(-2, 5)], [R(1, 10), R(3, 10), R(1, 5), 0]])


def _discs(A, W1, W2, family, widen: bool):
    """Centres and radii of Theorem 7.13(a) in mpmath (V from mpmath.eig of H_c, Y = V^-1)."""
    n = A.rows
    Hc = mpmath.matrix(_box(A, W1, W2, family, [0] * W1.cols).evalf(40).tolist())
    _, V = mpmath.eig(Hc)
    Y = mpmath.inverse(V)
    C = Y * Hc * V
    W1m, W2m = mpmath.matrix(W1.evalf(40).tolist()), mpmath.matrix(W2.evalf(40).tolist())
    free = [k for k, x in enumerate(family) if x is None]
    out = []
    for i in range(n):
        r = sum(abs(C[i, j]) for j in range(n) if j != i)
        if widen:
            for k in free:
                u = (Y * W1m[:, k])[i]
                r += abs(u) * sum(abs((W2m[k, :] * V)[j]) for j in range(n)) / 2
        out.append((C[i, i], r))
    return out


@suite.identity("box_discs_contain_the_spectra", "Theorem 7.13")
def _(wrong):
    """Symbolically: V^-1 H(delta) V = V^-1 H_c V + sum_k delta_k (V^-1 w_k)(v_k^T V) for a generic 2 x 2 V
    (the similarity behind the discs).  Numerically (cross route): every eigenvalue of every region matrix
    of the families ****, 1*0*, *1** of a 4-unit model, and of random points of their boxes, lies in a disc
    of Theorem 7.13(a); the wrong version drops the widening term of the radii."""
    A, W1, W2, _h1, _h2, _z = generic_general(2, 2)
    V = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"q{i + 1}{j + 1}", real=True))
    delta = sp.symbols("delta1:3", real=True)
    Vi = V.inv()
    lhs = Vi * _box(A, W1, W2, (None, None), delta) * V
    rhs = Vi * _box(A, W1, W2, (None, None), [0, 0]) * V
    for k in range(2):
        rhs += delta[k] * (Vi * W1[:, k]) * (W2[k, :] * V)
    symbolic = [(lhs - rhs).applyfunc(sp.cancel)]

    def evaluate(point):
        out = []
        rng = random.Random(7)
        for family in ((None,) * 4, (1, None, 0, None), (None, 1, None, None)):
            discs = _discs(BOX_A, BOX_W, sp.eye(4), family, widen=not wrong)
            free = [k for k, x in enumerate(family) if x is None]
            points = [[b - R(1, 2) for b in bits] for bits in itertools.product((0, 1), repeat=len(free))]
            points += [[R(rng.randint(-50, 50), 100) for _ in free] for _ in range(4)]
            for p in points:
                delta = [0] * 4
                for k, x in zip(free, p):
                    delta[k] = x
                H = mpmath.matrix(_box(BOX_A, BOX_W, sp.eye(4), family, delta).evalf(40).tolist())
                for lam in mpmath.eig(H)[0]:
                    out.append(max(mpmath.mpf(0), min(abs(lam - c) - r for c, r in discs)))
        return out

    return Claim(symbolic, cross=NumericRoute(frozenset(), evaluate))


@suite.identity("resolvent_factorisation", "Theorem 7.13")
def _(wrong):
    """p I - H(delta) = R (I - sum_k delta_k R^-1 w_k v_k^T) with R = p I - H_c (part (b)), for a generic
    M = 2, L = 2 family with both pre-activations free."""
    A, W1, W2, _h1, _h2, _z = generic_general(2, 2)
    p = sp.Symbol("p", real=True)
    delta = sp.symbols("delta1:3", real=True)
    Rm = p * sp.eye(2) - _box(A, W1, W2, (None, None), [0, 0])
    N = sum((delta[k] * Rm.inv() * W1[:, k] * W2[k, :] for k in range(2)), sp.zeros(2, 2))
    sign = 1 if wrong else -1
    return [(p * sp.eye(2) - _box(A, W1, W2, (None, None), delta) - Rm * (sp.eye(2) + sign * N))
            .applyfunc(sp.cancel)]


@suite.identity("negative_eigenvalues_of_odd_count_make_det_negative", "Proposition 7.15")
def _(wrong):
    """The parity step of (d): det H is the product of the eigenvalues, a complex pair contributes
    |lambda|^2 > 0, so one negative eigenvalue (-a), a pair b +/- ci and a positive one e give
    det H = -a (b^2 + c^2) e < 0 for H = T diag(-a, [[b, -c], [c, b]], e) T^-1 with a generic T."""
    a, b, c, e = sp.symbols("a b c e", positive=True)
    T = sp.Matrix([[1, 2, 0, 1], [0, 1, 3, 0], [1, 0, 1, 2], [0, 1, 1, 1]])
    H = T * sp.diag(-a, sp.Matrix([[b, -c], [c, b]]), e) * T.inv()
    expected = (a if wrong else -a) * (b**2 + c**2) * e
    return [sp.expand(H.det() - expected)]


if __name__ == "__main__":
    suite.main()
