"""Identities used in proofs/05_trajectory_equivalence.tex.

Run:  python proofs/check_05_trajectory_equivalence.py   (see _checks.py)

The example model (M = 2, dt = 1/2) has all four kinds of region matrix: a
multiple of I (region 00), two Jordan blocks (10, 01) and a complex pair (11).
Its numeric route integrates the region ODEs with mpmath's Taylor-series ODE
solver, with L = mpmath.logm(W_Omega)/dt, independently of the closed forms.
"""

from __future__ import annotations

import itertools

import mpmath
import sympy as sp
from _checks import Claim, NumericRoute, Suite, reduce_numeric_logs
from _matfun import (
    beta,
    matrix_function,
    phi1,
    to_mp,
    x,
)

suite = Suite("05_trajectory_equivalence")

R = sp.Rational
A = sp.diag(R(9, 10), R(9, 10))
W = sp.Matrix([[0, -R(1, 2)], [R(1, 2), 0]])
H_BIAS = sp.Matrix([R(1, 10), -R(1, 5)])
C_IN = sp.Matrix([R(1, 3), -R(1, 4)])
DT = R(1, 2)
Z0 = sp.Matrix([R(1, 2), -R(1, 3)])
INPUTS = [1, -2, -2, 2, 0]  # visits regions 10, 10, 11, 01, 00


def region(z: sp.Matrix) -> tuple[int, ...]:
    """d_i = 1 iff z_i > 0 (z_i = 0 belongs to d_i = 0)."""
    return tuple(1 if v > 0 else 0 for v in z)


def region_matrix(d) -> sp.Matrix:
    return A + W * sp.diag(*d)


def plrnn_step(z: sp.Matrix, s) -> sp.Matrix:
    relu = z.applyfunc(lambda v: sp.Max(v, 0))
    return A * z + W * relu + H_BIAS + C_IN * s


def region_flow(d, z: sp.Matrix, bias: sp.Matrix, wrong: bool = False) -> sp.Matrix:
    """Time-dt flow of dz/dt = L z + g with L dt = Log W_d, g dt = beta(L dt) bias:
    e^{L dt} z + phi1(L dt) g dt, each factor a primary function of W_d."""
    H = region_matrix(d)
    E = matrix_function(sp.exp(sp.log(x)), H)
    P = matrix_function(phi1(sp.log(x)), H)
    B = sp.eye(2) if wrong else matrix_function(beta(sp.log(x)), H)
    return E * z + P * (B * bias)


def ode_flow(d, z, g, t_end):
    """Numeric route: integrate dz/dt = L z + g, L = logm(W_d)/dt, over [0, t_end]."""
    L = mpmath.logm(to_mp(region_matrix(d), {})) / t_end
    sol = mpmath.odefun(lambda t, y: list(L * mpmath.matrix(y) + g), 0, list(z))
    return mpmath.matrix(sol(t_end))


def g_closed_form(d, bias: sp.Matrix, dt: sp.Expr) -> sp.Matrix:
    return matrix_function(beta(sp.log(x)), region_matrix(d)) * bias / dt


@suite.identity("plrnn_equals_region_map_on_closure", "Lemma 5.1")
def _(wrong):
    """M = 3, generic A (diagonal), W, h: on the closure of region d (z_i >= 0
    where d_i = 1, z_i <= 0 where d_i = 0) relu(z) = D z and
    A z + W relu(z) + h = W_d z + h."""
    m = 3
    Ad = sp.diag(*sp.symbols("a1:4", real=True))
    Wg = sp.Matrix(m, m, sp.symbols("w1:10", real=True))
    h = sp.Matrix(sp.symbols("h1:4", real=True))
    residuals = []
    for d in itertools.product((0, 1), repeat=m):
        z = sp.Matrix([
            sp.Symbol(f"z{i}_{''.join(map(str, d))}", nonnegative=True) if di
            else sp.Symbol(f"z{i}_{''.join(map(str, d))}", nonpositive=True)
            for i, di in enumerate(d)
        ])
        D = sp.diag(*d)
        relu = z.applyfunc(lambda v: sp.Max(v, 0))
        Dz = (sp.eye(m) - D) * z if wrong else D * z
        residuals += [relu - Dz, Ad * z + Wg * relu + h - ((Ad + Wg * D) * z + h)]
    return residuals


@suite.identity("region_maps_agree_on_shared_faces", "Lemma 5.1")
def _(wrong):
    """Regions d, d' differing only in unit i: W_d z = W_d' z on z_i = 0 (the
    piecewise affine map is continuous)."""
    m = 3
    Ad = sp.diag(*sp.symbols("a1:4", real=True))
    Wg = sp.Matrix(m, m, sp.symbols("w1:10", real=True))
    z = sp.Matrix(sp.symbols("z1:4", real=True))
    residuals = []
    for d in itertools.product((0, 1), repeat=m):
        for i in range(m):
            if d[i]:
                e = list(d)
                e[i] = 0
                on_face = z.subs(z[i], 1 if wrong else 0)
                residuals.append((Ad + Wg * sp.diag(*d)) * on_face - (Ad + Wg * sp.diag(*e)) * on_face)
    return residuals


for _d in itertools.product((0, 1), repeat=2):

    @suite.identity(f"region_flow_reproduces_step_{''.join(map(str, _d))}", "Corollary 1.5, Theorem 5.5")
    def _(wrong, d=_d):
        z = sp.Matrix(sp.symbols("z1:3", real=True))
        b = sp.Matrix(sp.symbols("b1:3", real=True))  # h + C s, held over the step
        H = region_matrix(d)
        symbolic = region_flow(d, z, b, wrong) - (H * z + b)
        dt = sp.Symbol("dt", positive=True)
        g = (b if wrong else matrix_function(beta(sp.log(x)), H) * b) / dt

        def evaluate(point):
            zn, gn = to_mp(z, point), to_mp(g, point)
            target = to_mp(H * z + b, point)
            return [ode_flow(d, zn, gn, point[dt]) - target]

        route = NumericRoute(frozenset(z.free_symbols | b.free_symbols | {dt}), evaluate)
        return Claim(symbolic, domains={dt: (R(1, 4), 2)}, cross=route)


def discrete_orbit() -> list[sp.Matrix]:
    orbit = [Z0]
    for s in INPUTS:
        orbit.append(plrnn_step(orbit[-1], s))
    return orbit


@suite.identity("sample_and_hold_orbit", "Theorem 5.7")
def _(wrong):
    """The hybrid system (region latched at each sample time, input held) hits
    the discrete orbit exactly at every sample time, with no condition; the
    input matrix is B = beta(L dt) C / dt like g."""
    orbit = discrete_orbit()
    hybrid = [Z0]
    for n, s in enumerate(INPUTS):
        last = n == len(INPUTS) - 1  # the mutation spoils the last step only
        flow = region_flow(region(hybrid[-1]), hybrid[-1], H_BIAS + C_IN * s, wrong and last)
        hybrid.append(flow.applyfunc(reduce_numeric_logs))
    symbolic = [hz - oz for hz, oz in zip(hybrid, orbit, strict=True)]

    def evaluate(point):
        z = to_mp(Z0, {})
        out = []
        for n, s in enumerate(INPUTS):
            d = region(list(z))
            g = to_mp(g_closed_form(d, H_BIAS + C_IN * s, DT), {})
            z = ode_flow(d, z, g, mpmath.mpf(DT.p) / DT.q)
            out.append(z - to_mp(orbit[n + 1], {}))
        return out

    return Claim(symbolic, cross=NumericRoute(frozenset(), evaluate))


if __name__ == "__main__":
    suite.main()
