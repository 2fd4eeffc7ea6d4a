"""Champion/challenger (冠军–挑战者测试): a stable, seeded split of accounts between paths.

An account's slot in a segment is `slot(seed, segment, account_id)`, a number 0–99 that
depends on nothing else: not on the run, the Python or Polars version, nor Python's string
hash seed. The arms take consecutive slots in the order the strategy lists them, as many as
their share (80/20: slots 0–79 and 80–99). Changing the seed reshuffles every account; adding a
segment moves none of another segment's accounts.

The mix is splitmix64 (Steele, Lea & Flood 2014) — small, fast and well spread — written
twice, over Python ints masked to 64 bits and over NumPy uint64 arrays (which wrap modulo
2**64), so `slot` and `slots` agree exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB
SLOTS = 100


def splitmix64(value: int) -> int:
    """One splitmix64 step over a 64-bit unsigned value."""
    z = (value + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * _MUL1) & _MASK
    z = ((z ^ (z >> 27)) * _MUL2) & _MASK
    return z ^ (z >> 31)


def splitmix64_array(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """`splitmix64` over a uint64 array (NumPy wraps unsigned arithmetic modulo 2**64)."""
    z = values + np.uint64(_GAMMA)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MUL1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MUL2)
    return z ^ (z >> np.uint64(31))


def segment_key(seed: int, segment: str) -> int:
    """The 64-bit key of a segment under a seed (BLAKE2b of the id: stable across runs)."""
    digest = int.from_bytes(hashlib.blake2b(segment.encode(), digest_size=8).digest(), "little")
    return splitmix64((seed & _MASK) ^ digest)


def slot(seed: int, segment: str, account_id: int) -> int:
    """The account's slot (0–99) in the segment's split."""
    return splitmix64(segment_key(seed, segment) ^ (account_id & _MASK)) % SLOTS


def slots(seed: int, segment: str, account_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """`slot` for many accounts at once (int64 ids taken as their two's-complement bits)."""
    ids = np.ascontiguousarray(account_ids, dtype=np.int64).view(np.uint64)
    mixed = splitmix64_array(ids ^ np.uint64(segment_key(seed, segment)))
    return (mixed % np.uint64(SLOTS)).astype(np.int64)


def arm_of(slot_number: int, shares: Sequence[int]) -> int:
    """Which arm (index into `shares`) a slot falls in; the shares add up to 100."""
    bound = 0
    for index, share in enumerate(shares):
        bound += share
        if slot_number < bound:
            return index
    raise ValueError(f"slot {slot_number} beyond shares {list(shares)} (they must add up to 100)")


def arms_of(slot_numbers: npt.NDArray[np.int64], shares: Sequence[int]) -> npt.NDArray[np.int64]:
    """`arm_of` for many slots."""
    bounds = np.cumsum(np.asarray(shares, dtype=np.int64))
    return np.searchsorted(bounds, slot_numbers, side="right").astype(np.int64)
