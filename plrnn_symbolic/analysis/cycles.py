"""k-cycles of the map: periodic orbits of the hybrid system, kept by the autonomous system where E1
holds (THEORY section 6).

A k-cycle visiting Omega_1, ..., Omega_k solves the k-step affine
equation z_1 = P z_1 + c with P = H_k ... H_1; it is a cycle iff every point
lies in its region.  By E3 it is a periodic orbit of period k dt of the
sample-and-hold (hybrid) system whenever every region on it has a derived
system; the autonomous system keeps it when E1 holds on every step.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

from ..core.domains import EXACT
from ..core.truth import FAILS, HOLDS
from ..model.plrnn import PLRNN
from ..model.regions import cells, region_of
from .steady_states import _float_systems, _linalg, _pairs

__all__ = [
    "DERIVED",
    "Cycle",
    "e1_along",
    "find_cycles",
]

DERIVED = ("principal", "real_nonprincipal", "lifted")


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


# ---- cycles --------------------------------------------------------------------------------------------------
def _canonical(seq: Sequence[str]) -> tuple[str, ...]:
    k = len(seq)
    return min(tuple(seq[i:]) + tuple(seq[:i]) for i in range(k))


def _solve_cycle(la, seq: Sequence[str], guess: np.ndarray | None = None):
    """The k-cycle through the region sequence, checked point by point, or None."""
    P, c = la.I, la.h * 0
    mats = [la.matrix(b) for b in seq]
    for bits, H in zip(seq, mats):
        P, c = la.mul(H, P), la.mul(H, c) + la.bias(bits)
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
        z = la.mul(H, z) + la.bias(bits)
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
        G, c = la.exits()
        seq = tuple(region_of(np.where(np.abs(G @ z + c) <= 1e-9, 0.0, G @ z + c)) if isinstance(la.model, PLRNN)
                    else la.model.region_name(np.where(np.abs(G @ z + c) <= 1e-9, 0.0, G @ z + c) > 0) for z in F)
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


def _sequences(regions: list[str], k: int):
    for idx in np.ndindex(*([len(regions)] * k)):
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
            if isinstance(model, PLRNN):
                out[t + 1] = Z @ num.A.T + np.maximum(Z, 0) @ num.W.T + num.h
            else:
                out[t + 1] = Z @ num.A.T + np.maximum(Z @ num.W2.T + num.h2, 0) @ num.W1.T + num.h1
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
    n_cells = 2**model.M if isinstance(model, PLRNN) else model.n_candidates
    full = [k for k in ks if (exhaustive if exhaustive is not None else n_cells**k <= max_sequences)]
    regions = cells(model, max(n_cells, 1))[0] if full else []
    for k in full:
        total = len(regions) ** k
        for seq in tqdm(_sequences(regions, k), total=total // k, desc=f"{k}-cycles", unit="sequence",
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
    signs = X > 0 if isinstance(model, PLRNN) else model.preactivations(X) > 0
    rows, ids = np.unique(signs.reshape(-1, signs.shape[-1]), axis=0, return_inverse=True)
    names = [model.region_name(row) for row in rows]
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
    :func:`plrnn_symbolic.simulate` (THEORY E1).
    """
    from .simulation import simulate

    fails, undecided = [], []
    for n, z in enumerate(cycle.points):
        v = simulate(model, 1, z0=z, system="hybrid", e1=True).e1[0]
        if v.truth is FAILS:
            fails.append(n)
        elif v.truth is not HOLDS:
            undecided.append(n)
    return tuple(fails), tuple(undecided)


def _with_flows(model: PLRNN, found: list[Cycle]) -> list[Cycle]:
    systems = _float_systems(model)
    systems.prefetch([b for c in found for b in c.regions])
    out = []
    for c in found:
        status = {b: systems.system(b).status for b in c.regions}
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
