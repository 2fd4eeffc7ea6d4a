"""A collections desk for the agent console's tests: the collection tests' desk (bundled
profiles, templates, dispositions, roles), the clock standing at 10:00 in Shanghai on Monday
3 March 2025 for the whole request cycle, a collector with a queue, and queued calls.

Import into a test module with `from tests.console.agent_desk import *` for the fixtures `desk`
(the desk set up) and `monday_morning` (the clock stopped at 10:00)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from arrears.core.clock import SystemClock
from tests.collection.conftest import (
    MONDAY,
    bundled_templates_as_shipped,
    clock_at,
    overdue_loan,
    primary_mobile,
    shanghai,
)

__all__ = [
    "MONDAY",
    "collector",
    "desk",
    "monday_morning",
    "queued_account",
    "set_up_desk",
    "shanghai",
    "stop_clock",
]

#: The moment every request in these tests happens.
NOW = shanghai(MONDAY, 10)


def set_up_desk() -> None:
    """The bundled compliance profiles, notice templates, dispositions and role groups."""
    from arrears.collection.services import load_dispositions
    from arrears.compliance.services import load_profiles
    from arrears.identity.services import ensure_roles

    load_profiles()
    bundled_templates_as_shipped()
    load_dispositions()
    ensure_roles()


def stop_clock(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime = NOW) -> dt.datetime:
    """Stop the clock the views and services read (default: 10:00 in Shanghai on Monday
    3 March 2025) for every request, the live server's too."""
    monkeypatch.setattr(SystemClock, "now", lambda self: moment)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def desk(db: Any) -> None:
    """The collections desk: `set_up_desk` in the test database."""
    set_up_desk()


@pytest.fixture
def monday_morning(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """The clock stopped at 10:00 in Shanghai on Monday 3 March 2025 (`stop_clock`)."""
    return stop_clock(monkeypatch)


def collector(username: str = "li.agent", **fields: Any) -> Any:
    """A collector (password "pw") working the early-stage queue, with a profile."""
    from tests.factories import make_collector_user

    user = make_collector_user(username, queues=[early_queue()], **fields)
    user.set_password("pw")
    user.save(update_fields=["password"])
    return user


def early_queue() -> Any:
    """The early-stage work queue (created once)."""
    from arrears.collection.models import WorkQueue
    from tests.factories import make_work_queue

    queue = WorkQueue.objects.filter(code="early").first()
    return queue or make_work_queue("early", name_en="Early stage", name_zh="前期催收")


def queued_account(name: str = "王芳", *, value: int = 5_000, hour: int = 9) -> Any:
    """A loan 14 days past due with an open case and a call queued in the early queue."""
    from arrears.collection.models import CollectionAction
    from arrears.collection.services import open_case, schedule_call
    from tests.factories import make_borrower

    queue = early_queue()
    account = overdue_loan(borrower=make_borrower(full_name=name))
    case = open_case(
        account=account, on=MONDAY, reason="14 days past due", clock=clock_at(MONDAY, 8)
    )
    action = schedule_call(
        case=case,
        at=shanghai(MONDAY, hour),
        number=primary_mobile(account),
        key=f"call-{case.pk}",
        reason="day 14: first call of the early stage",
        now=shanghai(MONDAY, hour),
        clock=clock_at(MONDAY, hour),
    )
    CollectionAction.objects.filter(pk=action.pk).update(expected_value_minor=value, queue=queue)
    return account
