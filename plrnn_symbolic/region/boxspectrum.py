"""A certified enclosure of the spectra of a whole family of region matrices, and the predicates it decides.

A family fixes some pre-activations (active or inactive) and leaves the others free.  Its region
matrices are W_d = A + W1 D W2 with D = diag(d) and d_k in {0, 1} on the free set F; as D ranges over
the box [0, 1]^F the matrix is affine in D,

    H(delta) = H_c + sum_{k in F} delta_k w1_k w2_k^T ,   delta in [-1/2, 1/2]^F ,

with H_c the matrix at the box's midpoint (free d_k = 1/2), so every region matrix of the family is
one H(delta).  With V an approximate eigenvector matrix of H_c (floats, treated as exact) and balls Y
that contain V^-1, every eigenvalue of every H(delta) lies in one of the discs

    |z - c_i| <= rho_i ,  rho_i >= |C_ii - c_i| + sum_{j != i} |C_ij| + sum_j E_ij ,

where C = Y H_c V (balls) and E = 1/2 sum_{k in F} |Y w1_k| |w2_k^T V| (Gershgorin's theorem for the
similar matrix V^-1 H(delta) V; proofs/07_region_structure.tex, Theorem 7.13).  Discs that cannot be
proved disjoint, from each other or from each other's mirror images in the real axis, are grouped;
each group holds as many eigenvalues as it has discs and is closed under conjugation (Lemma 7.14),
and :func:`decide_discs` reads the predicates of THEORY section 3 off the groups (Proposition 7.15):
a verdict it returns holds for every region matrix of the family.

References
----------
S. Gershgorin, "Ueber die Abgrenzung der Eigenwerte einer Matrix", Izv. Akad. Nauk SSSR (1931).
R. S. Varga, "Gersgorin and His Circles", Springer (2004), chapters 1 and 6.
S. M. Rump, "Verification methods: rigorous results using floating-point arithmetic", Acta
Numerica 19 (2010): midpoint-radius enclosures of V^-1.
W. J. Culver, "On the existence and uniqueness of the real logarithm of a matrix", Proc. AMS 17 (1966).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import flint
import numpy as np
import sympy as sp

from ..core.domains import arb_matrix, working_precision
from ..core.truth import FAILS, HOLDS, Truth
from ..model.family import ReluRNN
from ..model.plrnn import PLRNN

__all__ = ["Disc", "FamilyEnclosure", "decide_discs"]


@dataclass(frozen=True)
class Disc:
    """A closed disc |z - center| <= radius of the complex plane, with exact binary center and radius."""

    center: flint.acb
    radius: flint.arb

    def to_list(self) -> list[float]:
        """[re, im, radius] in floats: the float disc contains this one (the center rounded to floats, the
        radius widened by that rounding and rounded up), so the witness stays valid as printed."""
        re, im = float(self.center.real.mid()), float(self.center.imag.mid())
        with working_precision(max(53, flint.ctx.prec)):
            R = self.radius + (self.center - flint.acb(re, im)).abs_upper()
        r = float(R.upper())
        return [re, im, r if r >= R else float(np.nextafter(r, np.inf))]


def _far(x: flint.arb, r: flint.arb) -> bool:
    """x > r, proved (both balls)."""
    return bool(x > r)


def _avoids_point(d: Disc, p: int) -> bool:
    return _far((d.center - p).abs_lower(), d.radius)


def _avoids_halfline(d: Disc, side: int) -> bool:
    """The disc misses the closed half line side * [0, inf) (side = -1: (-inf, 0]; side = 1: [0, inf)).

    The nearest point of the half line is 0 when the center lies beyond it on the other side, else
    the foot of the perpendicular, at distance |Im c|."""
    c = d.center
    if _far(abs(c.imag), d.radius):
        return True
    return bool(side * c.real < 0) and _far(c.abs_lower(), d.radius)


def _disjoint(a: Disc, b: Disc, mirror: bool = False) -> bool:
    """The discs a (or its mirror image in the real axis) and b are proved disjoint."""
    ca = a.center.conjugate() if mirror else a.center
    return _far((ca - b.center).abs_lower(), a.radius + b.radius)


def _groups(discs: Sequence[Disc]) -> list[list[int]]:
    """Discs joined whenever they, or one and the other's mirror image, are not proved disjoint."""
    n = len(discs)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(n):
        for j in range(i + 1, n):
            if find(i) != find(j) and not (_disjoint(discs[i], discs[j])
                                           and _disjoint(discs[i], discs[j], mirror=True)):
                parent[find(i)] = find(j)
    out: dict[int, list[int]] = {}
    for i in range(n):
        out.setdefault(find(i), []).append(i)
    return list(out.values())


