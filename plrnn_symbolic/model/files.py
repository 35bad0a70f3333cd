"""Reading and writing PLRNN models and input sequences.

Model files hold the arrays ``A``, ``W``, ``h`` and optionally ``C``, ``dt``
and an initial state ``z0`` (``mu0`` in the authors' MATLAB files); any other
arrays are ignored.  Supported formats:

- ``.npz``: read with ``numpy.load(path, allow_pickle=False)``;
- ``.mat``: MATLAB v4-v7 files, read with ``scipy.io.loadmat``
  (v7.3 files are HDF5: re-save them with ``save(..., '-v7')`` or as .npz);
- ``.json``: ``{"A": [[...]], "W": [[...]], "h": [...], "C": [[...]],
  "dt": 1, "z0": [...]}``, numbers or exact strings such as ``"1/3"``.

Input sequences (``s_t``, one row per step) are read from ``.npy`` or ``.csv``.

Nothing here ever unpickles: pickled data can run code when loaded, so a file
that needs it is refused.  Every refusal is an :class:`InputError` whose
one-line message names the file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.io
import scipy.sparse
import sympy as sp
from scipy.io.matlab import MatReadError

from ..core.errors import InputError
from .family import KINDS, ReluRNN, build
from .plrnn import PLRNN
from .torchfile import read_state_dict

__all__ = ["INPUT_FORMATS", "MODEL_FORMATS", "STATE_DICT_FORMATS", "ModelFile", "inputs_for", "load", "load_file",
           "load_inputs", "save"]

MODEL_FORMATS = (".npz", ".mat", ".json")
STATE_DICT_FORMATS = (".pt", ".pth")    # read only: PyTorch state dicts
INPUT_FORMATS = (".npy", ".csv")

_REQUIRED = ("A", "W", "h")
# the family's parameters (model.family), the observation matrix B and an input sequence Inp
_FAMILY_KEYS = ("kind", "P", "AW", "W1", "W2", "h1", "h2", "h0", "alpha", "H", "B", "Inp")
_KEYS = (*_REQUIRED, "C", "dt", "z0", "mu0", *_FAMILY_KEYS)
_TEXT_KEYS = ("kind",)
_CELL_KEYS = ("mu0", "Inp")     # MATLAB cells of trials
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"
_PICKLE_MAGIC = b"\x80"

# Damaged archives fail in zipfile, zlib or numpy's header parser: no common base.
_BAD_ARCHIVE = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError)

PathLike = str | os.PathLike


# ---- helpers shared by the formats ------------------------------------------

def _existing(path: PathLike, formats: tuple[str, ...], what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path}: is a directory, not a {what} file")
    suffix = p.suffix.lower()
    if suffix == ".npy" and ".npy" not in formats:
        raise InputError(f"{path}: a .npy file holds a single array, not a model; "
                         "save A, W, h (and C, dt, z0) together in a .npz file (numpy.savez)")
    if suffix not in formats:
        raise InputError(f"{path}: unknown file type {suffix or '(none)'!r}; supported: {', '.join(formats)}")
    return p


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _numeric(arr: np.ndarray, key: str, path: PathLike) -> np.ndarray:
    """Refuse arrays that are not real numbers (objects, strings, structs, bools, complex)."""
    if scipy.sparse.issparse(arr):
        arr = arr.toarray()
    arr = np.asarray(arr)
    if arr.dtype.kind == "O":
        raise InputError(f"{path}: array {key!r} is an object (or MATLAB cell) array; refusing to load it")
    if arr.dtype.kind == "V":
        raise InputError(f"{path}: array {key!r} is a structured (MATLAB struct) array; store plain numeric arrays")
    if arr.dtype.kind == "c":
        raise InputError(f"{path}: array {key!r} is complex; weights must be real")
    if arr.dtype.kind not in "iuf":
        raise InputError(f"{path}: array {key!r} is not numeric (dtype {arr.dtype})")
    return arr


def _vector(arr: np.ndarray, key: str, path: PathLike) -> np.ndarray:
    """A vector stored as (M,), (M, 1), (1, M) or, for M = 1, a scalar -> (M,)."""
    if arr.ndim == 0 or (arr.ndim == 2 and 1 in arr.shape):
        return arr.reshape(-1)
    if arr.ndim != 1:
        raise InputError(f"{path}: {key!r} must be a vector, got shape {arr.shape}")
    return arr


def _model(arrays: dict, path: PathLike, name: str) -> PLRNN:
    """Build the model from the raw arrays of any format, with file-named errors."""
    for key in _REQUIRED:
        if key not in arrays:
            raise InputError(f"{path} has no array {key!r}")
    if "z0" in arrays and "mu0" in arrays:
        raise InputError(f"{path}: gives both 'z0' and 'mu0'; keep one")
    # A one-unit model may come as scalars.
    A, W = (x.reshape(1, 1) if x.ndim == 0 else x for x in (arrays["A"], arrays["W"]))
    h = _vector(arrays["h"], "h", path)
    # The authors' and later PyTorch code store the diagonal A as a vector.
    if A.ndim == 1 or (A.ndim == 2 and 1 in A.shape and W.ndim == 2 and W.shape[0] > 1):
        A = np.diag(A.reshape(-1))
    C = arrays.get("C")
    if C is not None:
        if C.size == 0:
            C = None
        elif C.ndim == 1:
            C = C.reshape(-1, 1)  # one input channel
    dt = arrays.get("dt", 1)
    if isinstance(dt, np.ndarray):
        if dt.size != 1:
            raise InputError(f"{path}: 'dt' must be a number, got shape {dt.shape}")
        dt = dt.reshape(-1)[0]
    z0 = arrays.get("z0", arrays.get("mu0"))
    if z0 is not None:
        z0 = None if z0.size == 0 else _vector(z0, "z0" if "z0" in arrays else "mu0", path)
    try:
        return PLRNN(A, W, h, C=C, dt=dt, name=name, z0=z0)
    except InputError as err:
        raise InputError(f"{path}: {_one_line(err)}") from None


# ---- model formats ---------------------------------------------------------

def _magic(p: Path) -> bytes:
    with p.open("rb") as f:
        return f.read(6)


def _read_npz(p: Path, path: PathLike) -> dict:
    head = _magic(p)
    if head.startswith(_PICKLE_MAGIC):
        raise InputError(f"{path}: holds pickled data; refusing to load pickled data")
    if head.startswith(_NPY_MAGIC):
        raise InputError(f"{path}: holds a single .npy array, not a model; save A, W, h together with numpy.savez")
    if not head.startswith(_ZIP_MAGIC):
        raise InputError(f"{path}: not a valid .npz file")
    raw = {}
    try:
        with np.load(p, allow_pickle=False) as f:
            for key in _KEYS:
                if key in f.files:
                    try:
                        raw[key] = f[key]
                    except ValueError as err:
                        if "pickle" in str(err):
                            raise InputError(f"{path}: array {key!r} is an object array; "
                                             "refusing to load pickled data") from None
                        raise
    except InputError:
        raise
    except _BAD_ARCHIVE as err:
        raise InputError(f"{path}: not a valid .npz file ({_one_line(err)})") from None
    return {k: v if k in _TEXT_KEYS else _numeric(v, k, path) for k, v in raw.items()}


def _read_mat(p: Path, path: PathLike) -> dict:
    try:
        raw = scipy.io.loadmat(p, squeeze_me=False, struct_as_record=True)
    except NotImplementedError:
        raise InputError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; "
                         "re-save it with save(..., '-v7') or as .npz") from None
    except (MatReadError, ValueError, TypeError, OSError, EOFError, KeyError) as err:
        raise InputError(f"{path}: not a valid MATLAB file ({_one_line(err)})") from None
    return {k: v if (k in _TEXT_KEYS or (k in _CELL_KEYS and v.dtype.kind == "O")) else _numeric(v, k, path)
            for k, v in raw.items() if k in _KEYS}


def _json_array(value, key: str, path: PathLike) -> np.ndarray:
    """Nested JSON lists -> object array, keeping ints, floats and strings as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, list)):
        raise InputError(f"{path}: {key!r} must be a number or a list of numbers, got {type(value).__name__}")
    try:
        arr = np.array(value, dtype=object)
    except ValueError:  # numpy refuses some ragged nestings outright
        arr = None
    # Other ragged nestings come back as an array of lists.
    if arr is None or any(isinstance(x, list) for x in arr.flat):
        raise InputError(f"{path}: {key!r} is ragged: rows of different lengths")
    return arr


