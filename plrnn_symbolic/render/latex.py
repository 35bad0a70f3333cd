r"""LaTeX for a paper: the continuous-time system of a PLRNN, region by region.

Every form of the family (:mod:`plrnn_symbolic.model.family`: ALRNN, dendritic and
shallow PLRNN, their clipped forms, the general ReLU RNN) is written in its own
terms: its equation and the paper it comes from, its parameters, its regions
named as the model names them, W_Omega = A + W1 D W2 and h_Omega = h1 + W1 D h2
per region, and in the piecewise system the conditions on the pre-activations
W2 z + h2 (proofs/07_region_structure.tex, Lemma 7.7 and Proposition 7.8).

:func:`derivation_document` writes a standalone article (pdflatex, packages of
Debian's texlive-latex-base and texlive-latex-extra only) laid out to be pasted
into a paper or its supplement:

* the model (A, W, h; C and the input terms only when the model has inputs);
* a summary table of every region derived: status, dimension N of its ODE,
  spectral radius of W_Omega, eigenvalue counts and the region's fixed point;
* one compact block per region: L and g side by side with aligned decimal
  columns (split into column blocks that fit the line, never scaled down), and
  the eigenvalue map lambda -> mu = log(lambda)/dt;
* optionally (``piecewise=True``) the whole model as one piecewise system with
  the condition of each region;
* an appendix stating every result the text cites, by name.

Numbers are decimals with ``digits`` significant digits (the largest entry of a
matrix has ``digits``, the others share its decimal places, so the columns
align); ``exact=True`` prints the exact closed forms where the derivation has
them (and the model's exact rationals).  Rounding is for display only.

:func:`write_derivation` writes the file and, with ``pdf=True``, compiles it
with :func:`compile_pdf`, which leaves only the ``.tex`` and ``.pdf`` behind.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

import flint
import numpy as np
import sympy as sp

from ..analysis.conditions import CheckReport, RegionCheck, check
from ..analysis.transform import ContinuousPLRNN, RegionSystem, derive, status_of
from ..core.domains import AUTO, EXACT, FLOAT, check_mode, digits_to_bits, working_precision
from ..core.errors import InputError
from ..core.truth import FAILS, HOLDS
from ..core.version import __version__
from ..model.family import DendPLRNN, ReluRNN
from ..model.plrnn import PLRNN
from ..model.regions import MAX_REGIONS, region_affine, select_regions

__all__ = ["STATEMENTS", "compile_pdf", "derivation_document", "tex_escape", "write_derivation"]


@dataclass(frozen=True)
class Statement:
    """A result the document cites: where it is proved (document and number), its name, and its statement."""

    document: str
    number: str
    name: str
    text: str

    @property
    def label(self) -> str:
        return "stmt:" + self.number.replace(" ", "-").replace(".", "-").lower()


# The results of the accompanying proofs that the document cites, stated in the appendix.
# ``document`` is the file of proofs/ (tests compare it with proofs/README.md); it is never printed.
STATEMENTS: dict[str, Statement] = {
    "principal_log": Statement(
        "01_principal_embedding.tex", "Theorem 1.1", "principal logarithm",
        r"If a real matrix $H$ has no eigenvalue in $(-\infty, 0]$, its principal logarithm $\mathrm{Log}\,H$ is "
        r"real, $e^{\mathrm{Log}\,H} = H$, and it is the only logarithm of $H$ whose eigenvalues have imaginary "
        r"part in $(-\pi, \pi)$."),
    "flow": Statement(
        "01_principal_embedding.tex", "Theorem 1.3", "affine flow",
        r"The flow of $\dot z = L z + g$ is $\Phi_t(z) = e^{Lt} z + t\,\varphi_1(Lt)\, g$, with "
        r"$\varphi_1(X) = \sum_{k \ge 0} X^k/(k+1)!$."),
    "embedding": Statement(
        "01_principal_embedding.tex", "Theorem 1.4", "embedding criterion",
        r"The time-$\Delta t$ flow of $\dot z = L z + g$ is the map $z \mapsto H z + h$ if and only if "
        r"$e^{L\Delta t} = H$ and $\Delta t\,\varphi_1(L\Delta t)\, g = h$. When $L\Delta t$ has no eigenvalue in "
        r"$2\pi i(\mathbb{Z}\setminus\{0\})$, then $g = \frac{1}{\Delta t}\beta(L\Delta t)\, h$ with "
        r"$\beta(x) = x/(e^x - 1)$, $\beta(0) = 1$ (and likewise $B = \frac{1}{\Delta t}\beta(L\Delta t)\, C$)."),
    "region_embedding": Statement(
        "01_principal_embedding.tex", "Corollary 1.5", "region-wise principal embedding",
        r"If $W_\Omega$ has no eigenvalue in $(-\infty, 0]$, then $L = \mathrm{Log}(W_\Omega)/\Delta t$, "
        r"$g = \frac{1}{\Delta t}\beta(\mathrm{Log}\,W_\Omega)\, h$ (and $B$ alike) are real, their time-$\Delta t$ "
        r"flow is the region map $z \mapsto W_\Omega z + h$, and they are the only such pair whose eigenvalues "
        r"$\mu$ satisfy $|\mathrm{Im}\,\mu| < \pi/\Delta t$."),
    "enclosure": Statement(
        "01_principal_embedding.tex", "Theorem 1.7", "certified logarithm",
        r"Ball arithmetic on an enclosed eigenbasis of $H$ with isolated eigenvalues gives balls that contain the "
        r"real (principal, paired or lifted) logarithm of $H$ and $\beta$ of it; the matrices shown are the "
        r"midpoints of such balls."),
    "beta": Statement(
        "02_affine_term_zoh.tex", "Theorem 2.2", r"the $\beta$ form",
        r"$\varphi_1(X)$ is invertible if and only if $X$ has no eigenvalue in $2\pi i(\mathbb{Z}\setminus\{0\})$; "
        r"then $\beta(X) = \varphi_1(X)^{-1}$ is real for real $X$. No special case is needed when $0$ is an "
        r"eigenvalue of $X$ (eigenvalue one of $H$)."),
    "zoh": Statement(
        "02_affine_term_zoh.tex", "Corollary 2.5", "zero-order hold",
        r"$\mathrm{Log}\begin{pmatrix} H & h & C \\ 0 & 1 & 0 \\ 0 & 0 & I\end{pmatrix} = "
        r"\begin{pmatrix} L\Delta t & g\Delta t & B\Delta t \\ 0 & 0 & 0 \\ 0 & 0 & 0 \end{pmatrix}$, the "
        r"eigenvalue one included."),
    "eigenvalue_one": Statement(
        "02_affine_term_zoh.tex", "Theorem 2.6", "eigenvalue one",
        r"When $1$ is an eigenvalue of $H$, the formula $g = L(H - I)^{-1} h$ is undefined, while the $\beta$ and "
        r"zero-order-hold forms remain valid."),
    "paired": Statement(
        "03_negative_eigenvalues_lift.tex", "Lemma 3.2", "paired logarithm",
        r"For a Jordan block $J$ at $\lambda < 0$, $\begin{pmatrix} \mathrm{Log}(-J) & -\pi I \\ \pi I & "
        r"\mathrm{Log}(-J)\end{pmatrix}$ is real and its exponential is similar to $J \oplus J$."),
    "real_log": Statement(
        "03_negative_eigenvalues_lift.tex", "Theorem 3.3", "Culver, existence",
        r"A real matrix has a real logarithm if and only if it is invertible and, for every negative eigenvalue, "
        r"each Jordan block size occurs an even number of times."),
    "exact_lift": Statement(
        "03_negative_eigenvalues_lift.tex", "Definition 3.6", "exact lift",
        r"An exact lift of $F(z) = H z + h$ is an affine ODE on $\mathbb{R}^N$, $N \ge M$, with flow $\Psi$, and "
        r"$G \in \mathbb{R}^{N\times M}$, $P \in \mathbb{R}^{M\times N}$ with $PG = I$ and "
        r"$\Psi_{\Delta t}(Gz) = G F(z)$ for all $z$; equivalently $e^{\tilde L\Delta t} G = G H$ and "
        r"$\Delta t\,\varphi_1(\tilde L\Delta t)\,\tilde g = G h$. Then $P\,\Psi_{n\Delta t}(Gz) = F^n(z)$ for "
        r"every $n \ge 0$."),
    "lift": Statement(
        "03_negative_eigenvalues_lift.tex", "Proposition 3.7", "lift by doubling",
        r"If $H$ is invertible, $\mathrm{diag}(H, H_u)$, where $H_u$ holds one copy of each unpaired Jordan block "
        r"of a negative eigenvalue, satisfies Culver's condition, and its real logarithm gives an exact lift with "
        r"$G = \begin{pmatrix} I \\ 0\end{pmatrix}$, $P = \begin{pmatrix} I & 0\end{pmatrix}$."),
    "minimal_lift": Statement(
        "03_negative_eigenvalues_lift.tex", "Theorem 3.9", "minimal lift",
        r"Doubling the unpaired blocks gives the least dimension of an exact lift if and only if each negative "
        r"eigenvalue has at most one Jordan block size of odd multiplicity (for instance, when it is simple)."),
    "singular": Statement(
        "04_singular_impossible.tex", "Theorem 4.2", "singular step, same dimension",
        r"If $H$ is singular, no affine ODE, and no ODE with a locally Lipschitz vector field, on $\mathbb{R}^M$ "
        r"has the map $z \mapsto H z + h$ as its time-$\Delta t$ flow on any nonempty open set."),
    "singular_any_dimension": Statement(
        "04_singular_impossible.tex", "Theorem 4.3", "affine lifts reproducing every step",
        r"If an affine flow $\Psi$ on $\mathbb{R}^N$, for any $N$, and matrices $G$, $P$ satisfy "
        r"$P\,\Psi_{n\Delta t}(Gz) = F^n(z)$ for all $n \ge 0$ and all $z$, then $H$ is invertible."),
    "singular_nonlinear": Statement(
        "04_singular_impossible.tex", "Theorem 4.5", "nonlinear lifts with an invariant embedding",
        r"If a locally Lipschitz flow $\Phi$ and an injective $\gamma$ satisfy $\Phi_{\Delta t}(\gamma(z)) = "
        r"\gamma(F(z))$ on a set $U$, then $F$ is injective on $U$; for singular $H$, $U$ has empty interior."),
    "one_step_projection": Statement(
        "04_singular_impossible.tex", "Proposition 4.6", "one-step projections",
        r"For every $H$, singular or not, there is a lift of dimension $2M$ whose flow, projected, reproduces one "
        r"step, $P\,\Psi_{\Delta t}(Gz) = Hz + h$; for singular $H$ it fails from the second step on."),
    "one_step": Statement(
        "05_trajectory_equivalence.tex", "Theorem 5.5", "E1, one step",
        r"Let the region ODEs of dimension $M$ reproduce their region maps. If the region-$\Omega$ flow from "
        r"$z_n \in \Omega$ stays in the closure of $\Omega$ on $[0, \Delta t]$, it is a trajectory of the "
        r"autonomous switching system and ends at $z_{n+1}$."),
    "trajectories": Statement(
        "05_trajectory_equivalence.tex", "Theorem 5.6", "E2, trajectories",
        r"If the condition of Theorem 5.5 holds for every $n < N$, the autonomous system passes through $z_n$ at "
        r"$t = n\Delta t$ for every $n \le N$."),
    "sample_and_hold": Statement(
        "05_trajectory_equivalence.tex", "Theorem 5.7", "E3, sample and hold",
        r"The hybrid system that keeps the region of $z(n\Delta t)$ on $[n\Delta t, (n+1)\Delta t)$ passes through "
        r"$z_n$ at every sample time, with no further condition, when every visited region has an ODE of "
        r"dimension $M$."),
    "lifted_sample_and_hold": Statement(
        "05_trajectory_equivalence.tex", "Theorem 5.15", "E3 through lifts",
        r"If every visited region has an ODE of dimension $M$ or an exact lift, the hybrid system that "
        r"embeds $z(n\Delta t)$ by $G$ of its region at every sample time, follows that region's ODE for "
        r"$\Delta t$ and projects by $P$ passes through $z_n$ at every sample time; within one region no "
        r"re-embedding is needed."),
    "fixed_points": Statement(
        "06_fixed_points_eigenvalue_map.tex", "Theorem 6.1", "fixed points and equilibria",
        r"$(W_\Omega - I) z + h = \Delta t\,\varphi_1(L\Delta t)(Lz + g)$; so when $1$ is not an eigenvalue of "
        r"$W_\Omega$, $z^* = (I - W_\Omega)^{-1} h$ is the unique equilibrium, $L z^* + g = 0$."),
    "eigenvalue_map": Statement(
        "06_fixed_points_eigenvalue_map.tex", "Theorem 6.2", "eigenvalue map",
        r"The eigenvalues of $L$ are $\mu = \log(\lambda)/\Delta t$ for the eigenvalues $\lambda$ of $W_\Omega$ "
        r"(on the branch of the logarithm used), with the same Jordan blocks, and "
        r"$\mathrm{Re}\,\mu = \log|\lambda|/\Delta t$: $|\lambda| < 1$ if and only if $\mathrm{Re}\,\mu < 0$."),
    "region_structure": Statement(
        "07_region_structure.tex", "Theorem 7.2", "region structure",
        r"With $A$ diagonal, $\det(\lambda I - W_\Omega) = \prod_{j\ \mathrm{inactive}}(\lambda - a_{jj})\, "
        r"\det(\lambda I - S)$, where $S$ is the submatrix of $A + W$ on the active units."),
    "cells": Statement(
        "07_region_structure.tex", "Lemma 7.7", "affine on cells",
        r"On the cell $\Omega$ of the activation pattern $d$ of $\xi(z) = W_2 z + h_2$, the map "
        r"$z \mapsto A z + W_1 \operatorname{relu}(W_2 z + h_2) + h_1$ is $z \mapsto W_\Omega z + h_\Omega$ with "
        r"$W_\Omega = A + W_1 D W_2$, $h_\Omega = h_1 + W_1 D h_2$, $D = \mathrm{diag}(d)$; the cells partition "
        r"$\mathbb{R}^M$."),
    "family": Statement(
        "07_region_structure.tex", "Proposition 7.8", "the family in the general form",
        r"The ALRNN, the dendritic PLRNN and the shallow PLRNN, and their clipped forms, are maps of the general "
        r"form; on each cell they agree with their own equations, and the statements about one affine map "
        r"(logarithms, the affine term, lifts, singular steps, fixed points, the eigenvalue map) apply to each "
        r"cell with $(W_\Omega, h_\Omega)$ in place of $(H, h)$."),
    "exit_functions": Statement(
        "07_region_structure.tex", "Proposition 7.11", "exit functions",
        r"For the general form the closure of a cell is $\{s_k \xi_k(z) \ge 0\}$, $s_k = \pm 1$ by $d_k$, and the "
        r"statements E1--E3 hold with the signed pre-activations in place of the signed coordinates."),
}

STATUS_TEXT = {"principal": "principal", "real_nonprincipal": "real, non-principal", "lifted": "lifted",
               "impossible": "no ODE", "undecided": "undecided"}

DETAIL_ALL_UP_TO = 16         # with regions="all", every region in detail up to this many
TEXT_WIDTH_PT = 497.9         # A4 with 1.75 cm margins (175 mm)
EXACT_MAX_CHARS = 160         # an exact entry longer than this (in LaTeX) is shown as a decimal

# Widths in pt at \small (9 pt Computer Modern), measured with pdflatex (\setbox0\hbox{...}\showthe\wd0): what a
# decimal entry is made of, the column separation (2 \arraycolsep), a vertical rule, the parentheses of a tall
# array, a relation (= or \approx with its spaces) and the labels of the region blocks.  \footnotesize (8 pt
# Computer Modern) is 0.919 of \small for every one of these glyphs.
_DIGIT_PT, _POINT_PT, _MINUS_PT, _COLSEP_PT, _RULE_PT = 4.625, 2.570, 7.195, 5.0, 0.4
_PARENS_PT, _RELATION_PT, _SCALE_PT, _SUBSCRIPT_PT, _SAFETY_PT = 15.8, 12.4, 30.0, 28.0, 2.0
_LABEL_PT = {r"\left(L \mid g\right)": 25.94, r"\left(L \mid g \mid B\right)": 41.09}
FOOTNOTE_RATIO = 0.919
FLOAT_DIGITS = 15      # digits float64 holds; more are read from the certified balls


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


def _cite(*keys: str) -> str:
    """``Theorem 1.4 (embedding criterion)``, linked to its statement in the appendix."""
    return "; ".join(f"\\hyperref[{STATEMENTS[k].label}]{{{STATEMENTS[k].number}}} ({STATEMENTS[k].name})"
                     for k in keys)


def _sig(x: float, digits: int) -> str:
    """A real number to ``digits`` significant digits, in LaTeX (scientific outside [1e-3, 1e5))."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return r"\infty" if x > 0 else (r"-\infty" if x < 0 else r"\mathrm{NaN}")
    e = math.floor(math.log10(abs(x)))
    if -3 <= e < 5:
        s = f"{x:.{max(digits - 1 - e, 0)}f}"
        return s
    m = f"{x / 10.0 ** e:.{digits - 1}f}"
    if m.lstrip("-").startswith("10"):        # 9.99..95 rounded up
        e, m = e + 1, f"{x / 10.0 ** (e + 1):.{digits - 1}f}"
    return f"{m} \\cdot 10^{{{e}}}"


