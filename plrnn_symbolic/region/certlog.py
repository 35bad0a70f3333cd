"""Certified real logarithms: ball enclosures that contain the logarithm of H itself.

A candidate logarithm whose exponential is close to H is a logarithm of a *nearby*
matrix; near coincident or near-axis eigenvalues it can be the wrong one (a rotation
by pi for a complex pair at arg pi - 1e-20, two distinct negative eigenvalues paired
as if equal).  This module never builds a candidate.  It encloses an eigenbasis of H
rigorously and evaluates the logarithm, and every other function of it the package
needs, through that basis in ball arithmetic (proofs/01_principal_embedding.tex,
Theorem 1.7):

* FLINT's ``acb_mat.eig`` (default algorithm) returns isolated enclosures of simple
  eigenvalues with enclosures of right eigenvectors, or fails.  When some columns of H
  are multiples of unit vectors (the inactive units of a PLRNN with diagonal A), those
  unit vectors are exact eigenvectors and only the remaining principal block S is
  enclosed; its eigenvectors are extended by x_Z = (lambda I - D)^{-1} R v, which also
  proves lambda distinct from every exact eigenvalue.  Exact eigenvalues may repeat
  (they are semisimple, with the exact unit vectors as basis).
* An eigenvalue is proved real when its enclosure meets the real axis and its
  conjugate meets no other enclosure (the conjugate of an eigenvalue of a real matrix
  is an eigenvalue), and negative or positive when the enclosure says so; anything the
  balls cannot prove raises :class:`NotCertified` (raise the precision, or go exact).
* With the eigenbasis x_k and the dual rows y_k of its inverse, the real logarithm of
  THEORY section 3 is a function of H: f(H) = sum_k f(l_k) x_k y_k with l_k the
  principal logarithm, except on negative eigenvalues, where l = log|lambda| + i pi acts
  as a rotation by pi on a pair of equal eigenvalues (exact eigenvalues only: balls
  never prove two eigenvalues equal) or on an unpaired one and a new coordinate (the
  lift, proofs/03_negative_eigenvalues_lift.tex, Theorem 3.9).  The same formula with
  f = beta gives the affine term (proofs/02_affine_term_zoh.tex), with no special case
  for the eigenvalue one.

Every enclosure contains the value for the true eigenbasis, so ``principal`` is proved
(every l_k has |Im| < pi, strictly) and not inferred from a small residual.

References
----------
W. J. Culver, "On the existence and uniqueness of the real logarithm of a matrix",
Proc. AMS 17 (1966).  N. J. Higham, *Functions of Matrices*, SIAM (2008), ch. 1 and 11.
J. van der Hoeven and B. Mourrain, "Efficient certification of numeric solutions to
eigenproblems", MACIS (2017) (FLINT's ``acb_mat_eig_simple``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import flint
import sympy as sp

from ..core.domains import to_arb, working_precision


class NotCertified(ArithmeticError):
    """Ball arithmetic at this precision cannot prove what the logarithm needs (say what)."""


@dataclass
class _Group:
    """Eigenvalues the logarithm treats together: one simple eigenvalue of S, or all
    the equal exact ones.  ``members`` are indices into the eigenbasis."""

    value: flint.acb
    members: list[int]
    exact: object = None          # the exact value (a sympy number) of an exact eigenvalue
    real: bool = False
    negative: bool = False
    log: flint.acb | None = None  # l = Log(value), or log|value| + i pi on a negative group


@dataclass
class CertifiedLog:
    """The certified real logarithm of H (N = M + number of lifted coordinates).

    ``X`` (N x N, real) contains a real logarithm of diag(H, lifted eigenvalues), the
    principal one when ``lifted`` and ``paired`` are empty; ``htilde`` contains that
    diagonal matrix; :meth:`beta_apply` evaluates beta(X) T.
    """

    X: flint.arb_mat
    htilde: flint.arb_mat
    lifted: list[complex] = field(default_factory=list)
    paired: list[tuple[complex, int]] = field(default_factory=list)
    prec: int = 0
    _groups: list = field(default_factory=list, repr=False)
    _R: flint.acb_mat | None = field(default=None, repr=False)
    _Ri: flint.acb_mat | None = field(default=None, repr=False)

    @property
    def principal(self) -> bool:
        return not self.lifted and not self.paired

    def beta_apply(self, T: flint.arb_mat) -> flint.arb_mat:
        """beta(X) T, beta(x) = x / (e^x - 1): the affine terms [g B] dt of targets T (N rows)."""
        with working_precision(self.prec):
            F = _spectral(_beta, self._groups, self._R, self._Ri, self.X.nrows(), self.prec)
            return F * T


def _beta(l: flint.acb, prec: int) -> flint.acb:
    """x / (e^x - 1) at a ball x; near 0 as 1 / phi1(x) with phi1's series and a bound on its tail."""
    if l.is_exact() and l.is_zero():
        return flint.acb(1)
    if not l.contains(0):
        return l / l.expm1()      # expm1 keeps its relative accuracy near 0
    r = l.abs_upper()
    if r < 0.25:
        # phi1(x) = sum_k x^k / (k+1)!; term ratios are |x|/(k+2) < 1/8, so the tail after the
        # term of degree n is at most 8/7 |x|^(n+1)/(n+2)!
        s, term, k = flint.acb(1), flint.acb(1), 0
        tail = flint.arb(1)
        while True:
            k += 1
            term = term * l / (k + 1)
            s += term
            tail = tail * r / (k + 2)
            if tail < flint.arb(2) ** (-prec - 8):
                break
        s += flint.acb(flint.arb(0, (tail * 8 / 7).upper()), flint.arb(0, (tail * 8 / 7).upper()))
        return 1 / s
    return l / l.expm1()