def _reject_constant(name: str):
    raise InputError(f"non-standard JSON number {name}: weights must be finite")


def _json_float(text: str) -> float:
    x = float(text)
    if not np.isfinite(x):
        raise InputError(f"JSON number {text[:40]} is beyond the float64 range (|x| <= 1.8e308); "
                         f"write it as a string, \"{text[:40]}\", to keep it exact")
    return x


def _read_json(p: Path, path: PathLike) -> tuple[dict, str | None]:
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text ({_one_line(err)})") from None
    try:
        # json keeps integers int and decimals float, as the brief for PLRNN wants.
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_json_float)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: malformed JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    except ValueError as err:  # ours, or Python's limit on the digits of an integer (sys.set_int_max_str_digits)
        raise InputError(f"{path}: {_one_line(err)}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object with keys A, W, h, got {type(data).__name__}")
    out = {}
    for key in _KEYS:
        if key in data and data[key] is not None:
            out[key] = data[key] if key in ("dt", *_TEXT_KEYS) else _json_array(data[key], key, path)
    if "dt" in out and (isinstance(out["dt"], (bool, list, dict))):
        raise InputError(f"{path}: 'dt' must be a number or a string such as \"1/10\"")
    name = data.get("name")
    return out, name if isinstance(name, str) else None


