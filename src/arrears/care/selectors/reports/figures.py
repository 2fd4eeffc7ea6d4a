"""The shapes of the care desk's reports 报表, and the two statistics every duration uses.

Durations are whole seconds; shares and rates are plain fractions rounded to four places
(no money is involved). A figure that has nothing to measure is None, never 0, so "no calls"
is not mistaken for "no calls abandoned".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass


def nearest_rank(values: Sequence[int], percent: int) -> int | None:
    """The smallest value with at least `percent` % of the values at or below it.

    Nearest-rank (no interpolation), so every figure is one of the measured durations and can
    be counted by hand: the median of four values is the second smallest.
    """
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return ordered[rank - 1]


def share(part: int, whole: int) -> float | None:
    """`part / whole` rounded to four places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True, slots=True)
class Backlog:
    """Open tickets (new, open, pending, on hold) at one instant."""

    at: dt.datetime
    total: int
    by_status: dict[str, int]
    by_queue: dict[str, int]
    by_age: dict[str, int]


@dataclass(frozen=True, slots=True)
class DayBacklog:
    """Open tickets at the end of one day of the period (midnight in the desk's zone)."""

    day: dt.date
    total: int
    by_status: dict[str, int]
    by_queue: dict[str, int]
    by_age: dict[str, int]


@dataclass(frozen=True, slots=True)
class Durations:
    """How long something took over `count` tickets: median and 90th percentile."""

    count: int
    median_business_seconds: int | None
    p90_business_seconds: int | None
    median_calendar_seconds: int | None
    p90_calendar_seconds: int | None

    @classmethod
    def of(cls, business: Sequence[int], calendar: Sequence[int]) -> Durations:
        return cls(
            count=len(calendar),
            median_business_seconds=nearest_rank(business, 50),
            p90_business_seconds=nearest_rank(business, 90),
            median_calendar_seconds=nearest_rank(calendar, 50),
            p90_calendar_seconds=nearest_rank(calendar, 90),
        )


@dataclass(frozen=True, slots=True)
class Attainment:
    """SLA targets of one metric decided in the period for a queue, an agent or the whole desk.

    `scope` is desk, queue or agent; `key` the queue code or the agent's username ("" for the
    desk, or for tickets with no queue / no assignee).
    """

    scope: str
    key: str
    metric: str
    met: int
    breached: int

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def share_met(self) -> float | None:
        return share(self.met, self.decided)


@dataclass(frozen=True, slots=True)
class OriginRate:
    origin: str
    tickets: int
    per_1000_accounts: float | None


@dataclass(frozen=True, slots=True)
class ContactRate:
    """Tickets opened in the period per 1,000 accounts active in it, by channel of origin."""

    active_accounts: int
    tickets: int
    per_1000_accounts: float | None
    by_origin: list[OriginRate]


@dataclass(frozen=True, slots=True)
class Callbacks:
    """Callbacks booked in the period and what became of them (as of the report)."""

    booked: int
    kept: int
    missed: int
    cancelled: int
    rebooked: int
    waiting: int

    @property
    def kept_share(self) -> float | None:
        return share(self.kept, self.booked)


@dataclass(frozen=True, slots=True)
class Line:
    """The inbound phone line in the period."""

    offered: int
    answered: int
    abandoned: int
    callback_instead: int
    missed: int
    voicemail: int
    after_hours: int
    average_wait_seconds: int | None
    answered_within_20s: int
    callbacks: Callbacks

    @property
    def abandonment_rate(self) -> float | None:
        return share(self.abandoned, self.offered)

    @property
    def service_level(self) -> float | None:
        return share(self.answered_within_20s, self.offered)


@dataclass(frozen=True, slots=True)
class ComplaintCause:
    """Complaints received in the period with one cause ("" when none was recorded)."""

    cause: str
    received: int
    final_responses: int
    final_response: Durations
    past_limit: int


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """Surveys sent in the period and their answers."""

    sent: int
    answered: int
    average_score: float | None
    satisfied: int  # answered 4 or 5

    @property
    def answer_rate(self) -> float | None:
        return share(self.answered, self.sent)

    @property
    def satisfied_share(self) -> float | None:
        return share(self.satisfied, self.answered)


@dataclass(frozen=True, slots=True)
class CareReport:
    """The supervisors' summary for [period_from, period_to) in `zone`, as of `as_of`."""

    period_from: dt.date
    period_to: dt.date
    zone: str
    queue: str | None
    agent: str | None
    as_of: dt.datetime
    backlog_now: Backlog
    backlog_by_day: list[DayBacklog]
    first_reply: Durations
    resolution: Durations
    sla: list[Attainment]
    contact_rate: ContactRate
    line: Line
    complaints: list[ComplaintCause]
    satisfaction: Satisfaction
