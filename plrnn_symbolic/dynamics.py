"""``dynamics``: fixed points, cycles and Lyapunov exponents on both sides of the
translation (THEORY section 6).

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
* Cycles.  A k-cycle visiting Omega_1, ..., Omega_k solves the k-step affine
  equation z_1 = P z_1 + c with P = H_k ... H_1; it is a cycle iff every point
  lies in its region.  By E3 it is a periodic orbit of period k dt of the
  sample-and-hold (hybrid) system whenever every region on it has a derived
  system; the autonomous system keeps it when E1 holds on every step.
* Lyapunov exponents of the map by the QR method (Benettin et al. 1980; Eckmann
  & Ruelle 1985), the Jacobian at z being W_Omega(z).  The hybrid system's are
  exactly the map's divided by dt.  The autonomous system's are measured (float)
  along its simulated trajectory, with saltation matrices at the switches
  (:func:`lyapunov_autonomous`).

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
from dataclasses import dataclass, field
from typing import Any

import flint
import numpy as np
from tqdm import tqdm

from .domains import EXACT, FLOAT, check_mode, fmpq_matrix, fmpq_to_float, working_precision
from .errors import InputError
from .model import PLRNN
from .regions import MAX_REGIONS, RegionMatrices, all_regions, region_of
from .truth import FAILS, HOLDS

UNIT_CIRCLE_TOL = 1e-9
DERIVED = ("principal", "real_nonprincipal", "lifted")


# ---- exact stability ---------------------------------------------------------------------
def schur_stable(p: flint.fmpq_poly) -> bool:
    """All roots of ``p`` strictly inside the unit disk, decided over Q.

    Schur-Cohn (Jury) test: p of degree n >= 1 is Schur stable iff
    |p(0)| < |lead(p)| and T p = (lead(p) p - p(0) p*) / z is Schur stable,
    with p* the reversed polynomial (Jury 1964, "Theory and Application of the
    z-Transform Method"; Henrici 1974, Thm 6.8b).

    >>> schur_stable(flint.fmpq_poly([flint.fmpq(1, 4), 0, 1]))   # z^2 + 1/4
    True
    >>> schur_stable(flint.fmpq_poly([1, 0, 1]))                  # z^2 + 1, roots on the circle
    False
    """
    c = list(p.coeffs())
    while len(c) > 1:
        a0, an = c[0], c[-1]
        if abs(a0) >= abs(an):
            return False
        n = len(c) - 1
        c = [an * c[i] - a0 * c[n - i] for i in range(1, n + 1)]
    return True


def spectral_radius_below_one(p: flint.fmpq_poly) -> bool:
    """All roots of ``p`` strictly inside the unit disk, decided exactly, fast.

    FLINT isolates the roots in certified enclosures (at 64 bits, then 256); when
    every modulus is proved < 1, or one proved > 1, that decides it.  Only when a
    modulus enclosure still contains 1 (a root on the unit circle, or very near
    it) does :func:`schur_stable` decide over Q.  Same answer as
    :func:`schur_stable`, whose coefficients grow exponentially with the degree
    when the weights are floats (5 ms per 10 x 10 region against 0.2 ms).

    >>> spectral_radius_below_one(flint.fmpq_poly([flint.fmpq(1, 4), 0, 1]))   # z^2 + 1/4
    True
    >>> spectral_radius_below_one(flint.fmpq_poly([-1, 1]))                     # z - 1
    False
    """
    for prec in (64, 256):
        with working_precision(prec):
            moduli = [abs(r) for r, _ in p.complex_roots()]
        if all(x < 1 for x in moduli):
            return True
        if any(x > 1 for x in moduli):
            return False
    return schur_stable(p)


# ---- number domains -------------------------------------------------------------------------
class _ExactLinalg:
    """Affine algebra over Q (FLINT), for rational weights."""

    name = EXACT

    def __init__(self, model: PLRNN):
        self.M = model.M
        self.A = fmpq_matrix(model.A)
        self.AW = fmpq_matrix(model.A + model.W)
        self.h = fmpq_matrix(model.h)
        self.I = flint.fmpq_mat(self.M, self.M, [int(i == j) for i in range(self.M) for j in range(self.M)])

    def matrix(self, bits: str) -> flint.fmpq_mat:
        M, A, AW = self.M, self.A, self.AW
        return flint.fmpq_mat(M, M, [AW[i, j] if bits[j] == "1" else A[i, j] for i in range(M) for j in range(M)])

    @staticmethod
    def mul(X, Y):
        return X * Y

    def affine_solve(self, K, b):
        """Solutions of K z = b: (particular, basis of the null space as columns) or None."""
        M = self.M
        try:
            return K.solve(b), None
        except ZeroDivisionError:
            pass
        aug = flint.fmpq_mat(M, M + 1, [K[i, j] if j < M else b[i, 0] for i in range(M) for j in range(M + 1)])
        R, rank = aug.rref()
        pivots = []
        for r in range(rank):
            pivots.append(next(j for j in range(M + 1) if R[r, j] != 0))
        if pivots and pivots[-1] == M:
            return None
        p = flint.fmpq_mat(M, 1)
        for r, j in enumerate(pivots):
            p[j, 0] = R[r, M]
        free = [j for j in range(M) if j not in pivots]
        N = flint.fmpq_mat(M, len(free))
        for k, f in enumerate(free):
            N[f, k] = 1
            for r, j in enumerate(pivots):
                N[j, k] = -R[r, f]
        return p, N

    @staticmethod
    def inside(z, bits: str) -> bool:
        return all((z[i, 0] > 0) == (b == "1") for i, b in enumerate(bits))

    @staticmethod
    def floats(X) -> np.ndarray:
        return np.array([[fmpq_to_float(x) for x in row] for row in X.tolist()], dtype=float)

    def point_in_set(self, p, N, y: np.ndarray):
        """p + N y with y rounded to rationals: exactly a point of the affine set."""
        yq = flint.fmpq_mat(N.ncols(), 1, [flint.fmpq(*float(v).as_integer_ratio()) for v in y])
        return p + N * yq

    def stable(self, P) -> bool:
        return spectral_radius_below_one(P.charpoly())

    @staticmethod
    def exact_text(z) -> list[str]:
        return [str(z[i, 0]) for i in range(z.nrows())]


class _FloatLinalg:
    """The same operations in floating point (tolerance-based, labelled float)."""

    name = FLOAT

    def __init__(self, model: PLRNN):
        num = model.numeric
        self.M, self.A, self.AW = num.M, num.A, num.A + num.W
        self.h = num.h.reshape(-1, 1)
        self.I = np.eye(self.M)

    def matrix(self, bits: str) -> np.ndarray:
        return np.where(np.array([b == "1" for b in bits])[None, :], self.AW, self.A)

    @staticmethod
    def mul(X, Y):
        return X @ Y

    def affine_solve(self, K, b):
        U, s, Vt = np.linalg.svd(K)
        tol = 1e-10 * max(1.0, s[0])
        rank = int((s > tol).sum())
        p = Vt[:rank].T @ ((U[:, :rank].T @ b) / s[:rank, None])
        if np.abs(K @ p - b).max() > 1e-8 * max(1.0, np.abs(b).max()):
            return None
        return p, (None if rank == self.M else Vt[rank:].T)

    @staticmethod
    def inside(z, bits: str, tol: float = 1e-9) -> bool:
        z = np.asarray(z, dtype=float).ravel()
        on = np.array([b == "1" for b in bits])
        return bool(np.all(z[on] > -tol) and np.all(z[~on] <= tol))

    @staticmethod
    def floats(X) -> np.ndarray:
        return np.asarray(X, dtype=float)

    @staticmethod
    def point_in_set(p, N, y):
        return p + N @ np.asarray(y, dtype=float).reshape(-1, 1)

    @staticmethod
    def stable(P) -> bool:
        return bool(np.abs(np.linalg.eigvals(P)).max(initial=0.0) < 1 - UNIT_CIRCLE_TOL)

    @staticmethod
    def exact_text(z) -> None:
        return None


def _linalg(model: PLRNN, mode: str):
    if model.is_symbolic:
        raise InputError(f"the model has free parameters {sorted(map(str, model.symbols))}: give them values first")
    if mode == EXACT and not model.is_rational:
        raise InputError("exact mode needs rational weights (floats are fine); use mode='float'")
    return _ExactLinalg(model) if mode == EXACT else _FloatLinalg(model)


def _meet_region(la, p, N, bits: str):
    """A point of the affine set p + span(N) inside region ``bits``, or None.

    Linear programme (float): maximise t <= 1 subject to z_i >= t where d_i = 1
    and z_i <= 0 where d_i = 0, z = p + N y.  The optimum's y is rounded and the
    point re-checked in the domain, so a point returned is in the region for sure;
    None (t <= 0) is a floating-point finding.
    """
    from scipy.optimize import linprog

    pf, Nf = la.floats(p).ravel(), la.floats(N)
    sign = np.array([-1.0 if b == "1" else 1.0 for b in bits])  # rows: sign * z (+ t for active) <= 0
    active = np.array([b == "1" for b in bits], dtype=float)
    A_ub = np.hstack([sign[:, None] * Nf, active[:, None]])
    b_ub = -sign * pf
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
class _Systems:
    """Float region systems (:func:`plrnn_symbolic.transform.derive`), derived on demand and cached."""

    def __init__(self, model: PLRNN):
        self.model = model
        self._cache: dict = {}

    def __getitem__(self, bits: str):
        if bits not in self._cache:
            from .transform import derive

            self._cache[bits] = derive(self.model, [bits], mode=FLOAT)[bits]
        return self._cache[bits]

    def prefetch(self, regions: Sequence[str]):
        from .transform import derive

        todo = [b for b in dict.fromkeys(regions) if b not in self._cache]
        if todo:
            self._cache.update(derive(self.model, todo, mode=FLOAT).systems)


def _equilibrium(system, z: np.ndarray) -> dict[str, Any]:
    """|L G z* + g| and the stability of the derived ODE at z* (G z* is the lifted point)."""
    if not system.derived:
        return {"status": system.status, "residual": None, "ode_stable": None, "ode_eigenvalues": None}
    zt = system.G @ z
    mu = np.linalg.eigvals(system.L)
    return {"status": system.status, "residual": float(np.abs(system.L @ zt + system.g).max()),
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


@dataclass(frozen=True)
class Cycle:
    """A k-cycle z_1 -> ... -> z_k -> z_1 of the map, z_n in region ``regions[n]``.

    ``multipliers`` are the eigenvalues of P = W_k ... W_1; ``hybrid`` says whether
    it is a periodic orbit of period k dt of the sample-and-hold system (E3: every
    region on it has a derived system; in the lifted dimension where a region is
    lifted); ``e1_failures`` lists the steps whose region flow is proved to leave
    its region within the step and ``e1_undecided`` those not decided (rigorous
    zero enclosures, as in :func:`plrnn_symbolic.simulate`); the autonomous system
    keeps the orbit when every step is proved to hold (THEORY E2).
    """

    period: int
    regions: tuple[str, ...]
    points: np.ndarray
    multipliers: np.ndarray
    stable: bool
    method: str
    dt: float
    points_exact: list[list[str]] | None = None
    hybrid: bool | None = None
    hybrid_note: str = ""
    e1_failures: tuple[int, ...] | None = None
    e1_undecided: tuple[int, ...] = ()

    @property
    def autonomous_keeps_it(self) -> bool | None:
        """True when E1 is proved on every step, False when it is proved to fail on one, else None."""
        if self.e1_failures is None:
            return None
        if self.e1_failures:
            return False
        return None if self.e1_undecided else True

    @property
    def lyapunov(self) -> np.ndarray:
        """Exponents of the cycle per step: log|multiplier| / k, sorted."""
        with np.errstate(divide="ignore"):
            return np.sort(np.log(np.abs(self.multipliers)) / self.period)[::-1]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "period": self.period, "period_time": self.period * self.dt, "regions": list(self.regions),
            "points": self.points.tolist(), "stable": self.stable, "multipliers": _pairs(self.multipliers),
            "method": self.method, "hybrid_periodic_orbit": self.hybrid, "hybrid_note": self.hybrid_note,
            "e1_failures": None if self.e1_failures is None else list(self.e1_failures),
            "e1_undecided": list(self.e1_undecided),
            "autonomous_keeps_it": self.autonomous_keeps_it,
        }
        if self.points_exact is not None:
            out["points_exact"] = self.points_exact
        return out


def _finite(x) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(x, dtype=float)]


@dataclass(frozen=True)
class DynamicsReport:
    """Fixed points, cycles and Lyapunov spectra of one model (see :func:`dynamics`)."""

    model: PLRNN
    mode: str
    fixed_points: list[FixedPoint]
    no_fixed_point: list[str]
    cycles: list[Cycle]
    lyapunov_discrete: np.ndarray | None
    lyapunov_continuous: np.ndarray | None
    regions_swept: int
    notes: list[str] = field(default_factory=list)
    lyapunov_autonomous: AutonomousLyapunov | None = None     # only when asked (a simulation)

    @property
    def real_fixed_points(self) -> list[FixedPoint]:
        return [fp for fp in self.fixed_points if fp.real]

    def to_dict(self, virtual: bool = True) -> dict[str, Any]:
        m = self.model
        return {
            "model": {"M": m.M, "K": m.K, "dt": str(m.dt), "name": m.name},
            "mode": self.mode, "regions_swept": self.regions_swept, "notes": list(self.notes),
            "fixed_points": [fp.to_dict() for fp in self.fixed_points if virtual or fp.real],
            "no_fixed_point": list(self.no_fixed_point),
            "cycles": [c.to_dict() for c in self.cycles],
            "lyapunov_discrete": None if self.lyapunov_discrete is None else _finite(self.lyapunov_discrete),
            "lyapunov_continuous": None if self.lyapunov_continuous is None else _finite(self.lyapunov_continuous),
            **({} if self.lyapunov_autonomous is None else {"lyapunov_autonomous": self.lyapunov_autonomous.to_dict()}),
        }

    def table(self, max_rows: int = 20) -> str:
        m = self.model
        real = self.real_fixed_points
        lines = [(f"model {m.name or '(unnamed)'}: M = {m.M}, dt = {m.dt}, {self.regions_swept} regions, "
                  f"mode {self.mode}")]
        lines += [f"note: {n}" for n in self.notes]
        lines.append("")
        n_sets = sum(fp.dimension > 0 for fp in self.fixed_points)
        lines.append(f"fixed points: {len(real)} real, {len(self.fixed_points) - len(real)} virtual"
                     + (f" ({n_sets} affine sets)" if n_sets else "")
                     + (f"; {len(self.no_fixed_point)} regions without any (eigenvalue one)"
                        if self.no_fixed_point else ""))
        with np.printoptions(precision=4, suppress=True, linewidth=120):
            for fp in real[:max_rows]:
                d, c, u = fp.types
                rad = np.abs(fp.eigenvalues).max(initial=0.0)
                eq = fp.equilibrium or {}
                res = eq.get("residual")
                lines.append(f"  {fp.region}  z = {fp.z}" + (f"  (+ span of {fp.dimension})" if fp.dimension else ""))
                lines.append(f"      {'stable' if fp.stable else 'unstable'}, {d} (continuous: {c}), "
                             f"spectral radius {rad:.6g}, unstable dimension {u}"
                             + (f"; ODE {eq.get('status')}, |L z + g| = {res:.2e}" if res is not None else
                                (f"; ODE {eq.get('status')}" if eq else "")))
            if len(real) > max_rows:
                lines.append(f"  ... and {len(real) - max_rows} more (use --json for all)")
            if self.cycles:
                lines.append("")
                lines.append(f"cycles: {len(self.cycles)}")
                for c in self.cycles[:max_rows]:
                    rad = np.abs(c.multipliers).max(initial=0.0)
                    keeps = c.autonomous_keeps_it
                    auto = ("" if c.e1_failures is None else
                            "; autonomous system keeps it (E1 proved on every step)" if keeps else
                            f"; E1 fails on {len(c.e1_failures)} of {c.period} steps" if keeps is False else
                            f"; E1 undecided on {len(c.e1_undecided)} of {c.period} steps")
                    lines.append(f"  period {c.period} ({c.period * c.dt:g} time units): "
                                 f"{'stable' if c.stable else 'unstable'}, max |multiplier| {rad:.6g}, "
                                 f"{len(set(c.regions))} regions, "
                                 f"hybrid periodic orbit: {'yes' if c.hybrid else 'no'}{auto}")
            if self.lyapunov_discrete is not None:
                lines.append("")
                lines.append(f"Lyapunov exponents (map, per step):     {np.asarray(self.lyapunov_discrete)}")
                lines.append(f"Lyapunov exponents (hybrid, per time):  {np.asarray(self.lyapunov_continuous)}")
            if self.lyapunov_autonomous is not None:
                a = self.lyapunov_autonomous
                lines.append(f"Lyapunov exponents (autonomous, measured, per time): {np.asarray(a.exponents)}")
                lines.append(f"  ({a.switches} switches in {a.time:g} time units; {a.method})")
        return "\n".join(lines)


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
    names = all_regions(model.M, max_regions) if regions is None else list(regions)
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
            sol = la.affine_solve(la.I - H, la.h)
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
    systems = _Systems(model)
    systems.prefetch([fp.region for fp in todo])
    out = []
    for fp in found:
        if fp.real or which == "all":
            fp = FixedPoint(**{**fp.__dict__, "equilibrium": _equilibrium(systems[fp.region], fp.z)})
        out.append(fp)
    return out


# ---- cycles --------------------------------------------------------------------------------------------------
def _canonical(seq: Sequence[str]) -> tuple[str, ...]:
    k = len(seq)
    return min(tuple(seq[i:]) + tuple(seq[:i]) for i in range(k))


def _solve_cycle(la, seq: Sequence[str], guess: np.ndarray | None = None):
    """The k-cycle through the region sequence, checked point by point, or None."""
    P, c = la.I, la.h * 0
    mats = [la.matrix(b) for b in seq]
    for H in mats:
        P, c = la.mul(H, P), la.mul(H, c) + la.h
    sol = la.affine_solve(la.I - P, c)
    if sol is None:
        return None
    z, N = sol
    if N is not None:  # a continuum of k-periodic points: take the one nearest the guess
        if guess is None:
            return None
        Nf = la.floats(N)
        y = np.linalg.lstsq(Nf, guess.reshape(-1, 1) - la.floats(z), rcond=None)[0].ravel()
        z = la.point_in_set(z, N, y)
    points = []
    for bits, H in zip(seq, mats):
        if not la.inside(z, bits):
            return None
        points.append(z)
        z = la.mul(H, z) + la.h
    return points, P


def _minimal_period(points: list[np.ndarray], tol: float) -> int:
    k = len(points)
    for p in range(1, k + 1):
        if k % p == 0 and all(np.abs(points[i] - points[(i + p) % k]).max() <= tol for i in range(k)):
            return p
    return k


def _make_cycle(la, seq, points, P, dtf: float) -> Cycle | None:
    F = [la.floats(z).ravel() for z in points]
    scale = 1e-12 * max(1.0, max(np.abs(x).max() for x in F))
    if _minimal_period(F, 0.0 if la.name == EXACT else scale) != len(seq):
        return None
    if la.name != EXACT:
        # the tolerance lets a point on a boundary (z_i ~ 0) pass for either side; the map is
        # continuous there, so relabel by the convention z_i = 0 -> inactive and use those matrices
        seq = tuple(region_of(np.where(np.abs(z) <= 1e-9, 0.0, z)) for z in F)
        P = la.I
        for bits in seq:
            P = la.mul(la.matrix(bits), P)
    mult = np.linalg.eigvals(la.floats(P))
    exact = None if la.name != EXACT else [la.exact_text(z) for z in points]
    # rotate so that the canonical region sequence comes first
    k = len(seq)
    i0 = min(range(k), key=lambda i: (tuple(seq[i:]) + tuple(seq[:i]), tuple(F[i])))
    rot = list(range(i0, k)) + list(range(i0))
    return Cycle(k, tuple(seq[i] for i in rot), np.array([F[i] for i in rot]), mult, la.stable(P), la.name, dtf,
                 None if exact is None else [exact[i] for i in rot])


def _sequences(M: int, k: int):
    regions = all_regions(M, 2**M)
    for idx in np.ndindex(*([2**M] * k)):
        seq = tuple(regions[i] for i in idx)
        if _canonical(seq) == seq:
            yield seq


def _search_starts(model: PLRNN, n: int, rng: np.random.Generator, spread: float | None) -> np.ndarray:
    num = model.numeric
    z0 = num.z0 if num.z0 is not None else np.zeros(model.M)
    X = num.trajectory(z0, 500)
    X = X[np.all(np.isfinite(X), axis=1)]
    centre = X.mean(axis=0)
    width = spread if spread is not None else 2 * np.maximum(X.std(axis=0), 1.0)
    return centre + width * rng.uniform(-1, 1, size=(n, model.M))


def _orbits(model: PLRNN, starts: np.ndarray, steps: int) -> np.ndarray:
    """Float trajectories of many starts at once: (steps + 1, n, M)."""
    num = model.numeric
    out = np.empty((steps + 1, *starts.shape))
    out[0] = starts
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            Z = out[t]
            out[t + 1] = Z @ num.A.T + np.maximum(Z, 0) @ num.W.T + num.h
    return out


def find_cycles(model: PLRNN, max_period: int, mode: str = EXACT, *, exhaustive: bool | None = None,
           max_sequences: int = 2**16, starts: int = 200, steps: int = 3000, seed: int = 0,
           spread: float | None = None, check_flow: bool = True, progress: bool = False) -> list[Cycle]:
    """k-cycles of the map for k = 2 .. ``max_period`` (fixed points are k = 1).

    Exhaustive over region sequences (up to rotation) while 2^(M k) <= ``max_sequences``
    (or when ``exhaustive`` is True); otherwise a search: ``starts`` random
    initial states iterated in floating point, whose attracting cycles and every
    region sequence of length <= 8 seen along the way (which also catches
    unstable cycles near the attractor) are solved in ``mode`` and checked point
    by point.  A search finds cycles; it does not prove there are no others.

    Examples
    --------
    >>> m = PLRNN(A=[[0, 0], [0, 0]], W=[[0, -1], [1, 0]], h=[1, 0])
    >>> [(c.period, c.regions, c.points.tolist()) for c in find_cycles(m, 4)]
    [(4, ('00', '10', '11', '01'), [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])]
    """
    la = _linalg(model, mode)
    if max_period < 2:
        return []
    dtf = float(model.dt)
    found: dict[tuple, Cycle] = {}

    def add(seq, guess=None):
        r = _solve_cycle(la, seq, guess)
        if r is None:
            return
        c = _make_cycle(la, seq, *r, dtf)
        if c is not None:
            key = (c.regions, tuple(np.round(c.points[0], 9)))
            found.setdefault(key, c)

    ks = range(2, max_period + 1)
    full = [k for k in ks if (exhaustive if exhaustive is not None else 2 ** (model.M * k) <= max_sequences)]
    for k in full:
        total = 2 ** (model.M * k)
        for seq in tqdm(_sequences(model.M, k), total=total // k, desc=f"{k}-cycles", unit="sequence",
                        disable=None if progress and total >= 4096 else True, file=sys.stderr, leave=False):
            add(seq)
    searched = [k for k in ks if k not in full]
    if searched:
        _search(model, searched, starts, steps, seed, spread, add)
    out = sorted(found.values(), key=lambda c: (c.period, c.regions))
    if check_flow and out:
        out = _with_flows(model, out)
    return out


def _search(model, ks, starts, steps, seed, spread, add, max_candidates: int = 20000):
    """Candidate region sequences of the periods ``ks`` from float orbits, passed to ``add``."""
    rng = np.random.default_rng(seed)
    X = _orbits(model, _search_starts(model, starts, rng, spread), steps)
    ok = np.all(np.isfinite(X), axis=(0, 2)) & (np.abs(X).max(axis=(0, 2)) < 1e12)
    X = X[:, ok]
    if X.shape[1] == 0:
        return
    scale = max(1.0, float(np.abs(X[-1]).max()))
    rows, ids = np.unique((X > 0).reshape(-1, model.M), axis=0, return_inverse=True)
    names = ["".join("1" if b else "0" for b in row) for row in rows]
    ids = ids.reshape(X.shape[:2])
    for k in ks:  # attracting k-cycles: the end of the orbit repeats after k steps
        for j in np.flatnonzero(np.abs(X[-1 - k] - X[-1]).max(axis=1) <= 1e-8 * scale):
            add(tuple(names[i] for i in ids[-1 - k:-1, j]), X[-1 - k, j])
    # every region sequence met along the orbits: window codes built one step at a time
    n = ids.shape[1]
    code, width = ids, len(names)
    seen: set[tuple] = set()
    for k in range(2, max((k for k in ks if k <= 8), default=1) + 1):
        pair = code[:-1].astype(np.int64) * width + ids[k - 1:]
        uniq, first, inv = np.unique(pair.ravel(), return_index=True, return_inverse=True)
        code, width = inv.reshape(pair.shape), len(uniq)
        if k not in ks:
            continue
        for f in first:
            t, j = divmod(int(f), n)
            seq = _canonical(tuple(names[i] for i in ids[t:t + k, j]))
            if seq not in seen:
                seen.add(seq)
                if len(seen) > max_candidates:
                    return
                add(seq)


def e1_along(model: PLRNN, cycle: Cycle) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Steps of ``cycle`` on which E1 is proved to fail, and those left undecided.

    Decided rigorously, step by step from each cycle point, by the zero enclosures of
    :func:`plrnn_symbolic.simulate.simulate` (THEORY E1).
    """
    from .simulate import simulate

    fails, undecided = [], []
    for n, z in enumerate(cycle.points):
        v = simulate(model, 1, z0=z, system="hybrid", e1=True).e1[0]
        if v.truth is FAILS:
            fails.append(n)
        elif v.truth is not HOLDS:
            undecided.append(n)
    return tuple(fails), tuple(undecided)


def _with_flows(model: PLRNN, found: list[Cycle]) -> list[Cycle]:
    systems = _Systems(model)
    systems.prefetch([b for c in found for b in c.regions])
    out = []
    for c in found:
        status = {b: systems[b].status for b in c.regions}
        missing = sorted({b for b, s in status.items() if s not in DERIVED})
        lifted = sorted({b for b, s in status.items() if s == "lifted"})
        if missing:
            note = f"no continuous system in regions {', '.join(missing)} (singular or undecided)"
            out.append(Cycle(**{**c.__dict__, "hybrid": False, "hybrid_note": note}))
            continue
        note = "E3: the sample-and-hold system passes through these points at times 0, dt, ..., (k-1) dt"
        if lifted:
            note += f"; in the lifted dimension (G z) in regions {', '.join(lifted)}"
        out.append(Cycle(**{**c.__dict__, "hybrid": True, "hybrid_note": note,
                            **dict(zip(("e1_failures", "e1_undecided"), e1_along(model, c)))}))
    return out


# ---- Lyapunov exponents ---------------------------------------------------------------------------------------
def lyapunov_discrete(model: PLRNN, z0=None, steps: int = 20000, burn_in: int = 1000, inputs=None) -> np.ndarray:
    """Lyapunov spectrum of the map per step, by the QR method, sorted descending.

    The Jacobian at z is W_Omega(z) (the map is affine in each region); the
    tangent basis is re-orthonormalised every step and the exponents are the
    averages of log |R_ii| (Benettin et al. 1980; Eckmann & Ruelle 1985,
    Rev. Mod. Phys. 57, 617).  A singular Jacobian gives -inf.

    Examples
    --------
    >>> import math
    >>> m = PLRNN(A=[[0.5, 0], [0, -0.25]], W=[[0, 0], [0, 0]], h=[0, 0])
    >>> np.round(lyapunov_discrete(m, [1.0, 1.0], steps=100, burn_in=0), 12).tolist() == \\
    ...     np.round([math.log(0.5), math.log(0.25)], 12).tolist()
    True
    """
    if steps < 1 or burn_in < 0:
        raise InputError("steps must be >= 1 and burn-in >= 0")
    num = model.numeric
    z = np.asarray(num.z0 if z0 is None and num.z0 is not None else np.zeros(model.M) if z0 is None else z0,
                   dtype=float).ravel()
    if z.shape != (model.M,):
        raise InputError(f"z0 has length {z.size}, expected {model.M}")
    if inputs is not None:
        inputs = np.asarray(inputs, dtype=float)
        if inputs.ndim != 2 or inputs.shape[0] < burn_in + steps:
            raise InputError(f"inputs must be a (burn_in + steps = {burn_in + steps}, K) array")
    A, AW = num.A, num.A + num.W
    for t in range(burn_in):
        z = num.step(z, None if inputs is None else inputs[t])
    Q = np.eye(model.M)
    total = np.zeros(model.M)
    with np.errstate(divide="ignore"):
        for t in range(burn_in, burn_in + steps):
            J = np.where((z > 0)[None, :], AW, A)
            Q, R = np.linalg.qr(J @ Q)
            total += np.log(np.abs(np.diag(R)))
            z = num.step(z, None if inputs is None else inputs[t])
            if not np.all(np.isfinite(z)):
                raise InputError("the trajectory diverges: Lyapunov exponents need a bounded orbit")
    return np.sort(total / steps)[::-1]


def lyapunov_continuous(model: PLRNN, z0=None, steps: int = 20000, burn_in: int = 1000, inputs=None,
                        system: str = "hybrid"):
    """Lyapunov spectrum of the continuous-time system, per unit time.

    ``system="hybrid"``: the sample-and-hold system (E3) agrees with the map at
    every sample time, and its tangent flow over [n dt, (n+1) dt) is e^{L dt} =
    W_Omega, so its exponents are exactly the map's divided by dt (THEORY
    section 6): an array, sorted descending.

    ``system="autonomous"``: the switching system's exponents, *measured* along its
    simulated trajectory (float); see :func:`lyapunov_autonomous`, whose
    :class:`AutonomousLyapunov` (exponents, method, notes) is returned.
    """
    if system == "autonomous":
        return lyapunov_autonomous(model, z0, steps, burn_in, inputs)
    if system != "hybrid":
        raise InputError(f"unknown system {system!r}: choose hybrid or autonomous")
    return lyapunov_discrete(model, z0, steps, burn_in, inputs) / float(model.dt)


AUTONOMOUS_METHOD = ("float, measured: QR method along the simulated autonomous trajectory; tangent flow "
                     "e^{L tau} within a region, saltation matrix I + (f+ - f-) e_i^T / (f-)_i at each "
                     "switch of z_i, re-orthonormalised every dt")
GRAZING_TOL = 1e-9         # |(f-)_i| below this times |f-| counts as grazing (the saltation blows up)


@dataclass(frozen=True)
class AutonomousLyapunov:
    """Lyapunov exponents of the autonomous (switching) system, per unit time, measured in floats.

    ``exponents`` sorted descending; ``time`` the measured stretch (steps dt, after the burn-in
    along the same flow); ``switches`` the region switches on it.  ``np.asarray`` gives the
    exponents.  On a periodic orbit or another bounded non-equilibrium attractor of the flow one
    exponent is (up to the measurement) zero: the flow direction, which the saltation matrices map
    onto itself (S f- = f+).
    """

    exponents: np.ndarray
    time: float
    switches: int
    method: str = AUTONOMOUS_METHOD
    notes: tuple[str, ...] = ()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.exponents, dtype=dtype)

    def to_dict(self) -> dict[str, Any]:
        return {"exponents": _finite(self.exponents), "time": self.time, "switches": self.switches,
                "method": self.method, "notes": list(self.notes)}


