"""Regions of the model and their region matrices (THEORY sections 1 and 8).

For a PLRNN a region is a bit string of length M, unit 1 first: character i
is ``"1"`` iff z_i > 0 (z_i = 0 belongs to ``"0"``).  With D = diag(d), the
region matrix is W_Omega = A + W D.

For the other forms of the family (:mod:`.family`) a region is an activation
pattern d of the L pre-activations W2 z + h2, named in the model's own terms
(``model.pattern(name)`` gives d); W_Omega = A + W1 D W2 and
h_Omega = h1 + W1 D h2.  Every function here takes either kind of model.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from functools import cached_property

import flint
import numpy as np
import sympy as sp

from ..core.domains import acb_from_fmpq, arb_matrix, fmpq_matrix, to_fmpq, working_precision
from ..core.errors import InputError
from .emptiness import nonempty_patterns
from .family import ReluRNN
from .plrnn import PLRNN

Model = PLRNN | ReluRNN

MAX_REGIONS = 2**20


def region_of(z: Sequence[float], model: Model | None = None) -> str:
    """The region containing the state ``z`` (of a PLRNN, or of ``model``).

    >>> region_of([0.3, -1.0, 0.0, 2.0])
    '1001'
    """
    if model is not None and not isinstance(model, PLRNN):
        return model.region_of(z)
    return "".join("1" if float(x) > 0 else "0" for x in z)


def check_region(bits: str, M: int) -> str:
    """Validate a region name for an M-unit model."""
    bits = str(bits).strip()
    if len(bits) != M or set(bits) - {"0", "1"}:
        raise InputError(f"region {bits!r} is not a string of {M} characters 0/1 (unit 1 first)")
    return bits


def region_matrix(model: Model, bits: str) -> sp.ImmutableMatrix:
    """W_Omega = A + W diag(d), exactly.

    >>> from plrnn_symbolic.model import PLRNN
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 1], [-1, 0]], h=[0, 0])
    >>> region_matrix(m, "01")
    Matrix([
    [1/2,   1],
    [  0, 1/2]])
    """
    if not isinstance(model, PLRNN):
        return model.region_affine(bits)[0]
    bits = check_region(bits, model.M)
    A, AW = _columns(model)
    # column j of A + W D is column j of A + W when unit j is active, else of A: no matrix product
    return sp.ImmutableMatrix([[(AW if b == "1" else A)[i][j] for j, b in enumerate(bits)] for i in range(model.M)])


@functools.lru_cache(maxsize=16)
def _columns(model: PLRNN) -> tuple[list[list], list[list]]:
    """A and A + W as lists of rows of exact entries (the model is immutable, hashed by identity)."""
    return model.A.tolist(), (model.A + model.W).tolist()


def region_affine(model: Model, name: str) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
    """(W_Omega, h_Omega): the region's affine map z -> W_Omega z + h_Omega (+ C s), exactly.

    >>> from plrnn_symbolic.model.family import ShallowPLRNN
    >>> m = ShallowPLRNN(A=[0, 0], W1=[[1], [0]], W2=[[1, -1]], h1=[0, 0], h2=[2])
    >>> region_affine(m, "1")
    (Matrix([
    [1, -1],
    [0,  0]]), Matrix([
    [2],
    [0]]))
    """
    return model.region_affine(name)


def cells(model: Model, max_regions: int = MAX_REGIONS) -> tuple[list[str], int]:
    """The regions of ``model`` whose cells are non-empty, and how many candidates were empty.

    A PLRNN has all 2^M orthants.  Otherwise emptiness is decided exactly
    (:mod:`.emptiness`, proofs/07_region_structure.tex, Lemma 7.10); the count is
    refused above ``max_regions`` as for a PLRNN.

    >>> from plrnn_symbolic.model.family import ShallowPLRNN
    >>> m = ShallowPLRNN([0.5], [[1, 1]], [[1], [1]], [0], [0, -1])    # thresholds 0 and 1 on one line
    >>> cells(m)
    (['11', '10', '00'], 1)
    """
    if isinstance(model, PLRNN):
        return all_regions(model.M, max_regions), 0
    cache = model.__dict__.setdefault("_cells_cache", {})
    if max_regions in cache:
        return cache[max_regions]
    if not all(isinstance(x, sp.Rational) for x in [*model.W2, *model.h2]):
        raise InputError("an exhaustive sweep decides which cells are empty exactly: W2 and h2 must be rational; "
                         "give the regions instead")
    count, patterns = nonempty_patterns(model.W2, model.h2, max_regions)
    if patterns is None:
        raise InputError(
            f"an exhaustive sweep of this model is {count:,} non-empty regions, above the limit of "
            f"{max_regions:,}; check visited regions instead, or raise the limit explicitly (--max-regions)")
    names = sorted({model.region_name(d) for d in patterns}, reverse=True)
    cache[max_regions] = out = (names, model.n_candidates - len(names))
    return out


def cells_note(model: Model, max_regions: int = MAX_REGIONS) -> str | None:
    """What an exhaustive sweep skipped, for a report (None for a PLRNN)."""
    if isinstance(model, PLRNN):
        return None
    names, skipped = cells(model, max_regions)
    return (f"{len(names):,} non-empty cells of {model.n_candidates:,} region names; {skipped:,} empty cells "
            "skipped (emptiness decided exactly, by a rational LP)")

def all_regions(M: int, max_regions: int = MAX_REGIONS) -> list[str]:
    """All 2^M regions, refusing more than ``max_regions`` unless the limit is raised."""
    if 2**M > max_regions:
        raise InputError(
            f"an exhaustive sweep of a {M}-unit model is 2^{M} = {2**M:,} regions, above the limit of "
            f"{max_regions:,}; check visited regions instead, or raise the limit explicitly (--max-regions)"
        )
    return ["".join(t) for t in itertools.product("10", repeat=M)]


def visited_regions(model: Model, z0=None, steps: int = 1000, burn_in: int = 0, inputs=None) -> list[str]:
    """Regions visited by the (float) trajectory from ``z0``, in order of first visit.

    ``burn_in`` steps are run first and not counted.  Without ``z0`` the model's
    own initial state (``mu0`` in a MATLAB file) is used, else the origin.
    """
    if steps is None or steps < 0 or burn_in < 0:
        raise InputError("steps and burn-in must be nonnegative")
    num = model.numeric
    if z0 is None:
        z0 = num.z0 if num.z0 is not None else np.zeros(model.M)
    traj = num.trajectory(z0, burn_in + steps, inputs)[burn_in:]
    traj = traj[np.isfinite(traj).all(axis=1)]   # states beyond the float64 range lie in no region we can name
    seen: dict[str, None] = {}
    for z in traj:
        seen.setdefault(region_of(z, model))
    return list(seen)


VISITED_STEPS = 1000   # steps of the trajectory behind "visited" when none are given


def visited_steps(steps: int | None, burn_in: int = 0, inputs=None) -> int:
    """The steps of a "visited" trajectory: ``steps``, else 1000, or fewer when an input sequence
    (T x K, e.g. ``Inp`` of a MATLAB file) covers only T - burn_in steps.

    >>> visited_steps(None), visited_steps(50), visited_steps(None, 10, np.zeros((360, 5)))
    (1000, 50, 350)
    """
    if steps is not None:
        return steps
    if inputs is not None:
        return max(0, min(VISITED_STEPS, len(inputs) - burn_in))
    return VISITED_STEPS


def select_regions(model: Model, regions: str | Iterable[str] = "all", *, z0=None, steps=None, burn_in: int = 0,
                   inputs=None, max_regions: int = MAX_REGIONS) -> list[str]:
    """Resolve ``"all"``, ``"visited"`` or a list of bit strings to a list of regions."""
    if isinstance(regions, str) and regions == "all":
        return cells(model, max_regions)[0]
    if isinstance(regions, str) and regions == "visited":
        return visited_regions(model, z0, visited_steps(steps, burn_in, inputs), burn_in, inputs)
    if isinstance(regions, str):
        regions = [regions]
    out = [model.check_region(b) for b in regions]
    if not out:
        raise InputError("no regions given")
    return list(dict.fromkeys(out))


class RegionMatrices:
    """Region matrices of one model in each number domain, sharing the work.

    When A is diagonal the inactive units contribute their exact a_ii as
    eigenvalues and only S, the principal submatrix of A + W on the active
    units, needs more (proofs/07_region_structure.tex); ``structured`` says
    whether that applies.
    """

    def __new__(cls, model: Model):
        general = cls is RegionMatrices and not isinstance(model, PLRNN)
        return super().__new__(PatternRegionMatrices if general else cls)

    def __init__(self, model: Model):
        self.model = model
        self.M = model.M

    @cached_property
    def structured(self) -> bool:
        return self.model.A_is_diagonal and all(isinstance(self.model.A[i, i], sp.Rational) for i in range(self.M))

    @cached_property
    def _q(self):
        if not self.model.is_rational:
            raise InputError("exact mode needs rational weights (floats are fine); use mode='certified' "
                             "for irrational constants, or give values to the parameters")
        A = fmpq_matrix(self.model.A)
        AW = fmpq_matrix(self.model.A + self.model.W)
        return A, AW

    @cached_property
    def _diagonal_columns(self) -> dict[int, flint.fmpq]:
        """Units j whose column of A + W is zero off the diagonal, with the exact (A + W)_jj."""
        AW = self.model.A + self.model.W
        return {j: to_fmpq(AW[j, j]) for j in range(self.M) if isinstance(AW[j, j], sp.Rational)
                and all(AW[i, j] == 0 for i in range(self.M) if i != j)}

    @cached_property
    def _diag_points(self) -> list[flint.fmpq]:
        return [to_fmpq(self.model.A[i, i]) for i in range(self.M)]

    def exact(self, bits: str):
        """(H, points, S) over Q; points/S are the block-triangular split, or ((), None)."""
        H, points, S = self.exact_lazy(bits)
        return (H() if callable(H) else H), points, S

    def exact_lazy(self, bits: str):
        """As :meth:`exact`, but with the split H is a function that builds it:
        :func:`~plrnn_symbolic.region.spectrum.exact_spectrum` needs it only for a repeated factor."""
        A, AW = self._q
        M = self.M
        act = [b == "1" for b in bits]

        def H() -> flint.fmpq_mat:
            return flint.fmpq_mat(M, M, [AW[i, j] if act[j] else A[i, j] for i in range(M) for j in range(M)])

        if not self.structured:
            return H(), (), None
        on = [j for j in range(M) if act[j]]
        S = flint.fmpq_mat(len(on), len(on), [AW[i, j] for i in on for j in on])
        return H, [self._diag_points[j] for j in range(M) if not act[j]], S

    def _arb(self, prec: int):
        cache = self.__dict__.setdefault("_arb_cache", {})
        if prec not in cache:
            with working_precision(prec):
                if self.model.is_rational:
                    A, AW = self._q
                    cache[prec] = (acb_from_fmpq(A), acb_from_fmpq(AW))
                else:
                    cache[prec] = (flint.acb_mat(arb_matrix(self.model.A)),
                                   flint.acb_mat(arb_matrix(self.model.A + self.model.W)))
        return cache[prec]

    def ball(self, bits: str, prec: int):
        """(S, points) for :func:`plrnn_symbolic.region.spectrum.ball_spectrum` at ``prec`` bits."""
        A, AW = self._arb(prec)
        act = [b == "1" for b in bits]
        with working_precision(prec):
            if self.structured:
                # an active unit whose column of A + W is zero off the diagonal is an exact eigenvector
                # too: its diagonal entry joins the exact points (balls never separate repeated values)
                on = [j for j in range(self.M) if act[j] and j not in self._diagonal_columns]
                S = flint.acb_mat(len(on), len(on), [AW[i, j] for i in on for j in on]) if on else None
                return S, [self._diag_points[j] if not act[j] else self._diagonal_columns[j]
                           for j in range(self.M) if not act[j] or j in self._diagonal_columns]
            H = flint.acb_mat(self.M, self.M,
                              [AW[i, j] if act[j] else A[i, j] for i in range(self.M) for j in range(self.M)])
            return H, []

    @cached_property
    def _float(self):
        num = self.model.numeric
        AW = num.A + num.W
        # correctly rounded, as float(A_ij + W_ij) of the exact region matrix: a float sum rounds twice
        # where both weights are nonzero (off the usual convention, A diagonal and diag W = 0)
        for i, j in np.argwhere((num.A != 0) & (num.W != 0)):
            AW[i, j] = float(self.model.A[i, j] + self.model.W[i, j])
        return num.A, AW

    def float(self, bits: str) -> np.ndarray:
        """W_Omega in float64: each entry the exact entry rounded once (as ``region_matrix``'s, converted)."""
        A, AW = self._float
        act = np.array([b == "1" for b in bits])
        return np.where(act[None, :], AW, A)

    def float_batch(self, regions: Sequence[str]) -> np.ndarray:
        """All region matrices as one (n, M, M) array (for batched eigenvalues)."""
        A, AW = self._float
        act = (np.frombuffer("".join(regions).encode("ascii"), dtype=np.uint8) == ord("1")).reshape(len(regions), self.M)
        return np.where(act[:, None, :], AW[None], A[None])


class PatternRegionMatrices(RegionMatrices):
    """Region matrices W_Omega = A + W1 D W2 of the general form (THEORY section 8).

    ``RegionMatrices(model)`` builds one for any model that is not a PLRNN.  A
    column j of W_Omega that is zero off the diagonal is an exact eigenvector
    direction: after a permutation W_Omega is block upper triangular with that
    diagonal entry as a 1 x 1 block (proofs/07_region_structure.tex, Proposition
    7.9, the split of a PLRNN's inactive units), so its entry is an exact
    eigenvalue and only the rest, S, is enclosed or factorised.
    """

    structured = False

    @cached_property
    def _q(self):
        if not self.model.is_rational:
            raise InputError("exact mode needs rational weights (floats are fine); use mode='certified' "
                             "for irrational constants, or give values to the parameters")
        m = self.model
        return fmpq_matrix(m.A), fmpq_matrix(m.W1), fmpq_matrix(m.W2)

    def _exact_H(self, name: str) -> flint.fmpq_mat:
        A, W1, W2 = self._q
        on = [k for k, x in enumerate(self.model.pattern(name)) if x]
        if not on:
            return A
        W1D = flint.fmpq_mat(self.M, len(on), [W1[i, k] for i in range(self.M) for k in on])
        W2D = flint.fmpq_mat(len(on), self.M, [W2[k, j] for k in on for j in range(self.M)])
        return A + W1D * W2D

    def _split(self, H: flint.fmpq_mat):
        M = self.M
        diag = [j for j in range(M) if all(H[i, j] == 0 for i in range(M) if i != j)]
        rest = [j for j in range(M) if j not in diag]
        S = flint.fmpq_mat(len(rest), len(rest), [H[i, j] for i in rest for j in rest])
        return [H[j, j] for j in diag], S

    def exact_lazy(self, name: str):
        H = self._exact_H(name)
        points, S = self._split(H)
        if not points:
            return H, (), None
        return H, points, S

    def ball(self, name: str, prec: int):
        with working_precision(prec):
            if not self.model.is_rational:
                return flint.acb_mat(arb_matrix(self.model.region_affine(name)[0])), []
            points, S = self._split(self._exact_H(name))
            return (acb_from_fmpq(S) if S.nrows() else None), points

    @cached_property
    def _float(self):
        num = self.model.numeric
        return num.A, num.W1, num.W2

    def float(self, name: str) -> np.ndarray:
        A, W1, W2 = self._float
        on = np.array(self.model.pattern(name), dtype=bool)
        return A + W1[:, on] @ W2[on, :]

    def float_batch(self, regions: Sequence[str]) -> np.ndarray:
        A, W1, W2 = self._float
        d = np.array([self.model.pattern(r) for r in regions], dtype=float).reshape(len(regions), -1)
        return A[None] + np.einsum("ik,nk,kj->nij", W1, d, W2)


__all__ = ["MAX_REGIONS", "VISITED_STEPS", "PatternRegionMatrices", "RegionMatrices", "all_regions", "cells", "cells_note", "check_region", "region_affine", "region_matrix", "region_of", "select_regions", "visited_regions", "visited_steps"]
