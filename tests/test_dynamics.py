"""Fixed points, equilibria, cycles and Lyapunov exponents (THEORY section 6)."""

from __future__ import annotations

import cmath
import json
import math
from fractions import Fraction

import flint
import numpy as np
import pytest
from _independent import subcommand_parser
from hypothesis import assume, given
from hypothesis import strategies as st

from plrnn_symbolic import PLRNN, InputError, NoResult, derive, example, region_of
from plrnn_symbolic.analysis.cycles import DERIVED, find_cycles
from plrnn_symbolic.analysis.dynamics_report import dynamics
from plrnn_symbolic.analysis.lyapunov import lyapunov_continuous, lyapunov_discrete
from plrnn_symbolic.analysis.steady_states import (
    continuous_eigenvalues,
    fixed_point_type,
    fixed_points,
    schur_stable,
    spectral_radius_below_one,
)
from plrnn_symbolic.cli.dynamics_command import add_arguments, run_cli
from plrnn_symbolic.testing import small_rationals


def _in_region(z, bits):
    return all((x > 0) == (b == "1") for x, b in zip(z, bits))


def _real(fps):
    return {fp.region: fp for fp in fps if fp.real}


# ---- fixed points of constructed models --------------------------------------------------------------------
def test_decoupled_model_has_one_real_fixed_point_and_three_virtual():
    m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 0], [0, 0]], h=[1, -1])
    fps, none = fixed_points(m)
    assert none == [] and len(fps) == 4
    real = _real(fps)
    assert list(real) == ["10"]
    fp = real["10"]
    assert fp.z_exact == ["2", "-2"] and fp.stable and fp.types == ("stable node", "stable node", 0)
    assert fp.equilibrium["status"] == "principal" and fp.equilibrium["residual"] < 1e-12


def test_saddle_and_its_continuous_eigenvalues():
    # z1 -> 2 z1 - 1, z2 -> z2/2 + 1/2: fixed point (1, 1), a saddle
    m = PLRNN(A=[[2, 0], [0, Fraction(1, 2)]], W=[[0, 0], [0, 0]], h=[-1, Fraction(1, 2)], dt=Fraction(1, 4))
    fp = _real(fixed_points(m)[0])["11"]
    assert fp.z.tolist() == [1.0, 1.0] and not fp.stable
    assert fp.types == ("saddle", "saddle", 1)
    mu = sorted(fp.eigenvalues_continuous, key=lambda z: z.real)
    assert mu[0] == pytest.approx(4 * math.log(0.5)) and mu[1] == pytest.approx(4 * math.log(2))
    assert fp.equilibrium["ode_stable"] is False


def test_negative_eigenvalue_takes_the_plus_i_pi_branch_and_is_a_focus_in_continuous_time():
    m = PLRNN(A=[[Fraction(-1, 2), 0], [0, Fraction(1, 2)]], W=[[0, 0], [0, 0]], h=[-1, -1], dt=2)
    fp = _real(fixed_points(m)[0])["00"]
    assert fp.types == ("stable node with flip", "stable focus", 0)
    mu = [z for z in fp.eigenvalues_continuous if abs(z.imag) > 0]
    assert mu == [pytest.approx(complex(math.log(0.5), math.pi) / 2)]
    # the region needs a lift; the lifted ODE has the equilibrium G z*
    assert fp.equilibrium["status"] == "lifted" and fp.equilibrium["residual"] < 1e-12
    assert fp.equilibrium["ode_stable"] is True


def test_types_in_three_dimensions():
    assert fixed_point_type([1.5 + 0.5j, 1.5 - 0.5j, 0.5]) == ("saddle-focus", "saddle-focus", 2)
    assert fixed_point_type([2.0, 3.0, 1.1]) == ("unstable node", "unstable node", 3)
    assert fixed_point_type([1.0, 0.5, 0.2])[0] == "non-hyperbolic"
    assert fixed_point_type([0.0, 0.5])[1] is None  # singular: no continuous counterpart


def test_continuous_eigenvalues_principal_branch():
    mu = continuous_eigenvalues([complex(-2, -0.0), 0.5j, 1.0], 1.0)
    assert mu[0] == pytest.approx(complex(math.log(2), math.pi))
    assert mu[1] == pytest.approx(cmath.log(0.5j))
    assert mu[2] == 0


# ---- eigenvalue one --------------------------------------------------------------------------------------------
def test_eigenvalue_one_without_fixed_points():
    m = PLRNN(A=[[1, 0], [0, Fraction(1, 2)]], W=[[0, 0], [0, 0]], h=[1, 0])  # z1 drifts by 1 each step
    fps, none = fixed_points(m)
    assert fps == [] and sorted(none) == ["00", "01", "10", "11"]


