"""The simulated borrowers as real borrowers and accounts in the database.

Each simulated borrower gets one account in CNY: a card (the card segments), opened with the
drawn balance as its opening balance, or an instalment loan (the loan segment) of the drawn
balance over 12 months. Accounts open between 31 and 45 days before the first simulated day
and nobody pays before it, so on day one the book is a collection book entering arrears: each
account has just missed its first statement or instalment (0 to about 15 days past due).
Every write goes through the servicing services, with a business clock at the opening date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from arrears.core.errors import Conflict
from arrears.core.money import Money
from arrears.core.sim import BorrowerState
from arrears.core.sim.population import time_zone_of
from arrears.core.sim.streams import generator
from arrears.demo.portfolio import business_clock
from arrears.servicing.choices import ProductKind
from arrears.servicing.models import Account, Borrower, Product

#: The accounts open OPENING_DAYS[0] to OPENING_DAYS[1] days before the first simulated day;
#: the warm-up cycle runs from the earliest of them.
OPENING_DAYS = (31, 45)
WARMUP_DAYS = OPENING_DAYS[1]
LOAN_MONTHS = 12
CARD_PRODUCT = "cn_card_classic"
LOAN_PRODUCT = "cn_consumer_loan"
#: Random-stream purpose of the book's own draws (opening dates, phone numbers).
BOOK_PURPOSE = 201
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛")
_CHUNK = 250


@dataclass(frozen=True)
class Book:
    """Which account and borrower each simulated borrower (by index) is in the database."""

    account_ids: np.ndarray  # int64 [n]
    borrower_ids: np.ndarray  # int64 [n]
    first_day: dt.date  # the warm-up's first business date

    def index_of_borrowers(self) -> dict[int, int]:
        return {int(b): i for i, b in enumerate(self.borrower_ids)}


def create_book(state: BorrowerState, *, seed: int) -> Book:
    """Register the population's borrowers and open their accounts (a fresh database only)."""
    if Borrower.objects.exists():
        raise Conflict("the database already holds borrowers; a simulation needs a fresh one")
    products = {p.code: p for p in Product.objects.filter(code__in=[CARD_PRODUCT, LOAN_PRODUCT])}
    if len(products) != 2:
        raise Conflict("the bundled CN products are not loaded; run `arrears init` first")
    rng = generator(seed, BOOK_PURPOSE)
    n = state.size
    offsets = rng.integers(OPENING_DAYS[0], OPENING_DAYS[1] + 1, size=n)
    phones = rng.integers(0, 100_000_000, size=n)
    names = rng.integers(0, len(_SURNAMES) * len(_GIVEN) ** 2, size=n)
    start = state.start_on
    accounts = np.zeros(n, np.int64)
    borrowers = np.zeros(n, np.int64)
    kinds = [state.params.segments[s].product_kind for s in range(len(state.params.segments))]
    for first in range(0, n, _CHUNK):
        with transaction.atomic():
            for i in range(first, min(first + _CHUNK, n)):
                opened_on = start - dt.timedelta(days=int(offsets[i]))
                borrower = _register(i, state, int(phones[i]), int(names[i]))
                kind = kinds[int(state.segment[i])]
                account = _open(kind, borrower, products, opened_on, int(state.balance_minor[i]), i)
                accounts[i], borrowers[i] = account.pk, borrower.pk
    return Book(accounts, borrowers, start - dt.timedelta(days=WARMUP_DAYS))


def _name(k: int) -> str:
    surname, rest = divmod(k, len(_GIVEN) ** 2)
    a, b = divmod(rest, len(_GIVEN))
    return _SURNAMES[surname] + _GIVEN[a] + (_GIVEN[b] if b % 3 else "")


def _register(i: int, state: BorrowerState, phone: int, name: int) -> Borrower:
    from arrears.servicing.services.accounts import register_borrower

    income = Money.from_minor(int(state.income_minor[i]), state.params.currency)
    return register_borrower(
        reference=f"SIM-{i + 1:07d}",
        full_name=_name(name),
        country="CN",
        phones=[f"+86139{phone:08d}"],
        preferred_language="zh-hans",
        email=f"sim{i + 1:07d}@example.com",
        address_line=f"模拟路{i % 888 + 1}号{i % 30 + 1}栋",
        city="上海市",
        region="上海市",
        postal_code="200000",
        time_zone=time_zone_of(int(state.utc_offset_hours[i])),
        monthly_income=income,
    )


def _open(
    kind: str,
    borrower: Borrower,
    products: dict[str, Product],
    opened_on: dt.date,
    balance_minor: int,
    i: int,
) -> Account:
    from arrears.servicing.services.accounts import open_card_account, open_loan_account

    clock = business_clock(opened_on)
    if kind == ProductKind.CARD:
        product = products[CARD_PRODUCT]
        balance = Money.from_minor(max(balance_minor, 100), product.currency)
        limit_major = (int(balance.amount) // 1000 + 2) * 1000
        return open_card_account(
            borrower=borrower,
            product=product,
            opened_on=opened_on,
            credit_limit=Money(limit_major, product.currency),
            opening_balance=balance,
            number=f"SIM-C{i + 1:07d}",
            clock=clock,
        )
    product = products[LOAN_PRODUCT]
    return open_loan_account(
        borrower=borrower,
        product=product,
        principal=Money.from_minor(max(balance_minor // 100, 100) * 100, product.currency),
        months=LOAN_MONTHS,
        start_on=opened_on,
        repayment_day=min(opened_on.day, 28),
        number=f"SIM-L{i + 1:07d}",
        clock=clock,
    )
