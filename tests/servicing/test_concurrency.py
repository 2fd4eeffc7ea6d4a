"""Concurrent payments on one account (PostgreSQL only: SQLite serialises every writer)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from arrears.core.money import Money
from arrears.servicing import selectors
from arrears.servicing.models import Account, Payment
from arrears.servicing.services.payments import post_payment
from tests.factories import make_loan_account

WORKERS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_on_one_account_lose_nothing(products, clock):
    # given a loan with its first two instalments overdue
    assert connection.vendor == "postgresql"
    loan = make_loan_account(product=products["cn_consumer_loan"])
    received_on = dt.date(2025, 3, 20)
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def pay(n: int) -> None:
        try:
            account = Account.objects.get(pk=loan.pk)
            start.wait()
            with transaction.atomic():
                post_payment(
                    account=account,
                    amount=Money(100 + n, "CNY"),
                    received_on=received_on,
                    idempotency_key=f"race-{n}",
                    clock=clock,
                )
                if n % 2:  # half of them also replay a sibling's key at the same moment
                    post_payment(
                        account=account,
                        amount=Money(100 + n - 1, "CNY"),
                        received_on=received_on,
                        idempotency_key=f"race-{n - 1}",
                        clock=clock,
                    )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    # when eight payments arrive at the same moment, each on its own connection
    threads = [threading.Thread(target=pay, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every payment is posted once and all of their money reached the ledger
    assert errors == []
    expected = sum(100 + n for n in range(WORKERS)) * 100
    assert Payment.objects.filter(account=loan).count() == WORKERS
    books = selectors.book_balances(loan)
    assert books["cash"] == expected
    owed_before = 1_200_000 + 7_200 + 6_620  # principal + the two due instalments' interest
    assert selectors.balances(loan).total.minor == owed_before - expected
    assert selectors.check_account(loan) == []