def test_eigenvalue_one_with_a_line_of_fixed_points():
    m = PLRNN(A=[[1, 0], [0, Fraction(1, 2)]], W=[[0, 0], [0, 0]], h=[0, 1])  # the line z2 = 2
    fps, none = fixed_points(m)
    assert none == [] and all(fp.dimension == 1 for fp in fps)
    real = _real(fps)
    assert sorted(real) == ["01", "11"]  # the line meets the regions with z2 > 0 only
    for bits, fp in real.items():
        assert _in_region(fp.z, bits) and fp.z[1] == 2
        assert np.allclose(np.abs(fp.basis.ravel()), [1, 0])
        assert not fp.stable and fp.types[0] == "non-hyperbolic"
    # each real point of the line is an equilibrium of its region ODE (1 is an eigenvalue: beta form)
    assert all(fp.equilibrium["residual"] < 1e-12 for fp in real.values())


def test_regularized_example_fixed_points_form_planes():
    m = example("regularized")
    fps, none = fixed_points(m)
    assert none == [] and {fp.dimension for fp in fps} == {2}
    real = _real(fps)
    assert real and all(_in_region(fp.z, b) for b, fp in real.items())
    num = m.numeric
    for b, fp in real.items():
        H = np.where(np.array([c == "1" for c in b])[None, :], num.A + num.W, num.A)
        assert np.allclose(H @ fp.z + num.h, fp.z)
        assert np.allclose(H @ fp.basis, fp.basis)  # the directions of the plane: eigenvalue one


# ---- exact vs float ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["limit_cycle", "chaotic"])
def test_exact_and_float_fixed_points_agree(name):
    m = example(name)
    ex, fl = fixed_points(m, "exact", equilibria="none")[0], fixed_points(m, "float", equilibria="none")[0]
    point_ex = {fp.region: fp for fp in ex if fp.dimension == 0}
    point_fl = {fp.region: fp for fp in fl if fp.dimension == 0}
    assert point_ex.keys() == point_fl.keys()
    for b, fp in point_ex.items():
        assert np.allclose(fp.z, point_fl[b].z, atol=1e-9)
        assert fp.real == point_fl[b].real and fp.stable == point_fl[b].stable
    assert [b for b in point_ex if point_ex[b].real] == [b for b in point_fl if point_fl[b].real]


@st.composite
def rational_models(draw, max_units: int = 3):
    M = draw(st.integers(1, max_units))
    q = small_rationals(-2, 2, denominators=(1, 2, 4, 8))
    A = [[draw(q) if i == j else 0 for j in range(M)] for i in range(M)]
    W = [[draw(q) if i != j else 0 for j in range(M)] for i in range(M)]
    h = [draw(q) for _ in range(M)]
    return PLRNN(A, W, h, dt=draw(st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3, 10)])))


@given(rational_models())
def test_every_real_fixed_point_is_an_equilibrium_with_matching_stability(m):
    """Independent route: the region ODE derived in exact mode (closed forms / certified),
    not the float derivation the dynamics module uses."""
    fps, _ = fixed_points(m, equilibria="none")
    for fp in fps:
        assert fp.real == _in_region(fp.z, fp.region) or fp.dimension > 0
        if not fp.real or fp.dimension:
            continue
        lam = fp.eigenvalues
        assume(np.all(np.abs(np.abs(lam) - 1) > 1e-6))  # hyperbolic: stability is read off Re mu
        s = derive(m, [fp.region], mode="exact")[fp.region]
        if s.status not in DERIVED:
            assert np.any(np.abs(lam) < 1e-9)  # only a singular region has no ODE
            continue
        zt = s.G @ fp.z
        assert np.abs(s.L @ zt + s.g).max() <= 1e-9 * max(1.0, np.abs(fp.z).max())
        ode = np.linalg.eigvals(s.L)
        assert (ode.real.max() < 0) == fp.stable
        if s.status == "principal":  # the ODE's eigenvalues are exactly mu = log(lambda)/dt
            mu = np.array(fp.eigenvalues_continuous, dtype=complex)
            def key(z):
                return (round(z.real, 6), round(z.imag, 6))

            assert np.allclose(sorted(mu, key=key), sorted(ode, key=key), atol=1e-7)


@given(st.lists(small_rationals(-3, 3), min_size=2, max_size=6))
def test_schur_stable_agrees_with_numpy_roots(coeffs):
    assume(coeffs[-1] != 0)
    p = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in coeffs])
    r = np.abs(np.roots([float(c) for c in reversed(coeffs)]))
    assume(np.all(np.abs(r - 1) > 1e-7))
    assert schur_stable(p) == bool(np.all(r < 1))


