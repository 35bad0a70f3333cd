"""Verified mathematics for piecewise-linear (ReLU) recurrent neural networks.

Translate a discrete-time PLRNN into continuous time region by region, decide
the conditions under which the two are equivalent (exactly, certified, or in
floating point), with a witness for every verdict.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

from .analysis.batch import BatchReport, check_models
from .analysis.conditions import CheckReport, check
from .analysis.dynamics_report import DynamicsReport, dynamics
from .analysis.families import FamilyReport, check_families
from .analysis.simulation import SimulationResult, simulate
from .analysis.stream import StreamReport, read_stream, stream_check
from .analysis.transform import ContinuousPLRNN, RegionSystem, derive, derive_region
from .core.errors import InputError, NoResult
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
    "BatchReport",
    "CheckReport",
    "ContinuousPLRNN",
    "DendPLRNN",
    "DynamicsReport",
    "FamilyReport",
    "InputError",
    "NoResult",
    "RegionSystem",
    "ReluRNN",
    "ShallowPLRNN",
    "SimulationResult",
    "StreamReport",
    "Truth",
    "Verdict",
    "__version__",
    "all_regions",
    "cells",
    "check",
    "check_families",
    "check_models",
    "derive",
    "derive_region",
    "dynamics",
    "example",
    "list_examples",
    "load",
    "load_file",
    "read_stream",
    "region_affine",
    "region_matrix",
    "region_of",
    "save",
    "simulate",
    "stream_check",
    "visited_regions",
]


# ---- the module paths of version 0.1, kept for one release --------------------------------------
# ``check``, ``simulate`` and ``dynamics`` were modules named like the functions they export; as
# module paths they are gone (``plrnn_symbolic.simulate`` is the function), see the README.
_MOVED = {
    "transform": "analysis.transform", "io": "model.files", "regions": "model.regions",
    "examples": "model.examples", "numbers": "core.conversion", "domains": "core.domains", "truth": "core.truth",
    "errors": "core.errors", "floatball": "core.floatball", "parallel": "core.parallel",
    "spectrum": "region.spectrum", "predicates": "region.predicates", "symbolic": "region.symbolic",
    "logarithm": "region.reallog", "exactlog": "region.exactlog", "latex": "render.latex",
    "phase": "render.phase", "regionmap": "render.regionmap",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import plrnn_symbolic.transform`` and the like give the module at its new path, with a
    DeprecationWarning that names it."""

    def find_spec(self, fullname, path=None, target=None):
        head, _, tail = fullname.partition(".")
        if head == __name__ and tail in _MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        new = f"{__name__}.{_MOVED[spec.name.partition('.')[2]]}"
        warnings.warn(f"{spec.name} is now {new}; the old path goes in the next release", DeprecationWarning,
                      stacklevel=2)
        module = importlib.import_module(new)
        spec.loader_state = module.__spec__    # the import system overwrites __spec__: put it back below
        return module

    def exec_module(self, module):
        module.__spec__ = module.__spec__.loader_state


sys.meta_path.append(_MovedModules())
