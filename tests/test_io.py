"""Model and input files: exact round trips, and a clean refusal for every bad file."""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import sympy as sp

import plrnn_symbolic.model.files as pio
from plrnn_symbolic.core.errors import InputError
from plrnn_symbolic.model.examples import EXAMPLES, example
from plrnn_symbolic.model.files import load, load_inputs, save
from plrnn_symbolic.model.plrnn import PLRNN

A = [[0.5, 0.0], [0.0, 0.25]]
W = [[0.0, 1.5], [-1.0, 0.0]]
H = [0.125, -0.75]


def _same(a: PLRNN, b: PLRNN) -> None:
    assert a.A == b.A and a.W == b.W and a.h == b.h and a.dt == b.dt
    assert (a.C is None) == (b.C is None) and (a.C is None or a.C == b.C)
    assert (a.z0 is None) == (b.z0 is None) and (a.z0 is None or a.z0 == b.z0)


def _refused(path, *phrases, reader=load) -> str:
    """``reader(path)`` must raise InputError, one line, naming the file and saying each phrase."""
    with pytest.raises(InputError) as err:
        reader(path)
    msg = str(err.value)
    assert str(path) in msg and "\n" not in msg
    for phrase in phrases:
        assert phrase in msg
    return msg


def _write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


# ---- JSON ---------------------------------------------------------------------

def test_json_exact_strings_and_numbers(tmp_path):
    path = _write_json(tmp_path / "m.json", {
        "A": [["1/3", 0], [0, 0.5]], "W": [[0, "-2/7"], [1, 0]], "h": ["1/10", 0.1],
        "C": [["3/4"], [-1]], "dt": "1/10", "mu0": [1, "-1/3"],
    })
    m = load(path)
    assert m.A[0, 0] == sp.Rational(1, 3) and m.W[0, 1] == sp.Rational(-2, 7)
    assert m.h[0] == sp.Rational(1, 10)  # an exact string stays exact ...
    assert m.h[1] == sp.Rational(*(0.1).as_integer_ratio())  # ... a JSON float is the binary float
    assert m.A[1, 0] == 0 and isinstance(m.A[1, 0], sp.Integer)
    assert m.dt == sp.Rational(1, 10) and m.K == 1 and m.name == "m"
    assert list(m.z0) == [1, sp.Rational(-1, 3)]


def test_json_round_trip_is_exact(tmp_path):
    m = PLRNN(A=[["1/3", 0], [0, "2/3"]], W=[[0, "-1/7"], ["5/11", 0]], h=["1/3", -2],
              C=[["1/9", 1], [0, "-3/13"]], dt="1/10", name="third", z0=["1/3", 0])
    path = tmp_path / "m.json"
    save(m, path)
    text = path.read_text()
    assert '"1/3"' in text and '"-1/7"' in text
    back = load(path)
    _same(back, m)
    assert back.name == "third"


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_json_round_trip_of_every_example(tmp_path, name):
    m = example(name)
    save(m, tmp_path / "m.json")
    _same(load(tmp_path / "m.json"), m)


def test_json_round_trip_keeps_parameters(tmp_path):
    m = PLRNN(A=[["a", 0], [0, "1/2"]], W=[[0, 1], [-1, 0]], h=[0, "b"])
    save(m, tmp_path / "p.json")
    assert load(tmp_path / "p.json").symbols == m.symbols


def test_json_defaults_and_shapes(tmp_path):
    path = _write_json(tmp_path / "m.json", {"A": [0.5, 0.25], "W": W, "h": [[0.125], [-0.75]], "C": [], "other": 1})
    m = load(path)
    assert m.dt == 1 and m.C is None and m.z0 is None
    assert m.A == sp.ImmutableMatrix([[sp.Rational(1, 2), 0], [0, sp.Rational(1, 4)]])  # vector A -> diag
    assert list(m.h) == [sp.Rational(1, 8), sp.Rational(-3, 4)]