def _complex_tex(z: complex, digits: int) -> str:
    if z.imag == 0:
        return _sig(z.real, digits)
    im = _sig(abs(z.imag), digits) + r"\,i"
    sign = "-" if z.imag < 0 else "+"
    return (f"{_sig(z.real, digits)} {sign} {im}" if z.real != 0 else (im if sign == "+" else "-" + im))


@dataclass(frozen=True)
class _Cells:
    """A matrix as LaTeX cells with their estimated widths, ready to be laid out."""

    cells: list[list[str]]
    widths: list[float]          # pt, per column
    scale: int = 0               # the matrix is 10^scale times the cells
    exact: bool = False


def _decimal_cells(values: np.ndarray, digits: int, scaled: bool = True) -> _Cells:
    """Aligned decimals: the largest entry gets ``digits`` significant digits and every
    entry the same decimal places; with ``scaled``, a common factor 10^k when the entries are
    very large or small.  Decimals (``decimal.Decimal``, from certified balls) keep every digit
    they have; floats show at most what float64 holds."""
    if np.asarray(values, dtype=object).flat[0].__class__ is Decimal:
        return _decimal_cells_exact(np.asarray(values, dtype=object), digits)
    v = np.asarray(values, dtype=float)
    if v.ndim == 1:
        v = v.reshape(-1, 1)
    finite = np.abs(v[np.isfinite(v)])
    big = float(finite.max()) if finite.size else 0.0
    e = math.floor(math.log10(big)) if big > 0 else 0
    scale = e if scaled and (e < -3 or e > 4) else 0
    dec = max(digits - 1 - (e - scale), 0)
    cells, widths = [], [0.0] * v.shape[1]
    for row in v:
        out = []
        for j, x in enumerate(row):
            if not math.isfinite(x):
                t = _sig(x, digits)
            else:
                t = f"{x / 10.0 ** scale:.{dec}f}"
                if float(t) == 0:       # exact zeros, and float noise below the last place shown
                    t = "0"
            out.append(t)
            w = sum(_MINUS_PT if c == "-" else _POINT_PT if c == "." else _DIGIT_PT for c in t)
            widths[j] = max(widths[j], w)
        cells.append(out)
    return _Cells(cells, [w + _COLSEP_PT for w in widths], scale)


