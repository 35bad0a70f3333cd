"""Real matrix logarithms in floating point (the float route of ``derive``).

Given a real invertible H, :func:`real_logarithm` builds a real N x N matrix X
(N >= M) with e^X = diag(H, H_u), where H_u collects one copy of each unpaired
negative eigenvalue (doubling only the unpaired blocks; minimal when each negative eigenvalue has at most
one block size of odd multiplicity: proofs/03_negative_eigenvalues_lift.tex, Theorem 3.9):

* eigenvalues off (-inf, 0]: the principal logarithm (proofs/01_principal_embedding.tex);
* a negative eigenvalue lambda of multiplicity m (semisimple): on its eigenspace,
  with a real basis U and dual rows Y (Pi_lambda = U Y), X acts as
  log|lambda| I + pi K, where K rotates the basis vectors pairwise (K^2 = -I);
* when m is odd the last basis vector u is paired with a new coordinate e:
  X (u, 0) = (log|lambda| u, pi e),  X (0, e) = (-pi u, log|lambda| e).

The spectral decomposition comes from numpy's ``eig``; eigenvalues are grouped with a
tolerance, so the result is a float *candidate*, labelled ``float`` wherever it is used.
The certified route never builds a candidate: :mod:`plrnn_symbolic.certlog` encloses the
logarithm of H itself (proofs/01_principal_embedding.tex, Theorem 1.7).  Defective
negative eigenvalues need exact mode.
"""

from __future__ import annotations

import cmath
import math
from dataclasses import dataclass, field

import flint
import numpy as np
import scipy.linalg

from ..core.domains import working_precision


class LogError(ArithmeticError):
    """The domain cannot build this logarithm (say why, so the caller can fall back)."""


@dataclass
class LogResult:
    X: np.ndarray | flint.arb_mat          # real N x N candidate, in the domain
    lifted: list[complex] = field(default_factory=list)  # the eigenvalue each added coordinate doubles
    paired: list[tuple[complex, int]] = field(default_factory=list)  # (negative eigenvalue, number of pairs)
    route: str = "eigendecomposition"


class FloatLinalg:
    """numpy complex128."""

    name = "float"

    def eig(self, H):
        lam, V = np.linalg.eig(np.asarray(H, dtype=float))
        if np.linalg.cond(V) > 1e8:
            raise LogError("eigenvector matrix is ill-conditioned (a defective or nearly defective eigenvalue)")
        return list(lam), V.astype(complex), np.linalg.inv(V)

    def mul(self, A, B):
        return A @ B

    def inv(self, A):
        return np.linalg.inv(A)

    def cols(self, V, idx):
        return V[:, idx]

    def rows(self, V, idx):
        return V[idx, :]

    def diag_scale(self, V, d):
        return V * np.asarray(d)[None, :]

    def log(self, z):
        return cmath.log(complex(z))

    def real_log(self, x):
        return math.log(x)

    pi = math.pi

    def to_complex(self, z) -> complex:
        return complex(z)

    def real(self, A) -> np.ndarray:
        return np.real(A).astype(float)

    def assemble(self, X, us, ys, logs):
        M, k = X.shape[0], len(us)
        out = np.zeros((M + k, M + k))
        out[:M, :M] = X
        for j, (u, y, lg) in enumerate(zip(us, ys, logs)):
            out[:M, M + j] = -math.pi * u
            out[M + j, :M] = math.pi * y
            out[M + j, M + j] = lg
        return out

    def principal_fallback(self, H):
        X = scipy.linalg.logm(np.asarray(H, dtype=float))
        return np.real(X)


def _pivot_rows(Vf: np.ndarray, m: int) -> list[int]:
    """m rows of the N x m matrix Vf that form a well-conditioned m x m block."""
    A = Vf.copy()
    rows = []
    for k in range(m):
        i = int(np.argmax(np.abs(A[:, k])))
        rows.append(i)
        if abs(A[i, k]) == 0:
            raise LogError("eigenvectors are dependent")
        A = A - np.outer(A[:, k] / A[i, k], A[i, :])
        A[i, :] = 0
    return rows


