"""LaTeX derivation documents: the continuous-time system of given weights, step by step.

:func:`derivation_document` writes a standalone article (pdflatex, packages of
Debian's texlive-latex-base and texlive-latex-extra only) with

* the model: A, W, h, C, dt and the conventions it breaks;
* a summary table of every region asked for (status, the five predicates of
  THEORY section 3, the fixed point), when there is more than one;
* for each region shown in detail: W_Omega, its characteristic polynomial
  (factored over Q when the weights are rational), its eigenvalues (exact or
  closed form when they are rational or quadratic irrationals, else the
  certified enclosures of the witness) with their Jordan blocks and their
  images mu = log(lambda)/dt, the verdicts with their witnesses, the logarithm
  chosen and why, L, g (and B), the ODE, the fixed point (I - W_Omega)^{-1} h
  with its equilibrium, and the residual bounds of the derivation.

Every statement the document relies on is cited from ``proofs/`` (:data:`STATEMENTS`).
Formulas are printed with sympy's LaTeX printer.  Exact values are printed
exactly; floats (and exact numbers too long to read) are rounded to ``digits``
significant digits for display only, and the relation then reads ``\\approx``.

:func:`write_derivation` writes the file (and optionally compiles it with
:func:`compile_pdf`).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import flint
import numpy as np
import sympy as sp

from ..analysis.conditions import CheckReport, RegionCheck, check
from ..analysis.transform import ContinuousPLRNN, RegionSystem, derive, status_of
from ..core.domains import EXACT, FLOAT, check_mode, digits_to_bits, working_precision
from ..core.errors import InputError
from ..core.truth import FAILS, HOLDS
from ..core.version import __version__
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, region_matrix, select_regions
from ..region.predicates import PREDICATES
from ..region.spectrum import Eigenvalue

__all__ = ["STATEMENTS", "compile_pdf", "derivation_document", "write_derivation"]

# The statements of proofs/ the document cites: (file, statement or None for the whole document).
STATEMENTS: dict[str, tuple[str, str | None]] = {
    "principal_log": ("proofs/01_principal_embedding.tex", "Theorem 1.1"),
    "flow": ("proofs/01_principal_embedding.tex", "Theorem 1.3"),
    "embedding": ("proofs/01_principal_embedding.tex", "Theorem 1.4"),
    "region_embedding": ("proofs/01_principal_embedding.tex", "Corollary 1.5"),
    "beta": ("proofs/02_affine_term_zoh.tex", "Theorem 2.2"),
    "textbook": ("proofs/02_affine_term_zoh.tex", "Theorem 2.3"),
    "augmented": ("proofs/02_affine_term_zoh.tex", "Theorem 2.4"),
    "zoh": ("proofs/02_affine_term_zoh.tex", "Corollary 2.5"),
    "eigenvalue_one": ("proofs/02_affine_term_zoh.tex", "Theorem 2.6"),
    "eigenvalue_one_fixed_points": ("proofs/02_affine_term_zoh.tex", "Remark 2.7"),
    "paired": ("proofs/03_negative_eigenvalues_lift.tex", "Lemma 3.2"),
    "real_log": ("proofs/03_negative_eigenvalues_lift.tex", "Theorem 3.3"),
    "unique_real_log": ("proofs/03_negative_eigenvalues_lift.tex", "Theorem 3.4"),
    "lift": ("proofs/03_negative_eigenvalues_lift.tex", "Proposition 3.7"),
    "minimal_lift": ("proofs/03_negative_eigenvalues_lift.tex", "Theorem 3.9"),
    "singular": ("proofs/04_singular_impossible.tex", "Theorem 4.2"),
    "singular_any_dimension": ("proofs/04_singular_impossible.tex", "Theorem 4.3"),
    "one_step": ("proofs/05_trajectory_equivalence.tex", "Theorem 5.5"),
    "trajectories": ("proofs/05_trajectory_equivalence.tex", "Theorem 5.6"),
    "sample_and_hold": ("proofs/05_trajectory_equivalence.tex", "Theorem 5.7"),
    "fixed_points": ("proofs/06_fixed_points_eigenvalue_map.tex", "Theorem 6.1"),
    "eigenvalue_map": ("proofs/06_fixed_points_eigenvalue_map.tex", "Theorem 6.2"),
    "stability": ("proofs/06_fixed_points_eigenvalue_map.tex", "Corollary 6.3"),
    "region_structure": ("proofs/07_region_structure.tex", "Theorem 7.2"),
}

PREDICATE_TEXT = {
    "invertible": (r"$\det W_\Omega \neq 0$", "singular_any_dimension"),
    "principal_log": (r"no eigenvalue in $(-\infty, 0]$", "principal_log"),
    "real_log": ((r"invertible; every negative eigenvalue has each Jordan block size an even number of times "
                 r"(Culver)"), "real_log"),
    "unique_real_log": ((r"all eigenvalues positive, and no eigenvalue has two Jordan blocks of the same size "
                        r"(Culver)"), "unique_real_log"),
    "eigenvalue_one": (r"$1$ is an eigenvalue", "eigenvalue_one"),
}
PREDICATE_HEAD = {"invertible": "invertible", "principal_log": "principal", "real_log": "real log",
                  "unique_real_log": "unique", "eigenvalue_one": r"$1\in\sigma$"}
MARK = {"holds": r"$\checkmark$", "fails": r"$\times$", "undecided": "?"}
STATUS_TEXT = {"principal": "principal", "real_nonprincipal": "real, non-principal", "lifted": "lifted",
               "impossible": "impossible", "undecided": "undecided"}

DETAIL_ALL_UP_TO = 16        # with regions="all", every region in detail up to this many
EXACT_MAX_CHARS = 200        # an exact entry longer than this (in LaTeX) is shown rounded
EXACT_MAX_TOTAL = 2400       # ... and a whole matrix longer than this
LINE_CHARS = 95              # rough width of a display line, in characters of LaTeX source
LAM = sp.Symbol("lambda")
_NOT_EQUAL = ("\\in", "\\approx")     # a displayed value that is not "= value"


# ---- text and numbers ------------------------------------------------------------------
_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
            "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}", "<": r"\textless{}",
            ">": r"\textgreater{}", "|": r"\textbar{}"}


def tex_escape(text: str) -> str:
    r"""Plain text made safe for LaTeX text mode.

    >>> print(tex_escape("limit_cycle: |Im| < pi & 100%"))
    limit\_cycle: \textbar{}Im\textbar{} \textless{} pi \& 100\%
    """
    return "".join(_ESCAPES.get(c, c) for c in str(text))


def _sci(x: float, digits: int = 2) -> str:
    """A float in LaTeX scientific notation (residuals, radii)."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return tex_escape(str(x))
    return sp.latex(sp.Float(x, digits))


_COMPLEX = re.compile(r"\(?(-?\d+\.\d*(?:e[+-]?\d+)?)([+-]\d+\.?\d*(?:e[+-]?\d+)?)j\)?")


