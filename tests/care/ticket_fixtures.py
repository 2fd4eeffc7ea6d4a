"""What the ticket tests share: a desk clock (Monday 3 March 2025 in Shanghai), a borrower with
a loan, a second borrower, and an agent of the care desk.

Import the fixtures into a test module with `from tests.care.ticket_fixtures import *`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.collection.conftest import (
    MONDAY,
    desk,
    early_queue,
    make_collector,
    overdue_loan,
    shanghai,
)

__all__ = [
    "MONDAY",
    "at",
    "borrower_loan",
    "desk",
    "early_queue",
    "make_collector",
    "new_ticket",
    "other_loan",
    "overdue_loan",
    "shanghai",
    "staff",
]


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    """`hour:minute` in Shanghai on Monday 3 March 2025 (or `day`)."""
    return shanghai(day, hour, minute)


@pytest.fixture
def borrower_loan(db):  # type: ignore[no-untyped-def]
    """A Shanghai borrower's loan (12,000 CNY over 12 months)."""
    from tests.factories import make_loan_account

    return make_loan_account()


@pytest.fixture
def other_loan(db):  # type: ignore[no-untyped-def]
    """Another borrower's loan."""
    from tests.factories import make_loan_account

    return make_loan_account()


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    """A desk agent (a plain active staff user)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username="wang.fang", is_staff=True)


def new_ticket(account: Any = None, **fields: Any) -> Any:
    """An inquiry by e-mail, opened at 09:00, about `account` (its borrower's) if given."""
    from arrears.care.services.tickets import open_ticket

    values: dict[str, Any] = {
        "kind": "inquiry",
        "subject": "还款方式咨询",
        "origin": "email",
        "body": "请问如何提前还款？",
        "at": at(9),
    }
    if account is not None:
        values.update(borrower=account.borrower, accounts=[account])
    values.update(fields)
    return open_ticket(**values)
