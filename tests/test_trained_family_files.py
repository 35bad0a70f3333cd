"""Trained models of every form, written the way their training codes write them
(scripts/train_family_models.py: torch for the ALRNNs, the dendritic and the shallow PLRNN, numpy and
scipy.io.savemat for the 2020-format PLRNN), read without torch and checked against independent
computations: the map of each form from the raw arrays with the training code's own formula, and the
verdicts by sympy's exact root counting (tests/_independent.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import sympy as sp
from _independent import exact_statuses

from plrnn_symbolic import PLRNN, check, simulate
from plrnn_symbolic.cli import main
from plrnn_symbolic.model.family import ALRNN, DendPLRNN, ShallowPLRNN
from plrnn_symbolic.model.files import load_file
from plrnn_symbolic.model.regions import region_matrix
from plrnn_symbolic.model.torchfile import read_state_dict

DATA = Path(__file__).parent / "data" / "trained"
PREDICATES = ("invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one")


def _statuses(report, bits) -> tuple[str, ...]:
    return tuple(report[bits][p].status for p in PREDICATES)


def _same_map(model, step, M, seed=0):
    """The model's float step against the training code's formula ``step`` at states of every sign."""
    for z in np.random.default_rng(seed).normal(scale=2, size=(50, M)):
        np.testing.assert_allclose(model.step(z), step(z), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("name", "M", "P", "exact_regions"), [
    ("alrnn_lorenz_M20_P2", 20, 2, 4),
    pytest.param("alrnn_lorenz_M30_P10", 30, 10, 1, marks=pytest.mark.slow)])
def test_trained_alrnn_state_dicts(name, M, P, exact_regions):
    path = DATA / f"{name}.pt"
    raw = read_state_dict(path, use_torch=False)
    assert list(raw) == ["A", "W", "h", "B"]          # torch.save(model.state_dict()) of the ALRNN code
    mf = load_file(path, relu_units=P)
    m = mf.model
    assert isinstance(m, ALRNN) and (m.M, m.P) == (M, P)
    A, W, h = raw["A"], raw["W"], raw["h"]
    _same_map(m, lambda z: A * z + W @ np.concatenate([z[:M - P], np.maximum(z[M - P:], 0)]) + h, M)
    # B (N x M) starts the latent state (z_0 = x_0 B); the observation is the first N units
    assert np.array_equal(np.array(m.observation, dtype=float), np.eye(3, M))
    assert any("initial latent state" in n for n in mf.notes) and any("no dt" in n for n in mf.notes)
    x0 = np.array([0.5, -0.3, 0.8])
    z0 = x0 @ raw["B"]
    z0[:3] = x0
    rep = check(m, "visited", z0=z0, steps=400, workers=1)
    assert len(rep) >= 2
    for bits in list(rep)[:exact_regions]:      # sympy on a 30 x 30 rational matrix takes seconds
        assert _statuses(rep, bits) == exact_statuses(sp.Matrix(region_matrix(m, bits)))


def test_trained_dendritic_state_dict():
    path = DATA / "dendplrnn_lorenz_M10_B4.pt"
    raw = read_state_dict(path, use_torch=False)
    mf = load_file(path)
    m = mf.model
    assert isinstance(m, DendPLRNN) and (m.M, m.B, m.L) == (10, 4, 40) and not m.clipped
    assert any("clipped" in n for n in mf.notes)
    AW = raw["latent_model.latent_step.AW"]
    al, th, h = (raw[f"latent_model.latent_step.{k}"] for k in ("alphas", "thetas", "h"))
    W = AW - np.diag(np.diag(AW))
    # the dendPLRNN code's latent step: A z + W sum_b alpha_b relu(z + theta_b) + h
    _same_map(m, lambda z: np.diag(AW) * z + W @ (al * np.maximum(z[:, None] + th, 0)).sum(1) + h, 10)
    assert np.array_equal(np.array(m.observation, dtype=float), raw["output_layer.weight"])
    rep = check(m, "visited", z0=np.full(10, 0.1), steps=400, workers=1)
    for bits in list(rep)[:3]:
        assert _statuses(rep, bits) == exact_statuses(sp.Matrix(region_matrix(m, bits)))


def test_trained_shallow_state_dict():
    path = DATA / "shallow_lorenz_M6_L24.pt"
    raw = read_state_dict(path, use_torch=False)
    m = load_file(path).model
    assert isinstance(m, ShallowPLRNN) and (m.M, m.L) == (6, 24)
    _same_map(m, lambda z: raw["A"] * z + raw["W1"] @ np.maximum(raw["W2"] @ z + raw["h2"], 0) + raw["h1"], 6)
    rep = check(m, "visited", z0=np.full(6, 0.1), steps=400, workers=1)
    assert len(rep) >= 2
    for bits in rep:
        assert _statuses(rep, bits) == exact_statuses(sp.Matrix(region_matrix(m, bits)))


def test_trained_plrnn_2020_mat_with_cells_and_inputs():
    path = DATA / "plrnn2020_vdp_driven_M10.mat"
    raw = scipy.io.loadmat(path)
    mf = load_file(path)
    m = mf.model
    assert isinstance(m, PLRNN) and (m.M, m.K) == (10, 2)
    assert mf.inputs.shape == (360, 2) and np.array_equal(mf.inputs, raw["Inp"].T)
    assert np.array_equal(m.numeric.z0, raw["mu0"][0, 0].ravel())
    assert np.array_equal(np.array(m.observation, dtype=float), raw["B"])
    text = " | ".join(mf.notes)
    assert "mu0 holds 6 trials; using trial 1" in text and "no dt" in text and "ignored keys: G, LL, S, Sigma" in text
    # the map with the file's inputs against the 2020 code's step: A z + W relu(z) + h + C s
    traj = m.numeric.trajectory(m.numeric.z0, 360, mf.inputs)
    z = raw["mu0"][0, 0].ravel()
    for t in range(360):
        z = raw["A"] @ z + raw["W"] @ np.maximum(z, 0) + raw["h"].ravel() + raw["C"] @ raw["Inp"][:, t]
    np.testing.assert_allclose(traj[-1], z, atol=1e-10)
    rep = check(m, "visited", inputs=mf.inputs, workers=1)
    assert len(rep) >= 5
    for bits in list(rep)[:6]:
        assert _statuses(rep, bits) == exact_statuses(sp.Matrix(region_matrix(m, bits)))
    sim = simulate(m, 100, inputs=mf.inputs[:100], system="hybrid", e1=False, mode="float")
    assert sim.hybrid_step_deviation < 1e-12
    # the file whose Inp is a cell of trials: --trial picks both mu0 and Inp
    third = load_file(DATA / "plrnn2020_vdp_driven_M10_trials.mat", trial=3)
    cells = scipy.io.loadmat(DATA / "plrnn2020_vdp_driven_M10_trials.mat")
    assert np.array_equal(third.inputs, cells["Inp"][0, 2].T)
    assert np.array_equal(third.model.numeric.z0, cells["mu0"][0, 2].ravel())


def test_trained_files_through_the_command_line(capsys):
    """check, derive, simulate and dynamics on each trained file exit 0; no sweep estimate for an
    ALRNN's 4 regions (it was sized as 2^20 regions and 52 minutes)."""
    runs = [["check", str(DATA / "alrnn_lorenz_M20_P2.pt"), "--relu-units", "2"],
            ["derive", str(DATA / "dendplrnn_lorenz_M10_B4.pt"), "--regions", "visited", "--mode", "float"],
            ["simulate", str(DATA / "shallow_lorenz_M6_L24.pt"), "--steps", "200", "--z0", "0.1,0.1,0.1,0.1,0.1,0.1"],
            ["dynamics", str(DATA / "plrnn2020_vdp_driven_M10.mat"), "--steps", "500", "--mode", "float"]]
    for argv in runs:
        assert main(argv) == 0, argv
        err = capsys.readouterr().err
        assert "sweep of" not in err
        assert "Traceback" not in err


