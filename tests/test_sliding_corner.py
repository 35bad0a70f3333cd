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


# ---- the ball-arithmetic enclosure of the motion on two surfaces and the bracket of its end -------------------
# (proofs/05_trajectory_equivalence.tex, Propositions 5.26 and 5.27), against an independent route: on z1 = z2 = 0
# the motion reduces to z3' = g(z3) = F_3(u(z3)), so its time is t(z3) = int_1^z3 dz / g(z) (mpmath.quad at 40
# digits) with u solved from the two bilinear equations by mpmath.findroot, with no quadratic formula and no
# integrator; the end z3* (u1 = 1) again by findroot.
def _col3(a, b, c):
    L = np.zeros((3, 3))
    L[:, 2] = [a, b, c]
    return L


BENT = {"001": (_col3(0.25, -0.375, 0.0), [1.0, 2.0, 0.5]),       # every field depends on z3: u and F3 do
        "011": (_col3(0.0, 0.0, 0.125), [1.0, -1.0, 0.75]),
        "101": (_col3(2.0, 0.0, 0.0625), [-1.0, 2.0, 0.25]),
        "111": (_col3(-0.125, 0.25, 0.0), [-1.0, -1.5, 0.5])}


def _bent_motion(spec=BENT):
    from plrnn_symbolic.analysis.simulation.sliding import CornerMotion, SlidingSegment

    sy = {k: _system(k, L, g) for k, (L, g) in spec.items()}
    rec = SlidingSegment(1, "unit 1 and unit 2", (), 0.0, 0.0, np.zeros(3), np.zeros(3), [0], surfaces=(1, 2))
    return CornerMotion(_model(), (0, 1), [[sy["001"], sy["011"]], [sy["101"], sy["111"]]], rec)


class _Reference:
    """The motion of BENT from z3 = 1 at 40 digits, by quadrature and root finding (the floats of BENT exactly)."""

    def __init__(self, spec=BENT):
        import mpmath

        self.mp = mpmath
        self.f = {k: ([mpmath.mpf(float(x)) for x in L[:, 2]], [mpmath.mpf(float(x)) for x in g])
                  for k, (L, g) in spec.items()}

    def fields(self, z3):
        return [[[s + c * z3 for c, s in zip(*self.f[f"{a}{b}1"], strict=True)] for b in (0, 1)] for a in (0, 1)]

    def control(self, z3, guess=(0.8, 0.6)):
        f = self.fields(z3)

        def eqs(u1, u2):
            F = [(1 - u1) * ((1 - u2) * f[0][0][i] + u2 * f[0][1][i]) + u1 * ((1 - u2) * f[1][0][i] + u2 * f[1][1][i])
                 for i in range(3)]
            return F[0], F[1]

        return self.mp.findroot(eqs, guess, tol=self.mp.mpf(10) ** -38)

    def g(self, z3):
        u1, u2 = self.control(z3)
        f = self.fields(z3)
        return (1 - u1) * ((1 - u2) * f[0][0][2] + u2 * f[0][1][2]) + u1 * ((1 - u2) * f[1][0][2] + u2 * f[1][1][2])

    def time(self, z3):
        return self.mp.quad(lambda z: 1 / self.g(z), [1, z3])

    def within(self, t, lo, hi) -> bool:
        """Whether the reference state at the time t lies in [lo, hi] (z3 increases: t(lo) <= t <= t(hi))."""
        mp = self.mp
        t_lo = self.time(lo)
        return t_lo <= t + mp.mpf(10) ** -36 and t <= t_lo + mp.quad(lambda z: 1 / self.g(z), [lo, hi]) + mp.mpf(10) ** -36

    def end(self):
        """(T*, z3*): where the control u1 reaches 1."""
        mp = self.mp
        z = mp.findroot(lambda z: self.control(z)[0] - 1, mp.mpf("1.58"), tol=mp.mpf(10) ** -36)
        return self.time(z), z


def _ends(ball):
    """The ends of a ball as mpmath numbers (FLINT rounds lower() and upper() outward at its working precision,
    so that is raised to 256 bits, and 60 digits are read: the rounding is far below the test's slack)."""
    import mpmath

    from plrnn_symbolic.core.domains import working_precision

    with working_precision(256):
        return mpmath.mpf(ball.lower().str(60, radius=False)), mpmath.mpf(ball.upper().str(60, radius=False))


def _run_bent():
    m = _bent_motion()
    z0 = np.array([0.0, 0.0, 1.0])
    t_end, z_end, why = m.run(z0, None, 0.0, 3.0, 10.0)
    m.record.end_time, m.record.end_state = t_end, z_end
    return m, t_end, z_end, why


