"""The float check of plrnn_symbolic.core.floatball (proofs/05_trajectory_equivalence.tex, Lemma 5.14).

Soundness is tested against exact rational arithmetic on balls built to sit on the boundary: the
midpoint value of every row is shifted to exactly 0 or a tiny amount either side of it, so that
rounding decides the sign of the float product and only the error bound D stands between the
check and a wrong "holds".  Each term of D is then removed in turn (a mutation) and the same
search must find a wrong "holds": the tests can fail.  Targeted cases (from a review) cover the
terms the random search is too coarse for.  Three terms are not caught one by one, because another
covers them with a wide margin (the proof's check note says which): the factor PHI, the underflow
terms of column ``one``, and the rounding of the midpoints in parts().
"""

from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plrnn_symbolic.core import floatball
from plrnn_symbolic.core.domains import working_precision
from plrnn_symbolic.core.floatball import FloatCheck


def _exact(A) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(A)]


def _matvec(A, v):
    return [sum((a * b for a, b in zip(row, v, strict=True)), Fraction(0)) for row in A]


def _row_mins(Qm, Qr, Wm, Wr, y, rng, corners=6) -> list[Fraction]:
    """Each row's least value of T [y; X y] over a few members: X = W_mid and random corners of W,
    and for each the worst T (T = Q_mid - Q_rad sign(w)), in exact rational arithmetic."""
    Qm, Qr, Wm, Wr = _exact(Qm), _exact(Qr), _exact(Wm), _exact(Wr)
    ye = [Fraction(float(v)) for v in y]
    worst: list[Fraction] = []
    for k in range(corners + 1):
        if k == 0:
            X = Wm
        else:
            s = rng.choice([-1, 1], size=(len(Wm), len(Wm)))
            X = [[m + int(si) * r for m, r, si in zip(mr, rr, sr, strict=True)] for mr, rr, sr in zip(Wm, Wr, s, strict=True)]
        w = ye + _matvec(X, ye)
        vals = [sum((a * b - r * abs(b) for a, r, b in zip(qm, qr, w, strict=True)), Fraction(0))
                for qm, qr in zip(Qm, Qr, strict=True)]
        worst = vals if not worst else [min(a, b) for a, b in zip(worst, vals, strict=True)]
    return worst


def _members_min(*args, **kwargs) -> Fraction:
    return min(_row_mins(*args, **kwargs))


def _boundary_case(rng, n, m, scale, radius, shift):
    """(Q pair, W pair, y, one) with every row's midpoint value moved to about ``shift`` times a tiny
    amount (0, or one part in 2^60 of the row's size either side) through the column of the constant
    coordinate."""
    one = int(rng.integers(n))
    y = rng.standard_normal(n) * scale
    y[one] = 1.0
    Wm = rng.standard_normal((n, n))
    Wr = np.abs(rng.standard_normal((n, n))) * radius
    Qm = rng.standard_normal((m, 2 * n)) * rng.choice([1.0, 1e3, 1e-3], size=(m, 2 * n))
    Qr = np.abs(rng.standard_normal((m, 2 * n))) * radius
    ye = [Fraction(float(v)) for v in y]
    w = ye + _matvec(_exact(Wm), ye)
    for i in range(m):
        val = sum((Fraction(float(a)) * b for a, b in zip(Qm[i], w, strict=True)), Fraction(0))
        size = float(sum(abs(Fraction(float(a)) * b) for a, b in zip(Qm[i], w, strict=True)))
        Qm[i, one] = float(Fraction(float(Qm[i, one])) - val + Fraction(shift * size) / 2**60)
    return (Qm, Qr), (Wm, Wr), y, one


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), m=st.integers(1, 4),
       scale=st.sampled_from([1.0, 1e-3, 1e5, 1e-200, 1e150]),
       radius=st.sampled_from([0.0, 1e-30, 1e-12]), shift=st.sampled_from([-1.0, 0.0, 1.0, 4.0]))
def test_a_check_that_holds_holds_for_every_member(seed, n, m, scale, radius, shift):
    """Strategy: boundary balls (see _boundary_case) of every size up to 6 x 6, states from 1e-200
    to 1e150, radii 0 to 1e-12; whenever the check holds, no member of the balls gives a negative
    entry (exact arithmetic)."""
    rng = np.random.default_rng(seed)
    Q, W, y, one = _boundary_case(rng, n, m, scale, radius, shift)
    if FloatCheck(Q, W, one).holds(y):
        assert _members_min(*Q, *W, y, rng) >= 0


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), block=st.integers(1, 3),
       shift=st.sampled_from([-1.0, 0.0, 1.0]))
