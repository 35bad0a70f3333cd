"""Verified mathematics for piecewise-linear (ReLU) recurrent neural networks.

Translate a discrete-time PLRNN into continuous time region by region, decide
the conditions under which the two are equivalent (exactly, certified, or in
floating point), with a witness for every verdict.
"""

from .check import CheckReport, check
from .dynamics import DynamicsReport, dynamics
from .errors import InputError
from .examples import example, list_examples
from .io import load, save
from .model import PLRNN
from .regions import all_regions, region_matrix, region_of, visited_regions
from .simulate import SimulationResult, simulate
from .transform import ContinuousPLRNN, RegionSystem, derive, derive_region
from .truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict

__version__ = "0.1.0"

__all__ = [
    "FAILS",
    "HOLDS",
    "PLRNN",
    "UNDECIDED",
    "CheckReport",
    "ContinuousPLRNN",
    "DynamicsReport",
    "InputError",
    "RegionSystem",
    "SimulationResult",
    "Truth",
    "Verdict",
    "__version__",
    "all_regions",
    "check",
    "derive",
    "derive_region",
    "dynamics",
    "example",
    "list_examples",
    "load",
    "region_matrix",
    "region_of",
    "save",
    "simulate",
    "visited_regions",
]