def load(path: PathLike, **options) -> PLRNN | ReluRNN:
    """Read a model from a ``.npz``, ``.mat``, ``.json`` or PyTorch (``.pt``, ``.pth``) file.

    ``options`` are those of :func:`load_file` (``kind``, ``relu_units``,
    ``trial``, ``dt``); :func:`load_file` also returns the input sequence and
    the notes on what was read.

    Parameters
    ----------
    path : str or os.PathLike
        The file.  Arrays ``A``, ``W``, ``h`` are required; ``C`` (empty means
        no inputs), ``dt`` (default 1) and ``z0`` or ``mu0`` are optional;
        other arrays are ignored.  ``h`` and ``z0`` may be stored as (M,),
        (M, 1) or (1, M), ``dt`` as a scalar or 1x1 array, and a diagonal
        ``A`` as the vector of its diagonal.

    Returns
    -------
    PLRNN
        Named after the file's stem (or the ``"name"`` of a JSON file).
        Floats are converted to rationals exactly; JSON strings such as
        ``"1/3"`` are read as exact rationals.

    Raises
    ------
    InputError
        For a missing file, an unknown extension, a missing array, pickled or
        object data, non-numeric data, a MATLAB v7.3 file or malformed JSON;
        the one-line message names the file.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.json"
    >>> _ = path.write_text(json.dumps({"A": [[0.5, 0], [0, "1/3"]], "W": [[0, 1], [-1, 0]], "h": [0, "1/10"]}))
    >>> m = load(path)
    >>> m, m.A[1, 1], m.h[1]
    (<PLRNN 'tiny' M=2 K=0 dt=1>, 1/3, 1/10)
    >>> load(path.with_suffix(".txt"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    plrnn_symbolic.core.errors.InputError: .../tiny.txt: no such file
    """
    return load_file(path, **options).model


@dataclass(frozen=True)
class ModelFile:
    """What a model file holds: the model, its input sequence (T x K, or None) and notes on the reading."""

    model: PLRNN | ReluRNN
    inputs: np.ndarray | None
    notes: tuple[str, ...]


# state-dict keys (their last dotted part) as the training codes name them -> our names
_STATE_NAMES = {"A": "A", "W": "W", "h": "h", "AW": "AW", "W1": "W1", "W2": "W2", "h1": "h1", "h2": "h2",
                "h0": "h0", "alpha": "alpha", "alphas": "alpha", "H": "H", "thetas": "H", "theta": "H",
                "C": "C", "B": "B", "z0": "z0", "mu0": "z0", "dt": "dt", "P": "P"}


# whole dotted endings: the dendPLRNN code's observation model is an nn.Linear (x = B z)
_STATE_ENDINGS = {"output_layer.weight": "B", "observation_model.weight": "B"}


