"""The rigorous bounds behind the autonomous scan (simulation.exit_proofs._interval), each against dense float
sampling of the true flow, and mutations that drop a term of a bound and are caught."""

import math
from fractions import Fraction

import flint
import numpy as np
import pytest
import scipy.linalg
from _independent import rotation_model

from plrnn_symbolic import PLRNN, example, region_of
from plrnn_symbolic.analysis.simulation import driver, enclosures, exit_proofs, simulate
from plrnn_symbolic.core import floatball
from plrnn_symbolic.core.domains import working_precision


def _col(v):
    return flint.arb_mat(len(v), 1, [float(x) for x in v])


def _sampled(flow, ya, p, q, k=400):
    """The sign-adjusted coordinates of the float flow from ya (at unit 0) at k + 1 times in [p, q]."""
    Af, Sf = flow.float_maps()
    E = scipy.linalg.expm(Af * ((q - p) * flow.unit / k))
    y = scipy.linalg.expm(Af * (p * flow.unit)) @ ya
    out = np.empty((k + 1, Sf.shape[0]))
    for i in range(k + 1):
        out[i] = Sf @ y
        y = E @ y
    return out


def test_quadratic_nonnegative_against_sampling():
    rng = np.random.default_rng(3)
    proved = 0
    for _ in range(3000):
        a, b, c = rng.uniform(0, 1), rng.normal(0, 3), rng.normal(0, 10)
        D = rng.uniform(0.01, 1)
        ok = exit_proofs._quadratic_nonnegative(flint.arb(a), flint.arb(b), flint.arb(c), flint.arb(D))
        t = np.linspace(0, D, 2001)
        true_min = float(np.min(a + b * t + c * t * t / 2))
        if ok:
            proved += 1
            assert true_min >= -1e-12
        elif true_min > 1e-3:      # the bound is the exact minimum: it only fails where the minimum is ~0
            assert true_min < 1e-3, (a, b, c, D)
    assert proved > 1000
    # the convex case with the vertex inside: 1 - 3t + 2t^2 has its minimum -1/8 at t = 3/4
    assert not exit_proofs._quadratic_nonnegative(flint.arb(1), flint.arb(-3), flint.arb(4), flint.arb(1))
    assert exit_proofs._quadratic_nonnegative(flint.arb(1), flint.arb(-3), flint.arb("4.6"), flint.arb(1))
    # concave: the minimum at the end
    assert not exit_proofs._quadratic_nonnegative(flint.arb(1), flint.arb(0), flint.arb(-3), flint.arb(1))
    assert exit_proofs._quadratic_nonnegative(flint.arb(1), flint.arb(0), flint.arb(-1.9), flint.arb(1))


def test_nonnegative_box_contains_exactly_the_nonnegative_balls():
    X = enclosures._nonnegative(3)
    with working_precision(enclosures.PREC):
        assert X.contains(flint.arb_mat(3, 1, [0, 1, 2.5]))
        assert not X.contains(flint.arb_mat(3, 1, [1, -1e-300, 1]))
        assert not X.contains(flint.arb_mat(3, 1, [1, flint.arb(1e-20, 2e-20), 1]))   # dips below 0
        assert X.contains(flint.arb_mat(3, 1, [1, flint.arb(2e-20, 1e-20), 1]))


