"""The figures of :mod:`plrnn_symbolic.plot`: one style, observation space, and the four plots.

Every figure is drawn inside :data:`STYLE` (one font, sizes and title placement), is returned
as a :class:`matplotlib.figure.Figure`, and is written to ``path`` when one is given.  States
are drawn in observation space x = B z: the matrix or units given as ``observe``, else the
model's own ``observation`` matrix when it has one, else the latent units z.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np

from ..analysis.transform import ContinuousPLRNN, derive, status_of
from ..core.errors import InputError
from ..model.plrnn import PLRNN
from ..model.regions import region_matrix, region_of
from .regionmap import COLOURS, LABELS, region_map

__all__ = ["STYLE", "Observation", "observation", "phase", "regions", "simulation", "spectrum"]

#: the rc parameters of every figure of the package
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "figure.constrained_layout.use": True,
}
_COLOURS = {"discrete": "black", "hybrid": "#1f5fa8", "autonomous": "#d9711c", "fail": "#c0282d", "sliding": "#7a5195"}


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _finish(fig, path):
    if path is not None:
        fig.savefig(Path(path))
        _pyplot().close(fig)
    return fig


# ---- observation space -------------------------------------------------------------------------
class Observation:
    """A linear read-out x = B z of the latent state, with a name for each row.

    Attributes
    ----------
    B : (P, M) array
    labels : P names (``x1``..., or ``z3`` for a latent unit)
    what : a phrase for titles, e.g. "observed x = B z" or "latent units"
    """

    def __init__(self, B: np.ndarray, labels: Sequence[str], what: str):
        self.B, self.labels, self.what = np.asarray(B, dtype=float), list(labels), what

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        return np.asarray(Z, dtype=float) @ self.B.T

    @property
    def latent(self) -> bool:
        return self.what.startswith("latent")


def observation(model: PLRNN, observe=None) -> Observation:
    """The read-out to draw ``model``'s states in.

    Parameters
    ----------
    model : PLRNN
    observe : None, sequence of int, or (P, M) array_like
        None: the model's ``observation`` matrix B when it has one, else all latent units;
        a sequence of 1-based unit numbers: those latent units; a matrix: x = observe @ z.

    Examples
    --------
    >>> from plrnn_symbolic import example
    >>> m = example("chaotic")
    >>> observation(m, [1, 3]).labels, observation(m).what
    (['z1', 'z3'], 'latent units')
    >>> observation(m, np.ones((1, 5))).labels
    ['x1']
    """
    M = model.M
    if observe is None:
        B = getattr(model, "observation", None)
        if B is None:
            return Observation(np.eye(M), [f"z{i + 1}" for i in range(M)], "latent units")
        B = np.asarray(B.tolist() if hasattr(B, "tolist") else B, dtype=float)
        return Observation(B, [f"x{i + 1}" for i in range(B.shape[0])], "observed x = B z")
    arr = np.asarray(observe)
    if arr.ndim == 1 and arr.size and np.issubdtype(arr.dtype, np.integer):
        if arr.min() < 1 or arr.max() > M:
            raise InputError(f"units to observe are 1..{M}, got {arr.tolist()}")
        return Observation(np.eye(M)[arr - 1], [f"z{u}" for u in arr.tolist()], "latent units")
    if arr.ndim != 2 or arr.shape[1] != M:
        raise InputError(f"observe must be 1-based unit numbers or a (P, {M}) matrix, got shape {arr.shape}")
    return Observation(arr.astype(float), [f"x{i + 1}" for i in range(arr.shape[0])], "x = B z (given B)")


def _most_variable(X: np.ndarray, n: int) -> list[int]:
    """Indices of the n rows that vary most, the later ones chosen for spread not explained by
    the earlier (large standard deviation, little correlation)."""
    sd = np.nanstd(X, axis=0)
    out = [int(np.argmax(sd))]
    while len(out) < min(n, X.shape[1]):
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.nan_to_num(np.corrcoef(X.T)[out]) if X.shape[0] > 1 else np.zeros((len(out), X.shape[1]))
        score = sd * np.sqrt(np.clip(1 - (corr**2).max(axis=0), 0, 1))
        score[out] = -1
        out.append(int(np.argmax(score)))
    return out


# ---- simulation ----------------------------------------------------------------------------------
def simulation(result, path=None, *, observe=None, dims: Sequence[int] | None = None, window: int = 200,
               per_step: int = 16):
    """Time graphs of a simulation, and the deviations that say how far to trust them.

    Top: up to four observed variables over the last ``window`` steps, the discrete states
    z_n as points over the hybrid (sample and hold, E3) and autonomous (switching) trajectories,
    which are drawn densely with their closed-form flows; a cross marks a step whose region flow
    leaves its region (E1 fails).  Bottom: the deviation of each continuous trajectory from the
    discrete one at the sample times, on a log scale, so that the one-step agreement of the
    hybrid system and the drift of the free runs read at a glance.  Where the autonomous trajectory
    slides on a switching surface (Filippov) both panels are shaded; a trajectory that stops (or
    none drawn in the window) is not listed in the legend, and its label says where it stopped.

    Parameters
    ----------
    result : SimulationResult
    path : str or Path, optional
        Write the figure there (PNG, PDF or SVG by extension).
    observe : see :func:`observation`
    dims : sequence of int, optional
        0-based rows of the observation to draw (default: the model's observed variables, or
        the two most variable latent units).
    window, per_step : int
        Steps shown, and dense points per step on the continuous curves.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per drawn variable over time, and the deviation panel; written to ``path`` too when given.

    Examples
    --------
    >>> from plrnn_symbolic import example, plot, simulate
    >>> sim = simulate(example("limit_cycle"), steps=100)
    >>> fig = plot.simulation(sim)
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['z3', 'z4', '|continuous - discrete|']
    """
    plt = _pyplot()
    obs = observation(result.model, observe)
    X = obs(result.discrete)
    if dims is None:
        dims = _most_variable(X, 2) if obs.latent and X.shape[1] > 2 else list(range(min(4, X.shape[1])))
    dims = list(dims)
    if not dims or any(not 0 <= d < X.shape[1] for d in dims):
        raise InputError(f"dims are 0-based rows of the observation, 0..{X.shape[1] - 1}")
    dt = float(result.model.dt)
    n0 = max(0, result.steps - window)
    t0, t1 = n0 * dt, max(result.steps, 1) * dt
    curves = {}
    for which in ("hybrid", "autonomous"):
        if getattr(result, which) is not None:
            t, Z = result.dense(which, per_step)
            keep = t >= t0 - 1e-12
            if np.isfinite(Z[keep]).any():       # a trajectory that stopped before the window is not listed
                curves[which] = (t[keep], obs(Z[keep]))
    stops = [ev.time for ev in getattr(result, "sliding", ())]
    aut_label = "autonomous (switching)" + (f"; stops at t = {stops[0]:.4g}" if stops else "")
    slides = [(sg.start_time, sg.end_time) for sg in getattr(result, "sliding_segments", ())
              if sg.end_time >= t0 and "autonomous" in curves]
    fails = [v.witness for v in result.e1 if v.status == "fails" and v.witness.get("step", -1) >= n0]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(dims) + 1, 1, figsize=(8, 1.5 + 1.5 * len(dims)), sharex=True,
                                 height_ratios=[1.0] * len(dims) + [0.8])
        ts = result.times[n0:]
        for ax, d in zip(axes, dims):
            ax.axhline(0, color="0.8", lw=0.6, zorder=0)
            if "hybrid" in curves:
                ax.plot(curves["hybrid"][0], curves["hybrid"][1][:, d], color=_COLOURS["hybrid"], lw=1.1,
                        label="hybrid (sample and hold, E3)")
            if "autonomous" in curves:
                ax.plot(curves["autonomous"][0], curves["autonomous"][1][:, d], color=_COLOURS["autonomous"],
                        lw=1.0, ls="--", label=aut_label)
            _shade_sliding(ax, slides)
            ax.plot(ts, X[n0:, d], "o", ms=2.4, color=_COLOURS["discrete"], label="discrete map", zorder=3)
            if obs.latent:
                unit = int(obs.labels[d][1:]) - 1
                tx = [w["step"] * dt + w["time"][0] for w in fails if w.get("unit", 0) - 1 == unit]
                if tx:
                    ax.plot(tx, np.zeros(len(tx)), "x", color=_COLOURS["fail"], ms=4, mew=1,
                            label="leaves its region within the step (E1 fails)")
            ax.set_ylabel(obs.labels[d])
        fig.suptitle(f"{result.model.name or 'model'}: last {result.steps - n0} of {result.steps} steps, "
                     f"dt = {result.model.dt}, in {obs.what}", x=0.01, ha="left", fontsize=10)
        handles, labels = axes[0].get_legend_handles_labels()
        for ax in axes[1:len(dims)]:
            for h_, lab in zip(*ax.get_legend_handles_labels()):
                if lab not in labels:
                    handles.append(h_)
                    labels.append(lab)
        fig.legend(handles, labels, loc="outside lower center", ncol=4 if len(labels) <= 4 else 3)
        ax = axes[-1]
        _shade_sliding(ax, slides)
        for which, style in (("hybrid", "-"), ("autonomous", "--")):
            traj = getattr(result, which)
            if traj is not None and np.isfinite(traj[n0:]).any():
                dev = np.abs(traj - result.discrete).max(axis=1)[n0:]
                ax.semilogy(ts, np.maximum(dev, 1e-17), style, color=_COLOURS[which], lw=1.0,
                            label=f"{which}, free run from z_0")
        if result.hybrid_step_deviation is not None:
            ax.axhline(max(result.hybrid_step_deviation, 1e-17), color=_COLOURS["hybrid"], lw=0.8, ls=":",
                       label="hybrid, one step from each z_n (max)")
        ax.set_ylabel("|continuous - discrete|")
        ax.set_xlabel("time t")
        ax.set_xlim(t0, t1)
        ax.legend(loc="upper left", ncol=3, fontsize=7)
    return _finish(fig, path)


def _shade_sliding(ax, spans) -> None:
    """Shade the stretches where the autonomous trajectory slides on a switching surface (Filippov);
    labelled once per axes, and only when something is shaded."""
    for i, (a, b) in enumerate(spans):
        ax.axvspan(a, max(b, a + 1e-9), color=_COLOURS["sliding"], alpha=0.25, lw=0, zorder=0,
                   label="autonomous slides on a surface (Filippov)" if i == 0 else None)


# ---- phase portrait --------------------------------------------------------------------------------
def _plane(obs: Observation, X: np.ndarray, dims):
    """(Pi, names, what): the 2 x M projection of the latent state onto the drawn plane."""
    Y = obs(X)
    if dims is not None:
        a, b = dims
        return obs.B[[a, b]], [obs.labels[a], obs.labels[b]], f"{obs.labels[a]}, {obs.labels[b]} ({obs.what})"
    if Y.shape[1] == 2:
        return obs.B, obs.labels, f"{obs.labels[0]}, {obs.labels[1]} ({obs.what})"
    Yc = Y - Y.mean(axis=0)
    _, sv, Vt = np.linalg.svd(Yc, full_matrices=False)
    share = float((sv[:2] ** 2).sum() / max((sv**2).sum(), 1e-300))
    return (Vt[:2] @ obs.B, ["PC1", "PC2"],
            f"the first two principal components of the orbit in {obs.what} ({share:.0%} of its variance)")


def phase(source, path=None, *, observe=None, dims: Sequence[int] | None = None, z0=None, steps: int = 2000,
          burn_in: int = 0, grid: int = 32, report=None, mode: str = "certified"):
    """The orbit and the continuous vector field of the regions it visits, in a 2-D projection.

    Each grid point p of the plane is lifted to a latent state next to the orbit: with z_k the
    orbit point whose projection is nearest, z = z_k + Pi^+ (p - Pi z_k), where Pi is the
    projection.  The arrow there is Pi (L z + g), the field of z_k's region (a visited
    region; in a lifted region the initial velocity P (L G z + g)).  So the streamlines are
    the continuous system along the orbit, not a section through a point away from it;
    grid points farther from the orbit than a fifth of the plot are left blank.  The field is that
    of the autonomous system without input (s = 0).

    Parameters
    ----------
    source : PLRNN or SimulationResult
        A model (its float orbit from ``z0`` is computed, ``burn_in`` steps dropped) or a
        simulation (its discrete trajectory and region systems are used).
    path : str or Path, optional
    observe : see :func:`observation`
    dims : (int, int), optional
        Two 0-based rows of the observation; by default the two observed variables when there
        are two, else the first two principal components of the orbit (the title says which).
    report : DynamicsReport, optional
        Real fixed points to draw, projected.
    mode : str
        Derivation mode of the visited regions' systems (for a model source).

    Returns
    -------
    matplotlib.figure.Figure
        The orbit over the streamlines of its regions' fields; written to ``path`` too when given.

    Examples
    --------
    >>> from plrnn_symbolic import example, plot
    >>> fig = plot.phase(example("limit_cycle"), steps=300, grid=12)
    >>> "principal components" in fig.axes[0].get_title(loc="left")
    True
    """
    plt = _pyplot()
    if isinstance(source, PLRNN):
        model = source
        num = model.numeric
        start = z0 if z0 is not None else num.z0 if num.z0 is not None else np.zeros(model.M)
        X = num.trajectory(num.trajectory(start, burn_in)[-1], steps)
        X = X[np.all(np.isfinite(X), axis=1)]
        names = list(dict.fromkeys(region_of(z, model) for z in X))
        systems = dict(derive(model, names, mode=mode).systems)
    else:
        model = source.model
        X = source.discrete[np.all(np.isfinite(source.discrete), axis=1)]
        systems = dict(source.systems)
    obs = observation(model, observe)
    Pi, names2, what = _plane(obs, X, dims)
    Y = X @ Pi.T
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    pad = 0.12 * np.maximum(hi - lo, 1e-6)
    lo, hi = lo - pad, hi + pad
    xs, ys = np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)
    P2 = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    scale = (hi - lo)
    d2 = (((P2[:, None, :] - Y[None, :, :]) / scale) ** 2).sum(axis=2)
    k = d2.argmin(axis=1)
    near = np.sqrt(d2[np.arange(len(P2)), k]) <= 0.2
    Z = X[k] + (P2 - Y[k]) @ np.linalg.pinv(Pi).T
    V = np.full((len(P2), 2), np.nan)
    regions_k = [region_of(z, model) for z in X]
    for idx in np.flatnonzero(near):
        sysm = systems.get(regions_k[k[idx]])
        if sysm is None or not sysm.derived:
            continue
        V[idx] = Pi @ (sysm.P @ (sysm.L @ (sysm.G @ Z[idx]) + sysm.g))
    U2, V2 = V[:, 0].reshape(grid, grid), V[:, 1].reshape(grid, grid)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.2, 5.4))
        speed = np.hypot(U2, V2)
        if np.isfinite(speed).any():
            strm = ax.streamplot(xs, ys, U2, V2, color=np.log10(speed + 1e-12), cmap="Blues", density=1.2,
                                 linewidth=0.7, arrowsize=0.8, zorder=1)
            fig.colorbar(strm.lines, ax=ax, label="log10 speed in the plane", shrink=0.8)
        ax.plot(Y[:, 0], Y[:, 1], "-", color="0.3", lw=0.5, alpha=0.7, zorder=2)
        ax.plot(Y[:, 0], Y[:, 1], ".", color="black", ms=2.2, label="orbit of the map", zorder=3)
        if report is not None:
            for fp in report.real_fixed_points:
                p = Pi @ np.asarray(fp.z, dtype=float)
                colour = "tab:green" if fp.stable else "tab:red"
                ax.plot(*p, "o", ms=8, mfc=colour, mec="black", zorder=5,
                        label=f"real fixed point ({'stable' if fp.stable else 'unstable'})")
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xlabel(names2[0])
        ax.set_ylabel(names2[1])
        ax.set_title(f"{model.name or 'model'}: orbit and the continuous vector field of the {len(systems)} "
                     f"regions it visits\nprojected onto {what}", wrap=True)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        ax.legend(unique.values(), unique.keys(), loc="upper left", bbox_to_anchor=(0, -0.12), ncol=3)
    return _finish(fig, path)


# ---- regions ---------------------------------------------------------------------------------------
def _region_sequence(trajectory, model: PLRNN) -> list[str]:
    if trajectory is None:
        return []
    if hasattr(trajectory, "discrete"):
        trajectory = trajectory.discrete
    if isinstance(trajectory, np.ndarray) or (len(trajectory) and not isinstance(trajectory[0], str)):
        X = np.asarray(trajectory, dtype=float)
        return [region_of(z, model) for z in X[np.all(np.isfinite(X), axis=1)]]
    return list(trajectory)


def regions(report, path=None, *, trajectory=None, layout: str = "auto", max_nodes: int = 40):
    """The regions by what the theorems allow there: a grid of all 2^M cells for small models,
    or the regions a trajectory visits as a labelled graph (any M; a grid of 2^10 cells has no
    room for names).

    Parameters
    ----------
    report : CheckReport
    path : str or Path, optional
    trajectory : SimulationResult, (T, M) array or sequence of region names, optional
        Framed on the grid; on the graph its regions are the nodes (in order of first visit, each
        with its share of the steps) and its region changes the arrows (width: how often).
    layout : "auto", "grid" or "graph"
        auto: the grid up to M = 6, or up to M = 12 without a trajectory; else the graph.
    max_nodes : int
        The graph keeps the most visited regions (the title says how many are left out).

    Returns
    -------
    matplotlib.figure.Figure
        The region grid (up to 8 units) or the graph of visited regions; written to ``path`` too when given.

    Examples
    --------
    >>> from plrnn_symbolic import check, example, plot, simulate
    >>> m = example("vdp_trained")
    >>> sim = simulate(m, steps=300, system="hybrid", e1=False)
    >>> fig = plot.regions(check(m, "visited", steps=300), trajectory=sim)
    >>> any(t.get_text() == "0101010100" for t in fig.axes[0].texts)
    True
    """
    plt = _pyplot()
    from matplotlib.patches import FancyArrowPatch, Patch

    model = report.model
    seq = _region_sequence(trajectory, model)
    if layout not in ("auto", "grid", "graph"):
        raise InputError("layout must be 'auto', 'grid' or 'graph'")
    if layout == "grid" or (layout == "auto" and (model.M <= 6 or (model.M <= 12 and not seq))):
        with plt.rc_context(STYLE | {"figure.constrained_layout.use": False}):
            fig = region_map(report, visited=list(dict.fromkeys(seq)))
        return _finish(fig, path)
    statuses = report.statuses()
    given = bool(seq)
    if not given:           # no trajectory: the report's regions, without region changes to draw
        seq = list(statuses)
    counts = Counter(seq)
    nodes = [b for b in dict.fromkeys(seq) if b in dict(counts.most_common(max_nodes))]
    left_out = len(counts) - len(nodes)
    index = {b: i for i, b in enumerate(nodes)}
    moves = Counter((a, b) for a, b in pairwise(seq) if a != b and a in index and b in index) if given else {}
    n = len(nodes)
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    pos = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 7.0))
        top = max(moves.values(), default=1)
        for (a, b), c in moves.items():
            ax.add_patch(FancyArrowPatch(pos[index[a]], pos[index[b]], connectionstyle="arc3,rad=0.15",
                                         arrowstyle="-|>", mutation_scale=9, lw=0.4 + 2.0 * c / top,
                                         color="0.45", shrinkA=11, shrinkB=11, zorder=1))
        seen = set()
        for b in nodes:
            st = status_of(statuses[b]) if b in statuses else "undecided"
            seen.add(st)
            x, y = pos[index[b]]
            ax.plot(x, y, "o", ms=16, mfc=COLOURS[st], mec="black", mew=0.6, zorder=2)
            ax.text(x * 1.22, y * 1.22, b, ha="center", va="center", family="monospace", fontsize=7)
            ax.text(x, y, f"{counts[b] / len(seq):.0%}", ha="center", va="center", fontsize=6, color="white",
                    zorder=3)
        ax.set_xlim(-1.55, 1.55)
        ax.set_ylim(-1.45, 1.45)
        ax.set_aspect("equal")
        ax.axis("off")
        extra = f"; {left_out} rarer regions left out" if left_out else ""
        ax.set_title(f"{model.name or 'model'} (M = {model.M}): the {n} regions visited, in order of first visit "
                     f"(clockwise from the top)\nnode: share of the steps; arrow: region changes, width by count"
                     f"{extra} (check mode {report.mode})" if given else
                     f"{model.name or 'model'} (M = {model.M}): {n} regions of the report{extra} (check mode "
                     f"{report.mode})\npass trajectory= to see the regions an orbit visits and its region changes")
        ax.legend(handles=[Patch(color=COLOURS[s], label=LABELS[s]) for s in COLOURS if s in seen],
                  loc="lower center", bbox_to_anchor=(0.5, -0.06), ncol=3)
    return _finish(fig, path)


# ---- spectrum ----------------------------------------------------------------------------------------
def spectrum(source, path=None, *, regions: Sequence[str] | None = None, max_regions: int = 256):
    """Eigenvalues lambda of each region matrix W_Omega, and mu of the continuous systems.

    Left: lambda in the complex plane with the unit circle (|lambda| < 1: contracting).  Right:
    mu = eigenvalues of L, which are log(lambda) / dt (THEORY section 3), with the principal
    strip |Im mu| < pi / dt and the axis Re mu = 0.  Colours are the regions' derivation status;
    a lifted region contributes the extra eigenvalues of its lift.

    Parameters
    ----------
    source : ContinuousPLRNN, CheckReport or PLRNN
        Derived systems (their L are drawn), or a report / model (derived in float mode here).
    regions : sequence of str, optional
        The regions to draw (default: those of ``source``, or the regions of a model's orbit).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: lambda with the unit circle, mu with the principal strip; written to ``path`` too when given.

    Examples
    --------
    >>> from plrnn_symbolic import derive, example, plot
    >>> fig = plot.spectrum(derive(example("chaotic")))
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['Re lambda', 'Re mu']
    """
    plt = _pyplot()
    if isinstance(source, ContinuousPLRNN):
        model, systems = source.model, dict(source.systems)
    else:
        model = source if isinstance(source, PLRNN) else source.model
        names = list(regions) if regions is not None else (
            list(source.regions) if not isinstance(source, PLRNN) else None)
        systems = dict(derive(model, names if names is not None else "visited", mode="float").systems)
    if regions is not None:
        systems = {b: systems[b] if b in systems else derive(model, [b], mode="float")[b] for b in regions}
    items = list(systems.items())[:max_regions]
    dt = float(model.dt)
    with plt.rc_context(STYLE):
        fig, (axl, axm) = plt.subplots(1, 2, figsize=(9, 4.2))
        th = np.linspace(0, 2 * np.pi, 400)
        axl.plot(np.cos(th), np.sin(th), color="0.6", lw=0.8)
        axm.axvline(0, color="0.6", lw=0.8)
        axm.axhspan(-np.pi / dt, np.pi / dt, color="0.93", zorder=0, label="principal strip |Im mu| < pi/dt")
        seen = set()
        for bits, sysm in items:
            colour = COLOURS[sysm.status] if sysm.status in COLOURS else COLOURS["undecided"]
            seen.add(sysm.status)
            lam = np.linalg.eigvals(np.array(region_matrix(model, bits).tolist(), dtype=float))
            axl.plot(lam.real, lam.imag, "o", ms=3.5, mfc=colour, mec="none", alpha=0.8)
            if sysm.derived:
                mu = np.linalg.eigvals(sysm.L)
                axm.plot(mu.real, mu.imag, "o", ms=3.5, mfc=colour, mec="none", alpha=0.8)
        axl.set_aspect("equal", adjustable="datalim")
        axl.set_xlabel("Re lambda")
        axl.set_ylabel("Im lambda")
        axl.set_title("eigenvalues of W_Omega (unit circle)")
        axm.set_xlabel("Re mu")
        axm.set_ylabel("Im mu")
        axm.set_title("eigenvalues of L = log(W_Omega) / dt (grey: the principal strip)")
        from matplotlib.patches import Patch

        handles = [Patch(color=COLOURS[s], label=LABELS[s]) for s in COLOURS if s in seen]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles))
        fig.suptitle(f"{model.name or 'model'}: spectra of {len(items)} regions"
                     + (f" (of {len(systems)})" if len(systems) > len(items) else ""), x=0.02, ha="left",
                     fontsize=10)
    return _finish(fig, path)