def decide_discs(discs: Sequence[Disc]) -> dict[str, Truth]:
    """The predicates decided for every real matrix whose eigenvalues the discs enclose by Gershgorin's
    count (each group of discs, joined as in Lemma 7.14, holds as many eigenvalues as discs).

    Only decided predicates are returned (proofs/07_region_structure.tex, Proposition 7.15):

    * invertible holds if no disc meets 0;
    * principal_log holds if no disc meets (-inf, 0]; it fails if a group with an odd number of
      discs misses [0, inf) (a real, hence negative, eigenvalue lies in it);
    * real_log holds with principal_log; it fails if every group misses [0, inf) or (-inf, 0]
      and the groups that miss [0, inf) hold an odd number of discs (an odd number of negative
      eigenvalues, so a negative eigenvalue of odd algebraic multiplicity, so a Jordan block
      size that occurs an odd number of times: Culver's condition fails);
    * unique_real_log holds if every group is a single disc that misses (-inf, 0] (a simple real
      positive eigenvalue each); it fails if some group misses [0, inf) (an eigenvalue that is not
      positive real);
    * eigenvalue_one fails if no disc meets 1.

    Examples
    --------
    Two discs around 0.5 and 0.8, of radius 0.1: both eigenvalues real, simple and positive.

    >>> import flint
    >>> d = [Disc(flint.acb(0.5), flint.arb(0.1)), Disc(flint.acb(0.8), flint.arb(0.1))]
    >>> {k: v.value for k, v in decide_discs(d).items()}   # doctest: +NORMALIZE_WHITESPACE
    {'invertible': 'holds', 'principal_log': 'holds', 'real_log': 'holds', 'unique_real_log': 'holds',
     'eigenvalue_one': 'fails'}

    A complex pair near -0.2 +/- 0.5i and a disc that holds one eigenvalue near -0.5: the negative
    eigenvalue is simple, so no region of the family has a real logarithm.

    >>> d = [Disc(flint.acb(-0.2, 0.5), flint.arb(0.1)), Disc(flint.acb(-0.2, -0.5), flint.arb(0.1)),
    ...      Disc(flint.acb(-0.5), flint.arb(0.1))]
    >>> {k: v.value for k, v in decide_discs(d).items()}   # doctest: +NORMALIZE_WHITESPACE
    {'invertible': 'holds', 'principal_log': 'fails', 'real_log': 'fails', 'unique_real_log': 'fails',
     'eigenvalue_one': 'fails'}
    """
    out: dict[str, Truth] = {}
    if all(_avoids_point(d, 0) for d in discs):
        out["invertible"] = HOLDS
    off_negative = [_avoids_halfline(d, -1) for d in discs]
    off_positive = [_avoids_halfline(d, 1) for d in discs]
    groups = _groups(discs)
    negative_groups = [g for g in groups if all(off_positive[i] for i in g)]
    positive_groups = [g for g in groups if all(off_negative[i] for i in g)]
    if all(off_negative):
        out["principal_log"] = out["real_log"] = HOLDS
    elif any(len(g) % 2 for g in negative_groups):
        out["principal_log"] = FAILS
    if ("real_log" not in out and all(g in negative_groups or g in positive_groups for g in groups)
            and sum(len(g) for g in negative_groups) % 2):
        out["real_log"] = FAILS
    if all(len(g) == 1 and off_negative[g[0]] for g in groups):
        out["unique_real_log"] = HOLDS
    elif negative_groups:
        out["unique_real_log"] = FAILS
    if all(_avoids_point(d, 1) for d in discs):
        out["eigenvalue_one"] = FAILS
    return {p: out[p] for p in ("invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one")
            if p in out}


def _box_rows(absU: flint.arb_mat, zsum: list[flint.arb]) -> list[flint.arb]:
    """Row sums of E = 1/2 sum_k |Y w1_k| |w2_k^T V|: 1/2 sum_k |U_ik| sum_j |Z_kj|, the widening of
    every disc by the free pre-activations (Theorem 7.13)."""
    return [sum((absU[i, k] * zsum[k] for k in range(len(zsum))), flint.arb(0)) / 2 for i in range(absU.nrows())]


def general_matrices(model: PLRNN | ReluRNN) -> tuple[sp.MatrixBase, sp.MatrixBase, sp.MatrixBase]:
    """(A, W1, W2) of the general form; a PLRNN is W1 = W, W2 = I."""
    if isinstance(model, PLRNN):
        return model.A, model.W, sp.eye(model.M)
    return model.A, model.W1, model.W2


def _acb(m: np.ndarray) -> flint.acb_mat:
    r, c = m.shape
    return flint.acb_mat(r, c, [flint.acb(complex(x).real, complex(x).imag) for x in m.ravel()])


