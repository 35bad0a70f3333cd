"""Identities used in proofs/08_reverse_direction.tex.

Run:  python proofs/check_08_reverse_direction.py   (see _checks.py)

The forward maps H = e^{L dt} and h = dt phi1(L dt) g are computed from L itself (the 2 x 2 closed
forms of Lemma 1.2), the way back from H through its Jordan form (sympy's log is the principal
branch); the numeric route uses mpmath's expm and logm.
"""

from __future__ import annotations

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite
from _matfun import beta, exp_two_by_two, function_of_two_by_two, matrix_function, phi1, to_mp, x

suite = Suite("08_reverse_direction")

R = sp.Rational
G = sp.Matrix(sp.symbols("g1:3", real=True))
INSIDE = sp.Matrix([[-R(1, 2), -2], [2, -R(1, 2)]])      # eigenvalues -1/2 +- 2i: |Im| < pi
OUTSIDE = sp.Matrix([[-R(1, 2), -4], [4, -R(1, 2)]])     # -1/2 +- 4i: outside the strip
REAL = sp.Matrix([[-1, 1], [0, R(1, 2)]])                # distinct real eigenvalues -1, 1/2


def logm_route(L: sp.Matrix) -> NumericRoute:
    """mpmath: logm(expm(L)) - L."""
    return NumericRoute(frozenset(), lambda point: [mpmath.logm(mpmath.expm(to_mp(L, {}))) - to_mp(L, {})])


def generator_roundtrip(L: sp.Matrix, wrong_L: sp.Matrix | None) -> Claim:
    Lw = L if wrong_L is None else wrong_L
    H = exp_two_by_two(Lw)
    return Claim(matrix_function(sp.log(x), H) - Lw, cross=logm_route(Lw))


@suite.identity("roundtrip_generator_complex_pair", "Theorem 8.3")
def _(wrong):
    """Log e^L = L for L with eigenvalues -1/2 +- 2i (dt = 1); wrong: -1/2 +- 4i, outside the strip."""
    return generator_roundtrip(INSIDE, OUTSIDE if wrong else None)


@suite.identity("roundtrip_generator_real", "Theorem 8.3")
def _(wrong):
    """Log e^L = L for L with distinct real eigenvalues; wrong: Log e^{2L} compared with L."""
    H = exp_two_by_two(2 * REAL if wrong else REAL)
    return Claim(matrix_function(sp.log(x), H) - REAL, cross=logm_route(REAL) if not wrong else None)


def affine_roundtrip(L: sp.Matrix, wrong: bool) -> Claim:
    """beta(Log H) h = g with h = phi1(L) g (dt = 1); wrong: without the beta factor."""
    H = exp_two_by_two(L)
    h = function_of_two_by_two(phi1(x), L) * G
    back = h if wrong else matrix_function(beta(sp.log(x)), H) * h

    def evaluate(point):
        Ln, gn = to_mp(L, {}), to_mp(G, point)
        aug = mpmath.zeros(4)
        aug[:2, :2], aug[:2, 2:] = Ln, mpmath.eye(2)
        phi = mpmath.expm(aug)[:2, 2:]
        Xn = mpmath.logm(mpmath.expm(Ln))
        aug[:2, :2] = Xn
        phi_back = mpmath.expm(aug)[:2, 2:]
        return [mpmath.lu_solve(phi_back, phi * gn) - gn]

    return Claim(back - G, cross=NumericRoute(frozenset(G.free_symbols), evaluate))


@suite.identity("roundtrip_affine_complex_pair", "Theorem 8.3")
def _(wrong):
    return affine_roundtrip(INSIDE, wrong)


@suite.identity("roundtrip_affine_real", "Theorem 8.3")
def _(wrong):
    return affine_roundtrip(REAL, wrong)


@suite.identity("region_maps_need_their_own_bias", "Lemma 8.2")
def _(wrong):
    """M = 1, A~ = -1, W~ = 1/2, h~ = 1, dt = 1: h_0 = phi1(-1) and h_1 = phi1(-1/2) differ, so no
    discrete PLRNN (one h for both regions) has these region maps.  The residual is 0 iff they differ:
    1 - sign(|h_0 - h_1|); wrong: claims h_0 = h_1."""
    h0, h1 = phi1(sp.Integer(-1)), phi1(-R(1, 2))
    differ = sp.sign(sp.Abs(h0 - h1))
    return (differ if wrong else 1 - differ)


if __name__ == "__main__":
    suite.main()
