"""Which activation patterns are cells (THEORY section 8), decided exactly.

The cell of a pattern d in {0,1}^L is the polyhedron

    { z : (W2 z + h2)_k > 0 where d_k = 1,  (W2 z + h2)_k <= 0 where d_k = 0 } ,

possibly empty when L > M or rows of W2 are dependent.  It is non-empty iff
the linear program  max t  s.t.  (W2 z + h2)_k >= t (d_k = 1),
(W2 z + h2)_k <= 0 (d_k = 0), t <= 1  has a positive optimum.

Decided exactly, two ways (proofs/07_region_structure.tex, Lemma 7.10):

- non-empty: a float LP (scipy's HiGHS) proposes a point; its float
  coordinates are rationals, and the strict and weak inequalities are checked
  at that point in exact rational arithmetic.  A point that passes is a proof.
- empty: a float LP proposes a Motzkin certificate (nonnegative multipliers of
  the constraints that combine to a contradiction); its support is solved again
  over Q and the contradiction checked in rational arithmetic.
- anything not proved either way: sympy's exact rational simplex solves the LP
  over Q.

Two shortcuts, both exact: rows that share no column of W2 with the others
form separate components (a pattern is a cell iff each component's part is),
and a component whose rows are linearly independent has every pattern as a
cell (W2 z + h2 takes every value on those rows).
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Sequence
from fractions import Fraction

import flint
import numpy as np
import scipy.optimize
import sympy as sp
from sympy.solvers.simplex import InfeasibleLPError
from sympy.solvers.simplex import linprog as exact_linprog

from ..core.domains import to_fmpq

__all__ = ["cell_bound", "cell_is_nonempty", "components", "nonempty_patterns"]

SECONDS_PER_CELL = 0.03    # measured: 470 cells of 14 hyperplanes in R^3 in about 15 s (README, Known limits)


def _rows(W2: sp.MatrixBase, h2: sp.MatrixBase, rows: Sequence[int]) -> tuple[list[list[flint.fmpq]], list]:
    return [[to_fmpq(W2[k, j]) for j in range(W2.cols)] for k in rows], [to_fmpq(h2[k]) for k in rows]


def _witness_holds(a, b, signs, z) -> bool:
    for ak, bk, s in zip(a, b, signs):
        v = sum((x * y for x, y in zip(ak, z)), bk)
        if (s and not v > 0) or (not s and v > 0):
            return False
    return True


def _float_witness(a, b, signs, interior: bool) -> list[flint.fmpq] | None:
    """A point proposed by a float LP, as exact rationals (None when the LP finds none).

    ``interior``: the inactive constraints get the margin t too (a point well inside a
    full-dimensional cell, which survives the rounding to rationals); otherwise only the
    active ones (cells that lie in a hyperplane)."""
    n = len(a[0])
    A = np.array([[float(x) for x in r] for r in a])
    bb = np.array([float(x) for x in b])
    sg = np.array(signs, dtype=bool)
    # variables (z, t): minimise -t; -(a z + b) + t <= 0 where active, a z + b <= 0 where inactive
    A_ub = np.vstack([np.hstack([-A[sg], np.ones((sg.sum(), 1))]),
                      np.hstack([A[~sg], np.full(((~sg).sum(), 1), 1.0 if interior else 0.0)])])
    b_ub = np.concatenate([bb[sg], -bb[~sg]])
    c = np.zeros(n + 1)
    c[-1] = -1
    res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * n + [(None, 1)], method="highs")
    if res.status != 0 or not np.all(np.isfinite(res.x)):
        return None
    return [flint.fmpq(*Fraction(float(x)).as_integer_ratio()) for x in res.x[:n]]


def _exact_certificate_of_emptiness(a, b, signs) -> bool:
    """A Motzkin certificate that the cell is empty, proposed by a float LP and checked exactly.

    With u_k = a_k z + b_k and s_k = +1 (active, u_k > 0) or -1 (inactive, u_k <= 0): for
    y >= 0 with sum_k y_k s_k a_k = 0 the number c = sum_k y_k s_k b_k equals sum_k y_k s_k u_k,
    which is >= 0 on the cell and > 0 when some active y_k > 0.  So c < 0, or c <= 0 with an
    active y_k > 0, proves the cell empty.  The LP (min c, sum y = 1) gives a vertex; its support
    is solved again exactly over Q and every condition checked in rationals.  False means only
    "not proved here" (the caller then solves the exact LP)."""
    n, m = len(a[0]), len(a)
    s = np.array([1.0 if x else -1.0 for x in signs])
    G = np.array([[float(x) for x in row] for row in a]) * s[:, None]
    c = np.array([float(x) for x in b]) * s
    res = scipy.optimize.linprog(c, A_eq=np.vstack([G.T, np.ones((1, m))]), b_eq=np.r_[np.zeros(n), 1.0],
                                 bounds=[(0, None)] * m, method="highs")
    if res.status != 0 or res.fun > 1e-9 * max(1.0, float(np.abs(c).max())):
        return False
    support = [k for k in range(m) if res.x[k] > 1e-12]
    q = len(support)
    # [s_k a_k^T ; 1] y_S = [0; 1] over Q
    rows = []
    for j in range(n):
        rows += [(a[k][j] if signs[k] else -a[k][j]) for k in support] + [flint.fmpq(0)]
    rows += [flint.fmpq(1)] * q + [flint.fmpq(1)]
    aug = flint.fmpq_mat(n + 1, q + 1, rows)
    R, rank = aug.rref()
    pivots = [next(j for j in range(q + 1) if R[r, j] != 0) for r in range(rank)]
    if q in pivots or rank != q:            # inconsistent, or not a unique solution
        return False
    y = [R[r, q] for r in range(rank)]      # pivots are 0..q-1 in order
    if any(v < 0 for v in y):
        return False
    cval = sum(((b[k] if signs[k] else -b[k]) * v for k, v in zip(support, y)), flint.fmpq(0))
    active = sum((v for k, v in zip(support, y) if signs[k]), flint.fmpq(0))
    return cval < 0 or (cval == 0 and active > 0)


def cell_is_nonempty(a, b, signs) -> bool:
    """Is { z : a_k z + b_k > 0 (signs_k = 1), a_k z + b_k <= 0 (signs_k = 0) } non-empty?  Exact.

    ``a`` (rows), ``b`` are FLINT rationals (fmpq).

    >>> q = flint.fmpq
    >>> a, b = [[q(1)], [q(1)]], [q(0), q(-1)]
    >>> cell_is_nonempty(a, b, [1, 1]), cell_is_nonempty(a, b, [0, 1])
    (True, False)
    >>> a, b = [[q(1), q(0)], [q(0), q(1)], [q(1), q(1)]], [q(0)] * 3
    >>> cell_is_nonempty(a, b, [0, 0, 1]), cell_is_nonempty(a, b, [1, 0, 0])
    (False, True)
    """
    if not a:
        return True
    for interior in (True, False):
        z = _float_witness(a, b, signs, interior)
        if z is not None and _witness_holds(a, b, signs, z):
            return True
    if _exact_certificate_of_emptiness(a, b, signs):
        return False
    # exact rational simplex over nonnegative variables (p, n, t), z = p - n, 0 <= t <= 1: max t.
    # (sympy's own free-variable bounds are avoided: they returned infeasible points in testing.)
    # t >= 0 loses nothing: the cell lies in the set with t = 0, so an infeasible LP means empty.
    n = len(a[0])
    rows, rhs = [], []
    for ak, bk, s in zip(a, b, signs):
        r = [sp.Rational(int(x.p), int(x.q)) for x in ak]
        bq = sp.Rational(int(bk.p), int(bk.q))
        sign = -1 if s else 1
        rows.append([sign * x for x in r] + [-sign * x for x in r] + [sp.Integer(1 if s else 0)])
        rhs.append(bq if s else -bq)
    rows.append([0] * (2 * n) + [1])
    rhs.append(1)
    try:
        opt, _ = exact_linprog(sp.Matrix([0] * (2 * n) + [-1]).T, sp.Matrix(rows), sp.Matrix(rhs))
    except InfeasibleLPError:
        return False
    return -opt > 0


def components(W2: sp.MatrixBase) -> list[list[int]]:
    """Rows of W2 grouped so that rows of different groups share no nonzero column."""
    L, M = W2.shape
    parent = list(range(L + M))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k in range(L):
        for j in range(M):
            if W2[k, j] != 0:
                parent[find(k)] = find(L + j)
    groups: dict[int, list[int]] = {}
    for k in range(L):
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def cell_bound(W2: sp.MatrixBase) -> tuple[int, int]:
    """Upper bounds on (the number of non-empty cells, the cells the exact LPs must decide).

    L affine hyperplanes whose normals span a space of dimension r cut it into at most
    sum_{i <= r} C(L, i) regions (Buck 1943; Zaslavsky 1975), never more than the 2^L patterns.
    The bound is taken per component (:func:`components`) and multiplied; the LPs run only in
    components with dependent rows, one tree per component, so their work is the sum.

    >>> cell_bound(sp.Matrix([[1, 0], [0, 1], [1, 1]])), cell_bound(sp.eye(3))
    ((7, 7), (8, 0))
    """
    total, work = 1, 0
    for rows in components(W2):
        n, r = len(rows), sp.Matrix(W2[rows, :]).rank()
        b = min(2**n, sum(math.comb(n, i) for i in range(r + 1)))
        total *= b
        work += b if r < n else 0
    return total, work


def _component_patterns(W2, h2, rows: list[int]) -> list[tuple[int, ...]]:
    """The patterns of ``rows`` (1 before 0, first row first) that are cells."""
    if sp.Matrix(W2[rows, :]).rank() == len(rows):
        return list(itertools.product((1, 0), repeat=len(rows)))
    from tqdm import tqdm

    a, b = _rows(W2, h2, rows)
    out: list[tuple[int, ...]] = []
    # a counter on stderr (a terminal only) where the tree is deep enough to take a while
    bar = tqdm(desc="cells", unit="cell", total=cell_bound(W2[rows, :])[0], file=sys.stderr, leave=False,
               disable=None if len(rows) >= 12 else True)

    def extend(prefix: tuple[int, ...]):
        j = len(prefix)
        if j == len(rows):
            out.append(prefix)
            bar.update()
            return
        for s in (1, 0):
            p = (*prefix, s)
            if cell_is_nonempty(a[:j + 1], b[:j + 1], p):
                extend(p)

    with bar:
        extend(())
    return out


def nonempty_patterns(W2: sp.MatrixBase, h2: sp.MatrixBase, limit: int | None = None):
    """The activation patterns d (tuples of L bits) whose cells are non-empty, and their number.

    Returns ``(count, patterns)`` where ``patterns`` is an iterator; with
    ``limit``, the count is computed first and the patterns only if it is at
    most ``limit`` (else ``None``).  Needs rational W2, h2.

    >>> W2 = sp.Matrix([[1, 0], [0, 1], [1, 1]]); h2 = sp.Matrix([0, 0, 0])
    >>> n, it = nonempty_patterns(W2, h2)
    >>> n, (1, 1, 0) in list(it)
    (6, False)
    """
    comps = components(W2)
    per = [_component_patterns(W2, h2, rows) for rows in comps]
    count = 1
    for p in per:
        count *= len(p)
    if limit is not None and count > limit:
        return count, None
    L = W2.rows

    def gen():
        for choice in itertools.product(*per):
            d = [0] * L
            for rows, sub in zip(comps, choice):
                for k, s in zip(rows, sub):
                    d[k] = s
            yield tuple(d)

    return count, gen()