def test_forms_hold_only_where_each_coordinate_has_a_proved_form(seed, n, block, shift):
    """Strategy: boundary balls of three blocks of ``block`` rows, each row moved 1e-9 up (most),
    down or not at all (so that the first form fails for some coordinates and the second holds),
    forms [(0,), (1, 2)]: when the check holds, every coordinate has block 0's row >= 0, or both of
    blocks 1 and 2's rows >= 0, for every member (exact arithmetic)."""
    rng = np.random.default_rng(seed)
    Q, W, y, one = _boundary_case(rng, n, 3 * block, 1.0, 1e-12, shift)
    Q[0][:] += np.outer(rng.choice([-1e-9, 0.0, 1e-9], p=[0.25, 0.1, 0.65], size=3 * block), np.eye(2 * n)[one])
    check = FloatCheck(Q, W, one, forms=[(0,), (1, 2)], block=block)
    if check.holds(y):
        mins = _row_mins(*Q, *W, y, rng)
        for j in range(block):
            assert mins[j] >= 0 or (mins[block + j] >= 0 and mins[2 * block + j] >= 0)


def _wrong_holds_found(trials=400, radius=0.0, shift=-1.0) -> bool:
    rng = np.random.default_rng(1)
    for _ in range(trials):
        Q, W, y, one = _boundary_case(rng, int(rng.integers(1, 5)), 2, 1.0, radius, shift)
        if FloatCheck(Q, W, one).holds(y) and _members_min(*Q, *W, y, rng, corners=2) < 0:
            return True
    return False


def test_the_boundary_search_finds_each_missing_term(monkeypatch):
    """Mutations: without the rounding term (GAMMA = 0), without the radius terms, or without the
    first product's error carried through T_x, the search above finds a wrong "holds" (for the radii:
    midpoint values 2^-30 of the row's size, radii 1e-7, so that only the radii make them negative)."""
    assert not _wrong_holds_found()
    assert not _wrong_holds_found(radius=1e-7, shift=2.0**30)
    with monkeypatch.context() as mp:
        mp.setattr(floatball, "GAMMA", 0.0)
        assert _wrong_holds_found()
    with monkeypatch.context() as mp:
        real = floatball.FloatCheck.__init__

        def no_radius(self, Q, W, one):
            real(self, (Q[0], 0 * Q[1]), W, one)

        mp.setattr(floatball.FloatCheck, "__init__", no_radius)
        assert _wrong_holds_found(radius=1e-7, shift=2.0**30)
    with monkeypatch.context() as mp:
        real = floatball.FloatCheck.__init__

        def no_first_product(self, Q, W, one):
            real(self, Q, (W[0], 0 * W[1]), one)

        mp.setattr(floatball.FloatCheck, "__init__", no_first_product)
        assert _wrong_holds_found(radius=1e-7, shift=2.0**30)


def test_it_agrees_with_flint_away_from_the_boundary():
    """Not vacuous: on random balls whose FLINT product is >= 0 with a margin, the float check holds;
    where FLINT proves an entry < 0, it does not."""
    rng = np.random.default_rng(7)
    agree = 0
    for _ in range(200):
        n, m = 4, 3
        Q = flint.arb_mat(m, 2 * n, [flint.arb(float(v), 1e-9) for v in rng.standard_normal(m * 2 * n)])
        W = flint.arb_mat(n, n, [flint.arb(float(v), 1e-12) for v in rng.standard_normal(n * n)])
        y = rng.standard_normal(n)
        y[0] = 1.0
        yb = flint.arb_mat(n, 1, y.tolist())
        xb = W * yb
        out = Q * flint.arb_mat(2 * n, 1, yb.entries() + xb.entries())
        lows = [float(v.lower()) for v in out.entries()]
        holds = FloatCheck(Q, W, 0).holds(y)
        if min(lows) > 1e-6:
            assert holds
            agree += 1
        if any(v < 0 for v in out.entries()):
            assert not holds
    assert agree > 5