@given(st.lists(small_rationals(-3, 3), min_size=2, max_size=6),
       st.sampled_from([[-1, 1], [1, 1], [1, 0, 1], [1, 1, 1], [1, 0, 0, 1]]))
def test_the_fast_stability_test_is_schur_cohn(coeffs, circle):
    """Including polynomials with a factor whose roots lie on the unit circle
    (z - 1, z + 1, z^2 + 1, z^2 + z + 1, z^3 + 1), where the enclosures cannot
    decide and Schur-Cohn must."""
    assume(coeffs[-1] != 0)
    p = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in coeffs])
    for q in (p, p * flint.fmpq_poly(circle)):
        assert spectral_radius_below_one(q) == schur_stable(q)


# ---- cycles ----------------------------------------------------------------------------------------------------------
FOUR_CYCLE = PLRNN(A=[[0, 0], [0, 0]], W=[[0, -1], [1, 0]], h=[1, 0])


@pytest.mark.parametrize("mode", ["exact", "float"])
def test_known_four_cycle_through_four_regions(mode):
    cs = find_cycles(FOUR_CYCLE, 4, mode)
    assert [c.period for c in cs] == [4]
    c = cs[0]
    assert c.regions == ("00", "10", "11", "01")
    assert np.allclose(c.points, [[0, 0], [1, 0], [1, 1], [0, 1]])
    assert c.stable and np.allclose(c.multipliers, 0)  # the product of region matrices is nilpotent
    # the points lie on the region boundaries: z_i = 0 counts as inactive
    assert [region_of(z) for z in c.points] == list(c.regions)
    # regions 00, 10, 01 are singular: no continuous system, so no hybrid orbit
    assert c.hybrid is False and "00" in c.hybrid_note
    if mode == "exact":
        assert c.points_exact == [["0", "0"], ["1", "0"], ["1", "1"], ["0", "1"]]


def test_two_cycle_across_the_threshold_is_a_lifted_hybrid_orbit():
    # slope -1/2 for z > 0, -3 for z <= 0, bias 1: the 2-cycle 4 -> -1 -> 4, multiplier 3/2
    m = PLRNN(A=[[-3]], W=[[Fraction(5, 2)]], h=[1])
    (c,) = find_cycles(m, 3)
    assert c.period == 2 and c.regions == ("0", "1") and c.points_exact == [["-1"], ["4"]]
    assert not c.stable and np.allclose(c.multipliers, 1.5)
    # negative 1 x 1 eigenvalues: both regions need a lift; the lifted hybrid system carries the orbit
    assert c.hybrid is True and "lifted" in c.hybrid_note
    assert c.e1_failures == (0, 1)  # both steps cross z = 0, so the autonomous flow leaves the region
    assert [fp.real for fp in fixed_points(m)[0]] == [True, False]


def test_continua_of_cycles_are_not_reported():
    m = PLRNN(A=[[-1]], W=[[0]], h=[0])  # z -> -z: every z != 0 lies on a 2-cycle
    assert find_cycles(m, 2) == []


def test_limit_cycle_example_cycle_and_its_exponent():
    """The attracting 36-cycle; on the map it has all exponents negative.

    A map's attracting k-cycle has Lyapunov exponents log|multiplier| / k < 0.  The
    zero exponent of a limit cycle belongs to the autonomous flow (the direction
    along the orbit), which the map and the hybrid system do not have.
    """
    m = example("limit_cycle")
    cs = find_cycles(m, 36, starts=40, steps=2000)
    c36 = [c for c in cs if c.period == 36]
    assert len(c36) == 1
    c = c36[0]
    assert c.stable and c.method == "exact" and len(set(c.regions)) == 8
    assert c.hybrid is True and len(c.e1_failures) == 15  # the 15 switching steps of the docstring
    lyap = lyapunov_discrete(m, steps=20000, burn_in=2000)
    assert lyap[0] == pytest.approx(c.lyapunov[0], abs=1e-3)
    assert lyap[0] == pytest.approx(-0.0377, abs=0.002)


# ---- Lyapunov exponents ----------------------------------------------------------------------------------------------
def test_linear_model_exponents_are_log_abs_diagonal():
    a = [0.5, -0.25, 0.9]
    m = PLRNN(A=np.diag(a), W=np.zeros((3, 3)), h=[0, 0, 0], dt=Fraction(1, 2))
    lyap = lyapunov_discrete(m, [1.0, -1.0, 0.5], steps=500, burn_in=0)
    assert np.allclose(lyap, sorted(np.log(np.abs(a)), reverse=True))
    assert np.allclose(lyapunov_continuous(m, [1.0, -1.0, 0.5], steps=500, burn_in=0), 2 * lyap)


