"""The ReLU RNN family in one general form (THEORY section 8).

    z_t = A z_{t-1} + W1 relu(W2 z_{t-1} + h2) + h1 + C s_t ,   W2 in R^{L x M},

with L pre-activations.  A region is an activation pattern d in {0,1}^L
(d_k = 1 iff (W2 z + h2)_k > 0), and in it the map is affine:

    W_Omega = A + W1 D W2 ,    h_Omega = h1 + W1 D h2 .

:class:`ReluRNN` holds the general form; the named constructors build it from
each training code's own parameters and name the regions in the model's own
terms:

- :class:`ALRNN` (Brenner et al., NeurIPS 2024): relu on the last P units only;
  a region is the bit string of those P units.
- :class:`DendPLRNN` (Brenner et al., ICML 2022): W sum_b alpha_b relu(z - h_b),
  or its clipped form; a region names, per unit, how many of its thresholds
  the unit has passed (one character 0-9, a-z per unit).
- :class:`ShallowPLRNN` (Hess et al., ICML 2023): W1 relu(W2 z + h2), or its
  clipped form; a region is the bit string of the L (clipped: 2L) pre-activations.

:class:`~.plrnn.PLRNN` is the special case W1 = W, W2 = I, h2 = 0 and keeps its
own class, names and fast paths.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from ..core.conversion import to_exact
from ..core.errors import InputError
from .plrnn import ModelBase, NumericBase, _matrix

KINDS = ("plrnn", "alrnn", "dend", "dend-clipped", "shallow", "shallow-clipped", "relu")
_COUNT_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _diagonal(value, name: str, M: int | None = None) -> sp.ImmutableMatrix:
    """A as the training codes store it: a vector (its diagonal) or a square matrix."""
    arr = value if isinstance(value, sp.MatrixBase) else np.asarray(value, dtype=object)
    shape = arr.shape
    if len(shape) == 1 or (len(shape) == 2 and 1 in shape and (M is None or M > 1)):
        vec = _matrix(np.asarray(arr, dtype=object).reshape(-1) if not isinstance(arr, sp.MatrixBase)
                      else list(arr), name, (M, 1))
        return sp.ImmutableMatrix(sp.diag(*vec))
    return _matrix(value, name, (M, M))


@dataclass(frozen=True, eq=False, repr=False)   # ModelBase.__repr__
class ReluRNN(ModelBase):
    """A ReLU RNN in the general form z -> A z + W1 relu(W2 z + h2) + h1 + C s.

    Parameters
    ----------
    A : (M, M) array_like
    W1 : (M, L) array_like
    W2 : (L, M) array_like
    h1 : (M,) array_like
    h2 : (L,) array_like
    C : (M, K) array_like, optional
    dt : number, default 1
    name : str, optional
    z0 : (M,) array_like, optional
    observation : (N, M) array_like, optional
        An observation matrix B with x = B z, kept for reports (not the input matrix C).

    Examples
    --------
    >>> m = ReluRNN(A=[[0.5, 0], [0, 0.5]], W1=[[1], [-1]], W2=[[1, 1]], h1=[0, 0], h2=[-1])
    >>> m.M, m.L, m.region_of([1, 1]), m.region_of([0.25, 0.5])
    (2, 1, '1', '0')
    >>> m.region_affine("1")[0].tolist(), m.region_affine("1")[1].T.tolist()
    ([[3/2, 1], [-1, -1/2]], [[-1, 1]])
    """

    A: sp.ImmutableMatrix
    W1: sp.ImmutableMatrix
    W2: sp.ImmutableMatrix
    h1: sp.ImmutableMatrix
    h2: sp.ImmutableMatrix
    C: sp.ImmutableMatrix | None = None
    dt: sp.Expr = 1
    name: str = ""
    z0: sp.ImmutableMatrix | None = field(default=None, repr=False)
    observation: sp.ImmutableMatrix | None = field(default=None, repr=False)

    kind = "relu"

    def __post_init__(self):
        A = _diagonal(self.A, "A")
        M = A.rows
        if M == 0:
            raise InputError("A is empty: the model needs at least one unit")
        W1 = _matrix(self.W1, "W1", (M, None))
        L = W1.cols
        if L == 0:
            raise InputError("W1 has no columns: the model needs at least one pre-activation")
        W2 = _matrix(self.W2, "W2", (L, M))
        h1 = _matrix(self.h1, "h1", (M, 1))
        h2 = _matrix(self.h2, "h2", (L, 1))
        C = None if self.C is None else _matrix(self.C, "C", (M, None))
        if C is not None and C.cols == 0:
            C = None
        dt = to_exact(self.dt, what="dt")
        if dt.is_number and not dt > 0:
            raise InputError(f"dt must be > 0, got {dt}")
        if isinstance(dt, sp.Symbol) and not dt.is_positive:
            dt = sp.Symbol(dt.name, positive=True)
        z0 = None if self.z0 is None else _matrix(self.z0, "z0", (M, 1))
        obs = None if self.observation is None else _matrix(self.observation, "observation", (None, M))
        for key, val in (("A", A), ("W1", W1), ("W2", W2), ("h1", h1), ("h2", h2), ("C", C), ("dt", dt),
                         ("z0", z0), ("observation", obs)):
            object.__setattr__(self, key, val)

    # ---- shape and kind -------------------------------------------------
    @property
    def L(self) -> int:
        """Number of pre-activations (relu arguments)."""
        return self.W2.rows

    def _entries(self):
        for m in (self.A, self.W1, self.W2, self.h1, self.h2, self.C):
            if m is not None:
                yield from m
        yield self.dt

    def conventions(self) -> list[str]:
        return [] if self.A_is_diagonal else ["A is not diagonal"]

    # ---- regions: names <-> activation patterns ---------------------------
    _bit_order = "one per pre-activation, the first first"
    _sizes = ("M", "L", "K", "dt")

    def preactivation_label(self, k: int) -> str:
        """The k-th pre-activation (1-based), (W2 z + h2)_k, as reports name it.

        >>> ReluRNN(A=[[0.5]], W1=[[1, 1]], W2=[[1], [-1]], h1=[0], h2=[0, 1]).preactivation_label(2)
        'pre-activation 2'
        """
        return f"pre-activation {k}"

    @property
    def _pattern_length(self) -> int:
        return self.L

    def preactivations(self, z) -> np.ndarray:
        """W2 z + h2 in floats (the exit functions of the regions); z may be a stack of states (n, M)."""
        n = self.numeric
        return np.asarray(z, dtype=float) @ n.W2.T + n.h2

    def region_of(self, z) -> str:
        """The region of the state ``z`` (pre-activation exactly 0 counts as inactive)."""
        return self.region_name(self.preactivations(z) > 0)

    def region_affine(self, name: str) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
        """(W_Omega, h_Omega) = (A + W1 D W2, h1 + W1 D h2), exactly (proofs/07_region_structure.tex,
        Lemma 7.7)."""
        D = sp.diag(*self.pattern(name))
        W1D = self.W1 * D
        return sp.ImmutableMatrix(self.A + W1D * self.W2), sp.ImmutableMatrix(self.h1 + W1D * self.h2)

    # ---- numeric views --------------------------------------------------
    @cached_property
    def numeric(self) -> NumericReluRNN:
        self._refuse_symbolic()

        def f(m):
            return None if m is None else np.array(m.tolist(), dtype=float)

        return NumericReluRNN(A=f(self.A), W1=f(self.W1), W2=f(self.W2), h1=f(self.h1).ravel(),
                              h2=f(self.h2).ravel(), C=f(self.C), dt=float(self.dt),
                              z0=None if self.z0 is None else f(self.z0).ravel())

    def general(self) -> ReluRNN:
        """The model as a plain :class:`ReluRNN` (region names: activation patterns)."""
        return ReluRNN(self.A, self.W1, self.W2, self.h1, self.h2, self.C, self.dt, self.name, self.z0,
                       self.observation)

    def subs(self, values: dict) -> ReluRNN:
        def s(m):
            return None if m is None else m.subs(values)

        return ReluRNN(s(self.A), s(self.W1), s(self.W2), s(self.h1), s(self.h2), s(self.C),
                       self.dt.subs(values), self.name, s(self.z0), self.observation)

    def parameters(self) -> dict[str, sp.ImmutableMatrix]:
        """The model's own parameters, as its file stores them (``kind`` says which)."""
        return {"A": self.A, "W1": self.W1, "W2": self.W2, "h1": self.h1, "h2": self.h2}


