"""The real logarithm of a region matrix, written once over a number domain.

Given a real invertible H, :func:`real_logarithm` builds a real N x N matrix X
(N >= M) whose exponential is diag(H, H_u), where H_u holds one copy of each
unpaired negative eigenvalue (THEORY section 3).  It is a function of H evaluated
through an eigenbasis: with eigenvectors x_k and the dual rows y_k of their
inverse, f(H) = sum_k f(l_k) x_k y_k with l_k the principal logarithm of the
eigenvalue lambda_k (proofs/01_principal_embedding.tex, Theorem 1.7), except on
negative eigenvalues, where l = log|lambda| + i pi acts as a rotation by pi

* on a pair of equal eigenvalues (a real basis u_a, u_b of their eigenspace:
  X u_a = log|lambda| u_a + pi u_b, X u_b = log|lambda| u_b - pi u_a);
* on an unpaired one and a new coordinate e (the lift: X u = log|lambda| u + pi e,
  X e = log|lambda| e - pi u; minimal when each negative eigenvalue has at most one
  block size of odd multiplicity, proofs/03_negative_eigenvalues_lift.tex, Theorem 3.9).

The same sum with f = beta, beta(x) = x / (e^x - 1), gives the affine terms
(proofs/02_affine_term_zoh.tex), with no special case for the eigenvalue one.

What the algorithm needs of the numbers is the domain's
(:class:`~plrnn_symbolic.core.domains.BallDomain`,
:class:`~plrnn_symbolic.core.domains.FloatDomain`; mpmath's context pattern):
its precision, the eigenbasis, and the tests that sort the eigenvalues into real
and nonreal, negative and positive, equal and distinct.  In balls each test is a
proof (an eigenvalue is real when its conjugate can only be itself; two
eigenvalues are equal only when they are exact and equal) and what cannot be
proved raises :class:`NotCertified`; the result then contains the logarithm of H
itself, so "principal" is proved, never inferred from a small residual.  In
floats the tests are tolerances and the result is a candidate, labelled
``float`` wherever it is used; a principal logarithm without a usable eigenbasis
comes from scipy's inverse scaling and squaring instead
(:func:`principal_logarithm`).

References
----------
W. J. Culver, "On the existence and uniqueness of the real logarithm of a matrix",
Proc. AMS 17 (1966) 1146-1151.  N. J. Higham, *Functions of Matrices*, SIAM (2008),
chapters 1 and 11.  A. H. Al-Mohy and N. J. Higham, "Improved inverse scaling and
squaring algorithms for the matrix logarithm", SIAM J. Sci. Comput. 34 (2012) C153-C169.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..core.domains import (
    BallDomain,
    DomainError,
    FloatDomain,
    NotCertified,
    deflatable,
    proved_real,
)

LogError = DomainError
"""The domain cannot build this logarithm (its message says why, so the caller can fall back)."""


@dataclass
class _Group:
    """Eigenvalues the logarithm treats together: one eigenvalue, all the equal exact ones, or
    (in floats) the ones equal within the tolerance.  ``members`` index the eigenbasis."""

    value: object
    members: list[int]
    exact: object = None          # the exact value (a sympy number) of an exact eigenvalue
    real: bool = False
    negative: bool = False
    logs: dict = field(default_factory=dict)   # member -> l, or log|lambda| + i pi on a negative group


@dataclass
class RealLogarithm:
    """A real logarithm of H in a number domain (N = M + number of lifted coordinates).

    ``X`` (N x N, real, in the domain: ``flint.arb_mat`` balls or a float array) is a real
    logarithm of ``htilde`` = diag(H, lifted eigenvalues), the principal one when
    ``lifted`` and ``paired`` are empty (in balls: contains it); :meth:`beta_apply`
    evaluates beta(X) T.
    """

    X: object
    htilde: object = None
    lifted: list[complex] = field(default_factory=list)   # the eigenvalue each added coordinate doubles
    paired: list[tuple[complex, int]] = field(default_factory=list)  # (negative eigenvalue, number of pairs)
    route: str = "eigendecomposition"
    domain: object = field(default=None, repr=False)
    _groups: list = field(default_factory=list, repr=False)
    _R: object = field(default=None, repr=False)
    _Ri: object = field(default=None, repr=False)

    @property
    def principal(self) -> bool:
        return not self.lifted and not self.paired

    @property
    def prec(self) -> int:
        return getattr(self.domain, "prec", 0)

    def beta_apply(self, T):
        """beta(X) T, beta(x) = x / (e^x - 1): the affine terms [g B] dt of the targets T (N rows).

        In balls through the eigenbasis; in floats as phi1(X)^{-1} T from one exponential, which
        needs no eigenbasis and is accurate where the eigenvectors are ill-conditioned.
        """
        dom = self.domain
        if not dom.beta_through_eigenbasis:
            return dom.phi1_solve(self.X, T)
        with dom.working():
            return dom.mul(_spectral(dom.beta, self._groups, self._R, self._Ri, dom.nrows(self.X), dom), T)


LogResult = RealLogarithm           # the name of version 0.1
CertifiedLog = RealLogarithm        # the name of the certified route before the two routes were one
FloatLinalg = FloatDomain           # the float domain of version 0.1


def _log_itself(l):
    return l


def _spectral(f, groups: list[_Group], R, Ri, N: int, dom):
    """sum_k f(l_k) x_k y_k over the eigenbasis, with the rotations of the negative groups (see
    the module docstring); the real part of the complex result (the true value is real)."""
    M = dom.nrows(R)
    out = dom.zeros(N)
    diag = [dom.zero] * M
    lift = M
    for g in groups:
        if not g.negative:
            for k in g.members:
                diag[k] = f(g.logs[k])
            continue
        vectors = [(dom.column(R, k), dom.row(Ri, k), f(g.logs[k])) for k in g.members]
        for p in range(len(vectors) // 2):
            (ua, ya, fa), (ub, yb, fb) = vectors[2 * p], vectors[2 * p + 1]
            b = fa.imag
            dom.add_outer(out, ua, ya, fa.real)
            dom.add_outer(out, ub, yb, fb.real)
            dom.add_outer(out, ub, ya, b)
            dom.add_outer(out, ua, yb, -b)
        if len(vectors) % 2:
            uc, yc, fc = vectors[-1]
            a, b = fc.real, fc.imag
            e = dom.unit(lift)
            dom.add_outer(out, uc, yc, a)
            dom.add_outer(out, e, e, a)
            dom.add_outer(out, e, yc, b)
            dom.add_outer(out, uc, e, -b)
            lift += 1
    dom.add_diagonal_product(out, R, diag, Ri)
    return dom.real_matrix(out)


def _groups(e, dom) -> list[_Group]:
    """The eigenvalues sorted by the domain's tests into the groups the logarithm treats together;
    ``dom.failure`` where a test cannot decide."""
    lam, tol = e.values, e.tol
    groups: list[_Group] = []
    # negative groups of eigenvalues the domain may call equal (floats only); positive ones need no
    # merging: their logarithm is taken eigenvalue by eigenvalue, without a common real basis
    mergeable: list[_Group] = []
    for k, (z, q) in enumerate(zip(lam, e.exact)):
        if q is not None:
            g = next((g for g in groups if g.exact is not None and g.exact == q), None)
            if g is not None:
                g.members.append(k)
                continue
            if any(g.exact is not None and not dom.distinct(g.value, z) for g in groups):
                raise dom.failure(f"exact eigenvalues {q} and another not proved equal or distinct")
            sign = dom.sign(z, tol)
            if sign is None:
                raise dom.failure(dom.unproved(f"the sign of eigenvalue {q}", "", tol))
            groups.append(_Group(z, [k], q, True, sign < 0))
            continue
        real = dom.real(lam, k, tol)
        if real is None:
            raise dom.failure(dom.unproved(f"eigenvalue {dom.text(z)}", " real or nonreal", tol))
        if not real:
            groups.append(_Group(z, [k]))
            continue
        sign = dom.sign(z, tol)
        if sign is None:
            raise dom.failure(dom.unproved(f"the sign of eigenvalue {dom.text(z)}", "", tol))
        g = next((g for g in mergeable if any(dom.same(lam[j], z, tol) for j in g.members)), None) if sign < 0 else None
        if g is not None:
            g.members.append(k)
            continue
        groups.append(_Group(dom.real_part(z), [k], None, True, sign < 0))
        if dom.merges and sign < 0:
            mergeable.append(groups[-1])
    return groups


def real_logarithm(H, domain=None, *, allow_lift: bool = True, tol: float | None = None) -> RealLogarithm:
    """A real logarithm of H, lifted where no real one exists (THEORY section 3), in ``domain``.

    Parameters
    ----------
    H : (M, M) sympy matrix (ball domain: exact entries) or float array (float domain)
    domain : BallDomain or FloatDomain, optional
        The numbers to compute in; default ``FloatDomain()``.  The domain holds the precision
        and decides the tests on the eigenvalues: proofs in balls, tolerances in floats.
    allow_lift : bool
        If False, an unpaired negative eigenvalue raises the domain's failure
        (:class:`LogError`) instead of a lift.
    tol : float, optional
        Version 0.1's keyword: the same as ``FloatDomain(tol)`` (an absolute tolerance).

    Returns
    -------
    RealLogarithm
        X with e^X = diag(H, lifted eigenvalues); ``paired`` and ``lifted`` name the negative
        eigenvalues that were rotated by pi in pairs or doubled in new coordinates.

    Raises
    ------
    LogError
        The domain cannot decide a test or build the basis (:class:`NotCertified` in balls:
        eigenvalues not isolated, a reality or sign not proved; in floats an eigenvalue
        numerically zero or an ill-conditioned eigenvector matrix).

    References
    ----------
    proofs/01_principal_embedding.tex, Theorem 1.7 (functions of H through an enclosed
    eigenbasis); proofs/03_negative_eigenvalues_lift.tex, Lemma 3.2 and Theorem 3.9 (pairing
    and the lift); W. J. Culver, Proc. AMS 17 (1966); N. J. Higham, *Functions of Matrices*,
    SIAM (2008), section 1.2 and chapter 11.

    Examples
    --------
    >>> import scipy.linalg
    >>> r = real_logarithm(np.diag([-1.0, -1.0, 2.0]), FloatDomain())
    >>> r.paired, r.lifted, r.X.shape
    ([((-1+0j), 1)], [], (3, 3))
    >>> np.allclose(scipy.linalg.expm(r.X), np.diag([-1.0, -1.0, 2.0]))
    True
    >>> r = real_logarithm(np.array([[-0.5]]))
    >>> r.lifted, np.allclose(scipy.linalg.expm(r.X), -0.5 * np.eye(2))
    ([(-0.5+0j)], True)

    The same algorithm in balls, whose entries contain the true logarithm:

    >>> r = real_logarithm(sp.Matrix([[0, -1], [1, 0]]), BallDomain(128))
    >>> r.principal, [float(r.X[i, j].mid()) for i in range(2) for j in range(2)]
    (True, [0.0, -1.5707963267948966, 1.5707963267948966, 0.0])
    """
    dom = FloatDomain(tol) if tol is not None else FloatDomain() if domain is None else domain
    with dom.working():
        e = dom.eigenbasis(H)
        R = e.R
        Ri = dom.inverse(R)
        groups = _groups(e, dom)
        for g in groups:   # a real basis where the rotations need one (and, in balls, where it tightens them)
            if g.real and g.exact is None and (g.negative or dom.real_basis_for_positive):
                dom.make_real(R, Ri, g.members)
        lifted, paired, extra = [], [], []
        for g in groups:
            for k in g.members:
                z = e.values[k]
                g.logs[k] = dom.log_negative(z) if g.negative else dom.log_real(z) if g.real else dom.log(z)
            if not g.negative:
                continue
            m = len(g.members)
            if m // 2:
                paired.append((dom.approx(g.value), m // 2))
            if m % 2:
                if not allow_lift:
                    raise dom.failure(f"the negative eigenvalue {dom.approx(g.value):.6g} has an unpaired block: "
                                      "no real logarithm")
                lifted.append(dom.approx(g.value))
                extra.append(g.value)
        N = dom.nrows(R) + len(lifted)
        X = _spectral(_log_itself, groups, R, Ri, N, dom)
        Ht = dom.extended(e.H, extra)
    return RealLogarithm(X, Ht, lifted, paired, domain=dom, _groups=groups, _R=R, _Ri=Ri)


def principal_logarithm(H, domain=None) -> RealLogarithm:
    """The principal logarithm; in floats, where the eigenvectors are not usable, by inverse
    scaling and squaring (scipy's ``logm``; Al-Mohy and Higham 2012) instead.

    >>> r = principal_logarithm(np.array([[1.0, 1.0], [0.0, 1.0]]))   # a Jordan block: no eigenbasis
    >>> r.route, np.round(r.X, 12).tolist()
    ('logm (inverse scaling and squaring)', [[0.0, 1.0], [0.0, 0.0]])
    """
    dom = FloatDomain() if domain is None else domain
    try:
        return real_logarithm(H, dom, allow_lift=False)
    except DomainError:
        if not hasattr(dom, "principal_fallback"):
            raise
        X = dom.principal_fallback(H)
        return RealLogarithm(X, np.asarray(H, dtype=float), route="logm (inverse scaling and squaring)", domain=dom)


def certified_real_log(Hs: sp.MatrixBase, prec: int) -> RealLogarithm:
    """The real logarithm of the real matrix ``Hs`` (exact sympy entries) in balls of ``prec`` bits:
    :func:`real_logarithm` in :class:`~plrnn_symbolic.core.domains.BallDomain`.

    >>> r = certified_real_log(sp.Matrix([[-2]]), 128)
    >>> r.lifted, r.X.nrows()
    ([(-2+0j)], 2)
    """
    return real_logarithm(Hs, BallDomain(prec))


__all__ = ["BallDomain", "CertifiedLog", "FloatDomain", "FloatLinalg", "LogError", "LogResult", "NotCertified",
           "RealLogarithm", "certified_real_log", "deflatable", "principal_logarithm", "proved_real",
           "real_logarithm"]