def _identity(l: flint.acb, prec: int) -> flint.acb:
    return l


def _exp(l: flint.acb, prec: int) -> flint.acb:
    return l.exp()


def _spectral(f, groups, R, Ri, N, prec) -> flint.arb_mat:
    """sum_k f(l_k) x_k y_k over the eigenbasis, with the rotations of the negative groups
    (see the module docstring); real part of the complex enclosure (the true value is real)."""
    M = R.nrows()
    out = flint.acb_mat(N, N)
    diag = [flint.acb(0)] * M
    lift = M
    for g in groups:
        if not g.negative:
            fl = f(g.log, prec)
            for k in g.members:
                diag[k] = fl
            continue
        fz = f(g.log, prec)
        a, b = fz.real, fz.imag

        def add(col, row, c):
            for i, x in col:
                for j, y in row:
                    out[i, j] += c * x * y

        us = [(list(enumerate(_col(R, k))), list(enumerate(_row(Ri, k)))) for k in g.members]
        pairs = len(us) // 2
        for p in range(pairs):
            (ua, ya), (ub, yb) = us[2 * p], us[2 * p + 1]
            add(ua, ya, a)
            add(ub, yb, a)
            add(ub, ya, b)
            add(ua, yb, -b)
        if len(us) % 2:
            uc, yc = us[-1]
            e = [(lift, flint.acb(1))]
            add(uc, yc, a)
            add(e, e, a)
            add(e, yc, b)
            add(uc, e, -b)
            lift += 1
    D = flint.acb_mat(M, M, [diag[i] if i == j else 0 for i in range(M) for j in range(M)])
    main = R * D * Ri
    for i in range(M):
        for j in range(M):
            out[i, j] += main[i, j]
    return flint.arb_mat(N, N, [out[i, j].real for i in range(N) for j in range(N)])


def _col(R, k):
    return [R[i, k] for i in range(R.nrows())]


def _row(Ri, k):
    return [Ri[k, j] for j in range(Ri.ncols())]


def deflatable(rows: list[list]) -> list[int]:
    """Columns j with H e_j = H_jj e_j (exact zeros off the diagonal): exact eigenvectors."""
    n = len(rows)
    return [j for j in range(n) if all(rows[i][j] == 0 for i in range(n) if i != j)]


def _eigenbasis(rows: list[list], H: flint.arb_mat, prec: int):
    """(eigenvalue enclosures, exact values or None, R) with R's columns enclosing eigenvectors of H."""
    n = H.nrows()
    Z = deflatable(rows)
    act = [j for j in range(n) if j not in Z]
    lam: list[flint.acb] = []
    exact: list = []
    R = flint.acb_mat(n, n)
    if act:
        S = flint.acb_mat(len(act), len(act), [H[i, j] for i in act for j in act])
        try:
            E, V = S.eig(right=True)
        except (ValueError, ZeroDivisionError) as exc:
            raise NotCertified(f"eigenvalues not isolated at {prec} bits ({exc})") from None
        for k, ev in enumerate(E):
            for a, i in enumerate(act):
                R[i, len(lam)] = V[a, k]
            for i in Z:   # x_i = (R v)_i / (lambda - d_i): lambda distinct from d_i iff this is finite
                s = flint.acb(0)
                for a, j in enumerate(act):
                    s += H[i, j] * V[a, k]
                x = s / (ev - H[i, i])
                if not x.is_finite():
                    raise NotCertified(f"an eigenvalue of the active block is not proved distinct from {H[i, i]} "
                                       f"at {prec} bits")
                R[i, len(lam)] = x
            lam.append(ev)
            exact.append(None)
    for i in Z:
        R[i, len(lam)] = 1
        lam.append(flint.acb(H[i, i]))
        exact.append(rows[i][i])
    return lam, exact, R


