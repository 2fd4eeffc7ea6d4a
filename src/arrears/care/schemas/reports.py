"""Schemas of the care desk's reports: the filters in, the summary out.

Durations are whole seconds; shares and rates are fractions (0–1) or per 1,000 accounts;
a figure with nothing to measure is null. Every measure is defined in docs/care.md, "Reports".
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from arrears.common.schemas import Text


class ReportFilters(Schema):
    """`?from=2026-11-01&to=2026-12-01&queue=general&agent=li.na`"""

    model_config = ConfigDict(populate_by_name=True)

    start_on: dt.date = Field(alias="from", description="first day of the period (desk's zone)")
    end_on: dt.date = Field(alias="to", description="the day after the last (exclusive)")
    queue: Text | None = Field(None, max_length=40, description="a queue's code")
    agent: Text | None = Field(None, max_length=150, description="an agent's username")


class BacklogOut(Schema):
    at: dt.datetime
    total: int
    by_status: dict[str, int]
    by_queue: dict[str, int] = Field(description='queue code → open tickets ("" no queue)')
    by_age: dict[str, int] = Field(description="age band → open tickets")


class DayBacklogOut(Schema):
    day: dt.date
    total: int
    by_status: dict[str, int]
    by_queue: dict[str, int]
    by_age: dict[str, int]


class DurationsOut(Schema):
    count: int = Field(description="tickets measured")
    median_business_seconds: int | None
    p90_business_seconds: int | None
    median_calendar_seconds: int | None
    p90_calendar_seconds: int | None


class AttainmentOut(Schema):
    scope: str = Field(description="desk, queue or agent")
    key: str = Field(description='queue code or username ("" the desk, or none)')
    metric: str = Field(description="first_reply or resolution")
    met: int
    breached: int
    decided: int
    share_met: float | None


class OriginRateOut(Schema):
    origin: str
    tickets: int
    per_1000_accounts: float | None


class ContactRateOut(Schema):
    active_accounts: int
    tickets: int
    per_1000_accounts: float | None
    by_origin: list[OriginRateOut]


class CallbacksOut(Schema):
    booked: int
    kept: int
    missed: int
    cancelled: int
    rebooked: int
    waiting: int
    kept_share: float | None


class LineOut(Schema):
    offered: int
    answered: int
    abandoned: int
    callback_instead: int
    missed: int
    voicemail: int
    after_hours: int
    abandonment_rate: float | None
    average_wait_seconds: int | None = Field(description="mean wait of answered calls")
    answered_within_20s: int
    service_level: float | None = Field(description="answered within 20 s ÷ offered")
    callbacks: CallbacksOut


class ComplaintCauseOut(Schema):
    cause: str
    received: int
    final_responses: int
    final_response: DurationsOut
    past_limit: int = Field(description="past the regulator's outer limit")


class SatisfactionOut(Schema):
    sent: int
    answered: int
    answer_rate: float | None
    average_score: float | None
    satisfied: int = Field(description="answers scoring 4 or 5")
    satisfied_share: float | None


class CareReportOut(Schema):
    """The supervisors' summary of the care desk for a period."""

    period_from: dt.date
    period_to: dt.date = Field(description="exclusive")
    zone: str
    queue: str | None
    agent: str | None
    as_of: dt.datetime
    backlog_now: BacklogOut
    backlog_by_day: list[DayBacklogOut]
    first_reply: DurationsOut
    resolution: DurationsOut
    sla: list[AttainmentOut]
    contact_rate: ContactRateOut
    line: LineOut
    complaints: list[ComplaintCauseOut]
    satisfaction: SatisfactionOut
