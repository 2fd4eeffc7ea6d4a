"""Two senders racing for one permit (PostgreSQL only: SQLite serialises every writer)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from arrears.compliance.models import Permit
from arrears.compliance.services import PermitAlreadyUsed, request_permit, use_permit
from tests.compliance.conftest import mobile_of

WORKERS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_permit_is_used_by_one_sender_only_however_many_race_for_it(cn_loan, cn_clock):
    # given one permit to call the borrower
    assert connection.vendor == "postgresql"
    borrower = cn_loan.borrower
    mobile = mobile_of(borrower)
    permit = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile,
        purpose="collection",
        clock=cn_clock,
    ).issued_permit
    assert permit is not None
    start = threading.Barrier(WORKERS)
    used: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def send(n: int) -> None:
        try:
            start.wait()
            with transaction.atomic():
                use_permit(
                    permit_id=permit.pk,
                    borrower=borrower.pk,
                    channel="call",
                    address=mobile,
                    clock=cn_clock,
                )
            used.append(n)
        except PermitAlreadyUsed:
            refused.append(n)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    # when eight senders use it at the same moment, each on its own connection
    threads = [threading.Thread(target=send, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one of them may send; the others are told it was used
    assert errors == []
    assert len(used) == 1
    assert len(refused) == WORKERS - 1
    assert Permit.objects.get(pk=permit.pk).used_at == cn_clock.now()
