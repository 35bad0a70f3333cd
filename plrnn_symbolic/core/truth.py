"""Three-valued verdicts (THEORY section 4).

A predicate is decided to :data:`HOLDS`, :data:`FAILS` or :data:`UNDECIDED`;
the connectives are Kleene's strong three-valued logic, so an undecided input
only makes the result undecided when it could change it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

__all__ = [
    "FAILS",
    "HOLDS",
    "UNDECIDED",
    "Truth",
    "Verdict",
    "all_of",
    "any_of",
]


class Truth(enum.Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNDECIDED = "undecided"

    @staticmethod
    def of(value: bool | None) -> Truth:
        """``True`` -> HOLDS, ``False`` -> FAILS, ``None`` -> UNDECIDED."""
        return UNDECIDED if value is None else (HOLDS if value else FAILS)

    # the connectives are table look-ups by identity (a sweep evaluates millions)
    def __invert__(self) -> Truth:
        return _NOT[self._value_]

    def __and__(self, other: Truth) -> Truth:
        return _AND[self._value_, other._value_]

    def __or__(self, other: Truth) -> Truth:
        return _OR[self._value_, other._value_]

    def __bool__(self):
        raise TypeError("a Truth is three-valued: compare with Truth.HOLDS, or use .holds on a Verdict")

    @property
    def decided(self) -> bool:
        return self is not Truth.UNDECIDED


HOLDS, FAILS, UNDECIDED = Truth.HOLDS, Truth.FAILS, Truth.UNDECIDED

# Kleene's strong three-valued tables, keyed by the enum values (plain strings
# hash in C; an enum member's hash is a Python call)
_NOT = {"holds": FAILS, "fails": HOLDS, "undecided": UNDECIDED}
_AND = {(a.value, b.value): FAILS if FAILS in (a, b) else (UNDECIDED if UNDECIDED in (a, b) else HOLDS)
        for a in Truth for b in Truth}
_OR = {(a.value, b.value): HOLDS if HOLDS in (a, b) else (UNDECIDED if UNDECIDED in (a, b) else FAILS)
       for a in Truth for b in Truth}


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
    """Kleene disjunction: HOLDS if any holds, else UNDECIDED if any is, else FAILS.

    >>> any_of([FAILS, UNDECIDED, HOLDS]), any_of([FAILS, UNDECIDED]), any_of([])
    (<Truth.HOLDS: 'holds'>, <Truth.UNDECIDED: 'undecided'>, <Truth.FAILS: 'fails'>)
    """
    return ~all_of(~t for t in truths)   # De Morgan holds in Kleene's three-valued logic


@dataclass(frozen=True, init=False)
class Verdict:
    """The decision of one predicate for one region matrix.

    Attributes
    ----------
    name : str
        The predicate (``"invertible"``, ``"principal_log"``, ...).
    truth : Truth
    witness : dict
        JSON-ready evidence: the eigenvalues or enclosures, Jordan block sizes,
        determinant, ... that decide it.  May be given as a function that builds
        it: a sweep decides every region and formats few witnesses.
    method : str
        ``"exact"``, ``"certified (p bits)"``, ``"float (tol=...)"`` or ``"symbolic"``.
    condition : sympy expression, optional
        For symbolic weights, the condition on the parameters.
    """

    name: str
    truth: Truth
    method: str
    condition: Any

    def __init__(self, name: str, truth: Truth, witness: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
                 method: str = "exact", condition: Any = None):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "truth", truth)
        object.__setattr__(self, "method", method)
        object.__setattr__(self, "condition", condition)
        object.__setattr__(self, "_witness", {} if witness is None else witness)

    @cached_property
    def witness(self) -> dict[str, Any]:
        w = self._witness
        return w() if callable(w) else w

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
