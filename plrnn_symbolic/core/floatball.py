"""Nonnegativity of ball matrix-vector products, proved in float64 with numpy.

The autonomous simulation proves, once per step, that every entry of T [y; X y] is >= 0 for
every matrix T in a ball Q and X in a ball W (FLINT ``arb_mat``s), y the float state.  In FLINT
that is a handful of ball products; :class:`FloatCheck` does it with three numpy products and no
ball arithmetic at all: the balls are turned once into float matrices (midpoints and an upper
bound D of every error), and a step is proved by Q_mid [y; W_mid y] >= D |[y; W_mid y]|,
entrywise (proofs/05_trajectory_equivalence.tex, Lemma 5.14).  The bound covers the balls' radii,
the rounding of every float operation (relative error <= 2^-52 per operation) and underflow
(absolute error <= 2^-1022 per operation), and an extra row rules out overflow.  It assumes IEEE
754 binary64 arithmetic rounding to nearest with gradual underflow, numpy's default: under a
directed rounding mode an overflow can end at the largest float instead of infinity, and the
guard row would not see it.  A check that fails proves nothing either way; the caller then uses
FLINT's balls, which are tighter.

>>> import flint, numpy as np
>>> Q = flint.arb_mat([[1, 0, 0, 0], [0, 1, 0, flint.arb(-1, 1e-6)]])      # T [y; x] = (y1, y2 - x2)
>>> W = flint.arb_mat([[1, 0], [0, flint.arb("0.5 +/- 1e-9")]])             # x = W y
>>> check = FloatCheck(Q, W, one=0)
>>> check.holds(np.array([1.0, 2.0])), check.holds(np.array([1.0, -2.0]))
(True, False)
"""

from __future__ import annotations

import flint
import numpy as np

__all__ = [
    "BIG",
    "GAMMA",
    "MAX_TERMS",
    "PHI",
    "TAU",
    "FloatCheck",
    "parts",
]

MAX_TERMS = 1024           # terms a product may have: the constants below cover that many
GAMMA = 2.0 ** -41         # >= gamma_k / (1 - gamma_k), gamma_k = k 2^-52 / (1 - k 2^-52), k <= MAX_TERMS
PHI = 1.0 + 2.0 ** -38     # covers the relative rounding of a few float operations on nonnegative numbers
TAU = 2.0 ** -980          # covers the absolute (underflow) errors: at most 2^-1022 per operation
BIG = 2.0 ** 900           # the guard row's bound on |Q_mid| |v|: no product overflows below it


def _up(x: np.ndarray) -> np.ndarray:
    """x PHI + 2^-1000 for x >= 0 computed in floats: an upper bound of the exact x that the float
    operations producing x approximated from below by at most a factor (1 - 2^-52)^3 and 2^-1021."""
    return x * PHI + 2.0 ** -1000


def parts(X: flint.arb_mat) -> tuple[np.ndarray, np.ndarray]:
    """(mid, rad): float midpoints of the FLINT ball matrix X and an upper bound of the distance of
    each of its members from them: the ball's radius plus the rounding of the midpoint (a float
    conversion is within one unit in the last place, 2^-51 relative, or 2^-1022 absolute).

    >>> mid, rad = parts(flint.arb_mat([[flint.arb(1) / 3]]))
    >>> bool(abs(mid[0, 0] - 1 / 3) < 1e-16), bool(0 < rad[0, 0] < 1e-15)
    (True, True)
    """
    entries = X.entries()
    shape = (X.nrows(), X.ncols())
    mid = np.array([float(e) for e in entries]).reshape(shape)
    rad = np.array([float(e.rad()) for e in entries]).reshape(shape)
    # rad (1 + 2^-51) + 2^-51 |mid| + 2^-1021 <= (rad + 2^-50 |mid|)(1 + 2^-51) + 2^-1021: _up covers it
    return mid, _up(rad + np.abs(mid) * 2.0 ** -50)


