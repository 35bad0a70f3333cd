"""simulate: the continuous-time systems against the discrete map, E1 against independent routes."""

import argparse
import json
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
from _independent import rotation_model
from hypothesis import given, settings
from hypothesis import strategies as st

from plrnn_symbolic import FAILS, HOLDS, PLRNN, example, region_of
from plrnn_symbolic.analysis.simulation import driver, enclosures, exit_proofs, simulate
from plrnn_symbolic.cli.simulate_command import add_arguments, run_cli
from plrnn_symbolic.core.domains import working_precision
from plrnn_symbolic.testing import initial_states, input_sequences, plrnns


def on_circle(phi_deg, r, center=(1.0, 3.0)):
    p = math.radians(phi_deg)
    return [center[0] + r * math.cos(p), center[1] + r * math.sin(p)]


# ---- the hybrid system (E3) ----------------------------------------------------------------------
@settings(max_examples=12)
@given(data=st.data(), condition=st.sampled_from(["principal_log", "no_real_log", "real_log"]))
def test_hybrid_matches_the_discrete_map_at_sample_times(data, condition):
    model = data.draw(plrnns(M=st.integers(2, 4), condition=condition, exact=False))
    z0 = data.draw(initial_states(model.M))
    r = simulate(model, 25, z0=z0, system="hybrid", e1=False)
    assert r.max_deviation_hybrid < 1e-10
    assert r.hybrid_step_deviation < 1e-10
    if condition == "no_real_log":   # every region is lifted: the hybrid runs through G and P
        assert all(s.status == "lifted" and s.dimension > model.M for s in r.systems.values())


def test_hybrid_through_lifted_regions_of_the_chaotic_example():
    m = example("chaotic")
    r = simulate(m, 40, system="hybrid", e1=False)
    assert any(s.status == "lifted" for s in r.systems.values())
    assert r.hybrid_step_deviation < 1e-12
    assert r.max_deviation_hybrid < 1e-10


def test_hybrid_step_is_the_exponential_of_the_derived_system():
    """Independent route: scipy's expm of L dt applied to G z, plus the phi1 term by quadrature."""
    m = example("limit_cycle")
    r = simulate(m, 3, system="hybrid", e1=False, mode="exact")
    z = r.discrete[0]
    s = r.systems[next(iter(r.systems))]
    E = scipy.linalg.expm(s.L * s.dt)
    phi_term = scipy.integrate.quad_vec(lambda t: scipy.linalg.expm(s.L * (s.dt - t)) @ s.g, 0, s.dt,
                                        epsabs=1e-13)[0]
    np.testing.assert_allclose(r.hybrid[1], s.P @ (E @ s.G @ z + phi_term), atol=1e-11)


# ---- E1 and the autonomous system ----------------------------------------------------------------
@settings(max_examples=10)
@given(data=st.data())
def test_autonomous_matches_where_E1_holds_for_every_step(data):
    model = data.draw(plrnns(M=st.integers(1, 3), condition="principal_log", exact=False))
    z0 = data.draw(initial_states(model.M))
    r = simulate(model, 8, z0=z0)
    if all(v.truth is HOLDS for v in r.e1):     # E2: then z(n dt) = z_n for all n
        assert r.max_deviation_autonomous < 1e-10
        assert not r.sliding
    for v in r.e1:
        if v.truth is FAILS:   # a proved exit: the region flow really has the wrong sign just after it
            s = r.systems[v.witness["region"]]
            n = v.witness["step"]
            t_hi = v.witness["time"][1]
            y = s.P @ _flow(s, s.G @ r.discrete[n], t_hi)
            u = v.witness["unit"] - 1
            assert (y[u] <= 0) if s.region[u] == "1" else (y[u] > 0)


def _flow(s, y, t):
    N = s.dimension
    aug = np.zeros((N + 1, N + 1))
    aug[:N, :N], aug[:N, N] = s.L * t, s.g * t
    return (scipy.linalg.expm(aug) @ np.append(y, 1.0))[:N]


def test_E1_catches_a_flow_that_leaves_and_returns_within_a_step():
    m = rotation_model()
    z0 = on_circle(100, 1.5)              # the arc from 100 to 270 degrees passes x < 0 near 180
    r = simulate(m, 1, z0=z0)
    assert r.discrete[0].tolist() and (r.discrete[1] > 0).all() and (r.discrete[0] > 0).all()
    v = r.e1[0]
    assert v.truth is FAILS and v.witness["unit"] == 1
    lo, hi = v.witness["time"]
    assert 0 < lo < hi < 1 and hi - lo < 1e-8        # the exit is proved within dt 2^-27
    # the discrete map never noticed; the autonomous system left region 11 at that time
    assert r.max_deviation_hybrid < 1e-12
    assert r.segments[0].region == "11" and lo - 1e-12 <= r.segments[0].t1 <= hi + 1e-12


