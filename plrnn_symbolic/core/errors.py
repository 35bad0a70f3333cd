
__all__ = [
    "InputError",
]
"""Errors raised for input the package refuses.

Every refusal of bad input raises :class:`InputError` (a ``ValueError``), so the
command line can turn it into a one-line message and exit status 2.
"""


class InputError(ValueError):
    """Input that cannot be accepted: wrong shape, non-finite, unknown key, ..."""
