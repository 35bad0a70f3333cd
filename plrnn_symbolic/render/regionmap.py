"""A map of the 2^M regions coloured by what the theorems allow there.

Regions are laid out on a 2^a x 2^b grid (a = ceil(M / 2)): the row is read
from the first a bits, the column from the rest, so neighbouring cells in a
row differ in the last units.  Colours follow the derivation status implied by
the verdicts (:func:`plrnn_symbolic.analysis.transform.status_of`); a dot marks the
eigenvalue one, a frame the regions a trajectory visited.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..core.errors import InputError

__all__ = [
    "COLOURS",
    "LABELS",
    "region_map",
]

COLOURS = {
    "principal": "#4c9a2a",
    "real_nonprincipal": "#3a6ea5",
    "lifted": "#e69f00",
    "impossible": "#c0392b",
    "undecided": "#9e9e9e",
}
LABELS = {
    "principal": "principal log",
    "real_nonprincipal": "real log, not principal",
    "lifted": "no real log: lifted",
    "impossible": "singular: impossible",
    "undecided": "undecided",
}


def region_map(report, path=None, *, visited: Iterable[str] = (), title: str | None = None, max_units: int = 12):
    """Draw the region map of a :class:`~plrnn_symbolic.analysis.conditions.CheckReport`.

    Parameters
    ----------
    report : CheckReport
    path : str or Path, optional
        Save the figure there (PNG, PDF, ...); the figure is returned either way.
    visited : iterable of bit strings
        Regions to frame (e.g. those of a trajectory).
    max_units : int
        Larger models have too many cells to read; check visited regions instead.

    Examples
    --------
    >>> from plrnn_symbolic import check, example
    >>> fig = region_map(check(example("chaotic")))
    >>> len(fig.axes[0].patches) >= 32
    True
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    from ..analysis.transform import status_of

    M = report.model.M
    if M > max_units:
        raise InputError(f"a region map of {M} units has 2^{M} cells; plot at most {max_units} units "
                         "(raise max_units, or check --regions visited)")
    a = (M + 1) // 2
    b = M - a
    rows, cols = 2**a, 2**b
    size = max(3.0, min(12.0, 0.35 * max(rows, cols)))
    fig, ax = plt.subplots(figsize=(size * cols / max(rows, cols) + 2.5, size * rows / max(rows, cols) + 0.8))
    visited = set(visited)
    seen = set()
    for bits, statuses in report.statuses().items():
        st = status_of(statuses)
        seen.add(st)
        r = int(bits[:a], 2) if a else 0
        c = int(bits[a:], 2) if b else 0
        ax.add_patch(Rectangle((c, rows - 1 - r), 1, 1, facecolor=COLOURS[st], edgecolor="white",
                               linewidth=0.5 if rows * cols <= 256 else 0.0))   # white lines would bury small cells
        if statuses["eigenvalue_one"] == "holds":
            ax.plot(c + 0.5, rows - 0.5 - r, "o", color="black", markersize=max(2, 40 / max(rows, cols)))
        if bits in visited:
            ax.add_patch(Rectangle((c + 0.04, rows - 1 - r + 0.04), 0.92, 0.92, fill=False, edgecolor="black",
                                   linewidth=1.5))
    ax.set_xlim(0, cols)
    ax.set_ylim(0, rows)
    ax.set_aspect("equal")
    if cols <= 16:
        ax.set_xticks(np.arange(cols) + 0.5, [format(i, f"0{b}b") if b else "" for i in range(cols)],
                      rotation=90, fontsize=7)
    else:
        ax.set_xticks([])
    if rows <= 16:
        ax.set_yticks(np.arange(rows) + 0.5, [format(rows - 1 - i, f"0{a}b") for i in range(rows)], fontsize=7)
    else:
        ax.set_yticks([])
    ax.set_xlabel(f"units {a + 1}..{M}" if b else "")
    ax.set_ylabel(f"units 1..{a}")
    handles = [Patch(color=COLOURS[s], label=LABELS[s]) for s in COLOURS if s in seen]
    handles.append(plt.Line2D([], [], marker="o", color="black", linestyle="", label="eigenvalue one"))
    if visited:
        handles.append(Patch(facecolor="none", edgecolor="black", label="visited"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)
    name = report.model.name or "model"
    ax.set_title(title or f"{name}: regions by status ({report.mode})", fontsize=10)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=120)
        plt.close(fig)
    return fig