def _state_dict_arrays(p: Path, path: PathLike) -> tuple[dict, list[str], dict[str, str]]:
    """The arrays of a state dict under our names, the keys ignored, and each name's source key.

    The dendPLRNN code's basis is relu(z + theta_b): its ``thetas`` are the thresholds negated,
    so H = -thetas (an ``H`` key is taken as the thresholds themselves)."""
    tensors = read_state_dict(p)
    out: dict[str, np.ndarray] = {}
    ignored, source = [], {}
    for key, val in tensors.items():
        last = key.rsplit(".", 1)[-1]
        short = next((name for end, name in _STATE_ENDINGS.items() if key == end or key.endswith("." + end)),
                     _STATE_NAMES.get(last))
        if short is None:
            ignored.append(key)
            continue
        if short in out:
            raise InputError(f"{path}: both {source[short]!r} and {key!r} name {short!r}; keep one model per file")
        out[short], source[short] = (-val if last in ("thetas", "theta") else val), key
    return out, ignored, source


def _file_keys(p: Path, suffix: str) -> list[str]:
    """Every key the file holds (for the note on ignored keys); [] where they cannot be listed cheaply."""
    try:
        if suffix == ".npz":
            with zipfile.ZipFile(p) as z:
                return [n.removesuffix(".npy") for n in z.namelist()]
        if suffix == ".mat":
            return [name for name, _shape, _cls in scipy.io.whosmat(p)]
        data = json.loads(p.read_text(encoding="utf-8"))
        return list(data) if isinstance(data, dict) else []
    except (OSError, ValueError, zipfile.BadZipFile, MatReadError, NotImplementedError, TypeError):
        return []


def _trial(value: np.ndarray, key: str, trial: int | None, path: PathLike, notes: list[str]) -> np.ndarray:
    """One trial of a MATLAB cell of trials (``--trial k``, 1-based, default 1 with a note)."""
    cells = [c for c in value.reshape(-1)]
    n = len(cells)
    k = 1 if trial is None else trial
    if not 1 <= k <= n:
        raise InputError(f"{path}: --trial {k}, but {key!r} holds {n} trials (1..{n})")
    if trial is None and n > 1:
        notes.append(f"{key} holds {n} trials; using trial 1 (--trial k to choose)")
    return _numeric(np.asarray(cells[k - 1]), f"{key}{{{k}}}", path)


def _scalar_kind(value, path: PathLike) -> str:
    kind = value.item() if isinstance(value, np.ndarray) and value.size == 1 else value
    if isinstance(kind, bytes):
        kind = kind.decode("ascii", "replace")
    if isinstance(kind, np.ndarray) and kind.dtype.kind == "U" and kind.size == 1:
        kind = str(kind.reshape(-1)[0])
    if not isinstance(kind, str):
        raise InputError(f"{path}: 'kind' must be a string such as \"alrnn\"")
    return kind.strip().lower()


def _relu_units(value, path: PathLike) -> int:
    arr = np.asarray(value).reshape(-1)
    x = arr[0] if arr.size == 1 else None
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)) or x != int(x):
        raise InputError(f"{path}: 'P' (the number of ReLU units) must be one integer")
    return int(x)


