"""Spectra of region matrices in the three number domains (THEORY section 4).

Each domain produces the same value, a :class:`Spectrum`: a tuple of eigenvalue
clusters, each with its algebraic multiplicity, its Jordan block sizes when they
are known, and the three-valued facts the predicates need (is it zero, one,
negative, positive?).  The predicates (:mod:`plrnn_symbolic.predicates`) are
written once over this value.

* exact: the characteristic polynomial over Q, factored into irreducibles; a
  linear factor gives a rational eigenvalue, a nonlinear one isolated algebraic
  roots (FLINT's certified root isolation, refined until every sign is known);
  the Jordan structure of each factor p of multiplicity m > 1 from the ranks of
  p(H)^k over Q.  Never undecided.
* certified: FLINT's rigorous eigenvalue enclosures (``acb_mat.eig``) at a given
  precision; a fact holds or fails only when the enclosures prove it.
* float: numpy eigenvalues clustered with a tolerance; labelled as such.

When A is diagonal, the columns of the inactive units of W_Omega are columns of
A, so W_Omega is block triangular after a permutation (proofs/07_region_structure.tex):
the inactive a_ii are exact eigenvalues and only the active principal submatrix S
of A + W needs an eigenvalue computation; a value a_ii that is not an eigenvalue
of S has only 1 x 1 Jordan blocks.  ``points`` and ``S`` carry this structure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import flint
import numpy as np

from ..core.domains import acb_to_complex, arb_of_parts, arb_parts, fmpq_to_float, working_precision
from ..core.errors import InputError
from ..core.truth import FAILS, HOLDS, UNDECIDED, Truth, all_of


@dataclass(frozen=True)
class Eigenvalue:
    """A cluster of eigenvalues: one eigenvalue (exact, or isolated by an
    enclosure) or several that the method could not tell apart.

    The facts (``zero``, ``one``, ``negative``, ``positive``, ``real``) hold when
    proved for every eigenvalue of the cluster and fail when proved for none.

    ``value`` is what the method computed (an ``fmpq``, an ``acb`` enclosure, a
    float ``complex`` or a message); ``root_of`` and ``root_index`` locate an
    algebraic eigenvalue among the roots of its irreducible factor.  ``text`` and
    ``detail`` are formatted from them only when asked for: a sweep decides
    thousands of regions and formats few.
    """

    value: Any
    approx: complex
    multiplicity: int
    blocks: tuple[int, ...] | None
    real: Truth
    zero: Truth
    one: Truth
    negative: Truth
    positive: Truth
    root_of: flint.fmpq_poly | None = None
    root_index: int = 0

    @cached_property
    def text(self) -> str:
        v = self.value
        if isinstance(v, flint.acb):
            return v.str(radius=True, more=False)
        if isinstance(v, complex):
            return f"{v.real:.12g}" if self.real is HOLDS else f"{v.real:.12g}{v.imag:+.12g}j"
        return str(v)

    @cached_property
    def detail(self) -> tuple:
        p = self.root_of
        if p is None:
            return ()
        poly = str(p)
        return (("root_of", poly if len(poly) <= 400 else f"(irreducible factor of degree {p.degree()})"),
                ("root_index", self.root_index), ("degree", p.degree()),
                ("enclosure", self.value.str(radius=True)))

    def __reduce__(self):
        # FLINT balls and polynomials do not pickle: send each ball as the exact binary
        # numbers of its midpoint and radius, and polynomials as coefficient lists (for the
        # parallel sweeps; the ball received is the ball sent)
        v = self.value
        if isinstance(v, flint.acb):
            v = ("acb", arb_parts(v.real), arb_parts(v.imag))
        poly = None if self.root_of is None else [(int(c.p), int(c.q)) for c in self.root_of.coeffs()]
        return (_rebuild_eigenvalue, (v, self.approx, self.multiplicity, self.blocks, self.real, self.zero, self.one,
                                      self.negative, self.positive, poly, self.root_index))

    @property
    def nonpositive(self) -> Truth:
        """On the closed negative real axis (-inf, 0]."""
        return self.zero | self.negative

    def to_dict(self) -> dict:
        return {
            "value": self.text,
            "approx": None if self.approx != self.approx else [self.approx.real, self.approx.imag],
            "multiplicity": self.multiplicity,
            "jordan_blocks": None if self.blocks is None else list(self.blocks),
            **dict(self.detail),
        }


def _rebuild_eigenvalue(v, approx, m, blocks, real, zero, one, negative, positive, poly, index) -> Eigenvalue:
    if isinstance(v, tuple) and v and v[0] == "acb":
        v = flint.acb(arb_of_parts(v[1]), arb_of_parts(v[2]))
    root_of = None if poly is None else flint.fmpq_poly([flint.fmpq(p, q) for p, q in poly])
    return Eigenvalue(v, approx, m, blocks, real, zero, one, negative, positive, root_of, index)


@dataclass(frozen=True)
class Spectrum:
    eigenvalues: tuple[Eigenvalue, ...]
    method: str
    dimension: int

    def to_list(self) -> list[dict]:
        return [e.to_dict() for e in self.eigenvalues]


def _partition(rank_drops: Sequence[int]) -> tuple[int, ...]:
    """Jordan block sizes from b_k = number of blocks of size >= k (k = 1, 2, ...)."""
    b = list(rank_drops) + [0]
    sizes: list[int] = []
    for k in range(1, len(b)):
        sizes += [k] * (b[k - 1] - b[k])
    return tuple(sorted(sizes, reverse=True))


# ---- exact ----------------------------------------------------------------------
def _poly_at_matrix(p: flint.fmpq_poly, H: flint.fmpq_mat) -> flint.fmpq_mat:
    n = H.nrows()
    eye = flint.fmpq_mat(n, n, [flint.fmpq(int(i == j)) for i in range(n) for j in range(n)])
    out = flint.fmpq_mat(n, n)
    for c in reversed(p.coeffs()):
        out = out * H + eye * c
    return out


def exact_jordan_blocks(H: flint.fmpq_mat, p: flint.fmpq_poly, m: int) -> tuple[int, ...]:
    """Jordan block sizes of each root of the irreducible factor ``p`` of
    multiplicity ``m`` in the characteristic polynomial of ``H``.

    The number of blocks of size >= k is (rank N^{k-1} - rank N^k) / deg p with
    N = p(H) (proofs/03_negative_eigenvalues_lift.tex); ranks are exact over Q.
    """
    if m == 1:
        return (1,)
    d = p.degree()
    N = _poly_at_matrix(p, H)
    ranks = [H.nrows()]
    power = N
    total = 0
    while total < m:
        ranks.append(power.rank())
        drop = (ranks[-2] - ranks[-1]) // d
        if drop == 0:
            break
        total += drop
        power = power * N
    drops = [(ranks[k - 1] - ranks[k]) // d for k in range(1, len(ranks))]
    return _partition(drops)


_RATIONAL_CACHE: dict = {}


def _rational_eigenvalue(v: flint.fmpq, m: int, blocks) -> Eigenvalue:
    # the inactive a_ii recur in half of all regions: build each (value, multiplicity, blocks) once
    key = (int(v.p), int(v.q), m, blocks)
    e = _RATIONAL_CACHE.get(key)
    if e is None:
        if len(_RATIONAL_CACHE) > 4096:
            _RATIONAL_CACHE.clear()
        e = _RATIONAL_CACHE[key] = _make_rational_eigenvalue(v, m, blocks)
    return e


def _make_rational_eigenvalue(v: flint.fmpq, m: int, blocks) -> Eigenvalue:
    return Eigenvalue(
        value=v, approx=complex(fmpq_to_float(v)), multiplicity=m, blocks=blocks,
        real=HOLDS, zero=Truth.of(v == 0), one=Truth.of(v == 1),
        negative=Truth.of(v < 0), positive=Truth.of(v > 0),
    )


def _algebraic_eigenvalues(p: flint.fmpq_poly, m: int, blocks) -> list[Eigenvalue]:
    """Roots of an irreducible p of degree >= 2: never 0 or 1, real ones isolated
    with exactly zero imaginary part, refined until their signs are certain.

    The isolation starts at 16 bits (FLINT returns rigorous, isolated enclosures
    at any precision, usually far more accurate than asked) and doubles only
    while a sign or the reality of a root is not yet certain.
    """
    prec = 16
    while True:
        with working_precision(prec):
            roots = [r for r, _ in p.complex_roots()]
        signs_known = all(r.imag != 0 or r.real != 0 for r in roots)
        reality_known = all((r.imag.is_exact() and r.imag.is_zero()) or not r.imag.contains(0) for r in roots)
        if signs_known and reality_known:
            break
        if prec > 1 << 16:  # FLINT isolates real roots with exactly real enclosures; never loop forever
            raise ArithmeticError(f"root isolation of {p} did not settle the signs at {prec} bits")
        prec *= 2
    out = []
    for i, r in enumerate(roots):
        real = bool(r.imag.is_exact() and r.imag.is_zero())
        out.append(Eigenvalue(
            value=r, approx=acb_to_complex(r), multiplicity=m, blocks=blocks,
            real=HOLDS if real else FAILS, zero=FAILS, one=FAILS,
            negative=Truth.of(real and r.real < 0), positive=Truth.of(real and r.real > 0),
            root_of=p, root_index=i + 1,
        ))
    return out


def exact_spectrum(H: flint.fmpq_mat | Callable[[], flint.fmpq_mat], points: Sequence[flint.fmpq] = (),
                   S: flint.fmpq_mat | None = None) -> Spectrum:
    """Exact spectrum and Jordan structure of the rational matrix ``H``.

    With ``S`` given, the characteristic polynomial is prod (x - v for v in
    points) * charpoly(S) (block-triangular structure, proofs/07_region_structure.tex),
    and ``H`` may be a function that builds it: H is only needed for the ranks
    of a repeated factor, which a generic region does not have (every factor of
    multiplicity 1 has Jordan blocks (1,)).

    >>> spec = exact_spectrum(flint.fmpq_mat([[-1, 1], [0, -1]]))
    >>> [(e.text, e.multiplicity, e.blocks) for e in spec.eigenvalues]
    [('-1', 2, (2,))]
    """
    # [factor, multiplicity]; the factors of one factorisation are distinct, so only
    # a point equal to a rational root of charpoly(S) merges (fmpq == is exact and
    # cheap, where hashing an fmpq goes through fractions.Fraction)
    factors: list[list] = []
    if S is None:
        H = H() if callable(H) else H
        n = H.nrows()
        factors = [[p, m] for p, m in H.charpoly().factor(monic=True)[1]]
    else:
        n = len(points) + S.nrows()
        roots: list[list] = []  # [v, count] of the distinct points
        for v in points:
            for g in roots:
                if g[0] == v:
                    g[1] += 1
                    break
            else:
                roots.append([v, 1])
        factors = [[flint.fmpq_poly([-v, 1]), c] for v, c in roots]
        if S.nrows():
            for p, m in S.charpoly().factor(monic=True)[1]:
                if p.degree() == 1:
                    v = -p.coeffs()[0]
                    k = next((k for k, (w, _) in enumerate(roots) if w == v), None)
                    if k is not None:
                        factors[k][1] += m
                        continue
                factors.append([p, m])
    eigs: list[Eigenvalue] = []
    for p, m in factors:
        if m == 1:
            blocks = (1,)
        else:
            if callable(H):
                H = H()
            blocks = exact_jordan_blocks(H, p, m)
        if p.degree() == 1:
            eigs.append(_rational_eigenvalue(-p.coeffs()[0], m, blocks))
        else:
            eigs.extend(_algebraic_eigenvalues(p, m, blocks))
    eigs.sort(key=lambda e: (e.approx.real, e.approx.imag))
    return Spectrum(tuple(eigs), "exact", n)


# ---- certified (balls) ------------------------------------------------------------
def _ball_facts(z: flint.acb, real: Truth) -> dict[str, Truth]:
    def lt(a: flint.arb, c: int) -> Truth:  # a < c
        return HOLDS if a < c else (FAILS if a >= c else UNDECIDED)

    def eq(a: flint.arb, c: int) -> Truth:  # a == c, never provable for a ball of positive radius
        return FAILS if not a.contains(c) else (HOLDS if a.is_exact() and a == c else UNDECIDED)

    re = z.real
    return {
        "real": real, "zero": real & eq(re, 0), "one": real & eq(re, 1),
        "negative": real & lt(re, 0), "positive": real & ~lt(re, 0) & ~eq(re, 0),
    }


def _components(balls: list[flint.acb]) -> list[tuple[flint.acb, int]]:
    """Connected components of overlapping enclosures, as (union ball, count)."""
    comps: list[list] = []
    for b in balls:
        hit = [c for c in comps if c[0].overlaps(b)]
        merged = [b, 1]
        for c in hit:
            merged = [merged[0].union(c[0]), merged[1] + c[1]]
            comps.remove(c)
        comps.append(merged)
    # a union can grow into another component: merge until stable
    changed = True
    while changed:
        changed = False
        for i in range(len(comps)):
            for j in range(i + 1, len(comps)):
                if comps[i][0].overlaps(comps[j][0]):
                    comps[i] = [comps[i][0].union(comps[j][0]), comps[i][1] + comps[j][1]]
                    del comps[j]
                    changed = True
                    break
            if changed:
                break
    return [(c[0], c[1]) for c in comps]


def ball_spectrum(S: flint.acb_mat | None, points: Sequence[flint.fmpq] = (), prec: int = 53) -> Spectrum:
    """Certified eigenvalue enclosures of [[diag(points), X], [0, S]] at ``prec`` bits.

    ``points`` are exact eigenvalues (inactive a_ii); ``S`` is enclosed by
    FLINT's ``acb_mat.eig``.  A cluster whose enclosure is isolated and contains
    one eigenvalue has a 1 x 1 Jordan block; it is real when its conjugate
    enclosure meets no other cluster (the conjugate of an eigenvalue of a real
    matrix is an eigenvalue).  ``S`` must be real.

    >>> spec = ball_spectrum(flint.acb_mat([[0, 1], [-2, 0]]), [flint.fmpq(-1, 2)] * 2)
    >>> [(e.multiplicity, e.blocks, e.negative.value) for e in spec.eigenvalues]
    [(2, (1, 1), 'holds'), (1, (1,), 'fails'), (1, (1,), 'fails')]
    """
    n = len(points) + (S.nrows() if S is not None else 0)
    method = f"certified ({prec} bits)"
    comps: list[tuple[flint.acb, int]] = []
    if S is not None and S.nrows():
        with working_precision(prec):
            try:
                balls = S.eig(multiple=True)
            except ValueError:
                # S's eigenvalues are not isolated: one unknown cluster for them; the exact points
                # stay known values, with their Jordan structure unknown (an eigenvalue of S may
                # equal one of them), so that an exact zero still proves H singular
                unknown = Eigenvalue(
                    value="not isolated at this precision", approx=complex("nan"),
                    multiplicity=S.nrows(), blocks=None, real=UNDECIDED, zero=UNDECIDED, one=UNDECIDED,
                    negative=UNDECIDED, positive=UNDECIDED,
                )
                return Spectrum((unknown, *(_rational_eigenvalue(v, c, None) for v, c in Counter(points).items())),
                                method, n)
            comps = _components(balls)
    eigs = []
    pts = Counter(points)
    absorbed: Counter = Counter()
    near_zero = False      # an enclosure of S meets an exact zero point
    for k, (ball, count) in enumerate(comps):
        shared = False
        for v, c in pts.items():
            if ball.overlaps(flint.acb(flint.arb(v))):  # overlaps, not contains: v may be a ball itself
                if v == 0:
                    # an exact zero stays its own cluster: H is singular whatever the enclosure holds
                    # (a zero column), which a merged cluster could only call undecided
                    shared = near_zero = True
                    continue
                absorbed[v] += c
                count += c
        isolated = count == 1 and not shared    # with a zero point in it, the Jordan structure is unknown
        conj = ball.conjugate()
        if not ball.imag.contains(0):
            real = FAILS
        elif isolated and not any(conj.overlaps(o) for j, (o, _) in enumerate(comps) if j != k):
            real = HOLDS
        else:
            real = UNDECIDED
        merged_blocks = (1,) if isolated else None
        eigs.append(Eigenvalue(
            value=ball, approx=acb_to_complex(ball), multiplicity=count,
            blocks=merged_blocks, **_ball_facts(ball, real),
        ))
    for v, c in pts.items():
        if absorbed[v]:
            continue
        eigs.append(_rational_eigenvalue(v, c, None if v == 0 and near_zero else (1,) * c))
    eigs.sort(key=lambda e: (e.approx.real, e.approx.imag))
    return Spectrum(tuple(eigs), method, n)


# ---- float ---------------------------------------------------------------------------
def float_tolerance(H: np.ndarray) -> float:
    return 1e-8 * max(1.0, float(np.linalg.norm(H, np.inf)))


def float_overflow() -> InputError:
    """The refusal when float64 arithmetic on a model overflows (its magnitudes near 1.8e308):
    float mode then has no meaningful verdict, and exact and certified mode have no such limit."""
    return InputError("float64 arithmetic overflows on this model (magnitudes too near the float64 limit "
                      "1.8e308): float mode cannot decide it; use mode 'exact' or 'certified'")


def float_spectrum(H: np.ndarray, tol: float | None = None, eigenvalues: np.ndarray | None = None) -> Spectrum:
    """Float spectrum: eigenvalues within ``tol`` of each other form a cluster,
    whose Jordan blocks come from numerical ranks of (H - lambda I)^k.

    >>> spec = float_spectrum(np.array([[2.0, 0.0], [0.0, -0.5]]))
    >>> [(e.text, e.negative.value) for e in spec.eigenvalues]
    [('-0.5', 'holds'), ('2', 'fails')]
    """
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused: an infinite norm, or below
        tol = float_tolerance(H) if tol is None else tol
    if not (math.isfinite(tol) and np.isfinite(H).all()):
        raise float_overflow()
    try:
        lam = np.linalg.eigvals(H) if eigenvalues is None else eigenvalues
    except np.linalg.LinAlgError:
        raise float_overflow() from None
    order = np.argsort(lam.real + 1j * lam.imag)  # lexicographic on (re, im)
    lam = lam[order]
    clusters: list[list[complex]] = []
    for z in lam:
        for c in clusters:
            if min(abs(z - w) for w in c) <= tol:
                c.append(z)
                break
        else:
            clusters.append([z])
    n = H.shape[0]
    eigs = []
    for c in clusters:
        z = complex(np.mean(c))
        m = len(c)
        if m == 1:
            blocks = (1,)
        else:
            N = H - z.real * np.eye(n) if abs(z.imag) <= tol else H - z * np.eye(n)
            ranks = [n]
            P = np.eye(n, dtype=N.dtype)
            for _ in range(m):
                with np.errstate(over="ignore", invalid="ignore"):
                    P = P @ N
                if not np.isfinite(P).all():
                    raise float_overflow()
                ranks.append(int(np.linalg.matrix_rank(P, tol=tol * max(1.0, np.linalg.norm(P, 2)))))
            blocks = _partition([ranks[k - 1] - ranks[k] for k in range(1, len(ranks))])
        real = abs(z.imag) <= tol
        eigs.append(Eigenvalue(
            value=z, approx=z,
            multiplicity=m, blocks=blocks, real=Truth.of(real), zero=Truth.of(abs(z) <= tol),
            one=Truth.of(abs(z - 1) <= tol), negative=Truth.of(real and z.real < -tol),
            positive=Truth.of(real and z.real > tol),
        ))
    return Spectrum(tuple(eigs), f"float (tol={tol:.1e})", n)


__all__ = ["Eigenvalue", "Spectrum", "all_of", "ball_spectrum", "exact_spectrum", "float_spectrum"]
