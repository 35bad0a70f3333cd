"""Results as collections: a mapping by region (:class:`ByRegion`), and pandas tables; pandas is an
optional extra (``pip install 'plrnn_symbolic[frames]'``), imported only when a ``to_frame()`` asks for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ByRegion", "MissingDependency", "frame"]


class ByRegion(Mapping):
    """A result that is the mapping region -> its per-region result, held in the field that
    ``_by_region`` names: ``len``, iteration, ``in``, ``keys``, ``values``, ``items`` and ``get``.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Counts(ByRegion):
    ...     regions: dict
    >>> c = Counts({"01": 3, "11": 5})
    >>> len(c), list(c), c["11"], dict(c.items())
    (2, ['01', '11'], 5, {'01': 3, '11': 5})
    """

    _by_region = "regions"

    def __getitem__(self, bits: str):
        return getattr(self, self._by_region)[bits]

    def __len__(self) -> int:
        return len(getattr(self, self._by_region))

    def __iter__(self) -> Iterator[str]:
        return iter(getattr(self, self._by_region))


class MissingDependency(ImportError):
    """An optional dependency a function needs is not installed."""


def frame(rows: list[dict[str, Any]], index: str | None = None):
    """A ``pandas.DataFrame`` of ``rows`` (one dict per row), indexed by the column ``index``.

    Raises
    ------
    MissingDependency
        pandas is not installed; the message says how to install it.

    Examples
    --------
    >>> frame([{"region": "01", "holds": True}], index="region").loc["01", "holds"]
    np.True_
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingDependency("to_frame() needs pandas, an optional extra: pip install 'plrnn_symbolic[frames]' "
                                "(or pip install pandas)") from None
    out = pd.DataFrame(rows)
    return out.set_index(index) if index is not None and len(out) else out
