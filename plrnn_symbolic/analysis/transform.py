"""``derive``: the continuous-time system of each region (THEORY sections 2, 3, 7).

For region Omega with H = W_Omega, the ODE dz/dt = L z + g (+ B s) reproduces
one discrete step exactly iff e^{L dt} = H and dt phi1(L dt) g = h
(proofs/01_principal_embedding.tex, proofs/02_affine_term_zoh.tex).  By status:

* ``principal``: principal_log holds; L = Log(H)/dt, unique with spectrum in the strip.
* ``real_nonprincipal``: real_log holds, principal_log fails: equal negative blocks
  are paired into rotations by pi.
* ``lifted``: invertible without a real log: a lift of dimension N > M that doubles only the
  unpaired negative-eigenvalue blocks (minimal when each negative eigenvalue has at most one block
  size of odd multiplicity, e.g. when it is simple: proofs/03, Theorem 3.9, Remark 3.10),
  with G = [I; 0] (N x M) and P = [I, 0] (M x N), P Phi_dt(G z) = H z + h.
* ``impossible``: H singular: no ODE of dimension M has the step as its time-dt map, and no
  lift of any dimension reproduces every step through an invariant embedding; a one-step
  projection still exists (proofs/04_singular_impossible.tex, Theorems 4.2, 4.3, 4.5,
  Proposition 4.6).

g = (1/dt) beta(L dt) h and B = (1/dt) beta(L dt) C, computed as phi1(L dt)^{-1} h / dt
(no special case for eigenvalue one).  Every derived system carries a residual:
bounds on |e^{L dt} - H~| and |dt phi1(L dt) [g B] - [h~ C~]| from one exponential
of the augmented matrix [[L dt, (g, B) dt], [0, 0]], rigorous (ball arithmetic)
in exact and certified mode.  Float ``derive`` takes the principal regions in one
batch (:mod:`plrnn_symbolic.region.floatderive`) and the rest by ``_derive_float``.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import flint
import numpy as np
import scipy.linalg
import sympy as sp
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from ..core import parallel
from ..core.backends import backend
from ..core.conversion import unlimited_int_digits
from ..core.domains import (
    AUTO,
    CERTIFIED,
    EXACT,
    FLOAT,
    BallMatrix,
    check_mode,
    digits_to_bits,
    to_arb,
    working_precision,
)
from ..core.errors import InputError, NoResult
from ..core.frames import ByRegion
from ..core.truth import Verdict
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, RegionMatrices, region_affine, region_of, select_regions
from ..region.exactlog import exact_beta_apply, exact_real_log
from ..region.floatderive import one_blas_thread, principal_batch
from ..region.reallog import (
    BallDomain,
    FloatDomain,
    LogError,
    NotCertified,
    deflatable,
    principal_logarithm,
    real_logarithm,
)
from .conditions import check

STATUSES = ("principal", "real_nonprincipal", "lifted", "impossible", "undecided")


def status_of(verdicts: Mapping[str, Verdict | str]) -> str:
    """The derivation status implied by the predicates of one region (their
    verdicts, or just their statuses)."""
    inv, pr, rl = (v if isinstance(v, str) else v.status
                   for v in (verdicts[k] for k in ("invertible", "principal_log", "real_log")))
    if inv == "fails":
        return "impossible"
    if pr == "holds":
        return "principal"
    if rl == "holds":
        return "real_nonprincipal"
    if inv == "holds" and rl == "fails":
        return "lifted"
    return "undecided"


@dataclass(frozen=True)
class RegionSystem:
    """dz/dt = L z + g + B s in region ``region`` (dimension N >= M when lifted)."""

    region: str
    status: str
    M: int
    dt: float
    L: np.ndarray | None = None
    g: np.ndarray | None = None
    B: np.ndarray | None = None
    G: np.ndarray | None = None
    P: np.ndarray | None = None
    L_exact: sp.Matrix | None = None
    g_exact: sp.Matrix | None = None
    B_exact: sp.Matrix | None = None
    residual: dict[str, Any] = field(default_factory=dict)
    method: str = ""
    logarithm: str = ""
    notes: tuple[str, ...] = ()
    dt_exact: Any = None        # the exact step (sympy) of an exact or certified system; ``dt`` is its float
    enclosure: BallMatrix | None = None   # certified: balls containing the true [L g B] (N rows)
    # the exit functions of a region of the general form (THEORY section 8): (E, signs) with E the exact
    # L x (M + 1) matrix [W2 | h2] and signs[k] = +1 where pre-activation k is active, else -1, so that
    # the closure of the cell is signs * (W2 z + h2) >= 0; None for a PLRNN (the coordinates themselves)
    exits: Any = None

    @property
    def dimension(self) -> int:
        return self.M if self.L is None else self.L.shape[0]

    @property
    def derived(self) -> bool:
        return self.L is not None

    def field(self, y, s=None) -> np.ndarray:
        """The vector field L y + g (+ B s) at the N-vector y (float)."""
        return self.L @ np.asarray(y, dtype=float) + self._affine(s)

    def _affine(self, s) -> np.ndarray:
        return self.g + (self.B @ np.asarray(s, dtype=float) if s is not None and self.B is not None else 0)

    def augmented(self) -> np.ndarray:
        """[[L, g, B], [0, 0, 0]]: its exponential at t is [[e^{Lt}, t phi1(Lt) [g B]], [0, I]]
        (proofs/02_affine_term_zoh.tex, Theorem 2.4)."""
        return augmented(self.L, self.g[:, None] if self.B is None else np.column_stack([self.g, self.B]))

    def flow(self, z, t: float, s=None) -> np.ndarray:
        """Phi_t(z) = e^{L t} z + t phi1(L t)(g + B s) for an N-vector z (float)."""
        N = self.dimension
        E = scipy.linalg.expm(augmented(self.L * t, (self._affine(s) * t)[:, None]))
        return E[:N, :N] @ np.asarray(z, dtype=float) + E[:N, N]

    def step(self, z, s=None) -> np.ndarray:
        """P Phi_dt(G z): one step of the region's discrete map, through the flow."""
        return self.P @ self.flow(self.G @ np.asarray(z, dtype=float), self.dt, s)

    def to_dict(self) -> dict[str, Any]:
        def arr(x):
            return None if x is None else np.asarray(x, dtype=float).tolist()

        out: dict[str, Any] = {"status": self.status, "dimension": self.dimension, "method": self.method,
                               "logarithm": self.logarithm, "L": arr(self.L), "g": arr(self.g)}
        if self.B is not None:
            out["B"] = arr(self.B)
        out["G"], out["P"] = arr(self.G), arr(self.P)
        out["residual"] = self.residual
        if self.L_exact is not None:
            with unlimited_int_digits():   # exact results may have more digits than Python prints by default
                out["L_exact"] = str(self.L_exact.tolist())
                out["g_exact"] = str(self.g_exact.T.tolist()[0]) if self.g_exact is not None else None
                if self.B_exact is not None:
                    out["B_exact"] = str(self.B_exact.tolist())
        if self.enclosure is not None:
            out["enclosure"] = {"rows": "[L g B]: balls that contain the true region system",
                                "max_radius": self.enclosure.radius(), "entries": self.enclosure.strings()}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


