"""Test data built through the real services, so every fixture obeys the same rules as production.

Plain helpers (not factory_boy model factories) on purpose: an account is only valid when its
disbursement is posted and its schedule's obligations exist, which only the services guarantee.
Every helper takes keyword overrides for anything a test cares about and defaults for the rest.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from arrears.core.money import Money
from arrears.servicing.choices import ObligationKind
from arrears.servicing.models import Account, Borrower, Obligation, Product, Statement

_sequence = itertools.count(1)

DEFAULT_OPENED_ON = dt.date(2025, 1, 15)


def next_number() -> int:
    """A number unique within the test run (references, keys)."""
    return next(_sequence)


def cny(amount: str | int | Decimal) -> Money:
    return Money(amount, "CNY")


def usd(amount: str | int | Decimal) -> Money:
    return Money(amount, "USD")


def ensure_product(code: str) -> Product:
    """The product with this code, loading the bundled products first if the table is empty."""
    from arrears.servicing.services.products import load_products

    product = Product.objects.filter(code=code).first()
    if product is None:
        load_products()
        product = Product.objects.get(code=code)
    return product


def make_borrower(**overrides: Any) -> Borrower:
    """A borrower in Shanghai with one valid mobile number, registered through the service."""
    from arrears.servicing.services.accounts import register_borrower

    n = next_number()
    fields: dict[str, Any] = {
        "reference": f"B{n:06d}",
        "full_name": f"张三 {n}",
        "country": "CN",
        "preferred_language": "zh-hans",
        "email": f"borrower{n}@example.com",
        "phones": [f"+86 138 {n % 10000:04d} {(n * 7) % 10000:04d}"],
        "address_line": "1 Nanjing Road",
        "city": "Shanghai",
        "region": "Shanghai",
        "postal_code": "200000",
    }
    fields.update(overrides)
    return register_borrower(**fields)


def make_card_account(
    product_code: str = "cn_card_classic",
    opened_on: dt.date = DEFAULT_OPENED_ON,
    **overrides: Any,
) -> Account:
    """An open card account; default limit 50,000 in the product's currency."""
    from arrears.servicing.services.accounts import open_card_account

    product = overrides.pop("product", None) or ensure_product(product_code)
    borrower = overrides.pop("borrower", None) or make_borrower()
    fields: dict[str, Any] = {"credit_limit": Money(50000, product.currency)}
    fields.update(overrides)
    return open_card_account(borrower=borrower, product=product, opened_on=opened_on, **fields)


def make_loan_account(
    principal: Money | None = None,
    months: int = 12,
    apr: Decimal | None = None,
    method: str | None = None,
    start_on: dt.date = DEFAULT_OPENED_ON,
    product_code: str = "cn_consumer_loan",
    **overrides: Any,
) -> Account:
    """An open instalment loan with its schedule's obligations and its disbursement posted."""
    from arrears.servicing.services.accounts import open_loan_account

    product = overrides.pop("product", None) or ensure_product(product_code)
    borrower = overrides.pop("borrower", None) or make_borrower()
    return open_loan_account(
        borrower=borrower,
        product=product,
        principal=principal or Money(12000, product.currency),
        months=months,
        apr=apr,
        method=method,
        start_on=start_on,
        **overrides,
    )


def make_statement(
    account: Account,
    statement_on: dt.date,
    *,
    due_on: dt.date | None = None,
    minimum_due: Money | None = None,
) -> Statement:
    """A card statement as the daily cycle closes it, without interest or fees.

    A test-only stand-in for the cycle's statement run: it snapshots the book balances on the
    statement date and creates the minimum payment obligation (default 10 % of the balance),
    so payment and ageing tests need not run the cycle.
    """
    from arrears.servicing.selectors import book_balances

    books = book_balances(account, statement_on)
    new_balance = sum(amount for book, amount in books.items() if ":" in book)
    previous = account.statements.order_by("-statement_on").first()
    number = previous.number + 1 if previous else 1
    minimum = minimum_due or Money.from_minor(new_balance // 10, account.currency)
    statement = Statement.objects.create(
        account=account,
        number=number,
        period_start_on=previous.statement_on + dt.timedelta(days=1)
        if previous
        else account.opened_on,
        statement_on=statement_on,
        due_on=due_on or statement_on + dt.timedelta(days=20),
        currency=account.currency,
        previous_balance_minor=previous.new_balance_minor if previous else 0,
        payments_minor=0,
        purchases_minor=0,
        cash_advances_minor=0,
        interest_minor=0,
        fees_minor=0,
        new_balance_minor=new_balance,
        minimum_due_minor=minimum.minor,
        book_balances=books,
    )
    if minimum.minor > 0:
        Obligation.objects.create(
            account=account,
            kind=ObligationKind.MINIMUM_PAYMENT,
            number=number,
            due_on=statement.due_on,
            amount_minor=minimum.minor,
        )
    return statement
