"""Model files of the family as the training codes write them (scripts/make_family_fixtures.py):
PyTorch state dicts read without torch, 2020-format MATLAB files with cells and inputs, .npz/.json
with a ``kind``; and bad files refused with one line, nothing executed."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import sympy as sp
from _independent import exact_statuses

from plrnn_symbolic import PLRNN, check, derive
from plrnn_symbolic.cli import main
from plrnn_symbolic.core.errors import InputError
from plrnn_symbolic.model.family import ALRNN, DendPLRNN, ShallowPLRNN
from plrnn_symbolic.model.files import load, load_file, save
from plrnn_symbolic.model.regions import cells, region_matrix
from plrnn_symbolic.model.torchfile import read_state_dict

DATA = Path(__file__).parent / "data" / "family"
PREDICATES = ("invertible", "principal_log", "real_log", "unique_real_log", "eigenvalue_one")


def _alrnn_weights(M, N, seed):
    """The fixture's weights regenerated from its seed (as scripts/make_family_fixtures.py draws them)."""
    rng = np.random.default_rng(seed)
    out = [rng.uniform(0.5, 0.95, M), rng.normal(scale=0.4 / np.sqrt(M), size=(M, M)),
           rng.normal(scale=0.1, size=M), rng.normal(size=(N, M))]
    return [x.astype(np.float32).astype(float) for x in out]


# ---- PyTorch state dicts, read without torch ------------------------------------------------------
@pytest.mark.parametrize(("name", "M", "seed"), [("alrnn_M20_P2", 20, 1), ("alrnn_M30_P10", 30, 2)])
def test_own_reader_reads_the_tensors_torch_wrote(name, M, seed):
    sd = read_state_dict(DATA / f"{name}.pt", use_torch=False)
    A, W, h, B = _alrnn_weights(M, 3, seed)
    assert list(sd) == ["latent_model.A", "latent_model.W", "latent_model.h", "observation_model.B"]
    for key, want in zip(sd, (A, W, h, B)):
        assert np.array_equal(sd[key], want)


@pytest.mark.parametrize(("name", "M", "P", "sample"), [("alrnn_M20_P2", 20, 2, 4), ("alrnn_M30_P10", 30, 10, 2)])
def test_alrnn_state_dicts_load_and_check_against_an_independent_exact_computation(name, M, P, sample):
    mf = load_file(DATA / f"{name}.pt", relu_units=P)
    m = mf.model
    assert isinstance(m, ALRNN) and (m.M, m.P, m.L) == (M, P, P)
    assert m.observation.shape == (3, M) and m.dt == 1
    assert any("no dt" in n for n in mf.notes)
    names, skipped = cells(m)
    assert len(names) == 2**P and skipped == 0
    rng = np.random.default_rng(0)
    some = [str(b) for b in rng.choice(names, size=min(len(names), 24), replace=False)]
    auto, exact = check(m, some, mode="auto", workers=1), check(m, some, mode="exact", workers=1)
    for bits in some:
        assert all(auto[bits][p].status == exact[bits][p].status for p in PREDICATES)
    for bits in some[:sample]:   # sympy's Sturm counts on a 30 x 30 matrix take seconds each
        assert tuple(exact[bits][p].status for p in PREDICATES) == exact_statuses(
            sp.Matrix(region_matrix(m, bits)))


def test_alrnn_state_dict_needs_its_P():
    path = DATA / "alrnn_M20_P2.pt"
    with pytest.raises(InputError, match="--relu-units"):
        load_file(path, kind="alrnn")
    mf = load_file(path)          # the file does not say: a PLRNN, with a note
    assert isinstance(mf.model, PLRNN) and any("--kind" in n for n in mf.notes)