def _decimal_cells_exact(v: np.ndarray, digits: int) -> _Cells:
    """:func:`_decimal_cells` for ``Decimal`` entries (more digits than float64 has), unscaled."""
    if v.ndim == 1:
        v = v.reshape(-1, 1)
    big = max((abs(x) for x in v.flat), default=Decimal(0))
    e = big.adjusted() if big != 0 else 0
    quantum = Decimal(1).scaleb(-max(digits - 1 - e, 0))
    cells, widths = [], [0.0] * v.shape[1]
    ctx = Context(prec=digits + max(e, 0) + 10, rounding=ROUND_HALF_EVEN)
    for row in v:
        out = []
        for j, x in enumerate(row):
            q = x.quantize(quantum, context=ctx)
            t = "0" if q == 0 else f"{q:f}"
            out.append(t)
            widths[j] = max(widths[j], sum(_MINUS_PT if c == "-" else _POINT_PT if c == "." else _DIGIT_PT
                                           for c in t))
        cells.append(out)
    return _Cells(cells, [w + _COLSEP_PT for w in widths], 0)


def _ball_midpoints(s: RegionSystem, digits: int) -> list[np.ndarray] | None:
    """For more than float64's 15 digits: the midpoints of the certified balls that contain
    [L g B] (each ball's radius is the distance to the exact value), as Decimals; None without balls."""
    if digits <= FLOAT_DIGITS or s.enclosure is None:
        return None
    A = s.enclosure.arb()
    rows, cols = s.enclosure.shape
    with working_precision(digits_to_bits(digits + 10)):
        mids = np.array([[Decimal(A[i, j].mid().str(digits + 5, radius=False).replace("[", "").replace("]", ""))
                          for j in range(cols)] for i in range(rows)], dtype=object)
    N = s.dimension
    return [mids[:, :N], mids[:, N], mids[:, N + 1:]]


def _visible_width(tex: str) -> float:
    """A generous estimate of the printed width of a LaTeX snippet, in pt at \\small."""
    t = re.sub(r"\\(left|right|,|;|!)", "", tex)
    t = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: max(m.group(1), m.group(2), key=len), t)
    t = re.sub(r"\\[a-zA-Z]+", "xx", t)
    return 5.2 * len(re.sub(r"[{}^_ ]", "", t)) + 4


def _exact_cells(M) -> _Cells | None:
    """sympy's LaTeX of every entry; None when an entry is too long to read."""
    rows = np.asarray(M.tolist() if hasattr(M, "tolist") else M, dtype=object)
    if rows.ndim == 1:
        rows = rows.reshape(-1, 1)
    cells = [[sp.latex(sp.sympify(x)) for x in r] for r in rows]
    if any(len(c) > EXACT_MAX_CHARS for r in cells for c in r):
        return None
    widths = [max(_visible_width(r[j]) for r in cells) + _COLSEP_PT for j in range(len(cells[0]))]
    return _Cells(cells, widths, 0, True)


def _column_blocks(widths: Sequence[float], budget: float) -> list[tuple[int, int]]:
    blocks, start, acc = [], 0, 0.0
    for j, w in enumerate(widths):
        if acc + w > budget and j > start:
            blocks.append((start, j))
            start, acc = j, 0.0
        acc += w
    blocks.append((start, len(widths)))
    return blocks


def _layout(name: str, parts: Sequence[_Cells], *, transpose_label: bool = False) -> str:
    r"""``name = (cells)`` as displayed arrays at \small, the parts side by side (separated by a rule),
    split into column blocks that fit the line.  A block is labelled with its columns."""
    widths = [w for p in parts for w in p.widths]
    starts = np.cumsum([0] + [len(p.widths) for p in parts])
    nrows = len(parts[0].cells)
    cells = [[c for p in parts for c in p.cells[i]] for i in range(nrows)]
    exact = all(p.exact for p in parts)
    rel = "=" if exact else r"\approx"
    scales = {p.scale for p in parts}
    if len(scales) > 1:
        raise ValueError("parts shown side by side must share their scale")
    label_pt = (_LABEL_PT.get(name) or _visible_width(name)) + _RELATION_PT + _PARENS_PT + \
        (_SCALE_PT if scales != {0} else 0) + _RULE_PT * (len(parts) - 1)

    def blocks_at(ratio: float) -> list[tuple[int, int]]:
        ws = [(w - _COLSEP_PT) * ratio + _COLSEP_PT for w in widths]
        out = _column_blocks(ws, TEXT_WIDTH_PT - _SAFETY_PT - label_pt * ratio)
        if len(out) > 1:                                              # the labels name the columns
            out = _column_blocks(ws, TEXT_WIDTH_PT - _SAFETY_PT - (label_pt + _SUBSCRIPT_PT) * ratio)
        return out

    # \small; \footnotesize (never smaller) when that keeps the matrix in one block
    size, blocks = "\\small", blocks_at(1.0)
    if len(blocks) > 1 and len(blocks_at(FOOTNOTE_RATIO)) == 1:
        size, blocks = "\\footnotesize", blocks_at(FOOTNOTE_RATIO)
    out = []
    for a, b in blocks:
        spec = ""
        for j in range(a, b):
            spec += ("|" if j in starts[1:-1] and j > a else "") + ("c" if exact else "r")
        body = " \\\\\n".join(" & ".join(r[a:b]) for r in cells)
        label = name
        if len(blocks) > 1:
            cols = f"{a + 1}" if b == a + 1 else f"{a + 1}\\text{{--}}{b}"
            base = name if name.startswith("\\left(") else f"\\left({name}\\right)"
            label = f"{base}_{{{cols}}}" if transpose_label else f"{base}_{{:,\\,{cols}}}"
        pre = ""
        if scales != {0}:
            pre = f"10^{{{next(iter(scales))}}} \\times "
        out.append("{" + size + "\\setlength{\\arraycolsep}{2.5pt}\\[ " + f"{label} {rel} {pre}\\left(\\begin{{array}}"
                   f"{{{spec}}}\n{body}\n\\end{{array}}\\right) \\]}}")
    return "\n".join(out)


def _row_vector(name: str, values, digits: int, exact: bool) -> str:
    """A vector printed as a transposed row, ``name^T = (...)``."""
    row = sp.Matrix([list(values)])
    cells = _exact_cells(row) if exact or _numeric(row) is None else None
    if cells is None:
        cells = _decimal_cells(_numeric(row, digits), digits)
    return _layout(name + "^{\\top}", [cells], transpose_label=True)


def _entrywise(mats: Sequence[tuple[str, sp.MatrixBase]]) -> str:
    """Closed forms too long for a matrix, one nonzero entry per line; an entry too wide for a
    displayed line even so (several parameters give such) in sympy's notation, as text that breaks
    at its spaces, instead of running into the margin."""
    lines, long = [], []
    for name, M in mats:
        M = sp.Matrix(M)
        for i in range(M.rows):
            for j in range(M.cols):
                if M[i, j] != 0:
                    sub = f"{i + 1}{j + 1}" if M.cols > 1 else f"{i + 1}"
                    tex = sp.latex(M[i, j])
                    if max(_visible_width(part) for part in tex.split("\\\\")) + 40 > TEXT_WIDTH_PT:
                        long.append(f"${name}_{{{sub}}} = {{}}$\\texttt{{{tex_escape(sp.sstr(M[i, j]))}}}")
                    else:
                        lines.append(f"{name}_{{{sub}}} &= {tex}")
    out = ("{\\small\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}}\n") if lines else ""
    if long:
        out += ("The entries below are too long for a displayed line; they are written in sympy's notation "
                "(\\texttt{Piecewise((x, c), ...)}: $x$ where $c$ holds, the first such case).\n\n"
                "{\\small\\raggedright\n" + "\n\n".join(long) + "\n\n}")
    return out + "The entries not listed are $0$."


