"""Hypothesis strategies and assertions for property-testing PLRNNs.

Each strategy says what it guarantees about every example it draws; the
guarantee is part of the API and is checked by this package's own tests with
the exact predicates.

Matrices with a prescribed Jordan structure are drawn as H = P J P^{-1} with J
in real Jordan form and P unimodular (an integer matrix of determinant 1, so
P^{-1} is an integer matrix too): H is rational and its Jordan structure is
exactly the one drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from hypothesis import strategies as st

__all__ = [
    "DrawnMatrix",
    "JordanStructure",
    "assert_equivalent",
    "assert_fixed_points_correspond",
    "assert_roundtrip",
    "initial_states",
    "input_sequences",
    "jordan_structures",
    "plrnns",
    "small_rationals",
    "structured_matrices",
    "unimodular_matrices",
]

Real = Fraction


@dataclass(frozen=True)
class JordanStructure:
    """What a drawn matrix is built from, and so what is known about it.

    ``real`` maps each distinct real eigenvalue to its Jordan block sizes;
    ``complex`` lists (a, b, blocks) for each pair a +- b i (b > 0).
    """

    real: tuple[tuple[Fraction, tuple[int, ...]], ...]
    complex: tuple[tuple[Fraction, Fraction, tuple[int, ...]], ...] = ()

    @property
    def dimension(self) -> int:
        return sum(sum(b) for _, b in self.real) + 2 * sum(sum(b) for *_, b in self.complex)

    def expected(self) -> dict[str, bool]:
        """The predicates of THEORY section 3, read off the structure."""
        from collections import Counter

        vals = dict(self.real)
        invertible = 0 not in vals
        negatives = {v: b for v, b in vals.items() if v < 0}
        paired = all(c % 2 == 0 for b in negatives.values() for c in Counter(b).values())
        return {
            "invertible": invertible,
            "principal_log": all(v > 0 for v in vals),
            "real_log": invertible and paired,
            # Culver: positive, and no two blocks of one eigenvalue of the same size
            "unique_real_log": not self.complex and all(v > 0 and len(set(b)) == len(b) for v, b in vals.items()),
            "eigenvalue_one": 1 in vals,
        }

    def jordan_matrix(self) -> sp.Matrix:
        blocks = []
        for v, sizes in self.real:
            for k in sizes:
                blocks.append(sp.Matrix(k, k, lambda i, j, v=v: v if i == j else (1 if j == i + 1 else 0)))
        for a, b, sizes in self.complex:
            C = sp.Matrix([[a, -b], [b, a]])
            for k in sizes:
                B = sp.zeros(2 * k, 2 * k)
                for i in range(k):
                    B[2 * i:2 * i + 2, 2 * i:2 * i + 2] = C
                    if i + 1 < k:
                        B[2 * i:2 * i + 2, 2 * i + 2:2 * i + 4] = sp.eye(2)
                blocks.append(B)
        return sp.diag(*blocks) if blocks else sp.zeros(0, 0)


def _rat(x) -> sp.Rational:
    x = Fraction(x)
    return sp.Rational(x.numerator, x.denominator)


@st.composite
def unimodular_matrices(draw, n: int, ops: int | None = None) -> sp.Matrix:
    """An n x n integer matrix of determinant 1 (a product of elementary row
    operations with multipliers in -2..2), so its inverse is an integer matrix."""
    P = sp.eye(n)
    if n < 2:
        return P
    for _ in range(draw(st.integers(0, 2 * n)) if ops is None else ops):
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if i != j:
            P[i, :] = P[i, :] + draw(st.integers(-2, 2)) * P[j, :]
    return P


def small_rationals(min_value=-3, max_value=3, denominators=(1, 2, 3, 4, 5, 8, 10)) -> st.SearchStrategy[Fraction]:
    """Rationals p/q in [min_value, max_value] with q from ``denominators``."""
    lo, hi = Fraction(min_value), Fraction(max_value)

    @st.composite
    def draw_one(draw):
        q = draw(st.sampled_from(denominators))
        a, b = -((-lo.numerator * q) // lo.denominator), (hi.numerator * q) // hi.denominator
        if a > b:
            return lo
        return Fraction(draw(st.integers(a, b)), q)

    return draw_one()


@st.composite
def jordan_structures(draw, max_dim: int = 5, values=None, max_block: int = 3,
                      complex_pairs: bool = True) -> JordanStructure:
    """A Jordan structure of dimension 1..max_dim with distinct real eigenvalues
    from ``values`` (default: small rationals, 0, 1, -1 and -1/2 favoured) and
    possibly complex pairs a +- b i with b > 0."""
    if values is None:
        values = st.one_of(st.sampled_from([Fraction(v) for v in (1, -1, 0, Fraction(-1, 2), 2)]),
                           small_rationals())
    dim = draw(st.integers(1, max_dim))
    real: dict[Fraction, list[int]] = {}
    cplx = []
    used = 0
    while used < dim:
        room = dim - used
        if complex_pairs and room >= 2 and draw(st.booleans()):
            k = draw(st.integers(1, min(max_block, room // 2)))
            a = draw(small_rationals(-2, 2))
            b = draw(small_rationals(Fraction(1, 10), 2))
            cplx.append((a, b, (k,)))
            used += 2 * k
        else:
            k = draw(st.integers(1, min(max_block, room)))
            v = draw(values)
            real.setdefault(v, []).append(k)
            used += k
    return JordanStructure(
        tuple((v, tuple(sorted(b, reverse=True))) for v, b in sorted(real.items())),
        tuple(cplx),
    )


@dataclass(frozen=True)
class DrawnMatrix:
    """A rational matrix together with the structure it was built from."""

    matrix: sp.ImmutableMatrix
    structure: JordanStructure


@st.composite
def structured_matrices(draw, structures=None) -> DrawnMatrix:
    """A rational matrix H = P J P^{-1} whose Jordan structure is exactly the drawn
    :class:`JordanStructure` (``structures`` defaults to :func:`jordan_structures`)."""
    s = draw(jordan_structures() if structures is None else structures)
    J = s.jordan_matrix().applyfunc(_rat)
    P = draw(unimodular_matrices(J.rows))
    return DrawnMatrix(sp.ImmutableMatrix(P * J * P.inv()), s)


# ---- models ---------------------------------------------------------------------------------
CONDITIONS = ("any", "principal_log", "real_log", "no_real_log", "eigenvalue_one")


@st.composite
def plrnns(draw, M: int | st.SearchStrategy[int] | None = None, condition: str = "any", exact: bool = True,
           inputs: int = 0, dt=None):
    """A PLRNN (A diagonal, W with zero diagonal) that satisfies ``condition``.

    Guarantees, for every example drawn (each follows from the construction and is
    checked with the exact predicates in this package's tests):

    * ``"any"``: nothing beyond the shapes.
    * ``"principal_log"``: every region has a principal logarithm. The "free" units
      have 0 < a_ii < 1 and rows of W with sum |w_ij| < a_ii, so every Gershgorin
      disc of every region matrix lies in Re z > 0.
    * ``"real_log"``: every region has a real logarithm and none a principal one:
      units 1 and 2 have a_11 = a_22 = -c (0 < c < 1) and zero columns of W, so
      -c is an eigenvalue with two 1 x 1 blocks in every region; the other units are
      as for ``"principal_log"`` (needs M >= 2; smaller M is raised to 2).
    * ``"no_real_log"``: every region is invertible without a real logarithm: unit 1
      has a_11 = -c and a zero column of W (a simple negative eigenvalue).
    * ``"eigenvalue_one"``: every region has the eigenvalue 1: unit 1 has a_11 = 1 and
      a zero column of W.

    ``exact=True`` draws small rationals; ``exact=False`` draws floats (still exact
    rationals inside the model). ``inputs`` = K adds a random M x K matrix C.
    """
    from .model.plrnn import PLRNN

    if condition not in CONDITIONS:
        raise ValueError(f"condition must be one of {CONDITIONS}")
    if M is None:
        M = st.integers(1, 4)
    M = draw(M) if isinstance(M, st.SearchStrategy) else M
    special = {"any": 0, "principal_log": 0, "real_log": 2, "no_real_log": 1, "eigenvalue_one": 1}[condition]
    M = max(M, special, 1)

    def num(lo, hi):
        if exact:
            return draw(small_rationals(lo, hi, denominators=(2, 3, 4, 5, 8, 10, 16)))
        return Fraction(draw(st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)))

    A = [Fraction(0)] * M
    W = [[Fraction(0)] * M for _ in range(M)]
    for i in range(M):
        if condition == "any":
            A[i] = num(-1, 1)
            for j in range(M):
                if j != i:
                    W[i][j] = num(-1, 1)
            continue
        if i < special:
            continue
        A[i] = num(Fraction(1, 5), Fraction(19, 20))
        budget = A[i] * Fraction(9, 10)
        free = [j for j in range(special, M) if j != i]
        for j in free:
            W[i][j] = num(-1, 1) * budget / max(len(free), 1)
    c = num(Fraction(1, 5), Fraction(9, 10))
    if condition == "real_log":
        A[0] = A[1] = -c
    elif condition == "no_real_log":
        A[0] = -c
    elif condition == "eigenvalue_one":
        A[0] = Fraction(1)
    if special:
        for i in range(M):            # rows of the special units may couple to the rest
            for j in range(special, M):
                if i < special and j != i:
                    W[i][j] = num(-1, 1)
    h = [num(-1, 1) for _ in range(M)]
    C = [[num(-1, 1) for _ in range(inputs)] for _ in range(M)] if inputs else None
    dt = draw(st.sampled_from([Fraction(1), Fraction(1, 10), Fraction(1, 2)])) if dt is None else dt
    diag = [[A[i] if i == j else 0 for j in range(M)] for i in range(M)]
    return PLRNN(diag, W, h, C=C, dt=dt)


FAMILY_KINDS = ("alrnn", "dend", "dend-clipped", "shallow", "shallow-clipped")


@st.composite
def relu_rnns(draw, kind: str | st.SearchStrategy[str] | None = None, M: int | st.SearchStrategy[int] | None = None,
              L: int | None = None, inputs: int = 0, dt=None):
    """A model of the ReLU RNN family (THEORY section 8) with small rational weights.

    ``kind`` is one of ``FAMILY_KINDS`` (default: drawn); ``M`` units (default 1-3);
    ``L`` is the width of a shallow model's hidden layer, the number of bases of a
    dendritic one and P of an ALRNN (default: drawn, P <= M).  Guarantees only the
    shapes and the form; region structure (empty cells, repeated eigenvalues) is
    whatever the draw gives, which is what the tests of the general form want.
    """
    from .model.family import ALRNN, DendPLRNN, ShallowPLRNN

    kind = draw(st.sampled_from(FAMILY_KINDS)) if kind is None else kind
    kind = draw(kind) if isinstance(kind, st.SearchStrategy) else kind
    if kind not in FAMILY_KINDS:
        raise ValueError(f"kind must be one of {FAMILY_KINDS}")
    M = draw(st.integers(1, 3)) if M is None else M
    M = draw(M) if isinstance(M, st.SearchStrategy) else M
    q = small_rationals(-1, 1, denominators=(2, 3, 4, 5, 8))

    def mat(r, c):
        return [[draw(q) for _ in range(c)] for _ in range(r)]

    def vec(n):
        return [draw(q) for _ in range(n)]

    A = [draw(small_rationals(Fraction(1, 5), Fraction(19, 20), denominators=(5, 10, 20))) for _ in range(M)]
    C = mat(M, inputs) if inputs else None
    dt = draw(st.sampled_from([Fraction(1), Fraction(1, 2)])) if dt is None else dt
    if kind == "alrnn":
        P = draw(st.integers(1, M)) if L is None else L
        return ALRNN(A, mat(M, M), vec(M), P, C=C, dt=dt)
    if kind.startswith("dend"):
        B = draw(st.integers(1, 3)) if L is None else L
        return DendPLRNN(A, mat(M, M), vec(M), vec(B), mat(M, B), clipped=kind == "dend-clipped", C=C, dt=dt)
    width = draw(st.integers(1, 4)) if L is None else L
    return ShallowPLRNN(A, mat(M, width), mat(width, M), vec(M), vec(width), clipped=kind == "shallow-clipped",
                        C=C, dt=dt)


@st.composite
def initial_states(draw, M: int, scale: float = 2.0) -> list[float]:
    """A finite initial state with entries in [-scale, scale]."""
    return [draw(st.floats(-scale, scale, allow_nan=False)) for _ in range(M)]


@st.composite
def input_sequences(draw, steps: int, K: int, scale: float = 1.0):
    """A (steps, K) list of finite inputs in [-scale, scale], held constant over each step."""
    return [[draw(st.floats(-scale, scale, allow_nan=False)) for _ in range(K)] for _ in range(steps)]


# ---- assertions -------------------------------------------------------------------------------
def assert_roundtrip(model, regions="all", mode: str = "float", *, atol: float = 1e-9, samples: int = 3,
                     seed: int = 0) -> None:
    """Discrete -> continuous -> discrete: in every derived region, one flow of dt (through
    G and P when lifted) reproduces the region's step, and e^{L dt} reproduces W_Omega.

    For a lift (N > M) this checks the exact-lift identities of
    proofs/03_negative_eigenvalues_lift.tex, Definition 3.6: e^{L dt} G = G W_Omega and
    Phi_dt(G z) = G (W_Omega z + h + C s), so the embedded states stay embedded and every
    later step is reproduced too.  P e^{L dt} G = W_Omega alone would not do: a one-step
    projection satisfies it even for a singular W_Omega (proofs/04, Proposition 4.6).

    Raises AssertionError naming the region and the deviation.
    """
    import numpy as np
    import scipy.linalg

    from .analysis.transform import derive
    from .model.regions import region_affine

    rng = np.random.default_rng(seed)
    cont = derive(model, regions, mode=mode)
    num = model.numeric
    for bits, s in cont.systems.items():
        if s.status == "impossible":
            continue
        if not s.derived:
            raise AssertionError(f"region {bits}: no continuous-time system was derived ({'; '.join(s.notes)})")
        H, hb = (np.array(x.tolist(), dtype=float) for x in region_affine(model, bits))
        N = s.dimension
        E = scipy.linalg.expm(s.L * s.dt)
        G = np.eye(N, model.M) if s.G is None else np.asarray(s.G, dtype=float)
        dev = float(np.abs(E @ G - G @ H).max())
        if dev > atol:
            raise AssertionError(f"region {bits}: |e^(L dt) G - G W_Omega| = {dev:.3e} > {atol:g}"
                                 + (" (the lift's embedding is not invariant)" if N > model.M else ""))
        for _ in range(samples):
            z = rng.normal(size=model.M)
            u = rng.normal(size=model.K) if model.K else None
            want = H @ z + hb.ravel() + (num.C @ u if u is not None else 0)
            dev = float(np.abs(s.step(z, u) - want).max())
            if dev > atol:
                raise AssertionError(f"region {bits} (status {s.status}, dimension {N}): flow of dt misses the "
                                     f"step by {dev:.3e} > {atol:g}")
            if N > model.M:         # the whole lifted state, not only its projection
                dev = float(np.abs(s.flow(G @ z, s.dt, u) - G @ want).max())
                if dev > atol:
                    raise AssertionError(f"region {bits} (lifted, dimension {N}): Phi_dt(G z) misses G F(z) by "
                                         f"{dev:.3e} > {atol:g}")


def assert_fixed_points_correspond(model, regions="all", *, atol: float = 1e-8) -> None:
    """In every region with a principal logarithm and without the eigenvalue 1, the
    fixed point z* = (I - W_Omega)^{-1} h is the equilibrium of the derived ODE
    (L z* + g = 0) and the eigenvalues map by mu = log(lambda)/dt (same stability)."""
    import numpy as np

    from .analysis.conditions import check
    from .analysis.transform import derive
    from .model.regions import region_affine

    rep = check(model, regions, mode="float")
    cont = derive(model, list(rep.regions), mode="float")
    for bits, rc in rep.regions.items():
        if rc["principal_log"].status != "holds" or rc["eigenvalue_one"].status != "fails":
            continue
        s = cont[bits]
        H, hb = (np.array(x.tolist(), dtype=float) for x in region_affine(model, bits))
        z = np.linalg.solve(np.eye(model.M) - H, hb.ravel())
        r = float(np.abs(s.L @ z + s.g).max())
        if r > atol * max(1.0, float(np.abs(z).max())):
            raise AssertionError(f"region {bits}: the fixed point {z} is not an equilibrium: |L z* + g| = {r:.3e}")
        lam = np.sort_complex(np.log(np.linalg.eigvals(H).astype(complex)) / s.dt)
        mu = np.sort_complex(np.linalg.eigvals(s.L).astype(complex))
        if np.abs(lam - mu).max() > 1e-6:
            raise AssertionError(f"region {bits}: eigenvalues of L {mu} are not log(lambda)/dt {lam}")
        if (np.abs(np.linalg.eigvals(H)) < 1).all() != (mu.real < 0).all():
            raise AssertionError(f"region {bits}: stability differs between the map and the ODE")


def assert_equivalent(model, *, z0=None, steps: int = 100, system: str = "hybrid", atol: float = 1e-10,
                      inputs=None, burn_in: int = 0, mode: str = "certified") -> None:
    """The chosen continuous system reproduces every step of the discrete map from the discrete state.

    For each n < ``steps``, one step of the continuous system from the discrete state z_n must land
    within ``atol`` of z_(n+1):

    * ``system="hybrid"`` (sample and hold, THEORY E3): every step, with no condition;
    * ``system="autonomous"``: the steps where E1 holds (the region flow from z_n stays in its
      region, so the autonomous flow is that region flow); steps where E1 fails or is undecided
      are not asserted, and are named in the message of any failure.

    The free-running trajectory is compared with the float map too, but only where that is
    meaningful: when the largest Lyapunov exponent along the orbit is negative (rounding errors
    shrink instead of being amplified), and for the autonomous system only up to the first step
    where E1 does not hold.  On a chaotic or neutrally stable orbit two float trajectories part
    by amplified rounding whatever the systems (see ``SimulationResult.rounding``).

    Raises AssertionError naming the first step whose deviation exceeds ``atol``, its region and
    the deviation.

    Examples
    --------
    >>> import plrnn_symbolic as ps
    >>> assert_equivalent(ps.example("limit_cycle"), steps=1000, atol=1e-10, mode="float")
    """
    import numpy as np

    from .analysis.simulation import simulate
    from .analysis.simulation.rounding import largest_exponent
    from .model.regions import region_of

    if system not in ("hybrid", "autonomous"):
        raise ValueError("system must be 'hybrid' or 'autonomous'")
    res = simulate(model, steps=steps, z0=z0, system=system, inputs=inputs, mode=mode, burn_in=burn_in,
                   e1=system == "autonomous")
    X = res.discrete
    asserted = range(steps) if system == "hybrid" else [n for n, v in enumerate(res.e1) if v.status == "holds"]
    for n in asserted:
        if not np.all(np.isfinite(X[n + 1])):
            break
        bits = region_of(X[n], model)
        sysm = res.systems.get(bits)
        if sysm is None or not sysm.derived:
            raise AssertionError(f"step {n}: region {bits} has no continuous-time system "
                                 f"({sysm.status if sysm else 'not derived'})")
        dev = float(np.abs(sysm.step(X[n], None if res.inputs is None else res.inputs[n]) - X[n + 1]).max())
        if not dev <= atol:
            raise AssertionError(f"{system} system, one step from the discrete state z_{n} (region {bits}, "
                                 f"{sysm.status}) misses z_{n + 1} by {dev:.3e} > atol {atol:g}")
    if largest_exponent(model, X) >= 0:
        return                        # the free run is amplified rounding, not a property of the systems
    traj = res.hybrid if system == "hybrid" else res.autonomous
    upto = steps + 1
    if system == "autonomous":
        upto = next((n + 1 for n, v in enumerate(res.e1) if v.status != "holds"), upto)
    dev = np.abs(traj[:upto] - X[:upto]).max(axis=1)
    bad = np.flatnonzero(~(dev <= atol))
    if bad.size:
        n = int(bad[0])
        raise AssertionError(f"the free-running {system} trajectory departs from the discrete one at step {n} "
                             f"(t = {res.times[n]:g}) although the orbit contracts: deviation {dev[n]:.3e} > "
                             f"atol {atol:g}; the step from z_{max(n - 1, 0)} starts in region "
                             f"{region_of(X[max(n - 1, 0)], model)}")