def test_dendritic_and_shallow_state_dicts():
    d = load_file(DATA / "dendplrnn_M4_B3.pt").model
    assert isinstance(d, DendPLRNN) and (d.M, d.B, d.L) == (4, 3, 12)
    sd = read_state_dict(DATA / "dendplrnn_M4_B3.pt", use_torch=False)
    AW = sd["latent_model.latent_step.AW"]
    z = np.array([0.3, -0.7, 1.2, 0.1])
    al, th = sd["latent_model.latent_step.alphas"], sd["latent_model.latent_step.thetas"]
    W = AW - np.diag(np.diag(AW))
    # the dendPLRNN code's latent step: A z + W sum_b alpha_b relu(z + theta_b) + h (thresholds -theta)
    want = np.diag(AW) * z + W @ sum(al[b] * np.maximum(z + th[:, b], 0) for b in range(3)) \
        + sd["latent_model.latent_step.h"]
    np.testing.assert_allclose(d.step(z), want, atol=1e-12)
    s = load_file(DATA / "shallow_M3_L6.pt").model
    assert isinstance(s, ShallowPLRNN) and (s.M, s.L) == (3, 6)
    names, skipped = cells(s)
    # six planes through general points of R^3 cut at most 1 + 6 + 15 + 20 = 42 cells
    assert len(names) + skipped == 64 and len(names) <= 42
    seen = {s.region_of(z) for z in np.random.default_rng(1).normal(scale=4, size=(20000, 3))}
    assert seen <= set(names)
    c = derive(s, names[:4], mode="auto", workers=1)
    assert all(c[b].status in ("principal", "nonprincipal", "lifted", "impossible", "undecided") for b in names[:4])


# ---- MATLAB files of the 2020 code ----------------------------------------------------------------
def test_mat_2020_cells_zero_C_observation_and_ignored_keys():
    mf = load_file(DATA / "plrnn2020_cells.mat")
    m = mf.model
    raw = scipy.io.loadmat(DATA / "plrnn2020_cells.mat")
    assert isinstance(m, PLRNN) and m.M == 10 and m.C is None and mf.inputs is None
    assert np.array_equal(m.numeric.z0, raw["mu0"][0, 0].ravel())
    assert m.observation.shape == (3, 10) and m.dt == 1
    text = " | ".join(mf.notes)
    assert "mu0 holds 6 trials; using trial 1" in text and "C is all zero (10x10)" in text
    assert "no dt" in text and "ignored keys: G, LL, S, Sigma" in text
    third = load_file(DATA / "plrnn2020_cells.mat", trial=3, dt="1/10").model
    assert np.array_equal(third.numeric.z0, raw["mu0"][0, 2].ravel()) and third.dt == sp.Rational(1, 10)
    with pytest.raises(InputError, match="holds 6 trials"):
        load_file(DATA / "plrnn2020_cells.mat", trial=7)


def test_mat_2020_inputs_are_read_as_T_by_K():
    mf = load_file(DATA / "plrnn2020_inputs.mat")
    raw = scipy.io.loadmat(DATA / "plrnn2020_inputs.mat")
    assert mf.model.K == 5 and mf.inputs.shape == (360, 5)
    assert np.array_equal(mf.inputs, raw["Inp"].T)


# ---- .npz / .json with a kind ---------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".json", ".npz", ".mat"])
def test_every_form_round_trips_with_its_kind(tmp_path, suffix):
    forms = [ALRNN([0.5, "1/4", 0.1], [[0, 1, 2], [0, 0, 1], [1, 0, 0]], [0, 0.1, 0], P=2, z0=[1, 2, 3]),
             DendPLRNN([0.5, 0.5], [[0, 1], [1, 0]], [0, 0], [1, -1], [[0, 1], [2, 3]], clipped=True, C=[[1], [0]]),
             ShallowPLRNN([0.5, 0.5], [[1, 0, 1], [0, 1, 1]], [[1, 0], [0, 1], [1, 1]], [0, 0], [0, 0, 0.5],
                          dt=0.5, observation=[[1, 2]])]
    for m in forms:
        save(m, tmp_path / f"m{suffix}")
        back = load(tmp_path / f"m{suffix}")
        assert type(back) is type(m) and back.kind == m.kind and back.dt == m.dt
        for key in ("A", "W1", "W2", "h1", "h2", "C", "z0", "observation"):
            a, b = getattr(m, key), getattr(back, key)
            assert (a is None and b is None) or a == b
    if suffix == ".json":
        assert json.loads((tmp_path / "m.json").read_text())["kind"] == "shallow"