def proved_real(lam: list[flint.acb], k: int) -> bool | None:
    """Whether eigenvalue k of a real matrix is real (True), nonreal (False) or neither is proved
    (None): nonreal when its ball misses the real axis; real when its conjugate ball meets no
    other eigenvalue's ball (the conjugate is an eigenvalue, so it can only be itself)."""
    z = lam[k]
    if not z.imag.contains(0):
        return False
    conj = z.conjugate()
    return None if any(conj.overlaps(w) for j, w in enumerate(lam) if j != k) else True


def certified_real_log(Hs: sp.MatrixBase, prec: int) -> CertifiedLog:
    """The certified real logarithm of the real matrix ``Hs`` (exact sympy entries; balls at ``prec`` bits).

    Raises :class:`NotCertified` when the balls cannot prove what it needs: eigenvalues
    of the enclosed block that are not isolated (repeated or defective ones, or too close
    at this precision), an eigenvalue whose reality or sign is not proved.

    Examples
    --------
    >>> r = certified_real_log(sp.Matrix([[0, -1], [1, 0]]), 128)
    >>> r.principal, [float(r.X[i, j].mid()) for i in range(2) for j in range(2)]
    (True, [0.0, -1.5707963267948966, 1.5707963267948966, 0.0])
    >>> r = certified_real_log(sp.Matrix([[-2]]), 128)
    >>> r.lifted, r.X.nrows()
    ([(-2+0j)], 2)
    """
    with working_precision(prec):
        n = Hs.rows
        rows = Hs.tolist()
        H = flint.arb_mat(n, n, [to_arb(x) for r in rows for x in r])
        lam, exact, R = _eigenbasis(rows, H, prec)
        try:
            Ri = R.inv()
        except (ZeroDivisionError, ValueError):
            raise NotCertified(f"eigenvector matrix not proved invertible at {prec} bits") from None
        groups: list[_Group] = []
        for k, (z, q) in enumerate(zip(lam, exact)):
            if q is not None:
                g = next((g for g in groups if g.exact is not None and g.exact == q), None)
                if g is not None:
                    g.members.append(k)
                    continue
                if any(g.exact is not None and g.value.overlaps(z) for g in groups):
                    raise NotCertified(f"exact eigenvalues {q} and another not proved equal or distinct")
                if not (z.real < 0 or z.real > 0):
                    raise NotCertified(f"the sign of eigenvalue {q} not proved at {prec} bits")
                groups.append(_Group(z, [k], q, True, bool(z.real < 0)))
                continue
            real = proved_real(lam, k)
            if real is None:
                raise NotCertified(f"eigenvalue {z.str(3, radius=True)} not proved real or nonreal at {prec} bits")
            if not real:
                groups.append(_Group(z, [k]))
                continue
            if not (z.real < 0 or z.real > 0):
                raise NotCertified(f"the sign of eigenvalue {z.str(3, radius=True)} not proved at {prec} bits")
            groups.append(_Group(flint.acb(z.real), [k], None, True, bool(z.real < 0)))
        # a real eigenvector's column may carry a complex scale: divide it out (the true vector
        # is real, so the real parts of the balls contain it); the dual row takes the scale back
        for g in groups:
            if not g.real or g.exact is not None:
                continue
            k = g.members[0]
            col = _col(R, k)
            p = max(range(n), key=lambda i: col[i].abs_lower())
            c = col[p]
            if c.abs_lower() <= 0:
                raise NotCertified(f"eigenvector not normalised at {prec} bits")
            for i in range(n):
                R[i, k] = flint.acb((col[i] / c).real)
            for j in range(n):
                Ri[k, j] = flint.acb((Ri[k, j] * c).real)
        for g in groups:
            if g.negative:
                mag = -g.value.real
                g.log = flint.acb(mag.log(), flint.arb.pi())
            else:
                g.log = flint.acb(g.value.real.log()) if g.real else g.value.log()
        lifted, paired = [], []
        for g in groups:
            if g.negative:
                approx = complex(float(g.value.real.mid()), 0.0)
                if len(g.members) // 2:
                    paired.append((approx, len(g.members) // 2))
                if len(g.members) % 2:
                    lifted.append(approx)
        N = n + len(lifted)
        X = _spectral(_identity, groups, R, Ri, N, prec)
        Ht = flint.arb_mat(N, N)
        for i in range(n):
            for j in range(n):
                Ht[i, j] = H[i, j]
        lift = n
        for g in groups:
            if g.negative and len(g.members) % 2:
                Ht[lift, lift] = g.value.real
                lift += 1
    return CertifiedLog(X, Ht, lifted, paired, prec, groups, R, Ri)


__all__ = ["CertifiedLog", "NotCertified", "certified_real_log", "deflatable", "proved_real"]
