"""Runner shared by the ``check_*.py`` scripts of ``proofs/``.

Every script registers its identities with :meth:`Suite.identity`.  An
identity is a function ``build(wrong) -> residual`` returning a sympy
expression or matrix that must vanish identically (or a :class:`Claim` that
wraps one).  :func:`check` decides whether it vanishes by two independent
routes, and both must agree:

* numerically: the residual is evaluated with mpmath at ``DPS`` significant
  digits at several random rational points (plus an optional independent
  numeric route, ``Claim.cross``, e.g. ``mpmath.expm`` instead of a closed
  form);
* symbolically: sympy must reduce every entry to exactly zero.

``build(True)`` returns the residual of a deliberately wrong identity (a
dropped factor, a wrong sign, a wrong branch).  Setting the environment
variable ``PLRNN_PROOFS_MUTATE`` to the name of an identity makes the runner
check that wrong version instead, so a test can show that the checks would
catch a wrong identity; ``PLRNN_PROOFS_MUTATE='*'`` mutates every identity.

Command line of every script: no argument runs all identities; ``--list``
prints their names and statements; ``--only NAME [NAME ...]`` runs a subset.
Exit status 0 when all pass, 1 when one fails, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import mpmath
import sympy as sp

MUTATE_ENV = "PLRNN_PROOFS_MUTATE"
DPS = 30
POINTS = 3
TOLERANCE = mpmath.mpf(10) ** -18

# an expression, a matrix, or a list of them, every entry of which must vanish
Residual = sp.Expr | sp.MatrixBase | list


@dataclass(frozen=True)
class NumericRoute:
    """An independent numeric route: ``evaluate({symbol: mpf})`` returns numbers
    (or mpmath matrices) that must vanish; ``symbols`` are those it needs."""

    symbols: frozenset[sp.Symbol]
    evaluate: Callable[[dict], Iterable]


@dataclass(frozen=True)
class Claim:
    """A residual that must vanish, with what the numeric route needs.

    ``domains`` maps a symbol to the interval ``(lo, hi)`` its random values
    are drawn from (default: by its assumptions, see :func:`sample_point`).
    ``cross``, if given, is an independent numeric route evaluated at the same
    random points.
    """

    residual: Residual
    domains: Mapping[sp.Symbol, tuple[sp.Rational, sp.Rational]] = field(
        default_factory=dict
    )
    cross: NumericRoute | None = None


@dataclass(frozen=True)
class Outcome:
    name: str
    passed: bool
    detail: str
    seconds: float


@dataclass(frozen=True)
class Identity:
    name: str
    statement: str
    build: Callable[[bool], Residual | Claim]


def _entries(residual: Residual) -> list[sp.Expr]:
    if isinstance(residual, (list, tuple)):
        return [e for part in residual for e in _entries(part)]
    if isinstance(residual, sp.MatrixBase):
        return [sp.sympify(e) for e in residual]
    return [sp.sympify(residual)]


def _flatten_numbers(values) -> list:
    if isinstance(values, mpmath.matrix):
        return [values[i, j] for i in range(values.rows) for j in range(values.cols)]
    if isinstance(values, (list, tuple)):
        return [x for v in values for x in _flatten_numbers(v)]
    return [values]


def sample_point(
    symbols: Iterable[sp.Symbol],
    rng: random.Random,
    domains: Mapping[sp.Symbol, tuple] | None = None,
) -> dict[sp.Symbol, sp.Rational]:
    """Random nonzero rationals: positive (nonnegative) symbols in [1/4, 4],
    negative (nonpositive) ones in [-4, -1/4], integer ones in [-3, 3], other
    symbols in [-2, 2]."""
    domains = domains or {}
    point = {}
    for s in symbols:
        if s in domains:
            lo, hi = domains[s]
        elif s.is_nonnegative:
            lo, hi = sp.Rational(1, 4), 4
        elif s.is_nonpositive:
            lo, hi = -4, -sp.Rational(1, 4)
        else:
            lo, hi = -2, 2
        if s.is_integer:
            value = sp.Integer(rng.choice([k for k in range(int(lo), int(hi) + 1) if k]))
        else:
            q = rng.randint(7, 29)
            value = sp.Integer(0)
            while value == 0:
                value = sp.Rational(
                    rng.randint(int(sp.ceiling(lo * q)), int(sp.floor(hi * q))), q
                )
        point[s] = value
    return point


def _numeric_residual(entries, claim: Claim, rng: random.Random) -> str | None:
    """None if every entry (and the cross route) vanishes at POINTS random
    points, else a message naming the worst residual."""
    symbols = sorted(set().union(*(e.free_symbols for e in entries)), key=str)
    if claim.cross is not None:
        symbols = sorted(set(symbols) | claim.cross.symbols, key=str)
    func = sp.lambdify(symbols, entries, modules="mpmath")
    done = tries = 0
    with mpmath.workdps(DPS):
        while done < POINTS:
            tries += 1
            if tries > 20 * POINTS:
                return "could not find sample points where the residual is defined"
            point = sample_point(symbols, rng, claim.domains)
            args = [mpmath.mpf(v.p) / v.q for v in point.values()]
            try:
                values = list(func(*args))
                if claim.cross is not None:
                    values += _flatten_numbers(
                        claim.cross.evaluate(dict(zip(point, args, strict=True)))
                    )
            except (ZeroDivisionError, ValueError):
                continue
            sizes = [abs(mpmath.mpmathify(v)) for v in values]
            if any(mpmath.isnan(x) or mpmath.isinf(x) for x in sizes):
                continue
            done += 1
            worst = max(sizes, default=mpmath.mpf(0))
            if worst > TOLERANCE:
                where = ", ".join(f"{s}={v}" for s, v in point.items())
                return f"residual {mpmath.nstr(worst, 5)} at {where or 'no symbols'}"
    return None


def _log_of_positive_number(a: sp.Expr) -> sp.Expr:
    """log of a positive number as a sum over primes, e.g. log(sqrt(106)/10)
    -> log(2)/2 + log(53)/2 - log(2) - log(5), so that sympy sees relations
    between the logarithms of different numbers."""
    parts = [f.as_base_exp() for f in sp.Mul.make_args(a)]
    if not all(base.is_positive for base, _ in parts):
        return sp.log(a)
    total = sp.Integer(0)
    for base, power in parts:
        if base.is_Rational:
            for p, k in sp.factorint(base.p).items():
                total += k * power * sp.log(p)
            for p, k in sp.factorint(base.q).items():
                total -= k * power * sp.log(p)
        else:
            total += power * sp.log(base)
    return total


def _split_numeric_logs(e: sp.Expr) -> sp.Expr:
    return e.replace(
        lambda f: isinstance(f, sp.log) and f.args[0].is_number and f.args[0].is_positive,
        lambda f: _log_of_positive_number(f.args[0]),
    )


def reduce_numeric_logs(e: sp.Expr) -> sp.Expr:
    """Split logarithms of positive numbers into primes, expand and cancel: a
    cheap exact normal form for expressions in such logarithms."""
    return sp.cancel(sp.expand(_split_numeric_logs(e)))


# cheapest first; simplify() is the slow last resort
_SIMPLIFIERS = (
    lambda e: e,
    lambda e: sp.cancel(sp.together(e)),
    sp.expand,
    lambda e: sp.cancel(sp.expand(e.rewrite(sp.exp))),
    reduce_numeric_logs,
    sp.simplify,
    lambda e: sp.simplify(sp.expand(e.rewrite(sp.exp))),
)


def is_symbolically_zero(expr: sp.Expr) -> bool:
    """True if one of a cascade of sympy simplifications gives exactly 0."""
    return any(simplify(expr) == 0 for simplify in _SIMPLIFIERS)


def check(name: str, residual: Residual | Claim) -> Outcome:
    """Decide whether ``residual`` vanishes identically; print one line."""
    start = time.perf_counter()
    claim = residual if isinstance(residual, Claim) else Claim(residual)
    entries = _entries(claim.residual)
    rng = random.Random(zlib.crc32(name.encode()))
    detail = _numeric_residual(entries, claim, rng)
    if detail is None:
        stuck = [i for i, e in enumerate(entries) if not is_symbolically_zero(e)]
        if stuck:
            detail = (
                f"numerically zero but sympy did not reduce entries {stuck} to 0"
            )
    seconds = time.perf_counter() - start
    outcome = Outcome(name, detail is None, detail or "", seconds)
    if outcome.passed:
        print(f"ok  {name}", flush=True)
    else:
        print(f"FAIL  {name}: {detail}", flush=True)
    return outcome


class Suite:
    """The identities of one proof document, and the command line to run them."""

    def __init__(self, document: str) -> None:
        self.document = document
        self.identities: list[Identity] = []

    def identity(self, name: str, statement: str):
        """Register ``build(wrong)``; ``statement`` names what it supports,
        e.g. ``"Theorem 1.3"``."""
        if any(i.name == name for i in self.identities):
            raise ValueError(f"duplicate identity name {name!r}")

        def register(build: Callable[[bool], Residual | Claim]):
            self.identities.append(Identity(name, statement, build))
            return build

        return register

    def run(self, names: list[str] | None, mutate: str | None) -> list[Outcome]:
        outcomes = []
        for ident in self.identities:
            if names and ident.name not in names:
                continue
            wrong = mutate in ("*", ident.name)
            start = time.perf_counter()
            try:
                outcome = check(ident.name, ident.build(wrong))
            except Exception as exc:  # noqa: BLE001 -- a crash is a failed check, not a pass
                detail = f"raised {exc!r}"
                print(f"FAIL  {ident.name}: {detail}", flush=True)
                outcome = Outcome(ident.name, False, detail, 0.0)
            seconds = time.perf_counter() - start  # build included
            outcomes.append(Outcome(outcome.name, outcome.passed, outcome.detail, seconds))
        return outcomes

    def main(self, argv: list[str] | None = None) -> None:
        parser = argparse.ArgumentParser(
            description=f"Check the identities used in proofs/{self.document}.tex"
        )
        parser.add_argument("--list", action="store_true", help="list identities")
        parser.add_argument("--only", nargs="+", metavar="NAME", help="run these")
        parser.add_argument(
            "--times", action="store_true", help="print the time of each identity"
        )
        args = parser.parse_args(argv)
        known = [i.name for i in self.identities]
        if args.list:
            for ident in self.identities:
                print(f"{ident.name}\t{ident.statement}")
            sys.exit(0)
        mutate = os.environ.get(MUTATE_ENV) or None
        for name in (args.only or []) + ([mutate] if mutate not in (None, "*") else []):
            if name not in known:
                print(f"error: no identity named {name!r} in {self.document}",
                      file=sys.stderr)
                sys.exit(2)
        if mutate:
            print(f"note: {MUTATE_ENV}={mutate}: checking a deliberately wrong "
                  "version of that identity", flush=True)
        start = time.perf_counter()
        outcomes = self.run(args.only, mutate)
        if args.times:
            for o in sorted(outcomes, key=lambda o: -o.seconds):
                print(f"  {o.seconds:7.2f} s  {o.name}")
        failed = [o.name for o in outcomes if not o.passed]
        print(f"time: {time.perf_counter() - start:.1f} s")
        if failed:
            print("failed: " + ", ".join(failed))
        print(f"checks: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
        sys.exit(1 if failed else 0)