class _RegionExp:
    """t -> e^{L t} for one region's L (float): by its eigendecomposition where that is well
    conditioned (one small product per call), else scipy's expm; the full step e^{L dt} cached."""

    def __init__(self, L: np.ndarray, dt: float):
        import scipy.linalg

        self.L, self.dt = L, dt
        self._expm = scipy.linalg.expm
        mu, V = np.linalg.eig(L)
        self._eig = None
        if np.isfinite(mu).all() and np.linalg.cond(V) < 1e6:
            self._eig = (mu, V, np.linalg.inv(V))
        self.full = self._expm(L * dt)

    def __call__(self, t: float) -> np.ndarray:
        if t == self.dt:
            return self.full
        if self._eig is None:
            return self._expm(self.L * t)
        mu, V, Vi = self._eig
        E = (V * np.exp(mu * t)) @ Vi
        return E.real


def _field(sysm, z: np.ndarray, s) -> np.ndarray:
    f = sysm.L @ z + sysm.g
    if sysm.B is not None and s is not None:
        f = f + sysm.B @ s
    return f


def _autonomous_run(model: PLRNN, z0, steps: int, inputs, mode: str, systems=None):
    """The autonomous trajectory (:func:`plrnn_symbolic.simulate.simulate`), refused where it is not a
    flow of dimension M with transversal switches: a stop (no system, or sliding) or a lifted region."""
    from .simulate import simulate

    r = simulate(model, steps, z0=z0, system="autonomous", inputs=inputs, mode=mode, e1=False, systems=systems)
    if r.sliding:
        ev = r.sliding[0]
        raise InputError(f"the autonomous trajectory slides on z_{'= z_'.join(map(str, ev.units))} = 0 at t = "
                         f"{ev.time:.6g} ({ev.action}; regions {ev.regions[0]} -> {ev.regions[1]}): the Filippov "
                         "sliding flow is not followed, so its Lyapunov exponents are not measured")
    if steps and not np.isfinite(r.autonomous[-1]).all():
        raise InputError("the autonomous trajectory stops: " + "; ".join(r.notes))
    lifted = sorted({sg.region for sg in r.segments if r.systems[sg.region].dimension != model.M})
    if lifted:
        raise InputError(f"the autonomous trajectory visits region(s) {', '.join(lifted)}, which have no real "
                         "logarithm: there the autonomous system is not a flow of dimension M (the lift adds "
                         "coordinates), so its Lyapunov exponents are not measured")
    return r