def _numeric(M, digits: int = FLOAT_DIGITS) -> np.ndarray | None:
    """The entries as floats, or as Decimals with ``digits`` + 5 digits when more than float64 holds
    are asked for; None when they are not numbers."""
    try:
        if digits > FLOAT_DIGITS:
            return np.array([[Decimal(str(sp.Float(x.evalf(digits + 5), digits + 5))) for x in row]
                             for row in sp.Matrix(M).tolist()], dtype=object)
        return np.array(sp.Matrix(M).evalf(20).tolist(), dtype=float)
    except (TypeError, ValueError, ArithmeticError):
        return None


def _matrix(name: str, M, digits: int, exact: bool) -> str:
    cells = _exact_cells(M) if exact or _numeric(M) is None else None
    if cells is None:
        cells = _decimal_cells(_numeric(M, digits), digits)
    return _layout(name, [cells])


# ---- spectra ---------------------------------------------------------------------------
def _eigenvalues(rc: RegionCheck) -> list[tuple[complex, int, tuple | None]]:
    """(approximate value, multiplicity, Jordan blocks) of each eigenvalue, one of each conjugate pair."""
    if rc.spectrum is None:
        return []
    out = []
    for e in rc.spectrum.eigenvalues:
        z = complex(e.approx)
        if e.real is HOLDS:
            z = complex(z.real, 0.0)
        elif z.imag < 0:
            continue
        out.append((z, e.multiplicity, e.blocks))
    return sorted(out, key=lambda t: (-abs(t[0]), -t[0].real, -t[0].imag))


def _counts(rc: RegionCheck) -> tuple[float, int, int, int, int] | None:
    """(spectral radius, #positive, #negative, #complex pairs, #|lambda| > 1), with multiplicity."""
    eig = _eigenvalues(rc)
    if not eig:
        return None
    pos = sum(m for z, m, _ in eig if z.imag == 0 and z.real > 0)
    neg = sum(m for z, m, _ in eig if z.imag == 0 and z.real < 0)
    pairs = sum(m for z, m, _ in eig if z.imag != 0)
    unstable = sum(m * (2 if z.imag else 1) for z, m, _ in eig if abs(z) > 1)
    return max(abs(z) for z, _, _ in eig), pos, neg, pairs, unstable


def _eigen_table(rc: RegionCheck, dt: float, digits: int, status: str) -> str:
    """The eigenvalue map lambda -> mu = log(lambda)/dt, a complex pair on one row (as a +- bi)."""
    rows = []
    for z, mult, blocks in _eigenvalues(rc):
        pair = z.imag != 0
        lam = (f"{_sig(z.real, digits)} \\pm {_sig(abs(z.imag), digits)}\\,i" if pair else _sig(z.real, digits))
        if z.real < 0 and not pair:
            # a negative eigenvalue: paired (or doubled in the lift) into mu = log|lambda|/dt +- i pi/dt
            mu = f"{_sig(math.log(-z.real) / dt, digits)} \\pm {_sig(math.pi / dt, digits)}\\,i"
        elif z == 0:
            mu = "\\text{--}"
        else:
            w = complex(np.log(z)) / dt
            mu = (f"{_sig(w.real, digits)} \\pm {_sig(abs(w.imag), digits)}\\,i" if pair else _sig(w.real, digits))
        jb = "" if blocks is None or tuple(blocks) == (1,) * mult else ", ".join(map(str, blocks))
        rows.append(f"${lam}$ & ${_sig(abs(z), digits)}$ & {mult if mult > 1 else ''} & {jb} & ${mu}$ \\\\")
    if not rows:
        return ""
    head = ("$\\lambda$ & $|\\lambda|$ & mult. & Jordan & $\\mu = \\log(\\lambda)/\\Delta t$ \\\\")
    return ("{\\small\\begin{longtable}{rrccr}\n\\toprule\n" + head + "\n\\midrule\n\\endhead\n" + "\n".join(rows)
            + "\n\\bottomrule\n\\end{longtable}}")


# ---- fixed points ----------------------------------------------------------------------
def _fixed_point(H: sp.MatrixBase, h: sp.MatrixBase) -> sp.Matrix | None:
    """The unique solution of (I - H) z = h over Q, or None (singular, or weights not rational)."""
    if not all(isinstance(x, sp.Rational) for x in list(H) + list(h)):
        return None
    E = sp.eye(H.rows) - H
    Eq = flint.fmpq_mat(E.rows, E.cols, [flint.fmpq(int(x.p), int(x.q)) for x in E])
    if Eq.det() == 0:
        return None
    hq = flint.fmpq_mat(h.rows, 1, [flint.fmpq(int(x.p), int(x.q)) for x in h])
    z = Eq.solve(hq)
    return sp.Matrix([sp.Rational(int(z[i, 0].p), int(z[i, 0].q)) for i in range(h.rows)])


def _fixed_point_kind(model: PLRNN | ReluRNN, bits: str, rc: RegionCheck) -> str:
    """'real' (in the region), 'virtual', or '--' (1 an eigenvalue, or not decided exactly).

    Membership is decided exactly: the signs of the pre-activations at the fixed point (the
    coordinates themselves for a PLRNN) against the region's activation pattern."""
    if rc.verdicts["eigenvalue_one"].truth is not FAILS or model.is_symbolic:
        return "--"
    H, h = region_affine(model, bits)
    z = _fixed_point(H, h)
    if z is None:
        return "--"
    if isinstance(model, PLRNN):
        x, d = list(z), [b == "1" for b in bits]
    else:
        x, d = list(model.W2 * z + model.h2), [bool(v) for v in model.pattern(bits)]
    return "real" if all((v > 0) == on for v, on in zip(x, d)) else "virtual"


# ---- the forms of the family -----------------------------------------------------------
FORM_NAMES = {"plrnn": "PLRNN", "alrnn": "ALRNN", "dend": "dendritic PLRNN",
              "dend-clipped": "clipped dendritic PLRNN", "shallow": "shallow PLRNN",
              "shallow-clipped": "clipped shallow PLRNN", "relu": "ReLU RNN"}

# The paper each form comes from, as the document cites it.
FORM_PAPERS = {
    "alrnn": (r"M.~Brenner et al., \emph{Almost-linear RNNs yield highly interpretable symbolic codes in dynamical "
              r"systems reconstruction}, NeurIPS 2024"),
    "dend": (r"M.~Brenner et al., \emph{Tractable dendritic RNNs for reconstructing nonlinear dynamical systems}, "
             r"ICML 2022"),
    "shallow": r"F.~Hess et al., \emph{Generalized teacher forcing for learning chaotic dynamics}, ICML 2023",
}


def _kind(model) -> str:
    return getattr(model, "kind", "plrnn")


def _dend_alpha(model: DendPLRNN) -> sp.Matrix:
    """alpha per unit and basis (M x B), whether the model was given one weight per basis or per unit."""
    al = sp.Matrix(model.alpha)
    return sp.Matrix(model.M, model.B, lambda i, b: al[0, b]) if al.rows == 1 else al


def _dend_slopes(model: DendPLRNN, name: str) -> sp.Matrix:
    """c_Omega with W_Omega = A + W diag(c_Omega): per unit, the alphas of the thresholds passed
    (clipped: less their sum where z_i > 0)."""
    d, M, B = model.pattern(name), model.M, model.B
    al = _dend_alpha(model)
    c = [sum((al[i, b] for b in range(B) if d[b * M + i]), sp.Integer(0)) for i in range(M)]
    if model.clipped:
        c = [c[i] - (sum(al[i, :]) if d[B * M + i] else 0) for i in range(M)]
    return sp.Matrix(c)


def _region_words(model, name: str) -> str:
    """The region in the model's own terms, for the heading of its block."""
    kind = _kind(model)
    if kind == "plrnn":
        on = [str(i + 1) for i, b in enumerate(name) if b == "1"]
        if not on:
            return "no unit active"
        if len(on) == len(name):
            return "every unit active"
        return f"active unit{'s' if len(on) > 1 else ''} {', '.join(on)}"
    if kind == "alrnn":
        first = model.M - model.P + 1
        on = [str(first + k) for k, b in enumerate(name) if b == "1"]
        if not on:
            return "no ReLU unit active"
        return ("every ReLU unit active" if len(on) == len(name) else
                f"active ReLU unit{'s' if len(on) > 1 else ''} {', '.join(on)}")
    if isinstance(model, DendPLRNN):
        return "thresholds passed per unit: " + ", ".join(str(_count(c)) for c in name)
    on = [str(k + 1) for k, b in enumerate(model.pattern(name)) if b]
    if not on:
        return "no pre-activation active"
    return ("every pre-activation active" if len(on) == model.L else
            f"active pre-activation{'s' if len(on) > 1 else ''} {', '.join(on)}")


