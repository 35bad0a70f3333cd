"""Number domains: exact rationals (FLINT ``fmpq``), balls (FLINT ``arb``/``acb``)
and floats (numpy).

This module is the bottom layer: it converts exact sympy weights into each
domain and owns the working precision of ball arithmetic, which is set inside
a context (:func:`working_precision`) and restored afterwards, so no precision
leaks between calls.
"""

from __future__ import annotations

import cmath
import contextlib
import math
from collections.abc import Iterator
from dataclasses import dataclass

import flint
import numpy as np
import scipy.linalg
import sympy as sp

from .errors import InputError

__all__ = [
    "AUTO",
    "CERTIFIED",
    "EXACT",
    "FLOAT",
    "MODES",
    "BallDomain",
    "BallMatrix",
    "DomainError",
    "Eigenbasis",
    "FloatDomain",
    "NotCertified",
    "acb_from_fmpq",
    "acb_to_complex",
    "arb_matrix",
    "check_mode",
    "deflatable",
    "digits_to_bits",
    "float_matrix",
    "fmpq_matrix",
    "fmpq_to_sympy",
    "proved_real",
    "to_arb",
    "to_fmpq",
    "working_precision",
]

EXACT, CERTIFIED, FLOAT, AUTO = "exact", "certified", "float", "auto"
MODES = (AUTO, EXACT, CERTIFIED, FLOAT)
# auto: balls first, and exact arithmetic (always possible for float or rational weights) for
# what the balls leave undecided (repeated or defective eigenvalues); each verdict names its method


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
    return mode


@contextlib.contextmanager
def working_precision(bits: int) -> Iterator[int]:
    """Run a block with FLINT's ball precision set to ``bits``, then restore it.

    >>> with working_precision(200):
    ...     print(flint.ctx.prec)
    200
    """
    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield int(bits)
    finally:
        flint.ctx.prec = old


MAX_PRECISION = 1 << 17
"""Bits of ball precision at most (about 39,000 digits): beyond it a certified computation takes hours."""


def check_precision(bits: int, what: str = "precision") -> int:
    """``bits``, or an InputError naming :data:`MAX_PRECISION` when it is larger."""
    if bits > MAX_PRECISION:
        raise InputError(f"{what} of {bits:,} bits is above the limit of {MAX_PRECISION:,} bits "
                         f"(about {int(MAX_PRECISION / math.log2(10)) - 5:,} digits)")
    return bits


def digits_to_bits(digits: int) -> int:
    """Bits of precision that carry ``digits`` decimal digits (plus guard bits)."""
    return check_precision(math.ceil(digits * math.log2(10)) + 16, f"{digits:,} digits, a precision")


# ---- exact ------------------------------------------------------------------
def to_fmpq(x: sp.Expr) -> flint.fmpq:
    if not isinstance(x, sp.Rational):
        raise InputError(f"{x} is not rational: exact mode over Q needs rational weights")
    return flint.fmpq(int(x.p), int(x.q))


def fmpq_matrix(m: sp.MatrixBase) -> flint.fmpq_mat:
    """Exact FLINT copy of a rational sympy matrix."""
    return flint.fmpq_mat(m.rows, m.cols, [to_fmpq(x) for x in m])


def fmpq_to_float(x: flint.fmpq) -> float:
    """The float nearest ``x`` (correctly rounded), or +-inf beyond the float64 range, as
    ``float(arb)`` gives (``float(fmpq)`` raises OverflowError there).

    >>> fmpq_to_float(flint.fmpq(1, 3)), fmpq_to_float(-flint.fmpq(10) ** 400)
    (0.3333333333333333, -inf)
    """
    try:
        return int(x.p) / int(x.q)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def fmpq_to_sympy(x: flint.fmpq) -> sp.Rational:
    return sp.Rational(int(x.p), int(x.q))


# ---- balls --------------------------------------------------------------------
def to_arb(x: sp.Expr) -> flint.arb:
    """A ball that provably contains the real number ``x``, at the working precision.

    Rationals are enclosed directly; sums, products, integer and rational powers,
    ``pi``, ``E``, ``exp``, ``log``, ``sin``, ``cos`` and ``sqrt`` are evaluated in
    ball arithmetic, so the enclosure is rigorous.

    >>> with working_precision(64):
    ...     b = to_arb(sp.sqrt(2) + sp.Rational(1, 3))
    >>> b.overlaps(flint.arb(2).sqrt() + flint.arb(flint.fmpq(1, 3)))
    True
    """
    if isinstance(x, sp.Rational):
        return flint.arb(flint.fmpq(int(x.p), int(x.q)))
    if x is sp.pi:
        return flint.arb.pi()
    if x is sp.E:
        return flint.arb(1).exp()
    if isinstance(x, sp.Add):
        out = flint.arb(0)
        for a in x.args:
            out += to_arb(a)
        return out
    if isinstance(x, sp.Mul):
        out = flint.arb(1)
        for a in x.args:
            out *= to_arb(a)
        return out
    if isinstance(x, sp.Pow):
        base, ex = x.args
        if isinstance(ex, sp.Integer):
            return to_arb(base) ** int(ex)
        if isinstance(ex, sp.Rational):
            return to_arb(base) ** flint.arb(flint.fmpq(int(ex.p), int(ex.q)))
    funcs = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.atan: "atan"}
    if type(x) in funcs and len(x.args) == 1:
        return getattr(to_arb(x.args[0]), funcs[type(x)])()
    raise InputError(f"cannot enclose {x} in ball arithmetic (free symbols or unsupported function)")


