"""SLA policy versions in the database, and the sweep that raises alerts and escalates.

Clocks are computed on read; the sweep (`sweep_sla`, every few minutes as a task) turns what
the clocks say into records and actions, each once: an `SlaAlert` row (unique per ticket,
measure, cycle, kind and level, so a rerun or a second worker raises nothing twice), a
`TicketEvent` with the reason key, and on escalation what the level says — the notified team
hears by e-mail (after commit), the ticket may move to that team's queue and its priority may
go up. The chain always ends with the head-office complaints team.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from dataclasses import dataclass
from functools import partial
from importlib import resources
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.care.choices import AlertKind, Priority, TicketEventKind, TicketKind
from arrears.care.models import CareQueue, SlaAlert, SlaPolicySet, Team, Ticket
from arrears.care.selectors.sla import active_sla_book, slas_of
from arrears.care.services.tickets import OPEN_STATUSES, record_event
from arrears.core.care import sla as core_sla
from arrears.core.care.labels import label
from arrears.core.care.sla_policy import EscalationLevel, SlaPolicyBook, sla_policies_from_yaml
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError

log = logging.getLogger(__name__)

BUNDLED_PREFIX = "bundled-"
PRIORITY_STEPS = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
_KIND = {
    core_sla.AlertKind.WARNING: AlertKind.WARNING,
    core_sla.AlertKind.BREACH: AlertKind.BREACH,
    core_sla.AlertKind.ESCALATION: AlertKind.ESCALATION,
    core_sla.AlertKind.REGULATORY_WARNING: AlertKind.REGULATORY,
    core_sla.AlertKind.REGULATORY_BREACH: AlertKind.REGULATORY,
}
_EVENT: dict[str, str] = {
    AlertKind.WARNING: TicketEventKind.SLA_WARNING,
    AlertKind.BREACH: TicketEventKind.SLA_BREACH,
    AlertKind.ESCALATION: TicketEventKind.ESCALATED,
}


# --- policy versions -------------------------------------------------------------------------


@transaction.atomic
def save_sla_policies(
    *,
    version: str,
    yaml_text: str,
    by: Any,
    activate: bool = True,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> SlaPolicySet:
    """Keep a version of the SLA policies (checked first: errors name the policy field) and,
    by default, make it the one in force. Saving the same text again changes nothing."""
    version = (version or "").strip()
    if not version:
        raise ValidationError("version", _("is required"))
    sla_policies_from_yaml(yaml_text)
    row = SlaPolicySet.objects.filter(version=version).first()
    if row is not None and row.yaml_text != yaml_text:
        raise ValidationError(
            "version",
            _("version %(version)s already holds other policies; give a new version")
            % {"version": version},
        )
    if row is None:
        now = at or (clock or SystemClock()).now()
        row = SlaPolicySet.objects.create(
            version=version, yaml_text=yaml_text, saved_at=now, saved_by=by, is_active=False
        )
    if activate:
        activate_sla_policies(version=row)
    return row


@transaction.atomic
def activate_sla_policies(*, version: SlaPolicySet) -> SlaPolicySet:
    """Make this version the one in force (exactly one is active)."""
    sla_policies_from_yaml(version.yaml_text)
    active = SlaPolicySet.objects.select_for_update().filter(is_active=True)
    active.exclude(pk=version.pk).update(is_active=False)
    SlaPolicySet.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    return version


def load_bundled_sla_policies() -> SlaPolicySet | None:
    """Save the bundled policies as version `bundled-<hash>` (None when already there).

    It becomes active when no version is, or when the active one is itself a bundled version
    (the lender has not chosen their own); a lender's own active version stays in force.
    """
    text = resources.files("arrears.core.care").joinpath("sla_policies.yaml").read_text("utf-8")
    version = BUNDLED_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:10]
    if SlaPolicySet.objects.filter(version=version).exists():
        return None
    active = SlaPolicySet.objects.filter(is_active=True).first()
    activate = active is None or active.version.startswith(BUNDLED_PREFIX)
    return save_sla_policies(version=version, yaml_text=text, by=None, activate=activate)


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What one sweep did (counts), for the task's result and the CLI."""

    tickets: int = 0
    alerts: int = 0
    escalations: int = 0
    moved: int = 0
    priorities_raised: int = 0
    emails: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def tickets_to_sweep() -> Any:
    """Tickets whose clocks may still raise something: every open ticket, and a solved
    complaint still owed its written final response (the regulator's limit keeps running)."""
    owed = Q(kind=TicketKind.COMPLAINT, status="solved", final_response_at__isnull=True)
    return Ticket.objects.filter(
        Q(status__in=OPEN_STATUSES) | owed, merged_into__isnull=True
    ).select_related("queue__calendar", "borrower")


