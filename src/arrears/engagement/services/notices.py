"""The nightly notices: what borrowers must be told on a business date, written to the outbox.

`run_notices(day=...)` gathers, in a few bulk queries, every notice due that day — reminders
before the due date (or the autopay debit notice instead, for accounts paying by autopay),
autopay failures, statements closed, payments received, terms changes announced — renders each
in the borrower's language on the first of their channels that reaches them, and writes the
outbox rows in one transaction per chunk with `insert_rows(ignore_conflicts=True)` on the unique
idempotency key: running a day twice writes nothing the second time, and of two notices of one
key only the first lands. The notices are read as rows, not model instances, and each template
is compiled once per run: a run writes hundreds of thousands of messages. Whether a message may go
out, and when, is the compliance gate's answer at send time (the dispatcher asks).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from arrears.common.bulk import insert_rows
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
from arrears.engagement.services.templates import TemplateRenderer
from arrears.servicing.services.arrangements import accounts_under_arrangement

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class Notice:
    """A decision to tell a borrower something about an account (not yet rendered)."""

    kind: str
    borrower_id: int
    account_id: int | None
    due_on: dt.date
    variables: Mapping[str, Any]
    variant: str = ""
    purpose: str = Purpose.SERVICING

    def key(self, channel: str) -> str:
        """The idempotency key of this notice on `channel`."""
        return self.key_stem() + channel

    def key_stem(self) -> str:
        """The key without its channel: 'notice:<kind>:<account>:<date>[:<variant>]:'."""
        account = str(self.account_id if self.account_id is not None else "-")
        variant = f"{self.variant}:" if self.variant else ""
        return f"notice:{self.kind}:{account}:{self.due_on}:{variant}"


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
            insert_rows(OutboxMessage, OUTBOX_COLUMNS, rows, ignore_conflicts=True)
    return run


def notices_due(*, day: dt.date) -> Iterator[Notice]:
    """Every notice due on `day`, kind by kind (each kind one or two bulk queries)."""
    yield from due_reminders(day=day)
    yield from autopay_failures(day=day)
    yield from statements_ready(day=day)
    yield from payments_received(day=day)
    yield from terms_changes(day=day)


def _variables(account: selectors.AccountRow, **values: Any) -> dict[str, Any]:
    return {
        "borrower_name": account.full_name,
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
    obligations = selectors.obligations_due_on({day + dt.timedelta(days=d) for d in offsets})
    autopay = selectors.autopay_by_account({o.account.account_id for o in obligations}, on=day)
    arranged = accounts_under_arrangement(day) if obligations else set()
    for obligation in obligations:
        account = obligation.account
        days = by_product.get(obligation.product_id, DEFAULT_REMINDER_DAYS)
        before = (obligation.due_on - day).days
        if before not in days:
            continue
        amount = Money.from_minor(obligation.unpaid_minor, obligation.currency)
        mandate = autopay.get(account.account_id)
        if mandate is None:
            if account.account_id in arranged:
                continue  # the plan's instalment reminder stands in for the contract's
            yield Notice(
                kind=NoticeKind.DUE_REMINDER,
                borrower_id=account.borrower_id,
                account_id=account.account_id,
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
            amount = Money.from_minor(int(mandate.fixed_amount_minor), obligation.currency)
        debit_on = obligation.due_on - dt.timedelta(days=mandate.debit_days_before_due)
        yield Notice(
            kind=NoticeKind.AUTOPAY_DEBIT,
            borrower_id=account.borrower_id,
            account_id=account.account_id,
            due_on=obligation.due_on,
            variables=_variables(
                account, amount=amount, due_on=debit_on, days_before=(debit_on - day).days
            ),
        )


def autopay_failures(*, day: dt.date) -> Iterator[Notice]:
    for debit in selectors.autopay_failures_on(day):
        yield Notice(
            kind=NoticeKind.AUTOPAY_FAILED,
            borrower_id=debit.account.borrower_id,
            account_id=debit.account.account_id,
            due_on=debit.for_due_on,
            variant=f"a{debit.attempt}",
            variables=_variables(
                debit.account,
                amount=Money.from_minor(int(debit.amount_minor), debit.currency),
                due_on=day,
            ),
        )


def statements_ready(*, day: dt.date) -> Iterator[Notice]:
    for statement in selectors.statements_closed_on(day):
        yield Notice(
            kind=NoticeKind.STATEMENT_READY,
            borrower_id=statement.account.borrower_id,
            account_id=statement.account.account_id,
            due_on=statement.statement_on,
            variables=_variables(
                statement.account,
                statement_on=statement.statement_on,
                due_on=statement.due_on,
                new_balance=Money.from_minor(int(statement.new_balance_minor), statement.currency),
                minimum_due=Money.from_minor(int(statement.minimum_due_minor), statement.currency),
            ),
        )


def payments_received(*, day: dt.date) -> Iterator[Notice]:
    for payment in selectors.payments_received_on(day):
        yield Notice(
            kind=NoticeKind.PAYMENT_RECEIVED,
            borrower_id=payment.account.borrower_id,
            account_id=payment.account.account_id,
            due_on=payment.received_on,
            variant=f"p{payment.payment_id}",
            purpose=Purpose.TRANSACTIONAL,
            variables=_variables(
                payment.account,
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
    accounts = selectors.open_accounts_of_products(by_product)
    given = selectors.notices_already_given(
        NoticeKind.TERMS_CHANGE,
        (account.account_id for account, _product_id in accounts),
        (c.effective_on for c in changes),  # type: ignore[attr-defined]
    )
    for account, product_id in accounts:
        for change in by_product[product_id]:
            if (account.account_id, change.effective_on) in given:
                continue
            yield Notice(
                kind=NoticeKind.TERMS_CHANGE,
                borrower_id=account.borrower_id,
                account_id=account.account_id,
                due_on=change.effective_on,
                variables=_variables(
                    account, effective_on=change.effective_on, summary=change.summary or ""
                ),
            )


#: The outbox columns a notice writes, in the order of `_outbox_rows`' tuples.
OUTBOX_COLUMNS = (
    "id",
    "idempotency_key",
    "borrower_id",
    "account_id",
    "kind",
    "purpose",
    "channel",
    "address",
    "language",
    "subject",
    "body",
    "html_body",
    "template_id",
    "due_on",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "provider_ref",
    "created_at",
)


def _outbox_rows(
    notices: Sequence[Notice],
    *,
    templates: Mapping[tuple[str, str, str], Template],
    now: dt.datetime,
    run: NoticeRun,
) -> list[tuple[Any, ...]]:
    """The outbox rows (`OUTBOX_COLUMNS`) of these notices; the ones not written are counted
    in `run.skipped` by reason."""
    reach = selectors.reach_of_borrowers(n.borrower_id for n in notices)
    every_channel = DEFAULT_CHANNEL_ORDER
    stems = [n.key_stem() for n in notices]
    taken = selectors.existing_keys(stem + c for stem in stems for c in every_channel)
    renderers: dict[int, TemplateRenderer] = {}
    rows: list[tuple[Any, ...]] = []
    for notice, stem in zip(notices, stems, strict=True):
        if taken and any(stem + c in taken for c in every_channel):
            run.skipped["already_written"] += 1
            continue
        borrower_reach = reach[notice.borrower_id]
        if notice.kind not in REQUIRED_NOTICES and notice.kind in borrower_reach.declined_kinds:
            run.skipped["declined"] += 1
            continue
        language = borrower_reach.language
        choice = _channel_for(notice.kind, language, borrower_reach, templates)
        if choice is None:
            run.skipped["unreachable"] += 1
            continue
        channel, template = choice
        renderer = renderers.get(template.pk)
        if renderer is None:
            renderer = renderers[template.pk] = TemplateRenderer(template)
        try:
            rendered = renderer.render(notice.variables)
        except ValidationError:
            run.skipped["render_failed"] += 1
            continue
        rows.append(
            (
                uuid.uuid4(),
                stem + channel,
                notice.borrower_id,
                notice.account_id,
                notice.kind,
                notice.purpose,
                channel,
                borrower_reach.addresses[channel],
                language,
                rendered.subject[:300],
                rendered.body,
                rendered.html_body,
                template.pk,
                notice.due_on,
                OutboxStatus.PENDING,
                0,
                now,
                "",
                "",
                now,
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
