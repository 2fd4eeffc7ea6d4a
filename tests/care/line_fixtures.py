"""The phone line's test world: a Beijing desk, its queue, and callers at home and abroad."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.care.models import CareQueue, DeskCalendar
from tests.factories import make_borrower, next_number

UTC = dt.UTC
#: Wednesday 4 March 2026, 10:00 in Beijing (02:00 UTC): the desk is open, no holiday.
WEDNESDAY_10_BEIJING = dt.datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
#: The same Wednesday, 20:00 in Beijing (12:00 in London): the desk has closed.
WEDNESDAY_20_BEIJING = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)

BEIJING_WEEKDAYS = {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


def make_calendar(weekly: dict[str, list[str]] | None = None, **extra: Any) -> DeskCalendar:
    n = next_number()
    return DeskCalendar.objects.create(
        code=f"desk-{n}",
        name_en="Beijing desk",
        name_zh="北京客服中心",
        hours={
            "zone": "Asia/Shanghai",
            "country": "CN",
            "weekly": weekly or BEIJING_WEEKDAYS,
            **extra,
        },
        saved_at=WEDNESDAY_10_BEIJING,
    )


def make_line_queue(**overrides: Any) -> CareQueue:
    """A queue with one agent on the phones, 10-minute calls and patient callers."""
    fields: dict[str, Any] = {
        "code": f"line-{next_number()}",
        "name_en": "Hotline",
        "name_zh": "客服热线",
        "line_agents": 1,
        "aht_seconds": 600,
        "patience_seconds": 900,
        "callback_after_seconds": 120,
    }
    fields.update(overrides)
    if "calendar" not in fields:
        fields["calendar"] = make_calendar()
    return CareQueue.objects.create(**fields)


def beijing_borrower(**overrides: Any) -> Any:
    return make_borrower(**overrides)


def london_borrower(**overrides: Any) -> Any:
    """A borrower living in London with a UK mobile, who prefers English."""
    n = next_number()
    fields: dict[str, Any] = {
        "full_name": f"Alice Smith {n}",
        "country": "GB",
        "preferred_language": "en",
        "phones": [f"+44 7911 1{n % 100000:05d}"],
        "address_line": "1 Baker Street",
        "city": "London",
        "region": "",
        "postal_code": "NW1 6XE",
    }
    fields.update(overrides)
    return make_borrower(**fields)


def mobile_of(borrower: Any) -> str:
    return str(borrower.contact_points.filter(kind="mobile").values_list("value", flat=True)[0])


def stranger_number() -> str:
    """A Chinese mobile number nobody in the books has."""
    n = next_number()
    return f"+86 139 {n % 10000:04d} {(n * 13) % 10000:04d}"


@pytest.fixture
def notice_templates(db: Any) -> Any:
    """The bundled notice templates (missed_call, callback_booked …) loaded and active."""
    from arrears.engagement.services import load_templates

    return load_templates()