@pytest.mark.parametrize("name", ["vdp_trained", "limit_cycle"])
def test_interval_verdicts_against_dense_sampling(name):
    """Every interval _interval proves inside is inside on a dense float sampling of the true flow,
    and every unit it proves outside is < 0 at q; intervals run up to and past the float exit, so
    that chunks ending next to a boundary (chord, mean-value and Taylor forms) are exercised."""
    m = example(name)
    r = simulate(m, 40, burn_in=500, system="hybrid", e1=False)
    sim = driver._Simulator(m, "certified", 30)
    sim.systems.update(r.systems)
    verdicts = {exit_proofs._IN: 0, exit_proofs._OUT: 0, exit_proofs._UNDECIDED: 0}
    near = 0
    lifted = 0
    whole = 0
    for z in r.discrete[:-1]:
        bits = region_of(z)
        sysm = sim.usable(bits)
        flow = sim.ball(bits)
        lifted += sysm.dimension > m.M
        ya = flow.augment(sysm.G @ z, None)
        tau = exit_proofs._float_exit(flow, ya, float(m.dt))
        ends = [enclosures._UNITS // 8, enclosures._UNITS // 2, enclosures._UNITS]
        if tau is not None:
            e = int(tau / flow.unit)
            ends += [max(1, e - 2**k) for k in (4, 10, 16, 20)] + [e, e + 1, e + 2**10]
        with working_precision(enclosures.PREC):
            y = _col(ya)
            if exit_proofs._whole_step_in(flow, y):          # the whole-step form (S e^{Aug dt} in one matrix)
                whole += 1
                F = _sampled(flow, ya, 0, enclosures._UNITS)
                assert F.min() >= -1e-9 * (1 + np.abs(F).max()), (bits, F.min())
            for q in sorted({min(max(q, 1), enclosures._UNITS) for q in ends}):
                for p in (0, q // 2, q - max(1, q // 64)):
                    if p >= q:
                        continue
                    yp, yq = enclosures._point(flow, y, p), enclosures._point(flow, y, q)
                    if not flow.nonneg.contains(flow.S * yp):       # _interval presumes f(p) >= 0
                        continue
                    v, units, _ = exit_proofs._interval(flow, yp, p, q, yq)
                    verdicts[v] += 1
                    F = _sampled(flow, ya, p, q)
                    scale = 1e-9 * (1 + np.abs(F).max())
                    if v == exit_proofs._IN:
                        assert F.min() >= -scale, (bits, p, q, F.min())
                        near += tau is not None and F[-1].min() < 1e-3
                    elif v == exit_proofs._OUT:
                        assert (F[-1, units] <= scale).all()
    assert verdicts[exit_proofs._IN] > 50 and verdicts[exit_proofs._OUT] > 5 and near > 5 and whole > 10
    if name == "vdp_trained":
        assert lifted > 0


def _dip_start(start_deg=100.0, system=False):
    """(ball flow of region 11, augmented start[, region system]) for a 170-degree rotation started at
    ``start_deg``, 1e-5 outside the unit circle about (1, 3): x dips 1e-5 below 0 near 180 degrees."""
    m = rotation_model(170.0, rho=1.0)
    z0 = np.array([1 + (1 + 1e-5) * math.cos(math.radians(start_deg)),
                   3 + (1 + 1e-5) * math.sin(math.radians(start_deg))])
    r = simulate(m, 1, z0=z0, mode="exact", e1=False, system="hybrid")
    sim = driver._Simulator(m, "exact", 30)
    sim.systems.update(r.systems)
    sysm, flow = sim.usable("11"), sim.ball("11")
    return (flow, flow.augment(sysm.G @ z0, None)) + ((sysm,) if system else ())


def test_a_dip_between_two_positive_ends_is_not_proved():
    """A dip of x below 0 between two times where x > 0 (the rotation passes 1e-5 beyond the
    boundary): no form of _interval may prove the interval (a sign error in the backward Taylor
    form, tried as a mutation, is caught here), whereas the chord form without its term K f'' (a
    mutation, applied below) would, since f(p) and f(q) are both > 0."""
    flow, ya = _dip_start()
    # the flow turns 170 degrees per step from 100 degrees: x < 0 within 0.26 degrees of 180
    p, q = (int(a / 170 * enclosures._UNITS) for a in (78.0, 82.0))
    F = _sampled(flow, ya, p, q, 4000)
    assert F[0].min() > 1e-4 and F[-1].min() > 1e-4 and F.min() < -5e-6
    with working_precision(enclosures.PREC):
        y = _col(ya)
        yp, yq = enclosures._point(flow, y, p), enclosures._point(flow, y, q)
        assert exit_proofs._interval(flow, yp, p, q, yq)[0] != exit_proofs._IN
        # the mutation: K = 0 in the cached chord matrices of this interval's level
        d = q - p
        j = (d - 1).bit_length()
        key = (enclosures.MAX_LEVEL - j, (8 * d + (1 << j) - 1) >> j)
        saved = flow._chords[key]
        flow._chords[key] = saved * 0
        try:
            assert exit_proofs._interval(flow, yp, p, q, yq)[0] == exit_proofs._IN
        finally:
            flow._chords[key] = saved


def test_the_whole_step_form_does_not_prove_a_dip_within_the_step():
    """From 100 degrees a 170-degree turn passes 180 degrees, where x dips 1e-5 below 0, and ends at
    270 degrees with x > 0: the whole-step chord form (_whole_step_in) must not prove the step, and the
    fast scan finds the exit; without its term K f'' (a mutation) the form would prove it."""
    flow, ya = _dip_start()
    F = _sampled(flow, ya, 0, enclosures._UNITS, 4000)
    assert F[0].min() > 1e-4 and F[-1].min() > 1e-4 and F.min() < -5e-6
    with working_precision(enclosures.PREC):
        y = _col(ya)
        assert not exit_proofs._whole_step_in(flow, y)
        flow.span = enclosures._UNITS                       # the fast scan tries the whole step in one check
        assert exit_proofs._scan_fast(flow, y, 0, enclosures._UNITS, ya).truth.name == "FAILS"
        saved = flow.whole_step()
        C, KK, Ef, nonneg = saved
        flow._whole = (C, KK * 0, Ef, nonneg)            # the mutation: K = 0
        try:
            assert exit_proofs._whole_step_in(flow, y)
        finally:
            flow._whole = saved


def test_the_whole_step_form_needs_its_end_term():
    """From 15 degrees the step ends at 185 degrees, just past the dip: f(0) - K f'' >= 0 holds (x
    starts near 2), so only the end's f(dt) - K f'' >= 0 can refuse the step.  The form must refuse it
    and the fast scan must find the exit (a mutation dropping that term, tried, proves the step)."""
    flow, ya = _dip_start(15.0)
    F = _sampled(flow, ya, 0, enclosures._UNITS, 20000)
    assert F[0].min() > 1 and 0 < F[-1].min() < 1e-2 and F.min() < -5e-6
    with working_precision(enclosures.PREC):
        y = _col(ya)
        f0, t = flow.S * y, flow.chord(-enclosures.BASE_CELLS) * flow.modal(y)
        assert flow.nonneg.contains(f0 - t)                  # the start term passes: the end term decides
        assert not exit_proofs._whole_step_in(flow, y)
        flow.span = enclosures._UNITS
        assert exit_proofs._scan_fast(flow, y, 0, enclosures._UNITS, ya).truth.name == "FAILS"
    # the float check's chord form needs its end term as well (its Taylor form does not apply: x falls)
    assert exit_proofs._whole_step_float(flow, ya) is False
    real = floatball.FloatCheck.__init__

    def without_end_term(self, Q, W, one, forms=None, block=0):
        real(self, Q, W, one, [(0, 1, 2), (0, 4, 5)], block)        # the chord form without f(dt) - K f''

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(floatball.FloatCheck, "__init__", without_end_term)
        assert exit_proofs._whole_step_float(enclosures._BallFlow(_dip_start(15.0, system=True)[2], 30), ya) is True


@pytest.mark.parametrize("shift", [-1.5, 0.0, 0.5])
@pytest.mark.parametrize("name", ["limit_cycle", "vdp_trained"])
def test_exit_brackets_do_not_depend_on_the_float_estimate(name, shift, monkeypatch):
    """The float exit estimate only chooses where to look: moved 1.5 time units early or half a unit
    late, the fast scan still proves the same finest exit cell as the bisection, or hands over to it,
    both from a ball state and from the exact float state (where the float check's rows bracket the
    exit, _exit_from_rows).  Mutations tried and caught here: a wrong S e^{Aug unit} in the exit test;
    in _exit_from_rows, f(q) >= 0 not required, or a coordinate without a sign of f'' taken as concave."""
    m = example(name)
    r = simulate(m, 60, burn_in=500, system="hybrid", e1=False)
    sim = driver._Simulator(m, "certified", 30)
    sim.systems.update(r.systems)
    exact = exit_proofs._float_exit

    def moved(flow, y, T, hit=None):
        tau = exact(flow, y, T, hit)
        return None if tau is None else max(tau + shift * flow.unit, 0.0)

    by_rows = exit_proofs._exit_from_rows
    used = []

    def counted(*args):
        sc = by_rows(*args)
        used.append(sc is not None)
        return sc

    monkeypatch.setattr(exit_proofs, "_float_exit", moved)
    monkeypatch.setattr(exit_proofs, "_exit_from_rows", counted)
    exits = 0
    for z in r.discrete[:-1]:
        bits = region_of(z)
        sysm = sim.usable(bits)
        flow = sim.ball(bits)
        flow.span = enclosures._UNITS                          # the float check is tried
        with working_precision(enclosures.PREC):
            ya = flow.augment(sysm.G @ z, None)
            y = flow.y0(sysm.G @ z, None)
            a = exit_proofs._scan(flow, y, 0, enclosures._UNITS)
            b = exit_proofs._scan_fast(flow, y, 0, enclosures._UNITS)
            c = exit_proofs._scan_fast(flow, None, 0, enclosures._UNITS, ya)
        assert a.truth is b.truth is c.truth
        if a.truth.name == "FAILS":
            exits += 1
            assert (a.p_lo, a.p_hi, a.units) == (b.p_lo, b.p_hi, b.units) == (c.p_lo, c.p_hi, c.units)
    assert exits > 10
    if shift == 0.0:
        assert sum(used) > 5             # the rows' bracket was tried and proved exits


def test_modal_enclosure_is_tight_on_a_lifted_region_and_identity_fallback_is_rigorous():
    """On a lifted (stiff) region of vdp_trained the modal enclosure of f'' over a half step is
    within a few times the true range (in the original coordinates it was ~1000 times wider); with
    the modal basis switched off (V = I) the enclosures still contain the flow's derivatives."""
    m = example("vdp_trained")
    r = simulate(m, 200, burn_in=2000, system="hybrid", e1=False)
    lifted = [(z, r.systems[region_of(z)]) for z in r.discrete
              if r.systems[region_of(z)].dimension > m.M]
    assert lifted
    z, sysm = lifted[0]
    flow = enclosures._BallFlow(sysm, 30)
    assert flow.W is not None
    ya = flow.augment(sysm.G @ z, None)
    k = -2                                          # cells of half a step
    Af, Sf = flow.float_maps()
    ts = np.linspace(0, float(m.dt) / 2, 300)
    F2 = np.array([Sf @ Af @ Af @ scipy.linalg.expm(Af * t) @ ya for t in ts])
    with working_precision(enclosures.PREC):
        cc = (flow.derivative(2, k) * flow.modal(_col(ya))).entries()
    for i, b in enumerate(cc):
        lo, hi = float(b.lower()), float(b.upper())
        assert lo - 1e-9 <= F2[:, i].min() and F2[:, i].max() <= hi + 1e-9
        assert hi - lo <= 5 * (F2[:, i].max() - F2[:, i].min()) + 1.0
    # fallback: no modal basis
    plain = enclosures._BallFlow(sysm, 30)
    plain.V = plain.W = None
    plain.Lm = plain.aug
    SA = plain.S * plain.aug
    plain._SVL = (SA, SA * plain.aug)
    with working_precision(enclosures.PREC):
        cc = (plain.derivative(2, k) * plain.modal(_col(ya))).entries()
    for i, b in enumerate(cc):
        assert float(b.lower()) - 1e-9 <= F2[:, i].min() and F2[:, i].max() <= float(b.upper()) + 1e-9


def test_modal_basis_refuses_a_defective_matrix():
    A = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])     # a Jordan block
    assert enclosures._modal_basis(A) is None
    B = np.array([[0.0, -2.0, 1.0], [2.0, 0.0, 0.5], [0.0, 0.0, 0.0]])    # a rotation plus a constant
    V = enclosures._modal_basis(B)
    assert V is not None
    Lm = np.linalg.solve(V, B @ V)
    assert abs(Lm[2, :2]).max() < 1e-12 and abs(Lm[:2, 2]).max() < 1e-12