def _tidy_text(text: str, digits: int) -> str:
    """Escaped text, with Python complex literals rounded (a real one shown as real)."""
    def repl(m):
        re_, im = float(m.group(1)), float(m.group(2))
        z = f"{re_:.{digits}g}"
        return z if abs(im) <= 1e-12 * max(1.0, abs(re_)) else f"{z}{im:+.{digits}g}i"
    return tex_escape(_COMPLEX.sub(repl, text)).replace("pi", r"$\pi$").replace(r"\textbar{}Im\textbar{}",
                                                                               r"$|\mathrm{Im}|$")


def _cite(*keys: str) -> str:
    """``Theorem 1.1 of proofs/01_...tex``; statements of one file share its name."""
    by_file: dict[str, list[str]] = {}
    for key in keys:
        path, statement = STATEMENTS[key]
        by_file.setdefault(path, []).extend([statement] if statement else [])
    out = []
    for path, statements in by_file.items():
        where = r"\texttt{" + tex_escape(path).replace("/", r"/\allowbreak{}").replace(r"\_", r"\_\allowbreak{}") + "}"
        out.append(f"{' and '.join(statements)} of {where}" if statements else where)
    return "; ".join(out)


@dataclass(frozen=True)
class _Fmt:
    """Display of numbers and matrices to ``digits`` significant digits."""

    digits: int

    def rounded(self, x) -> str:
        v = complex(sp.N(x, self.digits + 5)) if not isinstance(x, (float, complex, np.number)) else complex(x)
        re_, im = (sp.latex(sp.Float(p, self.digits)) if p != 0 else "0" for p in (v.real, v.imag))
        if v.imag == 0:
            return re_
        sign = "-" if v.imag < 0 else "+"
        im = im.lstrip("-")
        return f"{im} i" if v.real == 0 and sign == "+" else (f"{re_} {sign} {im} i" if v.real else f"-{im} i")

    def entry(self, x) -> tuple[str, bool]:
        """(LaTeX, exact?) of one entry: exact when short, else rounded."""
        if isinstance(x, (float, complex, np.number)):
            return self.rounded(x), False
        x = sp.sympify(x)
        if x.free_symbols:
            return sp.latex(x), True
        text = sp.latex(x)
        if len(text) <= EXACT_MAX_CHARS:
            return text, True
        return self.rounded(x), False

    def exact_and_rounded(self, M, name: str) -> str:
        """``name = M`` exactly and, when an entry is irrational, ``name \\approx M`` rounded."""
        exact = self.parts(M, name)
        if any(not isinstance(x, sp.Rational) for x in M) and "\\approx" not in exact[0] and not M.free_symbols:
            rounded = self.parts(M, "", exact_ok=False)
            if len(exact) == len(rounded) == 1 and len(_visible(exact[0] + rounded[0])) < 1.3 * LINE_CHARS:
                return _display(exact[0] + r" \; " + rounded[0])
            exact += rounded
        return "\n".join(map(_display, exact))

    def _suppress(self, rows, entries):
        """Rounded entries below 10^-(digits + 4) times the largest entry shown as 0
        (the noise of a ball's midpoint or of float arithmetic)."""
        try:
            mags = np.abs(np.array([[complex(sp.N(x)) for x in r] for r in rows]))
        except TypeError:
            return entries
        tiny = mags.max() * 10.0 ** -(self.digits + 4)
        return [[("0", e) if not e and 0 < mags[i, j] < tiny else (t, e) for j, (t, e) in enumerate(r)]
                for i, r in enumerate(entries)]

    def matrix(self, M, name: str, exact_ok: bool = True) -> str:
        """A displayed equation ``name = M`` (``\\approx`` if an entry is rounded),
        split into column blocks when it is too wide to read when scaled down."""
        return "\n".join(map(_display, self.parts(M, name, exact_ok)))

    def parts(self, M, name: str, exact_ok: bool = True) -> list[str]:
        """The math of :meth:`matrix`, one string per column block."""
        rows = np.asarray(M.tolist() if hasattr(M, "tolist") else M, dtype=object)
        if rows.ndim == 1:
            rows = rows.reshape(-1, 1)
        entries = [[self.entry(x) if exact_ok else (self.rounded(x), False) for x in r] for r in rows]
        if not all(e for r in entries for _, e in r):
            entries = self._suppress(rows, entries)
        exact = all(e for r in entries for _, e in r)
        if exact and sum(len(t) for r in entries for t, _ in r) > EXACT_MAX_TOTAL:
            entries = [[(self.rounded(x), False) for x in r] for r in rows]
            exact = False
        rel = "=" if exact else r"\approx"
        texts = [[t for t, _ in r] for r in entries]
        ncols = len(texts[0])
        widths = [max(len(_visible(texts[i][j])) for i in range(len(texts))) + 2 for j in range(ncols)]
        blocks, start, acc = [], 0, 0
        for j, w in enumerate(widths):     # column blocks of about LINE_CHARS, at least 1 column each
            if acc + w > 1.6 * LINE_CHARS and j > start:
                blocks.append((start, j))
                start, acc = j, 0
            acc += w
        blocks.append((start, ncols))
        out = []
        for a, b in blocks:
            body = r" \\ ".join(" & ".join(r[a:b]) for r in texts)
            label = name if len(blocks) == 1 else f"{name}_{{[:,\\,{a + 1}..{b}]}}"
            out.append(f"{label} {rel} \\begin{{pmatrix}} {body} \\end{{pmatrix}}")
        return out


def _visible(tex: str) -> str:
    """Roughly the printed characters of a LaTeX snippet (for width estimates)."""
    t = re.sub(r"\\(left|right|cdot|,|;)", " ", tex)
    t = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: max(m.group(1), m.group(2), key=len), t)
    t = re.sub(r"\\[a-zA-Z]+", "x", t)
    return re.sub(r"[{}^_ ]", "", t)


def _display(math_tex: str) -> str:
    r"""A display that is scaled down to the line width when it is wider (\fitwidth)."""
    return "\\begin{center}\\fitwidth{\\renewcommand{\\arraystretch}{1.3}$\\displaystyle " + math_tex + "$}\\end{center}"


def _arb_tex(x: flint.arb, digits: int) -> str:
    """A real ball as ``m \\pm r`` (FLINT's decimal rounding stays rigorous)."""
    if x.is_exact():
        s = x.str(digits, radius=False)
    else:
        s = x.str(digits, radius=True)
    m = re.fullmatch(r"\[(.*) \+/- (.*)\]", s)
    if not m:
        return _e_to_tex(s)
    return f"{_e_to_tex(m.group(1))} \\pm {_e_to_tex(m.group(2))}"


def _e_to_tex(s: str) -> str:
    m = re.fullmatch(r"([+-]?[\d.]+)e([+-]?\d+)", s.strip())
    if not m:
        return s.strip()
    return f"{m.group(1)} \\cdot 10^{{{int(m.group(2))}}}"


