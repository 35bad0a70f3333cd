"""Ball flows of one region system for the exit proofs: e^{Aug t} at dyadic times, the cell
enclosures of S e^{Aug [0, w]}, S Aug e^{Aug [0, w]} and of f'' in a modal basis, and the rows
of the float check (proofs/05_trajectory_equivalence.tex, Lemmas 5.10, 5.11, 5.14; how the
exit proofs use them: :mod:`.exit_proofs`).
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import flint
import numpy as np

from ...core import floatball
from ...core.domains import to_arb, working_precision
from ..transform import RegionSystem
from .flows import _augmented_float

PREC = 128                 # bits of the ball arithmetic for exit times
ENCLOSURE_PREC = 30        # bits of the exponential of the interval matrix behind the cell enclosures (wide anyway)
POINT_PREC = 96            # bits of e^{Aug unit}, the start of the squarings in _BallFlow.point (see there)
BASE_CELLS = 3             # a step is first covered by 2^3 cells
MAX_LEVEL = 24             # bisection depth below the base cells: exits proved to within dt 2^-27
_UNITS = 1 << (BASE_CELLS + MAX_LEVEL)   # integer time units per step
ENCLOSURE_ROOT = 0         # cell enclosures by exp at this level, coarser ones by doubling, none finer


_FLOWS: dict[tuple[int, int], tuple[Any, Any]] = {}   # (id(system), digits) -> (weak reference, _BallFlow)
MAX_CACHED_FLOWS = 4096


def _ball_flow(sysm: RegionSystem, digits: int) -> _BallFlow:
    """The ball flow of a region system, built once per system object and kept while the object
    lives (``simulate(..., systems=...)`` reuses the systems of an earlier run, and with them their
    enclosures): a cache keyed by the object's identity, emptied by a weak-reference callback."""
    key = (id(sysm), digits)
    hit = _FLOWS.get(key)
    if hit is not None and hit[0]() is sysm:
        return hit[1]
    flow = _BallFlow(sysm, digits)
    if len(_FLOWS) >= MAX_CACHED_FLOWS:
        _FLOWS.clear()

    def forget(ref, key=key):
        if _FLOWS.get(key, (None,))[0] is ref:
            del _FLOWS[key]

    _FLOWS[key] = (weakref.ref(sysm, forget), flow)
    return flow