def _rotation_flow(theta_deg, center, start_deg):
    """(a fresh ball flow of region 11, the augmented start) for a rotation by theta per step about
    ``center`` (radius 1), started at ``start_deg`` on the circle."""
    m = rotation_model(theta_deg, rho=1.0, center=center)
    z0 = np.array([center[0] + math.cos(math.radians(start_deg)), center[1] + math.sin(math.radians(start_deg))])
    r = simulate(m, 1, z0=np.abs(z0), mode="exact", e1=False, system="hybrid")
    sysm = r.systems["11"]
    return enclosures._BallFlow(sysm, 30), z0, sysm


def _refused_dip(theta, start):
    """(region system, augmented start, dense samples) of a turn by theta from ``start`` about
    (0.9999, 3), where x dips 1e-4 below 0 at 180 degrees; the float check refuses the step."""
    flow, z0, sysm = _rotation_flow(theta, (0.9999, 3.0), start)
    ya = flow.augment(sysm.G @ z0, None)
    F = _sampled(flow, ya, 0, enclosures._UNITS, 4000)
    assert F.min() < -5e-5
    assert exit_proofs._whole_step_float(flow, ya) is False
    return sysm, ya, F


def test_the_float_whole_step_check_refuses_a_dip_and_needs_the_slope_row(monkeypatch):
    """A 30-degree turn from 170 degrees about (0.9999, 3): x starts at 0.015, dips 1e-4 below 0 at 180
    degrees and ends at 0.06.  The float check must refuse the step.  Its Taylor form needs f'(0) >= 0:
    without that row (a mutation) f(0) + dt f'(0) + dt^2/2 min f'' > 0 proves the dip."""
    sysm, ya, F = _refused_dip(30.0, 170.0)
    assert F[0].min() > 0.01 and F[-1].min() > 0.05
    real = floatball.FloatCheck.__init__

    def without_slope_row(self, Q, W, one, forms=None, block=0):
        real(self, Q, W, one, [f for f in forms if f != (0, 4, 5)] + [(0, 5)] if forms else forms, block)

    monkeypatch.setattr(floatball.FloatCheck, "__init__", without_slope_row)
    mutated = enclosures._BallFlow(sysm, 30)
    assert exit_proofs._whole_step_float(mutated, ya) is True


