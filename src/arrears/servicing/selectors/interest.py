"""Interest accrued but not yet posted, derived from the journal's daily balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from arrears.core.card import grace_applies
from arrears.core.interest import DayCount
from arrears.core.money import Money, minor_units
from arrears.core.products import CardTerms, LoanTerms
from arrears.servicing.choices import PaymentStatus, ProductKind
from arrears.servicing.models import Account, Obligation, Payment, Statement
from arrears.servicing.selectors.balances import balance_segments
from arrears.servicing.selectors.rates import windows_of
from arrears.servicing.services.interest_rates import card_interest, instalment_interest
from arrears.servicing.services.products import product_terms

ONE_DAY = dt.timedelta(days=1)


def accrued_interest(account: Account, as_of: dt.date) -> Money:
    """Interest earned by the lender through the end of `as_of` and not yet posted.

    Cards: from the day after the last statement (or the opening day) through `as_of`, per
    balance type on its principal book at its APR (a promotional rate ends after its
    `promo_until`, then the purchase APR applies); balance types with a grace period accrue
    nothing while the grace holds. Loans: the current instalment's scheduled interest
    prorated by the days elapsed in its period (the schedule, not the daily balance, is what a
    fixed-instalment loan charges). A day a rate override covers bears its rate
    (`services.rate_overrides`). Rounded once with the product's policy.
    """
    terms = product_terms(account.product, on=as_of)  # the terms in force that day
    if account.kind == ProductKind.CARD:
        assert isinstance(terms, CardTerms)
        exact = _card_accrual(account, terms, as_of)
    else:
        assert isinstance(terms, LoanTerms)
        exact = _loan_accrual(account, terms, as_of)
    return Money.of(exact.scaleb(-minor_units(account.currency)), account.currency, terms.rounding)


def last_statement(account: Account, as_of: dt.date) -> Statement | None:
    return (
        Statement.objects.filter(account=account, statement_on__lte=as_of)
        .order_by("-statement_on")
        .first()
    )


def _card_accrual(account: Account, terms: CardTerms, as_of: dt.date) -> Decimal:
    statement = last_statement(account, as_of)
    start_on = statement.statement_on + ONE_DAY if statement else account.opened_on
    end_on = as_of + ONE_DAY
    if end_on <= start_on:
        return Decimal(0)
    grace = _grace_holds(account, statement, as_of)
    books = {f"principal:{bt.code}": bt for bt in terms.balance_types}
    segments = balance_segments(account, books, start_on, end_on)
    day_count = DayCount(terms.day_count)
    purchase_apr = terms.balance_type("purchase").apr
    windows = windows_of(account)
    exact = Decimal(0)
    for book, balance_type in books.items():
        if balance_type.grace and grace:
            continue
        exact += card_interest(
            segments[book],
            balance_type,
            after_promo=purchase_apr,
            day_count=day_count,
            windows=windows,
        )
    return exact


def _grace_holds(account: Account, statement: Statement | None, as_of: dt.date) -> bool:
    """The interest-free period holds when the last statement was paid in full by its due date.

    Before the due date has passed the borrower can still pay, so the grace is presumed to hold;
    the first cycle (no statement yet) has it too.
    """
    if statement is None or as_of <= statement.due_on:
        return True
    paid = (
        Payment.objects.filter(
            account=account,
            status=PaymentStatus.POSTED,
            received_on__gt=statement.statement_on,
            received_on__lte=statement.due_on,
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    currency = account.currency
    return grace_applies(
        previous_statement_balance=Money.from_minor(statement.new_balance_minor, currency),
        paid_by_due_date=Money.from_minor(int(paid), currency),
    )


def _loan_accrual(account: Account, terms: LoanTerms, as_of: dt.date) -> Decimal:
    """The current instalment's interest for the days of its period through `as_of`, each day
    at the rate in force (`services.interest_rates.instalment_interest`: the contract's, or a
    rate override's), the rule its charge on the due date follows."""
    current: Obligation | None = (
        account.obligations.filter(due_on__gt=as_of).order_by("due_on", "number").first()
    )
    if current is None or current.is_posted:
        return Decimal(0)
    previous = account.obligations.filter(due_on__lt=current.due_on).order_by("-due_on").first()
    contract = current.contract_interest_minor
    return instalment_interest(
        contract_interest_minor=current.interest_minor if contract is None else contract,
        contract_apr=account.apr if account.apr is not None else terms.apr,
        period_start=previous.due_on if previous else account.opened_on,
        due_on=current.due_on,
        windows=windows_of(account),
        through=as_of,
    )
