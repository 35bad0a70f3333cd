"""Three-valued verdicts (THEORY section 4).

A predicate is decided to :data:`HOLDS`, :data:`FAILS` or :data:`UNDECIDED`;
the connectives are Kleene's strong three-valued logic, so an undecided input
only makes the result undecided when it could change it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Truth(enum.Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNDECIDED = "undecided"

    @staticmethod
    def of(value: bool | None) -> "Truth":
        """``True`` -> HOLDS, ``False`` -> FAILS, ``None`` -> UNDECIDED."""
        return Truth.UNDECIDED if value is None else (Truth.HOLDS if value else Truth.FAILS)

    def __invert__(self) -> "Truth":
        return {Truth.HOLDS: Truth.FAILS, Truth.FAILS: Truth.HOLDS}.get(self, Truth.UNDECIDED)

    def __and__(self, other: "Truth") -> "Truth":
        return all_of((self, other))

    def __or__(self, other: "Truth") -> "Truth":
        return any_of((self, other))

    def __bool__(self):
        raise TypeError("a Truth is three-valued: compare with Truth.HOLDS, or use .holds on a Verdict")

    @property
    def decided(self) -> bool:
        return self is not Truth.UNDECIDED


HOLDS, FAILS, UNDECIDED = Truth.HOLDS, Truth.FAILS, Truth.UNDECIDED


def all_of(truths: Iterable[Truth]) -> Truth:
    """Kleene conjunction: FAILS if any fails, else UNDECIDED if any is, else HOLDS.

    >>> all_of([HOLDS, UNDECIDED, FAILS]), all_of([HOLDS, UNDECIDED]), all_of([])
    (<Truth.FAILS: 'fails'>, <Truth.UNDECIDED: 'undecided'>, <Truth.HOLDS: 'holds'>)
    """
    out = HOLDS
    for t in truths:
        if t is FAILS:
            return FAILS
        if t is UNDECIDED:
            out = UNDECIDED
    return out


def any_of(truths: Iterable[Truth]) -> Truth:
    """Kleene disjunction."""
    return ~all_of(~t for t in truths)


@dataclass(frozen=True)
class Verdict:
    """The decision of one predicate for one region matrix.

    Attributes
    ----------
    name : str
        The predicate (``"invertible"``, ``"principal_log"``, ...).
    truth : Truth
    witness : dict
        JSON-ready evidence: the eigenvalues or enclosures, Jordan block sizes,
        determinant, ... that decide it.
    method : str
        ``"exact"``, ``"certified (p bits)"``, ``"float (tol=...)"`` or ``"symbolic"``.
    condition : sympy expression, optional
        For symbolic weights, the condition on the parameters.
    """

    name: str
    truth: Truth
    witness: dict[str, Any] = field(default_factory=dict)
    method: str = "exact"
    condition: Any = None

    @property
    def holds(self) -> bool | None:
        """True if proved (or, in float mode, found) to hold, False if to fail, None if undecided."""
        return {HOLDS: True, FAILS: False}.get(self.truth)

    @property
    def status(self) -> str:
        return self.truth.value

    def to_dict(self) -> dict[str, Any]:
        out = {"status": self.status, "method": self.method, "witness": self.witness}
        if self.condition is not None:
            out["condition"] = str(self.condition)
        return out
