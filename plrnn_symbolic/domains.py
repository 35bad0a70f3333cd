"""Number domains: exact rationals (FLINT ``fmpq``), balls (FLINT ``arb``/``acb``)
and floats (numpy).

This module is the bottom layer: it converts exact sympy weights into each
domain and owns the working precision of ball arithmetic, which is set inside
a context (:func:`working_precision`) and restored afterwards, so no precision
leaks between calls.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import flint
import numpy as np
import sympy as sp

from .errors import InputError

EXACT, CERTIFIED, FLOAT = "exact", "certified", "float"
MODES = (EXACT, CERTIFIED, FLOAT)


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}: choose one of {', '.join(MODES)}")
    return mode


@contextlib.contextmanager
def working_precision(bits: int) -> Iterator[int]:
    """Run a block with FLINT's ball precision set to ``bits``, then restore it.

    >>> with working_precision(200):
    ...     print(flint.ctx.prec)
    200
    """
    old = flint.ctx.prec
    flint.ctx.prec = int(bits)
    try:
        yield int(bits)
    finally:
        flint.ctx.prec = old


MAX_PRECISION = 1 << 17
"""Bits of ball precision at most (about 39,000 digits): beyond it a certified computation takes hours."""


def check_precision(bits: int, what: str = "precision") -> int:
    """``bits``, or an InputError naming :data:`MAX_PRECISION` when it is larger."""
    if bits > MAX_PRECISION:
        raise InputError(f"{what} of {bits:,} bits is above the limit of {MAX_PRECISION:,} bits "
                         f"(about {int(MAX_PRECISION / math.log2(10)) - 5:,} digits)")
    return bits


def digits_to_bits(digits: int) -> int:
    """Bits of precision that carry ``digits`` decimal digits (plus guard bits)."""
    return check_precision(math.ceil(digits * math.log2(10)) + 16, f"{digits:,} digits, a precision")


# ---- exact ------------------------------------------------------------------
def to_fmpq(x: sp.Expr) -> flint.fmpq:
    if not isinstance(x, sp.Rational):
        raise InputError(f"{x} is not rational: exact mode over Q needs rational weights")
    return flint.fmpq(int(x.p), int(x.q))


def fmpq_matrix(m: sp.MatrixBase) -> flint.fmpq_mat:
    """Exact FLINT copy of a rational sympy matrix."""
    return flint.fmpq_mat(m.rows, m.cols, [to_fmpq(x) for x in m])


def fmpq_to_float(x: flint.fmpq) -> float:
    """The float nearest ``x`` (correctly rounded), or +-inf beyond the float64 range, as
    ``float(arb)`` gives (``float(fmpq)`` raises OverflowError there).

    >>> fmpq_to_float(flint.fmpq(1, 3)), fmpq_to_float(-flint.fmpq(10) ** 400)
    (0.3333333333333333, -inf)
    """
    try:
        return int(x.p) / int(x.q)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def fmpq_to_sympy(x: flint.fmpq) -> sp.Rational:
    return sp.Rational(int(x.p), int(x.q))


# ---- balls --------------------------------------------------------------------
def to_arb(x: sp.Expr) -> flint.arb:
    """A ball that provably contains the real number ``x``, at the working precision.

    Rationals are enclosed directly; sums, products, integer and rational powers,
    ``pi``, ``E``, ``exp``, ``log``, ``sin``, ``cos`` and ``sqrt`` are evaluated in
    ball arithmetic, so the enclosure is rigorous.

    >>> with working_precision(64):
    ...     b = to_arb(sp.sqrt(2) + sp.Rational(1, 3))
    >>> b.overlaps(flint.arb(2).sqrt() + flint.arb(flint.fmpq(1, 3)))
    True
    """
    if isinstance(x, sp.Rational):
        return flint.arb(flint.fmpq(int(x.p), int(x.q)))
    if x is sp.pi:
        return flint.arb.pi()
    if x is sp.E:
        return flint.arb(1).exp()
    if isinstance(x, sp.Add):
        out = flint.arb(0)
        for a in x.args:
            out += to_arb(a)
        return out
    if isinstance(x, sp.Mul):
        out = flint.arb(1)
        for a in x.args:
            out *= to_arb(a)
        return out
    if isinstance(x, sp.Pow):
        base, ex = x.args
        if isinstance(ex, sp.Integer):
            return to_arb(base) ** int(ex)
        if isinstance(ex, sp.Rational):
            return to_arb(base) ** flint.arb(flint.fmpq(int(ex.p), int(ex.q)))
    funcs = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.atan: "atan"}
    if type(x) in funcs and len(x.args) == 1:
        return getattr(to_arb(x.args[0]), funcs[type(x)])()
    raise InputError(f"cannot enclose {x} in ball arithmetic (free symbols or unsupported function)")


def arb_matrix(m: sp.MatrixBase) -> flint.arb_mat:
    return flint.arb_mat(m.rows, m.cols, [to_arb(x) for x in m])


def acb_from_fmpq(m: flint.fmpq_mat) -> flint.acb_mat:
    return flint.acb_mat(flint.arb_mat(m))


def acb_to_complex(z: flint.acb) -> complex:
    return complex(float(z.real.mid()), float(z.imag.mid()))


def float_matrix(m: sp.MatrixBase) -> np.ndarray:
    return np.array(m.tolist(), dtype=float)
