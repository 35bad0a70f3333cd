"""Layer 1: the discrete-time model.

The :class:`~.plrnn.PLRNN` class, its regions and region matrices
(:mod:`.regions`), model files (:mod:`.files`), the bundled examples
(:mod:`.examples`, data in ``data/``) and model loading from a file or an
example name (:mod:`.loading`).  Imports only from :mod:`plrnn_symbolic.core`.
"""

from .family import ALRNN, DendPLRNN, ReluRNN, ShallowPLRNN
from .plrnn import PLRNN

__all__ = ["ALRNN", "PLRNN", "DendPLRNN", "ReluRNN", "ShallowPLRNN"]
