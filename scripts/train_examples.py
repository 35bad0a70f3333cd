"""Train the three bundled 10-unit PLRNNs ``vdp_trained``, ``lorenz_trained`` and ``vdp_fine``.

    python scripts/train_examples.py [--out plrnn_symbolic/model/data] [--only NAME]

Numpy and scipy only, fixed seeds, a few minutes on one core.  The result is
deterministic for a given numpy/BLAS build (floating-point summation order can
differ between builds, so a retrained model may differ in the last digits).

Model: z_{t+1} = A z_t + W relu(z_t) + h with M = 10 units, A diagonal, W with
zero diagonal.  Observation is the identity on the first N units,
x_t = z_{t, 1..N} (N = 2 for van der Pol, 3 for Lorenz), the usual choice in
dynamical-systems reconstruction, so no observation matrix is trained.

Training: backpropagation through time with sparse teacher forcing (Mikhaeil,
Monfared & Durstewitz 2022, "On the difficulty of learning chaotic dynamics
with RNNs", NeurIPS): on windows of ``seq_len`` steps, the observed units are
replaced by the data every ``tau`` steps (the unobserved units run freely), and
the loss is the mean squared error of the observed units before forcing.
Gradients are analytic (written out below), the optimizer is Adam with
gradient-norm clipping.  Every ``eval_every`` iterations the model is run
freely from the data, and the checkpoint kept is the one whose free-running
attractor is closest to the data's (per-dimension histogram distance), among
those whose largest Lyapunov exponent has the wanted sign (``want``).

Data: van der Pol, x'' - mu (1 - x^2) x' + x = 0 with mu = 1.5, sampled at
dt = 1/5 (period about 7.1 time units, 35 to 36 steps), observed (x, x'), and
for ``vdp_fine`` the same sampled at dt = 1/20 (about 142 steps; forcing every
40 steps on windows of 400, the same times as for ``vdp_trained``); Lorenz-63
(sigma 10, rho 28, beta 8/3) sampled at dt = 1/50, observed (x, y, z).  Both
standardized (zero mean, unit variance per dimension).  The shipped model's
``dt`` is the sampling step in the ODE's time units, so its continuous-time
Lyapunov exponents are comparable with the ODE's (Lorenz: about 0.9).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

M = 10


# ---- data --------------------------------------------------------------------------------------------------------

def _sample(rhs, y0, dt: float, n: int, transient: float) -> np.ndarray:
    t_eval = transient + dt * np.arange(n)
    sol = solve_ivp(rhs, (0.0, t_eval[-1]), y0, t_eval=t_eval, method="DOP853", rtol=1e-10, atol=1e-12)
    X = sol.y.T
    return (X - X.mean(axis=0)) / X.std(axis=0)


def van_der_pol(dt: float, n: int, mu: float = 1.5) -> np.ndarray:
    return _sample(lambda t, y: [y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]], [2.0, 0.0], dt, n, 50.0)


def lorenz(dt: float, n: int, sigma: float = 10.0, rho: float = 28.0, beta: float = 8 / 3) -> np.ndarray:
    def rhs(t, y):
        return [sigma * (y[1] - y[0]), y[0] * (rho - y[2]) - y[1], y[0] * y[1] - beta * y[2]]
    return _sample(rhs, [1.0, 1.0, 1.0], dt, n, 20.0)


# ---- the model and its gradient ----------------------------------------------------------------------------------

@dataclass
class Params:
    a: np.ndarray  # diagonal of A, (M,)
    W: np.ndarray  # (M, M), zero diagonal
    h: np.ndarray  # (M,)

    def flat(self) -> list[np.ndarray]:
        return [self.a, self.W, self.h]

    def step(self, z: np.ndarray) -> np.ndarray:
        return self.a * z + np.maximum(z, 0) @ self.W.T + self.h


def init_params(rng: np.random.Generator) -> Params:
    W = rng.normal(0.0, 0.3 / np.sqrt(M), (M, M))
    np.fill_diagonal(W, 0.0)
    return Params(a=rng.uniform(0.85, 0.95, M), W=W, h=rng.normal(0.0, 0.05, M))


def loss_and_grad(p: Params, X: np.ndarray, tau: int, warmup: int = 0) -> tuple[float, Params]:
    """Sparse teacher forcing on windows X of shape (B, T + 1, N).

    The first ``warmup`` predictions are not scored: the unobserved units start
    at zero and need a few forced windows to settle.
    """
    B, T1, N = X.shape
    T = T1 - 1
    z = np.zeros((B, M))
    zs = np.empty((T, B, M))  # the (forced) state each step starts from
    err = np.empty((T, B, N))
    for t in range(T):
        if t % tau == 0:
            z = z.copy()
            z[:, :N] = X[:, t]
        zs[t] = z
        z = p.step(z)
        err[t] = z[:, :N] - X[:, t + 1] if t >= warmup else 0.0
    scale = 1.0 / (B * (T - warmup) * N)
    loss = float(np.sum(err**2) * scale)
    ga, gW, gh = np.zeros(M), np.zeros((M, M)), np.zeros(M)
    g = np.zeros((B, M))  # dLoss / dz_{t+1}
    for t in range(T - 1, -1, -1):
        g[:, :N] += 2 * scale * err[t]
        zt = zs[t]
        rt = np.maximum(zt, 0)
        ga += np.sum(g * zt, axis=0)
        gW += g.T @ rt
        gh += g.sum(axis=0)
        g = g * p.a + (g @ p.W) * (zt > 0)
        if t % tau == 0:
            g[:, :N] = 0.0  # those were set to the data
    np.fill_diagonal(gW, 0.0)
    return loss, Params(ga, gW, gh)


# ---- free-running evaluation -------------------------------------------------------------------------------------

def trajectory(p: Params, z0: np.ndarray, steps: int) -> np.ndarray:
    Z = np.empty((steps + 1, M))
    Z[0] = z = z0
    for t in range(steps):
        z = p.step(z)
        Z[t + 1] = z
    return Z


def largest_lyapunov(p: Params, z: np.ndarray, steps: int) -> float:
    """Largest exponent per step (QR method with the region matrices A + W diag(z > 0))."""
    Q = np.eye(M)
    total = 0.0
    A = np.diag(p.a)
    for _ in range(steps):
        J = A + p.W * (z > 0)
        z = p.step(z)
        Q, R = np.linalg.qr(J @ Q)
        total += np.log(abs(R[0, 0]))
    return total / steps


def warm_state(p: Params, X: np.ndarray, tau: int, start: int = 0) -> np.ndarray:
    """A latent state consistent with the data: teacher-force for a few windows, then read it off."""
    N = X.shape[1]
    z = np.zeros(M)
    for t in range(start, start + 10 * tau):
        if (t - start) % tau == 0:
            z = z.copy()
            z[:N] = X[t]
        z = p.step(z)
    return z


def attractor_distance(p: Params, X: np.ndarray, tau: int, steps: int) -> tuple[float, np.ndarray]:
    """Mean per-dimension histogram distance (total variation) of a free run vs the data; the run's end state.

    Infinite if a free run from any of three data-consistent states leaves |z| < 100 within ``steps``.
    """
    N = X.shape[1]
    runs = []
    with np.errstate(all="ignore"):
        for start in (0, len(X) // 3, 2 * len(X) // 3):
            Z = trajectory(p, warm_state(p, X, tau, start), steps)
            if not np.all(np.isfinite(Z)) or np.abs(Z).max() > 100:
                return np.inf, Z[-1]
            runs.append(Z)
    Z = runs[0][steps // 5:]
    d = 0.0
    bins = np.linspace(-3.5, 3.5, 31)
    for i in range(N):
        hx = np.histogram(X[:, i], bins=bins)[0] / len(X)
        hz = np.histogram(Z[:, i], bins=bins)[0] / len(Z)
        d += 0.5 * np.abs(hx - hz).sum() + abs(np.mean(np.abs(Z[:, i]) > 3.5) - np.mean(np.abs(X[:, i]) > 3.5))
    return d / N, Z[-1]


# ---- training ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    name: str
    data: np.ndarray
    dt: Fraction
    tau: int
    seq_len: int
    batch: int
    iters: int
    lr: float
    want: str  # "zero" (limit cycle / torus) or "positive" (chaos)
    seed: int
    eval_every: int = 500


def train(s: Setup, log=print) -> tuple[Params, np.ndarray, dict]:
    rng = np.random.default_rng(s.seed)
    p = init_params(rng)
    m = [np.zeros_like(x) for x in p.flat()]
    v = [np.zeros_like(x) for x in p.flat()]
    b1, b2, eps = 0.9, 0.999, 1e-8
    X = s.data
    best = (np.inf, None, None, None)
    for it in range(1, s.iters + 1):
        starts = rng.integers(0, len(X) - s.seq_len - 1, s.batch)
        windows = np.stack([X[i:i + s.seq_len + 1] for i in starts])
        loss, g = loss_and_grad(p, windows, s.tau, 2 * s.tau)
        grads = g.flat()
        norm = np.sqrt(sum(float(np.sum(x**2)) for x in grads))
        if norm > 1.0:
            grads = [x / norm for x in grads]
        lr = s.lr * (0.1 ** (it / s.iters))  # exponential decay by 10x over the run
        for k, (x, gx) in enumerate(zip(p.flat(), grads)):
            m[k] = b1 * m[k] + (1 - b1) * gx
            v[k] = b2 * v[k] + (1 - b2) * gx**2
            x -= lr * (m[k] / (1 - b1**it)) / (np.sqrt(v[k] / (1 - b2**it)) + eps)
        np.fill_diagonal(p.W, 0.0)
        if it % s.eval_every == 0:
            dist, z_end = attractor_distance(p, X, s.tau, 20000)
            lyap = largest_lyapunov(p, z_end, 10000) if np.isfinite(dist) else np.nan
            ok = (abs(lyap) < 0.003) if s.want == "zero" else (lyap > 0.002)
            log(f"{s.name} it {it:5d} loss {loss:.5f} attractor distance {dist:.4f} lyapunov {lyap:+.5f}"
                f"{'  *' if ok and dist < best[0] else ''}")
            if ok and dist < best[0]:
                best = (dist, Params(p.a.copy(), p.W.copy(), p.h.copy()), z_end, {"iteration": it, "loss": loss,
                                                                                  "distance": dist, "lyapunov": lyap})
    if best[1] is None:
        raise RuntimeError(f"{s.name}: no checkpoint had the wanted dynamics ({s.want} Lyapunov exponent)")
    return best[1], best[2], best[3]


def to_json(p: Params, dt: Fraction, z0: np.ndarray, name: str) -> str:
    """The model in the format of ``plrnn_symbolic.model.files.load``; Python floats round-trip exactly."""
    A = [[float(p.a[i]) if i == j else 0 for j in range(M)] for i in range(M)]
    W = [[float(p.W[i, j]) if i != j else 0 for j in range(M)] for i in range(M)]
    data = {"name": name, "A": A, "W": W, "h": [float(x) for x in p.h], "dt": f"{dt.numerator}/{dt.denominator}",
            "z0": [float(x) for x in z0]}
    return json.dumps(data, indent=1) + "\n"


def setups() -> list[Setup]:
    vdp_dt, lor_dt, fine_dt = Fraction(1, 5), Fraction(1, 50), Fraction(1, 20)
    return [
        Setup("vdp_trained", van_der_pol(float(vdp_dt), 20000), vdp_dt, tau=10, seq_len=100, batch=32,
              iters=12000, lr=5e-3, want="zero", seed=1),
        Setup("lorenz_trained", lorenz(float(lor_dt), 50000), lor_dt, tau=12, seq_len=240, batch=32,
              iters=12000, lr=1e-3, want="positive", seed=7),
        Setup("vdp_fine", van_der_pol(float(fine_dt), 40000), fine_dt, tau=40, seq_len=400, batch=32,
              iters=8000, lr=5e-3, want="zero", seed=1),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "plrnn_symbolic" / "model" / "data")
    parser.add_argument("--only", choices=["vdp_trained", "lorenz_trained", "vdp_fine"])
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for s in setups():
        if args.only and s.name != args.only:
            continue
        t0 = time.perf_counter()
        p, z_end, info = train(s)
        # z0: a state on the attractor, after a long free run from the best checkpoint's end state.
        z0 = trajectory(p, z_end, 5000)[-1]
        (args.out / f"{s.name}.json").write_text(to_json(p, s.dt, z0, s.name), encoding="utf-8")
        print(f"{s.name}: kept iteration {info['iteration']} (distance {info['distance']:.4f}, "
              f"lyapunov {info['lyapunov']:+.5f} per step), {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