def _step_jacobians(r, dt: float):
    """Per sample step n, the Jacobian of the autonomous flow map from n dt to (n+1) dt along the
    trajectory ``r``: e^{L tau} on each piece, the saltation matrix at each switch.  Yields (n, J)."""
    M = r.model.M
    exps: dict[str, _RegionExp] = {}
    inputs = r.inputs
    segs = r.segments
    J = np.eye(M)
    n = segs[0].step if segs else 0
    prev = None
    for sg in segs:
        if sg.step != n:
            yield n, J
            J, n = np.eye(M), sg.step
        sysm = r.systems[sg.region]
        s = None if inputs is None else inputs[sg.step]
        if prev is not None and prev.region != sg.region:
            units = [i for i in range(M) if prev.region[i] != sg.region[i]]
            if len(units) != 1:
                raise InputError(f"units {', '.join(str(u + 1) for u in units)} switch at once at t = {sg.t0:.6g}: "
                                 "the saltation matrix of a corner is not defined")
            i = units[0]
            z = np.asarray(sg.y0, dtype=float)             # the crossing point (z_i = 0)
            f_old, f_new = _field(r.systems[prev.region], z, s), _field(sysm, z, s)
            if not abs(f_old[i]) > GRAZING_TOL * np.abs(f_old).max() or f_old[i] * f_new[i] <= 0:
                raise InputError(f"the autonomous trajectory grazes z_{i + 1} = 0 at t = {sg.t0:.6g} "
                                 f"((f-)_{i + 1} = {f_old[i]:.3g}, (f+)_{i + 1} = {f_new[i]:.3g}): "
                                 "the saltation matrix is not defined there")
            S = np.eye(M)
            S[:, i] += (f_new - f_old) / f_old[i]
            J = S @ J
        tau = sg.t1 - sg.t0
        if tau > 0:
            E = exps.get(sg.region)
            if E is None:
                E = exps[sg.region] = _RegionExp(sysm.L, dt)
            full = abs(tau - dt) <= 1e-12 * dt
            J = E(dt if full else tau) @ J
        prev = sg
    if segs:
        yield n, J


