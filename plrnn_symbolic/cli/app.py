"""plrnn-symbolic: verified discrete-to-continuous-time translation of ReLU RNNs (PLRNNs).

Exit status: 0 on success, 2 on bad input or usage (one line on stderr, no
traceback; ``--debug`` shows it), 1 on an internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from ..core.errors import InputError, NoResult
from ..core.version import __version__
from ..model.loading import state_from_text
from ..model.regions import MAX_REGIONS, visited_steps
from ..region.predicates import PREDICATES
from . import batch_command, dynamics_command, simulate_command
from .model_args import add_model_args, announce_cells, model_from
from .output import emit

__all__ = [
    "EPILOG",
    "build_parser",
    "main",
]

EPILOG = {
    "check": "examples:\n  plrnn-symbolic check --example limit_cycle --plot regions.png\n"
             "  plrnn-symbolic check model.npz --regions visited --steps 2000 --burn-in 500 --mode certified --json",
    "derive": "examples:\n  plrnn-symbolic derive --example chaotic --regions 11110 11111 --latex chaotic.tex --pdf\n"
              "  plrnn-symbolic derive model.npz --regions visited --export py model_ode.py",
    "dynamics": "examples:\n  plrnn-symbolic dynamics --example limit_cycle --cycles 4 --plot phase.png\n"
                "  plrnn-symbolic dynamics model.npz --json",
    "examples": "examples:\n  plrnn-symbolic examples\n  plrnn-symbolic examples --json",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise InputError(message)


def _model_from(args):
    visited = getattr(args, "regions", None) == ["visited"]
    return model_from(args, zero_inputs_note="the visited regions come from a trajectory with the inputs held at "
                                             "zero" if visited else None)


def _z0(args, model):
    return state_from_text(getattr(args, "z0", None), model)


def _add_model_args(p: argparse.ArgumentParser):
    add_model_args(p)


def _add_region_args(p: argparse.ArgumentParser):
    p.add_argument("--regions", nargs="+", default=["all"], metavar="all|visited|families|BITS",
                   help="'all', 'visited', or bit strings such as 1100011111 (unit 1 first); check also takes "
                        "'families' (whole families of regions decided at once, the rest enumerated)")
    p.add_argument("--z0", help="initial state for --regions visited, e.g. 0.1,-0.2,0.3")
    p.add_argument("--steps", type=int, default=None, help="steps of the trajectory for --regions visited")
    p.add_argument("--burn-in", type=int, default=0, help="steps run before counting visited regions")
    p.add_argument("--max-regions", type=int, default=None,
                   help="raise the limit (2^20) on the number of regions of an exhaustive sweep")


def _add_mode_arg(p: argparse.ArgumentParser):
    p.add_argument("--mode", choices=["auto", "exact", "certified", "float"], default="auto",
                   help="auto (default: balls, and exact arithmetic where they cannot decide), exact (rationals, "
                        "never undecided), certified (balls only) or float (labelled, not a proof)")


def _regions_arg(args):
    r = args.regions
    if len(r) == 1 and r[0] in ("all", "visited", "families"):
        return r[0]
    if "all" in r or "visited" in r or "families" in r:
        raise InputError("--regions takes 'all', 'visited', 'families' (check), or a list of bit strings, not a mix")
    return r


def _announce_sweep(args, model, derive: bool = False) -> None:
    """Say what an exhaustive sweep will cost before it starts (stderr; from 4096 regions on)."""
    n = model.n_candidates          # 2^M for a PLRNN; the activation patterns of the other forms
    if _regions_arg(args) != "all" or n < 4096:
        return
    announce_cells(model)
    if n > (args.max_regions or MAX_REGIONS):
        return
    from ..analysis.sweep import guard_sweep
    from ..core.parallel import workers

    # refuses (one line, exit 2) what would not fit in memory, before anything is said or allocated
    est = guard_sweep(model, args.mode, workers(args.workers, n, 2048), derive=derive)
    print(f"plrnn-symbolic: {est.text()}", file=sys.stderr)


def _cmd_stream(args, mf) -> int:
    """check --stream FILE: the exhaustive sweep in chunks, written as it runs (analysis.stream)."""
    from ..analysis.stream import stream_check
    from ..analysis.sweep import estimate_sweep

    if _regions_arg(args) != "all":
        raise InputError("--stream sweeps all regions: it does not go with --regions visited or a list")
    if args.plot:
        raise InputError("--plot draws a report held in memory: it does not go with --stream")
    model = mf.model
    if 2**model.M >= 4096 and getattr(model, "kind", "plrnn") == "plrnn":
        from ..analysis.stream import FLOAT_PARALLEL_MIN_REGIONS
        from ..core.parallel import workers

        n = workers(args.workers, 2**model.M, FLOAT_PARALLEL_MIN_REGIONS if args.mode == "float" else 2048)
        est = estimate_sweep(model.M, args.mode, workers=n)
        print(f"plrnn-symbolic: streamed sweep of {est.regions:,} regions (M = {model.M}, mode {args.mode}) to "
              f"{args.stream}: memory bounded by its chunks; time about {est.text().rsplit(' and ', 1)[1]} "
              "(interrupt it and continue with --resume)", file=sys.stderr)
    report = stream_check(model, args.stream, args.mode, resume=args.resume, chunk=args.chunk,
                          precision=args.precision, max_precision=args.max_precision, workers=args.workers,
                          scheduler=args.scheduler, progress=not args.json, max_regions=args.max_regions)
    return emit(args, report.to_dict, report.table, None)


def _cmd_check(args) -> int:
    from ..analysis.conditions import check

    if (args.resume or args.chunk) and not args.stream:
        raise InputError("--resume and --chunk go with --stream FILE.jsonl")
    mf = _model_from(args)
    model = mf.model
    if args.predicates and _regions_arg(args) != "families":
        raise InputError("--predicates goes with --regions families")
    if _regions_arg(args) == "families":
        if args.plot:
            raise InputError("--plot draws regions one by one: use it with --regions all or visited, not families")
        if args.stream or args.scheduler:
            raise InputError("--regions families runs in this process: --stream and --scheduler go with "
                             "--regions all")
        from ..analysis.families import check_families

        fam = check_families(model, args.mode, predicates=args.predicates or PREDICATES, precision=args.precision,
                             max_regions=args.max_regions or MAX_REGIONS, progress=not args.json,
                             workers=args.workers)
        return emit(args, fam.to_dict, fam.table)
    if args.stream:
        return _cmd_stream(args, mf)
    _announce_sweep(args, model)
    report = check(model, _regions_arg(args), args.mode, z0=_z0(args, model), steps=args.steps,
                   burn_in=args.burn_in, inputs=mf.inputs, precision=args.precision, max_precision=args.max_precision,
                   max_regions=args.max_regions or MAX_REGIONS, progress=not args.json, workers=args.workers,
                   scheduler=args.scheduler)
    if args.plot:
        from ..plot import regions

        num = model.numeric
        z0 = _z0(args, model)
        start = z0 if z0 is not None else num.z0 if num.z0 is not None else [0.0] * model.M
        n = visited_steps(args.steps, args.burn_in, mf.inputs)
        regions(report, args.plot, trajectory=num.trajectory(start, args.burn_in + n, mf.inputs)[args.burn_in:])
    return emit(args, report.to_dict, report.table, args.plot and f"region map saved to {args.plot}")


def _add_workers_arg(p, what: str, threshold: int) -> None:
    p.add_argument("--workers", type=int, default=None,
                   help=f"processes for {what} (default: every usable core from {threshold} regions on, "
                   "else 1; the same result for any number); with --scheduler, how many of the cluster's workers")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run the sweep on a Dask cluster, e.g. tcp://10.0.0.5:8786 (start one with "
                        "'dask scheduler' and 'dask worker ADDRESS'; needs pip install 'plrnn_symbolic[dask]'); "
                        "the same result as the local processes")


DERIVE_DIGITS = 30     # certified digits of derive when --digits is not given
LATEX_DIGITS = 6       # digits a LaTeX document shows when --digits is not given


def _latex_digits(args) -> int:
    """The digits --latex shows: --digits when given (the derivation then certifies as many), else 6;
    --latex-digits, deprecated, still sets them for one release, with a note."""
    if args.digits is not None and args.digits < 1:
        raise InputError(f"--digits must be >= 1, got {args.digits}")
    if args.latex_digits is None:
        return args.digits if args.digits is not None else LATEX_DIGITS
    if args.latex_digits < 1:
        raise InputError(f"--latex-digits must be >= 1, got {args.latex_digits}")
    if args.latex:
        print(f"note: --latex-digits is deprecated and will be removed in the next release; use --digits "
              f"{args.latex_digits} (the digits certified and shown)", file=sys.stderr)
    return args.latex_digits


def _cmd_derive(args) -> int:
    import pathlib

    from ..analysis.transform import derive

    if _regions_arg(args) == "families":
        raise InputError("--regions families decides the predicates (check); derive needs the regions one by one: "
                         "all, visited or bit strings")
    if (args.pdf or args.latex_exact or args.piecewise or args.latex_digits is not None) and not args.latex:
        raise InputError("--pdf, --latex-exact, --latex-digits and --piecewise need --latex FILE.tex")
    if args.latex and not pathlib.Path(args.latex).parent.is_dir():
        raise InputError(f"no such folder: {str(pathlib.Path(args.latex).parent)!r} (create it first)")
    mf = _model_from(args)
    model = mf.model
    _announce_sweep(args, model, derive=True)
    shown = _latex_digits(args)
    cont = derive(model, _regions_arg(args), args.mode, args.digits or DERIVE_DIGITS, z0=_z0(args, model), steps=args.steps,
                  burn_in=args.burn_in, inputs=mf.inputs, max_regions=args.max_regions or MAX_REGIONS, progress=not args.json,
                  workers=args.workers, scheduler=args.scheduler)
    if _regions_arg(args) == "all":
        from ..model.regions import cells_note

        note = cells_note(model, args.max_regions or MAX_REGIONS)
        if note:
            print(f"note: {note}", file=sys.stderr)
    if args.latex:
        from ..render.latex import write_derivation

        out = write_derivation(model, args.latex, list(cont.systems), args.mode, shown, pdf=args.pdf,
                               derivation=cont, exact=args.latex_exact, piecewise=args.piecewise)
        print(f"derivation written to {out}", file=sys.stderr if args.json else sys.stdout)
    if args.export:
        from ..render.export import export_systems

        out = export_systems(cont, args.export[1], args.export[0])
        print(f"region systems written to {out} ({args.export[0]})", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        print(json.dumps(cont.to_dict(), indent=1, default=str))
        return 0
    counts = cont.to_dict()["summary"]
    print(f"model {model.name or '(unnamed)'}: M = {model.M}, dt = {model.dt}, {len(cont.systems)} regions, "
          f"mode {args.mode}")
    print("  " + ", ".join(f"{k}: {v}" for k, v in counts.items() if v))
    if cont.visited is not None:
        from ..analysis.sweep import visited_text

        print("  " + visited_text(cont.visited))
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
                bound = "<=" if r["method"] != "float" else "~"
                print(f"  residual of the L, g shown ({r['method']}): |e^(L dt) - W| {bound} {r['exp']:.2e}, "
                      f"|dt phi1(L dt) g - h| {bound} {r['affine']:.2e}")
            if "float_error" in r:
                print(f"  the true L, g lie within {r['float_error']:.1e} of these floats (balls of radius "
                      f"{r['enclosure_radius']:.1e}; --json lists them)")
        if len(cont.systems) > args.show:
            print(f"\n... {len(cont.systems) - args.show} more regions (--show N, or --json for all)")
    return 0


def _cmd_examples(args) -> int:
    from ..model.examples import list_examples

    items = list_examples()
    if args.json:
        print(json.dumps([{"name": n, "description": t} for n, t in items], indent=1))
        return 0
    for name, text in items:
        print(f"{name}  {text}")
    return 0


def _sweep_parser(sub, name: str, help_text: str) -> argparse.ArgumentParser:
    """A subcommand over a model's regions (check, derive): the model, the regions and the mode."""
    p = sub.add_parser(name, help=help_text, epilog=EPILOG[name], formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    _add_region_args(p)
    _add_mode_arg(p)
    return p


def build_parser() -> argparse.ArgumentParser:
    first = {name: text.splitlines()[1] for name, text in EPILOG.items()}
    first["simulate"] = simulate_command.EPILOG.splitlines()[1]
    parser = _Parser(prog="plrnn-symbolic", description=__doc__.splitlines()[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples (one per command; COMMAND --help shows more):\n" +
                            "\n".join(first[c] for c in ("check", "derive", "simulate", "dynamics", "examples")))
    parser.add_argument("--version", action="version", version=f"plrnn-symbolic {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _sweep_parser(sub, "check", "decide the theorem conditions per region")
    p.add_argument("--precision", type=int, default=53, help="starting precision in bits (certified)")
    p.add_argument("--max-precision", type=int, default=1024, help="largest precision in bits (certified)")
    p.add_argument("--plot", metavar="FILE.png", help="save a map of the regions coloured by status")
    p.add_argument("--predicates", nargs="+", choices=PREDICATES, metavar="NAME",
                   help="with --regions families: decide only these predicates (default all five: "
                        f"{', '.join(PREDICATES)})")
    _add_workers_arg(p, "exact/certified sweeps", 2048)
    p.add_argument("--stream", metavar="FILE.jsonl",
                   help="sweep all regions in chunks, writing each finished chunk to FILE (JSON lines): memory "
                        "bounded whatever 2^M, only the counts and the flagged regions kept")
    p.add_argument("--resume", action="store_true", help="continue the interrupted --stream sweep in FILE")
    p.add_argument("--chunk", type=int, default=None, metavar="N",
                   help="regions per chunk of --stream (default 256, float 16384)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_check)

    p = _sweep_parser(sub, "derive", "derive the continuous-time system per region")
    p.add_argument("--digits", type=int, default=None,
                   help=f"digits certified and shown (default: {DERIVE_DIGITS} certified; --latex shows "
                   f"{LATEX_DIGITS} unless --digits is given)")
    p.add_argument("--show", type=int, default=8, help="regions to print in the table")
    _add_workers_arg(p, "the regions' derivations", 256)
    p.add_argument("--latex", metavar="FILE.tex", help="write a LaTeX document of the derivation")
    p.add_argument("--export", nargs=2, metavar=("py|jl|m", "FILE"),
                   help="write the region systems as a runnable Python, Julia or MATLAB/Octave function file")
    p.add_argument("--latex-digits", type=int, default=None, help="deprecated: use --digits")
    p.add_argument("--latex-exact", action="store_true", help="--latex shows exact closed forms where there are any")
    p.add_argument("--piecewise", action="store_true", help="--latex also writes the model as one piecewise system")
    p.add_argument("--pdf", action="store_true", help="also compile the --latex document (needs a LaTeX install)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_derive)

    p = sub.add_parser("simulate", help="the discrete map and its continuous systems side by side, with E1",
                       epilog=simulate_command.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    simulate_command.add_arguments(p)
    p.set_defaults(func=simulate_command.run_cli)

    p = sub.add_parser("dynamics", help="fixed points, equilibria, cycles, Lyapunov exponents",
                       epilog=EPILOG["dynamics"], formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_model_args(p)
    dynamics_command.add_arguments(p)
    p.set_defaults(func=dynamics_command.run_cli)

    p = sub.add_parser("batch", help="check many model files at once (local processes or a Dask cluster)",
                       epilog=batch_command.EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    batch_command.add_arguments(p)
    p.set_defaults(func=batch_command.run_cli)

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
        import numpy as np

        from ..core.conversion import unlimited_int_digits

        # a state beyond float64 (e.g. --z0 1e308,...) is reported by the results (NaN, notes), not by
        # numpy's RuntimeWarnings from deep inside the arithmetic; inputs are capped in digits
        # (conversion.MAX_DIGITS), exact results may be longer
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"), unlimited_int_digits():
            return args.func(args)
    except (InputError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        if debug:
            raise
        print(f"plrnn-symbolic: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except NoResult as exc:   # valid input without a mathematical answer: said as a result, status 3
        if debug:
            raise
        print(f"plrnn-symbolic: no result: {_one_line(exc)}", file=sys.stderr)
        return 3
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
