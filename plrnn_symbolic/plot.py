"""Figures of results, in one style: ``from plrnn_symbolic import plot``.

Each function returns a :class:`matplotlib.figure.Figure` (and writes it to ``path`` when
given) and draws states in observation space x = B z: the ``observe=`` argument (1-based
latent units or a matrix), else the model's ``observation`` matrix when it has one, else the
latent units.

* :func:`simulation`: time graphs of the discrete map, the hybrid and the autonomous systems,
  and their deviations (a :class:`~plrnn_symbolic.SimulationResult`);
* :func:`phase`: the orbit and the continuous vector field of the regions it visits, in a 2-D
  projection that the title names (a model or a simulation);
* :func:`regions`: the regions coloured by derivation status, as a grid of all 2^M cells or as
  the labelled graph of the regions a trajectory visits (a :class:`~plrnn_symbolic.CheckReport`);
* :func:`spectrum`: the eigenvalues of each W_Omega and of its L (derived systems or a report).

Examples
--------
>>> import plrnn_symbolic as ps
>>> from plrnn_symbolic import plot
>>> m = ps.example("chaotic")
>>> figs = [plot.simulation(ps.simulate(m, steps=60)), plot.regions(ps.check(m)),
...         plot.phase(m, steps=200, grid=10), plot.spectrum(ps.derive(m, "visited"))]
>>> [type(f).__name__ for f in figs]
['Figure', 'Figure', 'Figure', 'Figure']
"""

from .render.figures import STYLE, observation, phase, regions, simulation, spectrum

__all__ = ["STYLE", "observation", "phase", "regions", "simulation", "spectrum"]