# ---- bad files ------------------------------------------------------------------------------------
class _Evil:
    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        import os
        return (os.system, (f"touch {self.target}",))


def _zip_with_pickle(path: Path, payload: bytes):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", payload)
        z.writestr("archive/version", "3\n")


def test_a_pickle_with_code_is_refused_and_not_run(tmp_path, capsys):
    target = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    _zip_with_pickle(path, pickle.dumps({"A": _Evil(target)}, protocol=2))
    with pytest.raises(InputError, match="posix.system|nothing is executed"):
        read_state_dict(path, use_torch=False)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "error" in err
    assert not target.exists()
    # a bare pickle named .pt, and opcodes a state dict never needs
    (tmp_path / "bare.pt").write_bytes(pickle.dumps(_Evil(target)))
    assert main(["check", str(tmp_path / "bare.pt")]) == 2
    buf = io.BytesIO()
    pickle.Pickler(buf, protocol=4).dump({"x": frozenset({1})})
    _zip_with_pickle(tmp_path / "odd.pt", buf.getvalue())
    with pytest.raises(InputError, match="opcode"):
        read_state_dict(tmp_path / "odd.pt", use_torch=False)
    assert not target.exists()


@pytest.mark.parametrize(("data", "phrase"), [
    ({"kind": "lstm", "A": [0.5], "W": [[0]], "h": [0]}, "unknown kind 'lstm'"),
    ({"kind": "shallow", "A": [0.5, 0.5], "W1": [[1], [1]], "h1": [0, 0], "h2": [0]}, "needs A, W1, W2, h1, h2"),
    ({"kind": "shallow", "A": [0.5, 0.5], "W1": [[1], [1]], "W2": [[1, 0, 0]], "h1": [0, 0], "h2": [0]},
     "W2 has shape 1x3, expected 1x2"),
    ({"kind": "alrnn", "A": [0.5, 0.5], "W": [[0, 1], [1, 0]], "h": [0, 0], "P": 3}, "P"),
    ({"kind": "dend", "A": [0.5], "W": [[0]], "h0": [0], "alpha": [1, 2], "H": [[0]]}, "alpha"),
])
def test_wrong_keys_shapes_and_kinds_exit_2_with_one_line(tmp_path, capsys, data, phrase):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=phrase):
        load(path)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.json" in err[0]


def test_cli_flags_on_the_training_files(capsys):
    assert main(["check", str(DATA / "alrnn_M20_P2.pt"), "--relu-units", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)["regions"]) == 4 and "note: the file gives no dt" in err
    assert main(["derive", str(DATA / "plrnn2020_cells.mat"), "--trial", "2", "--dt", "0.5",
                 "--regions", "visited", "--steps", "50"]) == 0
    out, err = capsys.readouterr()
    assert "dt = 1/2" in out and "mu0 holds 6 trials" not in err and "ignored keys" in err
    assert main(["check", str(DATA / "alrnn_M20_P2.pt"), "--kind", "shallow", "--relu-units", "2"]) == 2


