"""Train the family's models the way their training codes do, and save them as those codes save them.

Outside the package and its tests: the files go to ``--out`` (default /work/trained_elsewhere), for
trying the command line on trained models as a new user would (README, "Your model's file").

- ``alrnn20``, ``alrnn30``: almost-linear RNNs (Brenner et al., NeurIPS 2024) on Lorenz-63, M = 20,
  P = 2 and M = 30, P = 10, parametrised as the public ALRNN Python code does: A a vector (the
  diagonal), W (M x M), h, and B (N x M), which starts the latent state from an observation
  (z_0 = x_0 B, then its first N units set to x_0); the first N units are the observation.  Sparse
  teacher forcing every 16 steps, RAdam, sequences of 200 steps; ``torch.save(model.state_dict())``
  (keys A, W, h, B).
- ``dend``: a dendritic PLRNN (Brenner et al., ICML 2022) as the dendPLRNN BPTT code holds it:
  ``latent_model.latent_step.AW`` (A on the diagonal, W off it), ``.h``, ``.thetas`` (M x B) and
  ``.alphas`` (B,), with the basis sum_b alpha_b relu(z + theta_b) (so the thresholds are -theta),
  and ``output_layer.weight`` (N x M, fixed to [I 0]).
- ``shallow``: a shallow PLRNN (Hess et al., ICML 2023): A a vector, W1 (M x L), W2 (L x M), h1, h2.
- ``mat``: a 10-unit PLRNN trained in numpy (BPTT written out by hand, Adam) on a van der Pol
  oscillator driven by two input channels, saved as the 2020 MATLAB code saves its models:
  A, W, h, C (M x K), B (the observation matrix, N x M), mu0 a cell of trials, Inp (K x T), no dt.

The torch models need torch (not a dependency of the package; use a separate environment):
    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy
    /tmp/torchenv/bin/python scripts/train_family_models.py alrnn20 alrnn30 dend shallow
    python scripts/train_family_models.py mat            # numpy and scipy only
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


# ---- data ---------------------------------------------------------------------------------------
def lorenz63(T: int, dt: float = 0.01, seed: int = 0) -> np.ndarray:
    """(T, 3) Lorenz-63 (sigma 10, rho 28, beta 8/3) by RK4, after a transient; each column standardised."""
    def f(x):
        return np.array([10 * (x[1] - x[0]), x[0] * (28 - x[2]) - x[1], x[0] * x[1] - 8 / 3 * x[2]])

    x = np.random.default_rng(seed).normal(size=3) + [1, 1, 20]
    out = np.empty((T + 1000, 3))
    for t in range(T + 1000):
        k1 = f(x)
        k2 = f(x + dt / 2 * k1)
        k3 = f(x + dt / 2 * k2)
        k4 = f(x + dt * k3)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[t] = x
    out = out[1000:]
    return (out - out.mean(0)) / out.std(0)


def driven_vdp(T: int, K: int = 2, dt: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(x (T, 2), s (T, K)): van der Pol (mu = 1) forced by the first of K smooth random inputs
    (the others are nuisance channels), sampled every dt; x standardised."""
    rng = np.random.default_rng(seed)
    knots = rng.normal(size=(T // 20 + 2, K))
    s = np.array([np.interp(np.arange(T) / 20, np.arange(len(knots)), knots[:, k]) for k in range(K)]).T
    x = np.array([2.0, 0.0])
    out = np.empty((T, 2))
    for t in range(T):
        for _ in range(10):          # Euler substeps of dt / 10
            h = dt / 10
            x = x + h * np.array([x[1], (1 - x[0] ** 2) * x[1] - x[0] + 0.5 * s[t, 0]])
        out[t] = x
    return (out - out.mean(0)) / out.std(0), s


# ---- torch models, as their codes write them ----------------------------------------------------
def _torch():
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    return torch


def _train(torch, params, step, x, M, seconds, interleave=16, seq=200, batch=16, lr=2e-3, encode=None):
    """Sparse teacher forcing (the first N units set to the data every ``interleave`` steps), MSE on
    the first N units, RAdam; stops after ``seconds`` of wall time.  Returns the last loss."""
    X = torch.tensor(x, dtype=torch.float32)
    T, N = X.shape
    opt = torch.optim.RAdam(params, lr=lr)
    start, n, loss = time.time(), 0, float("nan")
    gen = torch.Generator().manual_seed(1)
    while time.time() - start < seconds:
        idx = torch.randint(0, T - seq - 1, (batch,), generator=gen)
        xs = torch.stack([X[i:i + seq + 1] for i in idx])          # (batch, seq + 1, N)
        z = encode(xs[:, 0]) if encode is not None else torch.zeros(batch, M)
        z = torch.cat([xs[:, 0], z[:, N:]], dim=1)
        preds = []
        for t in range(seq):
            if t and t % interleave == 0:
                z = torch.cat([xs[:, t], z[:, N:]], dim=1)
            z = step(z)
            preds.append(z[:, :N])
        loss_t = ((torch.stack(preds, 1) - xs[:, 1:]) ** 2).mean()
        opt.zero_grad()
        loss_t.backward()
        opt.step()
        loss, n = float(loss_t.detach()), n + 1
    print(f"  {n} updates in {time.time() - start:.0f} s, last loss {loss:.4f}")
    return loss


def train_alrnn(out: Path, M: int, P: int, seconds: float) -> None:
    torch = _torch()
    nn = torch.nn
    x = lorenz63(20000)
    N = x.shape[1]

    class ALRNN(nn.Module):
        def __init__(self):
            super().__init__()
            rng = np.random.default_rng(M)
            R = rng.normal(size=(M, M))
            K = R.T @ R / M + np.eye(M)
            self.A = nn.Parameter(torch.tensor(np.diag(K) / np.abs(np.linalg.eigvals(K)).max(), dtype=torch.float32))
            self.W = nn.Parameter(torch.randn(M, M) * 0.01)
            self.h = nn.Parameter(torch.zeros(M))
            r = 1 / np.sqrt(N)
            self.B = nn.Parameter(torch.empty(N, M).uniform_(-r, r))

        def forward(self, z):
            phi = torch.cat([z[:, :M - P], torch.relu(z[:, M - P:])], dim=1)
            return self.A * z + phi @ self.W.t() + self.h

    model = ALRNN()
    print(f"ALRNN M = {M}, P = {P} on Lorenz-63")
    _train(torch, model.parameters(), model, x, M, seconds, encode=lambda x0: x0 @ model.B)
    torch.save(model.state_dict(), out / f"alrnn_lorenz_M{M}_P{P}.pt")


def train_dend(out: Path, M: int, B: int, seconds: float) -> None:
    torch = _torch()
    nn = torch.nn
    x = lorenz63(20000, seed=1)
    N = x.shape[1]

    class LatentStep(nn.Module):
        def __init__(self):
            super().__init__()
            Rm = torch.randn(M, M)
            AW = torch.eye(M) + Rm.T @ Rm / M
            self.AW = nn.Parameter(AW / torch.linalg.eigvals(AW).abs().max())
            self.h = nn.Parameter(torch.empty(M).uniform_(-1 / np.sqrt(M), 1 / np.sqrt(M)))
            self.thetas = nn.Parameter(torch.empty(M, B).uniform_(float(-x.max()), float(-x.min())))
            self.alphas = nn.Parameter(torch.empty(B).uniform_(-1 / np.sqrt(B), 1 / np.sqrt(B)))

        def forward(self, z):
            A = torch.diag(self.AW)
            W = self.AW - torch.diag(A)
            basis = (self.alphas * torch.relu(z.unsqueeze(-1) + self.thetas)).sum(-1)
            return A * z + basis @ W.t() + self.h

    class LatentModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.latent_step = LatentStep()

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.latent_model = LatentModel()
            self.output_layer = nn.Linear(M, N, bias=False)
            self.output_layer.weight = nn.Parameter(torch.eye(N, M), requires_grad=False)

    model = Model()
    print(f"dendritic PLRNN M = {M}, B = {B} on Lorenz-63")
    _train(torch, model.latent_model.parameters(), model.latent_model.latent_step, x, M, seconds)
    torch.save(model.state_dict(), out / f"dendplrnn_lorenz_M{M}_B{B}.pt")


def train_shallow(out: Path, M: int, L: int, seconds: float) -> None:
    torch = _torch()
    nn = torch.nn
    x = lorenz63(20000, seed=2)

    class ShallowPLRNN(nn.Module):
        def __init__(self):
            super().__init__()
            r1, r2 = 1 / np.sqrt(L), 1 / np.sqrt(M)
            self.A = nn.Parameter(torch.empty(M).uniform_(0.5, 0.9))
            self.W1 = nn.Parameter(torch.empty(M, L).uniform_(-r1, r1))
            self.W2 = nn.Parameter(torch.empty(L, M).uniform_(-r2, r2))
            self.h1 = nn.Parameter(torch.zeros(M))
            self.h2 = nn.Parameter(torch.empty(L).uniform_(-r1, r1))

        def forward(self, z):
            return self.A * z + torch.relu(z @ self.W2.t() + self.h2) @ self.W1.t() + self.h1

    model = ShallowPLRNN()
    print(f"shallow PLRNN M = {M}, L = {L} on Lorenz-63")
    _train(torch, model.parameters(), model, x, M, seconds)
    torch.save(model.state_dict(), out / f"shallow_lorenz_M{M}_L{L}.pt")


# ---- a PLRNN trained in numpy, saved as the 2020 MATLAB code does --------------------------------
def train_mat(out: Path, M: int = 10, seconds: float = 60.0) -> None:
    import scipy.io

    K, N, seq, batch = 2, 2, 40, 32
    x, s = driven_vdp(6000)
    rng = np.random.default_rng(0)
    p = {"a": rng.uniform(0.6, 0.9, M), "W": rng.normal(scale=0.1, size=(M, M)), "h": np.zeros(M),
         "C": rng.normal(scale=0.1, size=(M, K))}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    start, it, lr = time.time(), 0, 3e-3
    print(f"PLRNN M = {M} on a driven van der Pol oscillator (numpy BPTT)")
    while time.time() - start < seconds:
        idx = rng.integers(0, len(x) - seq - 1, batch)
        xs = np.stack([x[i:i + seq + 1] for i in idx])               # (batch, seq + 1, N)
        ss = np.stack([s[i:i + seq] for i in idx])                   # (batch, seq, K)
        W = p["W"] * (1 - np.eye(M))
        z = np.zeros((batch, M))
        z[:, :N] = xs[:, 0]
        Z = [z]
        for t in range(seq):                                         # z_{t+1} = a z + W relu(z) + h + C s_t
            z = p["a"] * z + np.maximum(z, 0) @ W.T + p["h"] + ss[:, t] @ p["C"].T
            Z.append(z)
        Z = np.stack(Z, 1)                                           # (batch, seq + 1, M)
        err = Z[:, 1:, :N] - xs[:, 1:]
        loss = (err ** 2).mean()
        g = np.zeros((batch, M))                                     # dloss / dz_{t+1}, backwards in t
        grads = {k: np.zeros_like(val) for k, val in p.items()}
        for t in range(seq - 1, -1, -1):
            g[:, :N] += 2 * err[:, t] / err.size
            zt = Z[:, t]
            grads["a"] += (g * zt).sum(0)
            grads["W"] += g.T @ np.maximum(zt, 0)
            grads["h"] += g.sum(0)
            grads["C"] += g.T @ ss[:, t]
            g = g * p["a"] + (g @ W) * (zt > 0)
        grads["W"] *= 1 - np.eye(M)
        it += 1
        for k in p:                                                  # Adam
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            p[k] -= lr * (m[k] / (1 - 0.9 ** it)) / (np.sqrt(v[k] / (1 - 0.999 ** it)) + 1e-8)
        p["a"] = np.clip(p["a"], 0.0, 0.99)
    print(f"  {it} updates in {time.time() - start:.0f} s, last loss {loss:.4f}")
    trials, T = 6, 360
    mu0 = np.empty((1, trials), dtype=object)
    Inp = np.empty((1, trials), dtype=object)
    W = p["W"] * (1 - np.eye(M))
    for k in range(trials):
        i = 500 + 700 * k
        z0 = np.zeros(M)
        for j in range(i - 50, i):     # the initial state as a trained model holds it: the hidden units
            z0[:N] = x[j]              # run along the data for 50 steps, the observed ones set to it
            z0 = p["a"] * z0 + W @ np.maximum(z0, 0) + p["h"] + p["C"] @ s[j]
        z0[:N] = x[i]
        mu0[0, k] = z0.reshape(M, 1)
        Inp[0, k] = s[i:i + T].T                                     # K x T
    B = np.zeros((N, M))
    B[:, :N] = np.eye(N)
    scipy.io.savemat(out / "plrnn2020_vdp_driven_M10.mat", {
        "A": np.diag(p["a"]), "W": p["W"] * (1 - np.eye(M)), "h": p["h"].reshape(M, 1), "C": p["C"],
        "B": B, "mu0": mu0, "Inp": Inp[0, 0], "S": np.eye(M), "Sigma": 0.01 * np.eye(M), "G": 0.01 * np.eye(N),
        "LL": np.array([[-float(loss)]])}, format="5")
    scipy.io.savemat(out / "plrnn2020_vdp_driven_M10_trials.mat", {
        "A": np.diag(p["a"]), "W": p["W"] * (1 - np.eye(M)), "h": p["h"].reshape(M, 1), "C": p["C"],
        "B": B, "mu0": mu0, "Inp": Inp}, format="5")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("which", nargs="*", default=["alrnn20", "alrnn30", "dend", "shallow", "mat"])
    ap.add_argument("--out", default="/work/trained_elsewhere")
    ap.add_argument("--seconds", type=float, default=90.0, help="wall time per model")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = {"alrnn20": lambda: train_alrnn(out, 20, 2, args.seconds),
            "alrnn30": lambda: train_alrnn(out, 30, 10, args.seconds),
            "dend": lambda: train_dend(out, 10, 4, args.seconds),
            "shallow": lambda: train_shallow(out, 6, 24, args.seconds),
            "mat": lambda: train_mat(out, 10, args.seconds)}
    for name in args.which:
        jobs[name]()


if __name__ == "__main__":
    main()
