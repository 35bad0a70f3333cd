"""Issue 19: reports, plots and a Python API a user can trust at first read.

Each test names the point of the issue it checks.  The figures of the README are written by
``test_readme_figures`` (to ``docs/images`` when PLRNN_WRITE_README_IMAGES=1, else to a
temporary folder), so the README shows what the tests draw.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import plrnn_symbolic as ps
from plrnn_symbolic import plot
from plrnn_symbolic.analysis.simulation.rounding import judge_rounding

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
IMAGES = ROOT / "docs" / "images"


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "plrnn_symbolic.cli", *args], capture_output=True, text=True, check=False,
                          env=env, cwd=ROOT, timeout=300)


# ---- simulation summaries: one-step deviations first, amplified rounding named ------------------------------
def test_chaotic_summary_names_amplified_rounding_with_the_lyapunov_exponent():
    sim = ps.simulate(ps.example("chaotic"), steps=1000, system="hybrid", e1=False)
    lines = sim.summary().splitlines()
    assert lines[1].startswith("hybrid (sample and hold, E3): one step from each discrete state")
    text = sim.summary()
    assert "amplified rounding, not a failure of E3" in text
    lam = sim.rounding.exponent
    assert 0.05 < lam < 0.12 and f"{lam:.3g} per step" in text
    # both float trajectories leave the exact orbit, and the report says so for each
    assert sim.rounding.discrete_leaves is not None and sim.rounding.hybrid_leaves is not None
    assert "the float map leaves it at step" in text and "the hybrid leaves it at step" in text
    assert sim.to_dict(details=False)["rounding"]["amplified_rounding"] is True


def test_a_contracting_orbit_has_no_rounding_paragraph():
    m = ps.PLRNN(A=[[0.5, 0], [0, 0.6]], W=[[0, 0.1], [0.1, 0]], h=[1, 1])
    sim = ps.simulate(m, steps=200, z0=[1.0, 1.0], system="hybrid", e1=False)
    assert not sim.free_run_drifts and "exact orbit" not in sim.summary()
    assert sim.to_dict(details=False)["rounding"] is None


def test_the_judge_says_which_float_trajectory_is_off():
    """A hybrid trajectory pushed off at step 7 is named, the float map is not."""
    m = ps.PLRNN(A=[[0.5, 0], [0, 0.6]], W=[[0, 0.1], [0.1, 0]], h=[1, 1])
    X = m.trajectory([1.0, 1.0], 30)
    H = X.copy()
    H[7:] += 1e-6
    v = judge_rounding(m, X, H)
    assert v.discrete_leaves is None and v.hybrid_leaves == 7 and not v.amplified
    assert v.steps == 30 and v.discrete < 1e-12
    # and the other way round: a float map that is off while the hybrid is right
    v = judge_rounding(m, H, X)
    assert v.discrete_leaves == 7 and v.hybrid_leaves is None


def test_the_ball_reference_encloses_an_exact_rational_orbit():
    from fractions import Fraction

    from plrnn_symbolic.analysis.simulation.rounding import reference_orbit

    m = ps.example("limit_cycle")
    A, W, h = (np.array([[Fraction(str(x)) for x in row] for row in mat.tolist()]) for mat in (m.A, m.W, m.h))
    z = [Fraction(0.1), Fraction(-0.2), Fraction(0.3), Fraction(0), Fraction(0.05), Fraction(-0.1)]
    mid, rad = reference_orbit(m, [float(x) for x in z], 40)
    for n in range(41):
        assert np.all(np.abs(np.array([float(x) for x in z]) - mid[n]) <= rad[n] + 1e-15 * np.abs(mid[n]))
        zc = np.array(z, dtype=object).reshape(-1, 1)
        z = list((A @ zc + W @ np.maximum(zc, 0) + h).ravel())


# ---- every listing agrees with its own table -----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["float", "exact"])
def test_check_lists_only_regions_it_has_a_reason_for(mode):
    text = ps.check(ps.example("limit_cycle"), mode=mode).table()
    assert "regions without a principal real logarithm" not in text
    assert "unique real ODE" not in text            # unique_real_log fails in 49 regions
    assert "it is the only real ODE in the 15 regions where unique_real_log holds" in text
    chaotic = ps.check(ps.example("chaotic"), mode=mode).table(max_rows=100)
    listed = re.findall(r"^  ([01]{5})  (.*)$", chaotic, flags=re.MULTILINE)
    assert len(listed) == 12 and all(reason.strip() for _, reason in listed)
    assert sum("no real log" in reason for _, reason in listed) == 11       # the 11 lifted regions
    assert sum("eigenvalue one" in reason for _, reason in listed) == 1


# ---- plots --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def limit_cycle_sim():
    return ps.simulate(ps.example("limit_cycle"), steps=150, burn_in=500)


def test_every_plot_returns_a_figure_in_one_style(limit_cycle_sim, tmp_path):
    m = ps.example("limit_cycle")
    figs = [plot.simulation(limit_cycle_sim), plot.phase(limit_cycle_sim, grid=12),
            plot.regions(ps.check(m), trajectory=limit_cycle_sim), plot.spectrum(ps.derive(m, "visited"))]
    fonts = set()
    for fig in figs:
        assert isinstance(fig, Figure)
        for ax in fig.axes:
            fonts.add(ax.xaxis.label.get_fontfamily()[0])
            fonts.add(ax.title.get_fontfamily()[0] if ax.get_title() else ax._left_title.get_fontfamily()[0])
    assert fonts == {"DejaVu Sans"}
    path = plot.simulation(limit_cycle_sim, tmp_path / "s.png")
    assert isinstance(path, Figure) and (tmp_path / "s.png").stat().st_size > 5000


def test_plots_draw_observation_space(limit_cycle_sim):
    m = ps.example("limit_cycle")
    B = np.zeros((2, m.M))
    B[0, 0], B[1, 1] = 1.0, -2.0
    fig = plot.simulation(limit_cycle_sim, observe=B)
    assert [ax.get_ylabel() for ax in fig.axes[:2]] == ["x1", "x2"]
    line = fig.axes[1].lines[-1]        # the discrete points of x2 = -2 z2
    n0 = limit_cycle_sim.steps - len(line.get_ydata()) + 1
    assert np.allclose(line.get_ydata(), -2 * limit_cycle_sim.discrete[n0:, 1])
    # the model's own observation matrix is used when it has one
    object.__setattr__(m, "observation", B)
    try:
        assert plot.observation(m).what == "observed x = B z"
        fig = plot.phase(m, steps=200, grid=8)
        assert fig.axes[0].get_xlabel() == "x1" and "observed x = B z" in fig.axes[0].get_title(loc="left")
    finally:
        object.__delattr__(m, "observation")
    assert [ax.get_ylabel() for ax in plot.simulation(limit_cycle_sim, observe=[1, 4]).axes[:2]] == ["z1", "z4"]
    with pytest.raises(ps.InputError, match="units to observe"):
        plot.observation(m, [0])


def test_phase_field_is_that_of_the_visited_regions_along_the_orbit():
    """On vdp_trained the field of the visited regions, projected, turns with the orbit: it points
    along the orbit's own direction of travel (a section at the mean would converge to a point)."""
    sim = ps.simulate(ps.example("vdp_trained"), steps=400, burn_in=100, system="hybrid", e1=False)
    fig = plot.phase(sim, grid=24)
    title = fig.axes[0].get_title(loc="left")
    assert "14 regions it visits" in title or re.search(r"the \d+ regions it visits", title)
    assert "principal components" in title
    ax = fig.axes[0]
    X = sim.discrete
    Pi = None
    for coll in ax.collections:    # the streamlines' segments
        segs = getattr(coll, "get_segments", list)()
        if segs:
            Pi = segs
            break
    assert Pi, "no streamlines drawn"
    # the streamlines circulate: their directions cover all angles around the loop
    d = np.concatenate([s[1:] - s[:-1] for s in Pi if len(s) > 1])
    angles = np.arctan2(d[:, 1], d[:, 0])
    hist, _ = np.histogram(angles, bins=8, range=(-np.pi, np.pi))
    assert (hist > 0).all()
    assert X.shape[1] == 10


