"""Write the PyTorch and MATLAB fixtures of tests/test_family_files.py, as the training codes save them.

Needs torch (only here; the tests read the files without it):
    pip install --target /tmp/torchlib torch==2.13.0 && PYTHONPATH=/tmp/torchlib python scripts/make_family_fixtures.py

- ALRNN (Brenner et al. 2024) Python code: nn.Parameters A (a vector), W, h in a latent model, an
  observation layer B; torch.save(model.state_dict(), path).  P is a constructor argument, not saved.
- dendPLRNN (Brenner et al. 2022) code: AW (A on the diagonal, W off it), h, alphas (B,), thetas (M, B).
- shallow PLRNN (Hess et al. 2023) code: A (a vector), W1, W2, h1, h2.
- The 2020 PLRNN MATLAB code: mu0 a cell of trials, Inp (K x T), B (observation), an all-zero C, no dt.
Weights are random (seeded) with a contracting diagonal: the layout, not the training, is what is tested.
"""

from collections import OrderedDict
from pathlib import Path

import numpy as np
import scipy.io
import torch

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "family"


def tensor(x):
    return torch.tensor(np.asarray(x), dtype=torch.float32)


def alrnn(M, P, N, seed):
    rng = np.random.default_rng(seed)
    return OrderedDict([("latent_model.A", tensor(rng.uniform(0.5, 0.95, M))),
                        ("latent_model.W", tensor(rng.normal(scale=0.4 / np.sqrt(M), size=(M, M)))),
                        ("latent_model.h", tensor(rng.normal(scale=0.1, size=M))),
                        ("observation_model.B", tensor(rng.normal(size=(N, M))))])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.save(alrnn(20, 2, 3, 1), OUT / "alrnn_M20_P2.pt")
    torch.save(alrnn(30, 10, 3, 2), OUT / "alrnn_M30_P10.pt")
    rng = np.random.default_rng(3)
    M, B = 4, 3
    AW = rng.normal(scale=0.3, size=(M, M))
    np.fill_diagonal(AW, rng.uniform(0.5, 0.9, M))
    torch.save(OrderedDict([("latent_model.latent_step.AW", tensor(AW)),
                            ("latent_model.latent_step.h", tensor(rng.normal(scale=0.1, size=M))),
                            ("latent_model.latent_step.alphas", tensor(rng.normal(size=B))),
                            ("latent_model.latent_step.thetas", tensor(rng.normal(size=(M, B))))]),
               OUT / "dendplrnn_M4_B3.pt")
    rng = np.random.default_rng(4)
    M, L = 3, 6
    torch.save(OrderedDict([("latent_step.A", tensor(rng.uniform(0.5, 0.9, M))),
                            ("latent_step.W1", tensor(rng.normal(scale=0.3, size=(M, L)))),
                            ("latent_step.W2", tensor(rng.normal(size=(L, M)))),
                            ("latent_step.h1", tensor(rng.normal(scale=0.1, size=M))),
                            ("latent_step.h2", tensor(rng.normal(size=L)))]),
               OUT / "shallow_M3_L6.pt")
    # the 2020 MATLAB code: 10 units, 6 trials, 5 inputs x 360 steps, C all zero, no dt
    rng = np.random.default_rng(5)
    M, K, T, trials = 10, 5, 360, 6
    W = rng.normal(scale=0.3 / np.sqrt(M), size=(M, M))
    np.fill_diagonal(W, 0)
    mu0 = np.empty((1, trials), dtype=object)
    for k in range(trials):
        mu0[0, k] = rng.normal(size=(M, 1))
    scipy.io.savemat(OUT / "plrnn2020_cells.mat", {
        "A": np.diag(rng.uniform(0.5, 0.9, M)), "W": W, "h": rng.normal(scale=0.1, size=(M, 1)),
        "C": np.zeros((M, M)), "B": rng.normal(size=(3, M)), "mu0": mu0, "Inp": rng.normal(size=(K, T)),
        "S": np.eye(M), "G": np.eye(3), "Sigma": np.eye(M), "LL": np.array([[-1.5]])}, format="5")
    scipy.io.savemat(OUT / "plrnn2020_inputs.mat", {
        "A": np.diag(rng.uniform(0.5, 0.9, M)), "W": W, "h": rng.normal(scale=0.1, size=(M, 1)),
        "C": rng.normal(scale=0.2, size=(M, K)), "B": rng.normal(size=(3, M)), "mu0": mu0,
        "Inp": rng.normal(size=(K, T)), "S": np.eye(M)}, format="5")


if __name__ == "__main__":
    main()