class _BallFlow:
    """Ball-arithmetic flow of one region for the exit-time search.

    ``S`` picks the M state coordinates (P) and flips their signs so that the closure
    of the region is S y >= 0; per cell level the point map e^{Aug w}, and the cell
    enclosures S e^{Aug [0, w]} and S Aug e^{Aug [0, w]} are cached.
    """

    def __init__(self, sysm: RegionSystem, digits: int):
        # no reference to the system itself (the flows are cached per system, see _ball_flow)
        self.N = sysm.dimension
        self.aug_float = _augmented_float(sysm)
        self.region = sysm.region
        N = sysm.dimension
        K = 0 if sysm.B is None else sysm.B.shape[1]
        self.n = n = N + 1 + K
        M = sysm.M
        with working_precision(PREC):
            aug = flint.arb_mat(n, n)
            if sysm.enclosure is not None:
                # the balls of an exact or certified derivation contain the true [L g B]
                self.method = ("certified (ball arithmetic on the exact region system)" if sysm.L_exact is not None
                               else "certified (ball arithmetic on the certified enclosure of the region system)")
                enc = sysm.enclosure.arb()
                for i in range(N):
                    for j in range(N + 1 + K):
                        aug[i, j] = enc[i, j]
            else:
                # a float-derived system: a statement about the float system itself
                self.method = "float (ball arithmetic on the float-derived system)"
                aug = flint.arb_mat(self.aug_float.tolist())
            self.aug = aug
            if sysm.exits is None:
                # S: the rows of P (entries 0 and 1), the sign flipped where the region has the unit off
                Sf = np.zeros((M, n))
                Sf[:, :N] = np.asarray(sysm.P, dtype=float) * np.array([1.0 if b == "1" else -1.0 for b in sysm.region])[:, None]
                self.S = flint.arb_mat(M, n, Sf.ravel().tolist())
            else:
                self.S, Sf = _exit_rows(sysm, n)
        self._float = (self.aug_float, Sf)
        self._levels: dict[int, tuple] = {}
        self._point: dict[int, Any] = {}
        self._rows: list[list | None] = [None] * ((MAX_LEVEL + BASE_CELLS + 3) // 3)   # see row()
        self._enclosures: dict[tuple[int, int], Any] = {}     # (order, level) -> see derivative()
        # the step: a ball around the exact dt for an exact or certified system, whose flow E1 is about;
        # the float dt for a float system
        with working_precision(PREC):
            self.dt = to_arb(sysm.dt_exact) if sysm.dt_exact is not None else flint.arb(sysm.dt)
        self.unit = float(sysm.dt) / _UNITS      # one time unit (float; only for float estimates)
        # terms of the Taylor polynomial of e^{Aug tau}, tau <= one time unit, exact to rounding:
        # the first omitted one, (unit ||Aug||)^k / k!, below 1e-17
        x = self.unit * float(np.abs(self.aug_float).sum(axis=1).max())
        k = 2
        while k < 30 and (x > 1e10 or x ** k / math.factorial(k) >= 1e-17):   # x ** k overflows past 1e308
            k += 1
        self.taylor_terms = k
        self._root = None                      # e^{Lm [0, w]} at ENCLOSURE_ROOT (see derivative())
        self._modal_points: dict[int, Any] = {}
        self._pairs: dict[int, tuple] = {}     # level -> enclosure(level)
        self._chords: dict[tuple[int, int], Any] = {}   # (level, e) -> K Tdd (see chord())
        self._whole = None                     # see whole_step()
        self._out = None                       # see step_out()
        self._exit_rows = None                 # see exit_rows()
        self.nonneg = _nonnegative(self.S.nrows())
        self.span = _UNITS >> BASE_CELLS        # chunk length that _prove_in tries first (adapted there)
        with working_precision(PREC):
            self.SA = self.S * self.aug
            # modal coordinates x = V^-1 y for the derivative enclosures (see enclosure())
            V = _modal_basis(self.aug_float)
            if V is None:
                self.V = self.W = None
                self.Lm, SV = self.aug, self.S
            else:
                self.V = flint.arb_mat(V.tolist())          # exact: float entries
                self.W = self.V.inv()                       # a ball enclosure of V^-1
                self.Lm = self.W * self.aug * self.V        # encloses V^-1 Aug V
                SV = self.S * self.V
            SVL = SV * self.Lm
            # S V Lm and S V Lm^2, for the enclosures of the coordinates' first two derivatives
            self._SVL = (SVL, SVL * self.Lm)

    def level(self, k: int):
        """(w, e^{Aug w}, S e^{Aug [0,w]}, S Aug e^{Aug [0,w]}) for cells of width dt 2^-(BASE_CELLS + k)
        (proofs/05_trajectory_equivalence.tex, Lemma 5.10(a))."""
        if k not in self._levels:
            with working_precision(PREC):
                w = flint.arb(self.dt) / (1 << (BASE_CELLS + k))
                E = (self.aug * w).exp()
                Ec = (self.aug * (w / 2 + flint.arb(0, 1) * (w / 2))).exp()
                SEc = self.S * Ec
                SAEc = self.S * (self.aug * Ec)
                self._levels[k] = (w, E, SEc, SAEc)
        return self._levels[k]

    def point(self, k: int):
        """e^{Aug w} (ball) for w = dt 2^-(BASE_CELLS + k), -BASE_CELLS <= k <= MAX_LEVEL: the finest
        by ``exp``, the others by squaring (an enclosure of a product of enclosures; proofs/05_trajectory_equivalence.tex,
        Lemma 5.10(c)).  The finest is
        taken at POINT_PREC bits (half the cost of PREC): the 27 squarings double its relative radius
        each, so e^{Aug dt/8} is still within about 2^-69 of exact, far below the float states'
        2^-53; the squarings themselves run at PREC, which costs no more than fewer bits."""
        E = self._point.get(k)
        if E is None:
            with working_precision(PREC):
                if not self._point:
                    with working_precision(POINT_PREC):
                        self._point[MAX_LEVEL] = (self.aug * (flint.arb(self.dt) / _UNITS)).exp()
                i = min(self._point)                 # the cached levels are i .. MAX_LEVEL
                E = self._point[i]
                for level in range(i - 1, k - 1, -1):
                    E = E * E
                    self._point[level] = E
        return E

    def row(self, j: int) -> list:
        """[None, e^{Aug c 8^j unit} for c = 1 .. 7] (balls; the c that do not fit in a step left
        out): the powers of two from :meth:`point`, the others their products."""
        r = self._rows[j]
        if r is None:
            k = MAX_LEVEL - 3 * j
            with working_precision(PREC):
                P1 = self.point(k)
                r = [None, P1]
                if k - 1 >= -BASE_CELLS:
                    P2 = self.point(k - 1)
                    r += [P2, P2 * P1]
                if k - 2 >= -BASE_CELLS:
                    P4 = self.point(k - 2)
                    P6 = P4 * P2
                    r += [P4, P4 * P1, P6, P6 * P1]
            self._rows[j] = r
        return r

    def modal(self, y):
        """x = V^-1 y (ball), the coordinates the enclosures of :meth:`enclosure` apply to."""
        return y if self.W is None else self.W * y

    def enclosure(self, k: int):
        """(w, Td, Tdd) for w = dt 2^-(BASE_CELLS + k) (-BASE_CELLS <= k <= ENCLOSURE_ROOT; a finer k
        gets the level ENCLOSURE_ROOT, whose cell contains its cell): Td = S V Lm e^{Lm [0,w]}
        and Tdd = S V Lm^2 e^{Lm [0,w]}, Lm = V^-1 Aug V, so that for the cell [0, w] from y the
        products Td x and Tdd x (x = V^-1 y, :meth:`modal`) enclose the first and second derivatives
        of the sign-adjusted coordinates: d^j/dt^j S e^{Aug t} y = S Aug^j e^{Aug t} y
        = S V Lm^j e^{Lm t} V^-1 y (proofs/05_trajectory_equivalence.tex, Lemma 5.11).

        V is a real eigenvector basis of Aug (:func:`_modal_basis`; the identity when there is none),
        so e^{Lm t} is nearly block diagonal: the enclosure over a cell takes each mode's own range,
        and a fast mode of small amplitude contributes only its small amplitude.  In the original
        coordinates the entries of S Aug^2 e^{Aug t} vary with the fast modes, and their entrywise
        ranges times y over-estimate f'' by orders of magnitude on stiff regions.  V is exact
        (float entries); W = V^-1 and Lm are ball enclosures, so each product encloses.

        Level ENCLOSURE_ROOT comes from ``exp`` of the interval matrix (finer cells use it too: it
        contains them, and their exponentials would cost more than they save); the coarser ones
        by doubling: for t = w + s, s in [0, w], X e^{Lm t} = (X e^{Lm s}) e^{Lm w}, so the entrywise
        union of the level-(k+1) enclosure and its product with e^{Lm w} (= W e^{Aug w} V, from
        :meth:`point`) encloses the cell [0, 2w] (Lemma 5.10(b)).  A product and a union per level instead of an
        exponential of a wide interval matrix (whose squaring phase also over-estimates more)."""
        k = min(k, ENCLOSURE_ROOT)
        e = self._pairs.get(k)
        if e is None:
            with working_precision(PREC):
                e = self._pairs[k] = (flint.arb(self.dt) / (1 << (BASE_CELLS + k)), self.derivative(1, k),
                                      self.derivative(2, k))
        return e

    def derivative(self, order: int, k: int):
        """S V Lm^order e^{Lm [0,w]} at level min(k, ENCLOSURE_ROOT) (see :meth:`enclosure`), built
        and cached per order: the chord form needs only the second derivative (Lemmas 5.10, 5.11 of
        proofs/05_trajectory_equivalence.tex)."""
        k = min(k, ENCLOSURE_ROOT)
        X = self._enclosures.get((order, k))
        if X is None:
            with working_precision(PREC):
                if k == ENCLOSURE_ROOT:
                    if self._root is None:
                        w = flint.arb(self.dt) / (1 << (BASE_CELLS + k))
                        with working_precision(ENCLOSURE_PREC):      # a wide enclosure: 30 bits are plenty
                            self._root = (self.Lm * (w / 2 + flint.arb(0, 1) * (w / 2))).exp()   # e^{Lm [0, w]}
                    X = self._SVL[order - 1] * self._root
                else:
                    X = self.derivative(order, k + 1)
                    X = flint.arb_mat(X.nrows(), X.ncols(), list(map(flint.arb.union, X.entries(),
                                                                     (X * self.modal_point(k + 1)).entries())))
            self._enclosures[order, k] = X
        return X

    def modal_point(self, k: int):
        """e^{Lm w} for level k <= ENCLOSURE_ROOT: W e^{Aug w} V at the root, squares above it
        (proofs/05_trajectory_equivalence.tex, Lemmas 5.11 and 5.10(c))."""
        E = self._modal_points.get(k)
        if E is None:
            with working_precision(PREC):
                if k == ENCLOSURE_ROOT:
                    E = self.point(k) if self.W is None else self.W * self.point(k) * self.V
                else:
                    E = self.modal_point(k + 1)
                    E = E * E
            self._modal_points[k] = E
        return E

    def chord(self, k: int, e: int = 8):
        """K Tdd for level k and K = (w e/8)^2 / 8 (Tdd of :meth:`enclosure`): times x = V^-1 y, an
        enclosure of K f'' over the cell, the term of the chord form (:func:`_interval`) of a chunk
        of at most e/8 of the cell (e = 5 .. 8: a chunk of the level is longer than half its cell, so
        e >= 5 for j >= 3).  Built for each (k, e) when first asked: a run uses one to three e per level."""
        KT = self._chords.get((k, e))
        if KT is None:
            Tdd = self.derivative(2, k)
            with working_precision(PREC):
                x = flint.arb(self.dt) / (1 << (BASE_CELLS + k)) * e / 8
                KT = self._chords[k, e] = Tdd * (x * x / 8).upper()
        return KT

    def step_out(self):
        """S e^{Aug unit}: times the ball state at q, the sign-adjusted coordinates at q + 1."""
        if self._out is None:
            with working_precision(PREC):
                self._out = self.S * self.point(MAX_LEVEL)
        return self._out

    def exit_rows(self):
        """[S; S Aug; S e^{Aug unit}] (ball): times the ball state at q, f(q), f'(q) and f(q + 1)."""
        if self._exit_rows is None:
            with working_precision(PREC):
                rows = (self.S, self.SA, self.S * self.point(MAX_LEVEL))
                self._exit_rows = flint.arb_mat(3 * self.S.nrows(), self.n, [v for b in rows for v in b.entries()])
        return self._exit_rows

    def whole_step(self) -> tuple:
        """(S E, K Tdd, the float e^{Aug dt}, the float check or None) for the checks of a whole step,
        E = e^{Aug dt} (ball, :meth:`point`) and K Tdd the chord term of the whole step
        (:meth:`chord`): :func:`_whole_step_in` in balls, :func:`_whole_step_float` in floats
        (:meth:`_float_whole`), and the float end state e^{Aug dt} y of a step that holds."""
        if self._whole is None:
            with working_precision(PREC):
                E = self.point(-BASE_CELLS)
                Ef = np.array([float(v) for v in E.entries()]).reshape(self.n, self.n)
                SE, KT = self.S * E, self.chord(-BASE_CELLS)
                self._whole = (SE, KT, Ef, self._float_whole(SE, KT))
        return self._whole

    def _float_whole(self, SE, KT) -> floatball.FloatCheck | None:
        """The float check of a whole step from y (:func:`_whole_step_float`), with x = V^-1 y: each
        coordinate is proved >= 0 on [0, dt] by one of two forms of proofs/05_trajectory_equivalence.tex,
        Lemma 5.12, whose terms are rows of Q [y; x]:

        * the chord form (a): f(0), f(dt), f(0) - K f'' and f(dt) - K f'' >= 0 (the terms of
          :func:`_whole_step_in`; rows S, S E, S - K Tdd W, S E - K Tdd W);
        * the Taylor form at the start (c), for a coordinate that moves into the region, as one
          does just after a switch (where f(0) is about 0 and the chord form fails): f(0) >= 0,
          f'(0) >= 0 and f(0) + dt f'(0) + dt^2/2 f''(xi) >= 0 for every xi in the step: with
          b = f'(0) >= 0 the quadratic of (c) is then >= 0 on [0, dt] by (d) (increasing if
          convex, its least value at an end if concave); rows S, S Aug, S + dt S Aug + 4 K Tdd W.
          (4 K >= dt^2/2, K the chord form's factor: a larger factor of f'' only lowers the bound
          where f'' < 0, the concave case, which is the one the row is for.)

        A seventh block, 4 K Tdd W (4 K f'' over the step), is in no form: its sign, where it has one,
        serves the exit bracket of :func:`_exit_from_rows`.  None where a bound is not finite."""
        M, n = self.S.nrows(), self.n
        with working_precision(PREC):
            S1 = self.S + self.SA * flint.arb(self.dt)
        Sm, Sr = floatball.parts(self.S)     # exact (radius 0) for a PLRNN: entries 0 and +-1
        SEm, SEr = floatball.parts(SE)
        KTm, KTr = floatball.parts(KT)
        SAm, SAr = floatball.parts(self.SA)
        S1m, S1r = floatball.parts(S1)
        T2m, T2r = 4 * KTm, 4 * KTr                  # exact: a power of two
        W = (np.eye(n), np.zeros((n, n))) if self.W is None else floatball.parts(self.W)
        Z = np.zeros((M, n))
        Q = (np.block([[Sm, Z], [SEm, Z], [Sm, -KTm], [SEm, -KTm], [SAm, Z], [S1m, T2m], [Z, T2m]]),
             np.block([[Sr, Z], [SEr, Z], [Sr, KTr], [SEr, KTr], [SAr, Z], [S1r, T2r], [Z, T2r]]))
        check = floatball.FloatCheck(Q, W, one=self.N, forms=[(0, 1, 2, 3), (0, 4, 5)], block=M)
        return check if check.usable else None

    def float_samples(self):
        """(h, Z, R, P, M) for the float pre-screen, h = dt / FLOAT_SAMPLES: Z stacks S e^{Aug i h}
        (i = 1 .. FLOAT_SAMPLES), P[i] = e^{Aug i h} and R stacks S (Aug h)^j / j! (the Taylor
        terms to float accuracy); None when Aug h is too large for that Taylor series."""
        if not hasattr(self, "_samples"):
            Af, Sf = self.float_maps()
            h = float(self.dt) / FLOAT_SAMPLES
            B = Af * h
            nb = float(np.abs(B).sum(axis=1).max())
            if not math.isfinite(nb) or nb > 2.0:
                self._samples = None
                return None
            # e^{Aug h} by its Taylor series (||Aug h|| <= 2; scipy's expm can stall on a multithreaded
            # BLAS), alongside the terms S (Aug h)^j / j!
            terms, T, j = [Sf], Sf, 1
            E = Bj = np.eye(self.n)
            powers = [Bj]
            while j < 60:
                T = T @ B / j
                Bj = Bj @ B / j
                E = E + Bj
                terms.append(T)
                powers.append(Bj)
                j += 1
                if nb ** j / math.factorial(j) < 1e-18:
                    break
            P = [np.eye(self.n)]
            for _ in range(FLOAT_SAMPLES):
                P.append(E @ P[-1])
            R = np.vstack(terms)
            self._samples = (h, np.vstack([Sf @ Pi for Pi in P[1:]]), R, P, Sf.shape[0])
            self._powers = np.vstack(powers)
        return self._samples

    def float_flow(self, y: np.ndarray, d: int) -> np.ndarray:
        """e^{Aug d unit} y in floats (0 <= d <= one step): P[i] y for the last sample i h before
        d units, then the Taylor series of e^{Aug r} (r < h, the terms of :meth:`float_samples`) in
        one product; the midpoint of the ball product (:func:`_point`) where there are no samples."""
        fs = self.float_samples()
        if fs is None:
            with working_precision(PREC):
                return _mid(_point(self, flint.arb_mat(self.n, 1, y.tolist()), d), self.n)
        per = _UNITS // FLOAT_SAMPLES                  # time units per sample (exact: both powers of two)
        i, r = divmod(d, per)
        yi = fs[3][i] @ y
        if not r:
            return yi
        T = self._powers
        s = r / per
        return (s ** np.arange(len(T) // self.n)) @ (T @ yi).reshape(-1, self.n)

    def float_field(self) -> tuple[np.ndarray, np.ndarray]:
        """(S Aug, |S| |Aug|) as float arrays."""
        if not hasattr(self, "_field"):
            Af, Sf = self.float_maps()
            self._field = (Sf @ Af, np.abs(Sf) @ np.abs(Af))
        return self._field

    def float_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(Aug, S) as float arrays."""
        return self._float

    def y0(self, y, s) -> flint.arb_mat:
        return flint.arb_mat(self.n, 1, self.augment(y, s).tolist())

    def augment(self, y, s) -> np.ndarray:
        """(y, 1, s) as a float vector (s = 0 when there are inputs but none given)."""
        out = np.empty(self.n)
        out[:self.N] = y
        out[self.N] = 1.0
        if self.n > self.N + 1:
            out[self.N + 1:] = 0.0 if s is None else s
        return out
MODAL_COND = 1e8           # a modal basis is used when its condition number is below this


def _modal_basis(Af: np.ndarray) -> np.ndarray | None:
    """A real eigenvector basis V of Aug (float): a real eigenvalue's eigenvector, and the real and
    imaginary parts of one eigenvector of each complex pair, so that V^-1 Aug V is block diagonal
    up to rounding.  None when Aug is not (well) diagonalizable: then the enclosures use the
    original coordinates.  Only the tightness of the enclosures depends on V, never their rigour
    (proofs/05_trajectory_equivalence.tex, Lemma 5.11)."""
    try:
        lam, U = np.linalg.eig(Af)
    except np.linalg.LinAlgError:
        return None
    cols = []
    for lj, u in zip(lam, U.T, strict=True):
        if lj.imag == 0:
            cols.append(u.real)
        elif lj.imag > 0:
            cols += [u.real, u.imag]
    if len(cols) != len(Af):
        return None
    V = np.array(cols).T
    if not np.isfinite(V).all() or np.linalg.cond(V) > MODAL_COND:
        return None
    return V


def _exit_rows(sysm: RegionSystem, n: int) -> tuple[flint.arb_mat, np.ndarray]:
    """S for a region of the general form: row k is signs_k (W2 P y + h2 * 1) on the augmented
    state (y, 1, s), so that the closure of the cell is S (y, 1, s) >= 0 (the exit functions are the
    pre-activations: proofs/07_region_structure.tex, Proposition 7.11).  Balls around the exact [W2 | h2] (exact for float weights);
    P has entries 0 and 1.  Returns the ball matrix and its midpoints."""
    E, signs = sysm.exits
    L, M = E.rows, E.cols - 1
    N = sysm.dimension
    Pm = np.asarray(sysm.P, dtype=float) if sysm.P is not None else np.eye(M)
    rows = []
    for k in range(L):
        sk = flint.arb(signs[k])
        w = [to_arb(E[k, i]) for i in range(M)]
        row = [sk * sum((w[i] * flint.arb(float(Pm[i, j])) for i in range(M) if Pm[i, j] != 0), flint.arb(0))
               for j in range(N)]
        rows.append(row + [sk * to_arb(E[k, M])] + [flint.arb(0)] * (n - N - 1))
    S = flint.arb_mat(L, n, [v for r in rows for v in r])
    return S, np.array([float(v.mid()) for v in S.entries()]).reshape(L, n)


def _nonnegative(m: int):
    """An m x 1 ball matrix X with every entry [0, 2^201]: ``X.contains(v)`` (one call into FLINT)
    proves every entry of the ball vector v >= 0.  The ball's radius is stored rounded up, so it is
    asked slightly smaller than its midpoint; its lower end is checked to be >= 0, which is all the
    soundness needs (an entry above 2^201 is not contained, which only makes the test fail)."""
    with working_precision(PREC):
        x = flint.arb(2**200, 2**200 - 2**160)
        assert x.lower() >= 0 and x.upper() >= 2**200
        return flint.arb_mat(m, 1, [x] * m)


def _point(flow: _BallFlow, y, d: int):
    """The ball state d time units after the ball state y: a product of the cached e^{Aug c 8^j unit}
    over the octal digits c of d (each factor encloses its exponential, so the product encloses the flow;
    proofs/05_trajectory_equivalence.tex, Lemma 5.10(c))."""
    j = 0
    rows = flow._rows
    while d:
        c = d & 7
        if c:
            y = (rows[j] or flow.row(j))[c] * y
        d >>= 3
        j += 1
    return y


FLOAT_SAMPLES = 16         # the float pre-screen samples a step at 16 points


def _mid(y: flint.arb_mat, N: int) -> np.ndarray:
    return np.fromiter(map(float, y.entries()[:N]), float, N)       # float(arb): its midpoint, rounded


__all__ = ["BASE_CELLS", "ENCLOSURE_PREC", "MAX_LEVEL", "POINT_PREC", "PREC"]