def test_sliding_is_followed_not_chattered():
    """At x = 0 the field of region 11 points to x < 0 and the (lifted) field of region 01 back to x > 0:
    the trajectory slides on x = 0 (Filippov) instead of stopping or chattering."""
    r = simulate(rotation_model(), 2, z0=on_circle(100, 1.5))
    assert not r.sliding and len(r.sliding_segments) == 1
    sg = r.sliding_segments[0]
    assert sg.surface == 1 and sg.regions == ("01", "11") and "region 01 is lifted" in sg.method
    lo, hi = r.e1[0].witness["time"]
    assert sg.start_state[0] == 0 and lo - 1e-12 <= sg.start_time <= hi + 1e-12
    # an independent check of the two fields at the sliding point
    s11, s01 = r.systems["11"], r.systems["01"]
    z = sg.start_state
    assert (s11.L @ z + s11.g)[0] < 0 < (s01.P @ (s01.L @ s01.G @ z + s01.g))[0]
    assert np.isfinite(r.autonomous).all() and np.all(r.autonomous[1:, 0] == 0) and np.isfinite(r.hybrid).all()
    assert "sliding" in r.summary() and r.to_dict()["sliding_segments"][0]["surface"] == "unit 1"


def test_E1_holds_where_the_arc_stays_inside():
    m = rotation_model()
    r = simulate(m, 1, z0=on_circle(230, 1.5))   # 230 -> 400 degrees avoids x < 0 (132 ... 228 degrees)
    assert r.e1[0].truth is HOLDS
    assert r.max_deviation_autonomous < 1e-12


def test_a_brief_dip_that_a_float_grid_misses_is_found():
    theta = 170.0
    m = rotation_model(theta, rho=1.0)      # a pure rotation about (1, 3)
    # radius 1 + 1e-5: x dips to -1e-5 around phi = 180 degrees, for about 0.3 % of the step
    t180 = 80.0 / theta
    z0 = on_circle(100, 1 + 1e-5)
    r = simulate(m, 1, z0=z0, mode="exact")
    s = r.systems["11"]
    grid = np.array([s.P @ _flow(s, s.G @ np.array(z0), t) for t in np.linspace(0, 1, 41)])
    assert (grid > 0).all()                    # a 41-point float grid sees nothing
    v = r.e1[0]
    assert v.truth is FAILS and v.witness["unit"] == 1
    assert abs(v.witness["time"][0] - t180) < 0.002
    lo, hi = v.witness["time"]
    assert r.segments[0].region == "11" and lo - 1e-12 <= r.segments[0].t1 <= hi + 1e-12


# ---- inputs, examples, output ------------------------------------------------------------------------
@settings(max_examples=6)
@given(data=st.data())
def test_inputs_are_held_over_each_step(data):
    model = data.draw(plrnns(M=st.integers(2, 3), condition="principal_log", exact=False, inputs=2))
    s = np.array(data.draw(input_sequences(10, 2)))
    r = simulate(model, 10, z0=data.draw(initial_states(model.M)), inputs=s)
    assert r.max_deviation_hybrid < 1e-10
    np.testing.assert_allclose(r.discrete, model.trajectory(r.discrete[0], 10, s))
    if all(v.truth is HOLDS for v in r.e1):
        assert r.max_deviation_autonomous < 1e-10


def _one_step_deviation_by_loop(r) -> float:
    """max_n |hybrid step from z_n - z_{n+1}|, step by step, from the run's own region systems."""
    sim = driver._Simulator(r.model, r.mode, 30)
    sim.systems.update(r.systems)
    dev = 0.0
    for n in range(r.steps):
        bits = region_of(r.discrete[n])
        if sim.usable(bits) is not None:
            s = None if r.inputs is None else r.inputs[n]
            err = float(np.abs(sim.hybrid_step(bits)(r.discrete[n], s) - r.discrete[n + 1]).max())
            dev = max(dev, err)            # NaN (after an overflow) left out: max keeps dev
    return dev


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_one_step_deviation_agrees_with_a_step_by_step_loop():
    """The per-region products of hybrid_step_deviation against a plain loop: with inputs, where the
    continuous systems stop (singular regions), on float weights (a deviation > 0) and where the
    map overflows (NaN steps left out, as the loop leaves them)."""

    rng = np.random.default_rng(3)
    leaky = PLRNN(A=np.diag([0.5, 0.9, 0.9]), W=[[0, 0, 0], [0.5, 0, 0], [0, 0, 0]], h=[-0.5, 0, 0],
                  C=[[1, 1], [0, 0], [0, 1]])
    runs = [simulate(leaky, 60, z0=[0.1, 0, 0], inputs=rng.uniform(0, 1, (60, 2)), system="hybrid", e1=False),
            simulate(example("input_driven"), 3, inputs=[[0.5, 1], [0.25, 0], [0, 0]], system="hybrid", e1=False),
            simulate(example("vdp_trained"), 200, system="hybrid", e1=False),
            simulate(PLRNN(A=[[0.5, 0], [0, 3.0]], W=[[0, 0], [0, 0]], h=[0, 0]), 12, z0=[1.0, 1e303],
                     system="hybrid", e1=False, mode="float")]
    for r in runs:        # the same up to the order of rounding (one product per region against one per step)
        assert r.hybrid_step_deviation == pytest.approx(_one_step_deviation_by_loop(r), rel=1e-9, abs=1e-14)
    assert 0 < runs[2].hybrid_step_deviation < 1e-12 and runs[3].hybrid_step_deviation > 1e290