class FamilyEnclosure:
    """The discs of Theorem 7.13 for any family of one model (weights enclosed once per precision).

    A family is a tuple over the L pre-activations: 1 (active), 0 (inactive) or None (free).

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.7]], W=[[0, 0.05], [0.04, 0]], h=[0, 0])
    >>> enc = FamilyEnclosure(m)
    >>> discs = enc.discs((None, None))            # all four regions at once
    >>> decide_discs(discs)["unique_real_log"].value
    'holds'
    """

    def __init__(self, model: PLRNN | ReluRNN, precision: int = 53):
        A, W1, W2 = general_matrices(model)
        self.M, self.L = A.rows, W1.cols
        self.precision = precision
        self._float = tuple(np.array(m.evalf(20).tolist(), dtype=float) for m in (A, W1, W2))
        with working_precision(precision):
            self._ball = tuple(flint.acb_mat(arb_matrix(m)) for m in (A, W1, W2))

    def _basis(self, family: Sequence[int | None]):
        A, W1, W2 = self._float
        mid = np.array([0.5 if x is None else float(x) for x in family])
        Hc = A + (W1 * mid) @ W2
        if not np.isfinite(Hc).all():
            return None
        _, V = np.linalg.eig(Hc)
        if not np.isfinite(V).all():
            return None
        return mid, V

    def split_unit(self, family: Sequence[int | None], point: int | None = None) -> int:
        """The free pre-activation whose rank-one term widens the discs most (split there first); with
        ``point``, the one that weighs most in the resolvent test of :meth:`misses` at that point."""
        free = [k for k, x in enumerate(family) if x is None]
        basis = self._basis(family)
        if basis is None:
            return free[0]
        mid, V = basis
        A, W1, W2 = self._float
        try:
            if point is None:
                Vi = np.linalg.inv(V)
            else:
                Vi, V = np.linalg.inv(point * np.eye(self.M) - A - (W1 * mid) @ W2), np.eye(self.M)
        except np.linalg.LinAlgError:
            return free[0]
        weight = np.abs(Vi @ W1[:, free]).sum(axis=0) * np.abs(W2[free] @ V).sum(axis=1)
        return free[int(np.argmax(np.nan_to_num(weight, nan=np.inf)))]

    def misses(self, family: Sequence[int | None], p: int) -> bool:
        """Proved: ``p`` is an eigenvalue of no region matrix of ``family`` (Theorem 7.13(b)).

        With R = p I - H_c and balls Y that contain R^-1, p I - H(delta) = R (I - R^-1 sum_k delta_k
        w1_k w2_k^T) is invertible for every delta once the row sums of 1/2 sum_k |Y w1_k| |w2_k^T|
        are all below 1 (the infinity norm of the perturbation term is then below 1)."""
        A, W1, W2 = self._ball
        M, L = self.M, self.L
        mid = [0.5 if x is None else x for x in family]
        free = [k for k, x in enumerate(family) if x is None]
        with working_precision(self.precision):
            D = flint.acb_mat(L, L, [flint.acb(mid[k]) if k == j else 0 for k in range(L) for j in range(L)])
            R = flint.acb_mat(M, M, [p if i == j else 0 for i in range(M) for j in range(M)]) - (A + W1 * D * W2)
            try:
                Y = R.inv()
            except ZeroDivisionError:
                return False
            if not free:
                return True
            U = Y * flint.acb_mat(M, len(free), [W1[i, k] for i in range(M) for k in free])
            absU = flint.arb_mat(M, len(free), [U[i, k].abs_upper() for i in range(M) for k in range(len(free))])
            zsum = [sum((W2[k, j].abs_upper() for j in range(M)), flint.arb(0)) for k in free]
            return all(bool(row < 1) for row in _box_rows(absU, zsum))

    def discs(self, family: Sequence[int | None], eigenbasis: bool = True) -> list[Disc] | None:
        """Discs that enclose the spectrum of every region matrix of ``family`` (None when V is not
        proved invertible at this precision).

        ``eigenbasis``: V approximates the eigenvectors of the midpoint matrix; otherwise V = I, the
        discs of the box matrix itself, which suit diagonally dominant families."""
        basis = self._basis(family)
        if basis is None:
            return None
        mid, Vf = basis
        if not eigenbasis:
            Vf = np.eye(self.M)
        A, W1, W2 = self._ball
        M = self.M
        free = [k for k, x in enumerate(family) if x is None]
        with working_precision(self.precision):
            V = _acb(Vf)
            try:
                Y = V.inv()                       # balls that contain V^-1 (FLINT, rigorous)
            except ZeroDivisionError:
                return None
            L = self.L
            D = flint.acb_mat(L, L, [flint.acb(mid[k]) if k == j else 0 for k in range(L) for j in range(L)])
            C = Y * ((A + W1 * D * W2) * V)
            E = [flint.arb(0)] * M
            if free:
                U = Y * flint.acb_mat(M, len(free), [W1[i, k] for i in range(M) for k in free])
                Z = flint.acb_mat(len(free), M, [W2[k, j] for k in free for j in range(M)]) * V
                absU = flint.arb_mat(M, len(free), [U[i, k].abs_upper() for i in range(M) for k in range(len(free))])
                zsum = [sum((Z[k, j].abs_upper() for j in range(M)), flint.arb(0)) for k in range(len(free))]
                E = _box_rows(absU, zsum)
            out = []
            for i in range(M):
                c = flint.acb(C[i, i].real.mid(), C[i, i].imag.mid())
                r = (C[i, i] - c).abs_upper() + E[i]
                for j in range(M):
                    if j != i:
                        r += C[i, j].abs_upper()
                out.append(Disc(c, r.upper()))
            return out