def test_region_graph_scales_to_30_units(tmp_path):
    rng = np.random.default_rng(3)
    M = 30
    A = np.diag(rng.uniform(0.6, 0.9, M))
    W = rng.normal(0, 0.35, (M, M))
    np.fill_diagonal(W, 0)
    m = ps.PLRNN(A, W, rng.normal(0, 0.3, M), name="random30")
    X = m.trajectory(rng.normal(size=M), 300)
    rep = ps.check(m, "visited", z0=X[0], steps=300, mode="float")
    fig = plot.regions(rep, tmp_path / "g.png", trajectory=X)
    labels = [t.get_text() for t in fig.axes[0].texts if re.fullmatch("[01]{30}", t.get_text())]
    assert labels and set(labels) <= set(rep.regions)
    assert len(labels) == min(40, len(rep.regions))


def test_spectrum_maps_eigenvalues_by_the_logarithm():
    m = ps.PLRNN(A=[[0.5, 0], [0, 0.25]], W=[[0, 0], [0, 0]], h=[0, 0], dt=2)
    fig = plot.spectrum(ps.derive(m, mode="float"))
    left, right = fig.axes[:2]
    lam = np.concatenate([ln.get_xdata() for ln in left.lines[1:]])
    mu = np.concatenate([ln.get_xdata() for ln in right.lines[1:]])      # after the axis Re mu = 0
    assert np.allclose(sorted(set(np.round(lam, 12))), [0.25, 0.5])
    assert np.allclose(sorted(set(np.round(mu, 12))), np.round(np.log([0.25, 0.5]) / 2, 12))


