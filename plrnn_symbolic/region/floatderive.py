"""Float principal logarithms of many regions at once (THEORY section 2).

One batched eigendecomposition H = V diag(lambda) V^{-1} of a stack of region
matrices gives, for every region whose eigenvalues avoid (-inf, 0] and whose
eigenvector matrix is well conditioned,

* X = Log H = V diag(log lambda) V^{-1} (the principal logarithm,
  proofs/01_principal_embedding.tex, Theorem 1.1),
* U = beta(X) T = V diag(beta(log lambda)) V^{-1} T with
  beta(log lambda) = log(lambda) / (lambda - 1), which is 1 at lambda = 1, so that
  dt phi1(X) U = T (proofs/02_affine_term_zoh.tex, Theorems 2.2, 2.3);
  ``T = [h, C]`` and U = (g, B) dt,

and float residuals |e^X - H| and |phi1(X) U - T| from one batched exponential
of the augmented matrices [[X, U], [0, 0]] (Theorem 2.4).  Regions the batch
does not take (a negative or nearly zero eigenvalue: pairing or a lift; an
ill-conditioned eigenvector matrix; a residual too large) are left to the
per-region float route (:func:`plrnn_symbolic.region.reallog.real_logarithm` in floats), which decides them
as before.  Nothing here is a proof: the float verdicts come from
:func:`plrnn_symbolic.check` in float mode.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.linalg
from threadpoolctl import ThreadpoolController

from ..core.domains import FLOAT_REL_TOL

__all__ = ["COND_MAX", "PrincipalBatch", "beta_of_eigenvalues", "one_blas_thread", "principal_batch"]

COND_MAX = 1e4
"""Largest 1-norm condition number of the eigenvector matrix the batch accepts.

