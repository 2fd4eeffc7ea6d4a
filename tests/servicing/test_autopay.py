"""Autopay (自动还款 / 代扣): debits in the nightly cycle, failures and retries, returns."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import (
    AutopayDebitStatus,
    DebitFailureCode,
    MandateStatus,
    PaymentChannel,
    PaymentStatus,
)
from arrears.servicing.direct_debit import ScriptedDirectDebit, direct_debit_provider
from arrears.servicing.models import Account, AutopayDebit, CycleRun, Obligation, Payment
from arrears.servicing.selectors import (
    accounts_with_autopay,
    active_mandate,
    autopay_amount,
    autopay_debits_due,
    autopay_failures_on,
)
from arrears.servicing.services.autopay import (
    cancel_autopay,
    change_autopay,
    record_autopay_return,
    set_up_autopay,
)
from arrears.servicing.services.cycle import STEPS, run_business_date
from tests.factories import cny, make_card_account, make_loan_account
from tests.servicing.cycle_support import run_through, what_the_cycle_wrote

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank() -> ScriptedDirectDebit:
    """The scripted direct-debit provider the settings select, with nothing scripted."""
    provider = direct_debit_provider()
    assert isinstance(provider, ScriptedDirectDebit)
    provider.reset()
    return provider


def loan_with_autopay(**rules):  # type: ignore[no-untyped-def]
    loan = make_loan_account(start_on=dt.date(2025, 1, 15))
    mandate = set_up_autopay(
        account=loan,
        amount_rule=rules.pop("amount_rule", "minimum"),
        funding_account="6222 0210 0012 3456",
        consent_reference="DDI-0001",
        starts_on=dt.date(2025, 1, 15),
        **rules,
    )
    first = Obligation.objects.filter(account=loan).order_by("due_on").first()
    assert first is not None
    return loan, mandate, first


def test_autopay_of_the_minimum_on_the_due_date_keeps_the_account_current(clock, bank):
    # given a loan whose borrower set up autopay of the minimum on the due date
    loan, mandate, first = loan_with_autopay()

    # when the cycle runs through the day after the first due date
    run_through(first.due_on + dt.timedelta(days=1), clock)

    # then the instalment was debited once, on its due date, and the loan is current
    first.refresh_from_db()
    loan.refresh_from_db()
    assert first.unpaid_minor == 0
    assert (loan.days_past_due, loan.bucket, loan.past_due_minor) == (0, "current", 0)
    payment = Payment.objects.get(account=loan)
    assert payment.channel == PaymentChannel.DIRECT_DEBIT
    assert payment.received_on == first.due_on
    assert payment.amount_minor == first.amount_minor
    assert payment.idempotency_key == f"autopay:{mandate.pk}:{first.due_on.isoformat()}:1"
    debit = AutopayDebit.objects.get(mandate=mandate)
    assert (debit.status, debit.payment_id) == (AutopayDebitStatus.SUCCEEDED, payment.pk)
    assert [r.amount.minor for r in bank.collected] == [first.amount_minor]
    assert mandate.funding_account_masked == "****3456"


def test_a_debit_refused_for_insufficient_funds_is_retried_two_days_later_and_cures(clock, bank):
    # given autopay on a loan whose first debit will be refused for insufficient funds
    loan, mandate, first = loan_with_autopay()
    bank.fail(loan.number, DebitFailureCode.INSUFFICIENT_FUNDS, attempts=(1,))
    due = first.due_on

    # when the cycle runs through the due date and the day after
    run_through(due + dt.timedelta(days=1), clock)

    # then the debit failed, a retry is set two days after it, and the loan is past due
    failed = AutopayDebit.objects.get(mandate=mandate, attempt=1)
    assert failed.status == AutopayDebitStatus.FAILED
    assert failed.failure_code == DebitFailureCode.INSUFFICIENT_FUNDS
    assert failed.next_retry_on == due + dt.timedelta(days=2)
    assert list(autopay_failures_on(due)) == [failed]
    loan.refresh_from_db()
    assert loan.days_past_due == 1 and loan.past_due_minor == first.amount_minor
    assert not Payment.objects.filter(account=loan).exists()

    # when the retry day runs
    run_through(due + dt.timedelta(days=2), clock)

    # then the second attempt succeeds and the loan is current again
    retry = AutopayDebit.objects.get(mandate=mandate, attempt=2)
    assert retry.status == AutopayDebitStatus.SUCCEEDED
    assert retry.idempotency_key == f"autopay:{mandate.pk}:{due.isoformat()}:2"
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.past_due_minor) == (0, 0)

    # and re-running the retry day (its cycle rows gone) posts and collects nothing twice
    before, collected = what_the_cycle_wrote(), len(bank.collected)
    CycleRun.objects.filter(business_date=due + dt.timedelta(days=2)).delete()
    run_business_date(day=due + dt.timedelta(days=2), clock=clock)
    after = what_the_cycle_wrote()
    assert {k: v for k, v in after.items() if k != "cycle_runs"} == {
        k: v for k, v in before.items() if k != "cycle_runs"
    }
    assert len(bank.collected) == collected == 1
    assert Payment.objects.filter(account=loan).count() == 1
    assert AutopayDebit.objects.filter(mandate=mandate).count() == 2


def test_a_debit_is_retried_at_most_twice(clock, bank):
    # given a borrower whose bank refuses every attempt
    loan, mandate, first = loan_with_autopay()
    bank.fail(loan.number, DebitFailureCode.INSUFFICIENT_FUNDS, attempts=(1, 2, 3, 4))

    # when the cycle runs well past the due date
    run_through(first.due_on + dt.timedelta(days=8), clock)

    # then it tried on the due date, 2 and 4 days later, and then stopped
    debits = list(AutopayDebit.objects.filter(mandate=mandate).order_by("attempt"))
    assert [d.attempted_on for d in debits] == [
        first.due_on + dt.timedelta(days=n) for n in (0, 2, 4)
    ]
    assert debits[-1].next_retry_on is None
    assert not Payment.objects.filter(account=loan).exists()


def test_a_closed_funding_account_suspends_the_mandate_without_retrying(clock, bank):
    loan, mandate, first = loan_with_autopay()
    bank.fail(loan.number, DebitFailureCode.ACCOUNT_CLOSED)

    run_through(first.due_on + dt.timedelta(days=5), clock)

    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SUSPENDED
    assert AutopayDebit.objects.filter(mandate=mandate).count() == 1
    assert AutopayDebit.objects.get(mandate=mandate).next_retry_on is None
    assert active_mandate(loan) is None


def test_a_returned_debit_reverses_the_payment_and_the_account_is_past_due_again(clock, bank):
    # given autopay collected the first instalment on its due date
    loan, mandate, first = loan_with_autopay()
    due = first.due_on
    run_through(due + dt.timedelta(days=2), clock)
    debit = AutopayDebit.objects.get(mandate=mandate)
    loan.refresh_from_db()
    assert loan.days_past_due == 0

    # when the bank returns the debit three days after the due date
    returned_on = due + dt.timedelta(days=3)
    record_autopay_return(debit=debit, code=DebitFailureCode.INSUFFICIENT_FUNDS, on=returned_on)

    # then the payment is reversed and the delinquency it cured is back
    payment = Payment.objects.get(pk=debit.payment_id)
    assert payment.status == PaymentStatus.REVERSED
    first.refresh_from_db()
    assert first.unpaid_minor == first.amount_minor
    loan = Account.objects.get(pk=loan.pk)
    assert loan.days_past_due == 3 and loan.past_due_minor == first.amount_minor
    assert list(autopay_failures_on(returned_on)) == [debit]
    # and recording the same return again changes nothing; a different one is refused
    record_autopay_return(debit=debit, code=DebitFailureCode.INSUFFICIENT_FUNDS, on=returned_on)
    with pytest.raises(Conflict):
        record_autopay_return(debit=debit, code=DebitFailureCode.TECHNICAL, on=returned_on)


def test_a_cancelled_mandate_debits_nothing(clock, bank):
    # given autopay set up and then cancelled before the due date
    loan, mandate, first = loan_with_autopay()
    cancel_autopay(mandate=mandate, clock=clock)

    # when the cycle runs past the due date
    run_through(first.due_on + dt.timedelta(days=1), clock)

    # then nothing was asked of the bank and the loan is past due
    assert bank.requests == []
    assert not AutopayDebit.objects.exists()
    loan.refresh_from_db()
    assert loan.days_past_due == 1
    assert accounts_with_autopay([loan.pk]) == set()


def test_autopay_debits_nothing_when_the_instalment_is_already_paid(clock, bank):
    from arrears.servicing.services.payments import post_payment

    loan, _mandate, first = loan_with_autopay()
    run_through(first.due_on - dt.timedelta(days=1), clock)
    post_payment(
        account=loan,
        amount=Money.from_minor(first.amount_minor, "CNY"),
        received_on=first.due_on - dt.timedelta(days=1),
        idempotency_key="manual-1",
        clock=clock,
    )

    run_through(first.due_on, clock)

    assert bank.requests == []
    assert not AutopayDebit.objects.exists()


def test_the_upcoming_debit_is_listed_for_the_debit_notice(clock, bank):
    # given autopay two days before the due date, of a fixed amount above what is due
    loan, _mandate, first = loan_with_autopay(
        amount_rule="fixed", fixed_amount=cny(800), debit_days_before_due=2
    )
    notice_day = first.due_on - dt.timedelta(days=5)
    run_through(notice_day, clock)

    # when the engagement app asks what autopay will debit in the next five days
    upcoming = autopay_debits_due(notice_day, within_days=5)

    # then it sees the debit, on its day, for the fixed amount
    assert [(u.account.pk, u.debit_on, u.for_due_on, u.amount) for u in upcoming] == [
        (loan.pk, first.due_on - dt.timedelta(days=2), first.due_on, cny(800))
    ]
    assert accounts_with_autopay([loan.pk, loan.pk + 999]) == {loan.pk}


def test_a_fixed_amount_is_capped_at_what_the_account_owes(clock, bank):
    loan, mandate, first = loan_with_autopay(amount_rule="fixed", fixed_amount=cny(999999))
    owed = autopay_amount(mandate, loan, for_due_on=first.due_on, as_of=first.due_on)
    assert owed == cny(12000)


def test_autopay_rules_are_checked_and_name_the_field(clock):
    loan = make_loan_account()
    card = make_card_account()
    with pytest.raises(ValidationError) as error:
        set_up_autopay(
            account=loan, amount_rule="statement_balance", funding_account="1234",
            consent_reference="x",
        )  # fmt: skip
    assert error.value.field == "amount_rule"
    with pytest.raises(ValidationError) as error:
        set_up_autopay(
            account=card, amount_rule="fixed", funding_account="1234", consent_reference="x"
        )
    assert error.value.field == "fixed_amount"
    with pytest.raises(ValidationError) as error:
        set_up_autopay(
            account=card, amount_rule="minimum", funding_account="1234", consent_reference="x",
            debit_days_before_due=30,
        )  # fmt: skip
    assert error.value.field == "debit_days_before_due"
    mandate = set_up_autopay(
        account=card, amount_rule="minimum", funding_account="1234", consent_reference="x"
    )
    with pytest.raises(Conflict):
        set_up_autopay(
            account=card, amount_rule="minimum", funding_account="9876", consent_reference="y"
        )
    changed = change_autopay(mandate=mandate, amount_rule="statement_balance", clock=clock)
    assert changed.amount_rule == "statement_balance"


def test_the_cycle_runs_autopay_after_instalments_and_before_late_fees():
    kinds = [step.kind for step in STEPS]
    assert kinds.index("post_instalments") < kinds.index("run_autopay")
    assert kinds.index("run_autopay") < kinds.index("assess_late_fees")
    assert kinds[0] == "apply_terms_changes"