def load_file(path: PathLike, *, kind: str | None = None, relu_units: int | None = None, trial: int | None = None,
              dt=None) -> ModelFile:
    """Read a model file of any form of the family (THEORY section 8), with its inputs and notes.

    Parameters
    ----------
    path : str or os.PathLike
        ``.npz``, ``.mat`` or ``.json`` (a ``kind`` field names the form:
        plrnn, alrnn, dend, dend-clipped, shallow, shallow-clipped, relu), or a
        PyTorch state dict (``.pt``, ``.pth``: tensors only, nothing executed;
        :mod:`.torchfile`).  Keys by form: plrnn ``A, W, h`` (or ``AW``: A its
        diagonal, W the rest); alrnn ``A, W, h, P``; dend ``A, W, h0`` (or ``h``),
        ``alpha`` (``alphas``), ``H`` (M x B, the thresholds; a state dict's
        ``thetas`` are the dendPLRNN code's, whose basis is relu(z + theta), so
        H = -thetas); shallow and relu ``A, W1, W2, h1, h2``.  Each may add ``C``,
        ``dt``, ``z0`` (``mu0``), the observation matrix ``B`` (x = B z; a state
        dict's ``output_layer.weight``) and an input sequence ``Inp`` (K x T).  In
        an ALRNN state dict a bare ``B`` (N x M) is the ALRNN code's initial-state
        map (z_0 = x_0 B), and the observation is the first N units.
    kind : str, optional
        The form, where the file does not say (``--kind``); a state dict with
        ``W1``/``W2`` is read as shallow and one with ``alpha``/``H`` as dend.
    relu_units : int, optional
        P for an ALRNN whose file does not hold it (``--relu-units``); given
        without ``kind`` it means alrnn.
    trial : int, optional
        Which trial (1-based) of a MATLAB cell ``mu0`` / ``Inp`` (default 1, with a note).
    dt : number, optional
        The step's duration, over the file's; a file without one gets 1 with a note.

    Returns
    -------
    ModelFile
        ``model``; ``inputs`` (T x K floats, from ``Inp``) or None; ``notes``:
        the trial taken, an all-zero ``C`` dropped, a missing ``dt``, and one
        note listing every key that was ignored.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "al.json"
    >>> _ = path.write_text(json.dumps({"kind": "alrnn", "A": [0.5, 0.5], "W": [[0, 1], [1, 0]], "h": [0, 0],
    ...                                 "P": 1, "notes": "trained on ECG"}))
    >>> mf = load_file(path)
    >>> mf.model, mf.model.pattern("1"), mf.notes
    (<ALRNN 'al' M=2 L=1 K=0 dt=1>, (1,), ('the file gives no dt: taken as 1 (--dt to set it)', 'ignored keys: notes'))
    """
    p = _existing(path, MODEL_FORMATS + STATE_DICT_FORMATS, "model")
    suffix = p.suffix.lower()
    name = p.stem
    notes: list[str] = []
    source: dict[str, str] = {}
    if suffix in STATE_DICT_FORMATS:
        arrays, ignored, source = _state_dict_arrays(p, path)
    else:
        if suffix == ".npz":
            arrays = _read_npz(p, path)
        elif suffix == ".mat":
            arrays = _read_mat(p, path)
        else:
            arrays, given = _read_json(p, path)
            name = given or name
        ignored = [k for k in _file_keys(p, suffix) if k not in _KEYS and not k.startswith("__") and k != "name"]
    file_kind = _scalar_kind(arrays.pop("kind"), path) if "kind" in arrays else None
    if kind is not None and file_kind is not None and kind != file_kind:
        raise InputError(f"{path}: the file says kind {file_kind!r}, --kind says {kind!r}")
    kind = (kind or file_kind or ("alrnn" if relu_units is not None else None)
            or ("shallow" if "W1" in arrays or "W2" in arrays else None)
            or ("dend" if "alpha" in arrays or "H" in arrays else None) or "plrnn")
    if kind not in KINDS:
        raise InputError(f"{path}: unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if suffix in STATE_DICT_FORMATS and file_kind is None and kind == "plrnn" and relu_units is None:
        notes.append("the state dict does not say which model it is; read as a PLRNN (--kind, --relu-units)")
    for key in _CELL_KEYS:
        if suffix == ".mat" and key in arrays and arrays[key].dtype.kind == "O":
            arrays[key] = _trial(arrays[key], key, trial, path, notes)
    if trial is not None and not (suffix == ".mat" and any(k in arrays for k in _CELL_KEYS)):
        notes.append(f"--trial {trial} ignored: the file holds no cell of trials")
    if "AW" in arrays:
        if "A" in arrays or "W" in arrays:
            raise InputError(f"{path}: gives 'AW' and also 'A' or 'W'; keep one")
        AW = arrays.pop("AW")
        if AW.ndim != 2 or AW.shape[0] != AW.shape[1]:
            raise InputError(f"{path}: 'AW' must be a square matrix, got shape {AW.shape}")
        arrays["A"], arrays["W"] = np.diag(np.diag(AW)), AW - np.diag(np.diag(AW))
    C = arrays.get("C")
    inputs = arrays.pop("Inp", None)
    if C is not None and C.size and C.dtype.kind in "iuf" and not np.any(C):
        notes.append(f"C is all zero ({'x'.join(map(str, C.shape))}): no inputs act on the model; dropped"
                     + (", and the input sequence Inp with it" if inputs is not None else ""))
        del arrays["C"]
        C, inputs = None, None
    if dt is not None:
        arrays["dt"] = dt
    elif "dt" not in arrays:
        notes.append("the file gives no dt: taken as 1 (--dt to set it)")
    observation = arrays.pop("B", None)
    if observation is not None and suffix in STATE_DICT_FORMATS and kind == "alrnn" and source.get("B") == "B":
        # the ALRNN code's B (N x M) starts the latent state from an observation (z_0 = x_0 B, then its
        # first N units set to x_0); the model is read out through its first N units
        n_obs = observation.shape[0] if observation.ndim == 2 else 1
        notes.append(f"B ({'x'.join(map(str, observation.shape))}) is the ALRNN code's map from an observation "
                     f"to the initial latent state (z_0 = x_0 B), not an observation matrix; the observation is "
                     f"the first {n_obs} units (x = z_1..{n_obs})")
        M_file = observation.shape[-1]
        observation = np.eye(n_obs, M_file)
    if suffix in STATE_DICT_FORMATS and file_kind is None and kind == "dend" and "alpha" in arrays:
        notes.append("a dendritic state dict does not say whether the model is clipped (the dendPLRNN code's "
                     "clipped-PLRNN has the same keys); read as dend (--kind dend-clipped for the clipped form)")
    if ignored:
        notes.append(f"ignored keys: {', '.join(sorted(ignored))}")
    model = _family_model(kind, arrays, path, name, relu_units) if kind != "plrnn" else _model(arrays, path, name)
    try:
        if observation is not None:
            obs = observation.reshape(1, -1) if observation.ndim == 1 else observation
            model = dataclasses.replace(model, observation=obs) if isinstance(model, PLRNN) else \
                build(model.kind, model.parameters(), C=model.C, dt=model.dt, name=model.name, z0=model.z0,
                      observation=obs)
        if inputs is not None:
            inputs = _oriented_inputs(np.asarray(inputs, dtype=float), model.K, "Inp", K_by_T=True)
    except InputError as err:
        raise InputError(f"{path}: {_one_line(err)}") from None
    return ModelFile(model, inputs, tuple(notes))


def _family_model(kind: str, arrays: dict, path: PathLike, name: str, relu_units: int | None) -> ReluRNN:
    params = dict(arrays)
    if "h0" not in params and "h" in params and kind.startswith("dend"):
        params["h0"] = params.pop("h")
    if kind == "alrnn":
        if relu_units is not None:
            if "P" in params and _relu_units(params["P"], path) != relu_units:
                raise InputError(f"{path}: the file says P = {_relu_units(params['P'], path)}, "
                                 f"--relu-units says {relu_units}")
            params["P"] = relu_units
        elif "P" in params:
            params["P"] = _relu_units(params["P"], path)
        else:
            raise InputError(f"{path}: an ALRNN needs P, the number of ReLU units: give --relu-units P")
    needed = {"alrnn": ("A", "W", "h"), "dend": ("A", "W", "h0", "alpha", "H"), "shallow": ("A", "W1", "W2", "h1", "h2"),
              "relu": ("A", "W1", "W2", "h1", "h2")}[kind.split("-")[0]]
    for key in needed:
        if key not in params:
            raise InputError(f"{path}: a {kind} model needs {', '.join(needed)}; no array {key!r}")
    if "z0" in params and "mu0" in params:
        raise InputError(f"{path}: gives both 'z0' and 'mu0'; keep one")
    z0 = params.get("z0", params.get("mu0"))
    dt = params.get("dt", 1)
    if isinstance(dt, np.ndarray):
        if dt.size != 1:
            raise InputError(f"{path}: 'dt' must be a number, got shape {dt.shape}")
        dt = dt.reshape(-1)[0]
    C = params.get("C")
    if C is not None and C.ndim == 1:
        C = C.reshape(-1, 1)
    vec = {"h", "h0", "h1", "h2", "alpha"}
    clean = {k: (_vector(v, k, path) if k in vec and isinstance(v, np.ndarray) and v.ndim != 1 else v)
             for k, v in params.items()}
    try:
        return build(kind, clean, C=None if C is None or C.size == 0 else C, dt=dt, name=name,
                     z0=None if z0 is None or z0.size == 0 else z0.reshape(-1))
    except InputError as err:
        raise InputError(f"{path}: {_one_line(err)}") from None


def _oriented_inputs(arr: np.ndarray, K: int, what: str, *, K_by_T: bool = False) -> np.ndarray:
    """An input sequence as T x K: a K x T array is transposed when its shape says so unambiguously."""
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1) if K == 1 else arr.reshape(1, -1)
    if arr.ndim != 2:
        raise InputError(f"{what} must be a 2-d array (T x K or K x T), got shape {arr.shape}")
    if K == 0:
        raise InputError(f"{what} given, but the model has no input matrix C")
    rows_k, cols_k = arr.shape[1] == K, arr.shape[0] == K
    if rows_k and cols_k:       # square: the file's own orientation decides
        return arr.T if K_by_T else arr
    if rows_k:
        return arr
    if cols_k:
        return arr.T
    raise InputError(f"{what} has shape {arr.shape}; the model has K = {K} inputs (T x K or K x T)")