def test_json_malformed_reports_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "A": [[1]],\n "W": [[0]] "h": [0]\n}')
    _refused(path, "malformed JSON", "line 3, column")


@pytest.mark.parametrize("data, phrase", [
    ({"A": [[True]], "W": [[0]], "h": [0]}, "boolean"),
    ({"A": [[None]], "W": [[0]], "h": [0]}, "A[0,0]"),
    ({"A": [["x+1"]], "W": [[0]], "h": [0]}, "neither a rational"),
    ({"A": [[1, 0], [0]], "W": [[0]], "h": [0]}, "ragged"),
    ({"A": {"a": 1}, "W": [[0]], "h": [0]}, "'A'"),
    ({"A": [[1]], "W": [[0]], "h": [0], "dt": [1]}, "'dt'"),
    ({"A": [[1]], "W": [[0]], "h": [0], "dt": 0}, "dt must be > 0"),
    ([1, 2], "JSON object"),
])
def test_json_non_numeric_is_refused(tmp_path, data, phrase):
    _refused(_write_json(tmp_path / "bad.json", data), phrase)


def test_json_nan_is_refused(tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('{"A": [[NaN]], "W": [[0]], "h": [0]}')
    _refused(path, "NaN")


def test_json_missing_key(tmp_path):
    _refused(_write_json(tmp_path / "m.json", {"A": A, "h": H}), "has no array 'W'")


# ---- npz ----------------------------------------------------------------------

def test_npz_round_trip(tmp_path):
    m = PLRNN(A, W, H, C=[[1.0], [0.5]], dt=0.5, z0=[1.0, -1.0])
    save(m, tmp_path / "m.npz")
    assert sorted(np.load(tmp_path / "m.npz").files) == ["A", "C", "W", "dt", "h", "z0"]
    _same(load(tmp_path / "m.npz"), m)  # binary fractions survive float64 exactly


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_npz_round_trip_of_every_example_numerically(tmp_path, name):
    m = example(name)
    save(m, tmp_path / "m.npz")
    back = load(tmp_path / "m.npz").numeric
    for key in ("A", "W", "h", "C", "z0"):
        a, b = getattr(m.numeric, key), getattr(back, key)
        assert (a is None and b is None) or np.array_equal(a, b)


@pytest.mark.parametrize("h", [np.array(H), np.array(H).reshape(-1, 1), np.array(H).reshape(1, -1)])
def test_npz_shapes_are_squeezed(tmp_path, h):
    path = tmp_path / "m.npz"
    np.savez(path, A=np.array(A), W=np.array(W), h=h, dt=np.array([[0.5]]), C=np.zeros((2, 0)),
             mu0=np.array([[1.0, 2.0]]), Sigma=np.eye(2))
    m = load(path)
    assert list(m.h) == [sp.Rational(1, 8), sp.Rational(-3, 4)]
    assert m.dt == sp.Rational(1, 2) and m.C is None and list(m.z0) == [1, 2]


def test_npz_integer_arrays(tmp_path):
    np.savez(tmp_path / "m.npz", A=np.eye(2, dtype=int), W=np.zeros((2, 2), dtype=np.int8), h=np.array([1, 2]))
    assert load(tmp_path / "m.npz").A == sp.eye(2)


def test_one_unit_model_from_scalars(tmp_path):
    np.savez(tmp_path / "one.npz", A=np.float64(0.5), W=np.float64(0), h=np.float64(1), z0=np.float64(2))
    m = load(tmp_path / "one.npz")
    assert (m.M, m.A[0, 0], m.h[0], m.z0[0]) == (1, sp.Rational(1, 2), 1, 2)


def test_npz_missing_array(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, A=np.array(A), W=np.array(W))
    msg = _refused(path, "has no array 'h'")
    assert msg == f"{path} has no array 'h'"


def test_npz_with_object_array_is_refused(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, A=np.array(A), W=np.array([[0, {"x": 1}], [1, 0]], dtype=object), h=np.array(H))
    _refused(path, "refusing to load pickled data", "'W'")


def test_npz_that_is_a_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    path.write_bytes(b"\x80\x04" + b"not really")
    _refused(path, "refusing to load pickled data")


@pytest.mark.parametrize("content, phrase", [
    (b"hello, world", "not a valid .npz"),
    (b"PK\x03\x04 truncated", "not a valid .npz"),
])
def test_npz_damaged(tmp_path, content, phrase):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    _refused(path, phrase)


@pytest.mark.parametrize("bad, phrase", [
    (np.array([["a", "b"], ["c", "d"]]), "not numeric"),
    (np.array([[True, False], [False, True]]), "not numeric"),
    (np.array([[1j, 0], [0, 1]]), "complex"),
    (np.array([[np.nan, 0], [0, 1]]), "finite"),
])
def test_npz_non_numeric(tmp_path, bad, phrase):
    path = tmp_path / "m.npz"
    np.savez(path, A=bad, W=np.array(W), h=np.array(H))
    _refused(path, phrase)


def test_npy_given_as_model(tmp_path):
    path = tmp_path / "model.npy"
    np.save(path, np.array([{"A": 1}], dtype=object), allow_pickle=True)
    _refused(path, ".npz")


# ---- MATLAB -------------------------------------------------------------------

def test_mat_file_from_savemat(tmp_path):
    path = tmp_path / "m.mat"
    scipy.io.savemat(path, {"A": np.array(A), "W": np.array(W), "h": np.array(H), "C": np.array([[1.0], [2.0]]),
                            "dt": 0.25, "mu0": np.array([0.5, -0.5]), "notes": "ignored"})
    m = load(path)
    _same(m, PLRNN(A, W, H, C=[[1.0], [2.0]], dt=0.25, z0=[0.5, -0.5]))


def test_mat_round_trip(tmp_path):
    m = PLRNN(A, W, H, dt=0.5, z0=[1.0, 0.0])
    save(m, tmp_path / "m.mat")
    _same(load(tmp_path / "m.mat"), m)


def test_mat_column_h_and_empty_C(tmp_path):
    path = tmp_path / "m.mat"
    scipy.io.savemat(path, {"A": np.array(A), "W": np.array(W), "h": np.array(H).reshape(-1, 1), "C": np.zeros((0, 0))})
    m = load(path)
    assert m.C is None and m.M == 2 and m.dt == 1


@pytest.mark.parametrize("bad, phrase", [
    (np.array([np.zeros(2), "ab"], dtype=object), "cell"),
    ({"x": 1.0}, "struct"),
    ("text", "not numeric"),
])
def test_mat_cells_structs_and_strings_are_refused(tmp_path, bad, phrase):
    path = tmp_path / "m.mat"
    scipy.io.savemat(path, {"A": np.array(A), "W": bad, "h": np.array(H)})
    _refused(path, phrase)


def test_mat_v73_is_refused_with_advice(tmp_path):
    # A v7.3 file is HDF5 behind a MATLAB text header: version 0x0200 at byte 124.
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .".ljust(116, b" ")
    path = tmp_path / "big.mat"
    path.write_bytes(header + b"\x00" * 8 + b"\x00\x02IM" + b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    _refused(path, "v7.3", "re-save", "npz")


def test_mat_damaged(tmp_path):
    path = tmp_path / "bad.mat"
    path.write_text("not matlab")
    _refused(path, "not a valid MATLAB file")


# ---- files and extensions -----------------------------------------------------

def test_missing_file(tmp_path):
    _refused(tmp_path / "nothere.npz", "no such file")


def test_directory(tmp_path):
    (tmp_path / "d.json").mkdir()
    _refused(tmp_path / "d.json", "directory")


def test_unknown_extension_lists_supported(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("A = 1")
    _refused(path, "unknown file type '.txt'", ".npz, .mat, .json")


def test_save_unknown_extension(tmp_path):
    with pytest.raises(InputError, match=r"supported: \.npz, \.mat, \.json"):
        save(example("chaotic"), tmp_path / "m.csv")


def test_save_refuses_what_the_format_cannot_hold(tmp_path):
    symbolic = PLRNN(A=[["a"]], W=[[0]], h=[0])
    with pytest.raises(InputError, match="free parameters"):
        save(symbolic, tmp_path / "m.npz")
    expression = PLRNN(A=[[sp.Symbol("a") * 2]], W=[[0]], h=[0])
    with pytest.raises(InputError, match="expression"):
        save(expression, tmp_path / "m.json")


def test_save_npz_keeps_the_given_name(tmp_path):
    save(example("limit_cycle"), tmp_path / "cycle.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["cycle.npz"]


def test_io_never_unpickles():
    source = Path(pio.__file__).read_text()
    assert "allow_pickle=True" not in source and "import pickle" not in source


# ---- input sequences ----------------------------------------------------------

def test_inputs_from_npy(tmp_path):
    s = np.arange(12.0).reshape(6, 2)
    np.save(tmp_path / "s.npy", s)
    assert np.array_equal(load_inputs(tmp_path / "s.npy"), s)
    np.save(tmp_path / "v.npy", np.arange(4, dtype=np.int32))
    out = load_inputs(tmp_path / "v.npy")
    assert out.shape == (4, 1) and out.dtype == float


def test_inputs_from_csv_with_and_without_header(tmp_path):
    (tmp_path / "h.csv").write_text("value, marker\n0.5, 0\n0.25,1\n\n1e-1,0\n")
    (tmp_path / "n.csv").write_text("0.5,0\n0.25,1\n")
    assert np.array_equal(load_inputs(tmp_path / "h.csv"), [[0.5, 0], [0.25, 1], [0.1, 0]])
    assert load_inputs(tmp_path / "n.csv").shape == (2, 2)


def test_inputs_drive_a_model(tmp_path):
    (tmp_path / "s.csv").write_text("value,marker\n0.5,0\n0.25,1\n0.75,1\n0,0\n")
    m = example("input_driven")
    s = load_inputs(tmp_path / "s.csv")
    assert m.trajectory(m.numeric.z0, len(s), s)[-1, 1] == 1.0


def _inputs_refused(path, *phrases):
    _refused(path, *phrases, reader=load_inputs)


def test_inputs_pickled_npy_is_refused(tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([{"x": 1}, None], dtype=object), allow_pickle=True)
    _inputs_refused(path, "refusing to load pickled data")


@pytest.mark.parametrize("text, phrase", [
    ("1,2\n3\n", "line 2 has 1 values, expected 2"),
    ("a,b\n1,2\nx,y\n", "line 3 is not comma separated numbers"),
    ("a,b\n", "no data rows"),
    ("", "no data rows"),
    ("1,nan\n", "finite"),
])
def test_inputs_bad_csv(tmp_path, text, phrase):
    path = tmp_path / "s.csv"
    path.write_text(text)
    _inputs_refused(path, phrase)


def test_inputs_bad_npy(tmp_path):
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    _inputs_refused(tmp_path / "s.npy", "not numeric")
    np.save(tmp_path / "c.npy", np.zeros((2, 2, 2)))
    _inputs_refused(tmp_path / "c.npy", "(T, K)")
    (tmp_path / "t.npy").write_bytes(b"\x93NUMPY garbage")
    _inputs_refused(tmp_path / "t.npy", "not a valid .npy")


def test_inputs_missing_and_unknown(tmp_path):
    _inputs_refused(tmp_path / "none.csv", "no such file")
    np.savez(tmp_path / "s.npz", s=np.zeros(3))
    _inputs_refused(tmp_path / "s.npz", "unknown file type", ".npy, .csv")