@transaction.atomic
def sweep_sla(
    *, now: dt.datetime | None = None, clock: Clock | None = None, batch_size: int = 500
) -> SweepResult:
    """Raise every SLA alert due by `now` that is not yet recorded, and act on escalations.

    Reads tickets in batches, each batch in a fixed number of queries (tickets, events,
    messages, alerts already raised); writes only what is new.
    """
    now = now or (clock or SystemClock()).now()
    result = SweepResult()
    book = active_sla_book()
    teams = {team.code: team for team in Team.objects.all()}
    last_id = 0
    while True:
        batch = list(tickets_to_sweep().filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            return result
        last_id = batch[-1].pk
        result.tickets += len(batch)
        slas = slas_of(batch, now=now, book=book)
        raised = set(
            SlaAlert.objects.filter(ticket_id__in=[t.pk for t in batch]).values_list(
                "ticket_id", "metric", "cycle", "kind", "level"
            )
        )
        for ticket in batch:
            sla = slas[ticket.pk]
            for alert in sla.alerts:
                key = (ticket.pk, alert.metric.value, alert.cycle, *_kind_and_level(alert))
                if key not in raised:
                    raised.add(key)
                    _raise(ticket, alert, sla=sla, book=book, teams=teams, now=now, result=result)


def _kind_and_level(alert: core_sla.Alert) -> tuple[str, int]:
    """The row's kind and level: an escalation's level; for a warning, the percent used;
    for the regulator's limit, the percent used (100 when passed); 0 for a breach."""
    kind = _KIND[alert.kind]
    if alert.kind is core_sla.AlertKind.ESCALATION:
        return kind, alert.level or 0
    if alert.kind is core_sla.AlertKind.REGULATORY_BREACH:
        return kind, 100
    return kind, int(alert.params.get("percent", 0))


def _raise(
    ticket: Ticket,
    alert: core_sla.Alert,
    *,
    sla: core_sla.TicketSla,
    book: SlaPolicyBook,
    teams: dict[str, Team],
    now: dt.datetime,
    result: SweepResult,
) -> None:
    kind, level = _kind_and_level(alert)
    params = {**alert.params, "due_at": alert.at.isoformat()}
    try:
        with transaction.atomic():
            SlaAlert.objects.create(
                ticket=ticket, metric=alert.metric.value, cycle=alert.cycle, kind=kind,
                level=level, notify=alert.notify or "", due_at=alert.at, raised_at=now,
                reason=alert.reason, params=params,
            )  # fmt: skip
    except IntegrityError:  # another sweep raised it a moment ago
        return
    result.alerts += 1
    breach = alert.kind is core_sla.AlertKind.REGULATORY_BREACH
    event = _EVENT.get(kind, TicketEventKind.SLA_BREACH if breach else TicketEventKind.SLA_WARNING)
    record_event(ticket, event, at=now, reason=alert.reason, params=params)
    if alert.kind is core_sla.AlertKind.ESCALATION:
        result.escalations += 1
        step = _level_of(book, sla.policy, alert.level)
        if step is not None:
            _act_on(ticket, step, teams=teams, now=now, result=result)
    team = teams.get(alert.notify or "")
    if team is not None and team.notify_address:
        _mail_team(ticket, alert, team)
        result.emails += 1


def _level_of(book: SlaPolicyBook, policy_key: str, number: int | None) -> EscalationLevel | None:
    policy = next((p for p in book.policies if p.key == policy_key), None)
    if policy is None or number is None:
        return None
    return next((level for level in policy.escalation if level.level == number), None)


def _act_on(
    ticket: Ticket,
    level: EscalationLevel,
    *,
    teams: dict[str, Team],
    now: dt.datetime,
    result: SweepResult,
) -> None:
    """What the escalation level says beyond notifying: move queue, raise priority."""
    params = {"level": str(level.level), "notify": level.notify}
    team = teams.get(level.notify)
    target = _team_queue(team) if level.move_to_queue and team is not None else None
    if target is not None and target.pk != ticket.queue_id:
        old = ticket.queue.code if ticket.queue_id and ticket.queue else ""
        ticket.queue = target
        ticket.assignee = None
        ticket.save(update_fields=["queue", "assignee"])
        record_event(ticket, TicketEventKind.QUEUE_CHANGED, at=now, reason="sla.escalation",
                     params={**params, "from": old, "to": target.code})  # fmt: skip
        result.moved += 1
    if level.raise_priority and ticket.priority != Priority.URGENT:
        old_priority = ticket.priority
        ticket.priority = PRIORITY_STEPS[PRIORITY_STEPS.index(Priority(old_priority)) + 1]
        ticket.save(update_fields=["priority"])
        record_event(ticket, TicketEventKind.PRIORITY_CHANGED, at=now, reason="sla.escalation",
                     params={**params, "from": old_priority, "to": ticket.priority})  # fmt: skip
        result.priorities_raised += 1


def _team_queue(team: Team) -> CareQueue | None:
    return team.queues.filter(is_active=True).order_by("sort_order", "code").first()


def _mail_team(ticket: Ticket, alert: core_sla.Alert, team: Team) -> None:
    """Tell the team by e-mail once the sweep's transaction commits (no borrower involved)."""
    language = "zh" if (translation.get_language() or "zh").startswith("zh") else "en"
    what = label(alert.reason, language, dict(alert.params))
    subject = _("[%(reference)s] SLA: %(what)s") % {"reference": ticket.reference, "what": what}
    body = _(
        "Ticket %(reference)s (%(subject)s): %(what)s.\nDue at %(due_at)s UTC.\n"
        "Open it in the console to act on it."
    ) % {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "what": what,
        "due_at": alert.at.strftime("%Y-%m-%d %H:%M"),
    }
    transaction.on_commit(partial(_send, subject, body, team.notify_address))


def _send(subject: str, body: str, address: str) -> None:
    try:
        send_mail(subject, body, settings.ARREARS_EMAIL_FROM, [address])
    except (OSError, smtplib.SMTPException):  # the alert row stays; the console shows it
        log.warning("could not e-mail the SLA alert to %s", address, exc_info=True)