def test_overflow_nan_and_a_wrong_constant_coordinate_are_refused():
    Q = (np.array([[1.0, 1e200, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]]), np.zeros((2, 4)))
    W = (np.eye(2), np.zeros((2, 2)))
    check = FloatCheck(Q, W, 0)
    assert check.holds(np.array([1.0, 1.0]))
    assert not check.holds(np.array([1.0, 1e200]))          # Q y overflows to +inf: refused by the guard row
    assert not check.holds(np.array([1.0, np.nan]))
    assert not check.holds(np.array([1.0, np.inf]))
    assert not check.holds(np.array([2.0, 1.0]))            # the constant coordinate must be 1
    big = FloatCheck((np.array([[1.0, np.inf, 0.0, 0.0]]), np.zeros((1, 4))), W, 0)
    assert not big.usable and not big.holds(np.array([1.0, 1.0]))


def test_midpoint_rounding_is_covered():
    """A ball that FLINT holds exactly at 1 + 2^-70 rounds to the float 1.0; the check must still see
    that 1 - (1 + 2^-70) < 0 (parts() bounds the rounding of the midpoint; G |W_mid| covers it too)."""
    with working_precision(128):
        a = flint.arb(1) + flint.arb(2) ** -70
        Q = flint.arb_mat([[1, 0, 0, 0], [0, 0, 1, 0]])
        Q2 = flint.arb_mat([[1, 0, -1, 0]])                     # y_0 - (W y)_0
        W = flint.arb_mat([[a, 0], [0, 1]])
        assert FloatCheck(Q, W, 0).holds(np.array([1.0, 3.0]))
        assert not FloatCheck(Q2, W, 0).holds(np.array([1.0, 3.0]))


@pytest.mark.parametrize("bad", ["shape", "radius", "forms", "first form", "empty form"])
def test_bad_balls_are_refused(bad):
    W = (np.eye(2), np.zeros((2, 2)))
    if bad == "shape":
        with pytest.raises(ValueError, match="m x 2n"):
            FloatCheck((np.zeros((1, 3)), np.zeros((1, 3))), W, 0)
    elif bad == "radius":
        with pytest.raises(ValueError, match=">= 0"):
            FloatCheck((np.zeros((1, 4)), -np.ones((1, 4))), W, 0)
    elif bad == "forms":
        with pytest.raises(ValueError, match="blocks"):
            FloatCheck((np.zeros((3, 4)), np.zeros((3, 4))), W, 0, forms=[(0,), (1,)], block=2)
    elif bad == "first form":
        with pytest.raises(ValueError, match="first form"):
            FloatCheck((np.zeros((4, 4)), np.zeros((4, 4))), W, 0, forms=[(1,), (0,)], block=2)
    else:                   # an empty form would prove everything
        with pytest.raises(ValueError, match="non-empty"):
            FloatCheck((np.zeros((4, 4)), np.zeros((4, 4))), W, 0, forms=[()], block=2)


def test_subnormal_weights_times_huge_states_are_covered():
    """Weights q = 5 2^-1040 (subnormal) against states near 2^950: the products are normal numbers,
    but GAMMA q underflows to 0 while the error matrix is built, so only the absolute term of _up
    (2^-1000 after every operation) keeps the rounding of q v covered.  The row's exact value is
    < 0 and the check must refuse it; without that term (a mutation) the float rounding makes it
    hold (a case found by search)."""
    v1 = 1.6797647879516337e+286
    v2 = np.nextafter(v1, np.inf)
    q = 5.9415882147e-313
    ex = Fraction(q) * Fraction(v1) - Fraction(q) * Fraction(v2)
    a = float(-ex * Fraction(3, 4))
    assert Fraction(a) + ex < 0
    Qm = np.array([[a, q, -q, 0.0, 0.0, 0.0]])
    check = FloatCheck((Qm, np.zeros_like(Qm)), (np.zeros((3, 3)), np.zeros((3, 3))), 0)
    assert not check.holds(np.array([1.0, v1, v2]))