def _dend_thresholds(model: DendPLRNN, i: int) -> list:
    """The thresholds of unit i in increasing order (clipped: 0 among them), as the region names count them."""
    ts = list(model.H[i, :]) + ([sp.Integer(0)] if model.clipped else [])
    return sorted(ts, key=lambda t: float(t) if t.is_number else 0.0)


def _count(c: str) -> int:
    return int(c, 36)


def _number(x, digits: int, exact: bool) -> str:
    x = sp.sympify(x)
    if exact or not x.is_number or x.is_Integer:
        return sp.latex(x)
    t = _sig(float(x), min(digits, FLOAT_DIGITS))
    return t.rstrip("0").rstrip(".") if "." in t and "cdot" not in t else t     # a threshold: 0.5, not 0.500000


def _region_condition(model, name: str, digits: int, exact: bool) -> str:
    """The condition that defines the region, in the model's own variables (the piecewise system)."""
    kind = _kind(model)
    if kind in ("plrnn", "alrnn"):
        M = model.M
        first = 0 if kind == "plrnn" else M - model.P
        on = [first + k + 1 for k, b in enumerate(name) if b == "1"]
        off = [first + k + 1 for k, b in enumerate(name) if b == "0"]
        if kind == "plrnn" and on and off:
            return r"$z_i > 0$ for $i \in \{$" + ", ".join(map(str, on)) + r"$\}$, $z_i \le 0$ otherwise"
        if kind == "plrnn":
            return r"$z_i > 0$ for every $i$" if on else r"$z_i \le 0$ for every $i$"
        parts = ([r"$z_i > 0$ for $i \in \{$" + ", ".join(map(str, on)) + r"$\}$"] if on else []) + \
                ([r"$z_i \le 0$ for $i \in \{$" + ", ".join(map(str, off)) + r"$\}$"] if off else [])
        return ", ".join(parts)
    if isinstance(model, DendPLRNN):
        parts = []
        for i, c in enumerate(name):
            k = _count(c)
            ts = _dend_thresholds(model, i)
            lo = f"{_number(ts[k - 1], digits, exact)} < " if k > 0 else ""
            hi = f" \\le {_number(ts[k], digits, exact)}" if k < len(ts) else ""
            parts.append(f"${lo}z_{{{i + 1}}}{hi}$")
        return ", ".join(parts)
    d = model.pattern(name)
    on = [k + 1 for k, b in enumerate(d) if b]
    off = [k + 1 for k, b in enumerate(d) if not b]
    if on and off:
        return r"$\xi_k > 0$ for $k \in \{$" + ", ".join(map(str, on)) + r"$\}$, $\xi_k \le 0$ otherwise"
    return r"$\xi_k > 0$ for every $k$" if on else r"$\xi_k \le 0$ for every $k$"


# ---- the document ----------------------------------------------------------------------
def _preamble(model: PLRNN) -> str:
    title = f"Continuous-time form of the {FORM_NAMES[_kind(model)]}" + (f" \\texttt{{{tex_escape(model.name)}}}" if model.name else "")
    return "\n".join([
        r"\documentclass[10pt]{article}",
        r"\usepackage[a4paper,margin=1.75cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{array,booktabs,longtable}",
        r"\usepackage[hidelinks]{hyperref}",
        r"\setlength{\parindent}{0pt}\setlength{\parskip}{0.5ex}\setlength{\emergencystretch}{3em}",
        r"\allowdisplaybreaks",
        f"\\title{{{title}}}",
        f"\\author{{generated by \\texttt{{plrnn\\_symbolic}} {tex_escape(__version__)}}}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
    ])


def _diagonal_or_matrix(A, digits: int, exact: bool) -> list[str]:
    A = sp.Matrix(A)
    if A.is_diagonal():
        return [r"$A = \mathrm{diag}(a)$ with", _row_vector("a", [A[i, i] for i in range(A.rows)], digits, exact)]
    return [_matrix("A", A, digits, exact)]


def _space(model) -> str:
    return (f", \\qquad z_t \\in \\mathbb{{R}}^{{{model.M}}}" +
            (f", \\; s_t \\in \\mathbb{{R}}^{{{model.K}}}" if model.K else ""))


def _form_text(model, digits: int, exact: bool) -> tuple[list[str], str]:
    """The model's own equation, its paper and parameters, and the sentence that names its regions and
    gives W_Omega, h_Omega (proofs/07_region_structure.tex, Lemma 7.7 and Proposition 7.8)."""
    kind, inp, M = _kind(model), (" + C s_t" if model.C is not None else ""), model.M
    steps = (f"time step $\\Delta t = {sp.latex(model.dt)}$." +
             (r" The input $s_t$ is held constant over each step." if model.C is not None else ""))
    general = (r"In the general form $z_t = A z_{t-1} + W_1 \operatorname{relu}(W_2 z_{t-1} + h_2) + h_1" + inp +
               r"$ the region with activation pattern $d$ of the pre-activations $\xi(z) = W_2 z + h_2$ ($d_k = 1$ iff "
               r"$\xi_k(z) > 0$) is the map $z_t = W_\Omega z_{t-1} + h_\Omega" + inp + r"$ with $W_\Omega = A + W_1 D "
               r"W_2$, $h_\Omega = h_1 + W_1 D h_2$, $D = \mathrm{diag}(d)$ (" + _cite("cells", "family") + ")")
    if kind == "plrnn":
        out = [r"The discrete-time piecewise-linear recurrent neural network (PLRNN)",
               f"\\[ z_t = A z_{{t-1}} + W \\operatorname{{relu}}(z_{{t-1}}) + h{inp}{_space(model)} \\]",
               f"has $M = {M}$ units and " + steps, *_diagonal_or_matrix(model.A, digits, exact),
               _matrix("W", model.W, digits, exact), _row_vector("h", list(model.h), digits, exact)]
        regions = (r"Region $\Omega$ is the bit string $d \in \{0,1\}^M$ (unit 1 first) with $d_i = 1$ iff $z_i > 0$. "
                   r"On $\Omega$ the PLRNN is the affine map $z_t = W_\Omega z_{t-1} + h" + inp + r"$, "
                   r"$W_\Omega = A + W\,\mathrm{diag}(d)$.")
        return out, regions
    if kind == "alrnn":
        P, lin = model.P, M - model.P
        phi = (r"$\Phi(z)_i = z_i$ for $i \le " + str(lin) + r"$ and $\Phi(z)_i = \operatorname{relu}(z_i)$ for "
               r"$i > " + str(lin) + "$" if lin else r"$\Phi(z) = \operatorname{relu}(z)$")
        out = [f"The almost-linear recurrent neural network (ALRNN; {FORM_PAPERS['alrnn']})",
               f"\\[ z_t = A z_{{t-1}} + W \\Phi(z_{{t-1}}) + h{inp}{_space(model)} \\]",
               f"has $M = {M}$ units, of which the last $P = {P}$ pass a ReLU ({phi}), and " + steps,
               *_diagonal_or_matrix(model.A_diagonal, digits, exact), _matrix("W", model.W, digits, exact),
               _row_vector("h", list(model.h1), digits, exact)]
        sep = r", \dots, " if P > 2 else " and "
        regions = (f"Region $\\Omega$ is the bit string $d \\in \\{{0,1\\}}^{{{P}}}$ of the ReLU units "
                   f"{lin + 1}{sep}{M} (unit {lin + 1} first) with $d_k = 1$ iff $z_{{{lin} + k}} > 0$"
                   if P > 1 else f"Region $\\Omega$ is the bit $d$ of the ReLU unit {M}, $d = 1$ iff $z_{{{M}}} > 0$")
        regions += (r". On $\Omega$ the ALRNN is the affine map $z_t = W_\Omega z_{t-1} + h" + inp + r"$, "
                    r"$W_\Omega = A + W\,\mathrm{diag}(1, \dots, 1, d)$ (" + _cite("cells", "family") + ").")
        return out, regions
    if isinstance(model, DendPLRNN):
        one_alpha = sp.Matrix(model.alpha).rows == 1
        basis = (r"\operatorname{relu}(z_{t-1} - h_b)" if not model.clipped else
                 r"\bigl(\operatorname{relu}(z_{t-1} - h_b) - \operatorname{relu}(z_{t-1})\bigr)")
        alpha = r"\alpha_b\," if one_alpha else r"\alpha_{:,b} \circ "
        out = [f"The {'clipped ' if model.clipped else ''}dendritic PLRNN ({FORM_PAPERS['dend']})",
               f"\\[ z_t = A z_{{t-1}} + W \\sum_{{b=1}}^{{{model.B}}} {alpha}{basis} + h_0{inp}{_space(model)} \\]",
               f"has $M = {M}$ units, $B = {model.B}$ bases with thresholds $h_b$ (column $b$ of $H$) and "
               + steps, *_diagonal_or_matrix(model.A_diagonal, digits, exact), _matrix("W", model.W, digits, exact),
               _row_vector("h_0", list(model.h1), digits, exact),
               (_row_vector(r"\alpha", list(sp.Matrix(model.alpha)), digits, exact) if one_alpha
                else _matrix(r"\alpha", model.alpha, digits, exact)),
               _matrix("H", model.H, digits, exact)]
        regions = (r"Region $\Omega$ is a string of $M$ characters (unit 1 first): character $i$ counts the thresholds "
                   r"$h_{ib}$" + (" and $0$" if model.clipped else "") + r" that $z_i$ exceeds. " + general +
                   r"; here $W_\Omega = A + W\,\mathrm{diag}(c_\Omega)$ with $c_{\Omega,i}$ the sum of the weights "
                   r"$\alpha$ of the thresholds passed" + (r" (less $\sum_b \alpha_{ib}$ where $z_i > 0$)"
                                                            if model.clipped else "") + ".")
        return out, regions
    shallow = kind.startswith("shallow")
    clipped = kind == "shallow-clipped"
    W1, W2, h2 = ((model.W1_, model.W2_, model.h2_) if shallow else (model.W1, model.W2, model.h2))
    act = (r"\bigl(\operatorname{relu}(W_2 z_{t-1} + h_2) - \operatorname{relu}(W_2 z_{t-1})\bigr)" if clipped
           else r"\operatorname{relu}(W_2 z_{t-1} + h_2)")
    what = (f"The {'clipped ' if clipped else ''}shallow PLRNN ({FORM_PAPERS['shallow']})" if shallow
            else "The ReLU recurrent neural network in the general form")
    out = [what, f"\\[ z_t = A z_{{t-1}} + W_1 {act} + h_1{inp}{_space(model)} \\]",
           f"has $M = {M}$ units, a hidden layer of width ${W2.rows}$ and " + steps,
           *_diagonal_or_matrix(model.A, digits, exact), _matrix("W_1", W1, digits, exact),
           _matrix("W_2", W2, digits, exact), _row_vector("h_1", list(model.h1), digits, exact),
           _row_vector("h_2", list(h2), digits, exact)]
    pre = (r"$\xi(z) = (W_2 z + h_2,\ W_2 z)$" if clipped else r"$\xi(z) = W_2 z + h_2$")
    regions = (f"Region $\\Omega$ is the bit string $d \\in \\{{0,1\\}}^{{{model.L}}}$ of the pre-activations "
               f"{pre} (the first first), $d_k = 1$ iff $\\xi_k(z) > 0$; the cells are cut by the hyperplanes "
               r"$\xi_k(z) = 0$, and patterns whose cell is empty are not regions. " + general +
               (r"; for the clipped form $W_1$, $W_2$, $h_2$ of the general form are $(W_1, -W_1)$, "
                r"$(W_2; W_2)$ and $(h_2; 0)$." if clipped else "."))
    return out, regions