def negative_clusters(lam: list[complex], tol: float) -> list[list[int]]:
    """Indices of (numerically) negative real eigenvalues, grouped by value."""
    neg = [i for i, z in enumerate(lam) if abs(z.imag) <= tol and z.real < -tol]
    groups: list[list[int]] = []
    for i in sorted(neg, key=lambda i: lam[i].real):
        if groups and abs(lam[groups[-1][-1]] - lam[i]) <= tol:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def real_logarithm(H, la, *, allow_lift: bool = True, tol: float | None = None) -> LogResult:
    """A real logarithm of H (lifted where needed), as described in the module docstring.

    Parameters
    ----------
    H : (M, M) float array (float domain) or ``flint.arb_mat`` (ball domain)
    la : FloatLinalg
    allow_lift : bool
        If False, an unpaired negative eigenvalue raises :class:`LogError`.

    Examples
    --------
    >>> r = real_logarithm(np.diag([-1.0, -1.0, 2.0]), FloatLinalg())
    >>> r.paired, r.lifted, r.X.shape
    ([((-1+0j), 1)], [], (3, 3))
    >>> np.allclose(scipy.linalg.expm(r.X), np.diag([-1.0, -1.0, 2.0]))
    True
    >>> r = real_logarithm(np.array([[-0.5]]), FloatLinalg())
    >>> r.lifted, np.allclose(scipy.linalg.expm(r.X), -0.5 * np.eye(2))
    ([(-0.5+0j)], True)
    """
    with working_precision(getattr(la, "prec", flint.ctx.prec)):  # ball sums and products too
        return _real_logarithm(H, la, allow_lift, tol)


def _real_logarithm(H, la, allow_lift, tol) -> LogResult:
    lam_raw, V, Vi = la.eig(H)
    lam = [la.to_complex(z) for z in lam_raw]
    scale = max(1.0, max(abs(z) for z in lam))
    tol = 1e-9 * scale if tol is None else tol
    if any(abs(z) <= tol for z in lam):
        # a tolerance proves nothing: the caller reports "undecided" (the exact and certified
        # predicates decide whether the matrix is singular)
        raise LogError(f"an eigenvalue within {tol:.1e} of 0 (numerically singular in floats)")
    groups = negative_clusters(lam, tol)
    in_group = {i for g in groups for i in g}
    logs = []
    for i, z in enumerate(lam_raw):
        logs.append(la.real_log(-z.real) if i in in_group else la.log(z))
    X = la.mul(la.diag_scale(V, logs), Vi)
    us, ys, lifted_logs, lifted, paired = [], [], [], [], []
    for g in groups:
        m = len(g)
        Vg, Wg = la.cols(V, g), la.rows(Vi, g)
        Vf = np.array([[la.to_complex(Vg[i, j]) for j in range(m)] for i in range(_nrows(Vg))])
        rows = _pivot_rows(Vf, m)
        B = la.rows(Vg, rows)
        U = la.mul(Vg, la.inv(B))   # real basis of the eigenspace (identity in the pivot rows)
        Y = la.mul(B, Wg)           # dual rows: Y U = I, U Y = projector
        K = None
        for p in range(m // 2):
            a, b = la.cols(U, [2 * p]), la.cols(U, [2 * p + 1])
            ya, yb = la.rows(Y, [2 * p]), la.rows(Y, [2 * p + 1])
            term = la.mul(b, ya) - la.mul(a, yb)
            K = term if K is None else K + term
        if K is not None:
            X = X + la.mul(_scalar_matrix(la, la.pi, _nrows(K)), K)
            paired.append((lam[g[0]], m // 2))
        if m % 2:
            if not allow_lift:
                raise LogError(f"the negative eigenvalue {lam[g[0]]:.6g} has an unpaired block: no real logarithm")
            us.append(la.cols(U, [m - 1]))
            ys.append(la.rows(Y, [m - 1]))
            lifted_logs.append(la.real_log(-lam_raw[g[-1]].real))
            lifted.append(lam[g[0]])
    Xr = la.real(X)
    if la.name == "float":
        us = [np.real(u).ravel() for u in us]
        ys = [np.real(y).ravel() for y in ys]
    return LogResult(la.assemble(Xr, us, ys, lifted_logs), lifted, paired)


def _nrows(A) -> int:
    return A.shape[0]


def _scalar_matrix(la, c, n):
    return c * np.eye(n)


def principal_logarithm(H, la) -> LogResult:
    """The principal logarithm; falls back to inverse scaling and squaring
    (scipy / mpmath ``logm``) when the eigenvectors are not usable."""
    try:
        return real_logarithm(H, la, allow_lift=False)
    except LogError:
        return LogResult(la.principal_fallback(H), route="logm (inverse scaling and squaring)")


__all__ = ["FloatLinalg", "LogError", "LogResult", "principal_logarithm", "real_logarithm"]
