"""Verified mathematics for piecewise-linear (ReLU) recurrent neural networks.

Translate a discrete-time PLRNN into continuous time region by region, decide
the conditions under which the two are equivalent (exactly, certified, or in
floating point), with a witness for every verdict.
"""

from .check import CheckReport, check
from .examples import example, list_examples
from .io import load, save
from .errors import InputError
from .model import PLRNN
from .regions import all_regions, region_matrix, region_of, visited_regions
from .transform import ContinuousPLRNN, RegionSystem, derive, derive_region
from .truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict

__version__ = "0.1.0"

__all__ = [
    "PLRNN", "check", "CheckReport", "InputError", "Truth", "Verdict", "HOLDS", "FAILS", "UNDECIDED",
    "derive", "derive_region", "ContinuousPLRNN", "RegionSystem", "load", "save", "example", "list_examples",
    "region_matrix", "region_of", "all_regions", "visited_regions", "__version__",
]
