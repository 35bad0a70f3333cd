"""How far a float trajectory is from the orbit it stands for: a rigorous ball enclosure of the
map's orbit (:func:`reference_orbit`), the largest Lyapunov exponent along a float trajectory
(:func:`largest_exponent`), and the verdict that puts them together (:func:`judge_rounding`).

Why: E3 makes the hybrid system agree with the map at every sample time *in exact arithmetic*.
Two float trajectories (the map's and the hybrid's) each carry rounding errors of order 1e-16
per step; on a chaotic orbit both are amplified by about e^(lambda_1 n), so the two drift apart
although neither system is at fault.  A ball enclosure of the exact orbit from the same z0 says
which float trajectory left the true orbit, and when.
"""

from __future__ import annotations

from dataclasses import dataclass

import flint
import numpy as np

from ...core.domains import to_arb, working_precision
from ...model.plrnn import PLRNN

__all__ = ["RoundingVerdict", "judge_rounding", "largest_exponent", "reference_orbit"]

#: a float trajectory within this distance of the exact orbit is "on" it
ON_ORBIT = 1e-9


def _relu_ball(x: flint.arb) -> flint.arb:
    """relu of a ball: relu is monotone and continuous, so a ball that straddles 0 maps into
    [0, upper]; no branch is guessed."""
    if x > 0:
        return x
    if x <= 0:
        return flint.arb(0)
    up = x.mid() + x.rad()
    return flint.arb(up / 2, up / 2)


