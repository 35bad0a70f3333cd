"""PyTorch state dicts (``torch.save`` zip files), read as tensors only.

A ``torch.save`` file is a zip archive: ``<name>/data.pkl`` is a pickle of the
state dict (an ``OrderedDict`` of tensors) and ``<name>/data/<key>`` holds the
raw bytes of each storage.  A pickle can run any code when it is loaded, so
this module never hands one to :mod:`pickle`'s default machinery:

- with torch installed, ``torch.load(path, weights_only=True)`` (torch's own
  restricted unpickler) reads it;
- without torch, :class:`_TensorUnpickler` accepts only the opcodes a state
  dict needs and resolves only five names (``collections.OrderedDict``,
  ``torch._utils._rebuild_tensor_v2``, ``torch._utils._rebuild_parameter``,
  ``torch.Size`` and the ``torch.*Storage`` types), each to a function of this
  module that builds numpy arrays; anything else is refused with an
  :class:`InputError` before it is called.

Either way the result is a plain ``dict`` of float64 numpy arrays.
"""

from __future__ import annotations

import collections
import io
import pickle
import pickletools
import zipfile
from pathlib import Path

import numpy as np

from ..core.errors import InputError

__all__ = ["is_torch_zip", "read_state_dict"]

_DTYPES = {"FloatStorage": "<f4", "DoubleStorage": "<f8", "HalfStorage": "<f2", "BFloat16Storage": None,
           "LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2", "CharStorage": "i1",
           "ByteStorage": "u1", "BoolStorage": "?"}

# opcodes a state dict needs (protocol 2, as torch.save writes it); no INST/OBJ/EXT/NEWOBJ_EX/...
_OPCODES = {"PROTO", "FRAME", "GLOBAL", "STACK_GLOBAL", "BINPUT", "LONG_BINPUT", "PUT", "BINGET", "LONG_BINGET",
            "GET", "MEMOIZE", "EMPTY_DICT", "EMPTY_LIST", "EMPTY_TUPLE", "MARK", "TUPLE", "TUPLE1", "TUPLE2",
            "TUPLE3", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING", "BININT",
            "BININT1", "BININT2", "LONG1", "NEWTRUE", "NEWFALSE", "NONE", "BINFLOAT", "REDUCE", "BINPERSID",
            "SETITEM", "SETITEMS", "APPEND", "APPENDS", "BUILD", "STOP"}


class _Storage:
    def __init__(self, dtype: str, key: str, numel: int):
        self.dtype, self.key, self.numel = dtype, key, numel


class _OrderedDict(collections.OrderedDict):
    """The state dict; its ``_metadata`` (module versions) is set by BUILD and ignored."""

    def __setstate__(self, state):
        pass


def _storage_type(name: str):
    def make(*_args):
        raise InputError(f"a {name} is constructed directly in the pickle, not as a tensor's storage")

    make.storage_name = name
    return make


class _TensorUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, where: str):
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix, self.where = archive, prefix, where

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return _OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return self._rebuild_tensor
        if module == "torch._utils" and name == "_rebuild_parameter":
            return lambda data, requires_grad=False, hooks=None: data
        if (module, name) == ("torch", "Size"):
            return tuple
        if module == "torch" and name in _DTYPES:
            return _storage_type(name)
        raise InputError(f"{self.where}: the pickle asks for {module}.{name}; a state dict holds only tensors and "
                         "ordered dicts, so nothing is executed from this file")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and getattr(pid[1], "storage_name", None) in _DTYPES):
            raise InputError(f"{self.where}: unexpected persistent id in the pickle; not a tensor storage")
        name = pid[1].storage_name
        if _DTYPES[name] is None:
            raise InputError(f"{self.where}: {name} tensors are not supported; save the state dict as float32/64")
        return _Storage(_DTYPES[name], str(pid[2]), int(pid[4]))

    def _rebuild_tensor(self, storage, offset, size, stride, *_rest):
        if not isinstance(storage, _Storage):
            raise InputError(f"{self.where}: a tensor without a storage in the pickle")
        try:
            raw = self.archive.read(f"{self.prefix}data/{storage.key}")
        except KeyError:
            raise InputError(f"{self.where}: storage {storage.key} is missing from the archive") from None
        flat = np.frombuffer(raw, dtype=storage.dtype)
        if flat.size < storage.numel:
            raise InputError(f"{self.where}: storage {storage.key} is truncated")
        size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
        last = int(offset) + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else int(offset)
        if int(offset) < 0 or last >= max(flat.size, 1) and all(size):
            raise InputError(f"{self.where}: a tensor reaches outside its storage")
        item = flat.itemsize
        return np.lib.stride_tricks.as_strided(flat[int(offset):], shape=size,
                                               strides=tuple(s * item for s in stride)).astype(float)


