"""Exact conversion of user-supplied numbers.

Floats are converted to rationals *exactly* (``float.as_integer_ratio``), never
through a decimal string: the rational is the binary number the float stores.
Strings are accepted only as rationals (``"1/3"``, ``"-2"``, ``"0.125"``,
``"1e-3"``: read as the exact decimal the user wrote) or as a bare identifier,
which becomes a sympy symbol; nothing is ever evaluated.
"""

from __future__ import annotations

import math
import numbers
import re
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
        return sp.Integer(int(x))
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    if isinstance(x, (float, np.floating)):
        f = float(x)  # float32/float16 widen to float64 exactly
        if not math.isfinite(f):
            raise InputError(f"{what} is {f!r}: weights must be finite")
        p, q = f.as_integer_ratio()
        return sp.Rational(p, q)
    if isinstance(x, str):
        s = x.strip()
        if _RATIONAL.match(s):
            num, den = (int(t) for t in s.split("/"))
            if den == 0:
                raise InputError(f"{what} {x!r} divides by zero")
            return sp.Rational(num, den)
        if _DECIMAL.match(s):
            return sp.Rational(Fraction(s))
        if _IDENTIFIER.match(s):
            return sp.Symbol(s, real=True)
        raise InputError(f"{what} {x!r} is neither a rational number nor a parameter name")
    if isinstance(x, (numbers.Complex, np.complexfloating)):
        raise InputError(f"{what} {x!r} is complex: weights must be real")
    raise InputError(f"{what} has unsupported type {type(x).__name__}")


def _check_sympy(x: sp.Basic, what: str) -> sp.Expr:
    if not isinstance(x, sp.Expr):
        raise InputError(f"{what} {x!r} is not a number or expression")
    if x.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise InputError(f"{what} {x} is not finite")
    if isinstance(x, sp.Float):
        return sp.Rational(x)  # exact: the binary value the Float holds
    if x.is_number and x.is_real is False:
        raise InputError(f"{what} {x} is not real")
    return x


def is_rational(x: sp.Expr) -> bool:
    """True when ``x`` is a sympy Rational (an exact element of Q)."""
    return isinstance(x, sp.Rational)