# ---- one region, in a number domain ------------------------------------------------------------
def augmented(X: np.ndarray, U: np.ndarray) -> np.ndarray:
    """The square matrix [[X, U], [0, 0]] (X: N x N, U: N x (1 + K)), whose exponential is
    [[e^X, phi1(X) U], [0, I]] (proofs/02_affine_term_zoh.tex, Theorem 2.4).

    >>> augmented(np.array([[2.0]]), np.array([[3.0, 4.0]]))
    array([[2., 3., 4.],
           [0., 0., 0.],
           [0., 0., 0.]])
    """
    return FloatDomain.augmented(X, U)


def _lift_maps(M: int, N: int):
    G = np.zeros((N, M))
    G[:M, :M] = np.eye(M)
    return G, G.T.copy()


def region_log_system(H, h, C, status: str, domain):
    """(r, T, U): the real logarithm r of H in ``domain``, the targets T = [h C] (zero rows in the
    lifted coordinates) and U = beta(r.X) T, so that the region system is [L g B] = [r.X, U] / dt
    (proofs/01_principal_embedding.tex, Theorem 1.7; proofs/02_affine_term_zoh.tex, Theorem 2.2).

    One construction for every domain: in balls (:class:`~plrnn_symbolic.core.domains.BallDomain`)
    every entry contains the true value; in floats a principal region without a usable eigenbasis
    takes scipy's ``logm`` (:func:`~plrnn_symbolic.region.reallog.principal_logarithm`).

    >>> from plrnn_symbolic.core.domains import FloatDomain
    >>> r, T, U = region_log_system(np.array([[0.5]]), np.array([1.0]), None, "principal", FloatDomain())
    >>> float(r.X[0, 0]), float(U[0, 0])         # log(1/2), and g dt = log(1/2) / (1/2 - 1) h
    (-0.6931471805599453, 1.3862943611198906)
    """
    r = principal_logarithm(H, domain) if status == "principal" and domain.name == FLOAT else real_logarithm(H, domain)
    T = domain.targets(h, C, domain.nrows(r.X))
    return r, T, r.beta_apply(T)


