"""The nightly notices: what borrowers must be told on a business date, written to the outbox.

`run_notices(day=...)` gathers, in a few bulk queries, every notice due that day — reminders
before the due date (or the autopay debit notice instead, for accounts paying by autopay),
autopay failures, statements closed, payments received, terms changes announced — renders each
in the borrower's language on the first of their channels that reaches them, and writes the
outbox rows in one transaction with `bulk_create(ignore_conflicts=True)` on the unique
idempotency key: running a day twice writes nothing the second time. Whether a message may go
out, and when, is the compliance gate's answer at send time (the dispatcher asks).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from arrears.compliance.choices import Purpose
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.engagement import selectors
from arrears.engagement.choices import (
    DEFAULT_CHANNEL_ORDER,
    REQUIRED_NOTICES,
    NoticeKind,
    OutboxStatus,
)
from arrears.engagement.models import DEFAULT_REMINDER_DAYS, OutboxMessage, Template
from arrears.engagement.services.templates import render_template
from arrears.servicing.models import Account, Borrower
from arrears.servicing.services.arrangements import accounts_under_arrangement

CHUNK = 2000


@dataclass(frozen=True)
class Notice:
    """A decision to tell a borrower something about an account (not yet rendered)."""

    kind: str
    borrower: Borrower
    account: Account | None
    due_on: dt.date
    variables: Mapping[str, Any]
    variant: str = ""
    purpose: str = Purpose.SERVICING

    def key(self, channel: str) -> str:
        parts = [
            "notice",
            self.kind,
            str(self.account.pk if self.account else "-"),
            str(self.due_on),
        ]
        if self.variant:
            parts.append(self.variant)
        parts.append(channel)
        return ":".join(parts)


@dataclass
class NoticeRun:
    """What `run_notices` did: rows written by kind, and notices not written, by reason."""

    written: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        return {
            **{f"written.{k}": v for k, v in sorted(self.written.items())},
            **{f"skipped.{k}": v for k, v in sorted(self.skipped.items())},
        }


def run_notices(*, day: dt.date, clock: Clock | None = None) -> NoticeRun:
    """Write to the outbox every notice due on `day` (idempotent per day)."""
    clock = clock or SystemClock()
    now = clock.now()
    run = NoticeRun()
    templates = {
        (t.kind, t.channel, t.language): t for t in Template.objects.filter(is_active=True)
    }
    for chunk in _chunks(notices_due(day=day), CHUNK):
        with transaction.atomic():
            rows = _outbox_rows(chunk, templates=templates, now=now, run=run)
            OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return run


def notices_due(*, day: dt.date) -> Iterator[Notice]:
    """Every notice due on `day`, kind by kind (each kind one or two bulk queries)."""
    yield from due_reminders(day=day)
    yield from autopay_failures(day=day)
    yield from statements_ready(day=day)
    yield from payments_received(day=day)
    yield from terms_changes(day=day)


def _variables(account: Account, **values: Any) -> dict[str, Any]:
    return {
        "borrower_name": account.borrower.full_name,
        "account_last4": account.number[-4:],
        **values,
    }


def due_reminders(*, day: dt.date) -> Iterator[Notice]:
    """Reminders `d` days before each unpaid due date (`d` in the product's reminder days);
    for an account paying by autopay, the autopay debit notice instead, once, at the largest
    offset.

    An account under an agreed arrangement on `day` (a hardship plan, registered with
    `servicing.services.arrangements`) gets no reminder of the contract's dues: the plan's own
    instalment reminders stand in for them, and two reminders of different amounts would
    confuse the borrower. Its autopay debit notice is still written: it announces a debit that
    really happens, and it is a required notice.
    """
    by_product = selectors.reminder_days_by_product()
    offsets = set(DEFAULT_REMINDER_DAYS).union(*by_product.values())
    obligations = list(selectors.obligations_due_on({day + dt.timedelta(days=d) for d in offsets}))
    autopay = selectors.autopay_by_account({o.account_id for o in obligations}, on=day)
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
                continue  # the plan's instalment reminder stands in for the contract's
            yield Notice(
                kind=NoticeKind.DUE_REMINDER,
                borrower=account.borrower,
                account=account,
                due_on=obligation.due_on,
                variant=f"d{before}",
                variables=_variables(
                    account, amount=amount, due_on=obligation.due_on, days_before=before
                ),
            )
            continue
        if before != max(days):
            continue  # one debit notice ahead of the debit, not a reminder series
        if mandate.amount_rule == "fixed" and mandate.fixed_amount_minor:
            amount = Money.from_minor(int(mandate.fixed_amount_minor), account.currency)
        debit_on = obligation.due_on - dt.timedelta(days=mandate.debit_days_before_due)
        yield Notice(
            kind=NoticeKind.AUTOPAY_DEBIT,
            borrower=account.borrower,
            account=account,
            due_on=obligation.due_on,
            variables=_variables(
                account, amount=amount, due_on=debit_on, days_before=(debit_on - day).days
            ),
        )


def autopay_failures(*, day: dt.date) -> Iterator[Notice]:
    for debit in selectors.autopay_failures_on(day):
        account: Account = debit.account  # type: ignore[attr-defined]
        yield Notice(
            kind=NoticeKind.AUTOPAY_FAILED,
            borrower=account.borrower,
            account=account,
            due_on=debit.for_due_on,  # type: ignore[attr-defined]
            variant=f"a{debit.attempt}",  # type: ignore[attr-defined]
            variables=_variables(
                account,
                amount=Money.from_minor(int(debit.amount_minor), debit.currency),  # type: ignore[attr-defined]
                due_on=day,
            ),
        )


def statements_ready(*, day: dt.date) -> Iterator[Notice]:
    for statement in selectors.statements_closed_on(day):
        account = statement.account
        yield Notice(
            kind=NoticeKind.STATEMENT_READY,
            borrower=account.borrower,
            account=account,
            due_on=statement.statement_on,
            variables=_variables(
                account,
                statement_on=statement.statement_on,
                due_on=statement.due_on,
                new_balance=Money.from_minor(int(statement.new_balance_minor), statement.currency),
                minimum_due=Money.from_minor(int(statement.minimum_due_minor), statement.currency),
            ),
        )


def payments_received(*, day: dt.date) -> Iterator[Notice]:
    for payment in selectors.payments_received_on(day):
        account = payment.account
        yield Notice(
            kind=NoticeKind.PAYMENT_RECEIVED,
            borrower=account.borrower,
            account=account,
            due_on=payment.received_on,
            variant=f"p{payment.pk}",
            purpose=Purpose.TRANSACTIONAL,
            variables=_variables(
                account,
                amount=Money.from_minor(int(payment.amount_minor), payment.currency),
                received_on=payment.received_on,
            ),
        )


def terms_changes(*, day: dt.date) -> Iterator[Notice]:
    """A notice to every open account of a product whose terms change, once per change."""
    changes = selectors.terms_changes_to_announce(day)
    if not changes:
        return
    by_product: dict[int, list[Any]] = {}
    for change in changes:
        by_product.setdefault(change.product_id, []).append(change)  # type: ignore[attr-defined]
    accounts = list(selectors.open_accounts_of_products(by_product))
    given = selectors.notices_already_given(
        NoticeKind.TERMS_CHANGE,
        (a.pk for a in accounts),
        (c.effective_on for c in changes),  # type: ignore[attr-defined]
    )
    for account in accounts:
        for change in by_product[account.product_id]:
            if (account.pk, change.effective_on) in given:
                continue
            yield Notice(
                kind=NoticeKind.TERMS_CHANGE,
                borrower=account.borrower,
                account=account,
                due_on=change.effective_on,
                variables=_variables(
                    account, effective_on=change.effective_on, summary=change.summary or ""
                ),
            )


def _outbox_rows(
    notices: Sequence[Notice],
    *,
    templates: Mapping[tuple[str, str, str], Template],
    now: dt.datetime,
    run: NoticeRun,
) -> list[OutboxMessage]:
    reach = selectors.reach_of({n.borrower.pk: n.borrower for n in notices}.values())
    every_channel = DEFAULT_CHANNEL_ORDER
    taken = selectors.existing_keys(n.key(c) for n in notices for c in every_channel)
    rows: list[OutboxMessage] = []
    for notice in notices:
        if any(notice.key(c) in taken for c in every_channel):
            run.skipped["already_written"] += 1
            continue
        borrower_reach = reach[notice.borrower.pk]
        if notice.kind not in REQUIRED_NOTICES and notice.kind in borrower_reach.declined_kinds:
            run.skipped["declined"] += 1
            continue
        language = borrower_reach.language
        choice = _channel_for(notice.kind, language, borrower_reach, templates)
        if choice is None:
            run.skipped["unreachable"] += 1
            continue
        channel, template = choice
        try:
            rendered = render_template(template, notice.variables)
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
                subject=rendered.subject[:300],
                body=rendered.body,
                html_body=rendered.html_body,
                template_id=template.pk,
                due_on=notice.due_on,
                status=OutboxStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
        run.written[notice.kind] += 1
    return rows


def _channel_for(
    kind: str,
    language: str,
    reach: selectors.Reach,
    templates: Mapping[tuple[str, str, str], Template],
) -> tuple[str, Template] | None:
    """The first channel, in the borrower's order then the default order, with an address and
    an active template."""
    for channel in (*reach.channels, *DEFAULT_CHANNEL_ORDER):
        template = templates.get((kind, channel, language))
        if channel in reach.addresses and template is not None:
            return channel, template
    return None


def _chunks(items: Iterable[Notice], size: int) -> Iterator[list[Notice]]:
    chunk: list[Notice] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