def _model_section(model: PLRNN | ReluRNN, mode: str, digits: int, exact: bool, n_regions: int) -> str:
    form, regions = _form_text(model, digits, exact)
    out = [r"\section{The model}", *form]
    if model.C is not None:
        out.append(_matrix("C", model.C, digits, exact))
    obs = getattr(model, "observation", None)
    if obs is not None:   # x = B z: the observed variables (the file's B; the package calls the input matrix C)
        out.append(f"The observed variables are $x_t = B z_t \\in \\mathbb{{R}}^{{{obs.rows}}}$ with")
        out.append(_matrix("B", obs, digits, exact))
    conv = model.conventions()
    if conv:
        out.append("By convention $A$ is diagonal" + (" and $W$ has a zero diagonal" if _kind(model) == "plrnn" else "") +
                   "; this model departs from it "
                   "(accepted): " + tex_escape("; ".join(conv)) + ".")
    out.append(regions)
    how = {"exact": r"exact arithmetic over $\mathbb{Q}$: every verdict is a proof",
           "certified": "certified ball arithmetic: every verdict other than `undecided' is a proof",
           "auto": r"certified ball arithmetic, and exact arithmetic over $\mathbb{Q}$ where the balls do not "
                   r"decide: every verdict is a proof",
           "float": r"floating point with tolerances: the verdicts are \emph{not} proofs"}[mode]
    shown = ("exact where the derivation has closed forms, decimals elsewhere" if exact else
             f"decimals: in each matrix the largest entry has {digits} significant digits and every entry the "
             f"same decimal places (rounded for display; a common factor $10^k$ is written in front)" +
             (f"; eigenvalues, and matrices without certified balls, show at most {FLOAT_DIGITS}, as many as "
              f"float64 holds" if digits > FLOAT_DIGITS else ""))
    out.append(f"This document covers {n_regions} region{'s' if n_regions != 1 else ''}, decided in {how}. "
               f"Numbers are shown as {shown}; $\\approx$ marks a rounded matrix.")
    return "\n\n".join(out)


def _method_section(model: PLRNN | ReluRNN) -> str:
    B = model.C is not None
    aff = "(g, B)" if B else "g"
    plrnn = _kind(model) == "plrnn"
    h = "h" if _kind(model) in ("plrnn", "alrnn") else r"h_\Omega"
    exits = ("" if plrnn else r" (the boundaries of a region are those of its pre-activations, " +
             _cite("exit_functions") + ")")
    return "\n\n".join([
        r"\section{The continuous-time system of a region}",
        r"In region $\Omega$ the ODE $\dot z = L_\Omega z + g_\Omega" + (r" + B_\Omega s(t)" if B else "") +
        r"$ is sought whose time-$\Delta t$ flow is the region map (" + _cite("flow", "embedding") + r"):"
        r"\[ L_\Omega = \frac{1}{\Delta t}\mathrm{Log}\, W_\Omega, \qquad "
        r"g_\Omega = \frac{1}{\Delta t}\beta(\mathrm{Log}\, W_\Omega)\, " + h +
        (r", \qquad B_\Omega = \frac{1}{\Delta t}\beta(\mathrm{Log}\, W_\Omega)\, C" if B else "") +
        r", \qquad \beta(x) = \frac{x}{e^x - 1}, \]"
        r"for a real logarithm $\mathrm{Log}$; $\beta$ needs no special case when $1$ is an eigenvalue (" +
        _cite("beta", "eigenvalue_one") + "). Each region has one status:",
        r"\begin{description}"
        r"\item[principal] no eigenvalue of $W_\Omega$ in $(-\infty, 0]$: the principal logarithm (" +
        _cite("principal_log", "region_embedding") + r");"
        r"\item[real, non-principal] negative eigenvalues whose Jordan blocks come in equal pairs, each pair taken "
        r"to a rotation by $\pi$ (" + _cite("real_log", "paired") + r");"
        r"\item[lifted] $W_\Omega$ invertible without a real logarithm (" + _cite("real_log") + r"): no real ODE of "
        r"dimension $M$ exists; an ODE of dimension $N > M$ doubles the unpaired negative blocks in new coordinates "
        r"$y$, and with $x = (z, y)$, $G = \begin{pmatrix} I \\ 0\end{pmatrix}$, $P = \begin{pmatrix} I & 0 "
        r"\end{pmatrix}$ its flow satisfies $\Psi_{\Delta t}(Gz) = G(W_\Omega z + " + h + r")$, so $P\,\Psi_{n\Delta t}(Gz)$ "
        r"follows the region map for every $n$ (" + _cite("exact_lift", "lift", "minimal_lift") + r");"
        r"\item[no ODE] $W_\Omega$ singular: no ODE of dimension $M$ has the region map as its time-$\Delta t$ flow, "
        r"and no lift of any dimension reproduces every step through an invariant embedding (" +
        _cite("singular", "singular_any_dimension", "singular_nonlinear") + r"); a lift that matches a single step "
        r"exists (" + _cite("one_step_projection") + r");"
        r"\item[undecided] the arithmetic used did not decide the predicates."
        r"\end{description}",
        r"Eigenvalues map as $\mu = \log(\lambda)/\Delta t$ with $\mathrm{Re}\,\mu = \log|\lambda|/\Delta t$ (" +
        _cite("eigenvalue_map") + f"). A trajectory of the {FORM_NAMES[_kind(model)]} is reproduced by the "
        r"sample-and-hold system at every sample time, and by the autonomous switching system for every step whose "
        r"region flow stays in the closure of its region" + exits + " (" +
        _cite("sample_and_hold", "one_step", "trajectories") + r"); these statements "
        r"concern regions with an ODE of dimension $M$; with lifted regions, the sample-and-hold system that "
        r"re-embeds the state by $G$ of its region at every sample time reproduces the trajectory (" +
        _cite("lifted_sample_and_hold") + ").",
        f"Each block below gives $L_\\Omega$ and, after the rule, ${aff}_\\Omega$.",
    ])


