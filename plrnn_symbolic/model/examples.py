"""Example PLRNNs: four built by the package itself, two trained and shipped as data.

The hand-built examples have small-denominator rational weights, so the exact
mode decides everything quickly, and ship an initial state ``z0``.  Each one
shows something particular:

- :func:`limit_cycle`: a relaxation oscillator (van der Pol-like), a stable
  36-cycle around an unstable focus; 15 of its 36 steps switch region, so the
  region flow leaves its region within the step (THEORY section 5, E1).
- :func:`chaotic`: a chaotic attractor that visits regions whose region
  matrix has a negative real eigenvalue, so the continuous-time translation
  needs a lift there (THEORY section 3).
- :func:`regularized`: two memory units (a_ii = 1, zero row of W, zero bias),
  so 1 is an eigenvalue of every region matrix; what they store selects the
  regime of the other four units.
- :func:`input_driven`: an exact solution of the addition problem, with
  inputs (K = 2).

The three trained examples are 10-unit PLRNNs with float64 weights, as trained
models come, stored as JSON in ``plrnn_symbolic/model/data`` (read with
:func:`plrnn_symbolic.model.files.load`, floats converted to rationals exactly) and
produced reproducibly by ``scripts/train_examples.py``:

- :func:`vdp_trained`: trained on a van der Pol oscillator; an attracting
  invariant closed curve (a limit cycle of the map's dynamics).
- :func:`lorenz_trained`: trained on the Lorenz-63 system; chaotic.
- :func:`vdp_fine`: van der Pol again, sampled four times as finely (dt = 1/20),
  so that a step changes region about once in ten steps.

The weights of the hand-built examples were designed with floating-point
experiments; the properties each docstring states are checked by
``tests/test_examples.py`` and ``tests/test_trained_examples.py``.

Examples
--------
>>> [name for name, _ in list_examples()]
['limit_cycle', 'chaotic', 'regularized', 'input_driven', 'vdp_trained', 'lorenz_trained', 'vdp_fine']
>>> example("chaotic").M, example("lorenz_trained").M
(5, 10)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from fractions import Fraction
from importlib.resources import as_file, files

from ..core.errors import InputError
from .files import load
from .plrnn import PLRNN

__all__ = ["EXAMPLES", "chaotic", "example", "input_driven", "limit_cycle", "list_examples", "lorenz_trained",
           "regularized", "vdp_fine", "vdp_trained"]

_F = Fraction


def _excitatory_inhibitory(a_exc, a_inh, w_ee, w_ei, w_ie, h_exc, h_inh):
    """A, W, h of a network of excitatory units followed by inhibitory units.

    Every excitatory unit excites every other one (w_ee) and every inhibitory
    unit (w_ie); every inhibitory unit inhibits every excitatory one (w_ei);
    inhibitory units do not interact.  Callers give every unit its own decay
    a_ii so that no two units are interchangeable.
    """
    n_e, n_i = len(a_exc), len(a_inh)
    M = n_e + n_i
    A = [[0] * M for _ in range(M)]
    W = [[0] * M for _ in range(M)]
    for i, a in enumerate([*a_exc, *a_inh]):
        A[i][i] = a
    for i in range(n_e):
        for j in range(n_e):
            if i != j:
                W[i][j] = w_ee
        for k in range(n_i):
            W[i][n_e + k] = -w_ei
            W[n_e + k][i] = w_ie
    h = [h_exc] * n_e + [h_inh] * n_i
    return A, W, h


def limit_cycle() -> PLRNN:
    """Relaxation oscillator: a stable 36-cycle around an unstable focus (M = 6).

    Construction: three excitatory units (1-3, decays 3/4, 4/5, 5/6) excite
    each other with weight 1/8 and drive three slow inhibitory units (4-6,
    decays 7/8, 9/10, 11/12) with weight 1/4; these inhibit the excitatory
    units with weight 1/2.  Biases are 1/8 (excitatory) and -1/16
    (inhibitory).  A is diagonal and W has a zero diagonal.

    Dynamics: the only fixed point lies in region ``"111111"`` and is an
    unstable focus (a complex pair of modulus about 1.44).  Every trajectory
    we tried ends on the same attracting cycle of period 36 (largest Lyapunov
    exponent about -0.038 per step): a fast excitatory burst, then slow
    inhibition and recovery, like van der Pol's oscillator with large mu.
    The cycle visits 8 regions and 15 of its 36 steps end in another region
    than they start from, so the region-Omega flow from those points leaves
    Omega within the step (E1 fails there; the sample-and-hold system E3
    still reproduces the cycle).  Every one of the 64 region matrices has
    only positive or non-real eigenvalues, so each has a principal logarithm.

    Returns
    -------
    PLRNN
        M = 6, K = 0, dt = 1, ``z0 = (1/2, 0, 0, 0, 0, 0)``.

    Examples
    --------
    >>> import numpy as np
    >>> m = limit_cycle()
    >>> X = m.trajectory(m.numeric.z0, 3000)
    >>> bool(np.allclose(X[-1], X[-1 - 36])), bool(np.allclose(X[-1], X[-1 - 18]))
    (True, False)
    >>> float(np.ptp(X[-36:, 0])) > 2  # a large oscillation, not a fixed point
    True
    """
    A, W, h = _excitatory_inhibitory(
        a_exc=[_F(3, 4), _F(4, 5), _F(5, 6)], a_inh=[_F(7, 8), _F(9, 10), _F(11, 12)],
        w_ee=_F(1, 8), w_ei=_F(1, 2), w_ie=_F(1, 4), h_exc=_F(1, 8), h_inh=_F(-1, 16),
    )
    return PLRNN(A, W, h, dt=1, name="limit_cycle", z0=[_F(1, 2), 0, 0, 0, 0, 0])


def chaotic() -> PLRNN:
    """A chaotic attractor with negative real eigenvalues in some regions (M = 5).

    Construction: found by a seeded random search over diagonal A with
    entries in {3/8, ..., 7/8} and zero-diagonal W with entries in quarters,
    keeping a model whose trajectory from 0 stays bounded, is not periodic,
    and has a positive largest Lyapunov exponent (QR method with the
    Jacobians A + W diag(z > 0)).

    Dynamics: the largest Lyapunov exponent is about 0.07 per step (the
    second about -0.13); the attractor stays within |z_i| < 3 and visits 16 of
    the 32 regions.  11 of the 32 region matrices have a negative real
    eigenvalue; 4 of those regions (``"01101"``, ``"10101"``, ``"10110"``,
    ``"11101"``) are visited, about a fifth of the time, so there the
    continuous-time translation needs a lift (THEORY section 3).  Region
    ``"10100"`` has the eigenvalue 1 exactly.

    Returns
    -------
    PLRNN
        M = 5, K = 0, dt = 1, ``z0 = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> m = chaotic()
    >>> X = m.trajectory(m.numeric.z0, 2000)
    >>> bool(np.abs(X).max() < 5)
    True
    >>> a, b = m.trajectory(X[-1], 60), m.trajectory(X[-1] + 1e-9, 60)
    >>> bool(np.abs(a[-1] - b[-1]).max() > 1e-6)  # nearby states separate
    True
    """
    q = _F(1, 4)
    A = [[0] * 5 for _ in range(5)]
    for i, a in enumerate([_F(5, 8), _F(3, 8), _F(1, 2), _F(5, 8), _F(3, 8)]):
        A[i][i] = a
    W = [
        [0, -2 * q, q, -5 * q, 6 * q],
        [0, 0, -2 * q, -2 * q, -3 * q],
        [3 * q, 6 * q, 0, -4 * q, q],
        [0, 2 * q, 4 * q, 0, 4 * q],
        [2 * q, -q, q, -4 * q, 0],
    ]
    h = [0, q, 0, -2 * q, 0]
    return PLRNN(A, W, h, dt=1, name="chaotic", z0=[0] * 5)


def regularized() -> PLRNN:
    """Two memory units switch an oscillator on and off (M = 6).

    Construction, as in regularized PLRNNs (Schmidt et al. 2021, who pull a
    subset of units toward a_ii = 1, W_i. = 0, h_i = 0): units 1 and 2 have
    exactly a_ii = 1, a zero row of W and zero bias, so they keep their value
    for ever.  Units 3-6 form an excitatory-inhibitory pair of pairs (decays
    3/4, 4/5 excitatory and 7/8, 9/10 inhibitory; weights 1/4 E->E, 1/4 E->I,
    -1/2 I->E; biases -1/16 and 0).  Memory unit 1 excites units 3-4 and
    memory unit 2 excites units 5-6, both with weight 1/8.

    Dynamics: the rows of the memory units in every region matrix are unit
    vectors, so 1 is an eigenvalue of all 64 region matrices (twice, with two
    1x1 Jordan blocks), I - W_Omega is singular, and the fixed points form
    continua (one per stored value).  What the memory holds selects the
    regime of units 3-6: stored (0, 0) gives a stable fixed point, (1, 0) a
    stable cycle of period 16, (1, 1) a fixed point again.

    Returns
    -------
    PLRNN
        M = 6, K = 0, dt = 1, ``z0 = (1, 0, 1/2, 0, 0, 0)`` (oscillating).

    Examples
    --------
    >>> import numpy as np
    >>> m = regularized()
    >>> X = m.trajectory(m.numeric.z0, 2000)
    >>> X[-1, :2].tolist()  # the memory is kept
    [1.0, 0.0]
    >>> bool(np.allclose(X[-1], X[-17])), bool(np.allclose(X[-1], X[-2]))
    (True, False)
    >>> Y = m.trajectory([0, 0, 1/2, 0, 0, 0], 2000)  # nothing stored: it settles
    >>> bool(np.allclose(Y[-1], Y[-2]))
    True
    """
    A4, W4, h4 = _excitatory_inhibitory(
        a_exc=[_F(3, 4), _F(4, 5)], a_inh=[_F(7, 8), _F(9, 10)],
        w_ee=_F(1, 4), w_ei=_F(1, 2), w_ie=_F(1, 4), h_exc=_F(-1, 16), h_inh=0,
    )
    memory = [[1, 0], [0, 1]]
    A = [[*row, 0, 0, 0, 0] for row in memory] + [[0, 0, *row] for row in A4]
    # The memory units read nothing (zero rows); the others read the memory.
    w_mem = _F(1, 8)
    reads = [[w_mem, 0], [w_mem, 0], [0, w_mem], [0, w_mem]]
    W = [[0] * 6, [0] * 6] + [[*r, *row] for r, row in zip(reads, W4)]
    h = [0, 0, *h4]
    return PLRNN(A, W, h, dt=1, name="regularized", z0=[1, 0, _F(1, 2), 0, 0, 0])


def input_driven() -> PLRNN:
    """Solves the addition problem exactly: sums the marked inputs (M = 3, K = 2).

    Construction: input channel 1 carries values v_t in [0, 1], channel 2 a
    marker m_t in {0, 1} (the addition problem of Hochreiter & Schmidhuber
    1997).  Unit 1 is a gate, g_t = v_t + m_t - 1 (a_11 = 0, bias -1, C row
    (1, 1)), so relu(g_t) is v_t when marked and 0 otherwise.  Unit 2
    accumulates, a_22 = 1 and W_21 = 1: it adds relu(gate) one step later.
    Unit 3 counts markers (a_33 = 1, C row (0, 1)).

    After inputs s_0, ..., s_{T-1} and one more step (with any input whose
    gate is closed, e.g. zero), unit 2 holds sum_t m_t v_t and unit 3 holds
    sum_t m_t (after T steps already).  The gate forgets (a_11 = 0 and a zero
    row of W), so every region matrix is singular: exact gating destroys
    information: no ODE of dimension 3 has such a step as its time-dt map, and
    no lift of any dimension reproduces every step through an invariant
    embedding (proofs/04_singular_impossible.tex, Theorems 4.3 and 4.5; a lift
    matching one step only exists, Proposition 4.6).

    Returns
    -------
    PLRNN
        M = 3 units driven by K = 2 inputs (value, marker), dt = 1, ``z0 = 0``.

    Examples
    --------
    >>> m = input_driven()
    >>> s = [[0.5, 0], [0.25, 1], [0.75, 0], [0.5, 1], [0, 0]]
    >>> m.trajectory(m.numeric.z0, 5, s)[-1].tolist()
    [-1.0, 0.75, 2.0]
    """
    A = [[0, 0, 0], [0, 1, 0], [0, 0, 1]]
    W = [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    h = [-1, 0, 0]
    C = [[1, 1], [0, 0], [0, 1]]
    return PLRNN(A, W, h, C=C, dt=1, name="input_driven", z0=[0, 0, 0])


def _trained(name: str) -> PLRNN:
    """A model shipped in ``plrnn_symbolic/model/data`` (see ``scripts/train_examples.py``)."""
    with as_file(files(__package__).joinpath("data", f"{name}.json")) as path:
        return load(path)


def vdp_trained() -> PLRNN:
    """Trained on van der Pol's oscillator: a weakly attracting closed curve (M = 10, float weights).

    Training (``scripts/train_examples.py``, seed 1): van der Pol with
    mu = 1.5, sampled at dt = 1/5 (period 7.1 time units, 35 to 36 steps),
    standardized; units 1-2 are the observed (x, x'), units 3-10 are hidden.
    BPTT with sparse teacher forcing (every 10 steps) and Adam; the kept
    checkpoint is the one whose free run best matches the data's state
    distribution among those with |largest Lyapunov exponent| < 0.003.

    Dynamics (measured, checked by ``tests/test_trained_examples.py``): the
    orbit from ``z0`` oscillates with the data's period; the largest Lyapunov
    exponent is about -0.0015 per step (the next -0.043), so the closed curve
    attracts weakly and carries a long periodic orbit rather than chaos.  The
    attractor visits 13 regions; two of them (``"0101010100"``,
    ``"0101010110"``) have a negative real eigenvalue, so no real logarithm.
    The one real fixed point (region ``"1101010010"``) is unstable.  Over 1000
    steps from ``z0`` the hybrid system stays within 1e-10 of the map, E1
    fails on the 322 steps that switch region, and the autonomous system
    drifts in phase (deviation about 0.7) while staying within 0.2 of the
    attractor.

    Returns
    -------
    PLRNN
        Ten units (units 1-2 observed), no inputs, dt = 1/5; ``z0`` on the attractor.
    """
    return _trained("vdp_trained")


def lorenz_trained() -> PLRNN:
    """Trained on the Lorenz-63 system: a chaotic attractor (M = 10, float weights).

    Training (``scripts/train_examples.py``, seed 7): Lorenz-63 with
    sigma = 10, rho = 28, beta = 8/3, sampled at dt = 1/50 and standardized;
    units 1-3 are the observed (x, y, z), units 4-10 are hidden.  BPTT with
    sparse teacher forcing (every 12 steps) and Adam; the kept checkpoint is
    the one whose free runs stay bounded and best match the data's state
    distribution among those with a positive largest Lyapunov exponent.

    Dynamics (measured, checked by ``tests/test_trained_examples.py``): the
    largest Lyapunov exponent is about 0.0058 per step (0.29 per time unit;
    Lorenz's own is about 0.9), the same from several starts, and the
    spectrum sums to a negative number.  The attractor is a rough two-wing
    copy of Lorenz's (lopsided towards x > 0) that visits about 42 regions,
    every one with a principal logarithm.  All six real fixed points are
    unstable.

    Returns
    -------
    PLRNN
        M = 10 with x, y, z observed in units 1-3, K = 0, dt = 1/50, and ``z0`` on the attractor.
    """
    return _trained("lorenz_trained")


def vdp_fine() -> PLRNN:
    """Trained on van der Pol's oscillator sampled finely: a limit cycle of about 140 steps (M = 10).

    Training (``scripts/train_examples.py``, seed 1): the data of
    :func:`vdp_trained` sampled at dt = 1/20 instead of 1/5 (period 7.1 time
    units, about 142 steps); teacher forcing every 40 steps on windows of 400,
    the same 20 time units as there.  The kept checkpoint is the one whose
    free run best matches the data's state distribution among those with
    |largest Lyapunov exponent| < 0.003 per step.

    Dynamics (measured, checked by ``tests/test_trained_examples.py``): the
    orbit visits 14 regions, each with a principal logarithm, and a step
    changes region about once in ten.  Over 1000 steps from ``z0`` the
    hybrid system stays within 1e-12 of the map, E1 fails on the 99 steps
    that switch region, and the autonomous system stays within 0.02 of the
    discrete trajectory.  These are the figures quoted for the real trained
    limit-cycle model of issue 4, which this model stands in for: a step of
    the finely sampled model leaves its region rarely, so the continuous
    systems have few switches at which to part from the map.

    Returns
    -------
    PLRNN
        The same ten-unit architecture as ``vdp_trained`` at dt = 1/20 (K = 0), ``z0`` on the limit cycle.
    """
    return _trained("vdp_fine")


EXAMPLES: OrderedDict[str, Callable[[], PLRNN]] = OrderedDict(
    (f.__name__, f) for f in (limit_cycle, chaotic, regularized, input_driven, vdp_trained, lorenz_trained,
                              vdp_fine)
)


def example(name: str) -> PLRNN:
    """The bundled example called ``name``.

    Parameters
    ----------
    name : str
        One of the keys of :data:`EXAMPLES`.

    Returns
    -------
    PLRNN

    Raises
    ------
    InputError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> example("limit_cycle")
    <PLRNN 'limit_cycle' M=6 K=0 dt=1>
    >>> example("lorenz")
    Traceback (most recent call last):
    ...
    plrnn_symbolic.core.errors.InputError: unknown example 'lorenz'; choose one of: limit_cycle, chaotic, regularized, input_driven, vdp_trained, lorenz_trained, vdp_fine
    """
    try:
        build = EXAMPLES[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown example {name!r}; choose one of: {', '.join(EXAMPLES)}") from None
    return build()


def list_examples() -> list[tuple[str, str]]:
    """Names and one-line descriptions of the bundled examples, in order.

    Examples
    --------
    >>> list_examples()[0]
    ('limit_cycle', 'Relaxation oscillator: a stable 36-cycle around an unstable focus (M = 6).')
    """
    return [(name, (f.__doc__ or "").strip().splitlines()[0]) for name, f in EXAMPLES.items()]
