"""The shared contact log, indexed by person and by address for range look-ups by time.

One log for the lender and all its agencies: China's caps add up across them and Reg F counts
calls to every number of a person (regulations.md §6.3).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from arrears.core.compliance.model import Attempt


class _Series:
    """Attempts in time order with their POSIX times, for range look-ups by bisection."""

    __slots__ = ("attempts", "times")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.attempts: list[Attempt] = []

    def between(self, since: dt.datetime, until: dt.datetime) -> Sequence[Attempt]:
        low = bisect.bisect_left(self.times, since.timestamp())
        high = bisect.bisect_left(self.times, until.timestamp(), lo=low)
        return self.attempts[low:high]


_EMPTY = _Series()


@dataclass(frozen=True)
class ContactHistory:
    """The contact log for the people a request concerns, indexed by person and by address.

    Build it once per decision batch; look-ups are by bisection on time, so a decision reads only
    the last few days of a long history.
    """

    attempts: tuple[Attempt, ...] = ()
    _by_party: dict[str, _Series] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _by_address: dict[str, _Series] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.attempts, key=_time_of))
        object.__setattr__(self, "attempts", ordered)
        for attempt in ordered:
            stamp = attempt.at.timestamp()
            for index, key in (
                (self._by_party, attempt.party_id),
                (self._by_address, attempt.address),
            ):
                series = index.get(key)
                if series is None:
                    series = index[key] = _Series()
                series.times.append(stamp)
                series.attempts.append(attempt)

    @classmethod
    def of(cls, attempts: Iterable[Attempt]) -> ContactHistory:
        return cls(tuple(attempts))

    def with_attempt(self, attempt: Attempt) -> ContactHistory:
        return ContactHistory((*self.attempts, attempt))

    def to_party(self, party_id: str, since: dt.datetime, until: dt.datetime) -> Sequence[Attempt]:
        """Attempts with this person in [since, until), oldest first."""
        return self._by_party.get(party_id, _EMPTY).between(since, until)

    def to_address(self, address: str, since: dt.datetime, until: dt.datetime) -> Sequence[Attempt]:
        """Attempts to this number or address (whoever answered) in [since, until), oldest first."""
        return self._by_address.get(address, _EMPTY).between(since, until)

    def all_to_party(self, party_id: str) -> Sequence[Attempt]:
        return self._by_party.get(party_id, _EMPTY).attempts


def _time_of(attempt: Attempt) -> dt.datetime:
    return attempt.at
