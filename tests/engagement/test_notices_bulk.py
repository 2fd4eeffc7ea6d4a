"""The nightly notices in bulk write exactly what the per-notice path wrote.

`run_notices` reads rows instead of model instances, compiles each template once, formats
amounts with a layout taken apart from Babel's once per currency, and writes with
`insert_rows(ignore_conflicts=True)`. These tests hold it to the old path (kept in
notices_reference.py) on random portfolios with every kind of notice and every reason to skip
one, column by column, and the money layout to Babel itself on random amounts.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.engagement.choices import NoticeKind
from arrears.engagement.models import OutboxMessage, ReminderSchedule, Template
from arrears.engagement.rendering import babel_locale, format_day, format_money
from arrears.engagement.services import notices, set_notice_preference
from arrears.engagement.services.templates import (
    TemplateRenderer,
    render_template,
    sample_variables,
)
from arrears.servicing.services import arrangements
from tests.engagement import notices_reference
from tests.engagement.conftest import morning_of

#: The business date of the portfolio: every kind of notice falls due on it.
DAY = dt.date(2025, 3, 10)
DAYS = dt.timedelta(days=1)
COLUMNS = [
    f.attname for f in OutboxMessage._meta.concrete_fields if f.attname != "id"
]  # every column but the random primary key


def outbox_rows(since: dt.datetime) -> list[tuple[Any, ...]]:
    return list(
        OutboxMessage.objects.filter(created_at__gte=since)
        .order_by("idempotency_key")
        .values_list(*COLUMNS)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_notices_write_the_same_rows_as_the_per_notice_path(templates, monkeypatch, seed):
    # given a random portfolio with every kind of notice due on DAY, and chunks of 7 notices
    arranged = make_portfolio(random.Random(seed))
    monkeypatch.setitem(arrangements._SOURCES, "notices-test", Arranged(arranged))
    monkeypatch.setattr(notices, "CHUNK", 7)
    clock = FixedClock(dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=dt.UTC))
    now = clock.now()

    # when the old path runs, its rows are kept and removed, and the bulk path runs
    expected_run = notices_reference.run_notices(day=DAY, clock=clock, chunk_size=7)
    expected = outbox_rows(now)
    OutboxMessage.objects.filter(created_at__gte=now).delete()
    run = notices.run_notices(day=DAY, clock=clock)
    written = outbox_rows(now)

    # then the same rows were written, column by column, and the same notices were skipped
    assert run.counts() == expected_run.counts()
    assert len(written) == len(expected) and written == expected
    kinds = {row[COLUMNS.index("kind")] for row in written}
    assert kinds == {
        NoticeKind.DUE_REMINDER,
        NoticeKind.AUTOPAY_DEBIT,
        NoticeKind.AUTOPAY_FAILED,
        NoticeKind.STATEMENT_READY,
        NoticeKind.PAYMENT_RECEIVED,
        NoticeKind.TERMS_CHANGE,
    }
    assert {"already_written", "declined", "unreachable", "render_failed"} <= set(run.skipped)

    # and a second run of the day writes nothing, as the old path's second run did not
    again = notices.run_notices(day=DAY, clock=clock)
    assert again.written.total() == 0 and outbox_rows(now) == written


def test_of_two_notices_with_one_key_only_the_first_is_written(templates, monkeypatch):
    # given a loan with two unpaid obligations falling due on the same day (one key)
    from arrears.core.calendar import add_months
    from arrears.servicing.models import Obligation
    from tests.factories import make_loan_account

    account = make_loan_account(start_on=add_months(DAY + 5 * DAYS, -1))
    first = account.obligations.order_by("due_on").first()
    Obligation.objects.create(
        account=account, kind=first.kind, number=99, due_on=first.due_on, amount_minor=777
    )
    clock = FixedClock(dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=dt.UTC))

    # when the notices run (in chunks of one notice, and all at once)
    for chunk in (1, 2000):
        monkeypatch.setattr(notices, "CHUNK", chunk)
        OutboxMessage.objects.all().delete()
        notices.run_notices(day=DAY, clock=clock)

        # then one reminder landed: the first obligation's
        [message] = OutboxMessage.objects.filter(kind=NoticeKind.DUE_REMINDER)
        assert message.idempotency_key.endswith(":d5:sms")
        assert "¥7.77" not in message.body


@settings(max_examples=300, deadline=None)
@given(
    amount=st.decimals(allow_nan=False, allow_infinity=False, places=None)
    | st.integers(min_value=-(10**15), max_value=10**15).map(lambda n: Decimal(n).scaleb(-2)),
    currency=st.sampled_from(["CNY", "USD", "JPY", "KWD", "GBP", "HKD", "XYZ"]),
    language=st.sampled_from(["zh-hans", "en", "fr"]),
)
def test_money_is_formatted_exactly_as_babel_formats_it(amount, currency, language):
    try:
        expected: Any = format_currency(amount, currency, locale=babel_locale(language))
    except ArithmeticError as error:  # beyond the decimal context: both refuse it
        expected = type(error)
    try:
        found: Any = format_money(amount, language, currency)
    except ArithmeticError as error:
        found = type(error)
    assert found == expected


@pytest.mark.parametrize("value", ["Infinity", "-Infinity", "NaN", "-0", "0.005", "2.5E+3"])
def test_unusual_amounts_are_formatted_as_babel_formats_them(value):
    for language in ("zh-hans", "en"):
        assert format_money(Decimal(value), language, "CNY") == format_currency(
            Decimal(value), "CNY", locale=babel_locale(language)
        )
    assert format_money(12345, "en", "CNY") == "CN¥123.45"


def test_a_day_is_formatted_the_same_from_the_cache():
    day = dt.date(2026, 12, 5)
    assert [format_day(day, "zh-hans"), format_day(day, "zh-hans")] == ["2026年12月5日"] * 2
    assert format_day(dt.datetime(2026, 12, 5, 8), "en") == "5 December 2026"


def test_a_compiled_template_renders_as_render_template(templates):
    for template in Template.objects.filter(is_active=True):
        variables = sample_variables(template.kind, template.language)
        assert TemplateRenderer(template).render(variables) == render_template(template, variables)


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [("{{ nobody }}", "{{ amount | money }}", "subject"), ("ok", "{% if %}", "body"), ("", "", "")],
)
def test_a_compiled_template_fails_as_render_template_does(templates, subject, body, field):
    template = Template(kind="due_reminder", channel="sms", language="en", subject=subject)
    template.body = body
    variables = sample_variables("due_reminder", "en")
    renderer = TemplateRenderer(template)
    for _attempt in range(2):  # and again: a broken text is not kept as compiled
        if not field:
            assert renderer.render(variables) == render_template(template, variables)
            continue
        with pytest.raises(ValidationError) as refused:
            renderer.render(variables)
        with pytest.raises(ValidationError) as expected:
            render_template(template, variables)
        assert (refused.value.field, refused.value.reason) == (
            expected.value.field,
            expected.value.reason,
        )


# --- the portfolio ------------------------------------------------------------------------------


def make_portfolio(rng: random.Random) -> None:
    """Loans and cards whose reminders, autopay debits and failures, statements, payments and
    a terms change all fall on DAY, for borrowers reached in every way (and in none)."""
    from tests.factories import ensure_product, make_card_account, make_statement

    card_product = ensure_product("cn_card_classic")
    ReminderSchedule.objects.create(product=card_product, days_before=[7, 2])
    loans = [_loan(rng, i) for i in range(14)]
    cards = [make_card_account(borrower=_borrower(rng, 100 + i)) for i in range(4)]
    for i, card in enumerate(cards):
        minimum = Money.from_minor(rng.randint(1, 9_999_999), "CNY")
        if i % 2:
            make_statement(card, DAY, minimum_due=minimum)  # statement ready
        else:  # a reminder 2 days before
            make_statement(card, DAY - 18 * DAYS, due_on=DAY + 2 * DAYS, minimum_due=minimum)
    others = loans[LETTER_ONLY + 1 :]
    for account in rng.sample(others, 4):
        _autopay(rng, account)
    for account in rng.sample(others, 3):
        _failed_debit(rng, account)
    payments = [_payment(rng, account) for account in rng.sample(others, 3)]
    _terms_change(loans[0].product, rng)
    _given_before(rng.choice(loans))
    _already_written(payments[0])
    _broken_template()
    return {rng.choice(others).pk}


class Arranged:
    """An arrangement source: these accounts are under a plan (no contract reminders)."""

    def __init__(self, accounts: set[int]) -> None:
        self.accounts = accounts

    def accounts_under_arrangement(self, as_of: dt.date) -> set[int]:
        return self.accounts

    def arrangements(self, account_ids: Any, as_of: dt.date) -> dict[int, Any]:
        return {}


#: Borrowers whose notice is not written: reached by nothing, a reminder turned off, and
#: reached only by a letter whose English template cannot render.
UNREACHABLE, DECLINED, LETTER_ONLY = 4, 5, 6


def _borrower(rng: random.Random, n: int) -> Any:
    from arrears.servicing.models import ContactPoint
    from tests.factories import make_borrower, make_borrower_login

    fields: dict[str, Any] = {"preferred_language": rng.choice(["zh-hans", "en"])}
    if rng.random() < 0.25:
        fields["phones"] = []
    if rng.random() < 0.3:
        fields["email"] = ""
    if rng.random() < 0.3:
        fields["address_line"] = ""
    if rng.random() < 0.2:
        fields["city"] = ""
    if n == UNREACHABLE:
        return make_borrower(phones=[], email="", address_line="")
    if n == LETTER_ONLY:
        return make_borrower(phones=[], email="", preferred_language="en")
    borrower = make_borrower(**fields)
    if rng.random() < 0.3:
        make_borrower_login(borrower)
    if rng.random() < 0.3:
        ContactPoint.objects.create(
            borrower=borrower, kind="email", value=f"second{n}@example.com", is_primary=False
        )
    if rng.random() < 0.2:
        ContactPoint.objects.create(
            borrower=borrower, kind="mobile", value=f"+86 139 0000 {n:04d}", is_valid=False
        )
    if rng.random() < 0.3:  # a second number, not the primary one (the primary is used)
        ContactPoint.objects.create(
            borrower=borrower, kind="mobile", value=f"+86 137 0000 {n:04d}", is_primary=False
        )
    if n == DECLINED:
        set_notice_preference(borrower=borrower, declined_kinds=["due_reminder"])
    elif rng.random() < 0.6:
        channels = rng.sample(["sms", "email", "in_app", "letter"], rng.randint(0, 4))
        declined = rng.sample(["due_reminder", "payment_received"], 1)
        set_notice_preference(
            borrower=borrower,
            channels=channels,
            language=rng.choice(["", "en", "zh-hans"]),
            declined_kinds=declined if rng.random() < 0.3 else [],
        )
    return borrower


def _loan(rng: random.Random, n: int) -> Any:
    from arrears.core.calendar import add_months
    from tests.factories import make_loan_account

    before = rng.choice([0, 1, 5, 5, 3]) if n > LETTER_ONLY else [5, 1, 0, 5, 1, 0, 5][n]
    first_due = DAY + before * DAYS
    return make_loan_account(
        borrower=_borrower(rng, n),
        principal=Money(rng.randint(1_000, 60_000), "CNY") + Money("0.37", "CNY"),
        months=rng.choice([6, 12]),
        start_on=add_months(first_due, -1),
    )


def _autopay(rng: random.Random, account: Any) -> None:
    from arrears.servicing.models import AutopayMandate

    fixed = rng.random() < 0.5
    AutopayMandate.objects.create(
        account=account,
        amount_rule="fixed" if fixed else "minimum",
        fixed_amount_minor=rng.randint(1, 99_999) if fixed else None,
        currency="CNY",
        debit_days_before_due=rng.randint(0, 2),
        funding_account_masked="**** 8888",
        consent_reference=f"DD-{account.pk}",
        starts_on=DAY - 40 * DAYS,
        created_at=morning_of(DAY - 40 * DAYS).now(),
    )


def _failed_debit(rng: random.Random, account: Any) -> None:
    from arrears.servicing.models import AutopayDebit, AutopayMandate

    mandate = AutopayMandate.objects.filter(account=account).first()
    mandate = mandate or AutopayMandate.objects.create(
        account=account,
        amount_rule="minimum",
        currency="CNY",
        funding_account_masked="**** 9999",
        consent_reference=f"DD-F{account.pk}",
        starts_on=DAY + 30 * DAYS,  # not active yet on DAY: no debit notice
        created_at=morning_of(DAY - 40 * DAYS).now(),
    )
    returned = rng.random() < 0.5
    AutopayDebit.objects.create(
        mandate=mandate,
        account=account,
        for_due_on=DAY - 2 * DAYS,
        attempt=rng.randint(1, 3),
        attempted_on=DAY - 3 * DAYS if returned else DAY,
        first_attempted_on=DAY - 3 * DAYS,
        amount_minor=rng.randint(100, 500_000),
        currency="CNY",
        status="returned" if returned else "failed",
        failure_code="insufficient_funds",
        idempotency_key=f"debit-{account.pk}",
        provider_reference="",
        returned_on=DAY if returned else None,
        created_at=morning_of(DAY - 3 * DAYS).now(),
    )


def _payment(rng: random.Random, account: Any) -> Any:
    from arrears.servicing.services.payments import post_payment

    payment, _created = post_payment(
        account=account,
        amount=Money(rng.randint(1, 900), "CNY") + Money("0.05", "CNY"),
        received_on=DAY,
        idempotency_key=f"pay-{account.pk}",
        clock=morning_of(DAY),
    )
    return payment


def _terms_change(product: Any, rng: random.Random) -> None:
    from arrears.servicing.models import ProductTermsChange

    ProductTermsChange.objects.create(
        product=product,
        terms={},
        jurisdiction="CN",
        notice_days=45,
        announced_on=DAY - 3 * DAYS,
        effective_on=DAY + 50 * DAYS,
        status="scheduled",
        summary=rng.choice(["", "年利率由18%调整为16%"]),
        created_at=morning_of(DAY - 3 * DAYS).now(),
    )


def _given_before(account: Any) -> None:
    """The terms-change notice was given before (on any channel: it is not made again)."""
    OutboxMessage.objects.create(
        idempotency_key=f"notice:terms_change:{account.pk}:{DAY + 50 * DAYS}:in_app",
        borrower_id=account.borrower_id,
        account=account,
        kind=NoticeKind.TERMS_CHANGE,
        channel="letter",
        address="x",
        language="zh-hans",
        body="given before",
        due_on=DAY + 50 * DAYS,
        next_attempt_at=morning_of(DAY - DAYS).now(),
        created_at=morning_of(DAY - DAYS).now(),
    )


def _broken_template() -> None:
    """The English due reminder by letter names a variable it is not given: render fails."""
    Template.objects.filter(kind="due_reminder", channel="letter", language="en").update(
        is_active=False
    )
    Template.objects.create(
        kind="due_reminder",
        channel="letter",
        language="en",
        version=99,
        body="Dear {{ borrower_name }}, {{ no_such_variable }}",
        created_at=morning_of(DAY - 40 * DAYS).now(),
    )


def _already_written(payment: Any) -> None:
    """The payment's acknowledgement was written before, by letter: not written again."""
    account = payment.account
    OutboxMessage.objects.create(
        idempotency_key=f"notice:payment_received:{account.pk}:{DAY}:p{payment.pk}:letter",
        borrower_id=account.borrower_id,
        account=account,
        kind=NoticeKind.PAYMENT_RECEIVED,
        channel="letter",
        address="x",
        language="zh-hans",
        body="written before",
        due_on=DAY,
        next_attempt_at=morning_of(DAY - DAYS).now(),
        created_at=morning_of(DAY - DAYS).now(),
    )
