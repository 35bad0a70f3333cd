"""Phase portrait of a 2-D section of a PLRNN and its continuous-time system.

The section is the plane of units i and j with every other unit held at a
chosen value (the trajectory mean by default, or a fixed point).  On it the
plot shows

* the vector field dz/dt = L_Omega z + g_Omega of the continuous system, each
  point using the system of its own region (derived in float mode once per
  region); in a lifted region the arrow is the initial velocity
  P (L G z + g) of the lifted flow, and regions without a continuous system
  (singular W_Omega) are left blank.  The field is generally discontinuous
  across the axes z_i = 0 (a Filippov system, THEORY section 6): streamlines
  may end or bend sharply there;
* the fixed points of the map, projected onto the plane, with a marker per
  continuous type (filled: real, hollow: virtual; green: stable, red: unstable);
* a trajectory of the map, projected.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..analysis.dynamics_report import DynamicsReport, dynamics
from ..analysis.transform import ContinuousPLRNN
from ..core.errors import InputError
from ..model.plrnn import PLRNN
from ..model.regions import region_of
from .figures import STYLE

MARKERS = {"stable node": "o", "unstable node": "o", "stable focus": "s", "unstable focus": "s",
           "saddle": "X", "saddle-focus": "P", "non-hyperbolic": "D", None: "v"}


def section_field(model: PLRNN, units: tuple[int, int], at: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                  systems: ContinuousPLRNN | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Components (U, V) of the continuous vector field on the grid xs x ys of the section.

    ``U[a, b]``, ``V[a, b]`` are d z_i/dt, d z_j/dt at z_i = xs[b], z_j = ys[a]
    (NaN where the region has no continuous system).

    >>> m = PLRNN(A=[[0.5, 0], [0, 0.5]], W=[[0, 0], [0, 0]], h=[1, -1])
    >>> U, V = section_field(m, (0, 1), np.zeros(2), np.array([2.0, 3.0]), np.array([-2.0]))
    >>> np.round(U, 6).tolist(), np.round(V, 6).tolist()   # L = -log 2, equilibrium (2, -2)
    ([[0.0, -0.693147]], [[0.0, 0.0]])
    """
    i, j = units
    systems = systems or ContinuousPLRNN(model, {}, "float")
    X, Y = np.meshgrid(xs, ys)
    Z = np.repeat(np.asarray(at, dtype=float)[None, :], X.size, axis=0)
    Z[:, i], Z[:, j] = X.ravel(), Y.ravel()
    names = [region_of(z, model) for z in Z]
    systems.prefetch(names)
    out = np.full((X.size, 2), np.nan)
    for bits in set(names):
        s = systems.system(bits)
        if not s.derived:
            continue
        rows = [k for k, b in enumerate(names) if b == bits]
        v = (Z[rows] @ s.G.T) @ s.L.T @ s.P.T + s.g @ s.P.T
        out[rows] = v[:, [i, j]]
    return out[:, 0].reshape(X.shape), out[:, 1].reshape(X.shape)


