"""Independent routes shared by several test files: written here in plain numpy,
not through the package's own code paths, so that comparing against them can fail."""

from __future__ import annotations

import argparse

import numpy as np


def region_bits(z) -> str:
    """The region of z: unit i active iff z_i > 0."""
    return "".join("1" if v > 0 else "0" for v in z)


def largest_lyapunov(model, z, steps: int) -> float:
    """QR (Benettin) estimate of the map's largest exponent, with the Jacobians A + W diag(z > 0)."""
    n = model.numeric
    Q, total = np.eye(model.M), 0.0
    for _ in range(steps):
        J = n.A + n.W * (z > 0)
        z = n.step(z)
        Q, R = np.linalg.qr(J @ Q)
        total += np.log(abs(R[0, 0]))
    return total / steps


def subcommand_parser(add_arguments) -> argparse.ArgumentParser:
    """A parser with the model arguments and a subcommand's own (``add_arguments``)."""
    p = argparse.ArgumentParser()
    p.add_argument("model", nargs="?")
    p.add_argument("--example")
    add_arguments(p)
    return p