def _exact_min(Qm, Qr, Wm, Wr, y) -> Fraction:
    """The least entry of T [y; X y] over all T and X in the balls, exactly: for each x coordinate
    u = (X y)_k ranges over an interval (X's rows vary independently) and the row is concave in u
    (Q_mid u - Q_rad |u|), so its least value is at an end of that interval."""
    ye = [Fraction(float(v)) for v in y]
    n = len(ye)
    ends = []
    for k in range(n):
        mid = sum((Fraction(float(w)) * v for w, v in zip(Wm[k], ye, strict=True)), Fraction(0))
        rad = sum((Fraction(float(r)) * abs(v) for r, v in zip(Wr[k], ye, strict=True)), Fraction(0))
        ends.append((mid - rad, mid + rad))
    out = None
    for qm, qr in zip(Qm, Qr, strict=True):
        val = sum((Fraction(float(a)) * v - Fraction(float(r)) * abs(v) for a, r, v in zip(qm[:n], qr[:n], ye, strict=True)),
                  Fraction(0))
        for k, (lo, hi) in enumerate(ends):
            a, r = Fraction(float(qm[n + k])), Fraction(float(qr[n + k]))
            val += min(a * u - r * abs(u) for u in (lo, hi))
        out = val if out is None else min(out, val)
    return out


def _cancel_in_w(rng):
    """x_0 = (W y)_0 cancels to its rounding error; the row is 2^-k a t + x_0."""
    t, a = rng.uniform(1, 10), rng.uniform(0.1, 1)
    y = np.array([1.0, t])
    Wm = np.array([[-float(Fraction(a) * Fraction(t)), a], [0.0, 0.0]])
    Qm = np.array([[2.0 ** -int(rng.integers(56, 80)) * a * t, 0.0, 1.0, 0.0]])
    return Qm, np.zeros_like(Qm), Wm, np.zeros((2, 2)), y


def _cancel_in_q(rng):
    """The row cancels between two y columns, off by 2^-k either way."""
    y = np.array([1.0, rng.uniform(1, 10), rng.uniform(1, 10)])
    a = rng.uniform(0.1, 1)
    Qm = np.array([[0.0, a, -float(Fraction(a) * Fraction(y[1]) / Fraction(y[2])), 0.0, 0.0, 0.0]])
    Qm[0, 0] = -float(Qm[0, :3].dot(y)) + rng.choice([1, -1]) * 2.0 ** -int(rng.integers(50, 80))
    return Qm, np.zeros_like(Qm), np.zeros((3, 3)), np.zeros((3, 3)), y


def _radius_of_q_on_x(rng):
    """T_x in [-1, 1] against X y in [t (1 - w), t (1 + w)]: the row's least value is c - t (1 + w),
    c chosen between t and t (1 + w)."""
    t, w = rng.uniform(1, 10), rng.uniform(0.1, 1)
    y = np.array([1.0, t])
    Wm, Wr = np.array([[0.0, 0.0], [0.0, 1.0]]), np.array([[0.0, 0.0], [0.0, w]])
    Qm, Qr = np.array([[t * rng.uniform(1.01, 1 + 0.9 * w), 0.0, 0.0, 0.0]]), np.array([[0.0, 0.0, 0.0, 1.0]])
    return Qm, Qr, Wm, Wr, y


def _overflowing_sums(rng):
    """-1 + k a - k a with a = 1.5e308: the partial sums overflow although the row is exactly -1."""
    k = int(rng.integers(2, 6))
    n = 2 * k + 1
    Qm = np.zeros((1, 2 * n))
    Qm[0, 0], Qm[0, 1:k + 1], Qm[0, k + 1:n] = -1.0, 1.5e308, -1.5e308
    return Qm, np.zeros_like(Qm), np.zeros((n, n)), np.zeros((n, n)), np.ones(n)


@pytest.mark.parametrize("case", [_cancel_in_w, _cancel_in_q, _radius_of_q_on_x, _overflowing_sums])
def test_targeted_cases_never_hold_wrongly(case):
    """Cases a review built against single terms of the error bound (the rounding of W y and of Q v,
    Q's radius on the x columns, overflow of partial sums), 400 draws each, against the exact least
    value over the balls.  Removing the matching term (G |W_m| from E, G |Q_m| from D, Q_r^x from
    H, or shrinking the guard row) gives wrong "holds" here; tried by hand, each is caught."""
    rng = np.random.default_rng(11)
    for _ in range(400):
        Qm, Qr, Wm, Wr, y = case(rng)
        with np.errstate(all="ignore"):
            holds = FloatCheck((Qm, Qr), (Wm, Wr), 0).holds(y)
        if holds:
            assert _exact_min(Qm, Qr, Wm, Wr, y) >= 0
