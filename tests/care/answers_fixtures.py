"""What the answers tests share (knowledge base, canned replies, surveys): a desk clock, a
queue that sends surveys, a borrower with a loan and a ticket, an agent, the bundled articles.

Import into a test module with `from tests.care.answers_fixtures import *`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = [
    "MONDAY",
    "agent",
    "at",
    "borrower_loan",
    "bundled_kb",
    "fresh_index",
    "queue",
    "survey_templates",
    "ticket",
]

#: Monday 3 March 2025.
MONDAY = dt.date(2025, 3, 3)


def at(hour: int, minute: int = 0, day: dt.date = MONDAY) -> dt.datetime:
    """`hour:minute` in Shanghai on `day` (default Monday 3 March 2025), as UTC."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC) - dt.timedelta(hours=8)


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    """Each test starts with an empty search cache (rolled-back rows can reuse ids)."""
    from arrears.care.selectors.knowledge import INDEX_CACHE

    INDEX_CACHE.clear()
    yield
    INDEX_CACHE.clear()


@pytest.fixture
def bundled_kb(db):  # type: ignore[no-untyped-def]
    from arrears.care.services.knowledge import load_bundled_articles
    from arrears.core.clock import FixedClock

    return load_bundled_articles(clock=FixedClock(at(8)))


@pytest.fixture
def queue(db):  # type: ignore[no-untyped-def]
    """The general queue, on a desk calendar open Mon–Fri 09:00–18:00, Sat 10:00–16:00."""
    from arrears.care.models import CareQueue, DeskCalendar

    calendar = DeskCalendar.objects.create(
        code="shanghai",
        name_en="Shanghai desk",
        name_zh="上海客服中心",
        hours={
            "zone": "Asia/Shanghai",
            "weekly": {
                **{day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
                "sat": ["10:00-16:00"],
            },
        },
        saved_at=at(8),
    )
    return CareQueue.objects.create(
        code="general", name_en="General", name_zh="综合", calendar=calendar
    )


@pytest.fixture
def borrower_loan(db):  # type: ignore[no-untyped-def]
    from tests.factories import make_loan_account

    return make_loan_account()


@pytest.fixture
def ticket(queue, borrower_loan):  # type: ignore[no-untyped-def]
    """An inquiry from the loan's borrower about paying early, with their message."""
    from arrears.care.services.tickets import open_ticket

    return open_ticket(
        kind="inquiry",
        subject="提前还款",
        origin="email",
        body="我想把贷款提前还清，需要多少钱？",
        borrower=borrower_loan.borrower,
        accounts=[borrower_loan],
        queue=queue,
        at=at(9),
    )


@pytest.fixture
def agent(db):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username="wang", first_name="Fang", last_name="Wang", password="x"
    )


@pytest.fixture
def survey_templates(db) -> list[Any]:  # type: ignore[no-untyped-def]
    """Satisfaction-survey templates for SMS and e-mail in both languages (unless shipped)."""
    from arrears.engagement.models import Template

    made = []
    for channel in ("sms", "email"):
        for language, body in (
            (
                "zh-hans",
                "{{ borrower_name }}：{{ ticket_reference }} {{ survey_url }}",
            ),
            ("en", "Dear {{ borrower_name }}, rate {{ ticket_reference }}: {{ survey_url }}"),
        ):
            if Template.objects.filter(
                kind="satisfaction_survey", channel=channel, language=language, is_active=True
            ).exists():
                continue
            made.append(
                Template.objects.create(
                    kind="satisfaction_survey",
                    channel=channel,
                    language=language,
                    subject="Survey" if channel == "email" else "",
                    body=body,
                    created_at=at(8),
                )
            )
    return made
