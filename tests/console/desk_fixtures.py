"""What the console's desk tests share: a desk open round the clock, agents holding the agent
role with a service-agent profile, tickets opened through the care services, canned replies
and knowledge-base articles loaded as `arrears init` loads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_staff_user, next_number

__all__ = ["desk", "make_desk_agent", "open_desk_ticket"]

ROUND_THE_CLOCK = {
    "zone": "Asia/Shanghai",
    "weekly": {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


@pytest.fixture
def desk(db: Any) -> Any:
    """The bundled desk, plus a queue `all_day` taking every kind and language round the clock,
    the bundled canned replies, knowledge-base articles, notice templates and compliance
    profiles."""
    from arrears.care.services.calendars import save_calendar
    from arrears.care.services.canned import load_bundled_canned_replies
    from arrears.care.services.desk import load_default_desk, save_queue
    from arrears.care.services.knowledge import load_bundled_articles
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()  # the care reply notices among them
    load_default_desk()
    calendar = save_calendar(
        code="all_day", name_en="All day", name_zh="全天", hours=ROUND_THE_CLOCK
    )
    queue = save_queue(
        code="all_day", name_en="All-day desk", name_zh="全天客服", calendar=calendar, sort_order=0
    )
    load_bundled_canned_replies()
    load_bundled_articles()
    return queue


def make_desk_agent(queue: Any, username: str | None = None, **fields: Any) -> Any:
    """A staff user with the agent role and a service-agent profile in `queue`."""
    from arrears.care.services.desk import save_agent

    user = make_staff_user("agent", username or f"desk{next_number()}")
    save_agent(user=user, queues=[queue], **fields)
    return user


def open_desk_ticket(queue: Any, *, at: dt.datetime | None = None, **fields: Any) -> Any:
    """A ticket opened through the care services in `queue`."""
    from arrears.care.services.tickets import open_ticket

    fields.setdefault("kind", "inquiry")
    fields.setdefault("subject", "How do I repay early?")
    fields.setdefault("origin", "portal")
    fields.setdefault("body", "I want to pay off my loan early. How do I do it?")
    fields.setdefault("language", "en")
    return open_ticket(queue=queue, at=at or dt.datetime.now(dt.UTC), **fields)