def arb_matrix(m: sp.MatrixBase) -> flint.arb_mat:
    return flint.arb_mat(m.rows, m.cols, [to_arb(x) for x in m])


def acb_from_fmpq(m: flint.fmpq_mat) -> flint.acb_mat:
    return flint.acb_mat(flint.arb_mat(m))


def acb_to_complex(z: flint.acb) -> complex:
    return complex(float(z.real.mid()), float(z.imag.mid()))


def float_matrix(m: sp.MatrixBase) -> np.ndarray:
    return np.array(m.tolist(), dtype=float)


def arb_parts(x: flint.arb) -> tuple[int, int, int, int]:
    """The exact dyadic midpoint and radius of a ball, (mantissa, exponent) each: for pickling."""
    (m, e), (rm, re) = x.mid().man_exp(), x.rad().man_exp()
    return int(m), int(e), int(rm), int(re)


def arb_of_parts(parts) -> flint.arb:
    """The ball of :func:`arb_parts`, exactly."""
    m, e, rm, re = parts
    with working_precision(max(64, m.bit_length() + 16)):   # exact: dyadic numbers at enough bits
        return flint.arb(flint.arb(m) * flint.arb(2) ** e, flint.arb(rm) * flint.arb(2) ** re)


class BallMatrix:
    """A real ball matrix (FLINT ``arb_mat``) whose balls contain the quantity it encloses.

    It pickles (as the exact dyadic midpoints and radii of its entries), so results that
    carry one cross process boundaries.

    >>> with working_precision(64):
    ...     b = BallMatrix.of(flint.arb_mat([[flint.arb(1) / 3]]))
    >>> with working_precision(128):   # the exact 1/3, not a 53-bit ball around it
    ...     inside = b.arb()[0, 0].contains(flint.fmpq(1, 3))
    >>> b.shape, b.radius() < 1e-18, inside
    ((1, 1), True, True)
    """

    __slots__ = ("_A", "_bits")

    def __init__(self, A: flint.arb_mat, bits: int):
        self._A, self._bits = A, bits

    @classmethod
    def of(cls, A: flint.arb_mat) -> BallMatrix:
        """Wrap the balls ``A`` (built at the working precision, which is kept for reading them)."""
        return cls(A, flint.ctx.prec)

    @property
    def shape(self) -> tuple[int, int]:
        return self._A.nrows(), self._A.ncols()

    def arb(self) -> flint.arb_mat:
        """The balls as an ``arb_mat``."""
        return self._A

    def mid(self) -> np.ndarray:
        """Midpoints rounded to float64."""
        return np.array([float(x.mid()) for x in self._A.entries()]).reshape(self.shape)

    def strings(self, digits: int = 20) -> list[list[str]]:
        """Each ball as text, midpoint and radius (``[0.333... +/- 3e-20]``), row by row."""
        with working_precision(max(self._bits, digits_to_bits(digits))):
            return [[self._A[i, j].str(digits, radius=True) for j in range(self.shape[1])]
                    for i in range(self.shape[0])]

    def radius(self) -> float:
        """The largest radius, rounded up to a float."""
        return max((_up(x.rad()) for x in self._A.entries()), default=0.0)

    def float_error(self) -> float:
        """A bound on |mid() - x| over every x in the balls: radius plus the rounding of the midpoints."""
        worst = 0.0
        with working_precision(max(self._bits, 64)):
            for x in self._A.entries():
                m = x.mid()
                worst = max(worst, _up(abs(m - flint.arb(float(m))) + x.rad()))
        return worst

    def __reduce__(self):
        with working_precision(self._bits):
            parts = tuple(arb_parts(x) for x in self._A.entries())
        return (_ball_matrix_of_parts, (self.shape, parts, self._bits))

    def __repr__(self) -> str:
        return f"BallMatrix(shape={self.shape}, radius={self.radius():.1e})"


def _up(x: flint.arb) -> float:
    """A float >= every number in the ball x (of exact dyadic endpoints)."""
    u = x.upper()
    f = float(u)
    return f if flint.arb(f) >= u else float(np.nextafter(f, np.inf))