class FloatCheck:
    """Proves T [y; X y] >= 0 (entrywise) for every T in the ball matrix Q (m x 2n) and every X in
    the ball matrix W (n x n), from a float vector y whose entry ``one`` is 1.0 (the constant
    coordinate of an augmented state), with float products only (Lemma 5.14).

    ``Q``, ``W``: FLINT ball matrices, or (mid, rad) pairs of float arrays with rad an upper bound of
    the distance of every member from mid.  ``usable`` is False when a bound is not finite (or n is
    too large); :meth:`holds` then always says False.

    ``forms``: alternatives, for a Q made of blocks of ``block`` rows each (one row per coordinate
    of something, the same coordinate in every block): a list of tuples of block indices.  Then a
    coordinate passes when every one of its rows in the blocks of some form is >= 0, and the check
    holds when every coordinate passes (e.g. one bound or another proves each coordinate).  Without
    forms every row must be >= 0.  The first form must be blocks 0, 1, ..., k - 1: it is tried
    first, on its own.
    """

    def __init__(self, Q, W, one: int, forms: list[tuple[int, ...]] | None = None, block: int = 0):
        Qm, Qr = parts(Q) if isinstance(Q, flint.arb_mat) else (np.asarray(Q[0], float), np.asarray(Q[1], float))
        Wm, Wr = parts(W) if isinstance(W, flint.arb_mat) else (np.asarray(W[0], float), np.asarray(W[1], float))
        n = Wm.shape[0]
        if Wm.shape != (n, n) or Wr.shape != (n, n) or Qm.shape[1] != 2 * n or Qr.shape != Qm.shape:
            raise ValueError(f"FloatCheck needs W n x n and Q m x 2n, got W {Wm.shape}, Q {Qm.shape}")
        if (Qr < 0).any() or (Wr < 0).any():
            raise ValueError("a radius must be >= 0")
        self.n, self.one = n, one
        aQ = np.abs(Qm)
        EW = _up(Wr + np.abs(Wm) * GAMMA)                 # |X y - fl(W_mid y)| <= EW |y| + n 2^-1022
        HQx = _up(aQ[:, n:] + Qr[:, n:])                  # >= |T_x| for T in Q
        D = _up(Qr + aQ * GAMMA)                          # the radius and rounding of the second product
        D[:, :n] = _up(D[:, :n] + _up(HQx @ EW))          # the first product's error, carried through T_x
        D[:, one] = _up(D[:, one] + _up(HQx.sum(axis=1) + 1.0) * TAU)   # every underflow, times y[one] = 1
        guard_mid = np.zeros(2 * n)
        guard_mid[one] = BIG
        self.Wm = Wm
        self.Q = np.vstack([Qm, guard_mid])
        self.D = np.vstack([_up(D), _up(aQ.max(axis=0))])   # the guard row bounds max_i (|Q_mid| |v|)_i
        if forms is not None and (block <= 0 or Qm.shape[0] % block
                                  or any(not 0 <= b < Qm.shape[0] // block for f in forms for b in f)):
            raise ValueError(f"forms need blocks of {block} rows that divide Q's {Qm.shape[0]} rows")
        if forms is not None and (not forms or not all(forms)):
            raise ValueError("forms must be a non-empty list of non-empty tuples of blocks")
        if forms is not None and tuple(forms[0]) != tuple(range(len(forms[0]))):
            raise ValueError("the first form must be the first blocks, in order (it is tried first)")
        self.forms = forms
        self.block = block
        self.lead = 0 if forms is None else block * len(forms[0])
        self.usable = bool(n <= MAX_TERMS // 2 and np.isfinite(self.D).all() and np.isfinite(self.Q).all()
                           and np.isfinite(Wm).all())

    def evaluate(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(c, r), one entry per row of Q: c_i - r_i <= (T [y; X y])_i <= c_i + r_i for every T in Q
        and X in W (Lemma 5.14(b), both sides); None where that is not established: the check is not
        usable, y[one] is not 1.0, or the guard row fails (an overflow, an infinity or a NaN)."""
        if not self.usable or y[self.one] != 1.0:
            return None
        v = np.concatenate((y, self.Wm.dot(y)))
        c = self.Q.dot(v)
        r = self.D.dot(np.abs(v))
        if not c[-1] >= r[-1]:                        # the guard row (Lemma 5.14(c))
            return None
        return c[:-1], r[:-1]

    def failing(self, c: np.ndarray, r: np.ndarray) -> list[int]:
        """The coordinates (of ``block``) that no form proves >= 0, from :meth:`evaluate`'s (c, r);
        without forms, the rows that are not proved >= 0."""
        return list(self._unproved(c >= r))

    def _unproved(self, ok: np.ndarray):
        """The coordinates (rows without forms) that ``ok`` (c >= r) leaves unproved, lazily."""
        if self.forms is None:
            yield from np.flatnonzero(~ok).tolist()
            return
        if ok[:self.lead].all():                      # the first form proves every coordinate
            return
        for j, col in enumerate(ok.reshape(-1, self.block).T.tolist()):     # a coordinate's rows, one per block
            for form in self.forms:
                for b in form:
                    if not col[b]:
                        break
                else:
                    break                             # this form proves the coordinate
            else:
                yield j

    def holds(self, y: np.ndarray) -> bool:
        """True only if every entry of T [y; X y] is >= 0 for every T in Q and X in W (with forms: every
        coordinate by one of them); y[one] must be 1.0, and a NaN or an infinity anywhere gives False."""
        e = self.evaluate(y)
        return e is not None and self.proves(*e)

    def proves(self, c: np.ndarray, r: np.ndarray) -> bool:
        """:meth:`holds` from :meth:`evaluate`'s (c, r)."""
        ok = c >= r
        if self.forms is None:
            return bool(ok.all())
        return next(self._unproved(ok), None) is None
