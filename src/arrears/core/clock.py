"""An injectable clock, so that every rule receives `now` and tests control time.

`core` never reads the clock itself; the shell (services, CLI, tasks) asks a Clock and passes
the instant down. Instants are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stands still until moved: for tests, replays and the demo."""

    def __init__(self, at: dt.datetime) -> None:
        self._at = _require_aware(at)

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = _require_aware(at)

    def advance(self, delta: dt.timedelta) -> None:
        self._at = self._at + delta


def _require_aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a clock instant must be timezone-aware")
    return at.astimezone(dt.UTC)
