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


# --- collection night (the batch's tests) -----------------------------------------------------


def make_overdue_loan(day: dt.date, days_past_due: int, **overrides: Any) -> Account:
    """A loan whose first instalment fell due `days_past_due` days before `day`, unpaid, aged on
    `day` (0: a loan with nothing due yet)."""
    from arrears.core.calendar import add_months
    from arrears.servicing.services.ageing import age_account

    due = day - dt.timedelta(days=days_past_due)
    start = add_months(due, -1) if days_past_due > 0 else day - dt.timedelta(days=5)
    account = make_loan_account(start_on=start, **overrides)
    age_account(account=account, as_of=day)
    return account


def make_night_portfolio(day: dt.date, size: int, seed: int) -> list[Account]:
    """A seeded random portfolio for the collection night: loans at random days past due (one
    account per borrower), some with open cases part-way along their path, paused treatments,
    hardship flags, promises, disputes, charge-offs, cures and contact histories."""
    import random

    from arrears.collection.models import Case, Promise
    from arrears.compliance.services import record_contact_attempt, record_opt_out, set_hold

    rng = random.Random(seed)
    accounts: list[Account] = []
    for _ in range(size):
        dpd = rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 7, 10, 14, 16, 20, 29, 30, 31, 45, 60, 61, 89])
        borrower = make_borrower(
            preferred_language=rng.choice(["zh-hans", "zh-hans", "en"]),
            email=rng.choice(["", f"b{next_number()}@example.com"]),
            # living abroad: 09:00 there is the middle of the night in Shanghai (deferred)
            time_zone="America/Los_Angeles" if rng.random() < 0.12 else None,
        )
        if rng.random() < 0.1:  # said 退订 to the SMS (blocked)
            record_opt_out(borrower=borrower, channel="sms", source="退订")
        account = make_overdue_loan(day, dpd, borrower=borrower)
        accounts.append(account)
        at = dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)
        if (dpd >= 2 and rng.random() < 0.7) or (dpd == 0 and rng.random() < 0.2):
            stage = "early" if dpd <= 30 else "mid" if dpd <= 60 else "late"
            case = Case.objects.create(
                account=account, borrower=borrower, stage=rng.choice([stage, stage, "early"]),
                opened_on=day - dt.timedelta(days=max(dpd - 1, 1)), opened_reason="seeded",
                segment="delinquent", path=rng.choice(["ladder", "call_first", ""]),
                last_step=rng.choice(["", "sms_d1", "call_d3", "call_d1", "email_d2"]),
                last_step_on=day - dt.timedelta(days=rng.choice([1, 1, 2, 3])),
                hardship=rng.random() < 0.1, no_answer_streak=rng.choice([0, 0, 1, 3, 4]),
                paused_until=day + dt.timedelta(days=2) if rng.random() < 0.08 else None,
                pause_reason="promise to pay", updated_at=at,
            )  # fmt: skip
            if rng.random() < 0.15:
                promise = Promise.objects.create(
                    case=case, account=account, borrower=borrower, source="agent",
                    status=rng.choice(["live", "broken", "kept", "partly_kept"]),
                    currency=account.currency, total_minor=50000,
                    taken_at=at - dt.timedelta(days=rng.choice([1, 3, 10])),
                )  # fmt: skip
                promise.instalments.create(
                    due_on=day + dt.timedelta(days=3), amount_minor=50000, status=promise.status
                )
        if dpd >= 1 and rng.random() < 0.06:
            set_hold(borrower=borrower, kind="dispute", start_on=day - dt.timedelta(days=1),
                     reason="disputes the amount", account=account,
                     review_on=day + dt.timedelta(days=30))  # fmt: skip
        if dpd >= 1 and rng.random() < 0.4:
            for back in range(rng.randint(1, 4)):
                record_contact_attempt(
                    borrower=borrower, channel="call",
                    address=borrower.contact_points.first().value,
                    outcome=rng.choice(["no_answer", "conversation", "no_answer", "voicemail"]),
                    started_at=at - dt.timedelta(days=back + 1, hours=rng.randint(0, 6)),
                    accounts=[account], purpose="collection",
                )  # fmt: skip
    return accounts


# --- collections desk (cases, collectors, queues, agencies) -------------------------------------


def make_collection_case(account: Account | None = None, **overrides: Any) -> Any:
    """An open collection case of `account` (default: a new loan), opened through `open_case`."""
    from arrears.collection.services import open_case

    account = account or make_loan_account()
    fields: dict[str, Any] = {"on": DEFAULT_OPENED_ON, "reason": "entered collection"}
    fields.update(overrides)
    return open_case(account=account, **fields)


def make_work_queue(code: str | None = None, **overrides: Any) -> Any:
    """An active work queue for the early and mid stages."""
    from arrears.collection.models import WorkQueue

    code = code or f"queue{next_number()}"
    fields: dict[str, Any] = {"name_en": code, "name_zh": code, "stages": ["early", "mid"]}
    fields.update(overrides)
    return WorkQueue.objects.create(code=code, **fields)


def make_collector_user(
    username: str | None = None, *, role: str = "collector", **fields: Any
) -> Any:
    """A staff user in a collector role with a collector profile (skills, languages, queues)."""
    from django.contrib.auth import get_user_model

    from arrears.collection.models import Collector
    from arrears.identity.services import grant_role

    queues = fields.pop("queues", [])
    user = get_user_model().objects.create_user(
        username=username or f"collector{next_number()}", is_staff=True
    )
    grant_role(user=user, role=role)
    Collector.objects.create(user=user, **fields).queues.set(queues)
    return user


def make_agency(code: str | None = None, **overrides: Any) -> Any:
    """A collection agency on a 15 % commission, without caps unless given."""
    from arrears.collection.models import Agency

    code = code or f"agency{next_number()}"
    fields: dict[str, Any] = {"name_en": code, "name_zh": code, "commission_bp": 1500}
    fields.update(overrides)
    return Agency.objects.create(code=code, **fields)


def make_staff_user(role: str, username: str | None = None, *, password: str = "pw") -> Any:
    """A signed-in-able staff member holding one role (agent, supervisor, compliance …)."""
    from django.contrib.auth import get_user_model

    from arrears.identity.services import grant_role

    user = get_user_model().objects.create_user(
        username=username or f"{role}{next_number()}", password=password, is_staff=True
    )
    grant_role(user=user, role=role)
    return user


def make_borrower_login(
    borrower: Borrower | None = None, username: str | None = None, *, password: str = "pw"
) -> Any:
    """A borrower's portal login: a user with no staff role, linked to the borrower."""
    from django.contrib.auth import get_user_model

    borrower = borrower or make_borrower()
    user = get_user_model().objects.create_user(
        username=username or f"borrower{next_number()}", password=password
    )
    borrower.user = user
    borrower.save(update_fields=["user"])
    return user
