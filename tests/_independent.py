"""Independent routes and small fixtures shared by several test files: written here in plain numpy,
not through the package's own code paths, so that comparing against them can fail."""

from __future__ import annotations

import argparse
import math

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


def rotation_model(theta_deg=170.0, rho=0.9, center=(1.0, 3.0)):
    """A 2-unit model whose region 11 rotates by theta and shrinks by rho about ``center`` (a point
    inside region 11): A = rho cos(theta) I and W = rho sin(theta) [[0, -1], [1, 0]], so
    A + W = rho R(theta), and h = (I - rho R) center makes ``center`` the fixed point of region 11."""
    from plrnn_symbolic import PLRNN

    th = math.radians(theta_deg)
    c, s = rho * math.cos(th), rho * math.sin(th)
    h = (np.eye(2) - np.array([[c, -s], [s, c]])) @ np.array(center)
    return PLRNN(A=[[c, 0], [0, c]], W=[[0, -s], [s, 0]], h=h.tolist())


def exact_statuses(H) -> tuple[str, ...]:
    """Verdicts (invertible, principal_log, real_log, unique_real_log, eigenvalue_one) of a rational
    region matrix H (a sympy Matrix) with a squarefree characteristic polynomial, by sympy's exact
    root counting (Sturm sequences), independent of the package's FLINT route."""
    import sympy as sp

    x = sp.Symbol("x")
    p = sp.Poly(H.charpoly(x).as_expr(), x)
    assert sp.degree(sp.gcd(p, p.diff(x)), x) == 0, "the independent route needs distinct eigenvalues"
    n = p.degree()
    zero, one = p.eval(0) == 0, p.eval(1) == 0
    neg = p.count_roots(-sp.oo, 0) - (1 if zero else 0)
    pos = p.count_roots(0, sp.oo) - (1 if zero else 0)
    res = (not zero, not zero and neg == 0, not zero and neg == 0, pos == n, one)
    return tuple("holds" if b else "fails" for b in res)


def trained_like(M: int, seed: int, a=(-0.9, 0.95), w: float = 0.5, h: float = 0.1, **kw):
    """A PLRNN shaped like a trained one: A diagonal with entries uniform in ``a``, W normal with
    scale ``w`` and a zero diagonal, h normal with scale ``h``; float weights (read exactly).
    The same (M, seed) always gives the same model."""
    from plrnn_symbolic import PLRNN

    rng = np.random.default_rng(seed)
    A = np.diag(rng.uniform(*a, M))
    W = rng.normal(0, w, (M, M))
    np.fill_diagonal(W, 0)
    return PLRNN(A, W, rng.normal(0, h, M), **kw)

