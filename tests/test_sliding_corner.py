"""Sliding on two switching surfaces at once (proofs/05_trajectory_equivalence.tex, Definition 5.21 and
Remark 5.22): the bilinear equivalent control against closed forms and exact rational solutions, the
motion on the intersection and its end against closed forms, and the stops where the control is not
unique.  The region systems are given (``simulate(..., systems=...)``), with fields chosen in closed form."""

import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import plrnn_symbolic as ps
from plrnn_symbolic.analysis.simulation import canopy_field, equivalent_controls, simulate
from plrnn_symbolic.analysis.simulation.sliding import corner_attraction
from plrnn_symbolic.analysis.transform import RegionSystem

KAPPA, C = 1.3, 0.5
N12 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def _system(bits, L, g):
    return RegionSystem(bits, "ok", 3, 1.0, L=np.array(L, dtype=float), g=np.array(g, dtype=float), G=np.eye(3),
                        P=np.eye(3))


def _model():
    """Any 3-unit PLRNN: its autonomous system here runs on the given region systems (z3 > 0 throughout)."""
    return ps.PLRNN(A=[["0.5", 0, 0], [0, "0.5", 0], [0, 0, "0.5"]], W=[[0, 0, 0]] * 3, h=[0, 0, 0])


def _systems(f00, f01, f10, f11, L10=None):
    """Regions 001, 011, 101, 111 (unit 1 first) with the fields f_d(z) = L_d z + g_d."""
    Z = np.zeros((3, 3))
    return {"001": _system("001", Z, f00), "011": _system("011", Z, f01),
            "101": _system("101", Z if L10 is None else L10, f10), "111": _system("111", Z, f11)}


def _exact_controls(a, b):
    """The solutions in [0, 1]^2 of the two bilinear equations with rational coefficients, by sympy."""
    u1, u2 = sp.symbols("u1 u2")

    def E(c):
        return ((1 - u1) * ((1 - u2) * c[0][0] + u2 * c[0][1]) + u1 * ((1 - u2) * c[1][0] + u2 * c[1][1]))

    sols = sp.solve([E(a), E(b)], [u1, u2], dict=True)
    out = []
    for s in sols:
        x, y = complex(s[u1]), complex(s[u2])
        if abs(x.imag) < 1e-12 and abs(y.imag) < 1e-12 and 0 <= x.real <= 1 and 0 <= y.real <= 1:
            out.append((x.real, y.real))
    return sorted(out)


def test_the_equivalent_control_against_exact_solutions():
    rng = np.random.default_rng(7)
    seen = {1: 0, 2: 0}
    for _ in range(300):
        q = [[[Fraction(int(x), 10) for x in rng.integers(-30, 31, 2)] for _ in range(2)] for _ in range(2)]
        fields = [[[float(v[0]), float(v[1]), 0.0] for v in row] for row in q]
        exact = _exact_controls([[v[0] for v in row] for row in q], [[v[1] for v in row] for row in q])
        us = equivalent_controls(fields, N12)
        assert us is not None
        got = sorted(tuple(u) for u in us)
        assert len(got) == len(exact)
        for u, e in zip(got, exact, strict=True):
            assert np.allclose(u, e, atol=1e-10)
            F = canopy_field(fields, u)
            assert abs(F[0]) < 1e-10 and abs(F[1]) < 1e-10
        if len(got) in seen:
            seen[len(got)] += 1
    assert seen[1] > 10 and seen[2] > 0        # both kinds were drawn