def derive_region(H: sp.MatrixBase, h: sp.MatrixBase, C: sp.MatrixBase | None, dt,
                  verdicts: Mapping[str, Verdict | str], mode: str = EXACT, digits: int = 30,
                  region: str = "", method: str | None = None) -> RegionSystem:
    """The continuous-time system of one affine map z -> H z + h (+ C s) of step dt.

    ``verdicts`` are the predicates of H (from :func:`plrnn_symbolic.check`), or
    just their statuses with the ``method`` that decided them; they fix the
    status.  See the module docstring for the statuses and residuals.  The logarithm
    and the affine terms come from one construction over the number domain of the
    mode (:func:`region_log_system`); exact mode uses sympy's closed forms where they exist.
    """
    M = H.rows
    status = status_of(verdicts)
    dtf = float(dt)
    if status in ("impossible", "undecided"):
        why = ("H is singular: a time-dt flow map is invertible, so no ODE of the same dimension M has this step "
               "as its time-dt map, and no lift of any dimension reproduces every step through an invariant "
               "embedding (proofs/04_singular_impossible.tex, Theorems 4.2, 4.3, 4.5, Corollary 4.4); a lift that "
               "matches one step only exists (Proposition 4.6)" if status == "impossible" else
               "the predicates are undecided by ball arithmetic at this precision: more bits, or mode='auto' or "
               "'exact', decide them")
        decided_by = method or verdicts["invertible"].method
        if status == "impossible" and str(decided_by).startswith("float"):
            # a tolerance proves nothing: say that the singularity is a float verdict
            why = ("H is numerically singular (a float tolerance, not a proof: the exact, certified and auto "
                   "modes decide it); if it is singular, " + why[len("H is singular: "):])
        return RegionSystem(region, status, M, dtf, method=decided_by, notes=(why,))
    notes: list[str] = []
    if mode == EXACT:
        try:
            return _derive_exact(H, h, C, dt, status, region)
        except LogError as exc:
            notes.append(f"exact closed form not available ({exc}); derived with certified arithmetic")
            mode = CERTIFIED
    if mode in (CERTIFIED, AUTO):
        try:
            return _derive_ball(H, h, C, dt, status, region, digits, notes)
        except NotCertified as exc:
            why = str(exc)
        if mode == AUTO and _is_rational(H, h, C) and isinstance(sp.sympify(dt), sp.Rational):
            try:
                s = _derive_exact(H, h, C, dt, status, region)
            except LogError as exc:
                why += f"; no exact closed form either ({exc})"
            else:
                return RegionSystem(**{**s.__dict__, "notes": s.notes + (
                    f"ball arithmetic could not certify the logarithm ({why}); derived exactly",)})
        return RegionSystem(region, "undecided", M, dtf, method=f"certified ({digits} digits)",
                            notes=(*notes, f"no certified logarithm: {why}" + (
                                "; mode='auto' or 'exact' goes on exactly" if mode == CERTIFIED else "")))
    return _derive_float(H, h, C, dt, status, region, notes)


def _choice_text(status: str, paired, lifted) -> str:
    if status == "principal":
        return "principal logarithm: the unique real logarithm with eigenvalues in the strip |Im| < pi"
    parts = []
    if paired:
        parts.append("negative eigenvalues " + ", ".join(f"{p}" for p in paired) +
                     " paired into rotations by pi (their Jordan blocks come in equal pairs, Culver)")
    if lifted:
        parts.append("unpaired negative eigenvalues " + ", ".join(f"{v}" for v in lifted) +
                     " doubled in new coordinates (only the unpaired blocks); the other eigenvalues take the principal branch")
    return "; ".join(parts) or "principal branch on all other eigenvalues"


def _system(region, status, M, dt, L, U, N, resid, method, logarithm, notes, **exact) -> RegionSystem:
    """The RegionSystem of [L | U] (U = [g B]), with the maps G, P of a lift to N dimensions."""
    G, P = _lift_maps(M, N)
    return RegionSystem(region, status, M, float(dt), L=L, g=U[:, 0], B=U[:, 1:] if U.shape[1] > 1 else None, G=G,
                        P=P, residual=resid, method=method, logarithm=logarithm, notes=tuple(notes), **exact)


def _derive_float(H, h, C, dt, status, region, notes) -> RegionSystem:
    """One region in float: ``H``, ``h``, ``C`` sympy matrices or float arrays (``derive`` passes arrays)."""
    Hf = np.array(H.tolist(), dtype=float)
    M, dtf = Hf.shape[0], float(dt)
    dom = FloatDomain()
    try:
        res, T, U = region_log_system(Hf, h, C, status, dom)
    except LogError as exc:
        return RegionSystem(region, "undecided", M, dtf, method="float", notes=tuple(notes) + (str(exc),))
    X, N = res.X, res.X.shape[0]
    resid = dom.zoh_residual(X, U, res.htilde, T)
    _textbook(resid, X, Hf, T, M, N)
    if not max(resid["exp"], resid["affine"]) <= 1e-8 * max(1.0, float(np.abs(Hf).max())):
        why = (f"no float logarithm reproduces the step: residual {max(resid['exp'], resid['affine']):.1e} "
               "(a defective eigenvalue); try mode='exact' or 'certified'")
        return RegionSystem(region, "undecided", M, dtf, residual=resid, method="float", notes=(*notes, why))
    return _system(region, status, M, dtf, X / dtf, U / dtf, N, resid, "float",
                   _choice_text(status, res.paired, res.lifted), notes)