def test_shallow_sweep_announces_its_cells(capsys, monkeypatch):
    """A shallow model with 24 hyperplanes in R^6: the command line says, before it starts, how many
    cells there can be (190,051 of 2^24 patterns) and how long the exact LPs take."""
    from plrnn_symbolic.model import regions

    def stop(*_args, **_kwargs):
        raise KeyboardInterrupt          # the user stops the sweep once told what it costs

    monkeypatch.setattr(regions, "nonempty_patterns", stop)
    assert main(["check", str(DATA / "shallow_lorenz_M6_L24.pt")]) != 0
    err = capsys.readouterr().err
    assert "16,777,216 activation patterns are cells: at most 190,051 (24 hyperplanes in R^6), up to 95 min" in err
    monkeypatch.setattr(regions, "nonempty_patterns", stop)
    assert main(["dynamics", str(DATA / "shallow_lorenz_M6_L24.pt")]) != 0
    assert "at most 190,051" in capsys.readouterr().err


def test_exact_orbit_enclosure_of_every_form():
    """The ball enclosure of the exact orbit (which judges a drifting free run) for the general form:
    it contains the orbit computed in rational arithmetic from the training code's formula."""
    from fractions import Fraction

    from plrnn_symbolic.analysis.simulation.rounding import reference_orbit

    m = ShallowPLRNN(A=["9/10", "7/10"], W1=[["1/2", "-1/3", "1/4"], ["1/5", "1/2", "-1/2"]],
                     W2=[[1, "1/2"], ["-1/3", 1], ["2/3", "-3/5"]], h1=["1/10", "-1/5"], h2=["1/10", "-1/5", "3/10"])
    F = [[Fraction(str(x)) for x in row] for row in m.W1.tolist()]
    G = [[Fraction(str(x)) for x in row] for row in m.W2.tolist()]
    a = [Fraction(9, 10), Fraction(7, 10)]
    h1, h2 = [Fraction(1, 10), Fraction(-1, 5)], [Fraction(1, 10), Fraction(-1, 5), Fraction(3, 10)]
    z = [Fraction(0.3), Fraction(-0.7)]
    mid, rad = reference_orbit(m, [0.3, -0.7], 60)
    assert (rad / (1 + np.abs(mid))).max() < 1e-14     # sharp balls (on this growing orbit): containment says something
    for n in range(61):
        assert all(abs(float(z[i]) - mid[n, i]) <= rad[n, i] + 1e-300 for i in range(2))
        r = [max(sum(G[k][j] * z[j] for j in range(2)) + h2[k], 0) for k in range(3)]
        z = [a[i] * z[i] + sum(F[i][k] * r[k] for k in range(3)) + h1[i] for i in range(2)]