def test_the_float_whole_step_check_proves_a_step_that_starts_on_the_boundary():
    """Just after a switch the state is next to the boundary (x = 1e-12: the crossing carried on for
    part of a time unit) and moves in: the chord form cannot prove the step (f(0) is about 0 and
    f'' > 0), the Taylor form of the float check does, and the flow is inside on dense sampling.  A
    40-degree turn from 240 degrees about (0.5, 3).  (From x = 0 exactly the float check cannot
    prove f(0) >= 0, as its bound is > 0; the balls then take over.)"""
    flow, z0, sysm = _rotation_flow(40.0, (0.5, 3.0), 240.0)
    z0[0] = 1e-12
    ya = flow.augment(sysm.G @ z0, None)
    F = _sampled(flow, ya, 0, enclosures._UNITS, 4000)
    assert F.min() >= -1e-12 and F[-1].min() > 0.1
    with working_precision(enclosures.PREC):
        assert not exit_proofs._whole_step_in(flow, _col(ya))
    assert exit_proofs._whole_step_float(flow, ya) is True


@pytest.mark.parametrize("theta, start, cy", [(170.0, 80.0, 0.9), (55.0, 160.0, 0.3)])
def test_an_exit_after_a_hidden_dip_is_not_bracketed_by_the_rows(theta, start, cy):
    """x dips 1e-5 below 0 at 180 degrees, between the float samples, and y leaves the region later
    (circle about (1, cy)): the float estimate finds only y's exit, and the float check's rows must
    not bracket it, as x's first exit comes before.  From 80 degrees (170 per step) x'' changes
    sign over the step (taking it as concave, a mutation, brackets y's exit); over a 55-degree step
    from 160 degrees x is convex (provably, from the rows) but rising at y's exit (without the
    f'(q) <= 0 condition, a mutation, the same).  The fast scan finds the same first exit as the
    bisection."""
    m = rotation_model(theta, rho=1.0, center=(1.0, cy))
    phi = math.radians(start)
    z0 = np.array([1.0 + (1 + 1e-5) * math.cos(phi), cy + (1 + 1e-5) * math.sin(phi)])
    r = simulate(m, 1, z0=z0, mode="exact", e1=False, system="hybrid")
    sysm = r.systems["11"]
    flow = enclosures._BallFlow(sysm, 30)
    flow.span = enclosures._UNITS
    ya = flow.augment(sysm.G @ z0, None)
    F = _sampled(flow, ya, 0, enclosures._UNITS, 20000)
    dip = int(np.argmax(F[:, 0] < 0))
    assert F[:, 0].min() < -5e-6 and 0 < dip and F[dip:, 1].min() < 0 and F[:dip, 1].min() > 0
    with working_precision(enclosures.PREC):
        tau = exit_proofs._float_exit(flow, ya, float(m.dt))
        assert tau is not None and tau > dip / 20000 * float(m.dt) * 1.1      # only y's exit is seen
        a = exit_proofs._scan(flow, flow.y0(sysm.G @ z0, None), 0, enclosures._UNITS)
        c = exit_proofs._scan_fast(flow, None, 0, enclosures._UNITS, ya)
    assert a.truth.name == c.truth.name == "FAILS" and a.units == (0,)
    assert (a.p_lo, a.p_hi, a.units) == (c.p_lo, c.p_hi, c.units)