def test_singular_regions_stop_the_continuous_systems_and_say_so():
    m = example("input_driven")
    r = simulate(m, 3, inputs=[[0.5, 1], [0.25, 0], [0, 0]])
    assert np.isnan(r.hybrid[1:]).all() and np.isnan(r.autonomous[1:]).all()
    assert any("singular" in n or "impossible" in n for n in r.notes)
    assert all(v.status == "undecided" for v in r.e1)


def test_limit_cycle_example_on_its_cycle():
    m = example("limit_cycle")
    r = simulate(m, 72, burn_in=2000, mode="exact")
    assert r.max_deviation_hybrid < 1e-10
    c = r.e1_counts
    assert c["undecided"] == 0 and c["fails"] == 30      # 15 of the 36 steps of the cycle leave their region
    assert all(v.witness["region"] for v in r.e1)


def test_json_keys_and_cli(tmp_path, capsys):
    r = simulate(example("limit_cycle"), 5)
    d = json.loads(json.dumps(r.to_dict()))
    assert {"max_deviation_hybrid", "max_deviation_autonomous", "e1"} <= set(d)
    assert set(d["e1"]) == {"holds", "fails", "undecided"} and sum(d["e1"].values()) == 5
    assert len(d["e1_steps"]) == 5 and len(d["hybrid"]) == 6
    p = argparse.ArgumentParser()
    p.add_argument("model", nargs="?")
    p.add_argument("--example")
    add_arguments(p)
    png = tmp_path / "f.png"
    assert run_cli(p.parse_args(["--example", "limit_cycle", "--steps", "40", "--json", "--plot", str(png)])) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == 40 and png.stat().st_size > 10_000
    assert run_cli(p.parse_args(["--example", "limit_cycle", "--steps", "5", "--system", "hybrid"])) == 0
    assert "hybrid" in capsys.readouterr().out


def test_bad_arguments_are_input_errors():
    from plrnn_symbolic import InputError

    m = example("limit_cycle")
    with pytest.raises(InputError):
        simulate(m, 5, system="chaotic")
    with pytest.raises(InputError):
        simulate(m, -1)
    with pytest.raises(InputError):
        simulate(m, 5, inputs=[[1.0]] * 5)