def test_a_drifting_free_run_of_a_trained_shallow_model_is_judged():
    """The trained shallow PLRNN is chaotic: its free-running hybrid trajectory parts from the float
    map, and the summary says it is amplified rounding (this raised AttributeError for every
    non-PLRNN form)."""
    m = load_file(DATA / "shallow_lorenz_M6_L24.pt").model
    sim = simulate(m, 1000, system="hybrid", e1=False, mode="float")
    assert sim.free_run_drifts and sim.rounding.amplified and sim.rounding.exponent > 0
    assert "amplified rounding, not a failure of E3" in sim.summary()


def test_the_files_input_sequence_is_named_and_bounds_the_steps(capsys):
    path = str(DATA / "plrnn2020_vdp_driven_M10.mat")
    assert main(["simulate", path, "--steps", "50", "--no-e1", "--system", "hybrid"]) == 0
    assert "inputs: the file's input sequence (360 steps x 2 channels)" in capsys.readouterr().err
    assert main(["simulate", path, "--steps", "1000"]) == 2
    err = capsys.readouterr().err.strip()
    assert "the input sequence has 360 steps: ask for at most 360" in err and len(err.splitlines()) <= 5


def test_dynamics_without_the_fixed_point_sweep(capsys):
    """A model with more cells than the sweep limit: dynamics says how to leave the sweep out, and without
    it reports the Lyapunov exponents with a note that the fixed points were not searched (never an empty
    list that reads as 'none')."""
    path = str(DATA / "dendplrnn_lorenz_M10_B4.pt")
    assert main(["dynamics", path, "--kind", "dend", "--steps", "200", "--burn-in", "0"]) == 2
    assert "--no-fixed-points" in capsys.readouterr().err
    assert main(["dynamics", path, "--kind", "dend", "--steps", "200", "--burn-in", "0", "--no-fixed-points",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regions_swept"] == 0 and out["fixed_points"] == [] and len(out["lyapunov_discrete"]) == 10
    assert any("not searched" in n for n in out["notes"])