# ---- inputs end to end ----------------------------------------------------------------------------
def test_inputs_from_the_model_file_and_from_inputs_flag(tmp_path, capsys):
    path = DATA / "plrnn2020_inputs.mat"
    raw = scipy.io.loadmat(path)
    assert main(["simulate", str(path), "--steps", "12", "--system", "hybrid", "--no-e1", "--json"]) == 0
    out, err = capsys.readouterr()
    res = json.loads(out)
    mf = load_file(path)
    want = mf.model.trajectory(mf.model.numeric.z0, 12, raw["Inp"].T)
    np.testing.assert_allclose(np.array(res["discrete"], dtype=float), want, atol=1e-12)
    assert "held at zero" not in err
    # --inputs as K x T (5 x 12 is unambiguous for K = 5): replaces the file's sequence, with a note
    s = np.random.default_rng(2).normal(size=(5, 12))
    np.save(tmp_path / "s.npy", s)
    assert main(["simulate", str(path), "--steps", "12", "--system", "hybrid", "--no-e1", "--json",
                 "--inputs", str(tmp_path / "s.npy")]) == 0
    out, err = capsys.readouterr()
    want = mf.model.trajectory(mf.model.numeric.z0, 12, s.T)
    np.testing.assert_allclose(np.array(json.loads(out)["discrete"], dtype=float), want, atol=1e-12)
    assert "replaced by --inputs" in err
    # a model with inputs and no sequence: a note on every command that runs it
    m = PLRNN([[0.5, 0], [0, 0.5]], [[0, 1], [-1, 0]], [0, 0], C=[[1], [0]])
    save(m, tmp_path / "m.json")
    for cmd in (["simulate", "--steps", "5"], ["dynamics"], ["check", "--regions", "visited", "--steps", "5"]):
        assert main([cmd[0], str(tmp_path / "m.json"), *cmd[1:]]) == 0
        assert "inputs held at zero" in capsys.readouterr().err
    np.save(tmp_path / "bad.npy", np.zeros((3, 7)))
    assert main(["simulate", str(tmp_path / "m.json"), "--inputs", str(tmp_path / "bad.npy")]) == 2
    # every form writes LaTeX (issue 16): a shallow model's derivation, in its own terms
    assert main(["derive", str(DATA / "shallow_M3_L6.pt"), "--latex", str(tmp_path / "x.tex"), "--show", "0"]) == 0
    assert "shallow PLRNN" in (tmp_path / "x.tex").read_text()


@pytest.mark.parametrize(("name", "P"), [("alrnn_M20_P2", 2), ("alrnn_M30_P10", 10)])
def test_alrnn_state_dicts_through_every_command(name, P, capsys):
    path = str(DATA / f"{name}.pt")
    common = [path, "--relu-units", str(P), "--json"]
    assert main(["check", *common, "--regions", "visited", "--steps", "30"]) == 0
    visited = json.loads(capsys.readouterr().out)["regions"]
    assert visited and all(len(r) == P for r in visited)
    assert main(["derive", *common, "--regions", "visited", "--steps", "30"]) == 0
    systems = json.loads(capsys.readouterr().out)["regions"]
    assert set(systems) == set(visited)
    assert main(["simulate", *common, "--steps", "20", "--z0", ",".join(["0.1"] * (20 if P == 2 else 30))]) == 0
    res = json.loads(capsys.readouterr().out)
    assert len(res["discrete"]) == 21
    if P == 2:                         # 4 regions; the M = 30 sweep of 1024 exact fixed points takes ~30 s
        assert main(["dynamics", *common]) == 0
        rep = json.loads(capsys.readouterr().out)
        assert rep["regions_swept"] == 4


def test_visited_regions_follow_the_files_input_sequence(capsys):
    """A 2020 .mat with Inp of 360 steps: `check --regions visited` without --steps runs the 360
    steps the inputs cover (it refused, asking for 1000 steps of inputs, on a user's first call)."""
    from pathlib import Path

    from plrnn_symbolic.cli import main

    path = Path(__file__).parent / "data" / "family" / "plrnn2020_inputs.mat"
    assert main(["check", str(path), "--regions", "visited"]) == 0
    out = capsys.readouterr().out
    assert "360 steps after a burn-in of 0" in out
    assert main(["check", str(path), "--regions", "visited", "--burn-in", "60", "--json"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["visited"]["steps"] == 300
