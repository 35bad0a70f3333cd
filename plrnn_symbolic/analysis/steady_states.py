"""Steady states: fixed points of the map and equilibria of the region ODEs, with their types
(THEORY section 6).

* Fixed points.  In region Omega the map is z -> H z + h with H = W_Omega, so a
  fixed point solves (I - H) z* = h.  It is *real* if z* lies in Omega (z_i > 0
  where d_i = 1, z_i <= 0 where d_i = 0) and *virtual* otherwise.  When 1 is an
  eigenvalue of H the system is singular: it has no solution, or an affine set
  of solutions of dimension M - rank(I - H), which is real if it meets Omega.
  With rational weights all of this is decided over Q (FLINT ``fmpq_mat``);
  otherwise in floating point, labelled as such.
* Equilibria.  When 1 is not an eigenvalue of H, z* is the equilibrium of the
  region ODE dz/dt = L z + g (L z* + g = L (z* - (H - I)^{-1} h) = 0 by the
  textbook form of g).  The correspondence is checked, not assumed: each fixed
  point's region system is derived (float) and |L z* + g| is reported.
* Eigenvalues.  lambda of H maps to mu = log(lambda)/dt on the principal branch
  of the complex logarithm: a negative lambda gives mu = (log|lambda| + i pi)/dt,
  the rotation by pi that the paired or lifted real logarithm realises.
  |lambda| < 1 iff Re mu < 0.  lambda = 0 has no mu (the region is singular).

Types of a fixed point (discrete eigenvalues lambda, continuous mu):

* *stable node*: every |lambda| < 1 (Re mu < 0), all eigenvalues real;
* *stable focus*: every |lambda| < 1 and a complex pair;
* *unstable node* / *unstable focus*: every |lambda| > 1 (Re mu > 0);
* *saddle*: some |lambda| < 1 and some > 1, all real;
* *saddle-focus*: a saddle with a complex pair (M > 2; its unstable dimension
  says how many directions leave);
* *non-hyperbolic*: some |lambda| = 1 (Re mu = 0), including eigenvalue one.

Discrete names use the eigenvalues lambda and add "with flip" for a negative
real lambda; continuous names use mu, for which a negative lambda is a complex
pair (mu +- i pi / dt), so a discrete node with flip is a continuous focus.  A
zero eigenvalue (singular region) has no continuous name.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import flint
import numpy as np
from tqdm import tqdm

from ..core.domains import (
    EXACT,
    FLOAT,
    UNIT_CIRCLE_TOL,
    ExactDomain,
    FloatDomain,
    check_mode,
    fmpq_matrix,
    schur_stable,
    spectral_radius_below_one,
)
from ..core.errors import InputError
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, RegionMatrices, cells, region_affine

__all__ = [
    "UNIT_CIRCLE_TOL",
    "FixedPoint",
    "continuous_eigenvalues",
    "fixed_point_type",
    "fixed_points",
    "schur_stable",
    "spectral_radius_below_one",
]

class _RegionMaps:
    """The affine maps z -> W_Omega z + h_Omega of a model's regions, in one number domain
    (:class:`~plrnn_symbolic.core.domains.ExactDomain` over Q, or
    :class:`~plrnn_symbolic.core.domains.FloatDomain`), with the test whether a point lies in a
    region: what the fixed-point and cycle solvers ask.  The linear algebra is the domain's; the
    region matrices come from :class:`~plrnn_symbolic.model.regions.RegionMatrices`."""

    def __init__(self, model: PLRNN, domain):
        self.model, self.domain, self.name, self.M = model, domain, domain.name, model.M
        self.I = domain.identity(self.M)
        self._mats = RegionMatrices(model)
        self._bias: dict = {}
        plrnn = isinstance(model, PLRNN)
        if self.name == EXACT:   # exact weights may lie beyond the float64 range: no float views here
            self.h = fmpq_matrix(model.h) if plrnn else flint.fmpq_mat(self.M, 1)
            self._pre = None if plrnn else (fmpq_matrix(model.W2), fmpq_matrix(model.h2))
            G, c = (None, None) if plrnn else (domain.to_floats(self._pre[0]), domain.to_floats(self._pre[1]).ravel())
        else:
            num = model.numeric    # float views (refused, with one line, beyond the float64 range)
            self.h = num.h.reshape(-1, 1) if plrnn else np.zeros((self.M, 1))
            G, c = (None, None) if plrnn else (num.W2, num.h2)
        self._exits = (np.eye(self.M), np.zeros(self.M)) if plrnn else (G, c)
        self.mul, self.affine_solve, self.stable = domain.mul, domain.affine_solve, domain.stable
        self.floats, self.point_in_set, self.exact_text = domain.to_floats, domain.point_in_set, domain.exact_text

    def matrix(self, bits: str):
        return self._mats.exact(bits)[0] if self.name == EXACT else self._mats.float(bits)

    def bias(self, bits: str):
        """h_Omega: h for a PLRNN, h1 + W1 D h2 for the general form."""
        if isinstance(self.model, PLRNN):
            return self.h
        if bits not in self._bias:
            if self.name == EXACT:
                self._bias[bits] = fmpq_matrix(region_affine(self.model, bits)[1])
            else:
                num = self.model.numeric
                d = np.array(self.model.pattern(bits), dtype=float)
                self._bias[bits] = (num.h1 + num.W1 @ (d * num.h2)).reshape(-1, 1)
        return self._bias[bits]

    def exits(self) -> tuple[np.ndarray, np.ndarray]:
        """(G, c): the exit functions G z + c as floats (the coordinates, or W2 z + h2)."""
        return self._exits

    def inside(self, z, bits: str) -> bool:
        """Whether z lies in region ``bits`` (exactly, or within the float tolerance)."""
        if self.name == EXACT:
            pre = z if self._pre is None else self._pre[0] * z + self._pre[1]
        else:
            G, c = self._exits
            pre = G @ np.asarray(z, dtype=float).ravel() + c
        return self.domain.in_cell(pre, self.model.pattern(bits))


def _linalg(model: PLRNN, mode: str) -> _RegionMaps:
    if model.is_symbolic:
        raise InputError(f"the model has free parameters {sorted(map(str, model.symbols))}: give them values first")
    if mode == EXACT and not model.is_rational:
        raise InputError("exact mode needs rational weights (floats are fine); use mode='float'")
    return _RegionMaps(model, ExactDomain() if mode == EXACT else FloatDomain())


def _meet_region(la, p, N, bits: str):
    """A point of the affine set p + span(N) inside region ``bits``, or None.

    Linear programme (float): maximise t <= 1 subject to z_i >= t where d_i = 1
    and z_i <= 0 where d_i = 0, z = p + N y.  The optimum's y is rounded and the
    point re-checked in the domain, so a point returned is in the region for sure;
    None (t <= 0) is a floating-point finding.
    """
    from scipy.optimize import linprog

    pf, Nf = la.floats(p).ravel(), la.floats(N)
    G, c = la.exits()                       # exit functions G z + c: the coordinates of a PLRNN
    pattern = la.model.pattern(bits)
    sign = np.array([-1.0 if d else 1.0 for d in pattern])  # rows: sign * (G z + c) (+ t for active) <= 0
    active = np.array(pattern, dtype=float)
    A_ub = np.hstack([sign[:, None] * (G @ Nf), active[:, None]])
    b_ub = -sign * (G @ pf + c)
    d = Nf.shape[1]
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=A_ub, b_ub=b_ub,
                  bounds=[(None, None)] * d + [(None, 1.0)], method="highs")
    if res.status != 0 or -res.fun <= 1e-12:
        return None
    z = la.point_in_set(p, N, res.x[:d])
    return z if la.inside(z, bits) else None


# ---- eigenvalues and types ---------------------------------------------------------------------
def continuous_eigenvalues(lam: Sequence[complex], dt: float) -> list[complex | None]:
    """mu = log(lambda)/dt on the principal branch; None for lambda = 0.

    A negative lambda takes the branch Im log = +pi: mu = (log|lambda| + i pi)/dt.

    >>> import math
    >>> continuous_eigenvalues([math.e, -1.0, 0.0], 2.0)
    [(0.5+0j), 1.5707963267948966j, None]
    """
    out: list[complex | None] = []
    for v in lam:
        v = complex(v)
        if v == 0:
            out.append(None)
            continue
        if abs(v.imag) <= UNIT_CIRCLE_TOL * abs(v):
            v = complex(v.real, 0.0)  # +0.0: a negative real lambda takes +i pi
        out.append(complex(np.log(v)) / dt)
    return out


def _type_name(growth: np.ndarray, rotating: bool) -> str:
    """growth: log-moduli (Re mu dt); rotating: a complex pair in this picture."""
    if np.any(np.abs(growth) <= UNIT_CIRCLE_TOL):
        return "non-hyperbolic"
    up, down = np.any(growth > 0), np.any(growth < 0)
    if up and down:
        return "saddle-focus" if rotating else "saddle"
    return ("unstable " if up else "stable ") + ("focus" if rotating else "node")


def fixed_point_type(lam: Sequence[complex], dt: float = 1.0) -> tuple[str, str | None, int]:
    """(discrete type, continuous type, unstable dimension) from the eigenvalues of W_Omega.

    See the module docstring for the names.

    >>> fixed_point_type([0.5, -2.0])
    ('saddle with flip', 'saddle-focus', 1)
    >>> fixed_point_type([0.5 + 0.5j, 0.5 - 0.5j])
    ('stable focus', 'stable focus', 0)
    """
    lam = np.asarray(lam, dtype=complex)
    mod = np.abs(lam)
    unstable = int((mod > 1 + UNIT_CIRCLE_TOL).sum())
    with np.errstate(divide="ignore"):
        growth = np.log(mod)
    tol = UNIT_CIRCLE_TOL * np.maximum(mod, 1.0)
    cplx = np.abs(lam.imag) > tol
    flip = (~cplx) & (lam.real < -tol)
    discrete = _type_name(growth, bool(cplx.any())) + (" with flip" if flip.any() else "")
    continuous = None if np.any(mod == 0) else _type_name(growth, bool((cplx | flip).any()))
    return discrete, continuous, unstable


def _pairs(values) -> list[list[float] | None]:
    return [None if v is None else [float(complex(v).real), float(complex(v).imag)] for v in values]


# ---- the region systems, derived once ---------------------------------------------------------------
def _float_systems(model: PLRNN):
    """Float region systems of ``model``, derived on demand and kept (an empty ContinuousPLRNN)."""
    from .transform import ContinuousPLRNN

    return ContinuousPLRNN(model, {}, FLOAT)


def _equilibrium(system, z: np.ndarray) -> dict[str, Any]:
    """|L G z* + g| and the stability of the derived ODE at z* (G z* is the lifted point)."""
    if not system.derived:
        return {"status": system.status, "residual": None, "ode_stable": None, "ode_eigenvalues": None}
    zt = system.G @ z
    mu = np.linalg.eigvals(system.L)
    return {"status": system.status, "residual": float(np.abs(system.field(zt)).max()),
            "ode_stable": bool(mu.real.max() < 0), "ode_eigenvalues": mu}


# ---- results ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FixedPoint:
    """A fixed point of region ``region`` (an affine set when ``dimension`` > 0).

    ``z`` is the point (for an affine set: a point of it, inside the region when
    the set is real); ``basis`` spans the set's directions; ``z_exact`` holds the
    rationals in exact mode.  ``equilibrium`` reports the derived ODE at z:
    status, |L z + g| (``residual``), its stability and eigenvalues.
    """

    region: str
    z: np.ndarray
    real: bool
    stable: bool
    eigenvalues: np.ndarray
    dt: float
    method: str
    dimension: int = 0
    basis: np.ndarray | None = None
    z_exact: list[str] | None = None
    real_method: str = ""
    equilibrium: dict[str, Any] | None = None

    @property
    def eigenvalues_continuous(self) -> list[complex | None]:
        return continuous_eigenvalues(self.eigenvalues, self.dt)

    @property
    def types(self) -> tuple[str, str | None, int]:
        return fixed_point_type(self.eigenvalues, self.dt)

    def to_dict(self) -> dict[str, Any]:
        discrete, continuous, unstable = self.types
        out: dict[str, Any] = {
            "region": self.region, "z": self.z.tolist(), "real": self.real, "stable": self.stable,
            "eigenvalues_discrete": _pairs(self.eigenvalues),
            "eigenvalues_continuous": _pairs(self.eigenvalues_continuous),
            "type_discrete": discrete, "type_continuous": continuous, "unstable_dimension": unstable,
            "dimension": self.dimension, "method": self.method, "real_method": self.real_method,
        }
        if self.z_exact is not None:
            out["z_exact"] = self.z_exact
        if self.basis is not None:
            out["basis"] = self.basis.T.tolist()
        if self.equilibrium is not None:
            eq = dict(self.equilibrium)
            if eq.get("ode_eigenvalues") is not None:
                eq["ode_eigenvalues"] = _pairs(eq["ode_eigenvalues"])
            out["equilibrium"] = eq
        return out


def _finite(x) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(x, dtype=float)]


# ---- fixed points ---------------------------------------------------------------------------------------
def fixed_points(model: PLRNN, mode: str = EXACT, *, regions: Sequence[str] | None = None,
                 max_regions: int = MAX_REGIONS, equilibria: str = "real",
                 progress: bool = False) -> tuple[list[FixedPoint], list[str]]:
    """The fixed points of every region, real and virtual, and the regions without one.

    Parameters
    ----------
    model : PLRNN
        Inputs are held at zero.
    mode : "exact" or "float"
        exact: (I - W_Omega) z = h over Q and an exact membership test (rational
        weights); float: numpy, with a 1e-9 tolerance.
    regions : list of bit strings, optional
        Default all 2^M regions (refused above ``max_regions``).
    equilibria : "real", "all" or "none"
        Which fixed points get their region ODE derived (float) and |L z + g| reported.

    Returns
    -------
    (fixed points, regions whose equation has no solution)

    Examples
    --------
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 0], [0, 0]], h=[1, -1])
    >>> fps, none = fixed_points(m)
    >>> [(fp.region, fp.z.tolist(), fp.real, fp.stable) for fp in fps if fp.real]
    [('10', [2.0, -2.0], True, True)]
    """
    check_mode(mode)
    if mode not in (EXACT, FLOAT):
        raise InputError("fixed points are computed in exact or float mode")
    if equilibria not in ("real", "all", "none"):
        raise InputError("equilibria must be 'real', 'all' or 'none'")
    la = _linalg(model, mode)
    names = cells(model, max_regions)[0] if regions is None else list(regions)
    mats = RegionMatrices(model)
    dtf = float(model.dt)
    found: list[FixedPoint] = []
    none: list[str] = []
    bar = tqdm(names, desc=f"fixed points ({mode})", unit="region", disable=None if progress and len(names) >= 256 else True,
               file=sys.stderr, leave=False)
    for k in range(0, len(names), 4096):
        chunk = names[k:k + 4096]
        lams = np.linalg.eigvals(mats.float_batch(chunk))
        for bits, lam in zip(chunk, lams):
            bar.update(1)
            H = la.matrix(bits)
            sol = la.affine_solve(la.I - H, la.bias(bits))
            if sol is None:
                none.append(bits)
                continue
            p, N = sol
            if N is None:
                z, real, how = p, la.inside(p, bits), mode
            else:
                w = _meet_region(la, p, N, bits)
                z, real = (p, False) if w is None else (w, True)
                how = f"{mode} ({'point checked' if real else 'linear programme, float'})"
            found.append(FixedPoint(
                region=bits, z=la.floats(z).ravel(), real=real, stable=la.stable(H), eigenvalues=lam, dt=dtf,
                method=mode, dimension=0 if N is None else N.ncols() if mode == EXACT else N.shape[1],
                basis=None if N is None else la.floats(N), z_exact=la.exact_text(z), real_method=how))
    bar.close()
    if equilibria != "none":
        found = _with_equilibria(model, found, equilibria)
    return found, none


def _with_equilibria(model: PLRNN, found: list[FixedPoint], which: str) -> list[FixedPoint]:
    todo = [fp for fp in found if fp.real or which == "all"]
    systems = _float_systems(model)
    systems.prefetch([fp.region for fp in todo])
    out = []
    for fp in found:
        if fp.real or which == "all":
            fp = FixedPoint(**{**fp.__dict__, "equilibrium": _equilibrium(systems.system(fp.region), fp.z)})
        out.append(fp)
    return out
