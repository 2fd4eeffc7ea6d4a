"""Measures counted in the database: the backlog now, the phone line, callbacks, surveys and
the accounts the contact rate divides by. Each is one aggregate query (the backlog one read of
three columns of the open tickets)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Avg, Count, Q

from arrears.care.choices import CallbackStatus, CallOutcome
from arrears.care.models import Callback, PhoneCall, SatisfactionSurvey, Ticket
from arrears.care.selectors.reports.bands import AGE_BANDS, age_band
from arrears.care.selectors.reports.figures import Backlog, Callbacks, Line, Satisfaction
from arrears.care.selectors.reports.period import ReportScope
from arrears.care.selectors.reports.reading import OPEN_STATUSES
from arrears.servicing.models import Account

#: A call answered within this many seconds meets the line's service level.
SERVICE_LEVEL_SECONDS = 20


def backlog_now(scope: ReportScope) -> Backlog:
    """Open tickets (not merged away) at the report's time, by status, queue and age."""
    rows = Ticket.objects.filter(
        scope.ticket_filter(), status__in=OPEN_STATUSES, merged_into__isnull=True
    ).values_list("status", "queue__code", "created_at")
    statuses: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    for status, queue_code, created_at in rows:
        statuses[status] += 1
        queues[queue_code or ""] += 1
        ages[age_band(scope.as_of - created_at)] += 1
    return Backlog(
        at=scope.as_of,
        total=sum(statuses.values()),
        by_status={str(status): statuses.get(status, 0) for status in OPEN_STATUSES},
        by_queue=dict(sorted(queues.items())),
        by_age={key: ages.get(key, 0) for key, _days in AGE_BANDS},
    )


def phone_line(scope: ReportScope) -> Line:
    """Inbound calls that started in the period, and callbacks booked in it."""
    calls = PhoneCall.objects.filter(
        direction="inbound", started_at__gte=scope.start, started_at__lt=scope.end
    )
    if scope.queue is not None:
        calls = calls.filter(queue=scope.queue)
    if scope.agent is not None:
        calls = calls.filter(agent=scope.agent)
    answered = Q(outcome=CallOutcome.ANSWERED)
    figures = calls.aggregate(
        **{outcome.value: Count("pk", filter=Q(outcome=outcome)) for outcome in CallOutcome},
        average_wait=Avg("wait_seconds", filter=answered),
        within=Count("pk", filter=answered & Q(wait_seconds__lte=SERVICE_LEVEL_SECONDS)),
    )
    after_hours = figures[CallOutcome.AFTER_HOURS]
    offered = sum(figures[o.value] for o in CallOutcome) - after_hours
    wait = figures["average_wait"]
    return Line(
        offered=offered,
        answered=figures[CallOutcome.ANSWERED],
        abandoned=figures[CallOutcome.ABANDONED],
        callback_instead=figures[CallOutcome.CALLBACK_BOOKED],
        missed=figures[CallOutcome.MISSED],
        voicemail=figures[CallOutcome.VOICEMAIL],
        after_hours=after_hours,
        average_wait_seconds=None if wait is None else round(wait),
        answered_within_20s=figures["within"],
        callbacks=callbacks(scope),
    )


def callbacks(scope: ReportScope) -> Callbacks:
    """Callbacks booked in the period, by what became of them."""
    booked = Callback.objects.filter(booked_at__gte=scope.start, booked_at__lt=scope.end)
    if scope.queue is not None:
        booked = booked.filter(queue=scope.queue)
    if scope.agent is not None:
        booked = booked.filter(agent=scope.agent)
    figures = booked.aggregate(
        total=Count("pk"),
        **{status.value: Count("pk", filter=Q(status=status)) for status in CallbackStatus},
    )
    return Callbacks(
        booked=figures["total"],
        kept=figures[CallbackStatus.DONE],
        missed=figures[CallbackStatus.MISSED],
        cancelled=figures[CallbackStatus.CANCELLED],
        rebooked=figures[CallbackStatus.REBOOKED],
        waiting=figures[CallbackStatus.BOOKED],
    )


def satisfaction(scope: ReportScope) -> Satisfaction:
    """Surveys sent in the period; their answers whenever they came (up to the report's time)."""
    surveys = SatisfactionSurvey.objects.filter(
        scope.ticket_filter("ticket__"), sent_at__gte=scope.start, sent_at__lt=scope.end
    )
    answered = Q(answered_at__isnull=False, answered_at__lt=scope.as_of, score__isnull=False)
    figures = surveys.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=answered),
        average=Avg("score", filter=answered),
        satisfied=Count("pk", filter=answered & Q(score__gte=4)),
    )
    average = figures["average"]
    return Satisfaction(
        sent=figures["sent"],
        answered=figures["answered"],
        average_score=None if average is None else round(float(average), 2),
        satisfied=figures["satisfied"],
    )


def active_accounts(scope: ReportScope) -> int:
    """Accounts open at some time in the period: opened before its last day ended, and not
    closed or charged off before it began."""
    return Account.objects.filter(
        Q(opened_on__lt=scope.end_on),
        Q(closed_on__isnull=True) | Q(closed_on__gte=scope.start_on),
        Q(charged_off_on__isnull=True) | Q(charged_off_on__gte=scope.start_on),
    ).count()