def test_exit_from_rows_needs_a_falling_convex_coordinate():
    """The logic of _exit_from_rows on given rows: in the hidden-dip case (170 degrees from 80), with
    the rows altered to say that x is convex over the step, x rises at y's exit (f'(q) > 0), so a dip
    before q is possible and no bracket may be given (without that condition, a mutation, y's exit is
    bracketed); told instead that x is concave, it brackets y's exit (the chord bound then holds), but
    not where x'' has no sign (c = -0.5 +- 1: a test of c alone, a mutation, would take it as concave) or
    where x starts outside the closure (f_x(0) < 0; without that condition, a mutation, it would)."""
    m = rotation_model(170.0, rho=1.0, center=(1.0, 0.9))
    phi = math.radians(80.0)
    z0 = np.array([1.0 + (1 + 1e-5) * math.cos(phi), 0.9 + (1 + 1e-5) * math.sin(phi)])
    r = simulate(m, 1, z0=z0, mode="exact", e1=False, system="hybrid")
    sysm = r.systems["11"]
    flow = enclosures._BallFlow(sysm, 30)
    ya = flow.augment(sysm.G @ z0, None)
    with working_precision(enclosures.PREC):
        c, rr = flow.whole_step()[3].evaluate(ya)
        q = int(exit_proofs._float_exit(flow, ya, float(m.dt)) / flow.unit)
        y = flow.y0(sysm.G @ z0, None)
        fq = (flow.exit_rows() * enclosures._point(flow, y, q)).entries()
        assert fq[0] > 0 and fq[2] > 0 and fq[5] < 0                 # x > 0 and rising at q; y leaves
        told = {}
        for name, (value, radius) in (("convex", (1.0, 0.0)), ("concave", (-1.0, 0.0)), ("no sign", (-0.5, 1.0)),
                                      ("starts outside", (-1.0, 0.0)), ("y without sign", (-1.0, 0.0))):
            c2, r2 = c.copy(), rr.copy()
            c2[12], r2[12] = value, radius                            # 4 K x'' over the step
            c2[13], r2[13] = 1.0, 0.0                                 # y convex (it falls at q)
            if name == "starts outside":
                c2[0], r2[0] = -1.0, 0.0                              # f_x(0) < 0
            if name == "y without sign":
                c2[13], r2[13] = 0.5, 1.0                             # y'' in [-0.5, 1.5]
            told[name] = exit_proofs._exit_from_rows(flow, y, 0, q, (c2, r2))
    assert told["convex"] is None and told["no sign"] is None and told["starts outside"] is None
    assert told["y without sign"] is None                             # c >= 0 alone is not convex
    assert told["concave"] is not None and told["concave"].units == (1,) and told["concave"].p_lo == q


