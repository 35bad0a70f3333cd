"""``plrnn-symbolic batch``: the predicates of many model files at once (one task per model, local
processes or a Dask cluster)."""

from __future__ import annotations

import sys

from ..analysis.batch import check_models
from ..core.errors import InputError
from ..model.family import KINDS
from ..model.loading import model_file
from ..model.regions import MAX_REGIONS
from .output import emit

__all__ = ["EPILOG", "add_arguments", "run_cli"]

EPILOG = ("examples:\n  plrnn-symbolic batch runs/*.npz --regions visited --steps 2000\n"
          "  plrnn-symbolic batch runs/*.pt --kind alrnn --relu-units 2 --scheduler tcp://HOST:8786 --json")


def add_arguments(parser) -> None:
    """Options of ``plrnn-symbolic batch``."""
    parser.add_argument("models", nargs="+", metavar="MODEL",
                        help="model files (.npz, .mat, .json, .pt), each read as 'check MODEL' reads it")
    parser.add_argument("--kind", choices=KINDS, default=None, help="the form of every model where its file does "
                        "not say")
    parser.add_argument("--relu-units", type=int, default=None, metavar="P", help="P of ALRNN files that do not say")
    parser.add_argument("--dt", default=None, help="the step's duration of every model (over the files')")
    parser.add_argument("--regions", choices=["visited", "all"], default="visited",
                        help="which regions of each model to check (default visited)")
    parser.add_argument("--mode", choices=["auto", "exact", "certified", "float"], default="auto")
    parser.add_argument("--steps", type=int, default=None, help="steps of the visited trajectory")
    parser.add_argument("--burn-in", type=int, default=0, help="steps run before counting visited regions")
    parser.add_argument("--max-regions", type=int, default=None,
                        help="raise the limit (2^20) on the regions of one model's exhaustive sweep")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes (default: every usable core from 4 models on); with --scheduler, how many "
                             "of the cluster's workers")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="run the models on a Dask cluster (pip install 'plrnn_symbolic[dask]')")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run_cli(args) -> int:
    """Run ``plrnn-symbolic batch``; exit status 2 when a file cannot be read or a model is refused."""
    if args.relu_units is not None and args.kind not in (None, "alrnn"):
        raise InputError("--relu-units is the P of an ALRNN; it does not go with --kind " + args.kind)
    models = []
    for path in args.models:
        try:
            mf = model_file(path, kind=args.kind, relu_units=args.relu_units, dt=args.dt)
        except InputError as exc:
            raise InputError(str(exc) if path in str(exc) else f"{path}: {exc}") from None
        models.append((path, mf.model, mf.inputs))
    report = check_models(models, args.regions, args.mode, steps=args.steps, burn_in=args.burn_in,
                          max_regions=args.max_regions or MAX_REGIONS, workers=args.workers,
                          scheduler=args.scheduler, progress=not args.json)
    emit(args, report.to_dict, report.table)
    if report.refused:
        print(f"plrnn-symbolic: {len(report.refused)} of {len(report)} models refused (see their rows)",
              file=sys.stderr)
        return 2
    return 0
