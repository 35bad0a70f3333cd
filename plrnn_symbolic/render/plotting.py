"""Figures (matplotlib, Agg backend; imported only when a figure is asked for).

:func:`plot_simulation` draws the figure of ``plrnn-symbolic simulate --plot``:
time graphs of chosen units (the discrete states as points over the hybrid and
autonomous continuous-time trajectories, evaluated densely with their closed-form
flows) and a 2-D section through two units with the piecewise vector field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_simulation"]

_COLORS = {"discrete": "black", "hybrid": "#1f5fa8", "autonomous": "#d9711c", "fail": "#c0282d"}


def _default_units(X: np.ndarray, n: int = 2) -> list[int]:
    """0-based indices: the unit that varies most, then the one that adds most to it (large
    spread, little correlation), so that the 2-D section opens up."""
    sd = np.nanstd(X, axis=0)
    first = int(np.argmax(sd))
    if n < 2 or X.shape[1] < 2 or sd[first] == 0:
        return [first]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.nan_to_num(np.corrcoef(X.T)[first])
    score = sd * np.sqrt(np.clip(1 - corr**2, 0, 1))
    score[first] = -1
    return [first, int(np.argmax(score))]


def _section_field(result, a: int, b: int, anchor: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """(U, V): the (a, b) components of the region field on the plane through ``anchor``
    spanned by units a and b (each point uses the field of its own region; NaN where a
    region has no continuous-time system)."""
    from ..analysis.transform import derive
    from ..model.regions import region_of

    systems = dict(result.systems)
    U = np.full((len(ys), len(xs)), np.nan)
    V = np.full_like(U, np.nan)
    z = anchor.copy()
    s = None if result.inputs is None or not len(result.inputs) else result.inputs[-1]
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            z[a], z[b] = x, y
            bits = region_of(z, result.model)
            if bits not in systems:
                systems[bits] = derive(result.model, [bits], mode=result.mode)[bits]
            sysm = systems[bits]
            if not sysm.derived:
                continue
            u = sysm.g + (sysm.B @ s if s is not None and sysm.B is not None else 0)
            v = sysm.P @ (sysm.L @ (sysm.G @ z) + u)
            U[i, j], V[i, j] = v[a], v[b]
    return U, V


def plot_simulation(result, path: str | Path | None = None, units: list[int] | None = None, window: int = 120,
                    per_step: int = 24):
    """Draw a :class:`~plrnn_symbolic.analysis.simulation.SimulationResult`.

    Parameters
    ----------
    result : SimulationResult
    path : str or Path, optional
        Where to write the figure (PNG, PDF or SVG by extension); without it the figure is returned.
    units : list of int, optional
        1-based units: the first two define the 2-D section; all are drawn as time graphs
        (default: the two most variable units).
    window : int
        The last ``window`` steps are drawn (all of them if fewer).
    per_step : int
        Dense points per step on the continuous-time curves.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..core.errors import InputError

    M = result.model.M
    X = result.discrete
    idx = [u - 1 for u in units] if units else _default_units(X, min(2, M))
    if any(not 0 <= i < M for i in idx):
        raise InputError(f"units to plot are 1..{M}")
    dt = float(result.model.dt)
    n0 = max(0, result.steps - window)
    t0, t1 = n0 * dt, result.steps * dt
    curves = {}
    for which in ("hybrid", "autonomous"):
        if getattr(result, which) is not None:
            t, Z = result.dense(which, per_step)
            keep = t >= t0 - 1e-12
            curves[which] = (t[keep], Z[keep])

    with plt.rc_context({"font.family": "serif", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False, "axes.titlesize": 9, "legend.fontsize": 8,
                         "legend.frameon": False}):
        fig = plt.figure(figsize=(10, 2.0 + 1.6 * len(idx)), constrained_layout=True)
        section = len(idx) >= 2
        gs = fig.add_gridspec(len(idx), 2 if section else 1, width_ratios=[1.7, 1] if section else None)
        fails = [v.witness for v in result.e1 if v.status == "fails" and v.witness["step"] >= n0]
        ts = result.times[n0:]
        ax0 = None
        for row, i in enumerate(idx):
            ax = fig.add_subplot(gs[row, 0], sharex=ax0)
            ax0 = ax0 or ax
            ax.axhline(0, color="0.75", lw=0.6, zorder=0)
            if "hybrid" in curves:
                ax.plot(curves["hybrid"][0], curves["hybrid"][1][:, i], color=_COLORS["hybrid"], lw=1.1,
                        label="hybrid (sample and hold, E3)")
            if "autonomous" in curves:
                ax.plot(curves["autonomous"][0], curves["autonomous"][1][:, i], color=_COLORS["autonomous"],
                        lw=1.0, ls="--", label="autonomous (switching)")
            ax.plot(ts, X[n0:, i], "o", ms=2.6, color=_COLORS["discrete"], label="discrete $z_n$", zorder=3)
            for w in fails:   # where the region flow of step n leaves its region (E1 fails)
                if w["unit"] - 1 == i:
                    ax.plot(w["step"] * dt + w["time"][0], 0, "x", color=_COLORS["fail"], ms=4, mew=1)
            ax.set_ylabel(f"$z_{{{i + 1}}}$")
            ax.set_xlim(t0, t1)
            if row == 0:
                ax.set_title(f"{result.model.name or 'model'}: last {result.steps - n0} of {result.steps} steps "
                             f"(dt = {result.model.dt})\nx: a unit leaves its region within the step (E1 fails)",
                             loc="left")
                ax.legend(loc="lower left", bbox_to_anchor=(0, 1.2), ncol=3, borderaxespad=0)
        ax0.figure.axes[-1].set_xlabel("time t")

        if section:
            a, b = idx[0], idx[1]
            ax = fig.add_subplot(gs[:, 1])
            pts = X[n0:]
            lo = np.nanmin(pts[:, [a, b]], axis=0)
            hi = np.nanmax(pts[:, [a, b]], axis=0)
            pad = 0.15 * np.maximum(hi - lo, 1e-3)
            lo, hi = lo - pad, hi + pad
            xs, ys = np.linspace(lo[0], hi[0], 25), np.linspace(lo[1], hi[1], 25)
            anchor = X[-1].copy()
            U, V = _section_field(result, a, b, anchor, xs, ys)
            speed = np.hypot(U, V)
            ax.streamplot(xs, ys, U, V, color=np.log10(speed + 1e-12), cmap="Greys", density=1.0,
                          linewidth=0.6, arrowsize=0.7, zorder=0)
            ax.axvline(0, color="0.5", lw=0.7, ls=":")
            ax.axhline(0, color="0.5", lw=0.7, ls=":")
            for which, style in (("hybrid", "-"), ("autonomous", "--")):
                if which in curves:
                    Z = curves[which][1]
                    ax.plot(Z[:, a], Z[:, b], style, color=_COLORS[which], lw=1.0)
            ax.plot(pts[:, a], pts[:, b], "o", ms=2.6, color=_COLORS["discrete"], zorder=3)
            ax.set_xlim(lo[0], hi[0])
            ax.set_ylim(lo[1], hi[1])
            ax.set_xlabel(f"$z_{{{a + 1}}}$")
            ax.set_ylabel(f"$z_{{{b + 1}}}$")
            ax.set_title("2-D section: vector field of each region\n" +
                         ("other units fixed at $z_N$; " if M > 2 else "") + "dotted: region boundaries", loc="left")
        if path is not None:
            fig.savefig(path, dpi=150)
            plt.close(fig)
    return fig