def _textbook(resid, X, Hf, T, M, N):
    """The textbook form g dt = L dt (H - I)^{-1} h, where 1 is not an eigenvalue (no lift)."""
    if N != M:
        return
    E = Hf - np.eye(M)
    if np.linalg.cond(E) < 1e12:
        resid["textbook_difference"] = float(np.abs(X @ np.linalg.solve(E, T[:, 0]) -
                                                    FloatDomain.phi1_solve(X, T[:, :1])[:, 0]).max())


def _is_rational(*mats) -> bool:
    return all(isinstance(x, sp.Rational) for m in mats if m is not None for r in m.tolist() for x in r)


def _squarefree_active(H: sp.MatrixBase) -> bool:
    """Whether every eigenvalue of a rational H is simple, apart from the exact eigenvalues of
    its unit-vector columns (which may repeat): exactly, from the characteristic polynomial of
    the remaining block over Q.  Then more bits always isolate the eigenvalues, so raising the
    precision is worth it; otherwise no number of bits will."""
    rows = H.tolist()
    Z = deflatable(rows)
    act = [j for j in range(H.rows) if j not in Z]
    if not act:
        return True
    S = flint.fmpq_mat(len(act), len(act), [flint.fmpq(int(rows[i][j].p), int(rows[i][j].q)) for i in act for j in act])
    p = S.charpoly()
    if p.gcd(p.derivative()).degree() > 0:
        return False
    return all(p(flint.fmpq(int(rows[i][i].p), int(rows[i][i].q))) != 0 for i in Z)


MAX_CERTIFIED_BITS = 1 << 13   # precision cap of the certified logarithm when more bits are proved to help


def _derive_ball(H, h, C, dt, status, region, digits, notes) -> RegionSystem:
    """The certified route: :func:`region_log_system` in balls, the precision raised until the enclosures of
    L and g are certified to ``digits`` digits; :class:`~plrnn_symbolic.region.reallog.NotCertified` when
    balls cannot do it."""
    M = H.rows
    prec = digits_to_bits(digits) + 64    # guard bits for the conditioning of the eigenbasis
    cap = None      # how far to raise the precision: decided (exactly) only when the first try fails
    while True:
        try:
            dom = BallDomain(prec)
            r, T, U = region_log_system(H, h, C, status, dom)
            balls = BallMatrix(dom.hstack(dom.over_dt(r.X, dt), dom.over_dt(U, dt)), prec)
            target = 10.0 ** -digits * max(1.0, float(np.abs(balls.mid()).max()))
            radius = balls.radius()
            if radius <= target:
                break
            last = f"enclosure radius {radius:.1e} at {prec} bits"
            # the radius shrinks about like 2^-prec: ask for the bits missing, with a margin
            missing = math.log2(radius / target) if 0 < radius < math.inf else prec
            following = min(2 * prec, prec + max(16, math.ceil(missing) + 16))
        except NotCertified as exc:
            last, following = str(exc), 2 * prec
        if cap is None:
            rational = _is_rational(H, h, C) and isinstance(sp.sympify(dt), sp.Rational)
            cap = MAX_CERTIFIED_BITS if rational and _squarefree_active(H) else 4 * prec
        if following > cap:
            raise NotCertified(f"no enclosure certified to {digits} digits up to {prec} bits ({last})")
        prec = following
    N = r.X.nrows()
    if (status == "principal") != r.principal or (status == "lifted") != bool(r.lifted):
        raise NotCertified(f"the eigenbasis gives {'principal' if r.principal else 'a rotation or lift'} "
                           f"where the predicates say {status}")
    Lf, Uf, resid = _float_view(balls, r.htilde, T, dt)
    resid["method"] = f"certified ({prec} bits)"
    if r.lifted:
        notes.append("lifted coordinates double a negative eigenvalue; their value in diag(W, lambda) is enclosed")
    return _system(region, status, M, dt, Lf, Uf, N, resid, f"certified ({digits} digits)",
                   _choice_text(status, r.paired, r.lifted) + " [certified eigenbasis]", notes,
                   dt_exact=sp.sympify(dt), enclosure=balls)


PREC_RESIDUAL = 96   # the float residuals are ~1e-16: 96 bits bound them tightly


def _float_view(balls: BallMatrix, Ht: flint.arb_mat, T: flint.arb_mat, dt):
    """The float L and [g B] a user holds (the rounded midpoints of ``balls``, which contain the
    true [L g B]) and rigorous bounds for them: ``exp`` >= |e^{L dt} - Ht| and ``affine`` >=
    |dt phi1(L dt)[g B] - T| for these floats, ``float_error`` >= their distance to the truth."""
    N = balls.shape[0]
    view = balls.mid()
    Lf, Uf = view[:, :N], view[:, N:]
    with working_precision(PREC_RESIDUAL):
        dtb = to_arb(sp.sympify(dt))
        resid = BallDomain(PREC_RESIDUAL).zoh_residual(flint.arb_mat(Lf.tolist()) * dtb,
                                                       flint.arb_mat(Uf.tolist()) * dtb, Ht, T)
    resid["enclosure_radius"] = balls.radius()
    resid["float_error"] = balls.float_error()
    resid["note"] = ("exp and affine bound |e^{L dt} - W| and |dt phi1(L dt)[g B] - [h C]| for the float L, g, B "
                     "returned; float_error bounds their distance to the true L, g, B (the enclosure, "
                     "rounding included)")
    return Lf, Uf, resid