def _ball_matrix_of_parts(shape, parts, bits) -> BallMatrix:
    with working_precision(bits):
        return BallMatrix(flint.arb_mat(*shape, [arb_of_parts(p) for p in parts]), bits)


# ---- the domains as objects: one algorithm, handed a domain (mpmath's context pattern) ----------
class DomainError(ArithmeticError):
    """A number domain cannot do what an algorithm asks of it here (a float tolerance that
    cannot decide, a closed form that does not exist); the message says why, so the caller
    can fall back to another domain."""


class NotCertified(DomainError):
    """Ball arithmetic at this precision cannot prove what the algorithm needs (the message
    says what); more bits, or exact arithmetic, may."""


@dataclass
class Eigenbasis:
    """What a domain's ``eigenbasis`` gives: the eigenvalues of H (domain scalars), their exact
    values where the domain knows them (else None), the columns R of eigenvectors, H itself in
    the domain, and the tolerance the domain's tests use (None where they are proofs)."""

    values: list
    exact: list
    R: object
    H: object
    tol: float | None = None


def deflatable(rows: list[list]) -> list[int]:
    """Columns j with H e_j = H_jj e_j (exact zeros off the diagonal): exact eigenvectors.

    >>> deflatable([[1, 0, 2], [0, 3, 4], [0, 0, 5]])
    [0, 1]
    """
    n = len(rows)
    return [j for j in range(n) if all(rows[i][j] == 0 for i in range(n) if i != j)]


def proved_real(lam: list[flint.acb], k: int) -> bool | None:
    """Whether eigenvalue k of a real matrix is real (True), nonreal (False) or neither is proved
    (None): nonreal when its ball misses the real axis; real when its conjugate ball meets no
    other eigenvalue's ball (the conjugate is an eigenvalue, so it can only be itself).

    >>> with working_precision(64):
    ...     lam = [flint.acb(2), flint.acb(0, 1), flint.acb(0, -1)]
    >>> [proved_real(lam, k) for k in range(3)]
    [True, False, False]
    """
    z = lam[k]
    if not z.imag.contains(0):
        return False
    conj = z.conjugate()
    return None if any(conj.overlaps(w) for j, w in enumerate(lam) if j != k) else True


