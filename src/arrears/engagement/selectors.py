"""Reads of the engagement app: what falls due, what happened on a day, where a borrower is
reached — each in one bulk query, for the nightly notices.

Autopay and terms changes belong to servicing; they are read through servicing's selectors
when it has them (`accounts_with_autopay`), else from its models when those exist, so this app
works whether or not those features are installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import F

from arrears.common.bulk import among
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


class AccountRow(NamedTuple):
    """What every notice says of its account: whose it is and its last four digits."""

    account_id: int
    borrower_id: int
    number: str
    full_name: str


_ACCOUNT = ("account_id", "account__borrower_id", "account__number", "account__borrower__full_name")


_OBLIGATION = (
    *_ACCOUNT,
    "account__product_id",
    "account__currency",
    "due_on",
    "amount_minor",
    "paid_minor",
)


class ObligationRow(NamedTuple):
    account: AccountRow
    product_id: int
    currency: str
    due_on: dt.date
    unpaid_minor: int


class StatementRow(NamedTuple):
    account: AccountRow
    statement_on: dt.date
    due_on: dt.date
    currency: str
    new_balance_minor: int
    minimum_due_minor: int


class PaymentRow(NamedTuple):
    account: AccountRow
    payment_id: int
    received_on: dt.date
    currency: str
    amount_minor: int


class FailedDebitRow(NamedTuple):
    account: AccountRow
    for_due_on: dt.date
    attempt: int
    currency: str
    amount_minor: int


def obligations_due_on(days: Collection[dt.date]) -> list[ObligationRow]:
    """Unpaid obligations of open accounts falling due on any of `days`, as rows (a notice
    run reads thousands: no model instances)."""
    rows = Obligation.objects.filter(
        due_on__in=list(days),
        paid_minor__lt=F("amount_minor"),
        account__status=AccountStatus.OPEN,
    ).values_list(*_OBLIGATION)
    return [
        ObligationRow(AccountRow(*row[:4]), row[4], row[5], row[6], int(row[7]) - int(row[8]))
        for row in rows
    ]


def statements_closed_on(day: dt.date) -> list[StatementRow]:
    rows = Statement.objects.filter(statement_on=day).values_list(
        *_ACCOUNT, "statement_on", "due_on", "currency", "new_balance_minor", "minimum_due_minor"
    )
    return [StatementRow(AccountRow(*row[:4]), *row[4:]) for row in rows]


def payments_received_on(day: dt.date) -> list[PaymentRow]:
    rows = Payment.objects.filter(received_on=day, status=PaymentStatus.POSTED).values_list(
        *_ACCOUNT, "id", "received_on", "currency", "amount_minor"
    )
    return [PaymentRow(AccountRow(*row[:4]), *row[4:]) for row in rows]


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
        among("account_id", ids), status="active", starts_on__lte=on
    ).values_list("account_id", "amount_rule", "fixed_amount_minor", "debit_days_before_due")
    return {row[0]: AutopayTerms(*row) for row in rows}


def autopay_failures_on(day: dt.date) -> list[FailedDebitRow]:
    """Autopay debits that failed or came back on `day`, as rows."""
    debit_model = getattr(servicing_models, "AutopayDebit", None)
    if debit_model is None:
        return []
    from django.db.models import Q

    rows = debit_model.objects.filter(
        Q(status="failed", attempted_on=day) | Q(status="returned", returned_on=day)
    ).values_list(*_ACCOUNT, "for_due_on", "attempt", "currency", "amount_minor")
    return [FailedDebitRow(AccountRow(*row[:4]), *row[4:]) for row in rows]


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


def open_accounts_of_products(product_ids: Iterable[int]) -> list[tuple[AccountRow, int]]:
    """Each open account of these products, with its product."""
    rows = (
        servicing_models.Account.objects.filter(
            product_id__in=list(product_ids), status=AccountStatus.OPEN
        )
        .values_list("id", "borrower_id", "number", "borrower__full_name", "product_id")
        .order_by("id")
    )
    return [(AccountRow(*row[:4]), row[4]) for row in rows]


def notices_already_given(
    kind: str, account_ids: Iterable[int], due_ons: Iterable[dt.date]
) -> set[tuple[int, dt.date]]:
    """(account, date) pairs that already have an outbox message of this kind, any channel."""
    rows = OutboxMessage.objects.filter(
        kind=kind, account_id__in=list(account_ids), due_on__in=list(set(due_ons))
    ).values_list("account_id", "due_on")
    return {(account_id, due_on) for account_id, due_on in rows if due_on is not None}


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Which of these idempotency keys the outbox already holds."""
    return {key for (key,) in _rows_in(OutboxMessage, ["idempotency_key"], "idempotency_key", keys)}