@dataclass(frozen=True, eq=False)
class NumericReluRNN(NumericBase):
    """Float64 view of a :class:`ReluRNN`: the weights of the map
    z -> A z + W1 relu(W2 z + h2) + h1 (+ C s)."""

    A: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    h1: np.ndarray
    h2: np.ndarray

    def autonomous_step(self, z: np.ndarray) -> np.ndarray:
        """A z + W1 relu(W2 z + h2) + h1."""
        return self.A @ z + self.W1 @ np.maximum(self.W2 @ z + self.h2, 0.0) + self.h1


def _short(x: sp.Expr) -> str:
    """A number for a report: a rational with a long denominator (a float weight read exactly) as
    6 significant digits, anything else as it is."""
    return f"{float(x):.6g}" if x.is_Rational and x.q > 1000 else str(x)


def _extra(C, dt, name, z0, observation) -> dict:
    return {"C": C, "dt": dt, "name": name, "z0": z0, "observation": observation}


class ALRNN(ReluRNN):
    """The almost-linear RNN (Brenner et al., "Almost-linear RNNs yield highly interpretable
    symbolic codes in dynamical systems reconstruction", NeurIPS 2024):

        z_t = diag(A) z + W [z_1 .. z_{M-P}; relu(z_{M-P+1} .. z_M)] + h + C s_t .

    Only the last P units pass a ReLU, so there are 2^P regions, named by the bit
    string of those P units (unit M-P+1 first).  In the general form:
    A_general = diag(A) + W[:, :M-P] E_lin, W1 = W[:, M-P:], W2 = the last P rows of I, h2 = 0.

    >>> m = ALRNN(A=[0.5, 0.5, 0.5], W=[[0, 1, 2], [0, 0, 1], [1, 0, 0]], h=[0, 0, 0], P=1)
    >>> m.L, list(m.candidate_regions()), m.region_of([-1, -1, 1])
    (1, ['1', '0'], '1')
    """

    kind = "alrnn"

    def __init__(self, A, W, h, P: int, C=None, dt=1, name: str = "", z0=None, observation=None):
        A = _diagonal(A, "A")
        M = A.rows
        W = _matrix(W, "W", (M, M))
        h = _matrix(h, "h", (M, 1))
        if isinstance(P, bool) or not isinstance(P, (int, np.integer)) or not 1 <= int(P) <= M:
            raise InputError(f"P (the number of ReLU units) must be an integer in 1..{M}, got {P!r}")
        P = int(P)
        lin = M - P
        A_general = A + W[:, :lin] * sp.eye(M)[:lin, :]
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "A_diagonal", A)
        super().__init__(A_general, W[:, lin:], sp.eye(M)[lin:, :], h, sp.zeros(P, 1),
                         **_extra(C, dt, name, z0, observation))

    def conventions(self) -> list[str]:
        return [] if self.A_diagonal.is_diagonal() else ["A is not diagonal"]

    def preactivation_label(self, k: int) -> str:
        """Pre-activation k is the coordinate of unit M-P+k (the k-th ReLU unit)."""
        return f"unit {self.M - self.P + k} (ReLU unit {k})"

    def region_of(self, z) -> str:
        # the pre-activations are the last P coordinates themselves: no arithmetic
        return self.region_name(np.asarray(z, dtype=float)[self.M - self.P:] > 0)

    def parameters(self) -> dict:
        return {"A": self.A_diagonal, "W": self.W, "h": self.h1, "P": self.P}