# ---- results as tables and collections ---------------------------------------------------------------------
def test_results_as_frames():
    pytest.importorskip("pandas")
    m = ps.example("chaotic")
    check = ps.check(m).to_frame()
    assert check.shape == (32, 6) and check.index.name == "region"
    derived = ps.derive(m, mode="float").to_frame()
    assert (derived["dimension"] > m.M).sum() == (derived["status"] == "lifted").sum() == 11
    sim = ps.simulate(m, steps=20).to_frame()
    assert len(sim) == 21 and np.allclose(sim[[f"z{i}" for i in range(1, 6)]].to_numpy(),
                                          ps.simulate(m, steps=20).discrete)
    assert set(sim["e1"].dropna()) <= {"holds", "fails", "undecided"}
    dyn = ps.dynamics(m, lyapunov_steps=10).to_frame()
    assert {"region", "real", "stable", "z1", "z5"} <= set(dyn.columns)


def test_to_frame_without_pandas_says_how_to_install_it(monkeypatch):
    from plrnn_symbolic.core.frames import MissingDependency

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingDependency, match=r"pip install 'plrnn_symbolic\[frames\]'"):
        ps.check(ps.example("chaotic"), mode="float").to_frame()


def test_results_behave_like_mappings():
    m = ps.example("chaotic")
    cont = ps.derive(m, regions=["00000", "11111"], mode="float")
    assert len(cont) == 2 and list(cont) == ["00000", "11111"] and "11111" in cont
    assert list(cont.keys()) == list(cont) and all(s.region == b for b, s in cont.items())
    rep = ps.check(m, mode="float")
    assert len(rep) == 32 and set(rep) == set(rep.keys()) and "01010" in rep
    assert [rc.region for rc in rep.values()] == list(rep)


def test_public_modules_say_what_they_export():
    from plrnn_symbolic import testing

    assert "sp" not in testing.__all__ and "st" not in testing.__all__ and "dataclass" not in testing.__all__
    assert {"plrnns", "assert_equivalent"} <= set(testing.__all__)
    assert set(plot.__all__) >= {"simulation", "regions", "phase", "spectrum"}
    for name in plot.__all__:
        assert getattr(plot, name).__doc__


