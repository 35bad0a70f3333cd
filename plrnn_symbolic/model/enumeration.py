"""The 2^M regions of a PLRNN by their index, a block at a time, never as one list.

Region k (0 <= k < 2^M) is the k-th name of :func:`plrnn_symbolic.model.regions.all_regions`:
the bits of 2^M - 1 - k, unit 1 the most significant, so region 0 is all ones and
region 2^M - 1 all zeros.  A sweep cut into blocks of consecutive indices builds only
the names of the block it works on, which bounds its memory independently of 2^M.

>>> from plrnn_symbolic.model.regions import all_regions
>>> region_block(3, 0, 8) == all_regions(3)
True
>>> region_block(3, 2, 5), region_index("101")
(['101', '100', '011'], 2)
"""

from __future__ import annotations

import numpy as np

from ..core.errors import InputError

__all__ = ["activity_block", "region_block", "region_index"]


def activity_block(M: int, start: int, stop: int) -> np.ndarray:
    """The activation patterns of regions ``start .. stop - 1`` as a (stop - start, M) bool array."""
    if not 0 <= start <= stop <= 2**M:
        raise InputError(f"region indices {start}..{stop} are outside 0..2^{M}")
    if M > 62:
        raise InputError(f"M = {M}: region indices beyond 2^62 are not enumerated (check visited regions)")
    k = (2**M - 1) - np.arange(start, stop, dtype=np.int64)
    shifts = np.arange(M - 1, -1, -1, dtype=np.int64)
    return ((k[:, None] >> shifts[None, :]) & 1).astype(bool)


def region_block(M: int, start: int, stop: int) -> list[str]:
    """The names of regions ``start .. stop - 1``, in the order of ``all_regions``."""
    act = activity_block(M, start, stop)
    text = np.where(act, ord("1"), ord("0")).astype(np.uint8).tobytes().decode("ascii")
    return [text[i * M:(i + 1) * M] for i in range(len(act))]


def region_index(bits: str) -> int:
    """The index of a region name in the order of ``all_regions``."""
    return 2 ** len(bits) - 1 - int(bits, 2)