class DendPLRNN(ReluRNN):
    """The dendritic PLRNN (Brenner et al., "Tractable dendritic RNNs for reconstructing
    nonlinear dynamical systems", ICML 2022):

        z_t = A z + W sum_b alpha_b relu(z - h_b) + h0 + C s_t              (clipped=False)
        z_t = A z + W sum_b alpha_b (relu(z - h_b) - relu(z)) + h0 + C s_t  (clipped=True)

    ``alpha`` is (B,) (one weight per basis, as trained) or (M, B) (per unit);
    ``H`` is (M, B), column b the thresholds h_b.  A may be a vector (its diagonal).
    Pre-activation b*M + i is z_i - H[i, b]; the clipped form appends z_i (threshold 0).

    A region names, per unit, how many of its thresholds (B, or B + 1 with the
    clipped form's 0) the unit has passed: a unit that has passed k thresholds
    is above exactly the k smallest.  Tied thresholds are passed together, so a
    count that splits a tie names an empty cell.

    >>> m = DendPLRNN(A=[0.5, 0.5], W=[[0, 1], [1, 0]], h0=[0, 0], alpha=[1, -1], H=[[0, 1], [0, 2]])
    >>> m.L, m.region_of([0.5, 3]), m.pattern("12")
    (4, '12', (1, 1, 0, 1))
    """

    def __init__(self, A, W, h0, alpha, H, clipped: bool = False, C=None, dt=1, name: str = "", z0=None,
                 observation=None):
        A = _diagonal(A, "A")
        M = A.rows
        W = _matrix(W, "W", (M, M))
        h0 = _matrix(h0, "h0", (M, 1))
        H = _matrix(np.asarray(H, dtype=object).reshape(M, -1) if np.asarray(H, dtype=object).ndim == 1 and M == 1
                    else H, "H", (M, None))
        B = H.cols
        if B == 0:
            raise InputError("H has no columns: the dendritic PLRNN needs at least one basis")
        arr = np.asarray(alpha.tolist() if isinstance(alpha, sp.MatrixBase) else alpha, dtype=object)
        if arr.ndim == 2 and arr.shape == (1, B):
            arr = arr.reshape(-1)
        if arr.ndim == 1:
            al = _matrix(arr.reshape(1, -1), "alpha", (1, B))
            alpha_m = sp.ImmutableMatrix(M, B, lambda i, b: al[0, b])
        else:
            alpha_m = _matrix(arr, "alpha", (M, B))
            al = alpha_m
        blocks = [W * sp.diag(*alpha_m[:, b]) for b in range(B)]
        rows = [sp.eye(M)] * B
        h2 = [-H[:, b] for b in range(B)]
        if clipped:
            blocks.append(-W * sp.diag(*[sum(alpha_m[i, :]) for i in range(M)]))
            rows.append(sp.eye(M))
            h2.append(sp.zeros(M, 1))
        for key, val in (("W", W), ("alpha", al), ("H", H), ("B", B), ("clipped", bool(clipped)),
                         ("A_diagonal", A)):
            object.__setattr__(self, key, val)
        super().__init__(A, sp.Matrix.hstack(*blocks), sp.Matrix.vstack(*rows), h0, sp.Matrix.vstack(*h2),
                         **_extra(C, dt, name, z0, observation))

    @property
    def kind(self) -> str:
        return "dend-clipped" if self.clipped else "dend"

    @cached_property
    def _thresholds(self) -> list[list[tuple[sp.Expr, int]]]:
        """Per unit, (threshold, pre-activation index) sorted by threshold (stable)."""
        M, B = self.M, self.B
        out = []
        for i in range(M):
            t = [(self.H[i, b], b * M + i) for b in range(B)]
            if self.clipped:
                t.append((sp.Integer(0), B * M + i))
            out.append(sorted(t, key=lambda p: (float(p[0]) if p[0].is_number else 0.0, p[1])))
        return out

    @property
    def _per_unit(self) -> int:
        return self.B + (1 if self.clipped else 0)

    def check_region(self, name: str) -> str:
        name = str(name).strip()
        n = self._per_unit
        if len(name) != self.M or any(c not in _COUNT_DIGITS[:n + 1] for c in name):
            raise InputError(f"region {name!r} is not a string of {self.M} counts 0..{_COUNT_DIGITS[n]} "
                             "(per unit, the thresholds passed; unit 1 first)")
        return name

    def pattern(self, name: str) -> tuple[int, ...]:
        name = self.check_region(name)
        d = [0] * self.L
        for i, c in enumerate(name):
            for _, k in self._thresholds[i][:_COUNT_DIGITS.index(c)]:
                d[k] = 1
        return tuple(d)

    def preactivation_label(self, k: int) -> str:
        """Pre-activation k = b M + i + 1 is z_{i+1} - h_{b+1} (the clipped form's last block: z_{i+1})."""
        b, i = divmod(k - 1, self.M)
        return (f"unit {i + 1}, clipping threshold 0" if b == self.B else
                f"unit {i + 1}, threshold {b + 1} (z_{i + 1} = {_short(self.H[i, b])})")

    def region_name(self, d) -> str:
        M = self.M
        return "".join(_COUNT_DIGITS[sum(int(bool(d[k])) for k in range(i, self.L, M))] for i in range(M))

    def candidate_regions(self):
        return ("".join(t) for t in itertools.product(_COUNT_DIGITS[:self._per_unit + 1][::-1], repeat=self.M))

    @property
    def n_candidates(self) -> int:
        return (self._per_unit + 1) ** self.M

    def parameters(self) -> dict:
        return {"A": self.A_diagonal, "W": self.W, "h0": self.h1, "alpha": self.alpha, "H": self.H}