def _derive_exact(H, h, C, dt, status, region) -> RegionSystem:
    """The exact route: sympy's closed forms (:mod:`~plrnn_symbolic.region.exactlog`), with the same
    rigorous residuals as the certified route, for the closed form and for its float rounding."""
    M = H.rows
    r = exact_real_log(sp.Matrix(H), status)
    X, Ht = r.X, r.Htilde
    N = X.rows
    K = 0 if C is None else C.cols
    T = sp.zeros(N, 1 + K)
    T[:M, 0] = sp.Matrix(h)
    if K:
        T[:M, 1:] = sp.Matrix(C)
    U = exact_beta_apply(X, Ht, T)
    dt = sp.sympify(dt)
    tidy = (lambda e: e) if X.free_symbols else sp.expand
    L_exact = (X / dt).applyfunc(tidy)
    g_exact = (U[:, 0] / dt).applyfunc(tidy)
    B_exact = (U[:, 1:] / dt).applyfunc(tidy) if K else None
    exact = {"L_exact": L_exact, "g_exact": g_exact, "B_exact": B_exact}
    if X.free_symbols:
        G, P = _lift_maps(M, N)
        resid = {"method": "symbolic", "note": "identities checked in proofs/01 and proofs/02"}
        return RegionSystem(region, status, M, dt, None, None, None, G, P, residual=resid, method="exact",
                            logarithm=r.route, **exact)
    dom = BallDomain(256)
    with dom.working():
        Xb = flint.arb_mat(N, N, [to_arb(x) for x in X])
        Ub = flint.arb_mat(N, 1 + K, [to_arb(x) for x in U])
        Hb = flint.arb_mat(N, N, [to_arb(x) for x in Ht])
        Tb = flint.arb_mat(N, 1 + K, [to_arb(x) for x in T])
        closed = dom.zoh_residual(Xb, Ub, Hb, Tb)
        dtb = to_arb(dt)
        balls = BallMatrix.of(flint.arb_mat(N, N + 1 + K, [
            (Xb[i, j] if j < N else Ub[i, j - N]) / dtb for i in range(N) for j in range(N + 1 + K)]))
    Lf, Uf, resid = _float_view(balls, Hb, Tb, dt)
    resid.update(method="exact", closed_form_exp=closed["exp"], closed_form_affine=closed["affine"])
    resid["note"] += ("; closed_form_exp and closed_form_affine bound the same for the exact closed form, "
                      "evaluated in 256-bit balls")
    return _system(region, status, M, dt, Lf, Uf, N, resid, "exact",
                   _choice_text(status, [(v, k) for v, k, _ in r.paired], [v for v, _ in r.lifted]) +
                   f" [{r.route}]", (), dt_exact=dt, enclosure=balls, **exact)


