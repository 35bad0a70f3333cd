"""Filippov sliding of the autonomous system: the sliding motion against its closed form, crossings
that are not sliding, the field's identities, and trained models that meet sliding surfaces."""

import functools
import json
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import plrnn_symbolic as ps
from plrnn_symbolic.analysis.simulation import filippov_coefficient, simulate, sliding_field
from plrnn_symbolic.model.family import ShallowPLRNN

# A 2-unit PLRNN whose continuous field slides on z_1 = 0 for z_2 in about (0.04, 0.26): region 01
# (z_1 < 0) pushes right, region 11 pushes left there.  The map itself is continuous; the jump of the
# field comes from the matrix logarithm (THEORY section 6).
A = [["0.38", 0], [0, "0.31"]]
W = [[0, "0.7"], ["-0.93", 0]]
H_BIAS = ["-0.79", "-0.87"]


def sliding_model(dt=1):
    return ps.PLRNN(A=A, W=W, h=H_BIAS, dt=dt)


def _mp(x):
    return mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator


def _region_field(active, dt):
    """(L, g) of a region by mpmath at 40 digits: L = logm(H)/dt, g = L (H - I)^{-1} h (the textbook
    form, an independent route from the package's beta form)."""
    A_ = mpmath.matrix([[_mp(x) for x in row] for row in A])
    W_ = mpmath.matrix([[_mp(x) for x in row] for row in W])
    h = mpmath.matrix([_mp(x) for x in H_BIAS])
    H = A_ + W_ * mpmath.diag(active)
    L = mpmath.logm(H) / dt
    g = L * mpmath.inverse(H - mpmath.eye(2)) * h
    return [[mpmath.re(L[i, j]) for j in range(2)] for i in range(2)], [mpmath.re(g[i]) for i in range(2)]


class ClosedForm:
    """The sliding motion on z_1 = 0 between regions 01 (-) and 11 (+), in closed form: with
    v-+(u) = (L-+)_12 u + (g-+)_1 and f-+_2(u) = (L-+)_22 u + (g-+)_2 (u = z_2), the sliding field's
    second component is N(u)/D(u), N = v- f+_2 - v+ f-_2 (quadratic), D = v- - v+ (affine), so the
    time from u0 to u is F(u) = alpha log((u - r1)/(u0 - r1)) + beta log((u - r2)/(u0 - r2)) by partial
    fractions over the roots r1, r2 of N; z_2(t) solves F(z_2) = t - t0."""

    def __init__(self, dt=1):
        with mpmath.workdps(40):
            (Lm, gm), (Lp, gp) = _region_field([0, 1], dt), _region_field([1, 1], dt)
            vm, vp = (Lm[0][1], gm[0]), (Lp[0][1], gp[0])
            fm, fp = (Lm[1][1], gm[1]), (Lp[1][1], gp[1])
            c2 = vm[0] * fp[0] - vp[0] * fm[0]
            c1 = vm[0] * fp[1] + vm[1] * fp[0] - vp[0] * fm[1] - vp[1] * fm[0]
            c0 = vm[1] * fp[1] - vp[1] * fm[1]
            d1, d0 = vm[0] - vp[0], vm[1] - vp[1]
            r1, r2 = mpmath.polyroots([c2, c1, c0], extraprec=60)
            self.terms = [((d1 * r1 + d0) / (c2 * (r1 - r2)), r1), ((d1 * r2 + d0) / (c2 * (r2 - r1)), r2)]
            self.exit_minus = -vm[1] / vm[0]      # v- = 0: a reaches 0
            self.exit_plus = -vp[1] / vp[0]       # v+ = 0: a reaches 1

    def time(self, u0, u):
        with mpmath.workdps(40):
            u0, u = mpmath.mpf(u0), mpmath.mpf(u)
            return mpmath.re(sum(c * mpmath.log((u - r) / (u0 - r)) for c, r in self.terms))

    def state(self, u0, t):
        with mpmath.workdps(40):
            return mpmath.findroot(lambda u: self.time(u0, u) - t, u0)


def test_sliding_motion_matches_its_closed_form():
    r = simulate(sliding_model(), 3, z0=[-0.01, 0.25], system="autonomous", e1=False)
    assert not r.sliding and len(r.sliding_segments) == 1
    sg = r.sliding_segments[0]
    assert sg.surface == 1 and sg.label == "unit 1" and sg.regions == ("01", "11")
    cf = ClosedForm()
    u0 = sg.start_state[1]
    assert sg.start_state[0] == 0 and cf.exit_minus < u0 < cf.exit_plus
    t, Z = sg.samples()
    assert len(t) >= 8 and np.all(Z[:, 0] == 0)
    err = max(abs(float(cf.state(u0, ti - sg.start_time)) - zi) for ti, zi in zip(t, Z[:, 1], strict=True))
    assert err < 1e-12
    # the end: v- reaches 0 (a = 0), at the closed-form time, and the state leaves into region 01
    assert abs(sg.end_state[1] - float(cf.exit_minus)) < 1e-12
    assert abs(sg.duration - float(cf.time(u0, cf.exit_minus))) < 1e-12
    assert "a reached 0" in sg.end and "leaves into region 01" in sg.end
    after = [s for s in r.segments if s.t0 >= sg.end_time - 1e-15]
    assert after[0].region == "01"
    assert np.isfinite(r.autonomous).all()