def phase_portrait(model: PLRNN, units: tuple[int, int] = (0, 1), *, report: DynamicsReport | None = None,
                   at: str | Sequence[float] = "mean", z0=None, steps: int = 1000, grid: int = 40,
                   path: str | None = None, ax=None, max_virtual: int = 16):
    """Plot the phase portrait of the section of units ``units`` (0-based).

    Parameters
    ----------
    units : (i, j)
        The two units spanning the section.
    report : DynamicsReport, optional
        Fixed points to draw (computed with :func:`plrnn_symbolic.dynamics` if not given).
    at : "mean", "fixed_point" or array
        Values of the other units: the mean of the trajectory, the first real
        fixed point (else the mean), or given values.
    z0, steps :
        The trajectory drawn (default from the model's z0).
    grid : int
        Points per axis of the vector field.
    path : str, optional
        Save the figure there (PNG).
    max_virtual : int
        Virtual fixed points are drawn only when there are at most this many
        (a 10-unit model has up to 1023, which would bury the real ones);
        the title says how many were left out.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    i, j = units
    if not (0 <= i < model.M and 0 <= j < model.M) or i == j:
        raise InputError(f"units must be two different indices in 0..{model.M - 1}, got {units}")
    num = model.numeric
    start = np.asarray(z0 if z0 is not None else num.z0 if num.z0 is not None else np.zeros(model.M), dtype=float)
    traj = num.trajectory(start, steps)
    traj = traj[np.all(np.isfinite(traj), axis=1)]
    if report is None:
        report = dynamics(model, lyapunov_steps=10, burn_in=0)
    real = report.real_fixed_points
    if isinstance(at, str):
        if at not in ("mean", "fixed_point"):
            raise InputError("at must be 'mean', 'fixed_point' or a vector of values")
        section = real[0].z.copy() if at == "fixed_point" and real else traj.mean(axis=0)
        at_text = "a real fixed point" if at == "fixed_point" and real else "the trajectory mean"
    else:
        section = np.asarray(at, dtype=float).ravel()
        if section.shape != (model.M,):
            raise InputError(f"at has length {section.size}, expected {model.M}")
        at_text = "given values"

    pts = np.vstack([traj[:, [i, j]], *[fp.z[[i, j]][None] for fp in real], np.zeros((1, 2))])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad, hi + pad
    xs, ys = np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)
    U, V = section_field(model, (i, j), section, xs, ys)

    with plt.rc_context(STYLE | {"figure.constrained_layout.use": False}):   # the house style
        fig = None
        if ax is None:
            fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
        else:
            fig = ax.figure
        speed = np.hypot(U, V)
        if np.isfinite(speed).any():
            strm = ax.streamplot(xs, ys, U, V, color=np.log10(speed + 1e-12), cmap="viridis", density=1.3,
                                 linewidth=0.8, arrowsize=0.9)
            fig.colorbar(strm.lines, ax=ax, label="log10 |dz/dt| (in the section)")
        ax.axhline(0, color="0.5", lw=0.8, ls="--")
        ax.axvline(0, color="0.5", lw=0.8, ls="--")
        ax.plot(traj[:, i], traj[:, j], "-", color="0.25", lw=0.5, alpha=0.6)
        ax.plot(traj[:, i], traj[:, j], ".", color="0.15", ms=2.5, label="map trajectory")

        virtual = [fp for fp in report.fixed_points if not fp.real]
        drawn = [fp for fp in report.fixed_points if fp.real or len(virtual) <= max_virtual]
        for fp in drawn:
            x, y = fp.z[[i, j]]
            if not (lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1]):
                continue
            _, cont, _ = fp.types
            color = "tab:green" if fp.stable else "tab:red"
            ax.plot(x, y, MARKERS.get(cont, "v"), ms=11 if fp.real else 8, mec=color, mew=1.8,
                    mfc=color if fp.real else "none", alpha=1.0 if fp.real else 0.6, zorder=6 if fp.real else 5)
            if fp.real:
                ax.annotate(f"{fp.region}\n{cont}", (x, y), textcoords="offset points", xytext=(8, 8), fontsize=8)

        types = sorted({fp.types[1] or "singular" for fp in drawn
                        if lo[0] <= fp.z[i] <= hi[0] and lo[1] <= fp.z[j] <= hi[1]})
        handles = [Line2D([], [], ls="", marker=".", color="0.15", label="map trajectory")]
        handles += [Line2D([], [], ls="", marker=MARKERS.get(None if t == "singular" else t, "v"), color="0.3",
                           mfc="0.3", label=t) for t in types]
        handles += [Line2D([], [], ls="", marker="o", mec="k", mfc="k", label="real (filled)"),
                    Line2D([], [], ls="", marker="o", mec="k", mfc="none", label="virtual (hollow)"),
                    Line2D([], [], ls="", marker="s", color="tab:green", label="stable"),
                    Line2D([], [], ls="", marker="s", color="tab:red", label="unstable")]
        ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel(f"z{i + 1}")
        ax.set_ylabel(f"z{j + 1}")
        ax.set_title(f"{model.name or 'PLRNN'}: section (z{i + 1}, z{j + 1}), other units at {at_text}\n"
                     "flow of the continuous system per region; fixed points projected" +
                     (f" ({len(virtual)} virtual ones not drawn)" if len(drawn) < len(report.fixed_points) else ""),
                     fontsize=9)
    if path:
        fig.savefig(path, bbox_inches="tight")
        plt.close(fig)
    return fig


__all__ = ["phase_portrait", "section_field"]