# ---- the continuous-time model ------------------------------------------------------------------
@dataclass(frozen=True)
class ContinuousPLRNN(ByRegion):  # the mapping region -> RegionSystem it holds
    """The continuous-time counterpart of a PLRNN: one :class:`RegionSystem` per region."""

    _by_region = "systems"

    model: PLRNN
    systems: dict[str, RegionSystem]
    mode: str
    visited: dict | None = None     # z0, steps, burn_in of a "visited" selection (sweep.visited_record)

    def to_frame(self):
        """A ``pandas.DataFrame``, one row per region (index ``region``): status, dimension, method,
        the residual bounds |e^(L dt) - W_Omega| and |dt phi1(L dt) g - h|, and the largest real part
        of the eigenvalues of L (needs the ``frames`` extra).

        Examples
        --------
        >>> from plrnn_symbolic import derive, example
        >>> df = derive(example("chaotic"), mode="float").to_frame()
        >>> len(df), int((df["status"] == "lifted").sum()), int((df["dimension"] == 6).sum())
        (32, 11, 11)
        """
        from ..core.frames import frame

        rows = []
        for bits, s in self.systems.items():
            rows.append({"region": bits, "status": s.status, "dimension": s.dimension, "method": s.method,
                         "residual_exp": s.residual.get("exp"), "residual_affine": s.residual.get("affine"),
                         "max_re_mu": float(np.linalg.eigvals(s.L).real.max()) if s.derived else None})
        return frame(rows, index="region")

    def system(self, bits: str) -> RegionSystem:
        """The system of region ``bits``, derived (in this object's mode) on first use and kept."""
        if bits not in self.systems:
            self.systems[bits] = derive(self.model, [bits], mode=self.mode)[bits]
        return self.systems[bits]

    def prefetch(self, regions: Iterable[str]) -> None:
        """Derive the regions not yet derived in one call (float derive batches them)."""
        todo = [b for b in dict.fromkeys(regions) if b not in self.systems]
        if todo:
            self.systems.update(derive(self.model, todo, mode=self.mode).systems)

    def system_at(self, z) -> RegionSystem:
        """The system of the region that contains the state ``z``."""
        return self.system(region_of(z, self.model))

    def vector_field(self, z, s=None) -> np.ndarray:
        """dz/dt at the M-dimensional state z (regions without a lift)."""
        sysm = self.system_at(z)
        if not sysm.derived or sysm.dimension != self.model.M:
            raise NoResult(f"region {sysm.region} has status {sysm.status}: no {self.model.M}-dimensional vector field")
        return sysm.field(z, s)

    def as_continuous_plrnn(self, tol: float = 1e-9):
        """(A~, W~, h~) if every region is L = A~ + W~ D, g = h~ (a continuous PLRNN), else None.

        Needs all 2^M regions derived without a lift.
        """
        M = self.model.M
        if len(self.systems) != 2**M or any(s.dimension != M or not s.derived for s in self.systems.values()):
            return None
        At = self.systems["0" * M].L
        ht = self.systems["0" * M].g
        Wt = np.zeros((M, M))
        for j in range(M):
            bits = "".join("1" if i == j else "0" for i in range(M))
            Wt[:, j] = self.systems[bits].L[:, j] - At[:, j]
        for bits, s in self.systems.items():
            D = np.diag([float(b) for b in bits])
            if np.abs(s.L - (At + Wt @ D)).max() > tol or np.abs(s.g - ht).max() > tol:
                return None
        return At, Wt, ht

    def to_dict(self) -> dict[str, Any]:
        counts = {k: 0 for k in STATUSES}
        for s in self.systems.values():
            counts[s.status] += 1
        return {"model": {"M": self.model.M, "K": self.model.K, "dt": str(self.model.dt), "name": self.model.name},
                "mode": self.mode, "visited": self.visited, "summary": counts,
                "regions": {b: s.to_dict() for b, s in self.systems.items()}}


PARALLEL_MIN_REGIONS = 256   # derive: every usable core from this many regions by default (5-15 ms each)


def _derive_state(model: PLRNN, mode: str, digits: int) -> tuple:
    # the float batch and numpy region matrices serve PLRNNs (one h for every region)
    return model, mode, digits, RegionMatrices(model) if mode == FLOAT and isinstance(model, PLRNN) else None


def _derive_chunk(state: tuple, chunk: list) -> list[RegionSystem]:
    model, mode, digits, mats = state
    if mats is not None:   # float PLRNN, regions with a system: numpy region matrices (derive_region's float branch)
        num = model.numeric
        return [_derive_float(mats.float(bits), num.h, num.C, model.dt, status_of(statuses), bits, [])
                for bits, statuses, _ in chunk]
    out = [derive_region(*region_affine(model, bits), model.C, model.dt, statuses, mode, digits, bits,
                         method) for bits, statuses, method in chunk]
    if isinstance(model, PLRNN):
        return out
    E = sp.ImmutableMatrix(sp.Matrix.hstack(model.W2, model.h2))
    return [dataclasses.replace(s, exits=(E, tuple(1 if x else -1 for x in model.pattern(s.region)))) for s in out]


FLOAT_BATCH = 4096   # regions per batched eigendecomposition in float mode (bounds the memory of the stacks)
# float regions the batch leaves take 0.3-2 ms each, so worker processes rarely repay their start and the
# pickled systems (measured: 4096 lifted regions, 1.31 s in one process, 1.53 s on two): by default one
FLOAT_PARALLEL_MIN_REGIONS = 2**16