def _acb_tex(z: flint.acb, digits: int) -> str:
    re_ = _arb_tex(z.real, digits)
    if z.imag.is_exact() and z.imag.is_zero():
        return f"[{re_}]" if not z.real.is_exact() else re_
    im = z.imag
    sign = "-" if im < 0 else "+"
    im_t = _arb_tex(-im if im < 0 else im, digits)
    return f"[{re_}] {sign} [{im_t}]\\, i"


# ---- spectra -------------------------------------------------------------------------------
def _charpoly_tex(H: sp.MatrixBase, fmt: _Fmt) -> tuple[str, str]:
    """(LaTeX of det(lambda I - H), how it was obtained)."""
    if all(isinstance(x, sp.Rational) for x in H):
        factors = flint.fmpq_mat(H.rows, H.cols, [flint.fmpq(int(x.p), int(x.q)) for x in H]) \
            .charpoly().factor(monic=True)[1]
        parts = []
        for p, m in sorted(factors, key=lambda t: (t[0].degree(), [float(c) for c in t[0].coeffs()])):
            expr = sum(sp.Rational(int(c.p), int(c.q)) * LAM**k for k, c in enumerate(p.coeffs()))
            t = sp.latex(expr, order="lex")
            t = f"\\left({t}\\right)" if len(factors) > 1 or m > 1 else t
            parts.append(t + (f"^{{{m}}}" if m > 1 else ""))
        text = " ".join(parts)
        if len(text) > EXACT_MAX_TOTAL:
            coeffs = H.charpoly(LAM).all_coeffs()
            text = " + ".join(f"{fmt.rounded(c)}\\,\\lambda^{{{len(coeffs) - 1 - k}}}"
                              for k, c in enumerate(coeffs) if c != 0)
            return text, r"exact over $\mathbb{Q}$; coefficients rounded for display"
        return text, r"factored into irreducible factors over $\mathbb{Q}$"
    return sp.latex(sp.factor(H.charpoly(LAM).as_expr())), "computed with sympy"


def _closed_form(e: Eigenvalue) -> sp.Expr | None:
    """An exact value for a rational eigenvalue or a root of a quadratic factor."""
    v = e.value
    if isinstance(v, flint.fmpq):
        return sp.Rational(int(v.p), int(v.q))
    p = e.root_of
    if p is None or p.degree() != 2:
        return None
    c0, c1, _ = (sp.Rational(int(c.p), int(c.q)) for c in p.coeffs())
    roots = sp.roots(LAM**2 + c1 * LAM + c0, LAM, multiple=True)
    return min(roots, key=lambda r: abs(complex(sp.N(r)) - e.approx))


def _enclosure(e: Eigenvalue, digits: int) -> flint.acb:
    """The eigenvalue's enclosure, refined to ``digits`` when it is a root of its
    (irreducible) factor: exact spectra isolate roots at low precision."""
    if e.root_of is None:
        return e.value
    with working_precision(digits_to_bits(digits) + 16):
        roots = [r for r, _ in e.root_of.complex_roots()]
    return next((r for r in roots if r.overlaps(e.value)), e.value)


def _mu_tex(e: Eigenvalue, closed: sp.Expr | None, dt: sp.Expr, fmt: _Fmt) -> str:
    """mu = log(lambda)/dt (principal branch), exact where that is readable."""
    if closed is not None and closed.is_real:
        if closed > 0:
            return sp.latex(sp.log(closed) / dt)
        return sp.latex(sp.log(-closed) / dt + sp.pi * sp.I / dt)
    if closed is not None:
        mu = sp.simplify((sp.log(sp.Abs(closed)) + sp.I * sp.arg(closed)) / dt)
        text = sp.latex(mu)
        if not mu.has(sp.arg, sp.Abs) and len(text) <= EXACT_MAX_CHARS:
            return text
    if isinstance(e.value, flint.acb):
        prec = digits_to_bits(fmt.digits) + 16
        z = _enclosure(e, fmt.digits + 4)
        with working_precision(prec):
            mu = z.log() / flint.acb(flint.arb(str(sp.N(dt, fmt.digits + 20))))
        return _acb_tex(mu, fmt.digits)
    if isinstance(e.value, complex) or closed is not None:
        z = complex(sp.N(closed)) if closed is not None else e.value
        return r"\approx " + fmt.rounded(complex(np.log(z)) / float(dt)) if z != 0 else "-\\infty"
    return "?"


def _modulus_tex(e: Eigenvalue, closed) -> str:
    """How |lambda| compares with 1 (so the sign of Re mu)."""
    if closed is not None and closed.is_real:
        a = abs(closed)
        return "<1" if a < 1 else (">1" if a > 1 else "=1")
    if isinstance(e.value, flint.acb):
        a = abs(e.value)
        return "<1" if a < 1 else (">1" if a > 1 else ("=1" if a.is_exact() and a == 1 else "?"))
    if closed is not None:
        a = abs(complex(sp.N(closed)))
    else:
        a = abs(e.value) if isinstance(e.value, complex) else float("nan")
    if math.isnan(a):
        return "?"
    return r"\lessapprox 1" if a < 1 else r"\gtrapprox 1"


def _eig_tex(e: Eigenvalue, closed, fmt: _Fmt) -> str:
    if closed is not None:
        return sp.latex(closed)
    if isinstance(e.value, flint.acb):
        return "\\in " + _acb_tex(_enclosure(e, fmt.digits + 4), fmt.digits)
    if isinstance(e.value, complex):
        return r"\approx " + fmt.rounded(e.value)
    return r"\text{" + tex_escape(e.text) + "}"


# ---- one region ----------------------------------------------------------------------------
def _units(bits: str) -> str:
    on = [str(i + 1) for i, b in enumerate(bits) if b == "1"]
    if not on:
        return r"all units inactive ($z_i \le 0$ for every $i$), so $D_\Omega = 0$"
    if len(on) == len(bits):
        return r"all units active ($z_i > 0$ for every $i$), so $D_\Omega = I$"
    s = "s" if len(on) > 1 else ""
    return f"unit{s} {', '.join(on)} active ($z_i > 0$), the others inactive ($z_i \\le 0$)"