def test_triangular_switching_model_exponents():
    # W_Omega is upper triangular in every region with diagonal (0.8, 0.3): exponents log 0.8, log 0.3
    m = PLRNN(A=[[0.8, 0], [0, 0.3]], W=[[0, 2], [0, 0]], h=[0.1, 1])
    assert np.allclose(lyapunov_discrete(m, steps=2000, burn_in=0), [math.log(0.8), math.log(0.3)])


def test_chaotic_example_has_a_positive_exponent():
    lyap = lyapunov_discrete(example("chaotic"), steps=20000, burn_in=1000)
    assert lyap[0] > 0.03 and lyap[1] < 0


def test_autonomous_spectrum_is_refused_where_the_flow_does_not_exist():
    # singular regions (status impossible): no continuous-time system, so the trajectory cannot start
    with pytest.raises(NoResult, match="stops.*impossible"):
        lyapunov_continuous(FOUR_CYCLE, system="autonomous")


# ---- the report, JSON and CLI --------------------------------------------------------------------------------------------
def test_report_json_keys():
    r = dynamics(example("chaotic"), cycles=2, lyapunov_steps=500, burn_in=10)
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert {"fixed_points", "lyapunov_discrete", "lyapunov_continuous", "cycles"} <= d.keys()
    for fp in d["fixed_points"]:
        assert {"region", "z", "real", "stable", "eigenvalues_discrete", "eigenvalues_continuous"} <= fp.keys()
        assert all(len(p) == 2 for p in fp["eigenvalues_discrete"])
    assert sum(fp["real"] for fp in d["fixed_points"]) == 1
    assert len(d["lyapunov_discrete"]) == 5


def test_singular_jacobian_gives_minus_infinity_and_json_null():
    r = dynamics(example("input_driven"), lyapunov_steps=50, burn_in=0)
    assert r.lyapunov_discrete[-1] == -np.inf
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["lyapunov_discrete"][-1] is None
    # z1 = -1 at any fixed point, so where the gate is on (z1 > 0) z2 = z2 + z1 has no solution
    assert sorted(d["no_fixed_point"]) == ["100", "101", "110", "111"]


def test_sweep_above_the_region_limit_is_refused():
    m = PLRNN(A=np.eye(21) * 0.5, W=np.zeros((21, 21)), h=np.zeros(21))
    with pytest.raises(InputError, match="limit"):
        fixed_points(m)


def _parser():
    return subcommand_parser(add_arguments)


def test_cli_json_and_plot(tmp_path, capsys):
    png = tmp_path / "phase.png"
    args = _parser().parse_args(["--example", "limit_cycle", "--json", "--steps", "200", "--plot", str(png),
                                 "--units", "1,4"])
    assert run_cli(args) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["fixed_points"][0]["region"] and png.read_bytes()[:4] == b"\x89PNG"


def test_cli_table(capsys):
    assert run_cli(_parser().parse_args(["--example", "chaotic", "--steps", "200", "--cycles", "2"])) == 0
    out = capsys.readouterr().out
    assert "fixed points: 1 real" in out and "Lyapunov" in out


def test_cli_bad_units():
    with pytest.raises(InputError, match="units"):
        run_cli(_parser().parse_args(["--example", "chaotic", "--plot", "x.png", "--units", "1,1"]))


def test_phase_portrait_leaves_out_many_virtual_fixed_points():
    """The markers drawn are the fixed points inside the axes: all of them when there are few
    virtual ones, only the real ones (and the title says so) when there are more than max_virtual."""
    from plrnn_symbolic.render.phase import phase_portrait

    m = example("vdp_trained")      # 1023 virtual fixed points, many of them inside the plotted range
    rep = dynamics(m, mode="float", lyapunov_steps=10, burn_in=0)

    def markers(fig):   # fixed-point markers: single-point lines with a marker size of 8 or 11
        return sum(1 for line in fig.axes[0].lines if len(line.get_xdata()) == 1 and line.get_markersize() in (8, 11))

    everything = phase_portrait(m, report=rep, steps=300, grid=10, max_virtual=2000)
    few = phase_portrait(m, report=rep, steps=300, grid=10)
    assert markers(few) < markers(everything)
    title = {fig: fig.axes[0].get_title(loc="left") for fig in (few, everything)}   # house style: titles on the left
    assert "virtual ones not drawn" in title[few] and "not drawn" not in title[everything]
    assert markers(few) <= sum(fp.real for fp in rep.fixed_points)
