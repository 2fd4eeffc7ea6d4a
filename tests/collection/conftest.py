"""A collections desk: the bundled profiles, templates and dispositions, a loan two weeks overdue,
its open case, collectors and a work queue, and a clock at 10:00 in Shanghai on Monday 3 March.

The loan (12,000 CNY over 12 months, opened 15 January 2025) first fell due on 15 February; on
1 March it is 14 days past due (M1, one instalment of 1,039.43 past due).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from arrears.core.clock import FixedClock

FIRST_DUE = dt.date(2025, 2, 15)
AGED_ON = dt.date(2025, 3, 1)
#: Monday 3 March 2025.
MONDAY = dt.date(2025, 3, 3)


def shanghai(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour:minute` in Shanghai (UTC+8) on `day`, as an aware UTC instant."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC) - dt.timedelta(hours=8)


def clock_at(day: dt.date, hour: int, minute: int = 0) -> FixedClock:
    return FixedClock(shanghai(day, hour, minute))


@pytest.fixture
def desk(db):  # type: ignore[no-untyped-def]
    """The bundled compliance profiles, notice templates, dispositions and role groups."""
    from arrears.collection.services import load_dispositions
    from arrears.compliance.services import load_profiles
    from arrears.identity.services import ensure_roles

    load_profiles()
    bundled_templates_as_shipped()
    load_dispositions()
    return ensure_roles()


def bundled_templates_as_shipped() -> None:
    """The bundled templates, stored without running the content validator on each (the
    engagement tests and `test_collection_templates_pass_the_content_validator` do that)."""
    from django.utils import timezone

    from arrears.engagement.models import Template
    from arrears.engagement.services.templates import bundled_templates

    now = timezone.now()
    Template.objects.bulk_create(
        Template(**spec, version=1, is_active=True, is_bundled=True, created_at=now)
        for spec in bundled_templates()
    )


@pytest.fixture
def morning() -> FixedClock:
    """10:00 in Shanghai on Monday 3 March 2025."""
    return clock_at(MONDAY, 10)


def overdue_loan(**overrides: Any) -> Any:
    """A Shanghai borrower's loan, 14 days past due on 1 March."""
    from arrears.servicing.services.ageing import age_account
    from tests.factories import make_loan_account

    account = make_loan_account(**overrides)
    age_account(account=account, as_of=AGED_ON)
    account.refresh_from_db()
    return account


@pytest.fixture
def loan(desk):  # type: ignore[no-untyped-def]
    return overdue_loan()


@pytest.fixture
def case(loan, morning):  # type: ignore[no-untyped-def]
    from arrears.collection.services import open_case

    return open_case(account=loan, on=MONDAY, reason="14 days past due", clock=morning)


@pytest.fixture
def make_collector(desk) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """`make_collector("li", skills=[...], queues=[queue])`: a user in the collector role."""
    from tests.factories import make_collector_user

    def make(username: str, *, role: str = "collector", **fields: Any) -> Any:
        return make_collector_user(username, role=role, **fields)

    return make


@pytest.fixture
def early_queue(desk):  # type: ignore[no-untyped-def]
    from tests.factories import make_work_queue

    return make_work_queue("early", name_en="Early stage", name_zh="前期催收")


def primary_mobile(account: Any) -> str:
    return account.borrower.contact_points.get(kind="mobile").value