def _witness_text(name: str, verdict, by_text: dict[str, str]) -> str:
    """One line of prose for the witness of a verdict."""
    if verdict.condition is not None:
        return "condition on the parameters: $" + sp.latex(verdict.condition) + "$"
    w = verdict.witness

    def eig(d: dict) -> str:
        val = by_text.get(d["value"], r"\text{" + tex_escape(d["value"]) + "}")
        blocks = d.get("jordan_blocks")
        b = "unknown" if blocks is None else ", ".join(map(str, blocks))
        rel = "" if val.startswith(_NOT_EQUAL) else "= "
        return f"$\\lambda {rel}{val}$ (Jordan blocks {b})"

    if name == "invertible":
        z = w.get("zero_eigenvalues", [])
        return "no eigenvalue is $0$" if not z else "eigenvalue " + "; ".join(map(eig, z))
    if name == "principal_log":
        z = w.get("eigenvalues_on_closed_negative_axis", [])
        return r"no eigenvalue on $(-\infty, 0]$" if not z else "on $(-\\infty,0]$: " + "; ".join(map(eig, z))
    if name == "real_log":
        negs = w.get("negative_eigenvalues", [])
        if w.get("invertible") == "fails":
            return "$W_\\Omega$ is singular"
        if not negs:
            return "no negative eigenvalue"
        parts = []
        for d in negs:
            un = d.get("unpaired_blocks") or []
            parts.append(eig(d) + (f", unpaired block sizes {', '.join(map(str, un))}" if un else ", all paired"))
        return "; ".join(parts)
    if name == "unique_real_log":
        bad = w.get("not_positive", [])
        several = w.get("repeated_jordan_block_sizes", [])
        parts = []
        if bad:
            parts.append("not positive: " + "; ".join(map(eig, bad)))
        if several:
            parts.append("two Jordan blocks of one size: " + "; ".join(map(eig, several)))
        return "; ".join(parts) or "every eigenvalue positive, no two Jordan blocks of one eigenvalue of equal size"
    if name == "eigenvalue_one":
        ones = w.get("eigenvalue_one", [])
        return "no eigenvalue is $1$" if not ones else "; ".join(map(eig, ones))
    return ""


def _fixed_point(H: sp.MatrixBase, h: sp.MatrixBase):
    """(z*, None) for the unique solution of (I - H) z = h; (None, text) otherwise."""
    E = sp.eye(H.rows) - H
    if all(isinstance(x, sp.Rational) for x in list(H) + list(h)):
        Eq = flint.fmpq_mat(E.rows, E.cols, [flint.fmpq(int(x.p), int(x.q)) for x in E])
        if Eq.det() != 0:
            hq = flint.fmpq_mat(h.rows, 1, [flint.fmpq(int(x.p), int(x.q)) for x in h])
            z = Eq.solve(hq)
            return sp.Matrix([sp.Rational(int(z[i, 0].p), int(z[i, 0].q)) for i in range(h.rows)]), None
    elif E.det() != 0:
        return sp.simplify(E.LUsolve(sp.Matrix(h))), None
    try:
        sol, params = E.gauss_jordan_solve(sp.Matrix(h))
    except ValueError:
        return None, r"$(I - W_\Omega) z = h$ has no solution: region $\Omega$ has no fixed point, real or virtual"
    return None, (f"$(I - W_\\Omega) z = h$ has a {params.rows}-parameter family of solutions "
                  f"$z = {sp.latex(sol.T)}^\\top$: a continuum of fixed points")


def _membership(z: sp.Matrix, bits: str) -> str | None:
    """'real' / 'virtual' by exact signs; None when a sign is not decided."""
    inside = []
    for x, b in zip(z, bits):
        pos = sp.sympify(x).is_positive
        if pos is None:
            return None
        inside.append(pos == (b == "1"))
    return "real" if all(inside) else "virtual"


def _stability(closed_mods: Sequence[str], any_complex: bool) -> str:
    lt = sum(m.startswith(("<", r"\less")) for m in closed_mods)
    gt = sum(m.startswith((">", r"\gtr")) for m in closed_mods)
    n = len(closed_mods)
    kind = "focus" if any_complex else "node"
    if lt == n:
        return f"stable {kind}"
    if gt == n:
        return f"unstable {kind} (repeller)"
    if lt + gt == n:
        return "saddle" + ("-focus" if any_complex else "")
    return "non-hyperbolic or undecided"


def _region_section(model: PLRNN, rc: RegionCheck, sysm: RegionSystem, fmt: _Fmt) -> str:
    bits = rc.region
    H = region_matrix(model, bits)
    dt = model.dt
    status = status_of(rc.verdicts)
    out = [(f"\\subsection{{Region \\texorpdfstring{{$\\Omega = \\mathtt{{{bits}}}$}}{{{bits}}}}}"
           f"\\label{{region:{bits}}}")]
    out.append(f"In this region {_units(bits)}. Status: \\textbf{{{STATUS_TEXT[status]}}}.")
    out.append(r"\paragraph{Region matrix.} $W_\Omega = A + W D_\Omega$:")
    out.append(fmt.matrix(H, r"W_\Omega"))
    # characteristic polynomial and eigenvalues
    cp, how = _charpoly_tex(H, fmt)
    out.append(r"\paragraph{Characteristic polynomial} (" + how + "):")
    out.append(_display(r"\det(\lambda I - W_\Omega) = " + cp))
    off = [str(i + 1) for i, b in enumerate(bits) if b == "0"]
    if model.A_is_diagonal and off:
        out.append(r"Since $A$ is diagonal, each inactive unit $j$ (here " + ", ".join(off) + r") contributes the "
                   r"factor $\lambda - a_{jj}$ (" + _cite("region_structure") + ").")
    spec = rc.spectrum
    by_text: dict[str, str] = {}
    mods: list[str] = []
    any_complex = False
    if spec is not None:
        rows = []
        for e in spec.eigenvalues:
            closed = _closed_form(e)
            lam = _eig_tex(e, closed, fmt)
            by_text[e.text] = lam
            mods.append(_modulus_tex(e, closed))
            any_complex |= e.real is not HOLDS
            blocks = "?" if e.blocks is None else ", ".join(map(str, e.blocks))
            rel = "" if lam.startswith(_NOT_EQUAL) else "= "
            mu = _mu_tex(e, closed, dt, fmt)
            rel_mu = "" if mu.startswith(_NOT_EQUAL) else "= "
            rows.append(f"$\\lambda {rel}{lam}$ & {e.multiplicity} & {blocks} & ${mods[-1]}$ & "
                        f"$\\mu {rel_mu}{mu}$ \\\\")
        method = tex_escape(spec.method)
        out.append(r"\paragraph{Eigenvalues} (" + method + r"; an interval $[m \pm r]$ is a certified enclosure). "
                   r"Each eigenvalue $\lambda$ of $W_\Omega$ maps to $\mu = \log(\lambda)/\Delta t$ "
                   r"(principal branch) with $\mathrm{Re}\,\mu = \log|\lambda| / \Delta t$, so $|\lambda| < 1$ "
                   r"iff $\mathrm{Re}\,\mu < 0$ (" + _cite("eigenvalue_map") + ").")
        out.append("{\\small\\begin{longtable}{>{\\raggedright\\arraybackslash}p{0.3\\linewidth}ccc"
                   ">{\\raggedright\\arraybackslash}p{0.36\\linewidth}}\n\\toprule\n"
                   "eigenvalue & mult. & Jordan blocks & $|\\lambda|$ & $\\mu = \\log(\\lambda)/\\Delta t$ \\\\\n"
                   "\\midrule\n" + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}}")
        irr = sorted({str(e.root_of) for e in spec.eigenvalues if e.root_of is not None and e.root_of.degree() > 2})
        if irr:
            out.append("Eigenvalues given by an enclosure are roots of an irreducible factor of degree at least 3 "
                       "of the characteristic polynomial, isolated by certified root finding; each enclosure "
                       "contains exactly one root.")
    # verdicts
    rows = []
    for name in PREDICATES:
        v = rc.verdicts[name]
        cond, _ = PREDICATE_TEXT[name]
        rows.append(f"\\texttt{{{tex_escape(name)}}} & {cond} & {MARK[v.status]} {v.status} & "
                    f"{_witness_text(name, v, by_text)} \\\\")
    out.append(r"\paragraph{Conditions} (THEORY section 3; method: " + tex_escape(rc.method) + ").")
    out.append("{\\small\\begin{longtable}{>{\\raggedright\\arraybackslash}p{0.17\\linewidth}"
               ">{\\raggedright\\arraybackslash}p{0.27\\linewidth}l"
               ">{\\raggedright\\arraybackslash}p{0.36\\linewidth}}\n\\toprule\n"
               "predicate & condition & verdict & witness \\\\\n\\midrule\n" + "\n".join(rows) +
               "\n\\bottomrule\n\\end{longtable}}")
    symbolic = any(v.condition is not None for v in rc.verdicts.values())
    out.append(_logarithm_text(status, sysm, fmt, symbolic))
    if sysm.derived or sysm.L_exact is not None:
        out.append(_system_text(model, sysm, fmt))
    out.append(_fixed_point_text(model, H, bits, rc, sysm, mods, any_complex, fmt))
    return "\n\n".join(out)