def _checked(points):
    return [points[len(points) // 3], points[2 * len(points) // 3], points[-1]]


def _contained(m, ref) -> bool:
    """Whether the enclosure contains the reference state at three of the points it reached (a third, two thirds
    and the last, at the exact times)."""
    enc = m.enclosure
    if enc is None or enc.bound is None or len(enc.points) < 3:
        return False
    with ref.mp.workdps(40):
        return all(ball[0] == 0 == ball[1] and ref.within(ref.mp.mpf(t.numerator) / t.denominator, *_ends(ball[2]))
                   for t, ball in _checked(enc.points))


def test_the_enclosure_on_two_surfaces_contains_an_independent_solution():
    ref = _Reference()
    m, t_end, _z_end, why = _run_bent()
    assert why == ("leaves", 0, 1)
    rec = m.record
    assert rec.certified_bound is not None and rec.certified_bound < 1e-12
    assert rec.certified_duration > 0.99 * t_end and len(m.enclosure.points) >= 5
    assert _contained(m, ref)
    # the proved distance of the float states at the integrator's points holds against the reference
    ts, Z = np.array(m.record.t[-1]), np.array(m.record.z[-1])
    with ref.mp.workdps(40):
        for t, _ in _checked(m.enclosure.points)[:1]:
            (i,) = np.flatnonzero(ts == float(t))
            zf, d = ref.mp.mpf(float(Z[i][2])), ref.mp.mpf(rec.certified_bound)
            assert ref.within(ref.mp.mpf(float(t)), zf - d, zf + d)
    assert rec.enclosure.startswith("interval Taylor method") and "unique in [0, 1]^2" in rec.enclosure


def test_the_bracket_of_the_end_on_two_surfaces_holds_the_independent_end_and_is_tight():
    ref = _Reference()
    m, t_end, z_end, _why = _run_bent()
    assert m.record_exit() == ""
    a, b = m.record.exit_bracket
    with ref.mp.workdps(40):
        T, z3 = ref.end()
        assert a <= T <= b
        assert abs(z_end[2] - z3) <= m.record.exit_distance
    assert b - a < 1e-8 * max(1.0, abs(t_end)) and m.record.exit_distance < 1e-8
    assert "proved in ball arithmetic" in m.record.exit_text


def test_the_bracket_of_a_crossing_holds_the_closed_form():
    """On the intersection with the four fields (+-1, +-1, -1/2) the state stays at u = (1/2, 1/2) and z3 = 1 - t/2
    reaches 0 (another pre-activation) at t = 2 exactly."""
    f = {"001": [1.0, 1.0, -0.5], "011": [1.0, -1.0, -0.5], "101": [-1.0, 1.0, -0.5], "111": [-1.0, -1.0, -0.5]}
    m = _bent_motion({k: (np.zeros((3, 3)), g) for k, g in f.items()})
    t_end, z_end, why = m.run(np.array([0.0, 0.0, 1.0]), None, 0.0, 3.0, 10.0)
    assert why == ("crosses", 2)
    m.record.end_time, m.record.end_state = t_end, z_end
    assert m.record_exit() == ""
    a, b = m.record.exit_bracket
    assert a <= 2.0 <= b and b - a < 1e-8
    assert m.record.exit_distance >= abs(z_end[2])
    assert m.record.certified_bound is not None


def test_the_closed_form_corner_of_the_driver_is_enclosed_and_its_end_bracketed():
    L10 = np.zeros((3, 3))
    L10[0, 2] = KAPPA
    systems = _systems([1, 2, C], [1, -1, C], [-1, 2, C], [-1, -1, C], L10)
    r = simulate(_model(), 4, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    corner = r.sliding_segments[1]
    a, b = corner.exit_bracket
    assert a <= 2 * (3 / KAPPA - 1) <= b and b - a < 1e-8
    assert corner.certified_bound is not None and corner.certified_bound < 1e-12
    assert "unique in [0, 1]^2" in corner.enclosure and "proved in ball arithmetic" in corner.exit_text
    d = json.loads(json.dumps(r.to_dict(details=False)))["sliding_segments"][1]
    assert d["exit"]["bracket"] == [a, b] and d["certified"]["bound"] == corner.certified_bound


@pytest.mark.parametrize("mutation", ["other branch in the field", "swapped weights"])
def test_a_mutated_enclosure_misses_the_independent_solution(monkeypatch, mutation):
    """The containment check above fails when the Taylor coefficients are those of the other square-root branch
    (the conditions still proved for the right one), or when the canopy weights of u1 and u2 are exchanged: a
    wrong field, enclosed, misses the reference."""
    from plrnn_symbolic.analysis.simulation import corner_balls as cb

    if mutation == "other branch in the field":
        orig = cb._CornerBalls._coefficients

        def coefficients(self, z, n, choice):
            if choice[2] is None:
                return orig(self, z, n, choice)
            self.sigma = -self.sigma
            try:
                return orig(self, z, n, (*choice[2], None))
            finally:
                self.sigma = -self.sigma

        monkeypatch.setattr(cb._CornerBalls, "_coefficients", coefficients)
    else:
        orig_init = cb._CornerBalls.__init__

        def init(self, motion, s):
            orig_init(self, motion, s)
            self.G[1], self.G[2] = self.G[2], self.G[1]
            self.g[1], self.g[2] = self.g[2], self.g[1]
            M = self.M
            self.stack = cb.flint.arb_mat(4 * M, M, [self.G[b][r, col] for b in range(4) for r in range(M)
                                                     for col in range(M)])

        monkeypatch.setattr(cb._CornerBalls, "__init__", init)
    m, *_ = _run_bent()
    assert m.enclosure.bound is not None and len(m.enclosure.points) >= 3      # a claim was made, and it is wrong
    assert not _contained(m, _Reference())


def test_the_wrong_branch_is_refused_not_enclosed(monkeypatch):
    """Started on the other root of the resultant, the checks (that root is not in the open box) prove nothing:
    no enclosure is claimed."""
    from plrnn_symbolic.analysis.simulation import corner_balls as cb

    orig_fix = cb._CornerBalls.fix_branch

    def fix_branch(self, z):
        ok = orig_fix(self, z)
        self.sigma = -self.sigma
        return ok

    monkeypatch.setattr(cb._CornerBalls, "fix_branch", fix_branch)
    m, *_ = _run_bent()
    assert m.enclosure.bound is None and m.record.certified_bound is None and m.exit is None
    assert m.record.enclosure.startswith("no enclosure")


def test_series_truncated_by_flint_cap_fail_loudly(monkeypatch):
    """FLINT truncates series products at ctx.cap terms (10 by default): with the cap not raised, the Taylor
    coefficients of degree >= 10 would be silently dropped; the step raises instead."""
    import flint

    from plrnn_symbolic.analysis.simulation import corner_balls as cb
    from plrnn_symbolic.core.domains import working_precision

    m = _bent_motion()
    with working_precision(cb.CERT_PREC):
        balls = cb._CornerBalls(m, None)
        z = [flint.arb(0), flint.arb(0), flint.arb(1)]
        assert balls.fix_branch(z)
        choice = balls.choose(balls.parts(z), balls.sigma)
        assert flint.ctx.cap < cb.TAYLOR_ORDER
        with pytest.raises(RuntimeError, match="truncated"):
            balls._coefficients(z, cb.TAYLOR_ORDER + 1, choice)
        assert len(balls.coefficients(z, cb.TAYLOR_ORDER, choice)[2]) == cb.TAYLOR_ORDER + 1


def test_a_float_end_outside_the_proved_bracket_is_said():
    """The bracket is the truth: a float end time outside it is said in the record's end text (``record_exit``)."""
    import flint

    m = _bent_motion()
    m.record.end_time, m.record.end_state = 1.5, np.array([0.0, 0.0, 1.0])
    m.exit = (1.0, 1.25, [[flint.arb(0), flint.arb(0), flint.arb(1.0, 0.5)]])
    note = m.record_exit()
    assert "lies outside the bracket [1.0, 1.25] proved in ball arithmetic, which holds the exact end" in note
    assert m.record.exit_bracket == (1.0, 1.25) and m.record.exit_distance >= 0.5
    m.record.end_time = 1.125
    assert m.record_exit() == ""


@pytest.mark.parametrize("mutation", [False, True])
def test_a_step_without_the_lagrange_remainder_misses(monkeypatch, mutation):
    """One Taylor step of length 1/16 from z3 = 1: with the remainder c_K(B) h^K its ball contains the reference;
    with that remainder dropped (the mutation) the Taylor polynomial alone is a ball of radius ~1e-38 that misses
    it (in a whole run the width control keeps the steps so short that the truncation hides below the radius)."""
    from fractions import Fraction

    import flint

    from plrnn_symbolic.analysis.simulation import corner_balls as cb
    from plrnn_symbolic.core.domains import working_precision

    if mutation:
        orig = cb._CornerBalls._coefficients

        def coefficients(self, z, n, choice):
            C = orig(self, z, n, choice)
            if n == cb.TAYLOR_ORDER + 1:
                for row in C:
                    row[-1] = flint.arb(0)
            return C

        monkeypatch.setattr(cb._CornerBalls, "_coefficients", coefficients)
    ref = _Reference()
    with working_precision(cb.CERT_PREC):
        balls = cb._CornerBalls(_bent_motion(), None)
        z = [flint.arb(0), flint.arb(0), flint.arb(1)]
        assert balls.fix_branch(z)
        out, _ = balls.step(z, Fraction(1, 16))
    with ref.mp.workdps(40):
        assert ref.within(ref.mp.mpf(1) / 16, *_ends(out[2])) is not mutation


def test_a_side_lost_with_the_control_inside_is_not_said_to_reach_the_face():
    """On the positive side of unit 1 = 0 regions 101 and 111 slide on unit 2 = 0 (region 111's field points away
    from unit 1 = 0, n1 component 0.2, so they hold the state only by sliding) until region 101's n2 component
    1 - z3 / 2 reaches 0 at z3 = 2 (t = 2): the side stops holding with the control inside the box (sympy: one
    control, u = (0.284..., 0.603...)), which is not its control reaching the face u1 = 1.  The float
    classification called every failing sliding side "the control reached 1"."""
    L10 = np.zeros((3, 3))
    L10[1, 2] = -0.5
    systems = _systems([1, 1, C], [1, -1, C], [-1, 1, C], [0.2, -1, C], L10)
    (u,) = _exact_controls([[1, 1], [-1, Fraction(1, 5)]], [[1, -1], [0, -1]])
    assert all(0.2 < x < 0.8 for x in u)
    r = simulate(_model(), 3, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    corner = r.sliding_segments[-1]
    assert corner.all_surfaces == (2, 1) and abs(corner.end_time - 2.0) < 1e-9
    assert "reached 1" not in corner.end and "other than by its control reaching 1" in corner.end
    assert corner.exit_bracket is None


def test_the_float_steps_past_the_corner_fold_are_covered_or_listed(monkeypatch):
    """Leaving the intersection, the driver steps the float state a little past the fold (the end time moves);
    without a proved bracket that stretch is not enclosed and is listed as not covered, so that the covered and
    uncovered times add up to the segment's duration (they did not, and the text said 'on all of it')."""
    from plrnn_symbolic.analysis.simulation import corner_balls as cb

    monkeypatch.setattr(cb, "_bracket", lambda *a, **k: None)
    L10 = np.zeros((3, 3))
    L10[0, 2] = KAPPA
    systems = _systems([1, 2, C], [1, -1, C], [-1, 2, C], [-1, -1, C], L10)
    r = simulate(_model(), 4, z0=[-0.1, -0.1, 1.0], system="autonomous", e1=False, systems=systems)
    corner = r.sliding_segments[1]
    assert corner.exit_bracket is None and corner.end_time > 2 * (3 / KAPPA - 1)
    gaps = sum(b - a for a, b in corner.uncovered)
    assert corner.uncovered and abs(corner.duration - corner.certified_duration - gaps) < 1e-15
    assert "on all of it" not in r.summary().split("unit 2 and unit 1")[1].split("\n")[0]


def test_the_bracket_of_a_face_keeps_the_pair_sliding():
    """Past t_a the bracket of a face end ("leaves", p, x) drops only u_p beyond x and the tangency of side (p, x):
    a step on which that side's two fields stop sliding on the other surface (v_0 < 0) with the control inside the
    box, or on which u_p leaves through the other face, is not accepted, since its end would not be the control
    reaching x (it was: the whole side and both faces of u_p were dropped)."""
    import flint

    from plrnn_symbolic.analysis.simulation import corner_balls as cb

    def q(u=(0.5, 0.5), slide01=(1.0, 1.0, 1.0)):
        out = {"u": tuple(flint.arb(v) for v in u), "l": (flint.arb(1), flint.arb(1))}
        for p in (0, 1):
            for x in (0, 1):
                out["slide", p, x] = tuple(flint.arb(v) for v in (slide01 if (p, x) == (0, 1) else (1, 1, 1)))
                out["cross", p, x] = (flint.arb(-1), flint.arb(-1))
        return out

    drop = cb._ending_drop(("leaves", 0, 1))
    assert cb._CornerBalls.check(q(), drop) and cb._CornerBalls.check(q(u=(1.5, 0.5), slide01=(1, 1, -1)), drop)
    assert not cb._CornerBalls.check(q(slide01=(-0.1, 1.0, 1.0)), drop)      # the pair stopped sliding
    assert not cb._CornerBalls.check(q(u=(-0.5, 0.5), slide01=(1, 1, -1)), drop)   # the other face
    assert cb._ending_drop(("crosses", 2)) == frozenset({("other", 2)})
