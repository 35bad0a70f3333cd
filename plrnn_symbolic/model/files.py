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

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import scipy.io
import scipy.sparse
import sympy as sp
from scipy.io.matlab import MatReadError

from ..core.errors import InputError
from .plrnn import PLRNN

__all__ = ["INPUT_FORMATS", "MODEL_FORMATS", "load", "load_inputs", "save"]

MODEL_FORMATS = (".npz", ".mat", ".json")
INPUT_FORMATS = (".npy", ".csv")

_REQUIRED = ("A", "W", "h")
_KEYS = (*_REQUIRED, "C", "dt", "z0", "mu0")
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
    return {k: _numeric(v, k, path) for k, v in raw.items()}


def _read_mat(p: Path, path: PathLike) -> dict:
    try:
        raw = scipy.io.loadmat(p, squeeze_me=False, struct_as_record=True)
    except NotImplementedError:
        raise InputError(f"{path}: MATLAB v7.3 (HDF5) files are not supported; "
                         "re-save it with save(..., '-v7') or as .npz") from None
    except (MatReadError, ValueError, TypeError, OSError, EOFError, KeyError) as err:
        raise InputError(f"{path}: not a valid MATLAB file ({_one_line(err)})") from None
    return {k: _numeric(v, k, path) for k, v in raw.items() if k in _KEYS}


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
            out[key] = data[key] if key == "dt" else _json_array(data[key], key, path)
    if "dt" in out and (isinstance(out["dt"], (bool, list, dict))):
        raise InputError(f"{path}: 'dt' must be a number or a string such as \"1/10\"")
    name = data.get("name")
    return out, name if isinstance(name, str) else None


def load(path: PathLike) -> PLRNN:
    """Read a PLRNN from a ``.npz``, ``.mat`` or ``.json`` file.

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
    p = _existing(path, MODEL_FORMATS, "model")
    suffix = p.suffix.lower()
    name = p.stem
    if suffix == ".npz":
        arrays = _read_npz(p, path)
    elif suffix == ".mat":
        arrays = _read_mat(p, path)
    else:
        arrays, given = _read_json(p, path)
        name = given or name
    return _model(arrays, path, name)


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