def _logarithm_text(status: str, sysm: RegionSystem, fmt: _Fmt, symbolic: bool = False) -> str:
    if symbolic and status == "undecided":
        return (r"\paragraph{Logarithm.} The verdicts depend on the parameters: each holds where its condition "
                r"above does. Give the parameters values to derive the system.")
    why = {
        "principal": (r"No eigenvalue of $W_\Omega$ lies on $(-\infty, 0]$, so the principal logarithm exists; it is "
                      r"the unique real logarithm whose eigenvalues have imaginary part in $(-\pi, \pi)$ ("
                      + _cite("principal_log") + ")."),
        "real_nonprincipal": (r"$W_\Omega$ has negative eigenvalues, so there is no principal logarithm, but their "
                              r"Jordan blocks come in equal pairs (Culver's condition, " + _cite("real_log") +
                              r"): each pair is taken to a rotation by $\pi$ (" + _cite("paired") + ")."),
        "lifted": (r"$W_\Omega$ is invertible but has a negative eigenvalue with an unpaired Jordan block, so no real "
                   r"logarithm and no real ODE of dimension $M$ exists (Culver's condition, " + _cite("real_log") +
                   r"). The lift doubles the unpaired blocks in new coordinates (" + _cite("lift") + r"; its dimension "
                   r"is minimal when each negative eigenvalue has at most one block size of odd multiplicity, "
                   + _cite("minimal_lift") + r"): with $G = \begin{pmatrix} I \\ 0 \end{pmatrix}$ and $P = \begin{pmatrix} I & 0 "
                   r"\end{pmatrix}$, $P\,\Phi_{\Delta t}(G z) = W_\Omega z + h$."),
        "impossible": (r"$W_\Omega$ is singular. A time-$\Delta t$ flow map is a diffeomorphism, so no ODE of any "
                       r"dimension reproduces this step, nor every step through a lift (" + _cite("singular", "singular_any_dimension")
                       + ")."),
        "undecided": r"The predicates are undecided by ball arithmetic at this precision: more bits, or the auto or "
                 r"exact mode, decide them.",
    }[status]
    out = [r"\paragraph{Logarithm.} " + why]
    if sysm.logarithm:
        out.append(r"Chosen: " + _tidy_text(sysm.logarithm, fmt.digits) + ".")
    for note in sysm.notes:
        out.append(r"Note: " + _tidy_text(note, fmt.digits) + ".")
    return " ".join(out)


def _system_text(model: PLRNN, s: RegionSystem, fmt: _Fmt) -> str:
    N, M = s.dimension, model.M
    out = []
    exact = s.L_exact is not None
    lifted = N > M
    dims = f"$N = {N}$ (lifted from $M = {M}$)" if lifted else f"$N = M = {M}$"
    out.append(r"\paragraph{The continuous-time system} (dimension " + dims + r", " + tex_escape(s.method) +
               r"). With $\mathrm{Log}$ the logarithm above, $L = \mathrm{Log}(\widetilde W_\Omega)/\Delta t$ and "
               r"$g = \frac{1}{\Delta t}\,\beta(\mathrm{Log}\,\widetilde W_\Omega)\,\widetilde h$, "
               r"$\beta(x) = x/(e^x - 1)$ (" + _cite("beta") + r"; no special case is needed for the eigenvalue 1, "
               + _cite("eigenvalue_one") + ")" + (r", where $\widetilde W_\Omega = \mathrm{diag}(W_\Omega, J)$, $J$ the doubled Jordan blocks, "
                                                r"and $\widetilde h = (h, 0)$ are the lifted step" if lifted else
                                                r", $\widetilde W_\Omega = W_\Omega$, $\widetilde h = h$") + ":")
    for name, ex, num in (("L", s.L_exact, s.L), ("g", s.g_exact, s.g)):
        out.append(fmt.exact_and_rounded(ex, name) if exact else fmt.matrix(num, name, exact_ok=False))
    if s.B is not None or s.B_exact is not None:
        out.append(r"The input term $B = \frac{1}{\Delta t}\,\beta(\mathrm{Log}\,\widetilde W_\Omega)\,"
                   r"\widetilde C$:")
        out.append(fmt.exact_and_rounded(s.B_exact, "B") if s.B_exact is not None else
                   fmt.matrix(s.B, "B", exact_ok=False))
    inp = " + B\\, s(t)" if (s.B is not None or s.B_exact is not None) else ""
    var = "x" if lifted else "z"
    ode = f"\\frac{{d{var}}}{{dt}} = L\\, {var} + g{inp}"
    out.append(r"The region-$\Omega$ ODE" + (r" in the lifted coordinates $x = (z, y) \in \mathbb{R}^N$" if lifted
                                             else "") + ":")
    out.append(f"\\[ {ode} \\]")
    if N <= 4 and (exact is False or sum(len(sp.latex(x)) for x in s.L_exact) < 600):
        Lm = s.L_exact if exact else s.L
        gm = s.g_exact if exact else s.g
        zs = sp.Matrix([sp.Symbol(f"{var}_{i + 1}") for i in range(N)])
        fmt_l, fmt_g = fmt.parts(Lm, "", exact_ok=exact)[0], fmt.parts(gm, "", exact_ok=exact)[0]
        rel_l, mat_l = fmt_l.strip().split(" ", 1)
        rel_g, mat_g = fmt_g.strip().split(" ", 1)
        rel = "=" if rel_l == "=" and rel_g == "=" else r"\approx"
        out.append(_display(f"\\frac{{d}}{{dt}} {sp.latex(zs)} {rel} {mat_l} {sp.latex(zs)} + {mat_g}"
                            + (" + B\\, s(t)" if inp else "")))
    out.append(r"Its time-$\Delta t$ flow $\Phi_{\Delta t}(z) = e^{L \Delta t} z + \Delta t\, \varphi_1(L\Delta t)\, g$ "
               r"reproduces one step of the PLRNN from every state of the region (" + _cite("region_embedding") + "); "
               r"it agrees with the PLRNN along a trajectory while the flow stays in the region's closure ("
               + _cite("one_step", "trajectories") + r"), and the sample-and-hold system agrees at every sample "
               r"time (" + _cite("sample_and_hold") + ").")
    r = s.residual
    if "exp" in r:
        extra = ""
        if "textbook_difference" in r:
            extra = (r" The textbook form $g = L (W_\Omega - I)^{-1} h$ (" + _cite("textbook") +
                     ") differs from it by at most $" + _sci(r["textbook_difference"]) + "$ in float arithmetic.")
        out.append(r"\paragraph{Residuals} (" + tex_escape(r.get("method", "")) + r", max norm): "
                   r"$|e^{L\Delta t} - \widetilde W_\Omega| \le " + _sci(r["exp"]) + r"$ and "
                   r"$|\Delta t\,\varphi_1(L\Delta t)\,(g, B) - (\widetilde h, \widetilde C)| \le " + _sci(r["affine"]) +
                   "$, computed from one exponential of the augmented matrix "
                   r"$\begin{pmatrix} L\Delta t & (g, B)\Delta t \\ 0 & 0 \end{pmatrix}$ (" + _cite("augmented") +
                   ")" + (". " + tex_escape(r["note"][:1].upper() + r["note"][1:]) if r.get("note") else "") + "." + extra)
    elif r.get("note"):
        out.append(r"\paragraph{Residuals.} " + tex_escape(r["note"]) + ".")
    return "\n\n".join(out)