def is_torch_zip(path: Path) -> bool:
    """Is ``path`` a zip archive with a ``data.pkl`` (torch's format since 1.6)?"""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as z:
        return any(n.endswith("data.pkl") for n in z.namelist())


def _own_reader(path: Path, where: str) -> dict:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError(f"{where}: not a torch.save zip file ({err})") from None
    with archive:
        pkls = [n for n in archive.namelist() if n.endswith("data.pkl")]
        if len(pkls) != 1:
            raise InputError(f"{where}: not a torch.save zip file (no single data.pkl)")
        prefix = pkls[0][: -len("data.pkl")]
        data = archive.read(pkls[0])
        try:
            for op, _arg, _pos in pickletools.genops(data):
                if op.name not in _OPCODES:
                    raise InputError(f"{where}: the pickle uses opcode {op.name}, which a state dict does not need; "
                                     "refusing it (nothing is executed from this file)")
        except (ValueError, pickle.UnpicklingError) as err:
            raise InputError(f"{where}: a damaged pickle ({err})") from None
        try:
            obj = _TensorUnpickler(data, archive, prefix, where).load()
        except InputError:
            raise
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError, AttributeError) as err:
            raise InputError(f"{where}: not a state dict of tensors ({type(err).__name__}: {err})") from None
    return obj


def _torch_reader(path: Path, where: str) -> dict:
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, ValueError, TypeError, AttributeError, OSError, EOFError,
            KeyError, zipfile.BadZipFile) as err:  # torch's ways of saying "refused" or "damaged"
        raise InputError(f"{where}: torch refused the file with weights_only=True "
                         f"({' '.join(str(err).split())[:200]})") from None
    return obj


def _flatten(obj, where: str, prefix: str = "") -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if not isinstance(obj, dict):
        raise InputError(f"{where}: holds a {type(obj).__name__}, not a state dict (an ordered dict of tensors)")
    for key, val in obj.items():
        name = f"{prefix}{key}"
        if isinstance(val, dict):
            out.update(_flatten(val, where, f"{name}."))
        elif isinstance(val, np.ndarray):
            out[name] = val
        elif hasattr(val, "detach"):  # a torch tensor (torch.load)
            out[name] = val.detach().to("cpu").double().numpy()
        elif isinstance(val, (int, float)) and not isinstance(val, bool):
            out[name] = np.asarray(float(val))
    return out


def read_state_dict(path, *, use_torch: bool | None = None) -> dict[str, np.ndarray]:
    """The tensors of a ``torch.save`` file, by their (dotted) state-dict keys, as float64 arrays.

    ``use_torch`` = None uses torch when it is importable, else this module's own
    reader; True / False force one of them.  Nested dicts (a checkpoint holding
    ``{"model": state_dict, ...}``) are flattened with dotted keys; values that
    are neither tensors nor numbers are dropped.
    """
    p = Path(path)
    if use_torch is None:
        try:
            import torch  # noqa: F401
            use_torch = True
        except ImportError:
            use_torch = False
    obj = _torch_reader(p, str(path)) if use_torch else _own_reader(p, str(path))
    return _flatten(obj, str(path))