def test_sliding_motion_across_sample_times_matches_the_closed_form():
    """A sliding segment that spans sample times: z(n dt) on it is the closed form's, and the
    segment names every step it meets."""
    r = simulate(sliding_model(), 2, z0=[-3.25, 3.0], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    assert sg.start_time < 1 < sg.end_time and sg.steps == [0, 1] and r.sliding_steps == [0, 1]
    cf = ClosedForm()
    assert r.autonomous[1][0] == 0
    assert abs(float(cf.state(sg.start_state[1], 1 - sg.start_time)) - r.autonomous[1][1]) < 1e-12
    assert abs(sg.duration - float(cf.time(sg.start_state[1], cf.exit_minus))) < 1e-12


def test_a_crossing_is_not_mistaken_for_sliding():
    """From (-0.5, 2) the flow of region 01 crosses z_1 = 0 at z_2 > 0.26, where the field of region 11
    points on into z_1 > 0: a crossing, checked here with the independent fields."""
    r = simulate(sliding_model(), 2, z0=[-0.5, 2.0], system="autonomous", e1=False)
    assert not r.sliding_segments and not r.sliding
    first = next(i for i, (a, b) in enumerate(zip(r.segments, r.segments[1:])) if a.region != b.region)
    a, b = r.segments[first], r.segments[first + 1]
    assert (a.region, b.region) == ("01", "11")
    z = b.y0
    with mpmath.workdps(30):
        for active in ([0, 1], [1, 1]):
            L, g = _region_field(active, 1)
            assert float(L[0][0] * z[0] + L[0][1] * z[1] + g[0]) > 0.1     # both push to z_1 > 0


def test_reports_name_the_sliding_segments():
    r = simulate(sliding_model(), 3, z0=[-0.01, 0.25])
    text = r.summary()
    assert "sliding (Filippov): 1 segment(s)" in text and "slides on unit 1 = 0" in text and "DOP853" in text
    d = json.loads(json.dumps(r.to_dict(details=False)))
    seg = d["sliding_segments"][0]
    assert seg["surface"] == "unit 1" and seg["regions"] == ["01", "11"] and seg["steps"] == [0, 0]
    assert seg["duration"] > 0 and seg["method"].startswith("float: DOP853") and d["sliding_steps"] == [0]
    t, Z = r.dense("autonomous")
    assert np.all(np.diff(t) >= 0) and np.any((Z[:, 0] == 0) & (t > 0.05) & (t < 0.1))


def test_family_forms_name_pre_activations():
    """The same model as a general ReluRNN (W2 = I, h2 = 0): the same sliding segment, named by its
    pre-activation."""
    m = sliding_model()
    g = ps.model.family.ReluRNN(m.A, m.W, np.eye(2).tolist(), m.h, [0, 0])
    r0 = simulate(m, 2, z0=[-0.01, 0.25], system="autonomous", e1=False)
    r1 = simulate(g, 2, z0=[-0.01, 0.25], system="autonomous", e1=False)
    s0, s1 = r0.sliding_segments[0], r1.sliding_segments[0]
    assert s1.label == "pre-activation 1" and "pre-activation 1 = 0" in r1.summary()
    assert abs(s0.end_time - s1.end_time) < 1e-12
    np.testing.assert_allclose(r0.autonomous, r1.autonomous, atol=1e-12)


def test_sliding_on_two_surfaces_next_to_a_lifted_region_is_a_stop_with_its_reason():
    """A model symmetric under z1 <-> z2 from a state on the diagonal reaches the corner z = 0 with both
    units at once, where the field of region 00 points back across both; region 11 is lifted, so the
    equivalent control on both surfaces is not used: a stop that says why (not an exception)."""
    m = ps.PLRNN(A=[["0.47", 0], [0, "0.47"]], W=[[0, "-0.79"], ["-0.79", 0]], h=["0.26", "0.26"])
    r = simulate(m, 3, z0=[1.71, 1.71], system="autonomous", e1=False)
    ev = r.sliding[0]
    assert ev.action == "stopped" and "region 11 next to unit 1 and unit 2 = 0 is lifted" in ev.reason
    assert ev.surface == "unit 1" and ev.units == (1, 2)
    assert r.to_dict(details=False)["sliding"][0]["reason"] == ev.reason and "stopped there" in r.summary()
    assert not r.sliding_segments and np.isnan(r.autonomous[-1]).all()


vectors = st.lists(st.floats(-10, 10, allow_nan=False), min_size=3, max_size=3).map(np.array)


@settings(max_examples=50)
@given(fm=vectors, fp=vectors, w=vectors)
def test_the_sliding_field_is_the_tangent_convex_combination(fm, fp, w):
    vm, vp = w @ fm, w @ fp
    if not (vm > 1e-3 and vp < -1e-3):
        return
    a = filippov_coefficient(fm, fp, w)
    fs = sliding_field(fm, fp, w)
    assert 0 < a < 1
    np.testing.assert_allclose(fs, (1 - a) * fm + a * fp, atol=1e-10 * (1 + np.abs(fm).max() + np.abs(fp).max()))
    assert abs(w @ fs) <= 1e-10 * (np.abs(w) @ (np.abs(fm) + np.abs(fp)))


@pytest.mark.parametrize("name", ["vdp_trained", "vdp_fine"])
def test_trained_examples_run_1000_autonomous_steps(name):
    r = simulate(ps.example(name), 1000, system="autonomous", e1=False)
    assert not r.sliding and np.isfinite(r.autonomous).all()
    assert all(sg.duration >= 0 and sg.steps for sg in r.sliding_segments)


def test_a_trained_lorenz_plrnn_slides_with_every_end_bracketed():
    """A 10-unit PLRNN fitted to Lorenz-63 at dt = 0.1 (tests/data/trained/plrnn_lorenz_dt01_sliding.json, as
    its training code wrote it) used to stop at step 2 on a sliding point of unit 6.  Over 60 steps it slides
    nine times next to a lifted region; every segment is enclosed up to its end, the end is bracketed in
    balls and lies where the float motion ended, and the trajectory runs on."""
    from pathlib import Path

    m = ps.load(Path(__file__).parent / "data" / "trained" / "plrnn_lorenz_dt01_sliding.json")
    r = simulate(m, 60, system="autonomous", e1=False)
    segs = r.sliding_segments
    assert not r.sliding and len(segs) >= 5 and np.isfinite(r.autonomous).all()
    for sg in segs:
        a, b = sg.exit_bracket
        assert 0 < b - a < 1e-9 and a <= sg.end_time and sg.start_time < a
        assert not sg.uncovered and sg.certified_bound < 1e-12 and sg.exit_distance < 1e-8
        assert "Remark 5.19" in sg.method and "a reached" in sg.end


def test_plots_shade_sliding_and_list_only_drawn_curves():
    pytest.importorskip("matplotlib")
    from plrnn_symbolic import plot

    r = simulate(sliding_model(), 3, z0=[-3.25, 3.0])
    fig = plot.simulation(r)
    top = [t.get_text() for t in fig.legends[0].texts]
    bottom = [t.get_text() for t in fig.axes[-1].get_legend().texts]
    assert "autonomous slides on a surface (Filippov)" in top and "autonomous slides on a surface (Filippov)" in bottom
    # a run that stops at step 2: over the last 10 of 30 steps no autonomous curve is drawn, none listed
    m = ps.PLRNN(A=[["0.47", 0], [0, "0.47"]], W=[[0, "-0.79"], ["-0.79", 0]], h=["0.26", "0.26"])
    fig = plot.simulation(simulate(m, 30, z0=[1.71, 1.71]), window=10)
    labels = [t.get_text() for t in fig.legends[0].texts] + [t.get_text() for t in fig.axes[-1].get_legend().texts]
    assert not any("autonomous" in x for x in labels)
    fig = plot.simulation(simulate(m, 30, z0=[1.71, 1.71]))
    assert any(t.get_text().startswith("autonomous (switching); stops at t =") for t in fig.legends[0].texts)


def test_leaving_a_surface_of_the_general_form_does_not_cross_straight_back():
    """A shallow PLRNN slides on pre-activation 2 for 2.35 time units and leaves into region 100 where a
    reaches 0.  The state where it leaves is stepped past the fold and put on that side of the hyperplane
    in exact arithmetic (either suffices here; without both, rounding left it 1e-16 on the other side,
    the exit scan proved a crossing back, and the run stopped as grazing)."""
    m = ShallowPLRNN([0.766, 0.443], [[0.371, 0.874, -0.871], [-0.405, -0.744, 0.74]],
                     [[-0.748, -0.796], [-0.812, 0.673], [-0.602, 0.936]], [-0.929, -0.085], [-0.738, -0.637, -0.636])
    r = simulate(m, 20, z0=[0.24243992181053464, -1.1244565566125493], system="autonomous", e1=False)
    assert not r.sliding and np.isfinite(r.autonomous).all()
    sg = r.sliding_segments[0]
    assert sg.label == "hidden unit 2" and sg.regions == ("100", "110") and sg.steps == [3, 4, 5]
    assert "a reached 0" in sg.end and "region 110 is lifted" in sg.method
    assert abs(m.preactivations(sg.end_state)[1]) < 1e-12
    after = next(s for s in r.segments if s.t0 >= sg.end_time)
    assert after.region == "100" and after.t1 > after.t0


def test_a_lifted_side_whose_field_does_not_push_in_is_a_stop():
    """Both regions next to pre-activation 2 are lifted.  The ball test at the crossing sees the lifted
    states themselves, but the sliding field uses the fields at the embedded point (Remark 5.19), and
    there w.f- < 0: a = w.f- / w.(f- - f+) would be > 1, not a Filippov combination.  The run stops and
    says why (it used to integrate that field)."""
    m = ShallowPLRNN([0.34, 0.461], [[-0.923, -0.663, -0.873], [-0.718, -0.802, -0.15]],
                     [[0.652, 0.567], [0.06, -0.876], [0.896, -0.868]], [-0.975, 0.497], [0.252, 0.516, -0.45])
    r = simulate(m, 5, z0=[1.572, 1.487], system="autonomous", e1=False)
    assert not r.sliding_segments and len(r.sliding) == 1
    ev = r.sliding[0]
    assert ev.surface == "hidden unit 2" and "Remark 5.19" in ev.reason and "do not both push" in ev.reason


def test_autonomous_lyapunov_refuses_a_sliding_trajectory_naming_the_segment():
    from plrnn_symbolic.analysis.lyapunov import lyapunov_autonomous
    from plrnn_symbolic.core.errors import NoResult

    with pytest.raises(NoResult, match=r"slides on unit 1 = 0 from t = 0\.99\d* to 1\.06\d* \(regions 01 and 11, step 0"):
        lyapunov_autonomous(sliding_model(), [-3.25, 3.0], steps=5, burn_in=0)


def test_cli_json_lists_the_sliding_segments(tmp_path, capsys):
    from _independent import subcommand_parser

    from plrnn_symbolic.cli.simulate_command import add_arguments, run_cli

    path = tmp_path / "m.json"
    ps.save(sliding_model(), path)
    args = subcommand_parser(add_arguments).parse_args([str(path), "--steps", "3", "--z0=-3.25,3.0", "--json"])
    assert run_cli(args) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["sliding_segments"][0]["surface"] == "unit 1" and d["sliding_steps"] == [0, 1]


def test_the_enclosure_contains_the_closed_form():
    """The a posteriori enclosure (interval Taylor steps in balls) against the closed form: given the
    closed-form states (rounded to floats) at chosen times, the proved distance is below 1e-13 (the
    enclosure's own width, over steps of up to 0.04); the float motion itself is enclosed to below 1e-12 up
    to its end."""
    from plrnn_symbolic.analysis.simulation.sliding import SlidingMotion
    from plrnn_symbolic.analysis.simulation.sliding_balls import certify

    r = simulate(sliding_model(), 3, z0=[-0.01, 0.25], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    assert sg.certified_bound is not None and 0 < sg.certified_bound < 1e-12
    assert sg.certified_duration == sg.duration and not sg.uncovered     # up to its end, which is bracketed
    assert sg.certified_about == "the region systems as enclosed" and "not enclosed" not in sg.enclosure
    cf = ClosedForm()
    u0 = sg.start_state[1]
    ts = [0.01, 0.03, 0.06, 0.1]
    zs = [[0.0, float(cf.state(u0, t))] for t in ts]
    motion = SlidingMotion(sliding_model(), 0, r.systems["01"], r.systems["11"], sg)
    bound, done, _ = certify(motion, sg.start_state, None, ts, zs)
    assert done == ts[-1] and bound < 1e-13
    bad = [[0.0, z[1] + 1e-12] for z in zs]          # states 1e-12 off are not within the bound
    assert certify(motion, sg.start_state, None, ts, bad)[0] > 5e-13


def _closed_form_exit(sg, cf):
    """The exact end time and state of the sliding segment ``sg`` of ``sliding_model()`` by the closed form."""
    u_exit = cf.exit_plus if "a reached 1" in sg.end else cf.exit_minus
    return sg.start_time + cf.time(sg.start_state[1], u_exit), [0, u_exit]


def test_the_exit_bracket_holds_the_closed_form_exit():
    """The end of the sliding motion (a reaching 0 or 1) is bracketed in ball arithmetic (Proposition 5.24):
    the closed form's exit time lies in the bracket, which is narrower than 1e-10, and its exit point within
    the proved distance of the reported end state."""
    r = simulate(sliding_model(), 3, z0=[-0.01, 0.25], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    T, z_exit = _closed_form_exit(sg, ClosedForm())
    a, b = sg.exit_bracket
    assert a <= T <= b and 0 < b - a < 1e-10
    assert max(abs(mpmath.mpf(float(x)) - y) for x, y in zip(sg.end_state, z_exit, strict=True)) <= sg.exit_distance
    assert sg.exit_distance < 1e-9 and "bracketed" in sg.text() and sg.to_dict()["exit"]["bracket"] == [a, b]


@pytest.mark.parametrize("mutate", [False, True])
def test_the_exit_bracket_does_not_trust_the_float_end(monkeypatch, mutate):
    """With the integrator's end time moved 1e-7 early, the bracket still holds the closed form's exit (the
    violation at its far end is proved, not assumed); with that proof skipped (the mutation) it misses."""
    from plrnn_symbolic.analysis.simulation import sliding, sliding_balls

    real = sliding.enclose

    def early(motion, z0, s, ts, zs, t0=0.0, end=None, t_end=None):
        return real(motion, z0, s, ts, zs, t0, end, None if t_end is None else t_end - 1e-7)

    monkeypatch.setattr(sliding, "enclose", early)
    if mutate:
        monkeypatch.setattr(sliding_balls._SlidingBalls, "violated", lambda self, kind, z: True)
    r = simulate(sliding_model(), 3, z0=[-0.01, 0.25], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    T, _ = _closed_form_exit(sg, ClosedForm())
    a, b = sg.exit_bracket
    assert (a <= T <= b) is not mutate


def _contains(ball, x) -> bool:
    """The FLINT ball contains the mpmath number x (compared at 50 digits)."""
    with mpmath.workdps(50):
        mid = mpmath.mpf(ball.mid().str(50, radius=False))
        rad = mpmath.mpf(ball.rad().str(20, radius=False))
        return abs(mpmath.mpf(x) - mid) <= rad * (1 + mpmath.mpf(2) ** -40)


def test_a_taylor_step_encloses_the_closed_form_at_forty_digits():
    """One interval Taylor step of order 16 against the closed form at 40 digits: its balls contain it.
    FLINT truncates power series at ``flint.ctx.cap`` terms (10 by default); the coefficients c_10 .. c_16,
    the Lagrange remainder among them, were silently 0, and balls 1e-39 wide missed the motion by 4e-19."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding import SlidingMotion
    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC, _SlidingBalls
    from plrnn_symbolic.core.domains import working_precision

    r = simulate(sliding_model(), 3, z0=[-0.01, 0.25], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    motion = SlidingMotion(sliding_model(), 0, r.systems["01"], r.systems["11"], sg)
    cf = ClosedForm()
    u0 = sg.start_state[1]
    cap = flint.ctx.cap
    with working_precision(CERT_PREC):
        balls = _SlidingBalls(motion, None)
        z = [flint.arb(float(x)) for x in sg.start_state]
        for h in (0.005, 0.01, 0.02):
            nz = balls.step(z, h)
            assert nz is not None and nz[0].contains(0)
            assert _contains(nz[1], cf.state(u0, h))
    assert flint.ctx.cap == cap


def test_the_enclosure_of_a_three_unit_motion_contains_an_independent_integration():
    """A 3-unit PLRNN sliding on z_1 = 0: the sliding equation built from mpmath's logm at 40 digits and
    integrated by mpmath's Taylor method (an independent route) lies in the enclosure after each step,
    and the float motion's proved distance is at least its distance from that integration."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding import SlidingMotion
    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC, _SlidingBalls, certify
    from plrnn_symbolic.core.domains import working_precision

    A3 = [["0.427", 0, 0], [0, "0.31", 0], [0, 0, "0.547"]]
    W3 = [[0, "0.702", "0.282"], ["-0.992", 0, "0.057"], ["0.195", "-0.2", 0]]
    h3 = ["-0.702", "-0.891", "-0.229"]
    m = ps.PLRNN(A=A3, W=W3, h=h3)
    r = simulate(m, 2, z0=[-0.001, 0.12, -0.224], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    assert sg.surface == 1 and sg.certified_bound is not None
    minus, plus = sg.regions
    with mpmath.workdps(40):
        def field(bits):
            H = mpmath.matrix([[_mp(x) for x in row] for row in A3]) + \
                mpmath.matrix([[_mp(x) for x in row] for row in W3]) * mpmath.diag([int(b) for b in bits])
            L = mpmath.logm(H)
            g = L * mpmath.inverse(H - mpmath.eye(3)) * mpmath.matrix([_mp(x) for x in h3])
            return L.apply(mpmath.re), g.apply(mpmath.re)

        (Lm, gm), (Lp, gp) = field(minus), field(plus)

        def fs(_t, y):
            y = mpmath.matrix(y)
            fm, fp = Lm * y + gm, Lp * y + gp
            return list((fm[0] * fp - fp[0] * fm) / (fm[0] - fp[0]))

        sol = mpmath.odefun(fs, 0, [mpmath.mpf(float(x)) for x in sg.start_state])
        motion = SlidingMotion(m, 0, r.systems[minus], r.systems[plus], sg)
        with working_precision(CERT_PREC):
            balls = _SlidingBalls(motion, None)
            z = [flint.arb(float(x)) for x in sg.start_state]
            for i in range(4):
                z = balls.step(z, 0.01)
                ref = sol(mpmath.mpf(0.01) * (i + 1))          # the exact sum of the float steps
                assert all(_contains(z[i], ref[i]) for i in range(3))
        ts = [0.01, 0.02, 0.03]
        zs = [[float(x) for x in sol(mpmath.mpf(t))] for t in ts]
        bound, done, _ = certify(motion, sg.start_state, None, ts, zs)
        assert done == ts[-1] and bound < 1e-14


def test_the_enclosure_takes_irrational_surfaces_exactly():
    """The general form's surfaces enter the enclosure as balls around the model's own weights: an
    irrational W2 entry (sqrt 2) is enclosed, not rounded to the nearest float (which is not on the
    surface), so the sliding condition and the other surfaces' signs are proved for the model itself."""
    import flint
    import sympy as sp

    from plrnn_symbolic.analysis.simulation.sliding import SlidingMotion
    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC, _SlidingBalls
    from plrnn_symbolic.core.domains import working_precision

    m = sliding_model()
    W1 = [[0, sp.Rational(7, 10) / sp.sqrt(2)], [sp.Rational(-93, 100), 0]]    # W1 W2 = W: the same map
    g = ps.model.family.ReluRNN(m.A, W1, [[1, 0], [0, sp.sqrt(2)]], m.h, [0, 0])
    r = simulate(g, 3, z0=[-0.01, 0.25], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    assert sg.surface == 1 and sg.certified_bound is not None
    motion = SlidingMotion(g, 0, r.systems[sg.regions[0]], r.systems[sg.regions[1]], sg)
    with working_precision(CERT_PREC):
        balls = _SlidingBalls(motion, None)
    with working_precision(512):
        assert balls.others[1][0][1].contains(flint.arb(2).sqrt())


def test_the_enclosure_names_every_stretch_it_does_not_cover(monkeypatch):
    """The stretches of a sliding segment that the enclosure does not cover are listed (not only the one
    next to the end), and they add up to the duration it does not cover (a budget of three Taylor steps
    per run leaves such stretches)."""
    from _independent import rotation_model

    from plrnn_symbolic.analysis.simulation import sliding_balls

    monkeypatch.setattr(sliding_balls, "MAX_CERT_STEPS", 3)

    phi = np.radians(100)
    r = simulate(rotation_model(), 10, z0=[1 + 1.5 * np.cos(phi), 3 + 1.5 * np.sin(phi)], system="autonomous",
                 e1=False)
    sg = r.sliding_segments[0]
    gaps = sum(b - a for a, b in sg.uncovered)
    assert abs(gaps - (sg.duration - sg.certified_duration)) < 1e-9
    assert all(sg.start_time <= a < b <= sg.end_time for a, b in sg.uncovered)
    assert sg.uncovered[-1][1] == sg.end_time and "not enclosed: t in [" in sg.enclosure
    assert sg.to_dict()["certified"]["uncovered"] == [list(g) for g in sg.uncovered]


def test_the_enclosure_refuses_fields_of_regions_the_state_is_not_next_to():
    """The sliding condition is proved for the two regions next to the state: a motion given the regions
    of the wrong side of another surface (unit 3 flipped) is not enclosed (it was, the other surfaces being
    checked only for a strict sign, not for the regions' one)."""
    from plrnn_symbolic.analysis.simulation.sliding import SlidingMotion
    from plrnn_symbolic.analysis.simulation.sliding_balls import certify

    m = ps.PLRNN(A=[["0.427", 0, 0], [0, "0.31", 0], [0, 0, "0.547"]],
                 W=[[0, "0.702", "0.282"], ["-0.992", 0, "0.057"], ["0.195", "-0.2", 0]], h=["-0.702", "-0.891", "-0.229"])
    r = simulate(m, 2, z0=[-0.001, 0.12, -0.224], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    minus, plus = sg.regions
    assert minus[2] == plus[2] == "0"
    right = SlidingMotion(m, 0, r.systems[minus], r.systems[plus], sg)
    assert certify(right, sg.start_state, None, [0.01], [sg.start_state])[0] is not None
    other = ps.derive(m, [minus[:2] + "1", plus[:2] + "1"], mode="certified").systems
    wrong = SlidingMotion(m, 0, other[minus[:2] + "1"], other[plus[:2] + "1"], sg)
    assert certify(wrong, sg.start_state, None, [0.01], [sg.start_state]) == (None, 0.0, "the region systems as enclosed")


# ---- the Taylor coefficients of the enclosure: the one-pass recurrence against Picard and exact arithmetic --
def _exact_coefficients(Fm, cm, Fp, cp, w, z, n):
    """c_0 .. c_{n-1} of z' = f_s from the rational point z, in Fractions, by n Picard iterations on
    truncated power series with 1/d expanded as the geometric series (1/d_0) sum_m (-(d - d_0)/d_0)^m (a
    route independent of the package's: no Cauchy-product division, v-+ = w.f-+ formed from the fields)."""
    M = len(z)

    def mul(p, q):
        return [sum(p[j] * q[k - j] for j in range(k + 1)) for k in range(n)]

    def affine(F, c, C):
        return [[sum((F[i][j] * C[j][k] for j in range(M)), Fraction(c[i]) if k == 0 else Fraction(0))
                 for k in range(n)] for i in range(M)]

    C = [[Fraction(z[i])] + [Fraction(0)] * (n - 1) for i in range(M)]
    for _ in range(n):
        fm, fp = affine(Fm, cm, C), affine(Fp, cp, C)
        vm = [sum(w[i] * fm[i][k] for i in range(M)) for k in range(n)]
        vp = [sum(w[i] * fp[i][k] for i in range(M)) for k in range(n)]
        d = [x - y for x, y in zip(vm, vp, strict=True)]
        u = [Fraction(0)] + [-x / d[0] for x in d[1:]]
        inv, power = [Fraction(0)] * n, [Fraction(1)] + [Fraction(0)] * (n - 1)
        for _m in range(n):
            inv = [x + y / d[0] for x, y in zip(inv, power, strict=True)]
            power = mul(power, u)
        a = mul(vm, inv)
        fs = [[fm[i][k] + x for k, x in enumerate(mul(a, [p - q for p, q in zip(fp[i], fm[i], strict=True)]))]
              for i in range(M)]
        C = [[Fraction(z[i])] + [fs[i][k] / (k + 1) for k in range(n - 1)] for i in range(M)]
    return C


def _ball_of(x):
    import flint

    x = Fraction(x)
    return flint.arb(x.numerator) / x.denominator


def _fraction_of(ball):
    """The midpoint of a FLINT ball, exactly."""
    m, e = ball.mid().man_exp()
    return Fraction(int(m)) * Fraction(2) ** int(e)


def _balls_of(Fm, cm, Fp, cp, w):
    """A _SlidingBalls on the given rational sides and surface normal w (balls around them; exact where
    they are dyadic), built without a motion: the attributes its __init__ sets for the enclosure."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding_balls import _SlidingBalls

    M = len(w)
    b = object.__new__(_SlidingBalls)
    b.M = M
    b.Fm, b.Fp = (flint.arb_mat(M, M, [_ball_of(x) for r in F for x in r]) for F in (Fm, Fp))
    b.cm, b.cp = (flint.arb_mat(M, 1, [_ball_of(x) for x in c]) for c in (cm, cp))
    wb = [_ball_of(x) for x in w]
    b.wFm = [sum((wb[i] * b.Fm[i, j] for i in range(M)), flint.arb(0)) for j in range(M)]
    b.wFp = [sum((wb[i] * b.Fp[i, j] for i in range(M)), flint.arb(0)) for j in range(M)]
    b.wcm = sum((wb[i] * b.cm[i, 0] for i in range(M)), flint.arb(0))
    b.wcp = sum((wb[i] * b.cp[i, 0] for i in range(M)), flint.arb(0))
    b.others, b.enclosed, b._rows, b._cache = [], False, None, {}
    return b


def _random_sliding_system(seed, M):
    """Rational F-+, c-+ (denominators up to 9) with w = e_1 and a rational point z on z_1 = 0 where
    v_- > 0 > v_+ (the sliding condition), from the seed."""
    rng = np.random.default_rng(seed)

    def q():
        return Fraction(int(rng.integers(-9, 10)), int(rng.integers(1, 10)))

    while True:
        Fm, Fp = ([[q() for _ in range(M)] for _ in range(M)] for _ in range(2))
        cm, cp = [q() for _ in range(M)], [q() for _ in range(M)]
        z = [Fraction(0)] + [q() for _ in range(M - 1)]
        vm = sum(Fm[0][j] * z[j] for j in range(M)) + cm[0]
        vp = sum(Fp[0][j] * z[j] for j in range(M)) + cp[0]
        if vm > Fraction(1, 4) and vp < -Fraction(1, 4):
            return Fm, cm, Fp, cp, [1] + [0] * (M - 1), z


@functools.cache
def _model_system(which):
    """A test model's sliding motion's _SlidingBalls, and its two sides with their FLINT balls replaced by
    the balls' midpoints (exact dyadic rationals), the normal and the motion's start (exact)."""
    from plrnn_symbolic.analysis.simulation.sliding import SlidingMotion
    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC, _SlidingBalls
    from plrnn_symbolic.core.domains import working_precision

    if which == "2-unit":
        m, z0 = sliding_model(), [-0.01, 0.25]
    else:
        m = ps.PLRNN(A=[["0.427", 0, 0], [0, "0.31", 0], [0, 0, "0.547"]],
                     W=[[0, "0.702", "0.282"], ["-0.992", 0, "0.057"], ["0.195", "-0.2", 0]],
                     h=["-0.702", "-0.891", "-0.229"])
        z0 = [-0.001, 0.12, -0.224]
    r = simulate(m, 2, z0=z0, system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    motion = SlidingMotion(m, 0, r.systems[sg.regions[0]], r.systems[sg.regions[1]], sg)
    with working_precision(CERT_PREC):
        b = _SlidingBalls(motion, None)
    M = b.M
    Fm, Fp = ([[_fraction_of(F[i, j]) for j in range(M)] for i in range(M)] for F in (b.Fm, b.Fp))
    cm, cp = ([_fraction_of(c[i, 0]) for i in range(M)] for c in (b.cm, b.cp))
    w = [1 if i == sg.surface - 1 else 0 for i in range(M)]
    return b, (Fm, cm, Fp, cp, w, [Fraction(float(x)) for x in sg.start_state])


SYSTEMS = ["2-unit", "3-unit"] + [("random", seed, M) for seed, M in ((0, 2), (1, 3), (2, 3), (3, 4), (4, 4))]


def _system(spec):
    if isinstance(spec, str):
        return _model_system(spec)[1]
    return _random_sliding_system(spec[1], spec[2])


@functools.cache
def _exact_at(spec, z, n):
    """_exact_coefficients of the system ``spec`` at the point z, kept (the mutants ask for the same)."""
    Fm, cm, Fp, cp, w, _ = _system(spec)
    return _exact_coefficients(Fm, cm, Fp, cp, w, list(z), n)


def _recurrence_contains_exact(spec, n=9, coefficients=None, box=True) -> bool:
    """Whether the coefficient balls c_0 .. c_{n-1} (of ``coefficients``, default the package's route) at
    the exact rational point z, and (``box``) at a box of radius 1e-3 around z, contain the exact
    coefficients at z and at the box's points z +- 1e-3 e_i (the box's balls hold every point's)."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC, _SlidingBalls
    from plrnn_symbolic.core.domains import working_precision

    Fm, cm, Fp, cp, w, z = _system(spec)
    M, r = len(z), Fraction(1, 1000)
    coefficients = coefficients or _SlidingBalls._coefficients
    with working_precision(CERT_PREC):
        b = _balls_of(Fm, cm, Fp, cp, w)
        at = coefficients(b, [_ball_of(x) for x in z], n)
        box = coefficients(b, [flint.arb(_ball_of(x), _ball_of(r)) for x in z], n)
        points = [z] + [[x + (s * r if i == j else 0) for j, x in enumerate(z)] for i in range(M) for s in (-1, 1)
                        if box]
        for p in points:
            exact = _exact_at(spec, tuple(p), n)
            for i in range(M):
                for k in range(n):
                    if not box[i][k].contains(_ball_of(exact[i][k])):
                        return False
                    if p is z and not at[i][k].contains(_ball_of(exact[i][k])):
                        return False
    return True


@pytest.mark.parametrize("spec", SYSTEMS)
def test_taylor_coefficients_contain_the_exact_ones_and_meet_picards(spec):
    """The one-pass recurrence's coefficient balls (order 8) contain the coefficients computed exactly in
    rational arithmetic, at a rational point and over a box around it; so do the Picard route's; and at
    order 16 (past FLINT's default series cap of 10 terms) the two routes' balls overlap for every
    coefficient, at the point and on the box, with no c_k for k >= 10 left at 0 at the point."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC, _SlidingBalls
    from plrnn_symbolic.core.domains import working_precision

    assert _recurrence_contains_exact(spec)
    assert _recurrence_contains_exact(spec, coefficients=_SlidingBalls._coefficients_picard)
    cap = flint.ctx.cap
    with working_precision(CERT_PREC):
        if isinstance(spec, str):
            b, (*_, z) = _model_system(spec)            # the model's own balls (enclosures of logm)
        else:
            Fm, cm, Fp, cp, w, z = _system(spec)
            b = _balls_of(Fm, cm, Fp, cp, w)
        for zb in ([_ball_of(x) for x in z], [flint.arb(_ball_of(x), 1e-4) for x in z]):
            new, old = b.coefficients(zb, 16), b._coefficients_picard(zb, 17)
            assert all(new[i][k].overlaps(old[i][k]) for i in range(b.M) for k in range(17))
            assert zb[0].rad() > 0 or any(not new[i][k].contains(0) for i in range(b.M) for k in range(10, 17))
            # as tight as Picard's or nearly: on the models' sides (F-+ - F-+ formed once, not from two wide
            # products) much tighter; on a rational system the two routes' roundings differ by a small factor
            widths = [sum(float(x.rad()) for r in c for x in r) for c in (new, old)]
            assert widths[0] <= (0.5 if isinstance(spec, str) else 2.5) * widths[1]
    assert flint.ctx.cap == cap


def _mutant(old, new):
    """The package's _coefficients with the source text ``old`` replaced by ``new`` (which must occur)."""
    import inspect
    import textwrap

    from plrnn_symbolic.analysis.simulation import sliding_balls

    src = textwrap.dedent(inspect.getsource(sliding_balls._SlidingBalls._coefficients))
    assert src.count(old) == 1
    scope = dict(vars(sliding_balls))
    exec(src.replace(old, new), scope)  # noqa: S102 (the package's own source, one edit: a mutant)
    return scope["_coefficients"]


@pytest.mark.parametrize("old, new", [
    ("for j in range(1, k + 1):", "for j in range(1, k):"),       # the division's sum one term short
    ("num -= d[j] * a[k - j]", "num -= d[j] * a[k - j - 1]"),       # off by one inside it
    ("rev[k - j, 0] = a[j]", "rev[k - j, 0] = a[k - j]"),           # the convolution not reversed
    ("col = (F + D * rev) / (k + 1)", "col = (F + D * rev) / (k + 2)"),  # c_{k+1} = f_k / (k + 2)
    ("a.append(num / d[0])", "a.append(num / d[-1])"),              # divided by the last d_k
])
def test_a_wrong_recurrence_is_caught_by_the_exact_coefficients(old, new):
    """Each mutation of the recurrence (the source of _SlidingBalls._coefficients with one edit) gives
    coefficient balls that miss the exact coefficients on some of the systems; the same source unedited,
    built the same way, does not."""
    assert all(_recurrence_contains_exact(spec, coefficients=_mutant(old, old), box=False) for spec in SYSTEMS[:4])
    mutant = _mutant(old, new)
    assert not all(_recurrence_contains_exact(spec, coefficients=mutant, box=False) for spec in SYSTEMS[:4])


def test_taylor_coefficients_are_reused_only_for_the_same_balls():
    """The coefficients kept for a ball vector are returned for exactly equal balls (a copy: changing
    it changes nothing kept), and balls that differ in a midpoint's last bit or a radius are computed
    again."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding_balls import CERT_PREC
    from plrnn_symbolic.core.domains import working_precision

    Fm, cm, Fp, cp, w, z = _random_sliding_system(1, 3)
    with working_precision(CERT_PREC):
        b = _balls_of(Fm, cm, Fp, cp, w)
        zb = [_ball_of(x) for x in z]
        first = b.coefficients(zb, 8)
        first[1][3] = flint.arb(12345)
        again = b.coefficients([_ball_of(x) for x in z], 8)
        fresh = b._coefficients(zb, 9)
        assert all(again[i][k].mid() == fresh[i][k].mid() and again[i][k].rad() == fresh[i][k].rad()
                   for i in range(3) for k in range(9))
        for moved in ([zb[0], zb[1] * (1 + flint.arb(2) ** -120), zb[2]], [zb[0], zb[1], flint.arb(zb[2], 1e-9)]):
            got, ref = b.coefficients(moved, 8), b._coefficients(moved, 9)
            assert all(got[i][k].mid() == ref[i][k].mid() and got[i][k].rad() == ref[i][k].rad()
                       for i in range(3) for k in range(9))
            assert any(got[i][k].mid() != fresh[i][k].mid() or got[i][k].rad() != fresh[i][k].rad()
                       for i in range(3) for k in range(9))


@pytest.mark.parametrize(("z0", "budget"), [([-2.3737684161446886e-05, 0.056], None), ([-0.01, 0.25], 18)])
def test_the_bound_holds_at_every_float_state_of_a_bracketed_run(monkeypatch, z0, budget):
    """A run whose end is bracketed counts as covered up to its end, so the proved bound must hold for every
    float state of it, against the closed form.  It held only up to the last point the Taylor steps reached:
    the end state (first case: 1.6e-15 from the exact motion, bound 1.6e-17) and, with the step budget spent
    before the end (second case), the integrator's points between there and the bracket were not bounded."""
    from plrnn_symbolic.analysis.simulation import sliding, sliding_balls

    runs = []
    real = sliding.enclose

    def spy(motion, z0, s, ts, zs, t0=0.0, end=None, t_end=None):
        runs.append((np.array(z0, dtype=float), t0, list(ts), [np.array(z, dtype=float) for z in zs]))
        return real(motion, z0, s, ts, zs, t0, end, t_end)

    monkeypatch.setattr(sliding, "enclose", spy)
    if budget is not None:
        monkeypatch.setattr(sliding_balls, "MAX_CERT_STEPS", budget)
    r = simulate(sliding_model(), 3, z0=z0, system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    assert sg.exit_bracket is not None and not sg.uncovered and sg.certified_duration == sg.duration
    cf = ClosedForm()
    for start, t0, ts, zs in runs:
        assert start[0] == 0
        for t, z in zip(ts, zs, strict=True):
            assert z[0] == 0
            with mpmath.workdps(40):       # the time difference exactly (at 53 bits it is off by ~1e-17)
                exact = cf.state(start[1], mpmath.mpf(float(t)) - mpmath.mpf(float(t0)))
                assert abs(mpmath.mpf(float(z[1])) - exact) <= sg.certified_bound


def test_the_float_end_past_the_bracket_is_not_covered():
    """A general-form model whose float end, stepped past the fold, lies beyond the bracket's t_b (by 1e-13,
    the bracket 1.1e-13 wide): past t_b the ending condition is proved violated, so that stretch is listed as
    not enclosed (it counted as covered, the sliding condition said proved on the whole segment)."""
    R = Fraction
    m = ps.model.family.ReluRNN(np.diag([R(357, 1000), R(349, 500)]).tolist(),
                                [[R(46, 125), R(699, 1000)], [R(-629, 1000), R(-539, 1000)]],
                                [[R(-353, 500), R(-11, 20)], [R(117, 250), R(-37, 50)]],
                                [R(63, 1000), R(-143, 250)], [R(-411, 1000), R(-137, 1000)])
    r = simulate(m, 2, z0=[-0.32061035972721313, -0.3357183180339557], system="autonomous", e1=False)
    sg = r.sliding_segments[0]
    assert "a reached 1" in sg.end and sg.exit_bracket is not None
    tb = sg.exit_bracket[1]
    assert sg.end_time > tb                     # the float end past the bracket (the precondition of the test)
    assert sg.uncovered and sg.uncovered[-1] == (tb, sg.end_time)
    assert sg.start_time + sg.certified_duration <= tb + 1e-15
    assert abs(sum(b - a for a, b in sg.uncovered) - (sg.duration - sg.certified_duration)) < 1e-15


def test_a_sliding_segment_stopped_by_chattering_says_so():
    """Sliding on unit 3 = 0, the state reaches unit 2 = 0 and the pair of regions flips back and forth until
    the run stops (more than MAX_SWITCHES switches in one step); the segment said "still sliding at the end of
    the run" although the trajectory stopped there."""
    m = ps.PLRNN(A=[["0.588", 0, 0], [0, "0.381", 0], [0, 0, "0.482"]],
                 W=[[0, "-0.370", "0.828"], ["0.025", 0, "-0.375"], ["1.137", "-0.951", 0]], h=["-0.111", "-0.550", "-0.301"])
    r = simulate(m, 4, z0=[1.944763495739285, 1.951074912954526, -1e-09], system="autonomous", e1=False)
    ev = r.sliding[-1]
    assert ev.action.startswith("stopped (chattering")
    sg = r.sliding_segments[-1]
    assert sg.end_time == ev.time and "chattering" in sg.end and "still sliding" not in sg.end
    assert sg.exit_bracket is None


def test_a_nan_float_state_is_never_within_a_bound():
    """The distance of a float state from a ball is rounded up by _up; a NaN state gives a NaN ball, whose
    bound must be inf (max() would silently drop a NaN and report the other states' bound for it)."""
    import flint

    from plrnn_symbolic.analysis.simulation.sliding_balls import _up

    assert _up((flint.arb(1) - float("nan")).abs_upper()) == float("inf")
    assert max([1e-15, _up((flint.arb(1) - float("nan")).abs_upper())]) == float("inf")
    assert _up(flint.arb(0.1)) >= 0.1 and _up(flint.arb(1, 1e-20)) > 1