@pytest.mark.parametrize("name", ["limit_cycle", "vdp_trained"])
def test_e1_holds_from_the_float_check_agrees_with_the_bisection(name):
    """E1 takes a step the float check proves as holding without the bisection: on 150 steps of each
    model its verdicts match the bisection's (_scan) wherever that decides, the float route is used,
    and each step it proves stays inside on dense float sampling."""
    m = example(name)
    r = simulate(m, 150, burn_in=500, system="hybrid", e1=False)
    sim = driver._Simulator(m, "certified", 30)
    sim.systems.update(r.systems)
    by_float = 0
    for n, z in enumerate(r.discrete[:-1]):
        v = sim.e1(n, z, None)
        bits = region_of(z)
        sysm, flow = sim.usable(bits), sim.ball(bits)
        with working_precision(enclosures.PREC):
            a = exit_proofs._scan(flow, flow.y0(sysm.G @ z, None), 0, enclosures._UNITS)
        if a.truth.name != "UNDECIDED":
            assert v.truth is a.truth
        if "Lemma 5.14" in v.method:
            by_float += 1
            assert v.truth.name == "HOLDS"
            F = _sampled(flow, flow.augment(sysm.G @ z, None), 0, enclosures._UNITS, 200)
            assert F.min() >= -1e-9 * (1 + np.abs(F).max())
    assert by_float > 40


def _without_float_check(monkeypatch):
    """Every float check unavailable: the simulation runs on FLINT's balls alone."""
    monkeypatch.setattr(floatball.FloatCheck, "evaluate", lambda self, y: None)


@pytest.mark.parametrize("case", ["vdp_trained", "inputs", "float mode"])
def test_the_float_path_and_the_balls_alone_give_the_same_simulation(case, monkeypatch):
    """The float check only decides sooner: with it and without it (balls alone), the autonomous
    trajectory, its switch times and every E1 verdict agree, on a model with lifted regions, on a model
    driven by inputs (held over each step) and in float mode.  (A float path that drops the inputs, or
    E1 without the lift G, tried as mutations, fail here.)"""
    kw = {}
    if case == "inputs":
        m = PLRNN(A=np.diag([0.6, 0.7]), W=[[0, 0.5], [-0.5, 0]], h=[0.0, 0.0], C=[[0.5, -0.4], [-0.3, 0.5]])
        kw["inputs"] = np.random.default_rng(3).uniform(-1, 1, (300, 2))
        kw["z0"] = [0.3, 0.2]
    else:
        m = example("vdp_trained")
        kw["burn_in"] = 2000
        if case == "float mode":
            kw["mode"] = "float"
    runs = []
    for float_check in (True, False):
        with monkeypatch.context() as mp:
            if not float_check:
                _without_float_check(mp)
            runs.append(simulate(m, 300, system="autonomous", **kw))
    a, b = runs
    assert len(a.segments) == len(b.segments) > 300
    np.testing.assert_allclose(a.autonomous, b.autonomous, rtol=0, atol=1e-12)
    np.testing.assert_allclose([s.t1 for s in a.segments], [s.t1 for s in b.segments], rtol=0, atol=1e-12)
    assert [v.status for v in a.e1] == [v.status for v in b.e1]
    assert any("Lemma 5.14" in v.method for v in a.e1)
    if case == "vdp_trained":
        assert any(s.dimension > m.M for s in a.systems.values())


