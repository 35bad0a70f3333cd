"""``plrnn-symbolic simulate``: the discrete map and its continuous systems side by side, with E1."""

from __future__ import annotations

import json

from ..analysis.simulation import SYSTEMS, simulate
from ..core.domains import CERTIFIED, EXACT, FLOAT
from ..core.errors import InputError
from ..model.loading import state_from_text, vector_entries
from .model_args import model_from

__all__ = [
    "EPILOG",
    "add_arguments",
    "run_cli",
]

EPILOG = ("examples:\n  plrnn-symbolic simulate --example vdp_trained --steps 1000 --plot vdp.png\n"
          "  plrnn-symbolic simulate model.npz --steps 500 --z0 0.1,0,0 --system hybrid --json")


def add_arguments(parser) -> None:
    """Add the ``simulate`` options to an argparse (sub)parser (MODEL and --example are the caller's)."""
    parser.add_argument("--steps", type=int, default=100, help="number of steps N (default 100)")
    parser.add_argument("--z0", help="initial state, e.g. 0.1,-0.2,0.3 (default: the model's z0, else 0)")
    parser.add_argument("--system", choices=SYSTEMS, default="both",
                        help="hybrid (sample and hold), autonomous (switching), or both (default)")
    parser.add_argument("--burn-in", type=int, default=0, help="discrete steps run from z0 first, not counted")
    parser.add_argument("--mode", choices=[EXACT, CERTIFIED, FLOAT], default=CERTIFIED,
                        help="derivation of the region systems (default certified: rigorous and fast on float "
                             "weights; exact: closed forms on rational models)")
    parser.add_argument("--digits", type=int, default=30, help="digits of the certified derivation")
    parser.add_argument("--no-e1", action="store_true", help="skip the per-step E1 decisions")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--plot", metavar="FILE.png", help="write the figure (time graphs and a 2-D section)")
    parser.add_argument("--units", help="latent units to plot, 1-based, e.g. 1,4 (default: the model's observed variables, else "
                             "the two most variable units)")


def run_cli(args) -> int:
    """Run ``plrnn-symbolic simulate`` from parsed arguments; returns the exit status."""
    mf = model_from(args, zero_inputs_note="simulated with the inputs held at zero")
    model, inputs = mf.model, mf.inputs
    if args.steps is None or args.steps < 0:
        raise InputError("--steps must be a nonnegative integer")
    if inputs is not None and len(inputs) < args.steps:
        raise InputError(f"--steps {args.steps}, but the input sequence has {len(inputs)} steps: ask for at most "
                         f"{len(inputs)}, or give a longer one (--inputs FILE)")
    units = None
    if getattr(args, "units", None):
        try:
            units = [int(u) for u in vector_entries(args.units)]
        except ValueError:
            raise InputError(f"--units {args.units!r}: give 1-based unit numbers, e.g. 1,4") from None
        if any(not 1 <= u <= model.M for u in units):
            raise InputError(f"--units: units are 1..{model.M}")
    res = simulate(model, args.steps, state_from_text(getattr(args, "z0", None), model), args.system, inputs, args.mode,
                   digits=getattr(args, "digits", 30), e1=not getattr(args, "no_e1", False),
                   burn_in=getattr(args, "burn_in", 0) or 0, progress=not args.json)
    if args.plot:
        from ..plot import simulation

        simulation(res, args.plot, observe=units)
    if args.json:
        print(json.dumps(res.to_dict(), indent=1, default=str))
    else:
        print(res.summary())
        if args.plot:
            print(f"figure written to {args.plot}")
    return 0
