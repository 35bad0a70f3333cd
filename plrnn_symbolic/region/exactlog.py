"""Exact (sympy) real logarithms and affine terms, where a closed form exists.

* 1 x 1 and 2 x 2 matrices, symbolic entries included (closed forms in the
  trace and determinant, proofs/01_principal_embedding.tex);
* any size when every eigenvalue is rational: from the Jordan form H = P J P^{-1},
  blockwise log J_k(lambda) = log(lambda) I + sum_j (-1)^{j+1} N^j / (j lambda^j) for
  lambda > 0, and for a pair of equal blocks of lambda < 0 the rotation
  [[log(-J), -pi I], [pi I, log(-J)]]; an unpaired block is paired with a copy of
  itself in new coordinates (doubling only the unpaired blocks; minimal when each negative eigenvalue has at most
one block size of odd multiplicity: proofs/03_negative_eigenvalues_lift.tex, Theorem 3.9).

Anything else raises :class:`~plrnn_symbolic.region.reallog.LogError`; the caller
falls back to certified arithmetic and says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import flint
import sympy as sp

from ..core.domains import fmpq_matrix, fmpq_to_sympy
from .reallog import LogError
from .symbolic import conditions


@dataclass
class ExactLog:
    X: sp.Matrix                 # N x N real logarithm of Htilde
    Htilde: sp.Matrix            # diag(H, unpaired blocks)
    lifted: list = field(default_factory=list)
    paired: list = field(default_factory=list)
    route: str = ""


def _block_log(lam, k: int, principal_of) -> sp.Matrix:
    """log of the k x k Jordan block principal_of * (lambda I + N) with principal_of * lambda > 0."""
    mu = principal_of * lam
    N = sp.Matrix(k, k, lambda i, j: 1 if j == i + 1 else 0) * principal_of
    out = sp.log(mu) * sp.eye(k)
    P = sp.eye(k)
    for j in range(1, k):
        P = P * N
        out += sp.Rational((-1) ** (j + 1), j) * P / mu**j
    return out


def _jordan_blocks(J: sp.Matrix) -> list[tuple[object, int, int]]:
    """(eigenvalue, start, size) of each block of a Jordan matrix."""
    out, i, n = [], 0, J.rows
    while i < n:
        k = 1
        while i + k < n and J[i + k - 1, i + k] == 1:
            k += 1
        out.append((J[i, i], i, k))
        i += k
    return out


def _sqrt(x: sp.Expr) -> sp.Expr:
    try:
        return sp.sqrt(x)
    except OverflowError:   # sympy's perfect-power test converts some integers of 600+ digits to float
        raise LogError("sympy cannot take the square root of the discriminant (too many digits)") from None


def _two_by_two(H: sp.Matrix) -> sp.Matrix:
    a, b, c, d = H
    tau, delta = a + d, a * d - b * c
    disc = sp.factor(tau**2 - 4 * delta)
    eye = sp.eye(2)
    if disc.is_negative:
        # complex pair r e^{+-i theta}: H = (tau/2) I + N with N^2 = -omega^2 I
        omega = _sqrt(-disc) / 2
        theta = sp.atan2(omega, tau / 2)
        return sp.log(delta) / 2 * eye + theta / omega * (H - tau / 2 * eye)
    if disc.is_zero:
        lam = tau / 2
        return sp.log(lam) * eye + (H - lam * eye) / lam
    # distinct real eigenvalues (or a sign that depends on parameters: the generic formula)
    root = _square_root(disc)
    l1, l2 = (tau + root) / 2, (tau - root) / 2
    generic = (sp.log(l1) * (H - l2 * eye) - sp.log(l2) * (H - l1 * eye)) / (l1 - l2)
    if not disc.free_symbols:
        return generic
    # parameters: where disc = 0 the formula is 0/0; its limit there is the repeated-eigenvalue form
    # (the principal log is continuous in H where it exists), shown as a second case
    lam = tau / 2
    repeated = sp.log(lam) * eye + (H - lam * eye) / lam
    X = sp.Matrix(2, 2, [sp.Piecewise((r, sp.Eq(disc, 0)), (x, True)) for x, r in zip(generic, repeated)])
    return resolve_removable(X, lambda x, p: _two_by_two(H.subs(x, p)), _principal_somewhere(H))


def _principal_somewhere(H: sp.Matrix):
    """admissible(x, r) for :func:`resolve_removable`: False where principal_log of H fails on the
    whole relation x = r (the closed forms are used only where it holds), else True."""
    def admissible(x, r):
        try:
            return conditions(H.subs(x, r))["principal_log"]
        except (TypeError, ValueError):      # a comparison sympy cannot decide: keep the relation
            return True
    return admissible


def _square_root(disc: sp.Expr) -> sp.Expr:
    """A square root of ``disc``, a polynomial one when ``disc`` is a square, e.g. 2a - 1 for
    (2a - 1)^2 rather than |2a - 1|: the 2 x 2 formula is symmetric in the two eigenvalues, so
    either root gives the same logarithm."""
    if disc.free_symbols:
        c, factors = sp.factor_list(disc)
        if all(m % 2 == 0 for _, m in factors) and sp.sqrt(c).is_rational:
            return sp.sqrt(c) * sp.Mul(*(q ** (m // 2) for q, m in factors))
    return _sqrt(disc)


def _real_points(expr: sp.Expr, x: sp.Symbol) -> set:
    """The real zeros of ``expr`` in ``x`` when there are finitely many (else none)."""
    if x not in expr.free_symbols:
        return set()
    zeros = sp.solveset(expr, x, sp.S.Reals)
    return set(zeros) if isinstance(zeros, sp.FiniteSet) else set()


def _factors(expr: sp.Expr) -> list[sp.Expr]:
    """The irreducible factors of ``expr`` (over Q, in its parameters) that contain a parameter."""
    expr = sp.expand(expr)
    if not expr.free_symbols:
        return []
    try:
        _, factors = sp.factor_list(expr)
    except sp.PolynomialError:        # not a polynomial in its symbols (a sqrt of one, say): as a whole
        return [expr]
    return [f for f, _ in factors if f.free_symbols]


def _subvarieties(f: sp.Expr, symbols: list) -> list[tuple[sp.Symbol, sp.Expr]]:
    """Where the factor f vanishes, as x = r(other parameters) for one parameter x: with one
    parameter its real zeros; with more, the solutions of f = 0 for the first parameter in which f
    is linear (else quadratic), one pair (x, r) per branch.  [] when f cannot be solved so."""
    if len(symbols) == 1:
        (x,) = symbols
        return [(x, p) for p in sorted(_real_points(f, x), key=float) if _allowed(x, p)]
    for degree in (1, 2):
        for x in symbols:
            if x not in f.free_symbols:
                continue
            try:
                if sp.Poly(f, x).degree() != degree:
                    continue
            except sp.PolynomialError:
                continue
            roots = sp.solve(f, x)
            if roots and all(not r.has(x) for r in roots):
                return [(x, sp.simplify(r)) for r in roots]
    return []


def _allowed(x: sp.Symbol, p: sp.Expr) -> bool:
    """False when the number p contradicts what x is declared to be (positive, nonnegative, ...)."""
    return not ((x.is_positive and not p > 0) or (x.is_nonnegative and not p >= 0)
                or (x.is_negative and not p < 0) or (x.is_nonpositive and not p <= 0))


def _generic(e: sp.Expr) -> sp.Expr:
    """The branch of a Piecewise (from :func:`resolve_removable`) valid near every point."""
    return e.replace(lambda t: isinstance(t, sp.Piecewise), lambda t: t.args[-1].expr)


def resolve_removable(M: sp.Matrix, value_at=None, admissible=None) -> sp.Matrix:
    """Entries of a closed form in real parameters, with the parameter relations where a
    denominator vanishes but the entry has a finite value given as cases of their own.

    The relations are the irreducible factors of the entries' denominators (and of the conditions
    of cases already there), each solved for one parameter, x = r(others): with one parameter its
    real zeros, with more a linear (or quadratic) solution in one of them.  On each such subvariety
    the matrix function is recomputed from the matrix, ``value_at(x, r)`` (the closed form of the
    substituted matrix, itself resolved for the remaining parameters), not by ``sympy.limit``.
    Where the function is continuous (the principal logarithm and beta of it, wherever
    principal_log holds), that value is the limit of the generic form, so the Piecewise is the
    function on every parameter value where principal_log holds.  ``admissible(x, r)`` (optional)
    returns False for a relation on which the closed form is never used (principal_log fails on all
    of it); such relations are skipped.  Without ``value_at`` one parameter is resolved by
    ``sympy.limit`` and more are left unchanged.

    Implements proofs/01_principal_embedding.tex (continuity of the principal logarithm) and
    proofs/02_affine_term_zoh.tex (beta is entire on the strip).

    >>> a, b = sp.symbols("a b", positive=True)
    >>> X = resolve_removable(sp.Matrix([[(sp.log(a) - sp.log(b)) / (a - b)]]), lambda x, r: sp.Matrix([[1 / r]]))
    >>> X[0, 0]
    Piecewise((1/b, Eq(a, b)), ((log(a) - log(b))/(a - b), True))
    >>> X[0, 0].subs({a: 2, b: 2}), X[0, 0].subs({a: 2, b: 1})
    (1/2, log(2))
    """
    symbols = sorted(M.free_symbols, key=str)
    if not symbols or (value_at is None and len(symbols) > 1):
        return M
    plains = [sp.cancel(_generic(e)) for e in M]
    per_entry: list[list[sp.Expr]] = []
    for e, plain in zip(M, plains):
        found = []
        for pw in e.atoms(sp.Piecewise):          # the relations where an inner case applies
            for _, cond in pw.args:
                if isinstance(cond, sp.Eq):
                    found += _factors(cond.lhs - cond.rhs)
        found += _factors(sp.denom(sp.together(plain)))
        per_entry.append(list(dict.fromkeys(found)))
    branches: dict = {}
    for f in dict.fromkeys(f for fs in per_entry for f in fs):
        ok = [(x, r) for x, r in _subvarieties(f, symbols)
              if admissible is None or admissible(x, r) not in (False, sp.false)]
        branches[f] = ok
    values: dict = {}
    out = []
    for i, (plain, factors) in enumerate(zip(plains, per_entry)):
        cases = []
        for f in factors:
            for x, r in branches[f]:
                if (x, r) not in values:
                    values[(x, r)] = value_at(x, r) if value_at is not None else None
                v = values[(x, r)]
                val = v[i] if v is not None else sp.limit(plain, x, r)
                if val.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or val.is_finite is False:
                    continue                      # a pole, not removable: the generic form (undefined) stays
                if not val.free_symbols and v is None:
                    val = sp.nsimplify(sp.simplify(val))
                if all(c != sp.Eq(x, r) for _, c in cases):
                    cases.append((val, sp.Eq(x, r)))
        out.append(sp.Piecewise(*cases, (plain, True)) if cases else plain)
    return sp.Matrix(M.rows, M.cols, out)


def exact_real_log(H: sp.Matrix, status: str) -> ExactLog:
    """The real logarithm of THEORY section 3 for ``status`` in
    principal / real_nonprincipal / lifted, exactly.

    >>> r = exact_real_log(sp.Matrix([[-1, 0], [0, -1]]), "real_nonprincipal")
    >>> r.X
    Matrix([
    [ 0, -pi],
    [pi,   0]])
    >>> exact_real_log(sp.Matrix([[sp.Rational(1, 2)]]), "principal").X
    Matrix([[-log(2)]])
    """
    H = sp.Matrix(H)
    n = H.rows
    if n <= 2 and status == "principal":
        X = sp.Matrix([[sp.log(H[0, 0])]]) if n == 1 else _two_by_two(H)
        # no simplify: with symbols or float-sized rationals it costs seconds to minutes
        return ExactLog(X, H, route="closed form (2 x 2)" if n == 2 else "scalar")
    if H.free_symbols:
        raise LogError("symbolic weights: exact logarithms of non-principal or larger regions are not available")
    Hq = fmpq_matrix(H)
    factors = Hq.charpoly().factor(monic=True)[1]   # FLINT: fast test for a rational spectrum
    for f, _ in factors:
        if f.degree() > 1:
            if status == "principal":
                return _block_triangular(H)
            raise LogError(f"the spectrum is not rational (irreducible factor of degree {f.degree()})")
    if all(m == 1 for _, m in factors):
        return _simple_rational(Hq, [-f.coeffs()[0] for f, _ in factors], status)
    if n > 4:
        raise LogError("repeated rational eigenvalues in a matrix larger than 4 x 4 (Jordan form too costly)")
    P, J = H.jordan_form()
    blocks = _jordan_blocks(J)
    by_value: dict = defaultdict(list)
    for lam, start, k in blocks:
        by_value[lam].append((start, k))
    extra = []        # unpaired negative blocks to duplicate: (lam, size)
    for lam, bl in by_value.items():
        if lam == 0:
            raise LogError("singular")
        if lam < 0:
            sizes = defaultdict(list)
            for start, k in bl:
                sizes[k].append(start)
            for k, starts in sizes.items():
                if len(starts) % 2:
                    if status != "lifted":
                        raise LogError("unpaired negative block")
                    extra.append((lam, k))
    nt = n + sum(k for _, k in extra)
    Jt = sp.diag(J, *[sp.Matrix(k, k, lambda i, j, lam=lam: lam if i == j else (1 if j == i + 1 else 0)) for lam, k in extra])
    Pt = sp.diag(P, sp.eye(nt - n)) if nt > n else P
    X = sp.zeros(nt, nt)
    neg: dict = defaultdict(list)
    for lam, start, k in _jordan_blocks(Jt):
        if lam > 0:
            X[start:start + k, start:start + k] = _block_log(lam, k, 1)
        else:
            neg[(lam, k)].append(start)
    paired = []
    for (lam, k), starts in neg.items():
        Lk = _block_log(lam, k, -1)
        for a, b in zip(starts[0::2], starts[1::2]):
            X[a:a + k, a:a + k] = Lk
            X[b:b + k, b:b + k] = Lk
            X[a:a + k, b:b + k] = -sp.pi * sp.eye(k)
            X[b:b + k, a:a + k] = sp.pi * sp.eye(k)
        paired.append((lam, k, len(starts) // 2))
    Xo = (Pt * X * Pt.inv()).applyfunc(lambda e: sp.expand(sp.nsimplify(e) if e.is_number and e.is_rational else e))
    Ht = sp.diag(H, *[sp.Matrix(k, k, lambda i, j, lam=lam: lam if i == j else (1 if j == i + 1 else 0)) for lam, k in extra]) \
        if extra else H
    return ExactLog(Xo, Ht, lifted=extra, paired=paired, route="Jordan form over Q")


def _block_triangular(H: sp.Matrix) -> ExactLog:
    """Principal log of H whose columns J0 are multiples of unit vectors (the inactive
    units of a PLRNN with A diagonal): after a permutation H = [[D0, X], [0, S]], and

        log H = [[log D0, Y], [0, log S]],   Y_i (d_i I - S) = log(d_i) X_i - X_i log S,

    row by row, the commutation of log H with H (Parlett's recurrence; needs each d_i
    outside spec S, proofs/07_region_structure.tex Theorem 7.3).  log S is exact when S
    is at most 2 x 2 or has a rational spectrum.
    """
    n = H.rows
    J0 = [j for j in range(n) if all(H[i, j] == 0 for i in range(n) if i != j)]
    rest = [j for j in range(n) if j not in J0]
    if not J0 or not rest:
        raise LogError("the spectrum is not rational and the matrix has no block-triangular structure")
    S = H.extract(rest, rest)
    X = H.extract(J0, rest)
    LS = exact_real_log(S, "principal").X
    p = S.charpoly()
    Y = sp.zeros(len(J0), len(rest))
    for r, j in enumerate(J0):
        d = H[j, j]
        if p.eval(d) == 0:
            raise LogError(f"the inactive value {d} is also an eigenvalue of the active block")
        rhs = sp.log(d) * X[r, :] - X[r, :] * LS
        Y[r, :] = rhs * (d * sp.eye(len(rest)) - S).inv()
    out = sp.zeros(n, n)
    for r, j in enumerate(J0):
        out[j, j] = sp.log(H[j, j])
        for c, k in enumerate(rest):
            out[j, k] = Y[r, c]
    for a, i in enumerate(rest):
        for b, k in enumerate(rest):
            out[i, k] = LS[a, b]
    return ExactLog(out, H, route=f"block-triangular (Parlett) with a {len(rest)} x {len(rest)} active block")


def _simple_rational(Hq, lams, status: str) -> ExactLog:
    """Distinct rational eigenvalues: H = sum lambda_i P_i with rational spectral projectors
    P_i = prod_{j != i} (H - lambda_j I) / (lambda_i - lambda_j) (computed over Q by FLINT);
    log H = sum log(lambda_i) P_i on the positive ones, and each negative lambda (simple,
    so unpaired) is doubled: with P_i = u y (u a column, y a row, y u = 1), the new coordinate
    e rotates with u by pi (proofs/03_negative_eigenvalues_lift.tex)."""
    n = Hq.nrows()
    eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    projectors = []
    for i, li in enumerate(lams):
        P = eye
        for j, lj in enumerate(lams):
            if j != i:
                P = P * (Hq - eye * lj) * (1 / (li - lj))
        projectors.append(P)
    if any(lam == 0 for lam in lams):
        raise LogError("singular")
    neg = [i for i, lam in enumerate(lams) if lam < 0]
    if neg and status != "lifted":
        raise LogError("unpaired negative eigenvalue")
    k = len(neg)
    X = sp.zeros(n + k, n + k)
    for lam, P in zip(lams, projectors):
        X[:n, :n] += sp.log(abs(fmpq_to_sympy(lam))) * _to_sympy(P)
    lifted = []
    for col, i in enumerate(neg):
        P = projectors[i]
        c = next(j for j in range(n) if any(P[r, j] != 0 for r in range(n)))
        u = [P[r, c] for r in range(n)]
        r0 = next(r for r in range(n) if u[r] != 0)
        y = [P[r0, j] / u[r0] for j in range(n)]
        for r in range(n):
            X[r, n + col] = -sp.pi * fmpq_to_sympy(u[r])
            X[n + col, r] = sp.pi * fmpq_to_sympy(y[r])
        X[n + col, n + col] = sp.log(abs(fmpq_to_sympy(lams[i])))
        lifted.append((fmpq_to_sympy(lams[i]), 1))
    H = _to_sympy(Hq)
    Ht = sp.diag(H, *[sp.Matrix([[v]]) for v, _ in lifted]) if lifted else H
    return ExactLog(X, Ht, lifted=lifted, route="spectral projectors over Q")


def _to_sympy(P) -> sp.Matrix:
    return sp.Matrix(P.nrows(), P.ncols(), [fmpq_to_sympy(x) for x in P.entries()])


def exact_beta_apply(X: sp.Matrix, Ht: sp.Matrix, V: sp.Matrix) -> sp.Matrix:
    """beta(X) V with beta(x) = x / (e^x - 1), for a log X of Ht (e^X = Ht).

    Off the eigenvalue 1 this is X (Ht - I)^{-1} V; on the generalized eigenspace
    of 1 (where X is the nilpotent log(I + N)), beta(X) = sum_n (-1)^n N^n / (n + 1)
    (proofs/02_affine_term_zoh.tex).  The two parts are split by the spectral
    projector of the eigenvalue 1.
    """
    n = Ht.rows
    E = Ht - sp.eye(n)
    # together, not cancel: cancel of logarithms of square roots costs seconds and gains no correctness
    tidy = sp.together if (X.free_symbols or E.free_symbols or V.free_symbols) else sp.expand
    if all(isinstance(x, sp.Rational) for x in list(E) + list(V)):
        Eq = fmpq_matrix(E)
        if Eq.det() != 0:
            return (X * _to_sympy(Eq.solve(fmpq_matrix(V)))).applyfunc(tidy)
    elif E.det() != 0:
        out = (X * E.inv() * V).applyfunc(tidy)
        # with one parameter, det E vanishes where 1 is an eigenvalue: the limit there (the beta form
        # is continuous) is given as a case of its own instead of 0/0
        return resolve_removable(out, lambda x, p: exact_beta_apply(
            _two_by_two(Ht.subs(x, p)) if n <= 2 else X.subs(x, p), Ht.subs(x, p), V.subs(x, p)),
            _principal_somewhere(Ht) if n <= 2 else None) if out.free_symbols else out
    K = E**n
    ker, ran = K.nullspace(), K.columnspace()
    T = sp.Matrix.hstack(*(ker + ran))
    Pi = T * sp.diag(sp.eye(len(ker)), sp.zeros(len(ran), len(ran))) * T.inv()   # projector onto ker (E^n)
    Q = sp.eye(n) - Pi
    drazin = (E + Pi).inv() * Q
    N = E * Pi
    series = sp.zeros(n, n)
    Np = sp.eye(n)
    for k in range(n):
        series += sp.Rational((-1) ** k, k + 1) * Np
        Np = Np * N
    return (X * drazin * V + series * Pi * V).applyfunc(tidy)


__all__ = ["ExactLog", "exact_beta_apply", "exact_real_log"]