def _fixed_point_text(model: PLRNN, H, bits: str, rc: RegionCheck, s: RegionSystem, mods, any_complex,
                      fmt: _Fmt) -> str:
    out = [r"\paragraph{Fixed point.} "]
    one = rc.verdicts["eigenvalue_one"].truth
    if one is HOLDS:
        _, text = _fixed_point(H, model.h)
        out.append(r"$1$ is an eigenvalue of $W_\Omega$, so $I - W_\Omega$ is singular: " + (text or "") +
                   r" (" + _cite("eigenvalue_one_fixed_points") + r"). The region ODE has $g$ from the $\beta$ form "
                   r"regardless (" + _cite("eigenvalue_one") + ").")
        return "".join(out)
    if one is not FAILS:
        cond = rc.verdicts["eigenvalue_one"].condition
        out.append(r"Whether $1$ is an eigenvalue " + ("depends on the parameters" if cond is not None else
                                                        "is undecided") + ", so the fixed point is not computed.")
        return "".join(out)
    z, text = _fixed_point(H, model.h)
    if z is None:
        out.append(text or "")
        return "".join(out)
    where = _membership(z, bits)
    out.append(r"$1$ is not an eigenvalue, so the region map has the unique fixed point "
               r"$z^* = (I - W_\Omega)^{-1} h$:")
    out.append(fmt.matrix(z, "z^*"))
    if where == "real":
        out.append(r"It lies in $\Omega$ (every sign matches $\mathtt{" + bits + r"}$): a \textbf{real} fixed point "
                   r"of the PLRNN.")
    elif where == "virtual":
        out.append(r"It lies outside $\Omega$ (its signs give region $\mathtt{" +
                   "".join("1" if sp.sympify(x).is_positive else "0" for x in z) +
                   r"}$): a \textbf{virtual} fixed point, not a fixed point of the PLRNN.")
    else:
        out.append(r"Whether it lies in $\Omega$ depends on the parameters.")
    kind = _stability(mods, any_complex) if mods else None
    if s.derived:
        eq = "G z^*" if s.dimension > model.M else "z^*"
        out.append(f" It is the equilibrium ${eq}$ of the region-$\\Omega$ ODE, $L\\,{eq} + g = 0$ "
                   f"({_cite('fixed_points')})")
        if s.L is not None:
            zf = np.array([float(x) for x in z] + [0.0] * (s.dimension - model.M))
            res = float(np.abs(s.L @ zf + s.g).max())
            out.append(f" (in float arithmetic $|L\\,{eq} + g| = {_sci(res)}$)")
        out.append(".")
        if kind:
            out.append(f" By the eigenvalue map ({_cite('eigenvalue_map', 'stability')}), the discrete fixed point "
                       f"and the equilibrium have the same stability: a {kind} (in continuous time a negative eigenvalue becomes a rotation by "
                       r"$\pi$ per step)." if any(e.negative is HOLDS for e in rc.spectrum.eigenvalues)
                       else f" By the eigenvalue map ({_cite('eigenvalue_map', 'stability')}), the discrete fixed "
                       f"point and the equilibrium have the same stability: a {kind}.")
    elif kind:
        out.append(f" As a fixed point of the map it is a {kind}; there is no continuous-time equivalent.")
    return "".join(out)