def lyapunov_autonomous(model: PLRNN, z0=None, steps: int = 20000, burn_in: int = 1000, inputs=None,
                        mode: str = FLOAT) -> AutonomousLyapunov:
    """Lyapunov spectrum of the autonomous (switching) system, per unit time: a float measurement.

    The trajectory is :func:`plrnn_symbolic.simulate.simulate`'s (closed-form flow in each region,
    switch times enclosed rigorously, then refined in floats), run for ``burn_in`` steps and then
    ``steps`` more from where it got to.  Along it the tangent map is propagated: e^{L tau} within a
    region for the time tau spent there, and at a switch of z_i at the point z_c the saltation matrix
    S = I + (f+ - f-) e_i^T / (f-)_i with f-+ = L z_c + g of the regions before and after (the vector
    field jumps across z_i = 0).  The tangent basis is re-orthonormalised (QR) every dt and the
    exponents are the sums of log |R_ii| over the measured time (Benettin et al. 1980).

    Refused (``InputError``) where the measurement has no meaning: the trajectory slides along a
    boundary (Filippov sliding, which the simulation does not follow) or grazes one, it stops (a
    region without a continuous-time system), or it visits a lifted region (no real logarithm: the
    autonomous system is not a flow of dimension M there).  Inputs, if given, have length
    burn_in + steps.

    Examples
    --------
    >>> import math
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.25]], W=[[0, 0], [0, 0]], h=[1, 1])
    >>> r = lyapunov_autonomous(m, [1.5, 1.0], steps=200, burn_in=0)
    >>> np.allclose(r.exponents, [math.log(0.5), math.log(0.25)], atol=1e-9), r.method.startswith("float")
    (True, True)
    """
    if steps < 1 or burn_in < 0:
        raise InputError("steps must be >= 1 and burn-in >= 0")
    dt = float(model.dt)
    if inputs is not None:
        inputs = np.asarray(inputs, dtype=float)
        if inputs.ndim != 2 or inputs.shape[0] < burn_in + steps:
            raise InputError(f"inputs must be a (burn_in + steps = {burn_in + steps}, K) array")
    systems = None
    if burn_in:
        warm = _autonomous_run(model, z0, burn_in, None if inputs is None else inputs[:burn_in], mode)
        z0, systems = warm.autonomous[-1], warm.systems
        inputs = None if inputs is None else inputs[burn_in:]
    r = _autonomous_run(model, z0, steps, inputs, mode, systems)
    M = model.M
    Q = np.eye(M)
    total = np.zeros(M)
    count = 0
    with np.errstate(divide="ignore"):
        for _, J in _step_jacobians(r, dt):
            Q, R = np.linalg.qr(J @ Q)
            total += np.log(np.abs(np.diag(R)))
            count += 1
    switches = sum(a.region != b.region for a, b in zip(r.segments, r.segments[1:]))
    notes = [f"burn-in: {burn_in} steps along the autonomous flow"] if burn_in else []
    notes += list(r.notes)
    return AutonomousLyapunov(np.sort(total / (count * dt))[::-1], count * dt, switches, notes=tuple(notes))


