"""Hypothesis strategies and assertions for property-testing PLRNNs.

Each strategy says what it guarantees about every example it draws; the
guarantee is part of the API and is checked by this package's own tests with
the exact predicates.

Matrices with a prescribed Jordan structure are drawn as H = P J P^{-1} with J
in real Jordan form and P unimodular (an integer matrix of determinant 1, so
P^{-1} is an integer matrix too): H is rational and its Jordan structure is
exactly the one drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from hypothesis import strategies as st

Real = Fraction


@dataclass(frozen=True)
class JordanStructure:
    """What a drawn matrix is built from, and so what is known about it.

    ``real`` maps each distinct real eigenvalue to its Jordan block sizes;
    ``complex`` lists (a, b, blocks) for each pair a +- b i (b > 0).
    """

    real: tuple[tuple[Fraction, tuple[int, ...]], ...]
    complex: tuple[tuple[Fraction, Fraction, tuple[int, ...]], ...] = ()

    @property
    def dimension(self) -> int:
        return sum(sum(b) for _, b in self.real) + 2 * sum(sum(b) for *_, b in self.complex)

    def expected(self) -> dict[str, bool]:
        """The predicates of THEORY section 3, read off the structure."""
        from collections import Counter

        vals = dict(self.real)
        invertible = 0 not in vals
        negatives = {v: b for v, b in vals.items() if v < 0}
        paired = all(c % 2 == 0 for b in negatives.values() for c in Counter(b).values())
        return {
            "invertible": invertible,
            "principal_log": all(v > 0 for v in vals),
            "real_log": invertible and paired,
            "unique_real_log": not self.complex and all(v > 0 and len(b) == 1 for v, b in vals.items()),
            "eigenvalue_one": 1 in vals,
        }

    def jordan_matrix(self) -> sp.Matrix:
        blocks = []
        for v, sizes in self.real:
            for k in sizes:
                blocks.append(sp.Matrix(k, k, lambda i, j, v=v: v if i == j else (1 if j == i + 1 else 0)))
        for a, b, sizes in self.complex:
            C = sp.Matrix([[a, -b], [b, a]])
            for k in sizes:
                B = sp.zeros(2 * k, 2 * k)
                for i in range(k):
                    B[2 * i:2 * i + 2, 2 * i:2 * i + 2] = C
                    if i + 1 < k:
                        B[2 * i:2 * i + 2, 2 * i + 2:2 * i + 4] = sp.eye(2)
                blocks.append(B)
        return sp.diag(*blocks) if blocks else sp.zeros(0, 0)


def _rat(x) -> sp.Rational:
    x = Fraction(x)
    return sp.Rational(x.numerator, x.denominator)


@st.composite
def unimodular_matrices(draw, n: int, ops: int | None = None) -> sp.Matrix:
    """An n x n integer matrix of determinant 1 (a product of elementary row
    operations with multipliers in -2..2), so its inverse is an integer matrix."""
    P = sp.eye(n)
    if n < 2:
        return P
    for _ in range(draw(st.integers(0, 2 * n)) if ops is None else ops):
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if i != j:
            P[i, :] = P[i, :] + draw(st.integers(-2, 2)) * P[j, :]
    return P


def small_rationals(min_value=-3, max_value=3, denominators=(1, 2, 3, 4, 5, 8, 10)) -> st.SearchStrategy[Fraction]:
    """Rationals p/q in [min_value, max_value] with q from ``denominators``."""
    lo, hi = Fraction(min_value), Fraction(max_value)

    @st.composite
    def draw_one(draw):
        q = draw(st.sampled_from(denominators))
        a, b = -((-lo.numerator * q) // lo.denominator), (hi.numerator * q) // hi.denominator
        if a > b:
            return lo
        return Fraction(draw(st.integers(a, b)), q)

    return draw_one()


@st.composite
def jordan_structures(draw, max_dim: int = 5, values=None, max_block: int = 3,
                      complex_pairs: bool = True) -> JordanStructure:
    """A Jordan structure of dimension 1..max_dim with distinct real eigenvalues
    from ``values`` (default: small rationals, 0, 1, -1 and -1/2 favoured) and
    possibly complex pairs a +- b i with b > 0."""
    if values is None:
        values = st.one_of(st.sampled_from([Fraction(v) for v in (1, -1, 0, Fraction(-1, 2), 2)]),
                           small_rationals())
    dim = draw(st.integers(1, max_dim))
    real: dict[Fraction, list[int]] = {}
    cplx = []
    used = 0
    while used < dim:
        room = dim - used
        if complex_pairs and room >= 2 and draw(st.booleans()):
            k = draw(st.integers(1, min(max_block, room // 2)))
            a = draw(small_rationals(-2, 2))
            b = draw(small_rationals(Fraction(1, 10), 2))
            cplx.append((a, b, (k,)))
            used += 2 * k
        else:
            k = draw(st.integers(1, min(max_block, room)))
            v = draw(values)
            real.setdefault(v, []).append(k)
            used += k
    return JordanStructure(
        tuple((v, tuple(sorted(b, reverse=True))) for v, b in sorted(real.items())),
        tuple(cplx),
    )


@dataclass(frozen=True)
class DrawnMatrix:
    """A rational matrix together with the structure it was built from."""

    matrix: sp.ImmutableMatrix
    structure: JordanStructure


@st.composite
def structured_matrices(draw, structures=None) -> DrawnMatrix:
    """A rational matrix H = P J P^{-1} whose Jordan structure is exactly the drawn
    :class:`JordanStructure` (``structures`` defaults to :func:`jordan_structures`)."""
    s = draw(jordan_structures() if structures is None else structures)
    J = s.jordan_matrix().applyfunc(_rat)
    P = draw(unimodular_matrices(J.rows))
    return DrawnMatrix(sp.ImmutableMatrix(P * J * P.inv()), s)
