"""The nightly notices as they were written before the bulk rewrite: model instances from
`select_related` queries, every message rendered through Babel's own `format_currency` /
`format_date`, and `OutboxMessage(...)` objects written by `bulk_create(ignore_conflicts=True)`.

Kept only as the reference the differential test (test_notices_bulk.py) holds the bulk path to:
same rows, every column but the random `id`, in the same order, and the same counts.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from django.db import transaction
from django.db.models import F, Q
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from arrears.compliance.choices import Purpose
from arrears.core.clock import Clock
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.engagement.choices import (
    DEFAULT_CHANNEL_ORDER,
    REQUIRED_NOTICES,
    NoticeChannel,
    NoticeKind,
    OutboxStatus,
)
from arrears.engagement.models import (
    DEFAULT_REMINDER_DAYS,
    NoticePreference,
    OutboxMessage,
    ReminderSchedule,
    Template,
)
from arrears.engagement.services.notices import NoticeRun
from arrears.servicing.choices import AccountStatus, ContactKind, PaymentStatus
from arrears.servicing.models import (
    Account,
    AutopayDebit,
    AutopayMandate,
    Borrower,
    ContactPoint,
    Obligation,
    Payment,
    ProductTermsChange,
    Statement,
)
from arrears.servicing.services.arrangements import accounts_under_arrangement

LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en_GB"}


@dataclass(frozen=True)
class Notice:
    kind: str
    borrower: Borrower
    account: Account | None
    due_on: dt.date
    variables: Mapping[str, Any]
    variant: str = ""
    purpose: str = Purpose.SERVICING

    def key(self, channel: str) -> str:
        parts = ["notice", self.kind, str(self.account.pk if self.account else "-")]
        parts.append(str(self.due_on))
        if self.variant:
            parts.append(self.variant)
        parts.append(channel)
        return ":".join(parts)


def run_notices(*, day: dt.date, clock: Clock, chunk_size: int = 2000) -> NoticeRun:
    now = clock.now()
    run = NoticeRun()
    templates = {
        (t.kind, t.channel, t.language): t for t in Template.objects.filter(is_active=True)
    }
    notices = list(_notices_due(day))
    for start in range(0, len(notices), chunk_size):
        with transaction.atomic():
            rows = _outbox_rows(notices[start : start + chunk_size], templates, now, run)
            OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return run


def _notices_due(day: dt.date) -> Iterator[Notice]:
    yield from _due_reminders(day)
    for debit in AutopayDebit.objects.filter(
        Q(status="failed", attempted_on=day) | Q(status="returned", returned_on=day)
    ).select_related("account__borrower"):
        yield Notice(
            NoticeKind.AUTOPAY_FAILED,
            debit.account.borrower,
            debit.account,
            debit.for_due_on,
            _variables(
                debit.account,
                amount=Money.from_minor(int(debit.amount_minor), debit.currency),
                due_on=day,
            ),
            variant=f"a{debit.attempt}",
        )
    for statement in Statement.objects.filter(statement_on=day).select_related("account__borrower"):
        yield Notice(
            NoticeKind.STATEMENT_READY,
            statement.account.borrower,
            statement.account,
            statement.statement_on,
            _variables(
                statement.account,
                statement_on=statement.statement_on,
                due_on=statement.due_on,
                new_balance=Money.from_minor(int(statement.new_balance_minor), statement.currency),
                minimum_due=Money.from_minor(int(statement.minimum_due_minor), statement.currency),
            ),
        )
    for payment in Payment.objects.filter(
        received_on=day, status=PaymentStatus.POSTED
    ).select_related("account__borrower"):
        yield Notice(
            NoticeKind.PAYMENT_RECEIVED,
            payment.account.borrower,
            payment.account,
            payment.received_on,
            _variables(
                payment.account,
                amount=Money.from_minor(int(payment.amount_minor), payment.currency),
                received_on=payment.received_on,
            ),
            variant=f"p{payment.pk}",
            purpose=Purpose.TRANSACTIONAL,
        )
    yield from _terms_changes(day)


def _variables(account: Account, **values: Any) -> dict[str, Any]:
    return {
        "borrower_name": account.borrower.full_name,
        "account_last4": account.number[-4:],
        **values,
    }


def _due_reminders(day: dt.date) -> Iterator[Notice]:
    by_product = {
        pid: list(days)
        for pid, days in ReminderSchedule.objects.values_list("product_id", "days_before")
    }
    offsets = set(DEFAULT_REMINDER_DAYS).union(*by_product.values())
    obligations = list(
        Obligation.objects.filter(
            due_on__in=[day + dt.timedelta(days=d) for d in offsets],
            paid_minor__lt=F("amount_minor"),
            account__status=AccountStatus.OPEN,
        ).select_related("account__borrower", "account__product")
    )
    autopay = {
        m.account_id: m
        for m in AutopayMandate.objects.filter(
            account_id__in={o.account_id for o in obligations}, status="active", starts_on__lte=day
        )
    }
    arranged = accounts_under_arrangement(day) if obligations else set()
    for obligation in obligations:
        account = obligation.account
        days = by_product.get(account.product_id, DEFAULT_REMINDER_DAYS)
        before = (obligation.due_on - day).days
        if before not in days:
            continue
        amount = Money.from_minor(int(obligation.unpaid_minor), account.currency)
        mandate = autopay.get(account.pk)
        if mandate is None:
            if account.pk in arranged:
                continue
            yield Notice(
                NoticeKind.DUE_REMINDER,
                account.borrower,
                account,
                obligation.due_on,
                _variables(account, amount=amount, due_on=obligation.due_on, days_before=before),
                variant=f"d{before}",
            )
            continue
        if before != max(days):
            continue
        if mandate.amount_rule == "fixed" and mandate.fixed_amount_minor:
            amount = Money.from_minor(int(mandate.fixed_amount_minor), account.currency)
        debit_on = obligation.due_on - dt.timedelta(days=mandate.debit_days_before_due)
        yield Notice(
            NoticeKind.AUTOPAY_DEBIT,
            account.borrower,
            account,
            obligation.due_on,
            _variables(account, amount=amount, due_on=debit_on, days_before=(debit_on - day).days),
        )


def _terms_changes(day: dt.date) -> Iterator[Notice]:
    changes = list(
        ProductTermsChange.objects.filter(
            status="scheduled", announced_on__lte=day, effective_on__gt=day
        ).select_related("product")
    )
    if not changes:
        return
    by_product: dict[int, list[Any]] = {}
    for change in changes:
        by_product.setdefault(change.product_id, []).append(change)
    accounts = list(
        Account.objects.filter(
            product_id__in=list(by_product), status=AccountStatus.OPEN
        ).select_related("borrower")
    )
    given = {
        (a, d)
        for a, d in OutboxMessage.objects.filter(
            kind=NoticeKind.TERMS_CHANGE,
            account_id__in=[a.pk for a in accounts],
            due_on__in=list({c.effective_on for c in changes}),
        ).values_list("account_id", "due_on")
        if d is not None
    }
    for account in accounts:
        for change in by_product[account.product_id]:
            if (account.pk, change.effective_on) in given:
                continue
            yield Notice(
                NoticeKind.TERMS_CHANGE,
                account.borrower,
                account,
                change.effective_on,
                _variables(account, effective_on=change.effective_on, summary=change.summary or ""),
            )


@dataclass(frozen=True)
class _Reach:
    language: str
    channels: tuple[str, ...]
    declined_kinds: frozenset[str]
    addresses: dict[str, str]


def _reach_of(borrowers: list[Borrower]) -> dict[int, _Reach]:
    by_id = {b.pk: b for b in borrowers}
    preferences = {p.borrower_id: p for p in NoticePreference.objects.filter(borrower_id__in=by_id)}
    mobiles: dict[int, str] = {}
    emails: dict[int, str] = {}
    for borrower_id, kind, value in (
        ContactPoint.objects.filter(borrower_id__in=by_id, is_valid=True)
        .filter(kind__in=[ContactKind.MOBILE, ContactKind.EMAIL])
        .order_by("borrower_id", "-is_primary", "pk")
        .values_list("borrower_id", "kind", "value")
    ):
        (mobiles if kind == ContactKind.MOBILE else emails).setdefault(borrower_id, value)
    found = {}
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
        if borrower.address_line:
            parts = [
                borrower.address_line,
                borrower.city,
                borrower.region,
                borrower.postal_code,
                borrower.country,
            ]
            addresses[NoticeChannel.LETTER] = ", ".join(p for p in parts if p)[:200]
        found[pk] = _Reach(
            language=(preference.language if preference and preference.language else "")
            or borrower.preferred_language
            or "zh-hans",
            channels=tuple(preference.channels) if preference else (),
            declined_kinds=frozenset(preference.declined_kinds) if preference else frozenset(),
            addresses=addresses,
        )
    return found


def _outbox_rows(
    notices: list[Notice], templates: Mapping[Any, Template], now: dt.datetime, run: NoticeRun
) -> list[OutboxMessage]:
    reach = _reach_of(list({n.borrower.pk: n.borrower for n in notices}.values()))
    keys = [n.key(c) for n in notices for c in DEFAULT_CHANNEL_ORDER]
    taken = set(
        OutboxMessage.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    rows = []
    for notice in notices:
        if any(notice.key(c) in taken for c in DEFAULT_CHANNEL_ORDER):
            run.skipped["already_written"] += 1
            continue
        borrower_reach = reach[notice.borrower.pk]
        if notice.kind not in REQUIRED_NOTICES and notice.kind in borrower_reach.declined_kinds:
            run.skipped["declined"] += 1
            continue
        language = borrower_reach.language
        choice = None
        for channel in (*borrower_reach.channels, *DEFAULT_CHANNEL_ORDER):
            template = templates.get((notice.kind, channel, language))
            if channel in borrower_reach.addresses and template is not None:
                choice = channel, template
                break
        if choice is None:
            run.skipped["unreachable"] += 1
            continue
        channel, template = choice
        try:
            subject, body, html_body = (
                render_text(source, notice.variables, language=language, html=html, field=field)
                for source, html, field in (
                    (template.subject, False, "subject"),
                    (template.body, False, "body"),
                    (template.html_body, True, "html_body"),
                )
            )
        except ValidationError:
            run.skipped["render_failed"] += 1
            continue
        rows.append(
            OutboxMessage(
                idempotency_key=notice.key(channel),
                borrower_id=notice.borrower.pk,
                account_id=None if notice.account is None else notice.account.pk,
                kind=notice.kind,
                purpose=notice.purpose,
                channel=channel,
                address=borrower_reach.addresses[channel],
                language=language,
                subject=subject[:300],
                body=body,
                html_body=html_body,
                template_id=template.pk,
                due_on=notice.due_on,
                status=OutboxStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
        run.written[notice.kind] += 1
    return rows


def _defined(value: Any) -> Any:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def format_money(value: Any, language: str, currency: str | None = None) -> str:
    """Babel's `format_currency`, called for every amount (the reference for the fast path)."""
    if isinstance(value, Money):
        amount, code = value.amount, value.currency
    else:
        if currency is None:
            raise ValueError("an amount without a currency needs `currency`")
        amount = Money.from_minor(value, currency).amount if isinstance(value, int) else value
        code = currency
    return str(format_currency(amount, code, locale=LOCALES.get(language, LOCALES["zh-hans"])))


@functools.cache
def _environment(language: str, html: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=html, undefined=StrictUndefined)
    locale = LOCALES.get(language, LOCALES["zh-hans"])
    env.filters["money"] = lambda value, currency=None: format_money(
        _defined(value), language, currency
    )
    env.filters["date"] = lambda value: str(
        format_date(_defined(value), format="long", locale=locale)
    )
    return env


def render_text(
    source: str, variables: Mapping[str, Any], *, language: str, html: bool, field: str
) -> str:
    if not source:
        return ""
    try:
        return str(_environment(language, html).from_string(source).render(**variables)).strip()
    except TemplateSyntaxError as error:
        raise ValidationError(field, f"line {error.lineno}: {error.message}") from None
    except TemplateError as error:
        raise ValidationError(field, str(error.message or error)) from None
    except (TypeError, ValueError, ArithmeticError) as error:
        raise ValidationError(field, str(error)) from None
