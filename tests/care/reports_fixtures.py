"""A small, fixed care desk for the report tests, every figure counted by hand in the tests.

The desk's calendar is Shanghai, Monday to Friday 09:00–12:00 and 13:00–17:30 (7.5 open hours a
day). Two queues: `general` (inquiries) and `complaints`; two agents: li.na and wang.wei.
The report covers Friday 6 to Tuesday 10 November 2026 (`--from 2026-11-06 --to 2026-11-11`)
and is made on Wednesday 25 November at 12:00.

Tickets are opened, answered and moved with the care services; the assignee, the jurisdiction
and the line's rows (calls, callbacks, surveys) are written as model rows, since the report only
reads what the desk recorded. Delivery of replies and surveys after a solve are stubbed: they are
other areas' work, tested in their own files, and must not add rows this portfolio counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from arrears.care.models import (
    Callback,
    CareQueue,
    DeskCalendar,
    PhoneCall,
    SatisfactionSurvey,
    Ticket,
)
from arrears.care.services.tickets import change_status, open_ticket, reply_to_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
START_ON = dt.date(2026, 11, 6)
END_ON = dt.date(2026, 11, 11)
HOURS = {
    "zone": "Asia/Shanghai",
    "weekly": {day: ["09:00-12:00", "13:00-17:30"] for day in ("mon", "tue", "wed", "thu", "fri")},
}


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    """An instant in Shanghai in 2026 (November unless told)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


AS_OF = local(25, 12)


@dataclass
class Desk:
    general: CareQueue
    complaints: CareQueue
    li_na: Any
    wang_wei: Any
    tickets: dict[str, Ticket]


@pytest.fixture
def quiet_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replies are kept but not delivered; solving sends no survey (other areas' concern)."""
    monkeypatch.setattr("arrears.care.services.delivery.deliver_reply", lambda **_: None)
    monkeypatch.setattr("arrears.care.services.surveys.after_solve", lambda **_: None)


def make_queues() -> tuple[CareQueue, CareQueue]:
    calendar = DeskCalendar.objects.create(
        code="shanghai", name_en="Shanghai", name_zh="上海", hours=HOURS, saved_at=local(1, 9)
    )
    general = CareQueue.objects.create(
        code="general", name_en="General", name_zh="综合", calendar=calendar,
        survey_after_solve=False,
    )  # fmt: skip
    complaints = CareQueue.objects.create(
        code="complaints", name_en="Complaints", name_zh="投诉", calendar=calendar,
        survey_after_solve=False, sort_order=1,
    )  # fmt: skip
    return general, complaints


def make_ticket(
    queue: CareQueue,
    opened: dt.datetime,
    *,
    origin: str = "email",
    kind: str = "inquiry",
    assignee: Any = None,
    **fields: Any,
) -> Ticket:
    jurisdiction = fields.pop("jurisdiction", "")
    ticket = open_ticket(kind=kind, subject="还款问题", origin=origin, body="您好", queue=queue,
                         at=opened, **fields)  # fmt: skip
    Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, jurisdiction=jurisdiction)
    ticket.refresh_from_db()
    return ticket


