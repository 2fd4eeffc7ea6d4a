"""Waivers, settlement discounts and capitalised interest: journal entries that change what the
borrower owes, with the dues they reach lowered (or, on reversal, put back) as a payment would."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing import selectors
from arrears.servicing.choices import AccountStatus, BucketChangeReason, EntryKind
from arrears.servicing.models import (
    JournalEntry,
    Obligation,
    ObligationAdjustment,
)
from arrears.servicing.services.accounts import post_instalment_interest, post_purchase
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.ledger import (
    INCOME_FEES,
    SETTLEMENT_DISCOUNTS,
    WAIVERS,
    post_entry,
)
from arrears.servicing.services.payments import post_payment
from arrears.servicing.services.scheduled_interest import (
    InterestCharge,
    post_scheduled_interest,
    schedule_interest,
)
from arrears.servicing.services.waivers import (
    capitalise_interest,
    grant_settlement_discount,
    reverse_waiver,
    waive_amount,
)
from tests.conftest import rolled_back
from tests.factories import cny, make_card_account, make_loan_account, make_statement

pytestmark = pytest.mark.django_db

OPENED_ON = dt.date(2025, 1, 15)
FEB_15, FEB_19, FEB_20 = dt.date(2025, 2, 15), dt.date(2025, 2, 19), dt.date(2025, 2, 20)


def instalment(loan, number: int) -> Obligation:  # type: ignore[no-untyped-def]
    return Obligation.objects.get(account=loan, number=number)


def loan_behind_on_february(clock, *, late_fee: bool = True):  # type: ignore[no-untyped-def]
    """A 12,000 loan whose February instalment (1,039.43: interest 72.00) is unpaid, with a
    50.00 late fee, aged on 20 February (5 days past due)."""
    loan = make_loan_account(start_on=OPENED_ON)
    post_instalment_interest(obligation=instalment(loan, 1), clock=clock)
    if late_fee:
        post_entry(
            account=loan,
            kind=EntryKind.LATE_FEE,
            effective_on=FEB_19,
            lines={"fees:late": 5000, INCOME_FEES: -5000},
            idempotency_key=f"fee:{loan.pk}",
        )
    age_account(account=loan, as_of=FEB_20, clock=clock)
    loan.refresh_from_db()
    return loan


def lines_of(entry: JournalEntry) -> dict[str, int]:
    return {line.book: line.amount_minor for line in entry.lines.all()}


def test_a_waived_late_fee_is_owed_no_more_and_booked_as_the_lenders_cost(clock):
    loan = loan_behind_on_february(clock)
    entry, created = waive_amount(
        account=loan,
        amount=cny("50.00"),
        on=FEB_20,
        reason="first late fee, waived as a courtesy",
        idempotency_key="fee-waiver-1",
        clock=clock,
    )
    assert created and entry.kind == EntryKind.WAIVER
    assert lines_of(entry) == {"fees:late": -5000, WAIVERS: 5000}
    assert entry.memo == "first late fee, waived as a courtesy"
    assert selectors.balances(loan).fees.is_zero()
    # a loan's instalments hold no fees: none is touched, the arrears stay
    assert not ObligationAdjustment.objects.exists()
    assert loan.days_past_due == 5
    assert selectors.check_account(loan) == []


def test_waived_interest_lowers_the_instalment_that_asked_for_it(clock):
    # given February's instalment unpaid: 72.00 interest and 967.43 principal
    loan = loan_behind_on_february(clock, late_fee=False)

    # when its interest is waived, then the principal is paid
    waive_amount(
        account=loan,
        amount=cny("72.00"),
        on=FEB_20,
        components=["interest"],
        reason="interest waived",
        idempotency_key="w",
        clock=clock,
    )
    first = instalment(loan, 1)
    assert (first.amount_minor, first.interest_minor, first.principal_minor) == (96743, 0, 96743)
    assert loan.days_past_due == 5  # 967.43 still past due
    post_payment(
        account=loan, amount=cny("967.43"), received_on=FEB_20, idempotency_key="p", clock=clock
    )

    # then the instalment is settled and the account is current
    first.refresh_from_db()
    assert first.unpaid_minor == 0
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (0, "current", 0)
    assert selectors.check_account(loan) == []


def test_a_waiver_that_clears_the_arrears_cures_the_account(clock):
    loan = loan_behind_on_february(clock, late_fee=False)
    waive_amount(
        account=loan,
        amount=cny("1039.43"),
        on=FEB_20,
        components=["interest", "principal"],
        reason="goodwill",
        idempotency_key="w",
        clock=clock,
    )
    assert (loan.days_past_due, loan.bucket) == (0, "current")
    cure = loan.bucket_changes.order_by("id").last()
    assert (cure.to_bucket, cure.reason) == ("current", BucketChangeReason.WAIVER)
    assert selectors.check_account(loan) == []


def test_a_settlement_discount_forgives_fees_then_interest_then_principal_and_pays_off(clock):
    loan = loan_behind_on_february(clock)
    post_payment(  # February's instalment and the fee
        account=loan, amount=cny("1089.43"), received_on=FEB_20, idempotency_key="p", clock=clock
    )
    owed = selectors.balances(loan).total
    assert owed == cny("11032.57")  # 12,000 + 72 + 50 − 1,089.43

    entry, _created = grant_settlement_discount(
        account=loan,
        amount=owed,
        on=FEB_20,
        reason="settled for 1,089.43",
        idempotency_key="settle",
        clock=clock,
    )
    assert entry.kind == EntryKind.SETTLEMENT_DISCOUNT
    assert lines_of(entry) == {"principal:loan": -1_103_257, SETTLEMENT_DISCOUNTS: 1_103_257}
    loan.refresh_from_db()
    assert loan.status == AccountStatus.PAID_OFF and loan.closed_on == FEB_20
    assert selectors.balances(loan).total.is_zero()
    assert selectors.book_balances(loan)[SETTLEMENT_DISCOUNTS] == 1_103_257
    # every instalment's principal is settled: nothing is past due
    assert all(o.principal_minor == o.paid_principal_minor for o in loan.obligations.all())
    assert selectors.check_account(loan) == []


def test_a_discount_reaches_fees_and_interest_before_principal(clock):
    loan = loan_behind_on_february(clock)
    entry, _ = grant_settlement_discount(
        account=loan,
        amount=cny("200.00"),
        on=FEB_20,
        reason="part of a settlement",
        idempotency_key="d",
        clock=clock,
    )
    assert lines_of(entry) == {
        "fees:late": -5000,
        "interest:loan": -7200,
        "principal:loan": -7800,
        SETTLEMENT_DISCOUNTS: 20000,
    }


def test_reversing_a_waiver_puts_back_exactly_what_it_took(clock):
    # given a loan settled by a discount: paid off
    loan = loan_behind_on_february(clock)
    before = {
        o.pk: (o.amount_minor, o.principal_minor, o.interest_minor) for o in loan.obligations.all()
    }
    entry, _ = grant_settlement_discount(
        account=loan,
        amount=selectors.balances(loan).total,
        on=FEB_20,
        reason="settlement",
        idempotency_key="s",
        clock=clock,
    )
    loan.refresh_from_db()
    assert loan.status == AccountStatus.PAID_OFF

    # when the discount is reversed (the settlement money bounced)
    reversal = reverse_waiver(
        entry=entry, reversed_on=dt.date(2025, 2, 25), reason="settlement payment returned"
    )

    # then the debt, the dues and the arrears are back, and the loan is open again
    assert reversal.kind == EntryKind.REVERSAL and reversal.reverses == entry
    assert selectors.balances(loan).total == cny("12122.00")
    after = {
        o.pk: (o.amount_minor, o.principal_minor, o.interest_minor) for o in loan.obligations.all()
    }
    assert after == before
    loan.refresh_from_db()
    assert loan.status == AccountStatus.OPEN and loan.days_past_due == 10
    assert selectors.check_account(loan) == []
    with pytest.raises(Conflict):
        reverse_waiver(entry=entry, reversed_on=dt.date(2025, 2, 25), reason="again")


def test_the_same_key_forgives_once(clock):
    loan = loan_behind_on_february(clock)
    request = {
        "account": loan,
        "amount": cny("20.00"),
        "on": FEB_20,
        "reason": "courtesy",
        "idempotency_key": "once",
        "clock": clock,
    }
    first, created = waive_amount(**request)
    again, created_again = waive_amount(**request)
    assert created and not created_again and again == first
    assert selectors.balances(loan).fees == cny("30.00")
    with pytest.raises(Conflict):
        waive_amount(**{**request, "amount": cny("10.00")})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Money("50.01", "CNY")}, "amount"),
        ({"amount": Money("1.00", "USD")}, "amount"),
        ({"amount": cny("0")}, "amount"),
        ({"components": ["penalties"]}, "components"),
        ({"components": "fees"}, "components"),
        ({"components": ["fees", "fees"]}, "components"),
        ({"reason": " "}, "reason"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"on": dt.date(2024, 1, 1)}, "on"),
    ],
)
def test_bad_waivers_are_refused_by_name_and_write_nothing(change, field, clock):
    loan = loan_behind_on_february(clock)
    entries = JournalEntry.objects.count()
    request = {
        "account": loan,
        "amount": cny("10.00"),
        "on": FEB_20,
        "reason": "courtesy",
        "idempotency_key": "k",
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        waive_amount(**request, clock=clock)
    assert refused.value.field == field
    assert JournalEntry.objects.count() == entries
    assert not ObligationAdjustment.objects.exists()


def test_a_card_waiver_lowers_the_minimum_payment_and_the_billed_balance(clock):
    card = make_card_account()
    post_purchase(account=card, amount=cny("1000.00"), on=dt.date(2025, 1, 20), idempotency_key="b")
    make_statement(card, dt.date(2025, 2, 5), due_on=dt.date(2025, 2, 25))  # minimum 100.00
    with pytest.raises(ValidationError) as refused:  # the statement billed that day's balances
        waive_amount(
            account=card,
            amount=cny("30.00"),
            on=dt.date(2025, 2, 5),
            components=["principal"],
            reason="goodwill",
            idempotency_key="too-early",
        )
    assert refused.value.field == "on"

    waive_amount(
        account=card,
        amount=cny("30.00"),
        on=dt.date(2025, 2, 10),
        components=["principal"],
        reason="goodwill",
        idempotency_key="w",
        clock=clock,
    )
    minimum = Obligation.objects.get(account=card)
    assert (minimum.amount_minor, minimum.unpaid_minor) == (7000, 7000)
    dues = {
        (d.key, d.due_on): d.amount for d in selectors.allocation_dues(card, dt.date(2025, 2, 25))
    }
    assert dues == {("principal:purchase", dt.date(2025, 2, 25)): cny("970.00")}
    assert selectors.check_account(card) == []


def test_interest_not_asked_for_by_an_instalment_can_be_capitalised(clock):
    loan = loan_behind_on_february(clock, late_fee=False)
    schedule_interest(
        account=loan,
        source="test",
        charges=[InterestCharge(number=1, due_on=dt.date(2025, 3, 1), amount=cny("40.00"))],
        clock=clock,
    )
    post_scheduled_interest(account=loan, through=dt.date(2025, 3, 1), clock=clock)
    # February's 72.00 belongs to its instalment; only the 40.00 scheduled may be capitalised
    with pytest.raises(ValidationError) as refused:
        capitalise_interest(
            account=loan, amount=cny("40.01"), on=dt.date(2025, 3, 1), idempotency_key="c"
        )
    assert refused.value.field == "amount"
    entry, created = capitalise_interest(
        account=loan, amount=cny("40.00"), on=dt.date(2025, 3, 1), idempotency_key="c"
    )
    assert created and entry.kind == EntryKind.CAPITALISATION
    assert lines_of(entry) == {"principal:loan": 4000, "interest:loan": -4000}
    books = selectors.book_balances(loan)
    assert (books["principal:loan"], books["interest:loan"]) == (1_204_000, 7200)
    assert selectors.check_account(loan) == []


# --- properties --------------------------------------------------------------------------------

DB_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
operations = st.lists(
    st.tuples(
        st.sampled_from(["pay", "waive", "discount", "reverse"]),
        st.integers(min_value=1, max_value=300_000),  # minor units
        st.sampled_from([("fees",), ("interest",), ("principal",), ("interest", "principal")]),
    ),
    min_size=1,
    max_size=8,
)


@DB_SETTINGS
@given(ops=operations)
def test_any_mix_of_payments_waivers_and_reversals_keeps_the_ledger_true(ops, clock):
    """Every entry balances, obligations agree with their applications, ageing is fresh, what
    the lender forgave is exactly what its expense books hold, and no receivable goes below
    zero (a waiver never forgives what is not owed)."""
    with rolled_back():
        loan = loan_behind_on_february(clock)
        forgiven: list[JournalEntry] = []
        expected_cost = 0
        day = FEB_20
        for n, (op, minor, parts) in enumerate(ops):
            day += dt.timedelta(days=3)
            owed = selectors.book_balances(loan)
            if op == "pay":
                post_payment(
                    account=loan,
                    amount=Money.from_minor(minor, "CNY"),
                    received_on=day,
                    idempotency_key=f"p{n}",
                    clock=clock,
                )
            elif op in ("waive", "discount"):
                room = (
                    sum(v for b, v in owed.items() if b.split(":")[0] in parts and v > 0)
                    if op == "waive"
                    else selectors.balances(loan).total.minor
                )
                amount = min(minor, room)
                if amount <= 0 or loan.status != AccountStatus.OPEN:
                    continue
                if op == "waive":
                    entry, _ = waive_amount(
                        account=loan,
                        amount=Money.from_minor(amount, "CNY"),
                        on=day,
                        components=parts,
                        reason="r",
                        idempotency_key=f"w{n}",
                        clock=clock,
                    )
                else:
                    entry, _ = grant_settlement_discount(
                        account=loan,
                        amount=Money.from_minor(amount, "CNY"),
                        on=day,
                        reason="r",
                        idempotency_key=f"d{n}",
                        clock=clock,
                    )
                forgiven.append(entry)
                expected_cost += amount
            elif forgiven:
                entry = forgiven.pop(0)
                reverse_waiver(entry=entry, reversed_on=day, reason="r", clock=clock)
                expected_cost -= sum(
                    line.amount_minor
                    for line in entry.lines.filter(book__in=[WAIVERS, SETTLEMENT_DISCOUNTS])
                )
            loan.refresh_from_db()
            assert selectors.check_account(loan) == [], (n, op)
        books = selectors.book_balances(loan)
        assert books.get(WAIVERS, 0) + books.get(SETTLEMENT_DISCOUNTS, 0) == expected_cost
        assert all(v >= 0 for b, v in books.items() if b.startswith(("fees:", "principal:")))
        assert all(
            o.paid_minor <= o.amount_minor and o.amount_minor >= 0
            for o in Obligation.objects.filter(account=loan)
        )