def _summary_section(model: PLRNN, report: CheckReport, systems: dict, detailed: Sequence[str], digits: int,
                     max_rows: int) -> str:
    out = [r"\section{Summary of the regions}"]
    statuses = {b: status_of(rc.verdicts) for b, rc in report.regions.items()}
    counts: dict[str, int] = {}
    for st in statuses.values():
        counts[st] = counts.get(st, 0) + 1
    out.append("Status: " + ", ".join(f"{STATUS_TEXT[k]} {v}" for k, v in counts.items()) + ".")
    names = list(report.regions)
    rows = []
    real_fp = []
    for bits in names[:max_rows]:
        rc = report.regions[bits]
        fp = _fixed_point_kind(model, bits, rc)
        if fp == "real":
            real_fp.append(bits)
        ref = f"\\hyperref[region:{bits}]{{\\texttt{{{bits}}}}}" if bits in detailed else f"\\texttt{{{bits}}}"
        s = systems.get(bits)
        n = str(s.dimension) if s is not None and s.derived else "--"
        c = _counts(rc)
        cols = ("--",) * 5 if c is None else (f"${_sig(c[0], min(digits, 4))}$", *map(str, c[1:]))
        rows.append(f"{ref} & {STATUS_TEXT[statuses[bits]]} & {n} & " + " & ".join(cols) + f" & {fp} \\\\")
    head = (r"region & status & $N$ & $\rho(W_\Omega)$ & $\lambda > 0$ & $\lambda < 0$ & pairs & "
            r"$|\lambda| > 1$ & fixed point \\")
    out.append("{\\small\\begin{longtable}{llrrrrrrl}\n\\toprule\n" + head + "\n\\midrule\n\\endhead\n"
               + "\n".join(rows) + "\n\\bottomrule\n\\end{longtable}}")
    legend = (r"$N$: dimension of the region's ODE ($N > M$ when lifted). $\rho$: spectral radius, rounded. "
              r"Eigenvalues are counted with multiplicity; ``pairs'' counts complex conjugate pairs. "
              r"Fixed point: the solution of $(I - W_\Omega) z = " + ("h" if _kind(model) == "plrnn" else r"h_\Omega") +
              r"$, \emph{real} if it lies in $\Omega$ and "
              r"\emph{virtual} otherwise; -- when $1$ is an eigenvalue or the weights are not rational.")
    if len(names) > max_rows:
        legend += f" The table shows the first {max_rows} of {len(names)} regions."
    out.append(legend)
    if real_fp:
        out.append("Real fixed points lie in region" + ("s " if len(real_fp) > 1 else " ") +
                   ", ".join(f"\\texttt{{{b}}}" for b in real_fp) + ".")
    return "\n\n".join(out)


def _region_map(model: PLRNN | ReluRNN, name: str, digits: int, exact: bool) -> list[str]:
    """W_Omega and h_Omega of a region where the model's own parameters do not show them at a glance
    (the dendritic, shallow and general forms; proofs/07_region_structure.tex, Lemma 7.7)."""
    kind = _kind(model)
    if kind in ("plrnn", "alrnn"):
        return []
    H, h = region_affine(model, name)
    if isinstance(model, DendPLRNN):
        first = [r"$W_\Omega = A + W\,\mathrm{diag}(c_\Omega)$ and $h_\Omega$ with",
                 _row_vector(r"c_\Omega", list(_dend_slopes(model, name)), digits, exact)]
    else:
        first = [r"$W_\Omega = A + W_1 D W_2$ and $h_\Omega = h_1 + W_1 D h_2$:", _matrix(r"W_\Omega", H, digits, exact)]
    return [*first, _row_vector(r"h_\Omega", list(h), digits, exact)]


def _region_block(model: PLRNN | ReluRNN, rc: RegionCheck, s: RegionSystem, digits: int, exact: bool, mode: str) -> str:
    bits = rc.region
    status = status_of(rc.verdicts)
    out = [(f"\\subsection*{{Region \\texttt{{{bits}}}}}\\label{{region:{bits}}}"
           f"\\addcontentsline{{toc}}{{subsection}}{{Region {bits}}}")]
    head = f"{_region_words(model, bits).capitalize()}; status \\textbf{{{STATUS_TEXT[status]}}}"
    if status == "lifted":
        head += (f", lifted to $N = {s.dimension}$: the coordinates $x = (z, y)$, $y \\in "
                 f"\\mathbb{{R}}^{{{s.dimension - model.M}}}$, double the unpaired negative eigenvalues, "
                 f"$z(t) = P x(t)$ from $x(0) = G z_0$ ({_cite('exact_lift', 'lift')})")
    out.append(head + ".")
    out.extend(_region_map(model, bits, digits, exact))
    if status == "impossible":
        out.append(r"$W_\Omega$ is singular: no ODE of dimension $M$ has this region map as its time-$\Delta t$ "
                   r"flow, and no lift of any dimension reproduces every step through an invariant embedding ("
                   + _cite("singular", "singular_any_dimension", "singular_nonlinear") + ").")
    elif status == "undecided":
        more = {"certified": "more digits, or the auto or exact mode, decide it",
                "float": "the certified, auto or exact mode decides it"}.get(mode, "")
        out.append(r"The predicates of $W_\Omega$ are not decided by the arithmetic used" +
                   (f"; {more}" if more else "") + ".")
    parts = []
    if s.derived or s.L_exact is not None:
        wide = _ball_midpoints(s, digits) if s.derived else None
        Ln, gn, Bn = wide if wide is not None else (s.L, s.g, s.B)
        shown = digits if wide is not None else min(digits, FLOAT_DIGITS)   # float64 holds no more
        mats = [("L", s.L_exact, Ln), ("g", s.g_exact, gn)] + ([("B", s.B_exact, Bn)] if model.C is not None
                                                              else [])
        for _, ex, num in mats:
            cells = _exact_cells(ex) if ex is not None and (exact or num is None) else None
            parts.append(cells if cells is not None or num is None else _decimal_cells(num, shown, scaled=False))
        if all(num is not None for *_, num in mats) and len({p.exact for p in parts}) > 1:
            parts = [_decimal_cells(num, shown, scaled=False) for *_, num in mats]   # one kind per display
        if any(p is None for p in parts):       # closed forms too long for a matrix: entry by entry
            out.append(_entrywise([(n, ex) for n, ex, _ in mats]))
        else:
            name = "\\left(L \\mid g" + (r" \mid B" if model.C is not None else "") + "\\right)"
            out.append(_layout(name, parts))
        r = s.residual
        if "exp" in r:
            out.append(f"Residuals of the float64 $L$, $g$ (bounds: {tex_escape(r.get('method', ''))}): $|e^{{L\\Delta t}} - W_\\Omega|_{{\\max}} "
                       f"\\le {_sig(r['exp'], 2)}$, $|\\Delta t\\,\\varphi_1(L\\Delta t)\\,g - h|_{{\\max}} \\le "
                       f"{_sig(r['affine'], 2)}$" + (" (lifted: $\\widetilde W_\\Omega$, $\\widetilde h$)"
                                                    if status == "lifted" else "") +
                       (f"; the matrices shown are within ${_sig(s.enclosure.radius(), 2)}$ of the exact ones "
                        f"(the midpoints of certified balls, to {digits} digits)" if wide is not None else
                        f"; the matrices shown are within ${_sig(r['float_error'], 2)}$ of the exact ones"
                        if "float_error" in r else "") + ".")
        elif s.L_exact is not None:
            out.append("The matrices are closed forms, exact (" + _cite("embedding", "beta") + ").")
    symbolic = any(v.condition is not None for v in rc.verdicts.values())
    if symbolic:
        out.append(_conditions_text(rc, status))
    table = _eigen_table(rc, float(model.dt), min(digits, FLOAT_DIGITS), status)   # float eigenvalues
    if table:
        out.append(table)
    return "\n\n".join(out)


def _conditions_text(rc: RegionCheck, status: str) -> str:
    """For symbolic weights: the parameter values where the closed forms are valid, and the
    condition under which each predicate holds."""
    def cond(name: str) -> str:
        c = rc.verdicts[name].condition
        c = sp.true if c is None and rc.verdicts[name].truth is HOLDS else (sp.false if c is None else c)
        return "every value" if c is sp.true else ("no value" if c is sp.false else f"${sp.latex(c)}$")

    key = {"principal": "principal_log", "real_nonprincipal": "real_log"}.get(status)
    valid = (f"The closed forms above are valid for the parameter values where \\texttt{{{tex_escape(key)}}} "
             f"holds: {cond(key)}" + ("; a parameter value, or a relation between parameters, where a formula would "
                                      "read $0/0$ is a case of its own, computed from the matrix there (it is the "
                                      "limit, the principal logarithm and $\\beta$ of it being continuous)"
                                      if key == "principal_log" else "") + ". "
             if key else "")
    rows = [f"\\texttt{{{tex_escape(n)}}}: {cond(n)}" for n in rc.verdicts]
    return valid + "The predicates hold for: " + "; ".join(rows) + "."