def inputs_for(model, arr: np.ndarray, what: str = "inputs") -> np.ndarray:
    """An input sequence read by :func:`load_inputs` (T x K, or K x T when unambiguous) for ``model``, as T x K.

    >>> from plrnn_symbolic.model.plrnn import PLRNN
    >>> m = PLRNN([[0.5]], [[0]], [0], C=[[1]])
    >>> inputs_for(m, np.zeros((1, 7))).shape
    (7, 1)
    """
    return _oriented_inputs(np.asarray(arr, dtype=float), model.K, what)


# ---- writing ---------------------------------------------------------------

def _json_number(x: sp.Expr, where: str) -> int | str:
    if isinstance(x, sp.Integer):
        return int(x)
    if isinstance(x, sp.Rational):
        return f"{x.p}/{x.q}"
    if isinstance(x, sp.Symbol):
        return x.name
    raise InputError(f"{where} = {x} is an expression; JSON stores only rationals and parameter names")


def _json_rows(m: sp.MatrixBase, key: str) -> list:
    return [[_json_number(m[i, j], f"{key}[{i},{j}]") for j in range(m.cols)] for i in range(m.rows)]


def save(model: PLRNN, path: PathLike) -> None:
    """Write ``model`` to a ``.npz``, ``.mat`` or ``.json`` file.

    Parameters
    ----------
    model : PLRNN
    path : str or os.PathLike
        ``.json`` stores the weights exactly (integers as numbers, other
        rationals as strings ``"p/q"``, parameters by name), so
        ``load(save(m))`` returns the same exact model.  ``.npz`` and ``.mat``
        store float64 arrays (exact only for weights that are floats
        already) and need numeric weights.

    Raises
    ------
    InputError
        For an unsupported extension, or weights the format cannot hold.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> m = PLRNN(A=[[0.5, 0], [0, "1/3"]], W=[[0, 1], [-1, 0]], h=[0, "1/10"])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> save(m, path)
    >>> load(path).A == m.A
    True
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in MODEL_FORMATS:
        raise InputError(f"{path}: unknown file type {suffix or '(none)'!r}; supported: {', '.join(MODEL_FORMATS)}")
    if not isinstance(model, PLRNN) or model.observation is not None:
        _save_family(model, p, suffix)
        return
    if suffix == ".json":
        data: dict = {"A": _json_rows(model.A, "A"), "W": _json_rows(model.W, "W"),
                      "h": [row[0] for row in _json_rows(model.h, "h")]}
        if model.C is not None:
            data["C"] = _json_rows(model.C, "C")
        data["dt"] = _json_number(model.dt, "dt")
        if model.z0 is not None:
            data["z0"] = [row[0] for row in _json_rows(model.z0, "z0")]
        if model.name:
            data["name"] = model.name
        p.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        return
    n = model.numeric
    arrays = {"A": n.A, "W": n.W, "h": n.h, "dt": np.float64(n.dt)}
    if n.C is not None:
        arrays["C"] = n.C
    if n.z0 is not None:
        arrays["z0"] = n.z0
    if suffix == ".npz":
        with p.open("wb") as f:  # an open file stops numpy from appending a second ".npz"
            np.savez(f, **arrays)
    else:
        scipy.io.savemat(p, arrays, format="5")


def _save_family(model: PLRNN | ReluRNN, p: Path, suffix: str) -> None:
    """Any form of the family, as its own parameters with a ``kind`` field (and ``B``, the observation)."""
    mats = dict(model.parameters())
    P = mats.pop("P", None)
    extra = {"C": model.C, "z0": model.z0, "B": model.observation}
    if suffix == ".json":
        data: dict = {"kind": model.kind}
        for key, m in {**mats, **extra}.items():
            if m is None:
                continue
            rows = _json_rows(m, key)
            data[key] = [r[0] for r in rows] if m.cols == 1 and key not in ("C", "B", "W1", "W2", "W", "H") else rows
        if P is not None:
            data["P"] = P
        data["dt"] = _json_number(model.dt, "dt")
        if model.name:
            data["name"] = model.name
        p.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        return
    if model.is_symbolic:
        raise InputError(f"{p}: .npz and .mat store numbers; the model has free parameters (save it as .json)")
    arrays = {k: np.array(m.tolist(), dtype=float) for k, m in {**mats, **extra}.items() if m is not None}
    for key in ("h", "h0", "h1", "h2", "z0"):
        if key in arrays:
            arrays[key] = arrays[key].ravel()
    arrays["kind"] = np.array(model.kind)
    arrays["dt"] = np.float64(float(model.dt))
    if P is not None:
        arrays["P"] = np.int64(P)
    if suffix == ".npz":
        with p.open("wb") as f:
            np.savez(f, **arrays)
    else:
        scipy.io.savemat(p, arrays, format="5")


# ---- input sequences -------------------------------------------------------

def _read_csv(p: Path, path: PathLike) -> np.ndarray:
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text ({_one_line(err)})") from None
    rows = []
    width = None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        try:
            row = [float(c) for c in cells]
        except ValueError:
            if not rows and width is None:
                width = len(cells)  # a header line names the channels
                continue
            raise InputError(f"{path}: line {lineno} is not comma separated numbers: {line.strip()[:60]!r}") from None
        if width is not None and len(row) != width:
            raise InputError(f"{path}: line {lineno} has {len(row)} values, expected {width}")
        width = len(row)
        rows.append(row)
    if not rows:
        raise InputError(f"{path}: no data rows")
    return np.array(rows, dtype=float)


def _read_npy(p: Path, path: PathLike) -> np.ndarray:
    try:
        arr = np.load(p, allow_pickle=False)
    except ValueError as err:
        if "pickle" in str(err):
            raise InputError(f"{path}: holds an object array or pickled data; refusing to load pickled data") from None
        raise InputError(f"{path}: not a valid .npy file ({_one_line(err)})") from None
    except (OSError, EOFError) as err:  # truncated files
        raise InputError(f"{path}: not a valid .npy file ({_one_line(err)})") from None
    if not isinstance(arr, np.ndarray):
        raise InputError(f"{path}: holds several arrays (an .npz archive); give one (T, K) array")
    return _numeric(arr, "inputs", path).astype(float)


def load_inputs(path: PathLike) -> np.ndarray:
    """Read an input sequence s_0, s_1, ... as a (T, K) float array.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.npy`` file (read with ``allow_pickle=False``) holding a (T,) or
        (T, K) array, or a ``.csv`` file of comma separated numbers, one step
        a line, with an optional header line.

    Returns
    -------
    numpy.ndarray
        Shape (T, K), dtype float64, all finite; a (T,) array becomes (T, 1).

    Raises
    ------
    InputError
        For a missing file, an unknown extension, pickled or non-numeric
        data, ragged or non-finite rows; the message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = path.write_text("value,marker\\n0.5,0\\n0.25,1\\n")
    >>> load_inputs(path)
    array([[0.5 , 0.  ],
           [0.25, 1.  ]])
    """
    p = _existing(path, INPUT_FORMATS, "input")
    arr = _read_npy(p, path) if p.suffix.lower() == ".npy" else _read_csv(p, path)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise InputError(f"{path}: inputs must be a (T, K) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{path}: inputs must be finite (found NaN or infinity)")
    return arr