def test_rows_of_another_flow_or_time_are_not_used(monkeypatch):
    """_scan_fast uses the float check's rows handed to it only for the same flow at the start of a
    step (p0 = 0): rows of another region, or handed in later in the step, are evaluated afresh (the
    code resets them after the first region too; this is the second guard)."""
    m = example("limit_cycle")
    r = simulate(m, 40, burn_in=500, system="hybrid", e1=False)
    sim = driver._Simulator(m, "certified", 30)
    sim.systems.update(r.systems)
    seen = []
    real = exit_proofs._exit_from_rows
    monkeypatch.setattr(exit_proofs, "_exit_from_rows", lambda *a: seen.append(a[4]) or real(*a))
    sentinel = (np.zeros(1), np.zeros(1))
    other = enclosures._BallFlow(r.systems[region_of(r.discrete[0])], 30)
    for z in r.discrete[:-1]:
        bits = region_of(z)
        sysm, flow = sim.usable(bits), sim.ball(bits)
        flow.span = enclosures._UNITS
        ya = flow.augment(sysm.G @ z, None)
        with working_precision(enclosures.PREC):
            exit_proofs._scan_fast(flow, None, 0, enclosures._UNITS, ya, (other, sentinel))
            exit_proofs._scan_fast(flow, None, 5, enclosures._UNITS, ya, (flow, sentinel))
    assert seen and all(rows is not sentinel for rows in seen)


def test_the_float_check_needs_the_range_of_f2_over_the_step(monkeypatch):
    """A 30-degree turn from 165 degrees about (0.9999, 3): x is 0.034 at both ends and dips 1e-4
    below 0 at 180 degrees.  The chord form refuses it only through the top of the range of f'' over
    the step (the radius of the K Tdd rows): with those radii dropped (a mutation), the midpoint of
    the range proves the dip."""
    sysm, ya, F = _refused_dip(30.0, 165.0)
    assert F[0].min() > 0.03 and F[-1].min() > 0.03
    real = floatball.FloatCheck.__init__

    def midpoints_only(self, Q, W, one, forms=None, block=0):
        Qm, Qr = Q
        Qr = Qr.copy()
        n = Qm.shape[1] // 2
        Qr[2 * block:4 * block, n:] = 0.0                # the chord rows' K Tdd
        Qr[5 * block:7 * block, n:] = 0.0                # the Taylor and sign rows' 4 K Tdd
        real(self, (Qm, Qr), W, one, forms, block)

    monkeypatch.setattr(floatball.FloatCheck, "__init__", midpoints_only)
    assert exit_proofs._whole_step_float(enclosures._BallFlow(sysm, 30), ya) is True


def test_the_float_check_refuses_a_start_just_outside(monkeypatch):
    """From x = -1e-9 moving in (240 degrees about (0.5, 3), as in the boundary test) the step starts
    outside the closure: the float check must refuse it.  Its Taylor form needs f(0) >= 0: without
    that row (a mutation) f'(0) >= 0 and f(0) + dt f'(0) + 4K f'' >= 0 would prove it."""
    flow, z0, sysm = _rotation_flow(40.0, (0.5, 3.0), 240.0)
    z0[0] = -1e-9
    ya = flow.augment(sysm.G @ z0, None)
    assert exit_proofs._whole_step_float(flow, ya) is False
    real = floatball.FloatCheck.__init__

    def without_start_row(self, Q, W, one, forms=None, block=0):
        real(self, Q, W, one, [(0, 1, 2, 3), (4, 5)], block)

    monkeypatch.setattr(floatball.FloatCheck, "__init__", without_start_row)
    assert exit_proofs._whole_step_float(enclosures._BallFlow(sysm, 30), ya) is True


def test_an_exact_system_flows_for_the_exact_step():
    """dt = 1/3 is not a float (float(1/3) is 1.9e-17 short).  z' region: z_{n+1} = z/2 + h with
    h = -1/2 - 1e-18, so from z = 1 the exact flow ends at -1e-18, outside the closure: E1 must fail
    (it held while the ball flow ran for float(dt); found by a review)."""
    import sympy as sp

    h = sp.Rational(-1, 2) - sp.Rational(1, 10**18)
    m = PLRNN(A=[[sp.Rational(1, 2)]], W=[[0]], h=[h], dt=sp.Rational(1, 3))
    r = simulate(m, 1, z0=[1.0], mode="exact", system="hybrid")
    assert r.systems["1"].dt_exact == sp.Rational(1, 3)
    assert r.e1[0].status == "fails"