# ---- derive --export ---------------------------------------------------------------------------------------
def test_export_python_runs_and_reproduces_the_map(tmp_path):
    import runpy

    m = ps.example("chaotic")
    r = _cli("derive", "--example", "chaotic", "--mode", "float", "--export", "py", str(tmp_path / "ode.py"))
    assert r.returncode == 0, r.stderr
    ns = runpy.run_path(str(tmp_path / "ode.py"))
    cont = ps.derive(m, mode="float")
    X = m.trajectory(np.full(5, 0.3), 200)
    for z in X[:-1]:
        assert np.allclose(ns["step"](z), m.step(z), atol=1e-12)     # lifted regions too
        s = cont.system_at(z)
        if s.dimension == m.M:
            assert np.array_equal(ns["vector_field"](z), s.L @ z + s.g)
    with pytest.raises(ValueError, match="is lifted: use step"):
        ns["vector_field"](next(z for z in X if cont.system_at(z).status == "lifted"))


@pytest.mark.parametrize("language", ["jl", "m"])
def test_export_julia_and_matlab_hold_the_floats_derived(language, tmp_path):
    from plrnn_symbolic.render.export import export_systems

    m = ps.PLRNN(A=[[0.5, 0], [0, -0.5]], W=[[0, 0.25], [0.1, 0]], h=[1, -1], C=[[1], [0]])
    cont = ps.derive(m, mode="float")
    path = export_systems(cont, tmp_path / f"pl_model.{language}")
    text = path.read_text()
    for s in cont.values():
        assert f"'{s.region}'" in text or f'"{s.region}"' in text
        for x in np.concatenate([s.L.ravel(), s.g, s.B.ravel()]):
            assert repr(float(x)) in text
    if language == "m":
        assert text.startswith("function [dz, znext] = pl_model(z, s)")
    tool = {"jl": "julia", "m": "octave"}[language]
    import shutil

    if shutil.which(tool) is None:
        return
    z = "[0.3, -0.2]" if language == "jl" else "[0.3; -0.2]"
    script = (f'include("{path}"); println(step({z}, [0.5]))' if language == "jl" else
              f"cd('{tmp_path}'); [~, zn] = pl_model({z}, 0.5); disp(zn')")
    out = subprocess.run([tool, "-e" if language == "jl" else "--eval", script], capture_output=True, text=True, check=False,
                         timeout=300)
    got = np.array([float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", out.stdout)])
    assert np.allclose(got, m.step([0.3, -0.2], [0.5]), atol=1e-12)


# ---- the command line ---------------------------------------------------------------------------------------
def test_every_help_ends_with_two_real_examples():
    top = _cli("--help").stdout
    assert "example:" not in top and top.count("examples (one per command") == 1
    assert "plrnn-symbolic simulate --example" in top
    for cmd in ("check", "derive", "simulate", "dynamics", "examples"):
        lines = _cli(cmd, "--help").stdout.rstrip().splitlines()
        assert lines[-3] == "examples:" and all(line.startswith(f"  plrnn-symbolic {cmd}") for line in lines[-2:])
    # the examples are real: the first of each runs
    r = _cli("simulate", "--example", "vdp_trained", "--steps", "50", "--no-e1")
    assert r.returncode == 0, r.stderr


def test_a_sweep_that_cannot_fit_is_refused_up_front(tmp_path):
    M = 30
    ps.save(ps.PLRNN(np.diag(np.full(M, 0.5)), np.zeros((M, M)), np.zeros(M), name="m30"), tmp_path / "m30.npz")
    r = _cli("check", str(tmp_path / "m30.npz"), "--regions", "all", "--max-regions", "2000000000")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "1,073,741,824 regions" in r.stderr and "--regions visited" in r.stderr and "available" in r.stderr


def test_a_sweep_is_announced_with_its_cost(tmp_path):
    M = 12
    ps.save(ps.PLRNN(np.diag(np.full(M, 0.5)), np.zeros((M, M)), np.zeros(M)), tmp_path / "m12.npz")
    r = _cli("check", str(tmp_path / "m12.npz"), "--mode", "float")
    assert r.returncode == 0
    assert re.search(r"sweep of 4,096 regions \(M = 12, mode float, 1 process\): about [\d.]+ [kM]B of memory",
                     r.stderr)


def test_huge_initial_states_are_reported_not_warned_about():
    r = _cli("simulate", "--example", "chaotic", "--z0", "1e308,1e308,1,1,1", "--steps", "5")
    assert r.returncode == 0
    assert "Warning" not in r.stderr
    assert "leaves float64 at step" in r.stdout


def test_visited_results_record_what_made_them():
    import json

    r = _cli("check", "--example", "limit_cycle", "--regions", "visited", "--steps", "300", "--burn-in", "20",
             "--z0", "0.1,0,0,0,0,0", "--json")
    visited = json.loads(r.stdout)["visited"]
    assert visited == {"z0": [0.1, 0, 0, 0, 0, 0], "steps": 300, "burn_in": 20}
    text = _cli("check", "--example", "limit_cycle", "--regions", "visited", "--steps", "300").stdout
    assert "300 steps after a burn-in of 0" in text
    cont = ps.derive(ps.example("limit_cycle"), "visited", mode="float", steps=50, burn_in=5)
    assert cont.visited["steps"] == 50 and cont.to_dict()["visited"]["burn_in"] == 5
    assert ps.derive(ps.example("limit_cycle"), ["000000"], mode="float").visited is None


# ---- the README's figures -----------------------------------------------------------------------------------
README_FIGURES = ("simulation", "phase", "regions", "spectrum")


def test_readme_figures(tmp_path):
    """Draws the README's figures; PLRNN_WRITE_README_IMAGES=1 writes them to docs/images."""
    out = IMAGES if os.environ.get("PLRNN_WRITE_README_IMAGES") == "1" else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    m = ps.example("vdp_trained")
    sim = ps.simulate(m, steps=600, burn_in=200)
    plot.simulation(sim, out / "simulation.png", window=100, per_step=12)
    plot.phase(sim, out / "phase.png")
    plot.regions(ps.check(m, "visited", steps=600, burn_in=200), out / "regions.png", trajectory=sim)
    plot.spectrum(ps.derive(m, "visited", steps=600, burn_in=200), out / "spectrum.png")
    readme = (ROOT / "README.md").read_text()
    for name in README_FIGURES:
        assert (out / f"{name}.png").stat().st_size > 10_000
        assert f"docs/images/{name}.png" in readme and f"plot.{name}(" in readme
        assert (IMAGES / f"{name}.png").exists(), "commit the README's figures (PLRNN_WRITE_README_IMAGES=1)"
        assert (IMAGES / f"{name}.png").stat().st_size < 250_000


# modules edited in parallel by other work (model family, certified derivation, simulation internals,
# LaTeX): their __all__ is added when that work lands, to keep these edits out of their files
NO_ALL_YET: set[str] = set()


def test_every_public_module_says_what_it_exports():
    import ast
    import importlib

    root = ROOT / "plrnn_symbolic"
    missing = []
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        if path.name == "__init__.py" or name in NO_ALL_YET:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
                   for n in tree.body):
            missing.append(name)
            continue
        module = importlib.import_module(f"plrnn_symbolic.{name}")
        assert all(hasattr(module, n) for n in module.__all__), name
    assert missing == []


def test_region_map_without_a_trajectory_draws_no_made_up_region_changes():
    from matplotlib.patches import FancyArrowPatch, Rectangle

    m10 = ps.example("vdp_trained")
    grid = plot.regions(ps.check(m10, mode="float"))                 # 2^10 cells: a grid, every cell coloured
    cells = [p for p in grid.axes[0].patches if isinstance(p, Rectangle) and p.get_fill()]
    assert len(cells) == 1024 and all(p.get_linewidth() == 0 for p in cells)
    M = 13
    m13 = ps.PLRNN(np.diag(np.full(M, 0.5)), np.zeros((M, M)), np.zeros(M))
    fig = plot.regions(ps.check(m13, [format(k, "013b") for k in range(50)], mode="float"))
    assert not [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert "pass trajectory=" in fig.axes[0].get_title(loc="left")


def test_a_drift_beyond_the_steps_compared_is_said_to_be(monkeypatch):
    from plrnn_symbolic.analysis.simulation import results

    real = results.judge_rounding
    monkeypatch.setattr(results, "judge_rounding", lambda *a, **k: real(*a, **{**k, "max_steps": 100}))
    text = ps.simulate(ps.example("chaotic"), steps=1000, system="hybrid", e1=False).summary()
    assert "over 100 steps" in text and "the float map stays within" in text
    assert re.search(r"the free runs part at step \d+, after the steps compared", text)