class BallDomain:
    """Complex balls (FLINT ``acb``) at ``prec`` bits: every test is a proof, and what the balls
    cannot prove raises :class:`NotCertified`.

    The eigenbasis is FLINT's rigorous ``acb_mat.eig`` (isolated enclosures of simple eigenvalues
    and right eigenvectors); the unit-vector columns of H (the inactive units of a PLRNN with
    diagonal A) are exact eigenvectors with exact, possibly repeated, eigenvalues, and only the
    remaining block S is enclosed, its eigenvectors extended by x_Z = (lambda I - D)^{-1} R v,
    which also proves lambda distinct from every exact eigenvalue (proofs/01, Theorem 1.7).

    References
    ----------
    J. van der Hoeven and B. Mourrain, "Efficient certification of numeric solutions to
    eigenproblems", MACIS (2017) (FLINT's ``acb_mat_eig_simple``).  S. M. Rump, "Verification
    methods", Acta Numerica 19 (2010) (midpoint-radius arithmetic).

    Examples
    --------
    >>> d = BallDomain(64)
    >>> e = d.eigenbasis(sp.Matrix([[2, 0], [1, 3]]))
    >>> e.exact, [d.sign(z, e.tol) for z in e.values]
    ([None, 3], [1, 1])
    """

    name = CERTIFIED
    failure = NotCertified
    beta_through_eigenbasis = True

    def __init__(self, prec: int):
        self.prec = int(prec)

    def working(self):
        return working_precision(self.prec)

    # -- the eigenbasis and the tests on it (proofs) --
    def eigenbasis(self, Hs: sp.MatrixBase) -> Eigenbasis:
        prec = self.prec
        n = Hs.rows
        rows = Hs.tolist()
        H = flint.arb_mat(n, n, [to_arb(x) for r in rows for x in r])
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
                        raise NotCertified(f"an eigenvalue of the active block is not proved distinct from "
                                           f"{H[i, i]} at {prec} bits")
                    R[i, len(lam)] = x
                lam.append(ev)
                exact.append(None)
        for i in Z:
            R[i, len(lam)] = 1
            lam.append(flint.acb(H[i, i]))
            exact.append(rows[i][i])
        return Eigenbasis(lam, exact, R, H)

    def inverse(self, R: flint.acb_mat) -> flint.acb_mat:
        try:
            return R.inv()
        except (ZeroDivisionError, ValueError):
            raise NotCertified(f"eigenvector matrix not proved invertible at {self.prec} bits") from None

    @staticmethod
    def real(lam: list, k: int, tol) -> bool | None:
        """Proved real (True), proved nonreal (False), or neither (None): :func:`proved_real`."""
        return proved_real(lam, k)

    @staticmethod
    def sign(z: flint.acb, tol) -> int | None:
        """-1 or +1 where the ball proves the sign of the real part, else None."""
        return -1 if z.real < 0 else 1 if z.real > 0 else None

    merges = False    # balls never prove two eigenvalues equal (only exact values do)

    @staticmethod
    def same(z: flint.acb, w: flint.acb, tol) -> bool:
        return False

    @staticmethod
    def distinct(z: flint.acb, w: flint.acb) -> bool:
        return not z.overlaps(w)

    def text(self, z: flint.acb) -> str:
        return z.str(3, radius=True)

    def unproved(self, subject: str, test: str, tol) -> str:
        return f"{subject} not proved{test} at {self.prec} bits"

    @staticmethod
    def real_part(z: flint.acb) -> flint.acb:
        return flint.acb(z.real)

    @staticmethod
    def approx(z: flint.acb) -> complex:
        return complex(float(z.real.mid()), 0.0)

    real_basis_for_positive = True   # the real parts of the balls are tighter balls

    def make_real(self, R: flint.acb_mat, Ri: flint.acb_mat, members: list[int]) -> None:
        """Divide the complex scale out of a proved-real eigenvector (the true vector is real, so
        the real parts of the balls contain it); its dual row takes the scale back."""
        k, = members
        n = R.nrows()
        col = [R[i, k] for i in range(n)]
        p = max(range(n), key=lambda i: col[i].abs_lower())
        c = col[p]
        if c.abs_lower() <= 0:
            raise NotCertified(f"eigenvector not normalised at {self.prec} bits")
        for i in range(n):
            R[i, k] = flint.acb((col[i] / c).real)
        for j in range(n):
            Ri[k, j] = flint.acb((Ri[k, j] * c).real)

    # -- scalar functions --
    @staticmethod
    def log(z: flint.acb) -> flint.acb:
        return z.log()

    @staticmethod
    def log_real(z: flint.acb) -> flint.acb:
        return flint.acb(z.real.log())

    @staticmethod
    def log_negative(z: flint.acb) -> flint.acb:
        """log|z| + i pi: the logarithm of a negative eigenvalue as a rotation by pi."""
        return flint.acb((-z.real).log(), flint.arb.pi())

    def beta(self, l: flint.acb) -> flint.acb:
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
                if tail < flint.arb(2) ** (-self.prec - 8):
                    break
            bound = (tail * 8 / 7).upper()
            s += flint.acb(flint.arb(0, bound), flint.arb(0, bound))
            return 1 / s
        return l / l.expm1()

    # -- matrices --
    @staticmethod
    def zeros(n: int) -> flint.acb_mat:
        return flint.acb_mat(n, n)

    zero = flint.acb(0)

    @staticmethod
    def column(R: flint.acb_mat, k: int) -> list:
        """Column k of R as [(i, R_ik)] (the vectors :meth:`add_outer` takes)."""
        return [(i, R[i, k]) for i in range(R.nrows())]

    @staticmethod
    def row(Ri: flint.acb_mat, k: int) -> list:
        return [(j, Ri[k, j]) for j in range(Ri.ncols())]

    @staticmethod
    def unit(i: int) -> list:
        """The unit vector e_i, as [(i, 1)]."""
        return [(i, flint.acb(1))]

    @staticmethod
    def add_outer(out: flint.acb_mat, col: list, row: list, c) -> None:
        """out += c u y^T for the sparse vectors ``col`` = [(i, u_i)] and ``row`` = [(j, y_j)]."""
        for i, x in col:
            for j, y in row:
                out[i, j] += c * x * y

    @staticmethod
    def add_diagonal_product(out: flint.acb_mat, R: flint.acb_mat, d: list, Ri: flint.acb_mat) -> None:
        """out[:M, :M] += R diag(d) Ri."""
        M = R.nrows()
        D = flint.acb_mat(M, M, [d[i] if i == j else 0 for i in range(M) for j in range(M)])
        main = R * D * Ri
        for i in range(M):
            for j in range(M):
                out[i, j] += main[i, j]

    @staticmethod
    def real_matrix(out: flint.acb_mat) -> flint.arb_mat:
        N = out.nrows()
        return flint.arb_mat(N, N, [out[i, j].real for i in range(N) for j in range(N)])

    @staticmethod
    def extended(H: flint.arb_mat, extra: list) -> flint.arb_mat:
        """diag(H, extra): H with the real values ``extra`` (balls) on the added diagonal."""
        n, N = H.nrows(), H.nrows() + len(extra)
        Ht = flint.arb_mat(N, N)
        for i in range(n):
            for j in range(n):
                Ht[i, j] = H[i, j]
        for k, v in enumerate(extra):
            Ht[n + k, n + k] = v.real
        return Ht

    # -- the region system: targets, division by dt, the augmented exponential --
    def targets(self, h, C, N: int) -> flint.arb_mat:
        """[h C] (exact sympy entries) as balls, with zero rows for the lifted coordinates."""
        M, K = h.rows, 0 if C is None else C.cols
        with self.working():
            T = flint.arb_mat(N, 1 + K)
            for i in range(M):
                T[i, 0] = to_arb(h[i])
                for j in range(K):
                    T[i, 1 + j] = to_arb(C[i, j])
        return T

    def over_dt(self, A: flint.arb_mat, dt) -> flint.arb_mat:
        with self.working():
            return A * (1 / to_arb(sp.sympify(dt)))

    def hstack(self, A: flint.arb_mat, B: flint.arb_mat) -> flint.arb_mat:
        N, a, b = A.nrows(), A.ncols(), B.ncols()
        with self.working():
            out = flint.arb_mat(N, a + b)
            for i in range(N):
                for j in range(a):
                    out[i, j] = A[i, j]
                for j in range(b):
                    out[i, a + j] = B[i, j]
        return out

    def zoh_residual(self, X: flint.arb_mat, U: flint.arb_mat, Ht: flint.arb_mat, T: flint.arb_mat) -> dict:
        """Rigorous upper bounds on max |e^X - Ht| and max |phi1(X) U - T|, from one exponential of
        [[X, U], [0, 0]] in balls (proofs/02_affine_term_zoh.tex, Theorem 2.4)."""
        N, K1 = X.nrows(), U.ncols()
        with self.working():
            E = self.hstack(X, U)
            aug = flint.arb_mat(N + K1, N + K1)
            for i in range(N):
                for j in range(N + K1):
                    aug[i, j] = E[i, j]
            E = aug.exp()
            r_exp = max((abs(E[i, j] - Ht[i, j]).upper() for i in range(N) for j in range(N)),
                        default=flint.arb(0))
            r_aff = max((abs(E[i, N + j] - T[i, j]).upper() for i in range(N) for j in range(K1)),
                        default=flint.arb(0))
        return {"exp": float(flint.arb(r_exp).upper()), "affine": float(flint.arb(r_aff).upper()),
                "method": f"certified ({self.prec} bits)"}

    @staticmethod
    def mul(A, B):
        return A * B

    @staticmethod
    def nrows(A) -> int:
        return A.nrows()