def build_portfolio() -> Desk:
    """Tickets T1–T10, the line's calls and callbacks, and three surveys (see the tests)."""
    user_model = get_user_model()
    li_na = user_model.objects.create_user(username="li.na")
    wang_wei = user_model.objects.create_user(username="wang.wei")
    general, complaints = make_queues()
    t: dict[str, Ticket] = {}
    # T1: Friday 17:30 (closing time), answered Monday 09:30, solved at 10:00.
    t["T1"] = make_ticket(general, local(6, 17, 30), assignee=li_na)
    reply_to_ticket(ticket=t["T1"], body="已处理", by=li_na, at=local(9, 9, 30))
    change_status(ticket=t["T1"], status="solved", by=li_na, at=local(9, 10))
    # T2: Monday 09:00 by phone, answered Tuesday 09:00 (first reply breached Monday 14:00).
    t["T2"] = make_ticket(general, local(9, 9), origin="phone", assignee=wang_wei)
    reply_to_ticket(ticket=t["T2"], body="收到", by=wang_wei, at=local(10, 9))
    # T3: Tuesday 10:00 by chat, answered 10:20 and left pending on the borrower.
    t["T3"] = make_ticket(general, local(10, 10), origin="chat", assignee=li_na)
    reply_to_ticket(ticket=t["T3"], body="请提供流水", by=li_na, status="pending",
                    at=local(10, 10, 20))  # fmt: skip
    # T4: before the period, never answered nor assigned: resolution breached Mon 9th 13:30.
    t["T4"] = make_ticket(general, local(2, 10))
    # T5–T7: complaints (CN: a final response within 15 calendar days).
    t["T5"] = make_ticket(complaints, local(6, 9), kind="complaint", cause="fees_and_interest",
                          assignee=li_na, jurisdiction="CN")  # fmt: skip
    reply_to_ticket(ticket=t["T5"], body="最终答复", by=li_na, final_response=True,
                    status="solved", at=local(9, 9))  # fmt: skip
    t["T6"] = make_ticket(complaints, local(6, 9), origin="portal", kind="complaint",
                          cause="collection_conduct", assignee=wang_wei,
                          jurisdiction="CN")  # fmt: skip
    t["T7"] = make_ticket(complaints, local(9, 9), kind="complaint", cause="fees_and_interest",
                          assignee=li_na, jurisdiction="CN")  # fmt: skip
    reply_to_ticket(ticket=t["T7"], body="最终答复", by=li_na, final_response=True,
                    status="solved", at=local(25, 9))  # fmt: skip
    # After the period: only in the backlog now.
    t["T8"] = make_ticket(general, local(23, 10))
    t["T10"] = make_ticket(general, local(25, 8))
    # T9: opened and closed in October: in nothing.
    t["T9"] = make_ticket(general, local(20, 10, month=10))
    change_status(ticket=t["T9"], status="closed", at=local(21, 10, month=10))
    _line(general, complaints, li_na, wang_wei)
    _surveys(t)
    return Desk(general, complaints, li_na, wang_wei, t)


def _line(general: CareQueue, complaints: CareQueue, li_na: Any, wang_wei: Any) -> None:
    calls = [
        ("answered", 10, general, li_na, local(9, 9)),
        ("answered", 30, general, wang_wei, local(9, 10)),
        ("answered", 20, general, li_na, local(10, 11)),
        ("abandoned", 45, general, None, local(10, 14)),
        ("callback_booked", 130, complaints, None, local(6, 15)),
        ("after_hours", None, None, None, local(7, 20)),
        ("answered", 5, general, li_na, local(12, 9)),  # after the period
    ]
    for n, (outcome, wait, queue, agent, started) in enumerate(calls):
        PhoneCall.objects.create(
            from_number=f"+86 138 0000 {n:04d}", queue=queue, agent=agent, outcome=outcome,
            started_at=started, wait_seconds=wait,
            answered_at=started + dt.timedelta(seconds=wait or 0) if outcome == "answered"
            else None,
        )  # fmt: skip
    callbacks = [
        ("done", local(6, 15)),
        ("missed", local(9, 11)),
        ("booked", local(10, 16)),
        ("done", local(13, 9)),  # after the period
    ]
    for n, (status, booked) in enumerate(callbacks):
        Callback.objects.create(
            number=f"+86 139 0000 {n:04d}", queue=complaints if n == 0 else general, kind="slot",
            status=status, queued_at=booked, slot_start=booked + dt.timedelta(hours=1),
            slot_end=booked + dt.timedelta(hours=2), booked_at=booked,
        )  # fmt: skip


def _surveys(t: dict[str, Ticket]) -> None:
    surveys = [
        ("T1", local(9, 10), 5),
        ("T5", local(9, 9), 3),
        ("T2", local(10, 12), None),
        ("T4", local(3, 9), 4),  # sent before the period
    ]
    for key, sent, score in surveys:
        SatisfactionSurvey.objects.create(
            ticket=t[key], token=f"token-{key}", sent_at=sent, score=score,
            answered_at=sent + dt.timedelta(hours=1) if score else None,
        )  # fmt: skip
