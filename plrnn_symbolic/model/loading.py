"""A model and a state from what a user types: a file or an example name, a comma-separated vector.

The command line reads its MODEL, ``--example``, ``--z0`` and ``--units``
through these; they know nothing of argparse.
"""

from __future__ import annotations

import math

from ..core.conversion import to_exact
from ..core.errors import InputError
from .plrnn import PLRNN


def vector_entries(text: str) -> list[str]:
    """The entries of a comma-separated vector, as text (spaces ignored).

    >>> vector_entries("0.1, -0.2,0.3")
    ['0.1', '-0.2', '0.3']
    """
    parts = [p for p in text.replace(" ", "").split(",") if p]
    if not parts:
        raise InputError(f"{text!r} is not a comma-separated vector")
    return parts


def load_model(path: str | None = None, example_name: str | None = None, **options) -> PLRNN:
    """The model in the file ``path`` (.npz, .mat, .json, .pt) or the bundled example ``example_name``: one of them.

    ``options`` are those of :func:`model_file`."""
    return model_file(path, example_name, **options).model


def model_file(path: str | None = None, example_name: str | None = None, *, kind: str | None = None,
               relu_units: int | None = None, trial: int | None = None, dt=None, inputs: str | None = None):
    """The model, its input sequence and notes (a :class:`~.files.ModelFile`) from a file or an example.

    ``kind``, ``relu_units``, ``trial`` and ``dt`` go to :func:`~.files.load_file`;
    ``inputs`` is an input file (:func:`~.files.load_inputs`, T x K or K x T when
    unambiguous) that replaces any sequence the model file holds.
    """
    import dataclasses

    from .examples import example
    from .files import ModelFile, inputs_for, load_file, load_inputs

    if example_name:
        if path:
            raise InputError("give either a MODEL file or --example, not both")
        if kind is not None or relu_units is not None or trial is not None:
            raise InputError("--kind, --relu-units and --trial describe a model file, not an example")
        model = example(example_name)
        if dt is not None:
            model = dataclasses.replace(model, dt=dt)
        mf = ModelFile(model, None, ())
    elif not path:
        raise InputError("no model: give a MODEL file (.npz, .mat, .json, .pt) or --example NAME")
    else:
        mf = load_file(path, kind=kind, relu_units=relu_units, trial=trial, dt=dt)
    if inputs:
        arr = inputs_for(mf.model, load_inputs(inputs), str(inputs))
        notes = mf.notes + (("the input sequence of the model file is replaced by --inputs",) if mf.inputs is not None
                            else ())
        mf = ModelFile(mf.model, arr, notes)
    return mf


def state_from_text(text: str | None, model: PLRNN) -> list[float] | None:
    """A state of ``model`` from a comma-separated vector (None for None); entries must be finite numbers.

    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 1], [-1, 0]], h=[0, 0])
    >>> state_from_text("1/2, -0.25", m)
    [0.5, -0.25]
    """
    if text is None:
        return None
    z0 = []
    for x in vector_entries(text):
        v = to_exact(x, what="z0 entry")
        if v.free_symbols:          # a parameter name: a state must be a number
            raise InputError(f"z0 entry {x!r} is not a finite number")
        if not math.isfinite(float(v)):     # the float trajectory starts from float64 values
            raise InputError(f"z0 entry {x!r} is not a finite float64 number (|x| <= 1.8e308)")
        z0.append(float(v))
    if len(z0) != model.M:
        raise InputError(f"--z0 has {len(z0)} entries, the model has M = {model.M} units")
    return z0


__all__ = ["load_model", "model_file", "state_from_text", "vector_entries"]
