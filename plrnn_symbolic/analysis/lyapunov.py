"""Lyapunov exponents of the map, the hybrid system and the autonomous system (THEORY section 6).

Lyapunov exponents of the map by the QR method (Benettin et al. 1980; Eckmann
& Ruelle 1985), the Jacobian at z being W_Omega(z).  The hybrid system's are
exactly the map's divided by dt.  The autonomous system's are measured (float)
along its simulated trajectory, with saltation matrices at the switches
(:func:`lyapunov_autonomous`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.domains import FLOAT
from ..core.errors import InputError, NoResult
from ..model.plrnn import PLRNN
from .steady_states import _finite

__all__ = [
    "AUTONOMOUS_METHOD",
    "GRAZING_TOL",
    "AutonomousLyapunov",
    "lyapunov_autonomous",
    "lyapunov_continuous",
    "lyapunov_discrete",
]


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
    if isinstance(model, PLRNN):
        A, AW = num.A, num.A + num.W

        def jacobian(z):
            return np.where((z > 0)[None, :], AW, A)
    else:  # the general form: A + W1 D(z) W2, D the pattern of the pre-activations
        def jacobian(z):
            return num.A + (num.W1 * (num.W2 @ z + num.h2 > 0)) @ num.W2
    for t in range(burn_in):
        z = num.step(z, None if inputs is None else inputs[t])
    Q = np.eye(model.M)
    total = np.zeros(model.M)
    with np.errstate(divide="ignore"):
        for t in range(burn_in, burn_in + steps):
            J = jacobian(z)
            Q, R = np.linalg.qr(J @ Q)
            total += np.log(np.abs(np.diag(R)))
            z = num.step(z, None if inputs is None else inputs[t])
            if not np.all(np.isfinite(z)):
                raise NoResult("the trajectory diverges: Lyapunov exponents need a bounded orbit")
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
                     "e^{L tau} within a region, saltation matrix I + (f+ - f-) n^T / (n . f-) at each "
                     "crossing of a boundary n . z + c = 0 (n = e_i for a PLRNN's z_i = 0), "
                     "re-orthonormalised every dt")
GRAZING_TOL = 1e-9         # |n . f-| below this times |n|_1 |f-| counts as grazing (the saltation blows up)


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


def _autonomous_run(model: PLRNN, z0, steps: int, inputs, mode: str, systems=None):
    """The autonomous trajectory (:func:`plrnn_symbolic.simulate`), refused where it is not a
    flow of dimension M with transversal switches: a stop (no system, or sliding) or a lifted region."""
    from .simulation import simulate

    r = simulate(model, steps, z0=z0, system="autonomous", inputs=inputs, mode=mode, e1=False, systems=systems)
    if r.sliding_segments:
        sg = r.sliding_segments[0]
        raise NoResult(f"the autonomous trajectory slides on {sg.label} = 0 from t = {sg.start_time:.6g} to "
                       f"{sg.end_time:.6g} (regions {sg.regions[0]} and {sg.regions[1]}, step {sg.steps[0]}; "
                       f"{len(r.sliding_segments)} sliding segment(s) in all): the tangent map of a sliding motion "
                       "(saltation matrices at its entry and exit) is not implemented, so its Lyapunov exponents "
                       "are not measured")
    if r.sliding:
        ev = r.sliding[0]
        raise NoResult(f"the autonomous trajectory stops where it would slide on {ev.surface or 'z_' + str(ev.units[0])}"
                       f" = 0 at t = {ev.time:.6g} (regions {ev.regions[0]} -> {ev.regions[1]}: {ev.reason or ev.action}),"
                       " so its Lyapunov exponents are not measured")
    if steps and not np.isfinite(r.autonomous[-1]).all():
        raise NoResult("the autonomous trajectory stops: " + "; ".join(r.notes))
    lifted = sorted({sg.region for sg in r.segments if r.systems[sg.region].dimension != model.M})
    if lifted:
        raise NoResult(f"the autonomous trajectory visits region(s) {', '.join(lifted)}, which have no real "
                         "logarithm: there the autonomous system is not a flow of dimension M (the lift adds "
                         "coordinates), so its Lyapunov exponents are not measured")
    return r


def _switch_plane(model, old: str, new: str) -> tuple[np.ndarray, list[int]]:
    """The hyperplane n . z + c = 0 crossed from region ``old`` into ``new``: its normal n and the
    pre-activations (0-based) whose sign changes.  For a PLRNN n = e_i; for the general form
    n = row k of W2.  Several pre-activations may change together only where they are one and
    the same hyperplane (rows (W2_k, h2_k) proportional, e.g. a clipped model's pair with h2_k = 0);
    otherwise the trajectory passes a corner, where no saltation matrix is defined (``NoResult``)."""
    if isinstance(model, PLRNN):
        changed = [i for i in range(model.M) if old[i] != new[i]]
        rows = np.eye(model.M)[changed]
        planes = np.hstack([rows, np.zeros((len(changed), 1))])
    else:
        d_old, d_new = model.pattern(old), model.pattern(new)
        changed = [k for k in range(model.L) if d_old[k] != d_new[k]]
        num = model.numeric
        rows = num.W2[changed]
        planes = np.hstack([rows, num.h2[changed, None]])
    if not changed or np.linalg.matrix_rank(planes, tol=1e-12 * max(1.0, np.abs(planes).max())) != 1:
        names = ", ".join(model.preactivation_label(k + 1) for k in changed) or "none"
        raise NoResult(f"{names} switch at once (regions {old} -> {new}): the saltation matrix of a corner "
                       "is not defined")
    return rows[0], changed


def _step_jacobians(r, dt: float):
    """Per sample step n, the Jacobian of the autonomous flow map from n dt to (n+1) dt along the
    trajectory ``r``: e^{L tau} on each piece, the saltation matrix at each switch.  Yields (n, J).

    Crossing the hyperplane n . z + c = 0 at z_c, with the fields f- before and f+ after, the
    saltation matrix is S = I + (f+ - f-) n^T / (n . f-) (Filippov 1988; Dieci & Lopez 2011); a
    PLRNN's n = e_i gives I + (f+ - f-) e_i^T / (f-)_i."""
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
            try:
                normal, changed = _switch_plane(r.model, prev.region, sg.region)
            except NoResult as exc:
                raise NoResult(f"at t = {sg.t0:.6g}: {exc}") from None
            z = np.asarray(sg.y0, dtype=float)             # the crossing point (on the hyperplane)
            f_old, f_new = r.systems[prev.region].field(z, s), sysm.field(z, s)
            v_old, v_new = normal @ f_old, normal @ f_new    # the fields' speeds across the hyperplane
            if not abs(v_old) > GRAZING_TOL * np.abs(normal).sum() * np.abs(f_old).max() or v_old * v_new <= 0:
                raise NoResult(f"the autonomous trajectory grazes the boundary of "
                               f"{r.model.preactivation_label(changed[0] + 1)} at t = {sg.t0:.6g} "
                               f"(speeds across it {v_old:.3g} before, {v_new:.3g} after): "
                               "the saltation matrix is not defined there")
            J = (np.eye(M) + np.outer(f_new - f_old, normal) / v_old) @ J
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

    The trajectory is :func:`plrnn_symbolic.simulate`'s (closed-form flow in each region,
    switch times enclosed rigorously, then refined in floats), run for ``burn_in`` steps and then
    ``steps`` more from where it got to.  Along it the tangent map is propagated: e^{L tau} within a
    region for the time tau spent there, and at a crossing of a region boundary n . z + c = 0 at the
    point z_c the saltation matrix S = I + (f+ - f-) n^T / (n . f-) with f-+ = L z_c + g of the regions
    before and after (the vector field jumps across the boundary).  The boundaries are those of every
    form (THEORY section 8): z_i = 0 for a PLRNN (n = e_i), the pre-activations (W2 z + h2)_k = 0 of
    the general form (n = row k of W2; proofs/07_region_structure.tex).  The tangent basis is re-orthonormalised (QR) every dt and the
    exponents are the sums of log |R_ii| over the measured time (Benettin et al. 1980).

    Refused (``NoResult``) where the measurement has no meaning: the trajectory slides along a
    boundary (Filippov sliding: the simulation follows it, but its tangent map is not implemented here;
    the refusal names the first sliding segment) or grazes one, it stops (a
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

    Every form of the family: a shallow PLRNN whose one hyperplane z_1 + z_2 = 1 is slanted.  From
    (2, 1) the flow crosses it once, into the region of the real equilibrium, whose spectrum the
    exponents approach as the measured time grows.

    >>> from plrnn_symbolic.model.family import ShallowPLRNN
    >>> s = ShallowPLRNN(A=[0.5, 0.25], W1=[[0.25], [0.25]], W2=[[1, 1]], h1=[0.1, 0.1], h2=[-1])
    >>> r = lyapunov_autonomous(s, [2.0, 1.0], steps=2000, burn_in=0)
    >>> r.switches, np.allclose(r.exponents, [math.log(0.5), math.log(0.25)], atol=2e-3)
    (1, True)
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