def _piecewise_section(model: PLRNN | ReluRNN, names: Sequence[str], systems: dict, digits: int,
                       exact: bool) -> str:
    lifted = [b for b in names if systems.get(b) is not None and systems[b].status == "lifted"]
    rows = []
    for bits in names:
        s = systems.get(bits)
        cond = _region_condition(model, bits, digits, exact)    # breaks at the commas
        what = ("--" if s is None or not s.derived else
                f"p.~\\pageref{{region:{bits}}}" + (" (lifted)" if s.status == "lifted" else ""))
        rows.append(f"\\texttt{{{bits}}} & {cond} & {what} \\\\")
    inp = r" + B_{\Omega(z)}\, s(t)" if model.C is not None else ""
    text = [r"\section{The model as one piecewise system}",
            (r"On the union of the regions derived, the autonomous switching system is"
            f"\\[ \\frac{{dz}}{{dt}} = L_{{\\Omega(z)}}\\, z + g_{{\\Omega(z)}}{inp}, \\]"
            r"where $\Omega(z)$ is the region of $z$, given by the conditions below" +
            ("" if _kind(model) == "plrnn" else
             r" on the pre-activations $\xi(z)$ of the model section (hyperplanes $\xi_k(z) = 0$)"
             if not isinstance(model, DendPLRNN) else r" (the thresholds of each unit, in increasing order)") +
            r". Its vector field is in general "
            r"discontinuous across region boundaries (a Filippov system); where no region is listed, or the region "
            r"has no ODE, it is not defined here."),
            "{\\small\\begin{longtable}{l>{\\raggedright\\arraybackslash}p{0.45\\linewidth}l}\n\\toprule\n"
            "region & condition & $L_\\Omega$, $g_\\Omega$ \\\\\n\\midrule\n\\endhead\n" + "\n".join(rows) +
            "\n\\bottomrule\n\\end{longtable}}"]
    if lifted:
        text.append(r"A lifted region's system acts on $x = (z, y)$ of a higher dimension; it enters the piecewise "
                    r"system only through the sample-and-hold reading, re-embedded at each step ($x = Gz$), not as "
                    r"an autonomous system of dimension $M$.")
    return "\n\n".join(text)


def _appendix(used: Iterable[str]) -> str:
    keys = [k for k in STATEMENTS if k in set(used)]
    out = [r"\appendix", r"\section{Results used}",
           (r"The statements cited above, proved in the documents that accompany \texttt{plrnn\_symbolic} "
           r"(numbered as there)."),
           r"\begin{description}"]
    for k in keys:
        st = STATEMENTS[k]
        out.append(f"\\item[{st.number} ({st.name}).]\\label{{{st.label}}} {st.text}")
    out.append(r"\end{description}")
    return "\n".join(out)


def _representatives(report: CheckReport) -> list[str]:
    """One region per distinct profile (status and the five verdicts), in order."""
    seen: dict[tuple, str] = {}
    for bits, rc in report.regions.items():
        key = (status_of(rc.verdicts), *(v.status for v in rc.verdicts.values()))
        seen.setdefault(key, bits)
    return list(seen.values())


def derivation_document(model: PLRNN | ReluRNN, regions: str | Iterable[str] = "all", mode: str = AUTO, digits: int = 6, *,
                        exact: bool = False, piecewise: bool = False, derivation: ContinuousPLRNN | None = None,
                        report: CheckReport | None = None, z0=None, steps: int | None = None, burn_in: int = 0,
                        max_regions: int = MAX_REGIONS, max_table_rows: int = 1024) -> str:
    r"""The LaTeX source of the document (see the module docstring).

    Parameters
    ----------
    model : PLRNN or ReluRNN
        Any form of the family (ALRNN, dendritic, shallow, general), each written in its own terms.
    regions : "all", "visited" or list of region names
        With ``"all"`` and more than 16 regions, the summary table lists every
        region and one region of each distinct profile (status and verdicts) is
        given a block; otherwise every region asked for is.
    mode : "exact", "certified", "auto" or "float"
        As in :func:`plrnn_symbolic.check` and :func:`plrnn_symbolic.derive`.
    digits : int
        Significant digits shown (the largest entry of each matrix); certified
        arithmetic runs with at least ``digits + 10`` digits.
    exact : bool
        Print exact closed forms (and the model's exact weights) where there
        are any, instead of decimals.
    piecewise : bool
        Add the whole model as one piecewise system with its region conditions.
    derivation, report : optional
        Results already computed for the same model and mode.
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
    >>> "-6.9315 & 0 & 13.8629" in tex and r"\left(L \mid g\right) \approx" in tex
    True
    >>> r"- 10 \log{\left(2 \right)}" in derivation_document(m, regions=["00"], exact=True)
    True
    """
    check_mode(mode)
    if exact and mode == AUTO and not model.is_symbolic:
        mode = EXACT   # exact values need the exact derivation (auto would give balls where they suffice)
    if digits < 1:
        raise InputError("digits must be >= 1")
    names = select_regions(model, regions, z0=z0, steps=steps, burn_in=burn_in, max_regions=max_regions)
    work_digits = max(30, digits + 10)
    if report is None or report.mode != mode or any(b not in report.regions for b in names):
        report = check(model, names, mode, precision=max(53, digits_to_bits(work_digits)) if mode != FLOAT else 53)
    report = CheckReport(model, report.mode, {b: report.regions[b] for b in names}, report.notes)
    many = isinstance(regions, str) and regions == "all" and len(names) > DETAIL_ALL_UP_TO
    detailed = _representatives(report) if many else names
    systems = dict(derivation.systems) if derivation is not None and derivation.mode == mode else {}
    wanted = names if piecewise else detailed
    missing = [b for b in wanted if b not in systems]
    if missing:
        systems.update(derive(model, missing, mode, work_digits).systems)
    body = [_model_section(model, mode, digits, exact, len(names)), _method_section(model)]
    if len(names) > 1:
        body.append(_summary_section(model, report, systems, detailed, digits, max_table_rows))
    body.append(r"\section{The regions}")
    if many:
        body.append(f"One region of each distinct profile (status and verdicts) is given below: {len(detailed)} "
                    f"of the {len(names)} regions. Ask for others by name.")
    for bits in detailed:
        body.append(_region_block(model, report.regions[bits], systems[bits], digits, exact, mode))
    if piecewise:
        body.append(_piecewise_section(model, names, systems, digits, exact))
    text = "\n\n".join(body)
    used = [k for k, st in STATEMENTS.items() if f"[{st.label}]" in text]
    return "\n\n".join([_preamble(model), text, _appendix(used), r"\end{document}"]) + "\n"


def write_derivation(model: PLRNN | ReluRNN, path: str | Path, regions: str | Iterable[str] = "all", mode: str = AUTO,
                     digits: int = 6, pdf: bool = False, **kwargs) -> Path:
    """Write :func:`derivation_document` to ``path`` (a ``.tex`` file in an existing folder);
    with ``pdf``, compile it with :func:`compile_pdf` and return the PDF's path, else the
    ``.tex`` path.  ``kwargs`` go to :func:`derivation_document`.

    Raises
    ------
    InputError
        When ``path`` does not end in ``.tex`` or its folder does not exist.
    """
    path = Path(path)
    if path.suffix != ".tex":
        raise InputError(f"the LaTeX file must end in .tex, got {str(path)!r}")
    if not path.parent.is_dir():
        raise InputError(f"no such folder: {str(path.parent)!r} (create it first)")
    text = derivation_document(model, regions, mode, digits, **kwargs)
    path.write_text(text, encoding="utf-8")
    return compile_pdf(path) if pdf else path


def compile_pdf(tex_path: str | Path, timeout: float = 300, keep_log: bool = False) -> Path:
    """Compile a ``.tex`` file with latexmk (or pdflatex twice) and put the PDF next to it.

    LaTeX runs in a temporary folder, so no auxiliary file is left next to the
    ``.tex`` file; with ``keep_log``, its log is copied there too.

    Raises
    ------
    InputError
        When no LaTeX installation is found, or compilation fails (with the
        first LaTeX error and the log's path, kept next to the ``.tex`` file).
    """
    tex_path = Path(tex_path).resolve()
    if not tex_path.is_file():
        raise InputError(f"no such LaTeX file: {tex_path}")
    latexmk, pdflatex = shutil.which("latexmk"), shutil.which("pdflatex")
    if pdflatex is None:
        raise InputError("no LaTeX installation found (pdflatex is not on PATH): install one, e.g. Debian's "
                         "texlive-latex-base, texlive-latex-extra and latexmk, or compile the .tex file elsewhere")
    name = tex_path.name
    with tempfile.TemporaryDirectory(prefix="plrnn-latex-") as tmp:
        work = Path(tmp)
        shutil.copy(tex_path, work / name)
        if latexmk is not None:
            cmds = [[latexmk, "-pdf", "-interaction=nonstopmode", "-halt-on-error", name]]
        else:
            cmds = [[pdflatex, "-interaction=nonstopmode", "-halt-on-error", name]] * 2
        log = work / tex_path.with_suffix(".log").name
        for cmd in cmds:
            try:
                proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise InputError(f"LaTeX did not finish within {timeout:g} s on {tex_path}") from None
            if proc.returncode != 0:
                kept = tex_path.with_suffix(".log")
                if log.is_file():
                    shutil.copy(log, kept)
                first = next((line for line in (proc.stdout or "").splitlines() if line.startswith("!")), "")
                raise InputError(f"LaTeX failed on {tex_path}: {first or 'see the log'} (log: {kept})")
        pdf = work / tex_path.with_suffix(".pdf").name
        if not pdf.is_file():
            raise InputError(f"LaTeX ran but wrote no PDF for {tex_path}")
        out = tex_path.with_suffix(".pdf")
        shutil.copy(pdf, out)
        if keep_log and log.is_file():
            shutil.copy(log, tex_path.with_suffix(".log"))
    return out