# ---- everything at once ---------------------------------------------------------------------------------------------
def dynamics(model: PLRNN, cycles: int = 0, mode: str | None = None, *, max_regions: int = MAX_REGIONS,
             equilibria: str = "real", lyapunov_steps: int = 20000, burn_in: int = 1000, z0=None,
             seed: int = 0, starts: int = 200, progress: bool = False,
             autonomous_lyapunov: bool = False) -> DynamicsReport:
    """Fixed points and equilibria, k-cycles (k <= ``cycles``) and Lyapunov spectra.

    Parameters
    ----------
    model : PLRNN
        Inputs are held at zero.
    cycles : int
        Largest cycle period to look for (0: none).
    mode : "exact" or "float", optional
        Default exact whenever the weights are rational, which includes float
        weights (converted exactly); float only for irrational constants.
        For a 10-unit float model the exact sweep of the fixed points takes
        about a second (``vdp_trained``: 1.1 s), ``mode="float"`` less.
    max_regions : int
        The fixed-point sweep covers all 2^M regions; above this it is refused.
    lyapunov_steps, burn_in, z0 :
        The orbit for the Lyapunov spectrum (default from the model's z0).
    autonomous_lyapunov : bool
        Also measure the autonomous system's spectrum (:func:`lyapunov_autonomous`, a simulation of
        as many steps).

    Returns
    -------
    DynamicsReport

    Examples
    --------
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 0], [0, 0]], h=[1, -1])
    >>> r = dynamics(m, lyapunov_steps=50, burn_in=0)
    >>> [fp.region for fp in r.real_fixed_points], np.round(r.lyapunov_discrete, 6).tolist()
    (['10'], [-0.693147, -0.693147])
    """
    mode = mode or (EXACT if model.is_rational else FLOAT)
    notes = []
    if model.K:
        notes.append("inputs held at zero (the autonomous map z -> W_Omega z + h)")
    notes += [f"convention: {c}" for c in model.conventions()]
    fps, none = fixed_points(model, mode, max_regions=max_regions, equilibria=equilibria, progress=progress)
    found = find_cycles(model, cycles, mode, seed=seed, starts=starts, progress=progress) if cycles >= 2 else []
    if cycles >= 2 and any(2 ** (model.M * k) > 2**16 for k in range(2, cycles + 1)):
        notes.append("cycles of the longer periods come from a search from random starts: others may exist")
    try:
        lyap = lyapunov_discrete(model, z0, lyapunov_steps, burn_in)
        lyap_c = lyap / float(model.dt)
    except InputError as exc:
        lyap = lyap_c = None
        notes.append(f"no Lyapunov spectrum: {exc}")
    notes.append("lyapunov_continuous is the hybrid (sample-and-hold) system's: the map's divided by dt")
    auto = None
    if autonomous_lyapunov:
        try:
            auto = lyapunov_autonomous(model, z0, lyapunov_steps, burn_in)
            notes.append("lyapunov_autonomous is measured (float) along the simulated switching trajectory")
        except InputError as exc:
            notes.append(f"no autonomous Lyapunov spectrum: {exc}")
    return DynamicsReport(model, mode, fps, none, found, lyap, lyap_c, 2**model.M, notes, auto)