def _rows_in(
    model: Any, columns: Sequence[str], key: str, values: Iterable[Any], order_by: str = ""
) -> list[tuple[Any, ...]]:
    """`columns` of the rows of `model` whose `key` is one of `values`, in plain SQL: the
    nightly notices ask about thousands of values at a time, and Django's `__in` lookup
    prepares each value one by one."""
    wanted = list(values)
    if not wanted:
        return []
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(wanted))
    sql = (
        f"SELECT {names} FROM {connection.ops.quote_name(model._meta.db_table)} "
        f"WHERE {connection.ops.quote_name(key)} IN ({marks}){order_by}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted)
        return cursor.fetchall()


@dataclass(frozen=True)
class Reach:
    """How a borrower is told: their notice preference and their address on each channel."""

    language: str
    channels: tuple[str, ...]
    declined_kinds: frozenset[str]
    addresses: dict[str, str]


class Contactable(NamedTuple):
    """What of a borrower decides how they are reached (a `Borrower` has the same names)."""

    pk: int
    email: str
    user_id: int | None
    reference: str
    preferred_language: str
    address_line: str
    city: str
    region: str
    postal_code: str
    country: str


def reach_of(borrowers: Iterable[Borrower]) -> dict[int, Reach]:
    """Language, channel order, turned-off notices and addresses of each borrower (3 queries)."""
    by_id = {
        b.pk: Contactable(*(getattr(b, name) for name in Contactable._fields)) for b in borrowers
    }
    if not by_id:
        return {}
    preferences = {
        borrower_id: (language, channels, declined)
        for borrower_id, language, channels, declined in NoticePreference.objects.filter(
            borrower_id__in=by_id
        ).values_list("borrower_id", "language", "channels", "declined_kinds")
    }
    points = (
        ContactPoint.objects.filter(borrower_id__in=by_id, is_valid=True)
        .filter(kind__in=[ContactKind.MOBILE, ContactKind.EMAIL])
        .order_by("borrower_id", "-is_primary", "pk")
        .values_list("borrower_id", "kind", "value")
    )
    return _reach(by_id, preferences, points)


def reach_of_borrowers(borrower_ids: Iterable[int]) -> dict[int, Reach]:
    """`reach_of` by borrower id, read as rows (the nightly notices: thousands at a time)."""
    ids = sorted(set(borrower_ids))
    if not ids:
        return {}
    rows = _rows_in(Borrower, ["id", *Contactable._fields[1:]], "id", ids)
    preferences = _preferences_of(ids)
    return _reach({row[0]: Contactable(*row) for row in rows}, preferences, _contact_points(ids))


def _reach(
    by_id: Mapping[int, Contactable],
    preferences: Mapping[int, tuple[str, list[str], list[str]]],
    points: Iterable[tuple[int, str, str]],
) -> dict[int, Reach]:
    mobiles: dict[int, str] = {}
    emails: dict[int, str] = {}
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
        language, channels, declined = preference or ("", (), ())
        found[pk] = Reach(
            language=language or borrower.preferred_language or "zh-hans",
            channels=tuple(channels),
            declined_kinds=frozenset(declined),
            addresses=addresses,
        )
    return found


def _preferences_of(ids: Sequence[int]) -> dict[int, tuple[str, list[str], list[str]]]:
    """Language, channels and declined kinds of the borrowers that set a notice preference."""
    columns = ["borrower_id", "language", "channels", "declined_kinds"]
    fields = [NoticePreference._meta.get_field(name) for name in columns]
    decoders = [getattr(field, "from_db_value", None) for field in fields]
    found: dict[int, tuple[str, list[str], list[str]]] = {}
    for row in _rows_in(NoticePreference, columns, "borrower_id", ids):
        borrower_id, language, channels, declined = (
            value if decode is None else decode(value, None, connection)
            for value, decode in zip(row, decoders, strict=True)
        )
        found[borrower_id] = (language, channels, declined)
    return found


def _contact_points(ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """Valid mobiles and e-mail addresses, primary first, oldest first (as `reach_of` takes
    them)."""
    return [
        (borrower_id, kind, value)
        for borrower_id, kind, value, is_valid in _rows_in(
            ContactPoint,
            ["borrower_id", "kind", "value", "is_valid"],
            "borrower_id",
            ids,
            order_by=" ORDER BY borrower_id, is_primary DESC, id",
        )
        if is_valid and kind in (ContactKind.MOBILE, ContactKind.EMAIL)
    ]


def postal_address(borrower: Borrower | Contactable) -> str:
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
