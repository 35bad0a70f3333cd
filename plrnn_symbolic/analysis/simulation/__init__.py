"""``simulate``: the discrete PLRNN and its continuous-time systems side by side (THEORY section 5).

:mod:`.driver` holds :func:`simulate`; :mod:`.results` what it returns; :mod:`.flows` the float
flows; :mod:`.enclosures` the ball flows; :mod:`.exit_proofs` the exit proofs behind E1; :mod:`.sliding` the
Filippov sliding motion on a switching surface
(and on two at once, by the equivalent control).
"""

from .driver import SYSTEMS, simulate
from .results import Segment, SimulationResult, SlidingEvent
from .sliding import SlidingSegment, canopy_field, equivalent_controls, filippov_coefficient, sliding_field

__all__ = ["SYSTEMS", "Segment", "SimulationResult", "SlidingEvent", "SlidingSegment", "canopy_field",
           "equivalent_controls", "filippov_coefficient", "simulate", "sliding_field"]