# ---- command line ---------------------------------------------------------------------------------------------------
def add_arguments(parser) -> None:
    """Options of ``plrnn-symbolic dynamics`` (MODEL and --example are added by the caller)."""
    parser.add_argument("--cycles", type=int, default=0, metavar="K", help="look for k-cycles with 2 <= k <= K")
    parser.add_argument("--mode", choices=["exact", "float"], default=None,
                        help="exact (rational weights, the default) or float")
    parser.add_argument("--steps", type=int, default=20000, help="steps for the Lyapunov spectrum")
    parser.add_argument("--burn-in", type=int, default=1000, help="steps run before measuring Lyapunov exponents")
    parser.add_argument("--autonomous-lyapunov", action="store_true",
                        help="also measure the autonomous (switching) system's Lyapunov exponents by simulation "
                             "(float; JSON key lyapunov_autonomous)")
    parser.add_argument("--z0", help="initial state for the Lyapunov spectrum and the plot, e.g. 0.1,-0.2,0.3")
    parser.add_argument("--max-regions", type=int, default=None,
                        help="raise the limit (2^20) on the number of regions of the fixed-point sweep")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--plot", metavar="FILE.png", help="save a phase portrait of a 2-D section")
    parser.add_argument("--units", default="1,2", metavar="i,j", help="the two units of the section (1-based)")