The batch's X and U carry errors of about ``cond(V) * eps``; above this bound the
per-region route (which reads phi1 off an exponential instead) takes the region, so
that both routes agree to about 1e-12."""

_SERIES = 1e-3   # |lambda - 1| below which beta comes from its Taylor series


@dataclass(frozen=True)
class PrincipalBatch:
    """What :func:`principal_batch` computed, one row per region of the stack.

    Attributes
    ----------
    ok : (n,) bool
        The batch took the region: its principal logarithm, U and residuals below are set.
        Elsewhere the arrays hold zeros (residuals ``nan``).
    X : (n, M, M) float
        Log H, the principal real logarithm (L dt).
    U : (n, M, 1 + K) float
        beta(X) T, i.e. (g dt, B dt).
    exp, affine : (n,) float
        max |e^X - H| and max |phi1(X) U - T| (float, not bounds).
    textbook : (n,) float
        max |X (H - I)^{-1} h - g dt| where cond(H - I) < 1e12, else ``nan``.
    """

    ok: np.ndarray
    X: np.ndarray
    U: np.ndarray
    exp: np.ndarray
    affine: np.ndarray
    textbook: np.ndarray


def beta_of_eigenvalues(lam: np.ndarray) -> np.ndarray:
    """beta(log lambda) = log(lambda) / (lambda - 1), elementwise, for lambda off (-inf, 0].

    beta(x) = x / (e^x - 1) is entire near 0 with beta(0) = 1, so eigenvalue one
    needs no special formula; near lambda = 1 the quotient is replaced by its series
    log(1 + w) / w = 1 - w/2 + w^2/3 - w^3/4 + w^4/5 - ..., w = lambda - 1
    (truncation error below |w|^5 / 6 <= 2e-16 for |w| < 1e-3).

    Parameters
    ----------
    lam : array_like, complex
        Eigenvalues, none in (-inf, 0].

    Returns
    -------
    numpy.ndarray, complex
        beta(log lambda), the eigenvalues of beta(Log H).

    References
    ----------
    proofs/02_affine_term_zoh.tex, Theorem 2.2 (g = beta(L dt) h / dt);
    N. J. Higham, *Functions of Matrices*, SIAM 2008, section 10.7.4 (phi functions).

    Examples
    --------
    >>> beta_of_eigenvalues(np.array([1.0, np.e, 1 + 1e-9]))
    array([1.        +0.j, 0.58197671+0.j, 1.        +0.j])
    """
    lam = np.asarray(lam, dtype=complex)
    w = lam - 1
    small = np.abs(w) < _SERIES
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = np.log(lam) / np.where(small, 1, w)
    series = 1 + w * (-1 / 2 + w * (1 / 3 + w * (-1 / 4 + w / 5)))
    return np.where(small, series, quotient)


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()   # scans the loaded BLAS libraries once (threadpool_limits does it per call)


def one_blas_thread():
    """A context with one BLAS thread: the matrices are small, and a second thread on a busy
    core stalls scipy's expm (measured: 11 ms instead of 0.1 ms for one 11 x 11 exponential).

    >>> with one_blas_thread():
    ...     float(scipy.linalg.expm(np.zeros((2, 2)))[0, 0])
    1.0
    """
    controller = _controller()
    if all(lib.num_threads == 1 for lib in controller.lib_controllers):
        return contextlib.nullcontext()   # already one thread (e.g. inside ``simulate``): setting it costs 0.1 ms
    return controller.limit(limits=1)


def _inverses(V: np.ndarray) -> np.ndarray:
    """V^{-1} for each matrix of the stack; ``nan`` where one is singular."""
    try:
        return np.linalg.inv(V)
    except np.linalg.LinAlgError:
        out = np.full_like(V, np.nan)
        for k, Vk in enumerate(V):
            try:
                out[k] = np.linalg.inv(Vk)
            except np.linalg.LinAlgError:
                pass
        return out


def principal_batch(H: np.ndarray, T: np.ndarray, candidates: np.ndarray | None = None) -> PrincipalBatch:
    """Principal logarithms and affine terms of a stack of region matrices, where the batch can.

    For each H_k (with targets T = [h, C]) whose eigenvalues all lie off the closed
    negative real axis and away from zero, and whose eigenvector matrix V_k has
    1-norm condition number at most :data:`COND_MAX`: X_k = Log H_k and
    U_k = beta(X_k) T_k as in the module docstring, with the float residuals of
    ``transform`` (one exponential of [[X, U], [0, 0]] per region, batched).  A region
    is accepted when, in addition, max(exp, affine) <= 1e-8 max(1, max|H_k|), the
    acceptance test of the per-region float route.

    Parameters
    ----------
    H : (n, M, M) float array
        Region matrices W_Omega.
    T : (M, 1 + K) or (n, M, 1 + K) float array
        Columns [h, C]: the affine terms the flow must reproduce.
    candidates : (n,) bool array, optional
        Regions to try (e.g. those whose float check says ``principal``); default all.

    Returns
    -------
    PrincipalBatch
        ``ok`` marks the regions taken; the rest need the per-region route
        (negative eigenvalues: pairing or a lift; defective or nearly defective
        eigenvalues; non-finite entries).

    References
    ----------
    W. J. Culver, "On the existence and uniqueness of the real logarithm of a matrix",
    Proc. AMS 17 (1966) 1146-1151.
    N. J. Higham, *Functions of Matrices: Theory and Computation*, SIAM 2008,
    Theorem 1.31 (principal logarithm), section 4.5 (evaluation by diagonalisation,
    accurate to about cond(V) eps), section 10.7.4 (phi functions).
    C. F. Van Loan, "Computing integrals involving the matrix exponential",
    IEEE TAC 23 (1978) 395-404 (the augmented exponential).
    proofs/01_principal_embedding.tex, Theorem 1.1; proofs/02_affine_term_zoh.tex,
    Theorems 2.2-2.4.

    Examples
    --------
    A rotation-scaling region, one with eigenvalue one, and one with a negative
    eigenvalue (left to the per-region route):

    >>> H = np.array([[[0.9, -0.2], [0.2, 0.9]], [[1.0, 0.5], [0.0, 0.5]], [[-0.5, 0.0], [0.0, 0.8]]])
    >>> T = np.array([[1.0], [0.5]])
    >>> b = principal_batch(H, T)
    >>> b.ok.tolist()
    [True, True, False]
    >>> np.allclose(scipy.linalg.expm(b.X[1]), H[1]), float(b.exp[1]) < 1e-14
    (True, True)
    >>> phi1 = scipy.linalg.expm(np.block([[b.X[1], np.eye(2)], [np.zeros((2, 4))]]))[:2, 2:]
    >>> np.allclose(phi1 @ b.U[1], T)
    True
    """
    with one_blas_thread():
        return _principal_batch(np.asarray(H, dtype=float), T, candidates)


def _principal_batch(H: np.ndarray, T, candidates) -> PrincipalBatch:
    n, M = H.shape[0], H.shape[1]
    T = np.broadcast_to(np.asarray(T, dtype=float), (n, M, np.shape(T)[-1]))
    K1 = T.shape[2]
    ok = np.ones(n, dtype=bool) if candidates is None else np.array(candidates, dtype=bool)
    ok &= np.isfinite(H).all(axis=(1, 2)) & np.isfinite(T).all(axis=(1, 2))
    X = np.zeros((n, M, M))
    U = np.zeros((n, M, K1))
    exp, affine, textbook = (np.full(n, np.nan) for _ in range(3))
    idx = np.flatnonzero(ok)
    if idx.size:
        Hs, Ts = H[idx], T[idx]
        try:
            lam, V = np.linalg.eig(Hs)
        except np.linalg.LinAlgError:   # some matrix of the stack did not converge: leave all to the per-region route
            return PrincipalBatch(np.zeros(n, dtype=bool), X, U, exp, affine, textbook)
        lam, V = lam.astype(complex), V.astype(complex)
        # the per-region route's tolerances (FloatDomain's tests): no eigenvalue zero or negative
        tol = FLOAT_REL_TOL * np.maximum(1.0, np.abs(lam).max(axis=1))[:, None]
        negative = (np.abs(lam.imag) <= tol) & (lam.real < -tol)
        good = ~((np.abs(lam) <= tol) | negative).any(axis=1)
        Vi = _inverses(V)
        with np.errstate(invalid="ignore", over="ignore"):
            cond = np.abs(V).sum(axis=1).max(axis=1) * np.abs(Vi).sum(axis=1).max(axis=1)
        good &= cond <= COND_MAX     # also False where Vi is nan
        lam = np.where(good[:, None], lam, 1.0)    # harmless values where the region is not taken
        Vi = np.where(good[:, None, None], Vi, np.eye(M))
        V = np.where(good[:, None, None], V, np.eye(M))
        Xs = np.real(V @ (np.log(lam)[:, :, None] * Vi))
        Us = np.real(V @ (beta_of_eigenvalues(lam)[:, :, None] * (Vi @ Ts)))
        aug = np.zeros((idx.size, M + K1, M + K1))
        aug[:, :M, :M] = Xs
        aug[:, :M, M:] = Us
        E = scipy.linalg.expm(aug)
        ex = np.abs(E[:, :M, :M] - Hs).max(axis=(1, 2))
        af = np.abs(E[:, :M, M:] - Ts).max(axis=(1, 2))
        scale = np.maximum(1.0, np.abs(Hs).max(axis=(1, 2)))
        good &= np.maximum(ex, af) <= 1e-8 * scale      # NaN compares False
        # the textbook form g dt = X (H - I)^{-1} h, where 1 is not (nearly) an eigenvalue
        tb = np.full(idx.size, np.nan)
        Em = Hs - np.eye(M)
        with np.errstate(all="ignore"):
            regular = np.linalg.cond(Em) < 1e12
        if regular.any():
            y = np.linalg.solve(Em[regular], Ts[regular][:, :, :1])
            tb[regular] = np.abs(Xs[regular] @ y - Us[regular][:, :, :1]).max(axis=(1, 2))
        ok[idx] = good
        X[idx], U[idx], exp[idx], affine[idx], textbook[idx] = Xs, Us, ex, af, tb
        bad = ~ok
        X[bad], U[bad], exp[bad], affine[bad], textbook[bad] = 0.0, 0.0, np.nan, np.nan, np.nan
    return PrincipalBatch(ok, X, U, exp, affine, textbook)