class ShallowPLRNN(ReluRNN):
    """The shallow PLRNN (Hess et al., "Generalized teacher forcing for learning chaotic
    dynamics", ICML 2023), one hidden ReLU layer of width L:

        z_t = diag(A) z + W1 relu(W2 z + h2) + h1 + C s_t                     (clipped=False)
        z_t = diag(A) z + W1 (relu(W2 z + h2) - relu(W2 z)) + h1 + C s_t      (clipped=True)

    A region is the bit string of the L pre-activations (clipped: 2L, those of
    W2 z + h2 first, then those of W2 z).  Cells are polyhedra cut by L
    hyperplanes; with L > M many activation patterns are empty.

    >>> m = ShallowPLRNN(A=[0.5, 0.5], W1=[[1, 0, 1], [0, 1, 1]], W2=[[1, 0], [0, 1], [1, 1]], h1=[0, 0],
    ...                  h2=[0, 0, 0])
    >>> m.L, m.region_of([1, -2])
    (3, '100')
    """

    def __init__(self, A, W1, W2, h1, h2, clipped: bool = False, C=None, dt=1, name: str = "", z0=None,
                 observation=None):
        A = _diagonal(A, "A")
        M = A.rows
        W1m = _matrix(W1, "W1", (M, None))
        W2m = _matrix(W2, "W2", (W1m.cols, M))
        h2m = _matrix(h2, "h2", (W1m.cols, 1))
        for key, val in (("W1_", W1m), ("W2_", W2m), ("h2_", h2m), ("clipped", bool(clipped))):
            object.__setattr__(self, key, val)
        if clipped:
            W1m, W2m, h2m = (sp.Matrix.hstack(W1m, -W1m), sp.Matrix.vstack(W2m, W2m),
                             sp.Matrix.vstack(h2m, sp.zeros(h2m.rows, 1)))
        super().__init__(A, W1m, W2m, h1, h2m, **_extra(C, dt, name, z0, observation))

    @property
    def kind(self) -> str:
        return "shallow-clipped" if self.clipped else "shallow"

    def preactivation_label(self, k: int) -> str:
        """Pre-activation k is hidden unit k, (W2 z + h2)_k; the clipped form's second half is (W2 z)_k."""
        n = self.W1_.cols
        return f"hidden unit {k}" if k <= n else f"hidden unit {k - n} of the clip, (W2 z)_{k - n}"

    def parameters(self) -> dict:
        return {"A": self.A, "W1": self.W1_, "W2": self.W2_, "h1": self.h1, "h2": self.h2_}


def build(kind: str, params: dict, **extra) -> ReluRNN:
    """The model of ``kind`` from its own parameters (as :meth:`ReluRNN.parameters` gives them)."""
    if kind == "alrnn":
        return ALRNN(params["A"], params["W"], params["h"], params["P"], **extra)
    if kind in ("dend", "dend-clipped"):
        return DendPLRNN(params["A"], params["W"], params["h0"], params["alpha"], params["H"],
                         clipped=kind == "dend-clipped", **extra)
    if kind in ("shallow", "shallow-clipped"):
        return ShallowPLRNN(params["A"], params["W1"], params["W2"], params["h1"], params["h2"],
                            clipped=kind == "shallow-clipped", **extra)
    if kind == "relu":
        return ReluRNN(params["A"], params["W1"], params["W2"], params["h1"], params["h2"], **extra)
    raise InputError(f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")


__all__ = ["ALRNN", "DendPLRNN", "NumericReluRNN", "ReluRNN", "ShallowPLRNN", "build"]
