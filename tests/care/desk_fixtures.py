"""What the desk and SLA tests share: Beijing time, the bundled desk, a weekday-only Beijing
desk calendar, tickets opened through the services, and service agents.

Import into a test module with `from tests.care.desk_fixtures import *`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest

__all__ = [
    "BEIJING",
    "WEEKDAYS_ONLY",
    "beijing",
    "beijing_desk",
    "default_desk",
    "make_agent",
    "open_at",
]

BEIJING = ZoneInfo("Asia/Shanghai")
_users = itertools.count(1)

#: The Beijing desk: 09:00–12:00 and 13:30–18:00 on weekdays, Chinese holidays and 调休.
WEEKDAYS_ONLY: dict[str, Any] = {
    "zone": "Asia/Shanghai",
    "country": "CN",
    "weekly": {day: ["09:00-12:00", "13:30-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
}


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An instant given in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def default_desk(db):  # type: ignore[no-untyped-def]
    """The bundled desk as `arrears init` loads it: calendar, teams, queues, SLA policies."""
    from arrears.care.services.desk import load_default_desk

    load_default_desk()


@pytest.fixture
def beijing_desk(default_desk):  # type: ignore[no-untyped-def]
    """A general Chinese queue on the weekday-only Beijing calendar, taking every kind."""
    from arrears.care.services.calendars import save_calendar
    from arrears.care.services.desk import save_queue

    calendar = save_calendar(code="beijing_weekdays", name_en="Beijing desk",
                             name_zh="北京客服", hours=WEEKDAYS_ONLY)  # fmt: skip
    return save_queue(code="beijing", name_en="Beijing desk", name_zh="北京客服",
                      calendar=calendar, sort_order=1)  # fmt: skip


def open_at(at: dt.datetime, *, kind: str = "inquiry", **fields: Any) -> Any:
    """A ticket opened through the ticket services at `at` (queue: routed unless given)."""
    from arrears.care.services.tickets import open_ticket

    fields.setdefault("subject", "还款日是哪天？")
    fields.setdefault("origin", "portal")
    fields.setdefault("body", "请问我的还款日是哪天？")
    return open_ticket(kind=kind, at=at, **fields)


def make_agent(queues: Any, **fields: Any) -> Any:
    """A staff user made a service agent of the queues."""
    from django.contrib.auth import get_user_model

    from arrears.care.services.desk import save_agent

    user = get_user_model().objects.create_user(
        username=f"agent{next(_users)}", password="x", is_staff=True
    )
    return save_agent(user=user, queues=queues, **fields)