def run_cli(args) -> int:
    """Run ``plrnn-symbolic dynamics`` with parsed ``args``; returns the exit status."""

    from .cli import _model_from, _z0, emit

    model = _model_from(args)
    if args.cycles < 0:
        raise InputError("--cycles must be >= 0")
    units = _units(args.units, model.M) if args.plot else None
    z0 = _z0(args, model)
    report = dynamics(model, args.cycles, args.mode, max_regions=args.max_regions or MAX_REGIONS,
                      lyapunov_steps=args.steps, burn_in=args.burn_in, z0=z0, progress=not args.json,
                      autonomous_lyapunov=getattr(args, "autonomous_lyapunov", False))
    if args.plot:
        from .phase import phase_portrait

        phase_portrait(model, units=units, report=report, z0=z0, path=args.plot)
    return emit(args, report.to_dict(), report.table(), args.plot and f"phase portrait saved to {args.plot}")


def _units(text: str, M: int) -> tuple[int, int]:
    try:
        i, j = (int(p) for p in text.replace(" ", "").split(","))
    except ValueError:
        raise InputError(f"--units takes two unit numbers such as 1,2, got {text!r}") from None
    if not (1 <= i <= M and 1 <= j <= M) or i == j:
        raise InputError(f"--units needs two different units between 1 and {M}, got {text!r}")
    return i - 1, j - 1


__all__ = ["AutonomousLyapunov", "Cycle", "DynamicsReport", "FixedPoint", "add_arguments", "continuous_eigenvalues",
           "dynamics", "e1_along", "find_cycles", "fixed_point_type", "fixed_points", "lyapunov_autonomous",
           "lyapunov_continuous", "lyapunov_discrete", "run_cli", "schur_stable",
           "spectral_radius_below_one"]
