"""plrnn-symbolic: verified discrete-to-continuous-time translation of ReLU RNNs (PLRNNs).

Exit status: 0 on success, 2 on bad input or usage (one line on stderr, no
traceback; ``--debug`` shows it), 1 on an internal error.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import InputError

EPILOG = {
    "check": "example:\n  plrnn-symbolic check --example limit_cycle\n"
             "  plrnn-symbolic check model.npz --regions visited --steps 2000 --mode certified --json",
    "derive": "example:\n  plrnn-symbolic derive --example limit_cycle --regions 000000 111111\n"
              "  plrnn-symbolic derive --example chaotic --latex chaotic.tex --pdf\n"
              "  plrnn-symbolic derive model.json --regions all --mode certified --digits 40 --json",
    "dynamics": "example:\n  plrnn-symbolic dynamics --example limit_cycle --cycles 4 --plot phase.png\n"
                "  plrnn-symbolic dynamics model.npz --json",
    "examples": "example:\n  plrnn-symbolic examples",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise InputError(message)


def _vector(text: str) -> list[str]:
    parts = [p for p in text.replace(" ", "").split(",") if p]
    if not parts:
        raise InputError(f"{text!r} is not a comma-separated vector")
    return parts


def _model_from(args):
    from .examples import example
    from .io import load

    if getattr(args, "example", None):
        if args.model:
            raise InputError("give either a MODEL file or --example, not both")
        return example(args.example)
    if not args.model:
        raise InputError("no model: give a MODEL file (.npz, .mat, .json) or --example NAME")
    return load(args.model)


def _z0(args, model):
    if getattr(args, "z0", None) is None:
        return None
    from .numbers import to_exact

    z0 = []
    for x in _vector(args.z0):
        v = to_exact(x, what="z0 entry")
        if v.free_symbols:          # a parameter name: a state must be a number
            raise InputError(f"z0 entry {x!r} is not a finite number")
        if not math.isfinite(float(v)):     # the float trajectory starts from float64 values
            raise InputError(f"z0 entry {x!r} is not a finite float64 number (|x| <= 1.8e308)")
        z0.append(float(v))
    if len(z0) != model.M:
        raise InputError(f"--z0 has {len(z0)} entries, the model has M = {model.M} units")
    return z0


def _add_model_args(p: argparse.ArgumentParser):
    p.add_argument("model", nargs="?", help="model file: .npz, .mat (MATLAB v5) or .json")
    p.add_argument("--example", metavar="NAME", help="use a bundled example model (see 'plrnn-symbolic examples')")


def _add_region_args(p: argparse.ArgumentParser):
    p.add_argument("--regions", nargs="+", default=["all"], metavar="all|visited|BITS",
                   help="'all', 'visited', or bit strings such as 1100011111 (unit 1 first)")
    p.add_argument("--z0", help="initial state for --regions visited, e.g. 0.1,-0.2,0.3")
    p.add_argument("--steps", type=int, default=None, help="steps of the trajectory for --regions visited")
    p.add_argument("--burn-in", type=int, default=0, help="steps run before counting visited regions")
    p.add_argument("--max-regions", type=int, default=None,
                   help="raise the limit (2^20) on the number of regions of an exhaustive sweep")


def _add_mode_arg(p: argparse.ArgumentParser):
    p.add_argument("--mode", choices=["exact", "certified", "float"], default="exact",
                   help="exact (rationals, never undecided), certified (balls) or float (labelled, not a proof)")


def _regions_arg(args):
    r = args.regions
    if len(r) == 1 and r[0] in ("all", "visited"):
        return r[0]
    if "all" in r or "visited" in r:
        raise InputError("--regions takes 'all', 'visited', or a list of bit strings, not a mix")
    return r


def _cmd_check(args) -> int:
    from .check import check
    from .regions import MAX_REGIONS

    model = _model_from(args)
    report = check(model, _regions_arg(args), args.mode, z0=_z0(args, model), steps=args.steps,
                   burn_in=args.burn_in, precision=args.precision, max_precision=args.max_precision,
                   max_regions=args.max_regions or MAX_REGIONS, progress=not args.json, workers=args.workers)
    if args.plot:
        from .regionmap import region_map
        from .regions import visited_regions

        visited = visited_regions(model, _z0(args, model), args.steps or 1000, args.burn_in)
        region_map(report, args.plot, visited=visited)
    return emit(args, report.to_dict, report.table, args.plot and f"region map saved to {args.plot}")


def _add_workers_arg(p, what: str, threshold: int) -> None:
    p.add_argument("--workers", type=int, default=None,
                   help=f"processes for {what} (default: every usable core from {threshold} regions on, "
                   "else 1; the same result for any number)")


def emit(args, data, text, note: str | None = None) -> int:
    """Print ``data`` as JSON with --json, else ``text`` and ``note``; the exit status 0.

    ``data`` and ``text`` may be given as functions, so that only the one printed
    is built (the JSON form of a large sweep costs as much as the sweep)."""
    if args.json:
        print(json.dumps(data() if callable(data) else data, indent=1, default=str))
    else:
        print(text() if callable(text) else text)
        if note:
            print(f"\n{note}")
    return 0


def _cmd_derive(args) -> int:
    from .regions import MAX_REGIONS
    from .transform import derive

    model = _model_from(args)
    cont = derive(model, _regions_arg(args), args.mode, args.digits, z0=_z0(args, model), steps=args.steps,
                  burn_in=args.burn_in, max_regions=args.max_regions or MAX_REGIONS, progress=not args.json,
                  workers=args.workers)
    if args.pdf and not args.latex:
        raise InputError("--pdf needs --latex FILE.tex")
    if args.latex:
        from .latex import write_derivation

        out = write_derivation(model, args.latex, list(cont.systems), args.mode, args.latex_digits, pdf=args.pdf,
                               derivation=cont)
        print(f"derivation written to {out}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(cont.to_dict(), indent=1, default=str))
        return 0
    counts = cont.to_dict()["summary"]
    print(f"model {model.name or '(unnamed)'}: M = {model.M}, dt = {model.dt}, {len(cont.systems)} regions, "
          f"mode {args.mode}")
    print("  " + ", ".join(f"{k}: {v}" for k, v in counts.items() if v))
    import numpy as np

    with np.printoptions(precision=6, suppress=True, linewidth=120):
        for bits, s in list(cont.systems.items())[:args.show]:
            print(f"\nregion {bits}: {s.status}, dimension {s.dimension}, {s.method}")
            for note in s.notes:
                print(f"  note: {note}")
            if not s.derived:
                continue
            print(f"  logarithm: {s.logarithm}")
            if s.L_exact is not None and s.M <= 3:
                print(f"  L = {s.L_exact.tolist()}\n  g = {s.g_exact.T.tolist()[0]}")
            else:
                print("  L =\n" + "\n".join("    " + line for line in str(s.L).splitlines()))
                print(f"  g = {s.g}")
            if s.B is not None:
                print("  B =\n" + "\n".join("    " + line for line in str(s.B).splitlines()))
            r = s.residual
            if "exp" in r:
                print(f"  residual ({r['method']}): |e^(L dt) - W| <= {r['exp']:.2e}, "
                      f"|dt phi1(L dt) g - h| <= {r['affine']:.2e}")
        if len(cont.systems) > args.show:
            print(f"\n... {len(cont.systems) - args.show} more regions (--show N, or --json for all)")
    return 0


def _cmd_examples(args) -> int:
    from .examples import list_examples

    items = list_examples()
    if args.json:
        print(json.dumps([{"name": n, "description": t} for n, t in items], indent=1))
        return 0
    for name, text in items:
        print(f"{name}  {text}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="plrnn-symbolic", description=__doc__.splitlines()[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="\n\n".join(EPILOG.values()))
    parser.add_argument("--version", action="version", version=f"plrnn-symbolic {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("check", help="decide the theorem conditions per region", epilog=EPILOG["check"],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    _add_region_args(p)
    _add_mode_arg(p)
    p.add_argument("--precision", type=int, default=53, help="starting precision in bits (certified)")
    p.add_argument("--max-precision", type=int, default=1024, help="largest precision in bits (certified)")
    p.add_argument("--plot", metavar="FILE.png", help="save a map of the regions coloured by status")
    _add_workers_arg(p, "exact/certified sweeps", 2048)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("derive", help="derive the continuous-time system per region", epilog=EPILOG["derive"],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    _add_region_args(p)
    _add_mode_arg(p)
    p.add_argument("--digits", type=int, default=30, help="digits of certified arithmetic")
    p.add_argument("--show", type=int, default=8, help="regions to print in the table")
    _add_workers_arg(p, "the regions' derivations", 256)
    p.add_argument("--latex", metavar="FILE.tex", help="write a LaTeX document of the derivation")
    p.add_argument("--latex-digits", type=int, default=6, help="digits shown for rounded numbers in --latex")
    p.add_argument("--pdf", action="store_true", help="also compile the --latex document (needs a LaTeX install)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_derive)

    sim = importlib.import_module("plrnn_symbolic.simulate")
    p = sub.add_parser("simulate", help="the discrete map and its continuous systems side by side, with E1",
                       epilog=sim.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    sim.add_arguments(p)
    p.set_defaults(func=sim.run_cli)

    dyn = importlib.import_module("plrnn_symbolic.dynamics")  # the module (the package exports the function)
    p = sub.add_parser("dynamics", help="fixed points, equilibria, cycles, Lyapunov exponents",
                       epilog=EPILOG["dynamics"], formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    dyn.add_arguments(p)
    p.set_defaults(func=dyn.run_cli)

    p = sub.add_parser("examples", help="list the bundled example models", epilog=EPILOG["examples"],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_examples)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        from .numbers import unlimited_int_digits

        with unlimited_int_digits():    # inputs are capped (numbers.MAX_DIGITS); exact results may be longer
            return args.func(args)
    except (InputError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        if debug:
            raise
        print(f"plrnn-symbolic: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError as exc:  # e.g. a trajectory of 10^14 steps: a limit of this machine, not a bug
        if debug:
            raise
        print(f"plrnn-symbolic: error: out of memory ({_one_line(exc)}): ask for fewer steps or regions",
              file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    except KeyboardInterrupt:
        print("plrnn-symbolic: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: one line, not a traceback
        if debug:
            raise
        print(f"plrnn-symbolic: internal error: {type(exc).__name__}: {_one_line(exc)} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