def _derive_float_sweep(model: PLRNN, items: list, workers: int | None, bar, scheduler=None) -> list[RegionSystem]:
    """Float ``derive`` without sympy: the principal regions in batches (:func:`floatderive.principal_batch`),
    the ones the batch leaves (negative eigenvalues, ill-conditioned eigenvectors) by ``_derive_float``
    one by one, as before; regions without a system get derive_region's answer, built once per status."""
    state = _derive_state(model, FLOAT, 0)
    mats, num = state[3], model.numeric
    M, dtf, K = model.M, float(model.dt), model.K
    T = FloatDomain.targets(num.h, num.C, M)
    kinds = [status_of(statuses) for _, statuses, _ in items]
    out: list[RegionSystem | None] = [None] * len(items)
    text = _choice_text("principal", [], [])
    for k in range(0, len(items), FLOAT_BATCH):
        part = items[k:k + FLOAT_BATCH]
        b = principal_batch(mats.float_batch([bits for bits, _, _ in part]), T,
                            [kind == "principal" for kind in kinds[k:k + FLOAT_BATCH]])
        for i in np.flatnonzero(b.ok).tolist():
            resid = {"exp": float(b.exp[i]), "affine": float(b.affine[i]), "method": "float"}
            if not np.isnan(b.textbook[i]):
                resid["textbook_difference"] = float(b.textbook[i])
            G, P = _lift_maps(M, M)
            out[k + i] = RegionSystem(part[i][0], "principal", M, dtf, L=b.X[i] / dtf, g=b.U[i, :, 0] / dtf,
                                      B=b.U[i, :, 1:] / dtf if K else None, G=G, P=P, residual=resid,
                                      method="float", logarithm=text)
        if bar is not None:
            bar.update(int(b.ok.sum()))
    # no system (singular, undecided): the answer depends on the status and the deciding method only
    templates: dict[tuple, RegionSystem] = {}
    for j, (bits, statuses, method) in enumerate(items):
        if kinds[j] in ("impossible", "undecided"):
            key = (kinds[j], method)
            if key not in templates:
                templates[key] = derive_region(*region_affine(model, bits), model.C, model.dt, statuses,
                                               FLOAT, 0, bits, method)
            out[j] = dataclasses.replace(templates[key], region=bits)
            if bar is not None:
                bar.update()
    rest = [j for j, s in enumerate(out) if s is None]
    n = parallel.workers(workers, len(rest), FLOAT_PARALLEL_MIN_REGIONS)
    systems = None
    if scheduler is not None and rest:
        systems = backend(_derive_state, (model, FLOAT, 0), workers, scheduler).map(
            _derive_chunk, [items[j] for j in rest])
    elif n > 1:
        try:
            systems = parallel.Pool(_derive_state, (model, FLOAT, 0), n).map(_derive_chunk, [items[j] for j in rest])
        except (OSError, NotImplementedError):  # no process pools on this system: derive in this process
            systems = None
    if systems is None and rest:
        with one_blas_thread():
            systems = _derive_chunk(state, [items[j] for j in rest])
    for j, s in zip(rest, systems or ()):
        out[j] = s
    if bar is not None:
        bar.update(len(rest))
        bar.close()
    return out


def _derive_regions(model: PLRNN, mode: str, digits: int, items: list, workers: int | None, bar,
                    scheduler=None) -> list:
    """Exact, certified and auto derive, region by region (on every usable core from
    ``PARALLEL_MIN_REGIONS`` regions on, unless ``workers`` says otherwise; on a Dask
    cluster when a ``scheduler`` is given)."""
    if scheduler is not None:
        return backend(_derive_state, (model, mode, digits), workers, scheduler).map(_derive_chunk, items, bar)
    n = parallel.workers(workers, len(items), PARALLEL_MIN_REGIONS)
    if n > 1:
        try:
            return parallel.Pool(_derive_state, (model, mode, digits), n).map(_derive_chunk, items, bar)
        except (OSError, NotImplementedError):  # no process pools on this system: derive in this process
            pass
    state = _derive_state(model, mode, digits)
    systems = []
    with threadpool_limits(1):   # small matrices: extra BLAS threads only stall on a busy machine
        for item in items:
            systems += _derive_chunk(state, [item])
            bar.update()
    bar.close()
    return systems