def _wide_ball_start(A, h, dt, z0):
    """(flow, augmented start, the float Aug, the widening) of a 1-unit model whose certified
    enclosure of the region system is widened to radius 1e-7 max |Aug| (a wide ball, as a coarse
    certified derivation would give)."""
    import dataclasses

    from plrnn_symbolic.core.domains import BallMatrix

    m = PLRNN(A=[[A]], W=[[0]], h=[h], dt=dt)
    r = simulate(m, 1, z0=[z0], system="hybrid", e1=False)
    sysm = r.systems["1"]
    widening = 1e-7 * float(np.abs(np.hstack([sysm.L, sysm.g[:, None]])).max())
    with working_precision(128):
        wide = sysm.enclosure.arb() + flint.arb_mat(1, 2, [flint.arb(0, widening)] * 2)
    sim = driver._Simulator(m, "certified", 12)
    sim.systems["1"] = dataclasses.replace(sysm, enclosure=BallMatrix.of(wide))
    sysm, flow = sim.usable("1"), sim.ball("1")
    assert flow.method.startswith("certified (ball arithmetic on the certified enclosure")
    return flow, flow.augment(sysm.G @ np.array([z0]), None), flow.aug_float, widening


@pytest.mark.parametrize("form", ["chord", "taylor"])
def test_the_float_check_covers_the_widened_ball(form, monkeypatch):
    """With 12 digits the ball of the region system is wide (1e-7 of Aug).  Chord: a concave flow that
    ends at 1e-9 > 0 on the float system, while a member of the ball (g lowered by half the widening)
    ends below 0.  Taylor: a start at 1e-12 moving in at 1e-8 (dt = 1/100), while a member moves out at
    once.  The float check must refuse both; without the radii of S e^{Aug dt} (chord), or of S Aug
    and S + dt S Aug (Taylor), mutations found surviving by a review, it proves them."""
    if form == "chord":
        z0 = (1 + 1e-9) / 1.5
        flow, ya, Af, widening = _wide_ball_start(1.5, -1.0, 1, z0)
        blocks, T = (1,), float(flow.dt)
    else:
        lam, z0, dt = -1.0, 1e-12, 0.01
        g = 1e-8 + z0
        flow, ya, Af, widening = _wide_ball_start(math.exp(lam * dt), -g / lam * (1 - math.exp(lam * dt)),
                                                  Fraction(1, 100), z0)
        blocks, T = (4, 5), dt
    member = Af.copy()
    member[0, 1] -= 0.5 * widening
    ts = np.linspace(0, T, 401)
    assert min((scipy.linalg.expm(member * t) @ ya)[0] for t in ts) < 0
    assert exit_proofs._whole_step_float(flow, ya) is False
    real = floatball.FloatCheck.__init__

    def without_radii(self, Q, W, one, forms=None, block=0):
        Qm, Qr = Q
        Qr = Qr.copy()
        n = Qm.shape[1] // 2
        for b in blocks:
            Qr[b * block:(b + 1) * block, :n] = 0.0
        real(self, (Qm, Qr), W, one, forms, block)

    monkeypatch.setattr(floatball.FloatCheck, "__init__", without_radii)
    flow._whole = None                                  # rebuilt under the mutation
    assert exit_proofs._whole_step_float(flow, ya) is True


def test_an_undecided_exit_scan_is_reported_not_taken_as_staying(monkeypatch):
    """An autonomous step whose exit scan is undecided (a tangency at the resolution limit) is not
    'no crossing': the run continues in the region, the step is listed in
    ``autonomous_undecided_steps`` and a note says a switch may have been missed (issue: the
    autonomous run treated an undecided scan as staying, without a note)."""
    m = example("limit_cycle")
    real = driver._scan_fast
    calls = []

    def undecided_once(flow, y, p0, p1, yf=None, rows=None):
        sc = real(flow, y, p0, p1, yf, rows)
        if not calls and sc.truth is not exit_proofs.FAILS:
            calls.append(1)
            return exit_proofs._Scan(exit_proofs.UNDECIDED, sc.y_end, undecided_at=p0, z_end=sc.z_end)
        return sc

    monkeypatch.setattr(driver, "_scan_fast", undecided_once)
    monkeypatch.setattr(driver._Simulator, "autonomous_step",
                        lambda self, n, state, segments, sliding: self._autonomous_step(n, state, segments, sliding))
    r = simulate(m, 20, system="autonomous", e1=False)
    assert calls and r.autonomous_undecided_steps == (0,)
    assert any("undecided at 1 step(s)" in n for n in r.notes)
    assert r.to_dict(details=False)["autonomous_undecided_steps"] == [0]
    clean = simulate(m, 20, system="autonomous", e1=False)
    assert clean.autonomous_undecided_steps == ()
