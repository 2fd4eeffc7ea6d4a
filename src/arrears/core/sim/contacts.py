"""The contacts the real engine made on one simulated day, as equal-length columns.

The simulator's driver runs the real strategies and compliance gate; whatever they let through
that day is handed to the behaviour model as a `Contacts` batch: who, on which channel, at what
local hour of the week, whether the right party was reached (known for calls the driver has
already placed; left to the model with -1), and whether an affordable plan was offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from arrears.core.errors import ValidationError
from arrears.core.sim.params import CHANNEL_INDEX, CHANNELS, HOURS_PER_WEEK

UNKNOWN = -1  # right_party: let the model draw whether the contact was answered


@dataclass(frozen=True, kw_only=True)
class Contacts:
    borrower: np.ndarray  # int64: index into the population
    channel: np.ndarray  # int8: index into CHANNELS
    hour_of_week: np.ndarray  # int16: borrower's local hour, 0 = Monday 00:00
    right_party: np.ndarray  # int8: 1 reached, 0 not reached, -1 unknown (model decides)
    plan_offered: np.ndarray  # bool
    plan_affordable: np.ndarray  # bool
    plan_instalment_minor: np.ndarray  # int64

    @property
    def size(self) -> int:
        return int(self.borrower.shape[0])

    @classmethod
    def none(cls) -> Contacts:
        return cls.build(borrower=[], channel=[], hour_of_week=[], population=1)

    @classmethod
    def build(
        cls,
        *,
        borrower: Sequence[int] | np.ndarray,
        channel: Sequence[str | int] | np.ndarray,
        hour_of_week: Sequence[int] | np.ndarray,
        population: int,
        right_party: Sequence[int] | np.ndarray | None = None,
        plan_offered: Sequence[bool] | np.ndarray | None = None,
        plan_affordable: Sequence[bool] | np.ndarray | None = None,
        plan_instalment_minor: Sequence[int] | np.ndarray | None = None,
    ) -> Contacts:
        """Check and pack the columns; every error names the column."""
        who = _ints("borrower", borrower, low=0, high=population - 1)
        size = who.shape[0]
        return cls(
            borrower=who,
            channel=_channels(channel, size),
            hour_of_week=_ints("hour_of_week", hour_of_week, 0, HOURS_PER_WEEK - 1, size)
            .astype(np.int16),
            right_party=_ints("right_party", _or(right_party, size, UNKNOWN), -1, 1, size)
            .astype(np.int8),
            plan_offered=_flags("plan_offered", plan_offered, size),
            plan_affordable=_flags("plan_affordable", plan_affordable, size),
            plan_instalment_minor=_ints(
                "plan_instalment_minor", _or(plan_instalment_minor, size, 0), 0, 2**62, size
            ),
        )  # fmt: skip


def _or(values: object, size: int, default: int) -> object:
    return np.full(size, default, np.int64) if values is None else values


def _ints(field: str, values: object, low: int, high: int, size: int | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.size == 0:
        array = array.astype(np.int64)
    if array.ndim != 1 or (size is not None and array.shape[0] != size):
        raise ValidationError(field, f"must be a list of {size} whole numbers")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValidationError(field, "must hold whole numbers")
    if array.size and (array.min() < low or array.max() > high):
        raise ValidationError(field, f"values must be between {low} and {high}")
    return array.astype(np.int64)


def _flags(field: str, values: object, size: int) -> np.ndarray:
    if values is None:
        return np.zeros(size, bool)
    array = np.asarray(values)
    if array.shape != (size,) or (array.size and array.dtype != np.bool_):
        raise ValidationError(field, f"must be a list of {size} true/false values")
    return array.astype(bool)


def _channels(values: object, size: int) -> np.ndarray:
    array = np.asarray(values)
    if array.shape != (size,):
        raise ValidationError("channel", f"must be a list of {size} channels")
    if array.size and array.dtype.kind in "UO":
        unknown = set(array.tolist()) - set(CHANNELS)
        if unknown:
            raise ValidationError(
                "channel", f"unknown {sorted(unknown)}; use {', '.join(CHANNELS)}"
            )
        return np.array([CHANNEL_INDEX[c] for c in array.tolist()], np.int8)
    return _ints("channel", array, 0, len(CHANNELS) - 1, size).astype(np.int8)
