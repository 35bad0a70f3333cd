"""Verified mathematics for piecewise-linear (ReLU) recurrent neural networks.

Translate a discrete-time PLRNN into continuous time region by region, decide
the conditions under which the two are equivalent (exactly, certified, or in
floating point), with a witness for every verdict.
"""

from .analysis.conditions import CheckReport, check
from .analysis.dynamics_report import DynamicsReport, dynamics
from .analysis.simulation import SimulationResult, simulate
from .analysis.transform import ContinuousPLRNN, RegionSystem, derive, derive_region
from .core.errors import InputError
from .core.truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict
from .core.version import __version__
from .model.examples import example, list_examples
from .model.family import ALRNN, DendPLRNN, ReluRNN, ShallowPLRNN
from .model.files import load, load_file, save
from .model.plrnn import PLRNN
from .model.regions import all_regions, cells, region_affine, region_matrix, region_of, visited_regions

__all__ = [
    "ALRNN",
    "FAILS",
    "HOLDS",
    "PLRNN",
    "UNDECIDED",
    "CheckReport",
    "ContinuousPLRNN",
    "DendPLRNN",
    "DynamicsReport",
    "InputError",
    "RegionSystem",
    "ReluRNN",
    "ShallowPLRNN",
    "SimulationResult",
    "Truth",
    "Verdict",
    "__version__",
    "all_regions",
    "cells",
    "check",
    "derive",
    "derive_region",
    "dynamics",
    "example",
    "list_examples",
    "load",
    "load_file",
    "region_affine",
    "region_matrix",
    "region_of",
    "save",
    "simulate",
    "visited_regions",
]
