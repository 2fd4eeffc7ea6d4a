"""Benchmark the daily servicing cycle: N accounts replayed over 90 business dates.

    .venv/bin/python benchmarks/cycle_bench.py 3000            # fresh SQLite file in a temp dir
    .venv/bin/python benchmarks/cycle_bench.py 3000 --days 90 --seed 42
    ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/cycle_bench.py 3000 --use-database-url   # a scratch database!

Builds the portfolio through the real services: cards (statement days spread over 1–28, as a
real portfolio's are) and instalment loans, opened in the month before the first date, with
purchases and cash advances. Then, day by day, borrowers pay (half of the cardholders in full,
some the minimum, some nothing; most loans on time) and the cycle runs for the date. Only the
cycle is timed; the payments, which the borrowers' behaviour adds, are timed apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal

FIRST_DAY = dt.date(2025, 1, 1)
CARD_PRODUCTS = ("cn_card_classic", "cn_card_classic", "cn_card_classic", "us_card_rewards")
LOAN_PRODUCTS = ("cn_consumer_loan", "cn_consumer_loan", "us_personal_loan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("accounts", type=int, help="how many accounts to build (60 %% cards)")
    parser.add_argument("--days", type=int, default=90, help="business dates to run (default 90)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="run on ARREARS_DATABASE_URL (it is written to: use a scratch database)",
    )
    args = parser.parse_args()
    database = _set_up_django(args.use_database_url)

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    _build_portfolio(args.accounts, rng)
    built = time.perf_counter() - started
    cycle_seconds, cycle_queries, payment_seconds, payments = _replay(args.days, rng)
    cycle = (cycle_seconds, cycle_queries)
    _report(database, args.accounts, args.days, built, cycle, payment_seconds, payments)


def _set_up_django(use_database_url: bool) -> str:
    if os.environ.get("ARREARS_DATABASE_URL") and not use_database_url:
        sys.exit("ARREARS_DATABASE_URL is set: pass --use-database-url if it is a scratch database")
    if not use_database_url:
        os.environ["ARREARS_HOME"] = tempfile.mkdtemp(prefix="arrears-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings.dev")
    os.environ["ARREARS_DEBUG"] = "false"  # DEBUG keeps every query in memory
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def _build_portfolio(count: int, rng: random.Random) -> None:
    from django.db import transaction

    from arrears.core.money import Money
    from arrears.servicing.models import Account, Product
    from arrears.servicing.services.accounts import (
        open_card_account,
        open_loan_account,
        post_cash_advance,
        post_purchase,
        register_borrower,
    )
    from arrears.servicing.services.products import load_products

    load_products()
    products = {p.code: p for p in Product.objects.all()}
    with transaction.atomic():
        for n in range(count):
            borrower = register_borrower(
                reference=f"BENCH{n:07d}", full_name=f"Borrower {n}", country="CN"
            )
            opened_on = FIRST_DAY - dt.timedelta(days=rng.randint(1, 30))
            if n % 5 < 3:
                product = products[rng.choice(CARD_PRODUCTS)]
                card = open_card_account(
                    borrower=borrower,
                    product=product,
                    opened_on=opened_on,
                    credit_limit=Money(20000, product.currency),
                )
                for k in range(rng.randint(1, 4)):
                    post = post_cash_advance if rng.random() < 0.15 else post_purchase
                    post(
                        account=card,
                        amount=Money(Decimal(rng.randint(2000, 300000)) / 100, product.currency),
                        on=opened_on + dt.timedelta(days=rng.randint(0, 20)),
                        idempotency_key=f"bench:{card.pk}:{k}",
                    )
            else:
                product = products[rng.choice(LOAN_PRODUCTS)]
                open_loan_account(
                    borrower=borrower,
                    product=product,
                    principal=Money(rng.randint(20, 300) * 100, product.currency),
                    months=12,
                    start_on=opened_on,
                )
        for card in Account.objects.filter(kind="card").only("pk"):
            Account.objects.filter(pk=card.pk).update(statement_day=card.pk % 28 + 1)


def _replay(days: int, rng: random.Random) -> tuple[float, int, float, int]:
    """Run each date: the day's payments first (timed apart), then the cycle (timed, and its
    queries counted: unlike the seconds, they do not depend on what else the machine runs)."""
    from django.db import connection

    from arrears.core.clock import FixedClock
    from arrears.servicing.services.cycle import run_business_date

    clock = FixedClock(dt.datetime.combine(FIRST_DAY, dt.time(16), tzinfo=dt.UTC))
    cycle_seconds = payment_seconds = 0.0
    payments = cycle_queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal cycle_queries
        cycle_queries += 1
        return execute(sql, params, many, context)

    for offset in range(days):
        day = FIRST_DAY + dt.timedelta(days=offset)
        clock.set(dt.datetime.combine(day, dt.time(16), tzinfo=dt.UTC))
        started = time.perf_counter()
        payments += _borrowers_pay(day, rng)
        payment_seconds += time.perf_counter() - started
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            run_business_date(day=day, clock=clock)
        cycle_seconds += time.perf_counter() - started
        if offset % 10 == 9:
            print(f"  … {day}  cycle {cycle_seconds:6.1f} s", file=sys.stderr)
    return cycle_seconds, cycle_queries, payment_seconds, payments


def _borrowers_pay(day: dt.date, rng: random.Random) -> int:
    """Obligations due today: cardholders pay in full (50 %), the minimum (30 %) or nothing;
    loans are paid on time but for one in ten."""
    from django.db import transaction
    from django.db.models import F

    from arrears.core.money import Money
    from arrears.servicing.models import Obligation, Statement
    from arrears.servicing.services.payments import post_payment

    due = Obligation.objects.filter(
        due_on=day, paid_minor__lt=F("amount_minor"), account__status="open"
    ).select_related("account")
    statements = {s.account_id: s.new_balance_minor for s in Statement.objects.filter(due_on=day)}
    paid = 0
    with transaction.atomic():
        for obligation in due:
            account = obligation.account
            habit = rng.random()
            if account.kind == "card":
                if habit < 0.5:
                    minor = max(statements.get(account.pk, 0), obligation.unpaid_minor)
                elif habit < 0.8:
                    minor = obligation.unpaid_minor
                else:
                    continue
            elif habit < 0.9:
                minor = obligation.unpaid_minor
            else:
                continue
            post_payment(
                account=account,
                amount=Money.from_minor(minor, account.currency),
                received_on=day,
                idempotency_key=f"bench-pay:{obligation.pk}",
            )
            paid += 1
    return paid


def _report(
    database: str,
    accounts: int,
    days: int,
    built: float,
    cycle: tuple[float, int],
    payment_seconds: float,
    payments: int,
) -> None:
    from arrears.servicing.models import BucketChange, JournalEntry, Statement

    cycle_seconds, cycle_queries = cycle
    print(f"database            {database}")
    print(f"accounts            {accounts}")
    print(f"days                {days}")
    print(f"cycle seconds       {cycle_seconds:.1f}")
    print(f"account-days/second {accounts * days / cycle_seconds:,.0f}")
    print(f"cycle queries       {cycle_queries:,}")
    print(f"statements          {Statement.objects.count()}")
    print(f"journal entries     {JournalEntry.objects.count()}")
    print(f"bucket changes      {BucketChange.objects.count()}")
    print(f"(build {built:.1f} s; {payments} payments posted in {payment_seconds:.1f} s, untimed)")


if __name__ == "__main__":
    main()
