"""Exact conversion of user-supplied numbers.

Floats are converted to rationals *exactly* (``float.as_integer_ratio``), never
through a decimal string: the rational is the binary number the float stores.
Strings are accepted only as rationals (``"1/3"``, ``"-2"``, ``"0.125"``,
``"1e-3"``: read as the exact decimal the user wrote) or as a bare identifier,
which becomes a sympy symbol; nothing is ever evaluated.  Names that read as a
non-finite number (``nan``, ``inf``, ``Infinity``, ``oo``, ``zoo`` in any case)
are refused, as is a number of more than :data:`MAX_DIGITS` (4,300) digits.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
import sys
from collections.abc import Iterator
from fractions import Fraction

import numpy as np
import sympy as sp

from .errors import InputError

__all__ = [
    "is_rational",
    "to_exact",
]

_RATIONAL = re.compile(r"^\s*[+-]?\d+\s*/\s*[+-]?\d+\s*$")
_DECIMAL = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")
# names a reader takes for a non-finite number (float("Infinity"), sympy's oo, zoo): never a parameter
_NOT_FINITE_NAMES = frozenset({"nan", "inf", "infinity", "oo", "zoo"})


def to_exact(x, *, what: str = "entry") -> sp.Expr:
    """Convert ``x`` to an exact sympy number (or expression) without rounding.

    >>> to_exact(0.1)
    3602879701896397/36028797018963968
    >>> to_exact("1/3"), to_exact(2), to_exact("a")
    (1/3, 2, a)
    """
    if isinstance(x, (bool, np.bool_)):
        raise InputError(f"{what}: booleans are not numbers")
    if isinstance(x, sp.Basic):
        return _check_sympy(x, what)
    if isinstance(x, (int, np.integer)):
        _check_digits(_int_digits(int(x)), what)
        return sp.Integer(int(x))
    if isinstance(x, Fraction):
        _check_digits(max(_int_digits(x.numerator), _int_digits(x.denominator)), what)
        return sp.Rational(x.numerator, x.denominator)
    if isinstance(x, (float, np.floating)):
        f = float(x)  # float32/float16 widen to float64 exactly
        if not math.isfinite(f):
            raise InputError(f"{what} is {f!r}: weights must be finite")
        p, q = f.as_integer_ratio()
        return sp.Rational(p, q)
    if isinstance(x, str):
        s = x.strip()
        if _RATIONAL.match(s) or _DECIMAL.match(s):
            _check_digits(_string_digits(s), what)
        if _RATIONAL.match(s):
            num, den = (int(t) for t in s.split("/"))
            if den == 0:
                raise InputError(f"{what} {x!r} divides by zero")
            return sp.Rational(num, den)
        if _DECIMAL.match(s):
            return sp.Rational(Fraction(s))
        if _IDENTIFIER.match(s):
            if s.lower() in _NOT_FINITE_NAMES:
                raise InputError(f"{what} {x!r} is not a finite number (NaN and infinity are refused, also as names)")
            return sp.Symbol(s, real=True)
        raise InputError(f"{what} {x!r} is neither a rational number nor a parameter name")
    if isinstance(x, (numbers.Complex, np.complexfloating)):
        raise InputError(f"{what} {x!r} is complex: weights must be real")
    raise InputError(f"{what} has unsupported type {type(x).__name__}")


MAX_DIGITS = 4300
"""Digits of the numerator or denominator of one input number at most: Python's default limit on
int-string conversion (``sys.get_int_max_str_digits()``), kept here even where that limit is lifted,
so that "1e99999999" is refused instead of building 10^99999999."""


def _check_digits(digits: int, what: str) -> None:
    if digits > MAX_DIGITS:
        raise InputError(f"{what} has about {digits:,} digits, above the limit of {MAX_DIGITS:,} digits per number "
                         "(Python's default int string-conversion limit)")


@contextlib.contextmanager
def unlimited_int_digits() -> Iterator[None]:
    """Lift Python's limit on int-string conversion inside a block, then restore it.

    Inputs are capped at :data:`MAX_DIGITS` digits, but exact results computed
    from them (characteristic polynomials, closed forms) may have more, and
    printing them would raise ``ValueError``; the command line prints inside
    this context.

    >>> with unlimited_int_digits():
    ...     len(str(10**5000))
    5001
    """
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


def _int_digits(n: int) -> int:
    """An upper bound on the decimal digits of ``n`` (from its bit length, no conversion)."""
    return int(abs(n).bit_length() * 0.30103) + 1


def _string_digits(s: str) -> int:
    """An upper bound on the digits of numerator and denominator of the rational ``s`` spells,
    from the text alone (so that "1e99999999" is refused before 10^99999999 is built)."""
    if "/" in s:
        return max(len(t.strip(" +-")) for t in s.split("/"))
    mant, _, exp = s.lower().partition("e")
    exp = exp.strip(" +-")
    return len(mant.strip(" +-").replace(".", "")) + (0 if not exp else int(exp) if len(exp) < 16 else 10**16)


def _check_sympy(x: sp.Basic, what: str) -> sp.Expr:
    if not isinstance(x, sp.Expr):
        raise InputError(f"{what} {x!r} is not a number or expression")
    if x.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise InputError(f"{what} {x} is not finite")
    if isinstance(x, sp.Float):
        x = sp.Rational(x)  # exact: the binary value the Float holds
    if isinstance(x, sp.Rational):
        _check_digits(max(_int_digits(x.p), _int_digits(x.q)), what)
        return x
    if x.is_number and x.is_real is False:
        raise InputError(f"{what} {x} is not real")
    return x


def is_rational(x: sp.Expr) -> bool:
    """True when ``x`` is a sympy Rational (an exact element of Q)."""
    return isinstance(x, sp.Rational)
