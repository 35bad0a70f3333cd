"""Verified mathematics for piecewise-linear (ReLU) recurrent neural networks.

Translate a discrete-time PLRNN into continuous time region by region, decide
the conditions under which the two are equivalent (exactly, certified, or in
floating point), with a witness for every verdict.
"""

from .check import CheckReport, check
from .errors import InputError
from .model import PLRNN
from .regions import all_regions, region_matrix, region_of, visited_regions
from .truth import FAILS, HOLDS, UNDECIDED, Truth, Verdict

__version__ = "0.1.0"

__all__ = [
    "PLRNN", "check", "CheckReport", "InputError", "Truth", "Verdict", "HOLDS", "FAILS", "UNDECIDED",
    "region_matrix", "region_of", "all_regions", "visited_regions", "__version__",
]
