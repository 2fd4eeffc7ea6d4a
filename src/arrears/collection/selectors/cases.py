"""Reads of cases, their history, promises and escalations (each a fixed number of queries)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from arrears.collection.choices import CaseStatus, EscalationStatus
from arrears.collection.models import (
    Case,
    CaseEvent,
    Disposition,
    Escalation,
    Promise,
    PromiseInstalment,
)
from arrears.core.errors import NotFound
from arrears.servicing.models import Account


def cases_of_account(account: Account) -> QuerySet[Case]:
    """The account's cases, the open one first, then the newest."""
    return (
        Case.objects.filter(account=account)
        .select_related("queue", "agent", "agency", "strategy", "account")
        .order_by("status", "-opened_on", "-id")
    )


def open_case_of(account: Account) -> Case | None:
    return cases_of_account(account).filter(status=CaseStatus.OPEN).first()


def case_by_id(case_id: int) -> Case:
    """A case with its history (events oldest first)."""
    case = (
        Case.objects.select_related("queue", "agent", "agency", "strategy", "account", "borrower")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("by").order_by("at", "id"))
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("There is no case with id %(id)s.") % {"id": case_id})
    return case


def promises_of_account(account: Account) -> QuerySet[Promise]:
    """The account's promises, newest first, with their instalments."""
    return (
        Promise.objects.filter(account=account)
        .select_related("taken_by")
        .prefetch_related(
            Prefetch("instalments", queryset=PromiseInstalment.objects.order_by("due_on"))
        )
        .order_by("-taken_at", "-id")
    )


def escalation_by_id(escalation_id: int) -> Escalation:
    escalation = (
        Escalation.objects.select_related("case__account", "case__borrower", "action")
        .filter(pk=escalation_id)
        .first()
    )
    if escalation is None:
        raise NotFound(_("There is no escalation with id %(id)s.") % {"id": escalation_id})
    return escalation


def escalations_of_case(case: Case) -> QuerySet[Escalation]:
    return Escalation.objects.filter(case=case).order_by("-requested_at", "-id")


def escalations_with_status(status: str) -> QuerySet[Escalation]:
    """Escalations in one status, oldest first."""
    return Escalation.objects.filter(status=status).order_by("requested_at", "id")


def escalations_awaiting_approval() -> QuerySet[Escalation]:
    """What supervisors must decide, oldest first."""
    return escalations_with_status(EscalationStatus.REQUESTED)


def active_dispositions() -> QuerySet[Disposition]:
    return Disposition.objects.filter(is_active=True).order_by("sort_order", "code")