# ---- the autonomous system's fast scan against the plain bisection ----------------------------------
@pytest.mark.parametrize("name", ["limit_cycle", "chaotic", "vdp_trained"])
def test_fast_scan_finds_the_same_exits_as_the_bisection(name):
    """_scan_fast (one enclosure per interval, exits located in floats, then proved) decides every
    step like _scan (dyadic cells bisected to the finest level): the same truth, and for an exit
    the same finest cell and units."""
    m = example(name)
    r = simulate(m, 60, burn_in=0 if name == "chaotic" else 500, system="hybrid", e1=False)
    sim = driver._Simulator(m, "certified", 30)
    sim.systems.update(r.systems)
    exits = 0
    for z in r.discrete[:-1]:
        bits = region_of(z)
        sysm = sim.usable(bits)
        if sysm is None:
            continue
        flow = sim.ball(bits)
        for p0 in (0, 12345, enclosures._UNITS // 3):
            with working_precision(enclosures.PREC):
                y = flow.y0(sysm.G @ z, None)
                a = exit_proofs._scan(flow, y, p0, enclosures._UNITS)
                b = exit_proofs._scan_fast(flow, y, p0, enclosures._UNITS)
            assert a.truth is b.truth
            if a.truth is FAILS:
                exits += 1
                assert (a.p_lo, a.p_hi, a.units) == (b.p_lo, b.p_hi, b.units)
            else:
                assert np.allclose(a.end_state(flow.n), b.end_state(flow.n), atol=1e-12)
    assert exits > 10


def test_fast_scan_does_not_miss_a_dip_between_its_float_samples():
    """The 16 float samples see nothing of a dip of 0.3 % of the step: the proof of the interval
    fails there, and the exit is still found (the same finest cell as the bisection)."""
    m = rotation_model(170.0, rho=1.0)
    z0 = np.array(on_circle(100, 1 + 1e-5))
    r = simulate(m, 1, z0=z0, mode="exact")
    sim = driver._Simulator(m, "exact", 30)
    sim.systems.update(r.systems)
    sysm = sim.usable("11")
    flow = sim.ball("11")
    with working_precision(enclosures.PREC):
        y = flow.y0(sysm.G @ z0, None)
        assert exit_proofs._float_exit(flow, enclosures._mid(y, flow.n), 1.0) is None
        a = exit_proofs._scan(flow, y, 0, enclosures._UNITS)
        b = exit_proofs._scan_fast(flow, y, 0, enclosures._UNITS)
    assert a.truth is b.truth is FAILS and (a.p_lo, a.p_hi, a.units) == (b.p_lo, b.p_hi, b.units)


def test_point_map_encloses_the_flow_for_any_number_of_time_units():
    """_point (products of cached e^{Aug c 8^j unit}) contains the float flow computed by scipy."""
    m = example("limit_cycle")
    r = simulate(m, 3, system="hybrid", e1=False)
    bits = next(iter(r.systems))
    sysm = r.systems[bits]
    flow = enclosures._ball_flow(sysm, 30)
    assert enclosures._ball_flow(sysm, 30) is flow                     # cached per system object
    rng = np.random.default_rng(1)
    z = rng.normal(size=m.M)
    with working_precision(enclosures.PREC):
        y = flow.y0(sysm.G @ z, None)
        for d in [1, 7, 8, 9, 511, 12345, enclosures._UNITS // 3, enclosures._UNITS - 1, enclosures._UNITS]:
            t = d * float(m.dt) / enclosures._UNITS
            ref = _flow(sysm, sysm.G @ z, t)
            yb = enclosures._point(flow, y, d)
            for i in range(sysm.dimension):
                assert abs(float(yb[i, 0].mid()) - ref[i]) < 1e-12
                assert float(yb[i, 0].rad()) < 1e-9


def test_doubled_cell_enclosures_contain_the_derivatives_of_the_flow():
    """The cell enclosures (exp at the finer levels, doubling by product and union at the coarser
    ones) contain S Aug e^{Aug t} y and S Aug^2 e^{Aug t} y, computed by scipy, for t across each cell."""
    for name in ("limit_cycle", "vdp_trained"):
        m = example(name)
        r = simulate(m, 3, system="hybrid", e1=False)
        rng = np.random.default_rng(7)
        for sysm in list(r.systems.values())[:3]:
            flow = enclosures._BallFlow(sysm, 30)
            Af, Sf = flow.float_maps()
            ya = flow.augment(sysm.G @ rng.normal(size=m.M), None)
            with working_precision(enclosures.PREC):
                y = flint_col(ya)
                for k in range(-enclosures.BASE_CELLS, enclosures.ENCLOSURE_ROOT + 2):
                    w, Td, Tdd = flow.enclosure(k)
                    d1, d2 = (Td * flow.modal(y)).entries(), (Tdd * flow.modal(y)).entries()
                    for t in np.linspace(0.0, float(w), 9):
                        v = Af @ scipy.linalg.expm(Af * t) @ ya
                        for balls, vals in ((d1, Sf @ v), (d2, Sf @ Af @ v)):
                            for b, x in zip(balls, vals, strict=True):
                                tol = 1e-12 * (1 + abs(x))
                                assert float(b.lower()) - tol <= x <= float(b.upper()) + tol


def flint_col(v):
    import flint

    return flint.arb_mat(len(v), 1, [float(x) for x in v])


def test_cold_and_cached_region_enclosures_give_the_same_trajectory():
    import dataclasses

    m = example("limit_cycle")
    r = simulate(m, 40, burn_in=500, system="autonomous", e1=False)
    again = simulate(m, 40, z0=r.discrete[0], system="autonomous", e1=False, systems=r.systems)
    cold = simulate(m, 40, z0=r.discrete[0], system="autonomous", e1=False,
                    systems={b: dataclasses.replace(s) for b, s in r.systems.items()})
    np.testing.assert_array_equal(r.autonomous, again.autonomous)
    np.testing.assert_array_equal(r.autonomous, cold.autonomous)


def test_a_state_next_to_the_boundary_does_not_crash_the_scan():
    # found by the thorough hypothesis profile: a subnormal coordinate left less than a sample to screen

    m = PLRNN(A=np.diag([0.5, 0.5, 0.5]), W=[[0, 0, 0], ["9/40", 0, 0], [0, 0, 0]], h=[1, 0, 0])
    r = simulate(m, 8, z0=[0.0, 1.1125369292536007e-308, 0.0])
    assert len(r.e1) == 8 and r.max_deviation_hybrid < 1e-12
