"""What a command prints: JSON with ``--json``, else text."""

from __future__ import annotations

import json

__all__ = [
    "emit",
]


def emit(args, data, text, note: str | None = None) -> int:
    """Print ``data`` as JSON with --json, else ``text`` and ``note``; the exit status 0.

    ``data`` and ``text`` may be given as functions, so that only the one printed
    is built (the JSON form of a large sweep costs as much as the sweep)."""
    if args.json:
        print(json.dumps(data() if callable(data) else data, indent=1, default=str))
    else:
        print(text() if callable(text) else text)
        if note:
            print(f"\n{note}")
    return 0
