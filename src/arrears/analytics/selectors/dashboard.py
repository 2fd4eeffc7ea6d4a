"""The supervisor's dashboard (主管看板): the period's KPIs and the series behind its charts.

`dashboard(...)` is the one read the console's dashboard makes. It narrows the KPI report's
accounts (docs/analytics.md) further by **segment** and **agent** — the accounts with a
collection case opened before the period's end in that segment / owned by that collector — and
adds what the KPI report has no figure for:

- **delinquency by bucket over time**: at each of a few dates across the period, how many of
  the accounts open that day were in each bucket (the bucket of an account at a date, as the
  KPI report defines it); one aggregate query per date;
- **right-party contacts by hour of the week**: outbound call attempts started in the period,
  by the lender's local weekday (Monday first) and hour, and how many reached the right party
  (the recorded call result's right-party flag); one query;
- the care desk's SLA attainment and complaints (`care.selectors.reports.care_report`) and
  the work queues' load now (`collection.selectors.queue_load`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.analytics.rates import bucket_order
from arrears.analytics.selectors.activity import _concerns
from arrears.analytics.selectors.kpis import Kpis, kpis_for_scope
from arrears.analytics.selectors.portfolio import _bucket_before
from arrears.analytics.selectors.scope import Scope, resolve_scope
from arrears.care.selectors.reports import CareReport, care_report
from arrears.collection.models import Case, Collector
from arrears.collection.selectors import queue_load
from arrears.collection.selectors.queues import Load
from arrears.compliance.choices import Direction
from arrears.compliance.models import ContactAttempt
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Product

#: How many dates the bucket history samples across the period (the first day and the day
#: after the last included).
HISTORY_POINTS = 6
HOURS_OF_WEEK = 7 * 24


@dataclass(frozen=True)
class DashboardScope(Scope):
    """The KPI scope, narrowed to a case segment and to a collector's cases."""

    segment: str | None = None
    agent_id: int | None = None

    def accounts(self) -> QuerySet[Account]:
        found = super().accounts()
        if not (self.segment or self.agent_id):
            return found
        cases = Case.objects.filter(account=OuterRef("pk"), opened_on__lt=self.end_on)
        if self.segment:
            cases = cases.filter(segment=self.segment)
        if self.agent_id:
            cases = cases.filter(agent_id=self.agent_id)
        return found.filter(Exists(cases))


@dataclass(frozen=True)
class BucketCounts:
    """The accounts open on `on` by the bucket they were in (at the close of the day before)."""

    on: dt.date
    by_bucket: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_bucket.values())


@dataclass(frozen=True)
class HourOfWeek:
    """Outbound calls started in one local hour of the week (weekday 1 = Monday)."""

    weekday: int
    hour: int
    attempts: int
    right_party: int


@dataclass(frozen=True)
class FilterChoices:
    products: list[tuple[str, str]]  # (code, name)
    segments: list[str]
    strategy_arms: list[str]
    agents: list[str]  # collectors' usernames


@dataclass(frozen=True)
class Dashboard:
    kpis: Kpis
    bucket_history: list[BucketCounts]
    buckets: list[str]  # every bucket the history holds, in ageing order
    calls_by_hour: list[HourOfWeek]  # the 168 hours of the week, Monday 00:00 first
    care: CareReport
    load: Load


def dashboard(
    *,
    start_on: dt.date,
    end_on: dt.date,
    now: dt.datetime,
    product: str | None = None,
    segment: str | None = None,
    strategy_arm: str | None = None,
    agent: str | None = None,
) -> Dashboard:
    """Everything the dashboard shows for the days [start_on, end_on), filtered. Raises
    `ValidationError` naming `to`, `product` or `agent` for a bad period or filter."""
    agent_id: int | None = None
    if agent:
        agent_id = (
            get_user_model().objects.filter(username=agent).values_list("pk", flat=True).first()
        )
        if agent_id is None:
            raise ValidationError("agent", _("no staff member has this username"))
    base = resolve_scope(
        start_on=start_on, end_on=end_on, product=product, strategy_arm=strategy_arm,
        currency=None,
    )  # fmt: skip
    scope = DashboardScope(
        base.start_on, base.end_on, base.currency, base.product, base.strategy_arm,
        segment=segment or None, agent_id=agent_id,
    )  # fmt: skip
    history = bucket_history(scope, history_dates(start_on, end_on))
    return Dashboard(
        kpis=kpis_for_scope(scope),
        bucket_history=history,
        buckets=bucket_order({code for point in history for code in point.by_bucket}),
        calls_by_hour=calls_by_hour_of_week(scope),
        care=care_report(start_on=start_on, end_on=end_on, agent=agent or None, at=now),
        load=queue_load(now=now),
    )


def history_dates(
    start_on: dt.date, end_on: dt.date, points: int = HISTORY_POINTS
) -> list[dt.date]:
    """`points` dates spread evenly from the first day to the day after the last (distinct)."""
    span = (end_on - start_on).days
    steps = max(1, min(points - 1, span))
    return sorted({start_on + dt.timedelta(days=round(span * k / steps)) for k in range(steps + 1)})


def bucket_history(scope: Scope, dates: list[dt.date]) -> list[BucketCounts]:
    """For each date, the scope's accounts open that day (opened before it, not closed before
    it) counted by their bucket at that date."""
    history = []
    for day in dates:
        rows = (
            scope.accounts()
            .filter(opened_on__lt=day)
            .exclude(closed_on__lt=day)
            .annotate(bucket_then=_bucket_before(day))
            .values("bucket_then")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {str(row["bucket_then"]): int(row["n"]) for row in rows}
        history.append(BucketCounts(day, {code: counts[code] for code in bucket_order(counts)}))
    return history


def calls_by_hour_of_week(scope: Scope) -> list[HourOfWeek]:
    """Outbound call attempts of the period concerning the scope, by local hour of the week."""
    zone = ZoneInfo(str(timezone.get_default_timezone()))
    rows = (
        ContactAttempt.objects.filter(
            direction=Direction.OUTBOUND,
            channel="call",
            started_at__gte=scope.start_at,
            started_at__lt=scope.end_at,
        )
        .filter(_concerns(scope, ContactAttempt.accounts.through, "contactattempt"))
        .annotate(
            weekday=ExtractIsoWeekDay("started_at", tzinfo=zone),
            hour=ExtractHour("started_at", tzinfo=zone),
        )
        .values("weekday", "hour")
        .annotate(
            attempts=Count("pk"),
            right_party=Count("pk", filter=Q(collection_outcome__disposition__right_party=True)),
        )
        .order_by()
    )
    found = {(int(r["weekday"]), int(r["hour"])): r for r in rows}
    hours = []
    for weekday in range(1, 8):
        for hour in range(24):
            row = found.get((weekday, hour))
            hours.append(
                HourOfWeek(
                    weekday,
                    hour,
                    int(row["attempts"]) if row else 0,
                    int(row["right_party"]) if row else 0,
                )
            )
    return hours


def filter_choices() -> FilterChoices:
    """What the dashboard's filters offer: products, the segments and paths cases were put
    on, and the collectors."""
    return FilterChoices(
        products=[
            (str(code), str(name))
            for code, name in Product.objects.order_by("code").values_list("code", "name_en")
        ],
        segments=sorted(
            set(Case.objects.exclude(segment="").values_list("segment", flat=True).distinct())
        ),
        strategy_arms=sorted(
            set(Case.objects.exclude(path="").values_list("path", flat=True).distinct())
        ),
        agents=list(
            Collector.objects.order_by("user__username").values_list("user__username", flat=True)
        ),
    )