# ---- the document ----------------------------------------------------------------------------
def _preamble(model: PLRNN, max_cols: int) -> str:
    title = "Continuous-time derivation of the PLRNN" + (f" \\texttt{{{tex_escape(model.name)}}}" if model.name else "")
    return "\n".join([
        r"\documentclass[10pt]{article}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{graphicx}",
        r"\usepackage{array,booktabs,longtable}",
        r"\usepackage[hidelinks]{hyperref}",
        f"\\setcounter{{MaxMatrixCols}}{{{max(10, max_cols + 2)}}}",
        r"\newcommand{\fitwidth}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{#1}}",
        r"\setlength{\parindent}{0pt}\setlength{\parskip}{0.5ex}\setlength{\emergencystretch}{2em}",
        r"\allowdisplaybreaks",
        f"\\title{{{title}}}",
        f"\\author{{generated by \\texttt{{plrnn\\_symbolic}} {tex_escape(__version__)}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ])


def _model_section(model: PLRNN, mode: str, fmt: _Fmt, n_regions: int) -> str:
    out = [r"\section{The model}"]
    inp = " + C s_t" if model.C is not None else ""
    out.append(r"The discrete-time piecewise-linear RNN (PLRNN)")
    out.append(f"\\[ z_t = A z_{{t-1}} + W \\operatorname{{relu}}(z_{{t-1}}) + h{inp}, \\qquad z_t \\in "
               f"\\mathbb{{R}}^{{{model.M}}}" + (f", \\; s_t \\in \\mathbb{{R}}^{{{model.K}}}" if model.K else "")
               + " \\]")
    out.append(f"with $M = {model.M}$ units, time step $\\Delta t = {sp.latex(model.dt)}$ and weights")
    out.append(fmt.matrix(model.A, "A"))
    out.append(fmt.matrix(model.W, "W"))
    out.append(fmt.matrix(model.h, "h"))
    if model.C is not None:
        out.append(fmt.matrix(model.C, "C"))
        out.append(r"The input $s_t$ is held constant over each step.")
    conv = model.conventions()
    out.append("By convention $A$ is diagonal and $W$ has a zero diagonal; " +
               ("this model follows the convention." if not conv else
                "this model departs from it (accepted): " + tex_escape("; ".join(conv)) + "."))
    out.append(r"The state space splits into $2^M$ regions: region $\Omega$ is the bit string $d \in \{0,1\}^M$ "
               r"(unit 1 first) with $d_i = 1$ iff $z_i > 0$ ($z_i = 0$ belongs to $d_i = 0$). With "
               r"$D_\Omega = \mathrm{diag}(d)$ the PLRNN is, on $\Omega$, the affine map "
               r"$z_t = W_\Omega z_{t-1} + h" + inp + r"$ with $W_\Omega = A + W D_\Omega$.")
    how = {"exact": "exact arithmetic over $\\mathbb{Q}$ (sympy and FLINT): every verdict is a proof",
           "certified": "certified ball arithmetic (FLINT): a verdict holds or fails only when the enclosures "
                        "prove it",
           "auto": "certified ball arithmetic (FLINT), and exact arithmetic over $\\mathbb{Q}$ where the balls "
                   "cannot decide: every verdict is a proof",
           "float": "floating point with tolerances: the verdicts are \\emph{not} proofs"}[mode]
    out.append(f"This document covers {n_regions} region{'s' if n_regions != 1 else ''}, decided in {how}. "
               f"Numbers that are not exact are shown to {fmt.digits} significant digits, for display only; in a "
               f"matrix shown with $\\approx$, entries below $10^{{-{fmt.digits + 4}}}$ times its largest entry "
               f"are shown as $0$.")
    return "\n\n".join(out)


def _method_section() -> str:
    return "\n\n".join([
        r"\section{The continuous-time system of a region}",
        r"In region $\Omega$ the ODE $\dot z = L z + g$ has the time-$\Delta t$ flow "
        r"$\Phi_{\Delta t}(z) = e^{L\Delta t} z + \Delta t\,\varphi_1(L\Delta t)\,g$ with "
        r"$\varphi_1(X) = \sum_{k\ge 0} X^k/(k+1)!$ (" + _cite("flow") + r"). It reproduces one step of the PLRNN "
        r"exactly iff $e^{L\Delta t} = W_\Omega$ and $\Delta t\,\varphi_1(L\Delta t)\,g = h$, so "
        r"\[ L = \frac{1}{\Delta t}\mathrm{Log}\, W_\Omega, \qquad "
        r"g = \frac{1}{\Delta t}\beta(\mathrm{Log}\, W_\Omega)\, h, \qquad \beta(x) = \frac{x}{e^x - 1} \]"
        r"for a real logarithm $\mathrm{Log}$ (" + _cite("embedding") + ", " + _cite("beta") + r"). When $1$ is "
        r"not an eigenvalue, $g = L (W_\Omega - I)^{-1} h$ (" + _cite("textbook") + r"); the zero-order-hold form "
        r"$\mathrm{Log}\begin{pmatrix} W_\Omega & h \\ 0 & 1 \end{pmatrix} = \begin{pmatrix} L\Delta t & g\Delta t "
        r"\\ 0 & 0\end{pmatrix}$ needs no special case (" + _cite("zoh") + ").",
        r"Which logarithm exists is decided by five predicates of $W_\Omega$:",
        r"\begin{center}\small\begin{tabular}{>{\ttfamily}l>{\raggedright\arraybackslash}p{0.42\linewidth}"
        r">{\raggedright\arraybackslash}p{0.3\linewidth}}"
        "\n\\toprule\npredicate & condition & statement \\\\\n\\midrule\n" +
        "\n".join(f"{tex_escape(n)} & {PREDICATE_TEXT[n][0]} & {_cite(PREDICATE_TEXT[n][1])} \\\\"
                  for n in PREDICATES) +
        "\n\\bottomrule\n\\end{tabular}\\end{center}",
        (r"They give the status of the region: \emph{principal} (the principal logarithm), \emph{real, non-principal} "
        r"(negative eigenvalues in equal pairs of Jordan blocks), \emph{lifted} (invertible without a real "
        r"logarithm: an ODE of higher dimension $N$ with an embedding $G$ and a projection $P$), or "
        r"\emph{impossible} ($W_\Omega$ singular)."),
    ])


def _fixed_point_kind(model: PLRNN, bits: str, rc: RegionCheck) -> str:
    if rc.verdicts["eigenvalue_one"].truth is not FAILS or model.is_symbolic:
        return "--"
    z, _ = _fixed_point(region_matrix(model, bits), model.h)
    return "--" if z is None else (_membership(z, bits) or "?")


def _summary_section(model: PLRNN, report: CheckReport, detailed: Sequence[str], max_rows: int) -> str:
    counts: dict[str, int] = {}
    statuses = {}
    for bits, rc in report.regions.items():
        statuses[bits] = status_of(rc.verdicts)
        counts[statuses[bits]] = counts.get(statuses[bits], 0) + 1
    out = [r"\section{Summary of the regions}"]
    summ = report.summary()
    out.append("\\begin{center}\\small\\begin{tabular}{lrrr}\n\\toprule\npredicate & holds & fails & undecided \\\\\n"
               "\\midrule\n" + "\n".join(f"\\texttt{{{tex_escape(p)}}} & {c['holds']} & {c['fails']} & "
                                          f"{c['undecided']} \\\\" for p, c in summ.items()) +
               "\n\\bottomrule\n\\end{tabular}\\end{center}")
    out.append("Status of the regions: " + ", ".join(f"{STATUS_TEXT[k]} {v}" for k, v in counts.items()) + ".")
    names = list(report.regions)
    shown = names[:max_rows]
    rows = []
    real_fp = []
    for bits in shown:
        rc = report.regions[bits]
        fp = _fixed_point_kind(model, bits, rc)
        if fp == "real":
            real_fp.append(bits)
        ref = f"\\hyperref[region:{bits}]{{\\texttt{{{bits}}}}}" if bits in detailed else f"\\texttt{{{bits}}}"
        star = "$^\\ast$" if bits in detailed else ""
        rows.append(f"{ref}{star} & {STATUS_TEXT[statuses[bits]]} & " +
                    " & ".join(MARK[rc.verdicts[p].status] for p in PREDICATES) + f" & {fp} \\\\")
    head = "region & status & " + " & ".join(PREDICATE_HEAD[p] for p in PREDICATES) + " & fixed point \\\\"
    out.append("{\\small\\begin{longtable}{llcccccl}\n\\toprule\n" + head + "\n\\midrule\n\\endhead\n"
               + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}}")
    legend = (r"$\checkmark$ holds, $\times$ fails, ? undecided; $^\ast$ region derived in detail below. "
              r"Fixed point: the solution $z^*$ of $(I - W_\Omega) z = h$ is \emph{real} if it lies in $\Omega$ "
              r"(a fixed point of the PLRNN) and \emph{virtual} otherwise; -- when $1$ is an eigenvalue.")
    if len(names) > len(shown):
        legend += f" The table shows the first {len(shown)} of {len(names)} regions."
    out.append(legend)
    if real_fp:
        out.append("Real fixed points lie in region" + ("s " if len(real_fp) > 1 else " ") +
                   ", ".join(f"\\texttt{{{b}}}" for b in real_fp) + ".")
    return "\n\n".join(out)


def _representatives(report: CheckReport) -> list[str]:
    """One region per distinct profile (status and the five verdicts), in order."""
    seen: dict[tuple, str] = {}
    for bits, rc in report.regions.items():
        key = (status_of(rc.verdicts), *(rc.verdicts[p].status for p in PREDICATES))
        seen.setdefault(key, bits)
    return list(seen.values())


def derivation_document(model: PLRNN, regions: str | Iterable[str] = "all", mode: str = EXACT, digits: int = 6, *,
                        derivation: ContinuousPLRNN | None = None, report: CheckReport | None = None, z0=None,
                        steps: int | None = None, burn_in: int = 0, max_regions: int = MAX_REGIONS,
                        max_table_rows: int = 1024) -> str:
    r"""The LaTeX source of the derivation document (see the module docstring).

    Parameters
    ----------
    model : PLRNN
    regions : "all", "visited" or list of bit strings
        With ``"all"`` and more than 16 regions, the summary table lists every
        region and one region of each distinct profile (status and verdicts) is
        derived in detail; otherwise every region asked for is.
    mode : "exact", "certified" or "float"
        As in :func:`plrnn_symbolic.check` and :func:`plrnn_symbolic.derive`.
    digits : int
        Significant digits of the numbers that are not shown exactly; certified
        arithmetic runs with at least ``digits + 10`` digits.
    derivation, report : optional
        Results already computed (e.g. by the command line) for the same model
        and mode; regions they lack are computed.
    z0, steps, burn_in, max_regions
        As in :func:`plrnn_symbolic.check` (``regions="visited"``).
    max_table_rows : int
        Rows of the summary table at most.

    Returns
    -------
    str
        A standalone LaTeX document for pdflatex.

    Examples
    --------
    >>> from plrnn_symbolic import PLRNN
    >>> m = PLRNN(A=[[0.5, 0], [0, 0.25]], W=[[0, 0.5], [0.25, 0]], h=[1, 0], dt="1/10")
    >>> tex = derivation_document(m, regions=["00"])   # W_Omega = diag(1/2, 1/4): L = diag(-10 log 2, -20 log 2)
    >>> r"L = \begin{pmatrix} - 10 \log{\left(2 \right)} & 0 \\ 0 & - 20 \log{\left(2 \right)} \end{pmatrix}" in tex
    True
    """
    check_mode(mode)
    if digits < 1:
        raise InputError("digits must be >= 1")
    fmt = _Fmt(digits)
    names = select_regions(model, regions, z0=z0, steps=steps, burn_in=burn_in, max_regions=max_regions)
    work_digits = max(30, digits + 10)
    if report is None or report.mode != mode or any(b not in report.regions for b in names):
        report = check(model, names, mode, precision=max(53, digits_to_bits(work_digits)) if mode != FLOAT else 53)
    report = CheckReport(model, report.mode, {b: report.regions[b] for b in names}, report.notes)
    many = isinstance(regions, str) and regions == "all" and len(names) > DETAIL_ALL_UP_TO
    detailed = _representatives(report) if many else names
    systems = dict(derivation.systems) if derivation is not None and derivation.mode == mode else {}
    missing = [b for b in detailed if b not in systems]
    if missing:
        systems.update(derive(model, missing, mode, work_digits).systems)
    max_cols = max([model.M, model.K] + [systems[b].dimension for b in detailed])
    parts = [_preamble(model, max_cols), _model_section(model, mode, fmt, len(names)), _method_section()]
    if len(names) > 1:
        parts.append(_summary_section(model, report, detailed, max_table_rows))
    parts.append(r"\section{Derivation by region}")
    if many:
        parts.append(f"One region of each distinct profile (status and verdicts) is derived below: "
                     f"{len(detailed)} of the {len(names)} regions. Ask for others by name.")
    for bits in detailed:
        parts.append(_region_section(model, report.regions[bits], systems[bits], fmt))
    parts.append(r"\end{document}")
    return "\n\n".join(parts) + "\n"


def write_derivation(model: PLRNN, path: str | Path, regions: str | Iterable[str] = "all", mode: str = EXACT,
                     digits: int = 6, pdf: bool = False, **kwargs) -> Path:
    """Write :func:`derivation_document` to ``path`` (a ``.tex`` file); with ``pdf``,
    compile it with :func:`compile_pdf` and return the PDF's path, else the
    ``.tex`` path.  ``kwargs`` go to :func:`derivation_document`.
    """
    path = Path(path)
    if path.suffix != ".tex":
        raise InputError(f"the LaTeX file must end in .tex, got {str(path)!r}")
    text = derivation_document(model, regions, mode, digits, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return compile_pdf(path) if pdf else path


def compile_pdf(tex_path: str | Path, timeout: float = 300) -> Path:
    """Compile a ``.tex`` file with latexmk (or pdflatex twice) next to it.

    Raises
    ------
    InputError
        When no LaTeX installation is found, or compilation fails (with the
        first LaTeX error and the log's path).
    """
    tex_path = Path(tex_path).resolve()
    if not tex_path.is_file():
        raise InputError(f"no such LaTeX file: {tex_path}")
    latexmk, pdflatex = shutil.which("latexmk"), shutil.which("pdflatex")
    if pdflatex is None:
        raise InputError("no LaTeX installation found (pdflatex is not on PATH): install one, e.g. Debian's "
                         "texlive-latex-base, texlive-latex-extra and latexmk, or compile the .tex file elsewhere")
    cwd, name = tex_path.parent, tex_path.name
    if latexmk is not None:
        cmds = [[latexmk, "-pdf", "-interaction=nonstopmode", "-halt-on-error", name]]
    else:
        cmds = [[pdflatex, "-interaction=nonstopmode", "-halt-on-error", name]] * 2
    for cmd in cmds:
        try:
            proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"LaTeX did not finish within {timeout:g} s on {tex_path}") from None
        if proc.returncode != 0:
            log = tex_path.with_suffix(".log")
            first = next((line for line in (proc.stdout or "").splitlines() if line.startswith("!")), "")
            raise InputError(f"LaTeX failed on {tex_path}: {first or 'see the log'} (log: {log})")
    pdf = tex_path.with_suffix(".pdf")
    if not pdf.is_file():
        raise InputError(f"LaTeX ran but wrote no PDF for {tex_path}")
    return pdf
