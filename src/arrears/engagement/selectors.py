"""Reads of the engagement app: what falls due, what happened on a day, where a borrower is
reached — each in one bulk query, for the nightly notices.

Autopay and terms changes belong to servicing; they are read through servicing's selectors
when it has them (`accounts_with_autopay`), else from its models when those exist, so this app
works whether or not those features are installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet

from arrears.engagement.choices import NoticeChannel
from arrears.engagement.models import NoticePreference, OutboxMessage, ReminderSchedule
from arrears.servicing import models as servicing_models
from arrears.servicing import selectors as servicing_selectors
from arrears.servicing.choices import AccountStatus, ContactKind, PaymentStatus
from arrears.servicing.models import Borrower, ContactPoint, Obligation, Payment, Statement


def reminder_days_by_product() -> dict[int, list[int]]:
    """The reminder offsets configured per product (products without a row use the default)."""
    return {
        pid: list(days)
        for pid, days in ReminderSchedule.objects.values_list("product_id", "days_before")
    }


def obligations_due_on(days: Collection[dt.date]) -> QuerySet[Obligation]:
    """Unpaid obligations of open accounts falling due on any of `days`, with account and
    borrower."""
    return Obligation.objects.filter(
        due_on__in=list(days),
        paid_minor__lt=F("amount_minor"),
        account__status=AccountStatus.OPEN,
    ).select_related("account__borrower", "account__product")


def statements_closed_on(day: dt.date) -> QuerySet[Statement]:
    return Statement.objects.filter(statement_on=day).select_related("account__borrower")


def payments_received_on(day: dt.date) -> QuerySet[Payment]:
    return Payment.objects.filter(received_on=day, status=PaymentStatus.POSTED).select_related(
        "account__borrower"
    )


@dataclass(frozen=True)
class AutopayTerms:
    """What a notice needs of an account's active mandate."""

    account_id: int
    amount_rule: str
    fixed_amount_minor: int | None
    debit_days_before_due: int


def autopay_by_account(account_ids: Iterable[int], *, on: dt.date) -> dict[int, AutopayTerms]:
    """The active autopay mandate of each of these accounts that has one (empty without
    autopay)."""
    ids = list(account_ids)
    if not ids:
        return {}
    mandate_model = getattr(servicing_models, "AutopayMandate", None)
    selector = getattr(servicing_selectors, "accounts_with_autopay", None)
    if mandate_model is None:
        if selector is None:
            return {}
        return {pk: AutopayTerms(pk, "minimum", None, 0) for pk in selector(ids)}
    rows = mandate_model.objects.filter(
        account_id__in=ids, status="active", starts_on__lte=on
    ).values_list("account_id", "amount_rule", "fixed_amount_minor", "debit_days_before_due")
    return {row[0]: AutopayTerms(*row) for row in rows}


def autopay_failures_on(day: dt.date) -> list[object]:
    """Autopay debits that failed or came back on `day`, with account and borrower."""
    debit_model = getattr(servicing_models, "AutopayDebit", None)
    if debit_model is None:
        return []
    from django.db.models import Q

    return list(
        debit_model.objects.filter(
            Q(status="failed", attempted_on=day) | Q(status="returned", returned_on=day)
        ).select_related("account__borrower")
    )


def terms_changes_to_announce(day: dt.date) -> list[object]:
    """Scheduled product terms changes announced on or before `day` and not yet in effect."""
    change_model = getattr(servicing_models, "ProductTermsChange", None)
    if change_model is None:
        return []
    return list(
        change_model.objects.filter(
            status="scheduled", announced_on__lte=day, effective_on__gt=day
        ).select_related("product")
    )


def open_accounts_of_products(product_ids: Iterable[int]) -> QuerySet[servicing_models.Account]:
    return servicing_models.Account.objects.filter(
        product_id__in=list(product_ids), status=AccountStatus.OPEN
    ).select_related("borrower")


def notices_already_given(
    kind: str, account_ids: Iterable[int], due_ons: Iterable[dt.date]
) -> set[tuple[int, dt.date]]:
    """(account, date) pairs that already have an outbox message of this kind, any channel."""
    rows = OutboxMessage.objects.filter(
        kind=kind, account_id__in=list(account_ids), due_on__in=list(set(due_ons))
    ).values_list("account_id", "due_on")
    return {(account_id, due_on) for account_id, due_on in rows if due_on is not None}


def existing_keys(keys: Iterable[str]) -> set[str]:
    return set(
        OutboxMessage.objects.filter(idempotency_key__in=list(keys)).values_list(
            "idempotency_key", flat=True
        )
    )


@dataclass(frozen=True)
class Reach:
    """How a borrower is told: their notice preference and their address on each channel."""

    language: str
    channels: tuple[str, ...]
    declined_kinds: frozenset[str]
    addresses: dict[str, str]


def reach_of(borrowers: Iterable[Borrower]) -> dict[int, Reach]:
    """Language, channel order, turned-off notices and addresses of each borrower (3 queries)."""
    by_id = {b.pk: b for b in borrowers}
    if not by_id:
        return {}
    preferences = {p.borrower_id: p for p in NoticePreference.objects.filter(borrower_id__in=by_id)}
    mobiles: dict[int, str] = {}
    emails: dict[int, str] = {}
    points = (
        ContactPoint.objects.filter(borrower_id__in=by_id, is_valid=True)
        .filter(kind__in=[ContactKind.MOBILE, ContactKind.EMAIL])
        .order_by("borrower_id", "-is_primary", "pk")
        .values_list("borrower_id", "kind", "value")
    )
    for borrower_id, kind, value in points:
        target = mobiles if kind == ContactKind.MOBILE else emails
        target.setdefault(borrower_id, value)
    found: dict[int, Reach] = {}
    for pk, borrower in by_id.items():
        preference = preferences.get(pk)
        addresses: dict[str, str] = {}
        if pk in mobiles:
            addresses[NoticeChannel.SMS] = mobiles[pk]
        email = borrower.email or emails.get(pk)
        if email:
            addresses[NoticeChannel.EMAIL] = email
        if borrower.user_id is not None:
            addresses[NoticeChannel.IN_APP] = f"borrower:{borrower.reference}"
        postal = postal_address(borrower)
        if postal:
            addresses[NoticeChannel.LETTER] = postal
        found[pk] = Reach(
            language=(preference.language if preference and preference.language else "")
            or borrower.preferred_language
            or "zh-hans",
            channels=tuple(preference.channels) if preference else (),
            declined_kinds=frozenset(preference.declined_kinds) if preference else frozenset(),
            addresses=addresses,
        )
    return found


def postal_address(borrower: Borrower) -> str:
    """The borrower's postal address on one line ('' when there is none)."""
    if not borrower.address_line:
        return ""
    parts = [
        borrower.address_line,
        borrower.city,
        borrower.region,
        borrower.postal_code,
        borrower.country,
    ]
    return ", ".join(p for p in parts if p)[:200]
