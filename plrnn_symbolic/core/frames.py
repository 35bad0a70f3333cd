"""Results as pandas tables: pandas is an optional extra (``pip install 'plrnn_symbolic[frames]'``),
imported only when a ``to_frame()`` asks for it."""

from __future__ import annotations

from typing import Any

__all__ = ["MissingDependency", "frame"]


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
