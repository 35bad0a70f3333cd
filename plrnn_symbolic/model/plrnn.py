"""The discrete-time PLRNN (THEORY section 1).

    z_t = A z_{t-1} + W relu(z_{t-1}) + h + C s_t ,   time step dt > 0.

Weights are held exactly, as sympy numbers: ints, fractions, floats (converted
to rationals exactly), sympy numbers or symbols.  Numeric views (numpy float
arrays) are derived from the exact weights on demand.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from ..core.conversion import is_rational, to_exact
from ..core.errors import InputError


def _matrix(value, name: str, shape: tuple[int | None, int | None]) -> sp.ImmutableMatrix:
    if isinstance(value, sp.MatrixBase):
        rows = value.tolist()
    else:
        arr = np.asarray(value, dtype=object)
        if arr.ndim == 1 and shape[1] == 1:
            arr = arr.reshape(-1, 1)
        if arr.ndim == 0 or arr.ndim > 2:
            raise InputError(f"{name} must be a {'vector' if shape[1] == 1 else 'matrix'}, got {arr.ndim}-d data")
        if arr.ndim == 1:
            raise InputError(f"{name} must be a matrix, got a vector of length {arr.shape[0]}")
        rows = arr.tolist()
    nrows = len(rows)
    ncols = len(rows[0]) if nrows else 0
    if any(len(r) != ncols for r in rows):
        raise InputError(f"{name} is ragged: rows of different lengths")
    want_r, want_c = shape
    if (want_r is not None and nrows != want_r) or (want_c is not None and ncols != want_c):
        got = f"{nrows}x{ncols}" if shape[1] != 1 else f"length {nrows}"
        want = f"{want_r}x{want_c}" if shape[1] != 1 else f"length {want_r}"
        raise InputError(f"{name} has shape {got}, expected {want}")
    return sp.ImmutableMatrix(
        nrows, ncols, [to_exact(x, what=f"{name}[{i},{j}]") for i, r in enumerate(rows) for j, x in enumerate(r)]
    )


class ModelBase:
    """What every form of the model shares (:class:`PLRNN` here, the general form in
    :mod:`.family`): shapes, the kind of weights, float steps and trajectories.
    A subclass holds A and C, yields its exact entries from ``_entries`` and
    gives ``numeric`` (a :class:`NumericBase`); ``_sizes`` names its dimensions (for the repr)."""

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<{type(self).__name__}{label} {' '.join(f'{n}={getattr(self, n)}' for n in self._sizes)}>"

    # ---- regions named by bit strings, one bit per pre-activation (``_pattern_length`` of them) ----
    def check_region(self, name: str) -> str:
        """Validate a region name: a string of 0/1, one per pre-activation (for a PLRNN the units)."""
        name, n = str(name).strip(), self._pattern_length
        if len(name) != n or set(name) - {"0", "1"}:
            raise InputError(f"region {name!r} is not a string of {n} characters 0/1 ({self._bit_order})")
        return name

    def pattern(self, name: str) -> tuple[int, ...]:
        """The activation pattern d in {0,1}^L of a region name (for a PLRNN: its bits)."""
        return tuple(int(c) for c in self.check_region(name))

    def candidate_regions(self):
        """Every region name the model's naming allows (for a PLRNN all 2^M orthants, each a non-empty
        cell; for the general form some cells may be empty)."""
        return ("".join(t) for t in itertools.product("10", repeat=self._pattern_length))

    @property
    def n_candidates(self) -> int:
        return 2**self._pattern_length

    @property
    def M(self) -> int:
        """Number of units."""
        return self.A.rows

    @property
    def K(self) -> int:
        """Number of inputs (0 without C)."""
        return 0 if self.C is None else self.C.cols

    @cached_property
    def is_rational(self) -> bool:
        """All weights and dt are rationals (exact mode decides everything)."""
        return all(is_rational(x) for x in self._entries())

    @cached_property
    def symbols(self) -> frozenset:
        """Free parameters among the weights."""
        out = set()
        for x in self._entries():
            out |= x.free_symbols
        return frozenset(out)

    @property
    def is_symbolic(self) -> bool:
        return bool(self.symbols)

    @cached_property
    def A_is_diagonal(self) -> bool:
        return all(self.A[i, j] == 0 for i in range(self.M) for j in range(self.M) if i != j)

    def _refuse_symbolic(self) -> None:
        if self.is_symbolic:
            raise InputError(f"the model has free parameters {sorted(map(str, self.symbols))}: give them values first")

    def region_name(self, d) -> str:
        """The name of the region with activation pattern ``d`` (bits, first first)."""
        return "".join("1" if x else "0" for x in d)

    def preactivation_label(self, k: int) -> str:
        """What the k-th exit function (1-based) is called in reports: for a PLRNN ``unit k``
        (its coordinate z_k); the general form names its pre-activations in its own terms."""
        return f"unit {k}"

    def step(self, z, s=None) -> np.ndarray:
        """One float step of the map (+ C s)."""
        return self.numeric.step(z, s)

    def trajectory(self, z0, steps: int, inputs=None) -> np.ndarray:
        """Float trajectory z_0, ..., z_steps as a (steps + 1, M) array."""
        return self.numeric.trajectory(z0, steps, inputs)


@dataclass(frozen=True, eq=False, kw_only=True)
class NumericBase:
    """Float64 views: a subclass has A and ``autonomous_step``; this adds the input matrix C, the
    step dt, the initial state z0, M, the input term and trajectories."""

    C: np.ndarray | None
    dt: float
    z0: np.ndarray | None = None

    def step(self, z, s=None) -> np.ndarray:
        """One step of the map from z, with the input s (held over the step) when the model has inputs."""
        out = self.autonomous_step(np.asarray(z, dtype=float))
        if s is not None and self.C is not None:
            out = out + self.C @ np.asarray(s, dtype=float)
        return out

    @property
    def M(self) -> int:
        return self.A.shape[0]

    def trajectory(self, z0, steps: int, inputs=None) -> np.ndarray:
        z = np.asarray(z0, dtype=float).ravel()
        if z.shape != (self.M,):
            raise InputError(f"z0 has length {z.size}, expected {self.M}")
        if not np.all(np.isfinite(z)):
            raise InputError("z0 must be finite")
        if inputs is not None:
            inputs = np.asarray(inputs, dtype=float)
            if inputs.ndim != 2 or inputs.shape[0] < steps:
                raise InputError(f"inputs must be a (steps={steps}, K) array, got shape {inputs.shape}")
            if not np.isfinite(inputs[:steps]).all():
                raise InputError("inputs must be finite (found NaN or infinity)")
        out = np.empty((steps + 1, self.M))
        out[0] = z
        with np.errstate(over="ignore", invalid="ignore"):   # a diverging orbit leaves float64: inf, then NaN
            for t in range(steps):
                out[t + 1] = self.step(out[t], None if inputs is None else inputs[t])
        return out


@dataclass(frozen=True, eq=False, repr=False)   # ModelBase.__repr__
class PLRNN(ModelBase):
    """A piecewise-linear recurrent neural network, as a discrete-time map.

    Parameters
    ----------
    A : (M, M) array_like
        Linear (usually diagonal) part.
    W : (M, M) array_like
        Weights on relu(z) (usually with zero diagonal).
    h : (M,) array_like
        Bias.
    C : (M, K) array_like, optional
        Input weights; the input s_t is held constant over each step.
    dt : number, default 1
        Duration of one step, > 0.
    name : str, optional
    z0 : (M,) array_like, optional
        An initial state shipped with the model (``mu0`` in MATLAB files).

    Examples
    --------
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 1], [-1, 0]], h=[0.1, 0])
    >>> m.M, m.dt, m.A[0, 0]
    (2, 1, 1/2)
    >>> m.is_rational, m.conventions()
    (True, [])
    """

    A: sp.ImmutableMatrix
    W: sp.ImmutableMatrix
    h: sp.ImmutableMatrix
    C: sp.ImmutableMatrix | None = None
    dt: sp.Expr = 1  # converted to an exact sympy number in __post_init__
    name: str = ""
    z0: sp.ImmutableMatrix | None = field(default=None, repr=False)
    observation: sp.ImmutableMatrix | None = field(default=None, repr=False)

    kind = "plrnn"

    def __post_init__(self):
        A = _matrix(self.A, "A", (None, None))
        M = A.rows
        if M == 0:
            raise InputError("A is empty: the model needs at least one unit")
        if A.cols != M:
            raise InputError(f"A must be square, got {A.rows}x{A.cols}")
        W = _matrix(self.W, "W", (M, M))
        h = _matrix(self.h, "h", (M, 1))
        C = None if self.C is None else _matrix(self.C, "C", (M, None))
        if C is not None and C.cols == 0:
            C = None
        dt = to_exact(self.dt, what="dt")
        if dt.is_positive is False or (dt.is_number and not dt > 0):
            raise InputError(f"dt must be > 0, got {dt}")
        if isinstance(dt, sp.Symbol) and not dt.is_positive:
            dt = sp.Symbol(dt.name, positive=True)
        z0 = None if self.z0 is None else _matrix(self.z0, "z0", (M, 1))
        if z0 is not None and z0.free_symbols:
            raise InputError(f"z0 has the names {sorted(map(str, z0.free_symbols))}: an initial state must be numbers")
        obs = None if self.observation is None else _matrix(self.observation, "observation", (None, M))
        for key, val in (("A", A), ("W", W), ("h", h), ("C", C), ("dt", dt), ("z0", z0), ("observation", obs)):
            object.__setattr__(self, key, val)

    # ---- shape and kind -------------------------------------------------
    # ---- the general form of the family (THEORY section 8): W1 = W, W2 = I, h2 = 0 ----
    @property
    def L(self) -> int:
        """Number of pre-activations: the units themselves."""
        return self.M

    @property
    def W1(self) -> sp.ImmutableMatrix:
        return self.W

    @property
    def W2(self) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(sp.eye(self.M))

    @property
    def h1(self) -> sp.ImmutableMatrix:
        return self.h

    @property
    def h2(self) -> sp.ImmutableMatrix:
        return sp.ImmutableMatrix(sp.zeros(self.M, 1))

    _bit_order = "unit 1 first"
    _sizes = ("M", "K", "dt")

    @property
    def _pattern_length(self) -> int:
        return self.M

    def preactivations(self, z) -> np.ndarray:
        """The coordinates themselves (the exit functions of the regions); z may be a stack (n, M)."""
        return np.asarray(z, dtype=float)

    def region_of(self, z) -> str:
        return self.region_name(float(x) > 0 for x in z)

    def region_affine(self, bits: str) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
        """(W_Omega, h_Omega) = (A + W diag(d), h), exactly."""
        D = sp.diag(*self.pattern(bits))
        return sp.ImmutableMatrix(self.A + self.W * D), self.h

    def parameters(self) -> dict:
        return {"A": self.A, "W": self.W, "h": self.h}

    def _entries(self):
        yield from self.A
        yield from self.W
        yield from self.h
        if self.C is not None:
            yield from self.C
        yield self.dt

    def conventions(self) -> list[str]:
        """Departures from the usual convention (A diagonal, diag W = 0).

        They are accepted; this lists them so that a report can say so.
        """
        out = []
        if not self.A_is_diagonal:
            out.append("A is not diagonal")
        nz = [i + 1 for i in range(self.M) if self.W[i, i] != 0]
        if nz:
            out.append(f"W has a nonzero diagonal (units {', '.join(map(str, nz))})")
        return out

    # ---- numeric views --------------------------------------------------
    @cached_property
    def numeric(self) -> NumericPLRNN:
        """Float64 arrays of the weights (refused for symbolic models)."""
        self._refuse_symbolic()

        def f(m):
            if m is None:
                return None
            out = np.array(m.tolist(), dtype=float)   # saturates to +-inf beyond the float64 range
            if not np.isfinite(out).all():
                x = next(x for x, v in zip(m, out.ravel()) if not np.isfinite(v))
                raise InputError(f"an entry of about {sp.Float(x, 3)} is beyond the float64 range (|x| <= 1.8e308) "
                                 "that float arithmetic and simulation use; use mode 'exact' or 'certified'")
            return out

        return NumericPLRNN(
            A=f(self.A), W=f(self.W), h=f(self.h).ravel(),
            C=f(self.C), dt=float(self.dt),
            z0=None if self.z0 is None else f(self.z0).ravel(),
        )

    def subs(self, values: dict) -> PLRNN:
        """The model with parameters replaced by values."""
        def s(m):
            return None if m is None else m.subs(values)

        return PLRNN(s(self.A), s(self.W), s(self.h), s(self.C), self.dt.subs(values), self.name, s(self.z0),
                     self.observation)


@dataclass(frozen=True, eq=False)
class NumericPLRNN(NumericBase):
    """Float64 view of a :class:`PLRNN` (for simulation and float mode)."""

    A: np.ndarray
    W: np.ndarray
    h: np.ndarray

    def autonomous_step(self, z: np.ndarray) -> np.ndarray:
        """A z + W relu(z) + h."""
        return self.A @ z + self.W @ np.maximum(z, 0.0) + self.h


__all__ = ["PLRNN", "ModelBase", "NumericBase", "NumericPLRNN"]
