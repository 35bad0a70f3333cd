"""The model options every command shares: MODEL or --example, the form of a state dict
(--kind, --relu-units), the trial of a MATLAB cell (--trial), --dt and --inputs.

Notes on what was read (a trial chosen, an all-zero C dropped, a missing dt,
ignored keys, inputs held at zero) go to stderr, one line each, so that
``--json`` output stays valid.
"""

from __future__ import annotations

import argparse
import sys

from ..core.errors import InputError
from ..model.family import KINDS
from ..model.files import ModelFile
from ..model.loading import model_file


def add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", nargs="?",
                   help="model file: .npz, .mat (MATLAB v5), .json, or a PyTorch state dict (.pt, .pth)")
    p.add_argument("--example", metavar="NAME", help="use a bundled example model (see 'plrnn-symbolic examples')")
    p.add_argument("--kind", choices=KINDS, default=None,
                   help="the form of the model where the file does not say (plrnn, alrnn, dend, shallow, "
                        "their clipped forms, or relu for the general W1 relu(W2 z + h2))")
    p.add_argument("--relu-units", type=int, default=None, metavar="P",
                   help="P, the number of ReLU units of an ALRNN (the last P units); implies --kind alrnn")
    p.add_argument("--trial", type=int, default=None, metavar="K",
                   help="which trial (1-based) of a MATLAB cell mu0 / Inp to use (default 1)")
    p.add_argument("--dt", default=None, help="the step's duration, e.g. 0.01 or 1/100 (over the file's)")
    p.add_argument("--inputs", metavar="FILE",
                   help="inputs s_0, s_1, ... as a .npy or .csv file, T x K (or K x T when unambiguous)")


def model_from(args, *, zero_inputs_note: str | None = "run with the inputs held at zero") -> ModelFile:
    """The model, its inputs and notes from parsed arguments; prints the notes to stderr.

    ``zero_inputs_note`` says what happens to a model with inputs when none are
    given (None: the command does not run the model, no note)."""
    if getattr(args, "relu_units", None) is not None and getattr(args, "kind", None) not in (None, "alrnn"):
        raise InputError("--relu-units is the P of an ALRNN; it does not go with --kind " + args.kind)
    mf = model_file(args.model, getattr(args, "example", None), kind=getattr(args, "kind", None),
                    relu_units=getattr(args, "relu_units", None), trial=getattr(args, "trial", None),
                    dt=getattr(args, "dt", None), inputs=getattr(args, "inputs", None))
    notes = list(mf.notes)
    if mf.inputs is not None and getattr(args, "inputs", None) is None and zero_inputs_note:
        T, K = mf.inputs.shape
        notes.append(f"inputs: the file's input sequence ({T} steps x {K} channels) (--inputs FILE for another)")
    if mf.model.K and mf.inputs is None and zero_inputs_note:
        notes.append(f"the model has K = {mf.model.K} inputs and no input sequence: {zero_inputs_note} "
                     "(--inputs FILE)")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return ModelFile(mf.model, mf.inputs, tuple(notes))


ANNOUNCE_SECONDS = 10.0     # say what the emptiness LPs of a sweep cost when they may take longer than this


def announce_cells(model) -> None:
    """Before a sweep of a general-form model (check, derive or dynamics over all regions): how many
    cells there can be and how long the exact LPs that find them may take (stderr), where that is
    long; a PLRNN's 2^M orthants need none."""
    if model.kind == "plrnn" or model.n_candidates < 4096:
        return
    from ..analysis.sweep import _duration
    from ..model.emptiness import SECONDS_PER_CELL, cell_bound

    bound, work = cell_bound(model.W2)
    if work * SECONDS_PER_CELL >= ANNOUNCE_SECONDS:
        print(f"plrnn-symbolic: the sweep first decides which of the {model.n_candidates:,} activation patterns "
              f"are cells: at most {bound:,} ({model.L} hyperplanes in R^{model.M}), up to "
              f"{_duration(work * SECONDS_PER_CELL)} of exact LPs (--regions visited needs none; "
              "dynamics --no-fixed-points leaves the sweep out)", file=sys.stderr)


__all__ = ["add_model_args", "announce_cells", "model_from"]