FLOAT_REL_TOL = 1e-9    # eigenvalues within this (relative to max(1, |lambda|max)) count as equal
FLOAT_COND_MAX = 1e8    # eigenvector matrices above this condition number count as defective


class FloatDomain:
    """numpy complex128 with tolerances: the same tests as :class:`BallDomain`, decided by a
    tolerance, not proved (results built in it are labelled ``float``).

    Eigenvalues within ``tol`` (default 1e-9 max(1, max |lambda|)) of the real axis count as
    real, within ``tol`` of each other as equal, within ``tol`` of 0 as zero (a
    :class:`DomainError`, "numerically singular"); an eigenvector matrix of condition number
    above 1e8 is a :class:`DomainError` (defective or nearly so).  Equal negative eigenvalues
    get a real basis of their eigenspace from pivot rows (Gaussian elimination with partial
    pivoting on the eigenvector columns), so their pairing into rotations by pi works for
    numerically repeated eigenvalues too.

    References
    ----------
    N. J. Higham, *Functions of Matrices*, SIAM (2008), section 4.5 (evaluation through an
    eigendecomposition, accurate to about cond(V) eps).

    Examples
    --------
    >>> d = FloatDomain()
    >>> e = d.eigenbasis(np.diag([-1.0, -1.0, 2.0]))
    >>> [d.real(e.values, k, e.tol) for k in range(3)], d.same(e.values[0], e.values[1], e.tol)
    ([True, True, True], True)
    """

    name = FLOAT
    failure = DomainError
    beta_through_eigenbasis = False     # phi1(X)^{-1} T from one exponential: X may come without a basis

    def __init__(self, tol: float | None = None):
        self.tol = tol

    @staticmethod
    def working():
        return contextlib.nullcontext()

    # -- the eigenbasis and the tests on it (tolerances) --
    def eigenbasis(self, H) -> Eigenbasis:
        Hf = np.asarray(H, dtype=float)
        lam, V = np.linalg.eig(Hf)
        if np.linalg.cond(V) > FLOAT_COND_MAX:
            raise DomainError("eigenvector matrix is ill-conditioned (a defective or nearly defective eigenvalue)")
        lam = lam.astype(complex)
        tol = FLOAT_REL_TOL * max(1.0, float(np.abs(lam).max(initial=0.0))) if self.tol is None else self.tol
        if np.any(np.abs(lam) <= tol):
            # a tolerance proves nothing: the caller reports "undecided" (the exact and certified
            # predicates decide whether the matrix is singular)
            raise DomainError(f"an eigenvalue within {tol:.1e} of 0 (numerically singular in floats)")
        V = V.astype(complex)
        if (lam.real < 0).any():    # negative eigenvalues meet (and are lifted) in order of their values
            order = np.argsort(lam.real, kind="stable")
            lam, V = lam[order], V[:, order]
        return Eigenbasis(lam.tolist(), [None] * len(lam), V, Hf, tol)

    @staticmethod
    def inverse(R: np.ndarray) -> np.ndarray:
        return np.linalg.inv(R)

    @staticmethod
    def real(lam: list, k: int, tol: float) -> bool:
        return abs(lam[k].imag) <= tol

    @staticmethod
    def sign(z: complex, tol: float) -> int | None:
        return -1 if z.real < -tol else 1 if z.real > tol else None

    merges = True     # eigenvalues within the tolerance count as equal

    @staticmethod
    def same(z: complex, w: complex, tol: float) -> bool:
        return abs(z - w) <= tol

    @staticmethod
    def distinct(z: complex, w: complex) -> bool:
        return z != w

    @staticmethod
    def text(z: complex) -> str:
        return f"{z:.6g}"

    @staticmethod
    def unproved(subject: str, test: str, tol: float) -> str:
        return f"{subject} not decided{test} by the float tolerance {tol:.1e}"

    @staticmethod
    def real_part(z: complex) -> complex:
        return complex(z.real, 0.0)

    @staticmethod
    def approx(z: complex) -> complex:
        return complex(z)

    real_basis_for_positive = False  # their logarithm is real on the span they cover, in any basis

    @staticmethod
    def make_real(R: np.ndarray, Ri: np.ndarray, members: list[int]) -> None:
        """A real basis U = V B^{-1} of a group's eigenspace (B: the pivot rows of its eigenvector
        columns V, so U is the identity there) and the dual rows B Y."""
        V, Y = R[:, members], Ri[members, :]
        B = V[_pivot_rows(V), :]
        R[:, members] = np.real(V @ np.linalg.inv(B))
        Ri[members, :] = np.real(B @ Y)

    # -- scalar functions --
    @staticmethod
    def log(z: complex) -> complex:
        return cmath.log(z)

    @staticmethod
    def log_real(z: complex) -> complex:
        return complex(math.log(z.real))

    @staticmethod
    def log_negative(z: complex) -> complex:
        return complex(math.log(-z.real), math.pi)

    # -- matrices --
    @staticmethod
    def zeros(n: int) -> np.ndarray:
        return np.zeros((n, n), dtype=complex)

    zero = 0j

    @staticmethod
    def column(R: np.ndarray, k: int) -> tuple:
        """Column k of R as (the rows it occupies, its values): the vectors :meth:`add_outer` takes."""
        return slice(0, R.shape[0]), R[:, k]

    @staticmethod
    def row(Ri: np.ndarray, k: int) -> tuple:
        return slice(0, Ri.shape[1]), Ri[k, :]

    @staticmethod
    def unit(i: int) -> tuple:
        return slice(i, i + 1), np.ones(1)

    @staticmethod
    def add_outer(out: np.ndarray, col: tuple, row: tuple, c) -> None:
        """out += c u y^T for the vectors ``col`` = (rows, u) and ``row`` = (columns, y)."""
        out[col[0], row[0]] += c * np.outer(col[1], row[1])

    @staticmethod
    def add_diagonal_product(out: np.ndarray, R: np.ndarray, d: list, Ri: np.ndarray) -> None:
        M = R.shape[0]
        out[:M, :M] += (R * np.asarray(d, dtype=complex)[None, :]) @ Ri

    @staticmethod
    def real_matrix(out: np.ndarray) -> np.ndarray:
        return np.real(out).astype(float)

    @staticmethod
    def extended(H: np.ndarray, extra: list) -> np.ndarray:
        n, N = H.shape[0], H.shape[0] + len(extra)
        Ht = np.zeros((N, N))
        Ht[:n, :n] = H
        for k, v in enumerate(extra):
            Ht[n + k, n + k] = v.real
        return Ht

    # -- the region system: targets, division by dt, the augmented exponential --
    @staticmethod
    def targets(h, C, N: int) -> np.ndarray:
        """[h C] as floats, with zero rows for the lifted coordinates."""
        hf = np.array(h.tolist() if isinstance(h, sp.MatrixBase) else h, dtype=float).ravel()
        K = 0 if C is None else C.shape[1]
        out = np.zeros((N, 1 + K))
        out[:hf.size, 0] = hf
        if K:
            out[:hf.size, 1:] = np.array(C.tolist() if isinstance(C, sp.MatrixBase) else C, dtype=float)
        return out

    @staticmethod
    def over_dt(A: np.ndarray, dt) -> np.ndarray:
        return A / float(dt)

    @staticmethod
    def hstack(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        return np.hstack([A, B])

    @staticmethod
    def augmented(X: np.ndarray, U: np.ndarray) -> np.ndarray:
        """The square matrix [[X, U], [0, 0]] (X: N x N, U: N x (1 + K)), whose exponential is
        [[e^X, phi1(X) U], [0, I]] (proofs/02_affine_term_zoh.tex, Theorem 2.4)."""
        N, K1 = X.shape[0], U.shape[1]
        aug = np.zeros((N + K1, N + K1))
        aug[:N, :N] = X
        aug[:N, N:] = U
        return aug

    def zoh_residual(self, X: np.ndarray, U: np.ndarray, Ht: np.ndarray, T: np.ndarray) -> dict:
        """max |e^X - Ht| and max |phi1(X) U - T| in floats (values, not bounds)."""
        N = X.shape[0]
        E = scipy.linalg.expm(self.augmented(X, U))
        return {"exp": float(np.abs(E[:N, :N] - Ht).max()), "affine": float(np.abs(E[:N, N:] - T).max()),
                "method": "float"}

    @staticmethod
    def mul(A, B):
        return A @ B

    @staticmethod
    def nrows(A) -> int:
        return A.shape[0]

    # -- affine maps: fixed points and cycles --
    @staticmethod
    def identity(n: int) -> np.ndarray:
        return np.eye(n)

    @staticmethod
    def affine_solve(K: np.ndarray, b: np.ndarray):
        """Solutions of K z = b: (particular, basis of the null space as columns, or None), or None;
        rank and consistency decided with the tolerance 1e-10 max(1, largest singular value)."""
        U, s, Vt = np.linalg.svd(K)
        tol = 1e-10 * max(1.0, s[0])
        rank = int((s > tol).sum())
        p = Vt[:rank].T @ ((U[:, :rank].T @ b) / s[:rank, None])
        if np.abs(K @ p - b).max() > 1e-8 * max(1.0, np.abs(b).max()):
            return None
        return p, (None if rank == K.shape[1] else Vt[rank:].T)

    @staticmethod
    def to_floats(X) -> np.ndarray:
        return np.asarray(X, dtype=float)

    @staticmethod
    def point_in_set(p: np.ndarray, N: np.ndarray, y) -> np.ndarray:
        """p + N y."""
        return p + N @ np.asarray(y, dtype=float).reshape(-1, 1)

    @staticmethod
    def in_cell(pre, pattern, tol: float = 1e-9) -> bool:
        """Whether the pre-activations ``pre`` have the signs of ``pattern``, within ``tol``."""
        pre = np.asarray(pre, dtype=float).ravel()
        on = np.array(pattern, dtype=bool)
        return bool(np.all(pre[on] > -tol) and np.all(pre[~on] <= tol))

    @staticmethod
    def stable(P: np.ndarray) -> bool:
        """Spectral radius below 1 - :data:`UNIT_CIRCLE_TOL`."""
        return bool(np.abs(np.linalg.eigvals(P)).max(initial=0.0) < 1 - UNIT_CIRCLE_TOL)

    @staticmethod
    def exact_text(z) -> None:
        return None

    @staticmethod
    def principal_fallback(H) -> np.ndarray:
        """The principal logarithm by inverse scaling and squaring (scipy's ``logm``), for the
        matrices without a usable eigenbasis."""
        return np.real(scipy.linalg.logm(np.asarray(H, dtype=float)))

    @staticmethod
    def phi1_solve(X: np.ndarray, T: np.ndarray) -> np.ndarray:
        """phi1(X)^{-1} T = beta(X) T, with phi1(X) read off exp([[X, I], [0, 0]])
        (proofs/02_affine_term_zoh.tex, Theorem 2.4)."""
        N = X.shape[0]
        return np.linalg.solve(scipy.linalg.expm(FloatDomain.augmented(X, np.eye(N)))[:N, N:], T)


def _pivot_rows(V: np.ndarray) -> list[int]:
    """m rows of the N x m matrix V that form a well-conditioned m x m block (partial pivoting)."""
    A = V.copy()
    rows = []
    for k in range(V.shape[1]):
        i = int(np.argmax(np.abs(A[:, k])))
        if abs(A[i, k]) == 0:
            raise DomainError("eigenvectors are dependent")
        rows.append(i)
        A = A - np.outer(A[:, k] / A[i, k], A[i, :])
        A[i, :] = 0
    return rows


UNIT_CIRCLE_TOL = 1e-9
"""Float eigenvalues within this of the unit circle count as on it (stability, types)."""


def schur_stable(p: flint.fmpq_poly) -> bool:
    """All roots of ``p`` strictly inside the unit disk, decided over Q.

    Schur-Cohn (Jury) test: p of degree n >= 1 is Schur stable iff
    |p(0)| < |lead(p)| and T p = (lead(p) p - p(0) p*) / z is Schur stable,
    with p* the reversed polynomial (Jury 1964, "Theory and Application of the
    z-Transform Method"; Henrici 1974, Thm 6.8b).

    >>> schur_stable(flint.fmpq_poly([flint.fmpq(1, 4), 0, 1]))   # z^2 + 1/4
    True
    >>> schur_stable(flint.fmpq_poly([1, 0, 1]))                  # z^2 + 1, roots on the circle
    False
    """
    c = list(p.coeffs())
    while len(c) > 1:
        a0, an = c[0], c[-1]
        if abs(a0) >= abs(an):
            return False
        n = len(c) - 1
        c = [an * c[i] - a0 * c[n - i] for i in range(1, n + 1)]
    return True


def spectral_radius_below_one(p: flint.fmpq_poly) -> bool:
    """All roots of ``p`` strictly inside the unit disk, decided exactly, fast.

    FLINT isolates the roots in certified enclosures (at 64 bits, then 256); when
    every modulus is proved < 1, or one proved > 1, that decides it.  Only when a
    modulus enclosure still contains 1 (a root on the unit circle, or very near
    it) does :func:`schur_stable` decide over Q.  Same answer as
    :func:`schur_stable`, whose coefficients grow exponentially with the degree
    when the weights are floats (5 ms per 10 x 10 region against 0.2 ms).

    >>> spectral_radius_below_one(flint.fmpq_poly([flint.fmpq(1, 4), 0, 1]))   # z^2 + 1/4
    True
    >>> spectral_radius_below_one(flint.fmpq_poly([-1, 1]))                     # z - 1
    False
    """
    for prec in (64, 256):
        with working_precision(prec):
            moduli = [abs(r) for r, _ in p.complex_roots()]
        if all(x < 1 for x in moduli):
            return True
        if any(x > 1 for x in moduli):
            return False
    return schur_stable(p)


class ExactDomain:
    """Rationals (FLINT ``fmpq``, ``fmpq_mat``): every operation exact, every test decided.

    The linear algebra of affine maps z -> H z + h that fixed points and cycles need; the
    same operations in floats are :class:`FloatDomain`'s.

    >>> d = ExactDomain()
    >>> K = flint.fmpq_mat([[1, 1], [2, 2]])
    >>> p, N = d.affine_solve(K, flint.fmpq_mat([[1], [2]]))
    >>> p.tolist(), N.tolist()        # z = (1, 0) + t (-1, 1)
    ([[1], [0]], [[-1], [1]])
    """

    name = EXACT

    @staticmethod
    def matrix(m: sp.MatrixBase) -> flint.fmpq_mat:
        return fmpq_matrix(m)

    @staticmethod
    def identity(n: int) -> flint.fmpq_mat:
        return flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])

    @staticmethod
    def mul(X, Y):
        return X * Y

    @staticmethod
    def affine_solve(K: flint.fmpq_mat, b: flint.fmpq_mat):
        """Solutions of K z = b: (particular, basis of the null space as columns, or None), or None."""
        M = K.ncols()
        try:
            return K.solve(b), None
        except ZeroDivisionError:
            pass
        aug = flint.fmpq_mat(M, M + 1, [K[i, j] if j < M else b[i, 0] for i in range(M) for j in range(M + 1)])
        R, rank = aug.rref()
        pivots = []
        for r in range(rank):
            pivots.append(next(j for j in range(M + 1) if R[r, j] != 0))
        if pivots and pivots[-1] == M:
            return None
        p = flint.fmpq_mat(M, 1)
        for r, j in enumerate(pivots):
            p[j, 0] = R[r, M]
        free = [j for j in range(M) if j not in pivots]
        N = flint.fmpq_mat(M, len(free))
        for k, f in enumerate(free):
            N[f, k] = 1
            for r, j in enumerate(pivots):
                N[j, k] = -R[r, f]
        return p, N

    @staticmethod
    def to_floats(X) -> np.ndarray:
        return np.array([[fmpq_to_float(x) for x in row] for row in X.tolist()], dtype=float)

    @staticmethod
    def point_in_set(p, N, y):
        """p + N y with y rounded to rationals: exactly a point of the affine set."""
        yq = flint.fmpq_mat(N.ncols(), 1, [flint.fmpq(*float(v).as_integer_ratio()) for v in y])
        return p + N * yq

    @staticmethod
    def in_cell(pre, pattern) -> bool:
        """Whether the exact pre-activations ``pre`` (a column) have the signs of ``pattern``."""
        return all((pre[k, 0] > 0) == bool(d) for k, d in enumerate(pattern))

    @staticmethod
    def stable(P: flint.fmpq_mat) -> bool:
        """Spectral radius below one, decided exactly (:func:`spectral_radius_below_one`)."""
        return spectral_radius_below_one(P.charpoly())

    @staticmethod
    def exact_text(z) -> list[str]:
        return [str(z[i, 0]) for i in range(z.nrows())]
