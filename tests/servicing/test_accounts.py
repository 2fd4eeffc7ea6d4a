"""Opening cards and loans, and spending on cards."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.core.schedule import RepaymentMethod
from arrears.servicing import selectors
from arrears.servicing.choices import EntryKind, ObligationKind
from arrears.servicing.models import Account, JournalEntry, Obligation
from arrears.servicing.services.accounts import (
    open_card_account,
    open_loan_account,
    post_cash_advance,
    post_instalment_interest,
    post_purchase,
)
from tests.factories import cny, make_borrower, make_card_account, make_loan_account

pytestmark = pytest.mark.django_db

JAN_15 = dt.date(2025, 1, 15)


# --- loans ------------------------------------------------------------------------------------


def test_loan_schedule_obligations_sum_to_principal(products):
    # given a 12-month equal-instalment loan of 12,000 CNY
    loan = make_loan_account(principal=cny(12000), months=12, product=products["cn_consumer_loan"])
    obligations = list(loan.obligations.order_by("number"))
    # then there is one instalment obligation per month, each due a month apart
    assert [o.number for o in obligations] == list(range(1, 13))
    assert {o.kind for o in obligations} == {ObligationKind.INSTALMENT}
    assert obligations[0].due_on == dt.date(2025, 2, 15)
    assert obligations[-1].due_on == dt.date(2026, 1, 15)
    # and their principal parts add up to exactly what was lent
    assert sum(o.principal_minor for o in obligations) == 1_200_000
    assert all(o.amount_minor == o.principal_minor + o.interest_minor for o in obligations)
    # 7.2 % a year is 0.6 % a month: the first month's interest is 72.00
    assert obligations[0].interest_minor == 7200


def test_loan_disbursement_is_posted_once_as_principal_owed(products):
    loan = make_loan_account(principal=cny(12000), product=products["cn_consumer_loan"])
    assert selectors.book_balances(loan) == {"principal:loan": 1_200_000, "funding": -1_200_000}
    entry = JournalEntry.objects.get(account=loan)
    assert (entry.kind, entry.effective_on) == (EntryKind.DISBURSEMENT, JAN_15)
    assert entry.idempotency_key == f"disbursement:{loan.number}"


def test_loan_takes_the_product_apr_and_method_unless_given(products):
    default = make_loan_account(product=products["cn_consumer_loan"])
    assert (default.apr, default.repayment_method) == (Decimal("7.2"), "annuity")
    chosen = make_loan_account(
        product=products["cn_consumer_loan"],
        apr=Decimal("9.6"),
        method=RepaymentMethod.EQUAL_PRINCIPAL,
    )
    principal_parts = set(chosen.obligations.values_list("principal_minor", flat=True))
    assert chosen.apr == Decimal("9.6")
    assert principal_parts == {100_000}  # equal principal: 1,000.00 every month


def test_loan_term_outside_the_product_range_is_named_and_nothing_opened(products):
    with pytest.raises(ValidationError) as error:
        make_loan_account(months=48, product=products["cn_consumer_loan"])
    assert error.value.field == "months"
    assert not Account.objects.exists()


def test_a_card_product_cannot_open_a_loan(products):
    with pytest.raises(ValidationError) as error:
        open_loan_account(
            borrower=make_borrower(),
            product=products["cn_card_classic"],
            principal=cny(1000),
            months=12,
            start_on=JAN_15,
        )
    assert error.value.field == "product"


def test_loan_principal_in_another_currency_is_named(products):
    with pytest.raises(ValidationError) as error:
        make_loan_account(principal=Money(1000, "USD"), product=products["cn_consumer_loan"])
    assert error.value.field == "principal"


def test_instalment_interest_is_charged_once(products, clock):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    first = loan.obligations.get(number=1)
    entry = post_instalment_interest(obligation=first, clock=clock)
    assert entry is not None
    assert entry.effective_on == first.due_on
    assert post_instalment_interest(obligation=first, clock=clock) is None
    assert selectors.book_balances(loan)["interest:loan"] == 7200
    assert Obligation.objects.get(pk=first.pk).is_posted


# --- cards ------------------------------------------------------------------------------------


def test_card_number_is_made_from_the_product_code(products):
    card = make_card_account(product=products["cn_card_classic"])
    assert card.number == f"CN_CARD_CLASSIC-{card.pk:08d}"
    assert card.statement_day == 5
    assert card.credit_limit_minor == 5_000_000


def test_a_given_account_number_is_kept_and_cannot_be_reused(products):
    make_card_account(product=products["cn_card_classic"], number="6225-0001")
    with pytest.raises(Conflict):
        make_card_account(product=products["cn_card_classic"], number="6225-0001")


def test_opening_balance_is_owed_as_purchase_principal(products):
    card = make_card_account(product=products["cn_card_classic"], opening_balance=cny("800.00"))
    assert selectors.book_balances(card)["principal:purchase"] == 80_000


def test_opening_balance_above_the_limit_is_refused(products):
    with pytest.raises(ValidationError) as error:
        open_card_account(
            borrower=make_borrower(),
            product=products["cn_card_classic"],
            opened_on=JAN_15,
            credit_limit=cny(1000),
            opening_balance=cny(1500),
        )
    assert error.value.field == "opening_balance"
    assert not Account.objects.exists()


def test_purchase_above_available_credit_is_refused(products):
    # given a card with a 1,000 limit and 700 already spent
    card = make_card_account(product=products["cn_card_classic"], credit_limit=cny(1000))
    post_purchase(account=card, amount=cny(700), on=JAN_15, idempotency_key="pos-1")
    # when the borrower tries to spend 300.01
    with pytest.raises(ValidationError) as error:
        post_purchase(account=card, amount=cny("300.01"), on=JAN_15, idempotency_key="pos-2")
    # then it is refused, naming the amount, and exactly 300.00 still goes through
    assert error.value.field == "amount"
    assert "300.00" in error.value.message
    post_purchase(account=card, amount=cny(300), on=JAN_15, idempotency_key="pos-3")
    assert selectors.balances(card).total == cny(1000)


def test_same_purchase_key_posts_once_and_a_different_amount_conflicts(products):
    card = make_card_account(product=products["cn_card_classic"])
    first, created = post_purchase(account=card, amount=cny(50), on=JAN_15, idempotency_key="k")
    again, created_again = post_purchase(
        account=card, amount=cny(50), on=JAN_15, idempotency_key="k"
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert selectors.balances(card).principal == cny(50)
    with pytest.raises(Conflict):
        post_purchase(account=card, amount=cny(60), on=JAN_15, idempotency_key="k")


def test_cash_advance_is_owed_on_the_cash_balance(products):
    card = make_card_account(product=products["cn_card_classic"])
    entry, _ = post_cash_advance(account=card, amount=cny(200), on=JAN_15, idempotency_key="atm")
    assert entry.kind == EntryKind.CASH_ADVANCE
    assert selectors.book_balances(card)["principal:cash"] == 20_000


def test_spending_on_an_unknown_balance_type_is_named(products):
    card = make_card_account(product=products["cn_card_classic"])
    with pytest.raises(ValidationError) as error:
        post_purchase(
            account=card, amount=cny(10), on=JAN_15, idempotency_key="x", balance_type="promo"
        )
    assert error.value.field == "balance_type"


def test_a_loan_cannot_be_spent_on(products):
    loan = make_loan_account(product=products["cn_consumer_loan"])
    with pytest.raises(ValidationError) as error:
        post_purchase(account=loan, amount=cny(10), on=JAN_15, idempotency_key="x")
    assert error.value.field == "account"
