"""``plrnn-symbolic dynamics``: fixed points, equilibria, cycles, Lyapunov exponents."""

from __future__ import annotations

from ..analysis.dynamics_report import dynamics
from ..core.errors import InputError
from ..model.loading import state_from_text
from ..model.regions import MAX_REGIONS
from .model_args import announce_cells, model_from
from .output import emit

# burn-in + steps above this are refused unless --max-steps raises it: the Lyapunov loop takes a few
# microseconds per step, so 10^8 steps are minutes and 10^14 would be years
MAX_LYAPUNOV_STEPS = 10**8

__all__ = [
    "add_arguments",
    "run_cli",
]


def add_arguments(parser) -> None:
    """Options of ``plrnn-symbolic dynamics`` (MODEL and --example are added by the caller)."""
    parser.add_argument("--cycles", type=int, default=0, metavar="K", help="look for k-cycles with 2 <= k <= K")
    parser.add_argument("--mode", choices=["exact", "float"], default=None,
                        help="exact (rational weights, the default) or float")
    parser.add_argument("--steps", type=int, default=20000, help="steps for the Lyapunov spectrum")
    parser.add_argument("--burn-in", type=int, default=1000, help="steps run before measuring Lyapunov exponents")
    parser.add_argument("--max-steps", type=int, default=MAX_LYAPUNOV_STEPS,
                        help=f"raise the limit ({MAX_LYAPUNOV_STEPS:.0e}) on --burn-in + --steps")
    parser.add_argument("--autonomous-lyapunov", action="store_true",
                        help="also measure the autonomous (switching) system's Lyapunov exponents by simulation "
                             "(float; JSON key lyapunov_autonomous)")
    parser.add_argument("--z0", help="initial state for the Lyapunov spectrum and the plot, e.g. 0.1,-0.2,0.3")
    parser.add_argument("--max-regions", type=int, default=None,
                        help="raise the limit (2^20) on the number of regions of the fixed-point sweep")
    parser.add_argument("--no-fixed-points", action="store_true",
                        help="leave out the sweep of all regions for fixed points (a model with too many regions "
                             "or cells): cycles and Lyapunov exponents only")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="save the orbit with the vector field of the regions it visits (plrnn_symbolic.plot.phase)")
    parser.add_argument("--units", default=None, metavar="i,j",
                        help="project the plot onto these two latent units (1-based; default: the observed "
                             "variables, else the orbit's first two principal components)")


def run_cli(args) -> int:
    """Run ``plrnn-symbolic dynamics`` with parsed ``args``; returns the exit status."""
    model = model_from(args, zero_inputs_note="fixed points, cycles and Lyapunov exponents are those of the map "
                                         "with the inputs held at zero").model
    if args.cycles < 0:
        raise InputError("--cycles must be >= 0")
    if args.max_steps < 1:
        raise InputError(f"--max-steps must be >= 1, got {args.max_steps}")
    if args.steps < 1 or args.burn_in < 0:
        raise InputError("--steps must be >= 1 and --burn-in >= 0")
    if args.steps + args.burn_in > args.max_steps:
        raise InputError(f"--burn-in + --steps = {args.steps + args.burn_in:.3g} steps is above the limit of "
                         f"{args.max_steps:.3g} (a few microseconds per step, about "
                         f"{(args.steps + args.burn_in) * 3e-6 / 3600:.3g} hours here); pass --max-steps to allow it")
    units = _units(args.units, model.M) if args.plot and args.units else None
    z0 = state_from_text(getattr(args, "z0", None), model)
    if not args.no_fixed_points:
        announce_cells(model)        # the fixed points are swept over every cell
    report = dynamics(model, args.cycles, args.mode, max_regions=args.max_regions or MAX_REGIONS,
                      lyapunov_steps=args.steps, burn_in=args.burn_in, z0=z0, progress=not args.json,
                      autonomous_lyapunov=getattr(args, "autonomous_lyapunov", False),
                      fixed_points=not args.no_fixed_points)
    if args.plot:
        from ..plot import phase

        phase(model, args.plot, observe=None if units is None else [units[0] + 1, units[1] + 1], z0=z0,
              burn_in=args.burn_in, report=report)
    return emit(args, report.to_dict(), report.table(), args.plot and f"phase plot saved to {args.plot}")


def _units(text: str, M: int) -> tuple[int, int]:
    try:
        i, j = (int(p) for p in text.replace(" ", "").split(","))
    except ValueError:
        raise InputError(f"--units takes two unit numbers such as 1,2, got {text!r}") from None
    if not (1 <= i <= M and 1 <= j <= M) or i == j:
        raise InputError(f"--units needs two different units between 1 and {M}, got {text!r}")
    return i - 1, j - 1