def derive(model: PLRNN, regions: str | Iterable[str] = "all", mode: str = AUTO, digits: int = 30, *, z0=None,
           steps: int | None = None, burn_in: int = 0, inputs=None, max_regions: int = MAX_REGIONS,
           progress: bool = False, workers: int | None = None, scheduler=None) -> ContinuousPLRNN:
    """Derive the continuous-time system of each region.

    Parameters
    ----------
    model : PLRNN
    regions : "all", "visited" or list of bit strings
    mode : "auto" (default), "exact", "certified" or "float"
        certified: the logarithm of the region matrix itself, enclosed in FLINT balls
        through a rigorous eigenbasis and certified to ``digits`` digits (``enclosure``
        holds the balls; the float L, g, B are their rounded midpoints, with rigorous
        bounds in ``residual``), "undecided" where balls cannot separate the eigenvalues;
        auto: certified, and exact closed forms where the balls cannot (repeated or
        defective eigenvalues); exact: sympy closed forms where they exist (1 x 1, 2 x 2,
        rational spectra, block-triangular), else certified and said so in ``notes``;
        float: numpy/scipy, labelled as such, without sympy: the principal regions in one
        batched eigendecomposition (:func:`plrnn_symbolic.region.floatderive.principal_batch`),
        the others (negative eigenvalues, ill-conditioned eigenvectors) one by one.
    digits : int
        Digits for certified and auto mode.
    workers : int, optional
        Processes for the region loop (and the check before it).  By default
        every usable core from ``PARALLEL_MIN_REGIONS`` regions on, else one
        (float mode: from ``FLOAT_PARALLEL_MIN_REGIONS`` regions left by the batch);
        the systems are the same for any number.  With a ``scheduler``: how many of
        the cluster's workers to use (default all).
    scheduler : str or distributed.Client, optional
        Derive (and check) the regions on a Dask cluster: its scheduler's address or a
        client (the ``dask`` extra); the systems are the same as the local ones.

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> m = PLRNN(A=[[0.5, 0], [0, -0.5]], W=[[0, 0], [0, 0]], h=[1, 0])
    >>> c = derive(m, regions=["00"], mode="exact")
    >>> c["00"].status, c["00"].dimension, c["00"].L_exact
    ('lifted', 3, Matrix([
    [-log(2),       0,       0],
    [      0, -log(2),     -pi],
    [      0,      pi, -log(2)]]))
    >>> c["00"].g_exact.T
    Matrix([[2*log(2), 0, 0]])
    >>> a = derive(m, regions=["00"])          # auto: certified balls, exact where they cannot decide
    >>> a["00"].method, a["00"].residual["enclosure_radius"] < 1e-30, np.allclose(a["00"].L, c["00"].L)
    ('certified (30 digits)', True, True)
    """
    check_mode(mode)
    if digits < 1:
        raise InputError("digits must be >= 1")
    if isinstance(regions, str) and regions == "all" and model.n_candidates <= max_regions:
        from .sweep import guard_sweep  # refused before the 2^M names are built when they would not fit

        guard_sweep(model, mode, parallel.workers(workers, model.n_candidates, PARALLEL_MIN_REGIONS), derive=True)
    names = select_regions(model, regions, z0=z0, steps=steps, burn_in=burn_in, inputs=inputs,
                           max_regions=max_regions)
    if mode == AUTO and model.is_symbolic:
        mode = EXACT
    report = check(model, names, mode, precision=max(53, digits_to_bits(digits)) if mode in (CERTIFIED, AUTO) else 53,
                   workers=workers, scheduler=scheduler if mode != FLOAT else None)
    statuses = report.statuses()   # without rebuilding the witnesses of a parallel sweep
    # (region, statuses, the method that decided them where no system is derived: rebuilt only there)
    items = [(bits, statuses[bits], report[bits].method if status_of(statuses[bits]) in ("impossible", "undecided")
              else None) for bits in names]
    bar = tqdm(total=len(names), desc=f"derive ({mode})", unit="region", file=sys.stderr, leave=False,
               disable=None if progress and len(names) >= 16 else True)
    if mode == FLOAT and isinstance(model, PLRNN):
        systems = _derive_float_sweep(model, items, workers, bar, scheduler)
    else:
        systems = _derive_regions(model, mode, digits, items, workers, bar, scheduler)
    from .sweep import visited_record

    return ContinuousPLRNN(model, dict(zip(names, systems)), mode,
                           visited_record(model, regions, z0, steps, burn_in, inputs))


def discretize(A_c, W_c, h_c, dt: float = 1.0, regions: Iterable[str] | None = None, *,
               exact: bool = False) -> dict[str, tuple]:
    """The time-dt region maps of a continuous PLRNN dz/dt = A~ z + W~ relu(z) + h~
    (THEORY section 7): H = e^{L dt}, h = dt phi1(L dt) h~ with L = A~ + W~ D, both read
    off one exponential of the augmented matrix [[L dt, h~ dt], [0, 0]]
    (proofs/02_affine_term_zoh.tex, Theorem 2.4).  ``exact=True`` computes it with
    sympy (closed forms in exp of the eigenvalues; meant for small M), else floats.

    >>> H, h = discretize([[-1]], [[0]], [1], dt=sp.Rational(1, 2), exact=True)["0"]
    >>> H, h
    (Matrix([[exp(-1/2)]]), Matrix([[1 - exp(-1/2)]]))

    >>> H, h = discretize([[-1.0]], [[0.0]], [1.0], dt=0.5)["0"]
    >>> np.allclose([H[0, 0], h[0]], [np.exp(-0.5), 1 - np.exp(-0.5)])
    True
    """
    from ..model.regions import all_regions

    if exact:
        model = PLRNN(A_c, W_c, h_c, dt=dt)   # exact conversion and validation of the weights
        M, dts = model.M, model.dt
        out = {}
        for bits in regions or all_regions(M):
            L = model.A + model.W * sp.diag(*[int(b) for b in bits])
            aug = sp.zeros(M + 1, M + 1)
            aug[:M, :M] = L * dts
            aug[:M, M] = model.h * dts
            E = aug.exp().applyfunc(sp.simplify)
            out[bits] = (E[:M, :M], E[:M, M])
        return out
    A_c, W_c, h_c = (np.asarray(x, dtype=float) for x in (A_c, W_c, h_c))
    M = A_c.shape[0]
    if dt <= 0:
        raise InputError("dt must be > 0")
    out = {}

    for bits in regions or all_regions(M):
        L = A_c + W_c * np.array([float(b) for b in bits])[None, :]
        aug = np.zeros((M + 1, M + 1))
        aug[:M, :M] = L * dt
        aug[:M, M] = h_c * dt
        E = scipy.linalg.expm(aug)
        out[bits] = (E[:M, :M], E[:M, M])
    return out


__all__ = ["STATUSES", "ContinuousPLRNN", "RegionSystem", "augmented", "derive", "derive_region", "discretize",
           "region_log_system", "status_of"]