def test_canopy_weights_and_a_closed_form_control():
    """Constant fields with n1 components (1, 1, -1, -1 - 3 s) and n2 components (2, -1, 2, -1): u2 = 2/3 for
    every s, and u1 = 3 / (6 + 3 s) from (1 - u1) - u1 (1 + 2 (1 + 3 s) / 3) ... in closed form below."""
    for s in (0.0, 0.5, 2.0):
        a11 = -1 - 3 * s
        f = [[[1, 2, 0], [1, -1, 0]], [[-1, 2, 0], [a11, -1, 0]]]
        (u,) = equivalent_controls(f, N12)
        u1 = 1 / (1 - (-1 + 2 * a11) / 3)        # (1 - u1) + u1 (a10 + 2 a11) / 3 = 0 with u2 = 2/3
        assert np.allclose(u, [u1, 2 / 3], atol=1e-14)
        assert corner_attraction(f, N12) is None


def test_the_motion_on_the_intersection_and_its_end_match_the_closed_form():
    """From (-0.1, -0.1, 1): region 001 (field (1, 2, C)) reaches z2 = 0 at t = 0.05, slides on it with
    (1, 0, C) to z1 = 0 at t = 0.1, then on both with z3 = 1 + C t while the sliding field on unit 2 = 0
    beyond unit 1 = 0, n1 component (kappa z3 - 3) / 3, points back; at z3 = 3 / kappa
    (t* = 2 (3 / kappa - 1)) it turns, the control of unit 1 reaches 1, and the state leaves into z1 > 0,
    sliding on unit 2 = 0 with z1 = kappa C (t - t*)^2 / 6."""
    L10 = np.zeros((3, 3))
    L10[0, 2] = KAPPA
    systems = _systems([1, 2, C], [1, -1, C], [-1, 2, C], [-1, -1, C], L10)
    r = simulate(_model(), 4, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    assert not r.sliding and len(r.sliding_segments) == 3
    first, corner, last = r.sliding_segments
    ts = 2 * (3 / KAPPA - 1)
    assert abs(first.start_time - 0.05) < 1e-12 and abs(first.end_time - 0.1) < 1e-12
    assert corner.surfaces == (2, 1) and corner.label == "unit 2 and unit 1" and len(corner.regions) == 4
    assert abs(corner.start_time - 0.1) < 1e-12 and abs(corner.end_time - ts) < 1e-10
    assert "the control of unit 1 = 0 reached 1" in corner.end and "between regions 101 and 111" in corner.end
    assert corner.method.startswith("float: DOP853") and "equivalent-control" in corner.method
    assert "Lemma 5.23" not in corner.method          # region 101's field, n1 component -1 + 1.3 * 1.05, points out
    t, Z = corner.samples()
    assert len(t) >= 8 and np.all(Z[:, :2] == 0)
    assert np.abs(Z[:, 2] - (1 + C * t)).max() < 1e-10
    assert last.regions == ("101", "111") and abs(last.start_time - ts) < 1e-10
    for n in (1, 2):
        assert r.autonomous[n][0] == r.autonomous[n][1] == 0 and abs(r.autonomous[n][2] - (1 + C * n)) < 1e-10
    for n in (3, 4):
        assert abs(r.autonomous[n][0] - KAPPA * C * (n - ts) ** 2 / 6) < 1e-10
        assert abs(r.autonomous[n][1]) < 1e-300 and abs(r.autonomous[n][2] - (1 + C * n)) < 1e-10
    d = json.loads(json.dumps(r.to_dict(details=False)))
    assert d["sliding_segments"][1]["surfaces"] == [2, 1] and d["sliding_segments"][0]["surfaces"] == [2]
    assert "slides on unit 2 and unit 1 = 0 between regions 001, 101, 011 and 111" in r.summary()


def test_reaching_the_corner_with_both_units_at_once():
    """From (-0.1, -0.1, 1) with field (1, 1, C) both units cross at t = 0.1 into region 111, whose field
    points back across both; the four fields (1, 1), (1, -1), (-1, 1), (-1, -1) give u = (1/2, 1/2),
    F = (0, 0, C): the state stays at z1 = z2 = 0 with z3 = 1 + C t."""
    systems = _systems([1, 1, C], [1, -1, C], [-1, 1, C], [-1, -1, C])
    r = simulate(_model(), 3, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    assert not r.sliding and len(r.sliding_segments) == 1
    sg = r.sliding_segments[0]
    assert sg.surfaces == (1, 2) and abs(sg.start_time - 0.1) < 1e-12 and sg.end.startswith("still sliding")
    assert sg.method.endswith("so the control there is unique (Lemma 5.23)")      # every field points in
    for n in (1, 2, 3):
        assert r.autonomous[n][0] == r.autonomous[n][1] == 0 and abs(r.autonomous[n][2] - (1 + C * n)) < 1e-12


def test_two_equivalent_controls_stop_the_run_with_the_reason():
    """Fields whose bilinear equations have two solutions in the open box (checked here against sympy):
    the autonomous trajectory reaches the corner with both units at once and stops, saying so."""
    k = 30 / 17                                   # the n1 components scaled: the same controls
    f00, f01, f10, f11 = [1.7 * k, 3.0], [-0.1 * k, -1.2], [0.5 * k, -0.8], [-2.3 * k, -0.1]
    exact = _exact_controls([[Fraction(17, 10), Fraction(-1, 10)], [Fraction(5, 10), Fraction(-23, 10)]],
                            [[Fraction(3), Fraction(-12, 10)], [Fraction(-8, 10), Fraction(-1, 10)]])
    assert len(exact) == 2 and all(0 < x < 1 for u in exact for x in u)
    systems = _systems(f00 + [C], f01 + [C], f10 + [C], f11 + [C])
    r = simulate(_model(), 2, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    assert not r.sliding_segments and len(r.sliding) == 1
    ev = r.sliding[0]
    assert ev.units == (1, 2) and "2 solution(s) in the open box" in ev.reason and "not unique" in ev.reason
    assert abs(ev.time - 0.1 / 3) < 1e-12 and np.isnan(r.autonomous[-1]).all()


def test_a_corner_that_does_not_attract_is_a_stop():
    """A unique control in the open box, but on the negative side of unit 1 the sliding field on unit 2 = 0
    (fields (1, 1) and (-1.7, -1.1): n1 component (-1.7 + 1.1) / 2.1 < 0) points away from unit 1 = 0, and
    so does region 011's field: the intersection does not hold the state, and the run stops saying so."""
    f = [[[1, 1, C], [-1.7, -1.1, C]], [[1.2, 0.3, C], [-1, -1, C]]]
    assert len(equivalent_controls(f, N12)) == 1 and corner_attraction(f, N12)[:2] == (0, 0)
    systems = _systems(f[0][0], f[0][1], f[1][0], f[1][1])
    r = simulate(_model(), 2, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    assert not r.sliding_segments and len(r.sliding) == 1
    ev = r.sliding[0]
    assert "does not attract" in ev.reason and "negative side of unit 1 = 0" in ev.reason


@pytest.mark.parametrize("bad", ["flip", "weights"])
def test_the_checks_catch_a_wrong_canopy(bad):
    """Mutations of the bilinear weights are caught by the exact solutions (the test above's route)."""
    f = [[[1.7, 3.0, 0], [-0.1, -1.2, 0]], [[0.5, -0.8, 0], [-2.3, -0.1, 0]]]
    exact = _exact_controls([[Fraction(17, 10), Fraction(-1, 10)], [Fraction(5, 10), Fraction(-23, 10)]],
                            [[Fraction(3), Fraction(-12, 10)], [Fraction(-8, 10), Fraction(-1, 10)]])
    g = [[f[1][1], f[1][0]], [f[0][1], f[0][0]]] if bad == "flip" else [[f[0][0], f[1][0]], [f[0][1], f[1][1]]]
    got = sorted(tuple(u) for u in equivalent_controls(g, N12))
    assert not (len(got) == len(exact) and all(np.allclose(u, e, atol=1e-8) for u, e in zip(got, exact, strict=True)))
