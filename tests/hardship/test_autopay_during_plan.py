"""Autopay follows the plan: while a plan is kept, the mandate debits the plan's instalment on the
plan's due dates, never the contract's instalment on the contract's dates."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.servicing.direct_debit import ScriptedDirectDebit, direct_debit_provider
from arrears.servicing.models import Obligation, Payment
from arrears.servicing.selectors.autopay import autopay_debits_due, mandates_to_debit_on
from arrears.servicing.services.autopay import run_autopay, set_up_autopay
from tests.hardship.conftest import set_up_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank() -> ScriptedDirectDebit:
    provider = direct_debit_provider()
    assert isinstance(provider, ScriptedDirectDebit)
    provider.reset()
    return provider


def test_autopay_debits_the_plans_instalment_on_the_plans_date_not_the_contracts(
    loan_in_arrears, clock, bank
):
    # given a loan in arrears with autopay of the minimum, and a plan agreed on 1 April
    mandate = set_up_autopay(
        account=loan_in_arrears,
        amount_rule="minimum",
        funding_account="6222 0210 0012 3456",
        consent_reference="DDI-0002",
        starts_on=dt.date(2025, 1, 15),
    )
    plan = set_up_plan(loan_in_arrears, clock)
    paying = plan.instalments.filter(amount_minor__gt=0).order_by("number")
    first = paying.first()
    contract_dates = set(
        Obligation.objects.filter(
            account=loan_in_arrears, due_on__gt=dt.date(2025, 4, 1)
        ).values_list("due_on", flat=True)
    )
    plan_dates = set(plan.instalments.values_list("due_on", flat=True))
    contract_only = sorted(contract_dates - plan_dates)
    assert contract_only, "the test needs a contract due date the plan does not share"

    # then on a contract-only due date inside the plan nothing is debited
    assert mandates_to_debit_on(contract_only[0]) == []
    # and on the plan's first paying date the plan's instalment is
    debits = autopay_debits_due(first.due_on)
    assert [(d.mandate.pk, d.for_due_on, d.amount.minor) for d in debits] == [
        (mandate.pk, first.due_on, first.amount_minor)
    ]
    run_autopay(day=first.due_on, clock=clock)
    payment = Payment.objects.get(account=loan_in_arrears)
    assert (payment.received_on, payment.amount_minor) == (first.due_on, first.amount_minor)
    assert [r.amount.minor for r in bank.collected] == [first.amount_minor]
    # and running the day again debits nothing more
    run_autopay(day=first.due_on, clock=clock)
    assert Payment.objects.filter(account=loan_in_arrears).count() == 1
