"""What a command prints: JSON with ``--json``, else text."""

from __future__ import annotations

import json
import math

__all__ = [
    "emit",
]


def emit(args, data, text, note: str | None = None) -> int:
    """Print ``data`` as JSON with --json, else ``text`` and ``note``; the exit status 0.

    ``data`` and ``text`` may be given as functions, so that only the one printed
    is built (the JSON form of a large sweep costs as much as the sweep)."""
    if args.json:
        print(json.dumps(_finite(data() if callable(data) else data), indent=1, default=str, allow_nan=False))
    else:
        print(text() if callable(text) else text)
        if note:
            print(f"\n{note}")
    return 0


def _finite(x):
    """JSON has no NaN or infinity: such a float is written as the string "nan", "inf" or "-inf"
    (an exact value beyond float64 shown as a float, a trajectory that left float64)."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x