def reference_orbit(model: PLRNN, z0, steps: int, inputs=None, bits: int | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """A rigorous enclosure of the exact orbit of the map from the float state ``z0``.

    The weights are taken exactly (a float weight is the rational it stands for) and every
    step is evaluated in FLINT ball arithmetic at ``bits`` bits, so the orbit lies in the
    balls; their radii grow like the rounding of a float trajectory does, but from 2^-bits.

    Parameters
    ----------
    model : PLRNN
    z0 : (M,) array_like
        The initial state, taken exactly as the floats given.
    steps : int
    inputs : (steps, K) array_like, optional
    bits : int, optional
        Working precision of the balls; by default enough for the radii, which can grow by the
        largest absolute row sum of |A| + |W| per step, to stay below 1e-20 (:func:`bits_for`).

    Returns
    -------
    mid, rad : (steps + 1, M) arrays
        Midpoints (rounded to float) and radii (rounded up) of the enclosing balls.

    Examples
    --------
    >>> m = PLRNN(A=[[0.5]], W=[[0]], h=[0.1])
    >>> mid, rad = reference_orbit(m, [1.0], 3)
    >>> mid[:, 0].tolist(), bool(rad.max() < 1e-15)     # radius: the balls, and the rounding to float
    ([1.0, 0.6, 0.4, 0.3], True)
    """
    M = model.M
    bits = bits or bits_for(model, steps)
    z0 = np.asarray(z0, dtype=float).ravel()
    mid = np.empty((steps + 1, M))
    rad = np.zeros((steps + 1, M))
    mid[0] = z0
    general = not isinstance(model, PLRNN)     # z -> A z + W1 relu(W2 z + h2) + h1 (THEORY section 8)

    def ball(m):
        return flint.arb_mat(m.rows, m.cols, [to_arb(x) for x in m])

    with working_precision(bits):
        A = ball(model.A)
        W, h = (ball(model.W1), ball(model.h1)) if general else (ball(model.W), ball(model.h))
        W2, h2 = (ball(model.W2), ball(model.h2)) if general else (None, None)
        C = None if model.C is None else flint.arb_mat(M, model.K, [to_arb(x) for x in model.C])
        z = flint.arb_mat(M, 1, [flint.arb(float(x)) for x in z0])      # a double is exact in a ball
        for n in range(steps):
            u = W2 * z + h2 if general else z
            r = flint.arb_mat(u.nrows(), 1, [_relu_ball(u[i, 0]) for i in range(u.nrows())])
            z = A * z + W * r + h
            if C is not None and inputs is not None:
                s = flint.arb_mat(model.K, 1, [flint.arb(float(v)) for v in inputs[n]])
                z = z + C * s
            for i in range(M):
                x = z[i, 0]
                mid[n + 1, i] = float(x.mid())
                rad[n + 1, i] = float(x.rad()) + abs(float(x.mid())) * 2.0**-52   # the rounding to float
            if not np.all(np.isfinite(mid[n + 1])):
                mid[n + 2:] = np.nan
                rad[n + 2:] = np.nan
                break
    return mid, rad


def bits_for(model: PLRNN, steps: int) -> int:
    """Bits that keep a ball orbit of ``steps`` steps sharp: 128 plus log2 of the worst growth of a
    radius, (max row sum of |A| + |W|)^steps (it is far less on a contracting orbit)."""
    num = model.numeric
    W = np.abs(num.W) if isinstance(model, PLRNN) else np.abs(num.W1) @ np.abs(num.W2)
    growth = float(np.abs(num.A).sum(axis=1).max() + W.sum(axis=1).max())
    return 128 + int(np.ceil(steps * max(0.0, np.log2(max(growth, 1.0)))))


def largest_exponent(model: PLRNN, trajectory: np.ndarray) -> float:
    """The largest Lyapunov exponent per step along a float ``trajectory`` of the map: the growth of
    one tangent vector, renormalised every step (Benettin et al. 1980; the Jacobian at z_n is
    W_Omega(z_n)); NaN for fewer than two states.  ``lyapunov_discrete`` gives the whole spectrum.

    Examples
    --------
    >>> m = PLRNN(A=[[0.5, 0], [0, -0.25]], W=[[0, 0], [0, 0]], h=[0, 0])
    >>> bool(abs(largest_exponent(m, m.trajectory([1.0, 1.0], 200)) - np.log(0.5)) < 0.01)   # log 0.5 dominates
    True
    """
    num = model.numeric
    X = np.asarray(trajectory, dtype=float)
    X = X[np.all(np.isfinite(X), axis=1)]
    if len(X) < 2:
        return float("nan")
    if isinstance(model, PLRNN):
        A, AW = num.A, num.A + num.W

        def jacobian(z):
            return np.where((z > 0)[None, :], AW, A)
    else:                       # W_Omega(z) = A + W1 D(z) W2
        def jacobian(z):
            return num.A + (num.W1 * (num.W2 @ z + num.h2 > 0)) @ num.W2
    q = np.ones(model.M) / np.sqrt(model.M)
    total = 0.0
    with np.errstate(divide="ignore"):
        for z in X[:-1]:
            q = jacobian(z) @ q
            norm = float(np.linalg.norm(q))
            if norm == 0:
                return float("-inf")
            total += np.log(norm)
            q /= norm
    return float(total / (len(X) - 1))


@dataclass(frozen=True)
class RoundingVerdict:
    """Which float trajectory left the exact orbit of the map, and why.

    Attributes
    ----------
    steps : number of steps compared (the enclosure is sharper than ``ON_ORBIT`` there)
    bits : precision of the ball enclosure
    discrete : max |float map trajectory - exact orbit| over those steps
    discrete_leaves : first step at which the float map is farther than ``ON_ORBIT`` (None: never)
    hybrid : the same for the hybrid trajectory (None if it was not simulated)
    hybrid_leaves : first step at which the hybrid is farther than ``ON_ORBIT``
    exponent : largest Lyapunov exponent per step along the float map trajectory over those steps
    """

    steps: int
    bits: int
    discrete: float
    discrete_leaves: int | None
    hybrid: float | None
    hybrid_leaves: int | None
    exponent: float

    @property
    def amplified(self) -> bool:
        """Rounding is amplified: the float map itself leaves the exact orbit and the largest
        exponent is positive."""
        return bool(self.discrete_leaves is not None and self.exponent > 0)

    def text(self) -> list[str]:
        head = f"the exact orbit of the map from the same z0, enclosed in {self.bits}-bit balls over {self.steps} steps:"
        lines = [head]
        lines.append("  the float map " + (f"stays within {self.discrete:.1e} of it" if self.discrete_leaves is None
                                          else f"leaves it at step {self.discrete_leaves} (max {self.discrete:.1e})"))
        if self.hybrid is not None:
            lines.append("  the hybrid " + (f"stays within {self.hybrid:.1e} of it" if self.hybrid_leaves is None
                                           else f"leaves it at step {self.hybrid_leaves} (max {self.hybrid:.1e})"))
        if self.amplified:
            lines.append(f"  so the free-running deviation is amplified rounding, not a failure of E3: the largest "
                         f"Lyapunov exponent along these {self.steps} steps is {self.exponent:.3g} per step (a "
                         f"finite-time value), so a rounding error of 1e-16 grows like e^({self.exponent:.3g} n) in "
                         "either float trajectory")
        elif self.discrete_leaves is not None:
            lines.append(f"  the float map drifts from the exact orbit (largest Lyapunov exponent {self.exponent:.3g} "
                         "per step: a neutral direction, such as the phase along a closed curve, accumulates "
                         "rounding); this is not a failure of E3")
        return lines

    def to_dict(self) -> dict:
        return {"steps": self.steps, "bits": self.bits, "discrete": self.discrete,
                "discrete_leaves": self.discrete_leaves, "hybrid": self.hybrid, "hybrid_leaves": self.hybrid_leaves,
                "largest_lyapunov_exponent": self.exponent, "amplified_rounding": self.amplified}


def judge_rounding(model: PLRNN, discrete: np.ndarray, hybrid: np.ndarray | None = None, inputs=None,
                   bits: int | None = None, max_steps: int = 2000) -> RoundingVerdict:
    """Compare the float trajectories with a ball enclosure of the exact orbit from ``discrete[0]``.

    The cost is bounded: at most ``max_steps`` steps are enclosed (M^2 ball products each, at most
    16384 bits), and the comparison stops where the balls grow wider than ``ON_ORBIT`` / 10.
    """
    steps = min(len(discrete) - 1, max_steps)
    bits = bits or min(bits_for(model, steps), 16384)
    mid, rad = reference_orbit(model, discrete[0], steps, inputs, bits)
    sharp = np.all(rad <= ON_ORBIT / 10, axis=1)
    upto = int(np.argmin(sharp)) if not sharp.all() else steps + 1

    def leaves(X):
        d = np.abs(X[:upto] - mid[:upto]).max(axis=1)
        d = np.where(np.isnan(d), np.inf, d)
        far = np.flatnonzero(d > ON_ORBIT)
        finite = d[np.isfinite(d)]
        return (float(finite.max()) if finite.size else float("nan")), (int(far[0]) if far.size else None)

    dd, dl = leaves(discrete)
    hd, hl = leaves(hybrid) if hybrid is not None else (None, None)
    return RoundingVerdict(upto - 1, bits, dd, dl, hd, hl, largest_exponent(model, discrete[:upto]))
