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
- empty (or a point that fails the check): sympy's exact rational simplex
  solves the LP over Q.

Two shortcuts, both exact: rows that share no column of W2 with the others
form separate components (a pattern is a cell iff each component's part is),
and a component whose rows are linearly independent has every pattern as a
cell (W2 z + h2 takes every value on those rows).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

import flint
import numpy as np
import scipy.optimize
import sympy as sp
from sympy.solvers.simplex import InfeasibleLPError
from sympy.solvers.simplex import linprog as exact_linprog

from ..core.domains import to_fmpq

__all__ = ["cell_is_nonempty", "components", "nonempty_patterns"]


def _rows(W2: sp.MatrixBase, h2: sp.MatrixBase, rows: Sequence[int]) -> tuple[list[list[flint.fmpq]], list]:
    return [[to_fmpq(W2[k, j]) for j in range(W2.cols)] for k in rows], [to_fmpq(h2[k]) for k in rows]


def _witness_holds(a, b, signs, z) -> bool:
    for ak, bk, s in zip(a, b, signs):
        v = sum((x * y for x, y in zip(ak, z)), bk)
        if (s and not v > 0) or (not s and v > 0):
            return False
    return True


def _float_witness(a, b, signs) -> list[flint.fmpq] | None:
    """A point proposed by a float LP, as exact rationals (None when the LP finds none)."""
    n = len(a[0])
    A = np.array([[float(x) for x in r] for r in a])
    bb = np.array([float(x) for x in b])
    sg = np.array(signs, dtype=bool)
    # variables (z, t): minimise -t; -(a z + b) + t <= 0 where active, a z + b <= 0 where inactive
    A_ub = np.vstack([np.hstack([-A[sg], np.ones((sg.sum(), 1))]), np.hstack([A[~sg], np.zeros(((~sg).sum(), 1))])])
    b_ub = np.concatenate([bb[sg], -bb[~sg]])
    c = np.zeros(n + 1)
    c[-1] = -1
    res = scipy.optimize.linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * n + [(None, 1)], method="highs")
    if res.status != 0 or not np.all(np.isfinite(res.x)):
        return None
    return [flint.fmpq(*Fraction(float(x)).as_integer_ratio()) for x in res.x[:n]]


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
    z = _float_witness(a, b, signs)
    if z is not None and _witness_holds(a, b, signs, z):
        return True
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


def _component_patterns(W2, h2, rows: list[int]) -> list[tuple[int, ...]]:
    """The patterns of ``rows`` (1 before 0, first row first) that are cells."""
    if sp.Matrix(W2[rows, :]).rank() == len(rows):
        return list(itertools.product((1, 0), repeat=len(rows)))
    a, b = _rows(W2, h2, rows)
    out: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...]):
        j = len(prefix)
        if j == len(rows):
            out.append(prefix)
            return
        for s in (1, 0):
            p = (*prefix, s)
            if cell_is_nonempty(a[:j + 1], b[:j + 1], p):
                extend(p)

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
