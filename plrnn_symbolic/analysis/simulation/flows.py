"""Float closed-form flows of region systems: the augmented matrix Aug = [[L, g, B], [0, 0, 0]], its
exponentials, the precomputed hybrid step, and the float estimate of a crossing time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from ..transform import RegionSystem


# ---- per-region precomputation ------------------------------------------------------------------
class _FloatFlows:
    """Float closed-form flows, one augmented exponential per (region, duration)."""

    def __init__(self, systems: dict[str, RegionSystem]):
        self.systems = systems
        self._cache: dict[tuple[str, float], np.ndarray] = {}

    def expm(self, sysm: RegionSystem, t: float) -> np.ndarray:
        key = (sysm.region, t)
        if key not in self._cache:
            self._cache[key] = scipy.linalg.expm(_augmented_float(sysm) * t)
        return self._cache[key]

    def sampled(self, sysm: RegionSystem, y0, s, duration: float, k: int):
        """The flow from y0 at k + 1 equally spaced times in [0, duration]."""
        N = sysm.dimension
        E = self.expm(sysm, duration / k)
        y = _augmented_state(y0, s, sysm)
        out = np.empty((k + 1, N))
        for i in range(k + 1):
            out[i] = y[:N]
            y = E @ y
        return np.linspace(0.0, duration, k + 1), out


def _augmented_float(sysm: RegionSystem) -> np.ndarray:
    return sysm.augmented()


def _augmented_state(y, s, sysm: RegionSystem) -> np.ndarray:
    K = 0 if sysm.B is None else sysm.B.shape[1]
    out = np.empty(sysm.dimension + 1 + K)
    out[:sysm.dimension] = y
    out[sysm.dimension] = 1.0
    if K:
        out[sysm.dimension + 1:] = 0.0 if s is None else s
    return out


@dataclass(frozen=True)
class _HybridStep:
    """z -> P e^{L dt} G z + P dt phi1(L dt) (g + B s): one latched step, precomputed."""

    F: np.ndarray       # M x M
    c: np.ndarray       # M
    D: np.ndarray | None  # M x K

    def __call__(self, z, s=None) -> np.ndarray:
        out = self.F @ z + self.c
        if self.D is not None and s is not None:
            out = out + self.D @ s
        return out


def _taylor(Af: np.ndarray, y: np.ndarray, tau: float, terms: int = 4) -> np.ndarray:
    """e^{Af tau} y by its Taylor polynomial of ``terms`` terms (float, Horner): for the short times
    inside an exit bracket (at most one time unit) two or three terms are exact to rounding (see
    ``_BallFlow.taylor_terms``)."""
    if terms == 2:
        return y + tau * (Af @ y)
    if terms == 3:
        v = Af @ y
        return y + tau * (v + (0.5 * tau) * (Af @ v))
    out = y
    for k in range(terms - 1, 0, -1):
        out = y + (tau / k) * (Af @ out)
    return out


def _crossing_time(Af: np.ndarray, Sf: np.ndarray, y: np.ndarray, units, tau_max: float) -> float:
    """The first root in [0, tau_max] of the sign-adjusted coordinates ``units``, inside a bracket
    where the exit is proved: Newton on their cubic Taylor polynomials (float)."""
    v1 = Af @ y
    v2 = Af @ v1
    v3 = Af @ v2
    best = tau_max
    coef = (Sf[list(units)] @ np.stack((y, v1, v2 / 2, v3 / 6), axis=1)).tolist()
    for c0, c1, c2, c3 in coef:
        tau = min(max(-c0 / c1, 0.0), tau_max) if c1 else 0.5 * tau_max
        for _ in range(4):
            d = c1 + tau * (2 * c2 + 3 * c3 * tau)
            if not d:
                break
            tau = min(max(tau - (c0 + tau * (c1 + tau * (c2 + tau * c3))) / d, 0.0), tau_max)
        best = min(best, tau)
    return best


__all__ = []
