"""Merging two tickets into one; the thread and the history a reader sees."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.care.choices import TicketEventKind, TicketStatus
from arrears.care.selectors.tickets import (
    desk_tickets,
    ticket_by_reference,
    ticket_history,
    ticket_thread,
    tickets_for_borrower,
)
from arrears.care.services.merge import merge_tickets
from arrears.care.services.ticket_changes import set_priority
from arrears.care.services.tickets import change_status, receive_message
from arrears.core.errors import NotFound, ValidationError
from tests.care.ticket_fixtures import *  # noqa: F403
from tests.care.ticket_fixtures import at, new_ticket
from tests.conftest import rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(borrower_loan):  # type: ignore[no-untyped-def]
    """The borrower e-mailed at 09:00 and, about the same thing, called at 09:30."""
    mail = new_ticket(borrower_loan, body="邮件：提前还款怎么算利息？")
    call = new_ticket(borrower_loan, origin="phone", body="电话：同一个问题", at=at(9, 30),
                      accounts=[])  # fmt: skip
    return mail, call


def test_the_target_shows_both_threads_in_time_order(pair):
    mail, call = pair
    receive_message(ticket=mail, body="邮件补充", channel="email", at=at(10))

    merge_tickets(source=mail, target=call, at=at(11))

    assert [m.body for m in ticket_thread(call)] == [
        "邮件：提前还款怎么算利息？",
        "电话：同一个问题",
        "邮件补充",
    ]
    assert {m.ticket_id for m in ticket_thread(call)} == {mail.pk, call.pk}
    assert [m.body for m in ticket_thread(mail)] == ["邮件：提前还款怎么算利息？", "邮件补充"]


def test_the_source_is_closed_as_merged_and_both_histories_say_so(pair, staff):
    mail, call = pair

    merge_tickets(source=mail, target=call, by=staff, at=at(11))

    mail.refresh_from_db()
    assert (mail.status, mail.merged_into, mail.closed_at) == ("closed", call, at(11))
    merged = mail.events.get(kind=TicketEventKind.MERGED)
    assert (merged.reason, merged.status_from, merged.status_to, merged.by) == (
        "ticket.merged", "new", "closed", staff,
    )  # fmt: skip
    assert call.events.get(kind=TicketEventKind.MERGED).params == {
        "merged": mail.reference,
        "accounts": [mail.accounts.get().number],
    }


def test_the_target_gains_the_sources_accounts_and_borrower(borrower_loan):
    known = new_ticket(borrower_loan)
    unknown = new_ticket(requester_address="who@example.com")

    merge_tickets(source=known, target=unknown, at=at(11))

    unknown.refresh_from_db()
    assert unknown.borrower == borrower_loan.borrower
    assert list(unknown.accounts.all()) == [borrower_loan]


def test_a_message_on_a_merged_ticket_lands_on_its_target(pair):
    mail, call = pair
    merge_tickets(source=mail, target=call, at=at(11))
    change_status(ticket=call, status="pending", at=at(11, 30))

    message = receive_message(ticket=mail, body="收到了吗？", channel="email", at=at(12))

    call.refresh_from_db()
    assert message.ticket == call and call.status == TicketStatus.OPEN
    assert not mail.follow_ups.exists()


def test_a_ticket_is_not_merged_into_itself(pair):
    mail, _call = pair

    with pytest.raises(ValidationError) as refused:
        merge_tickets(source=mail, target=mail, at=at(11))

    assert refused.value.field == "target"


def test_nothing_is_merged_into_a_merged_or_closed_ticket(borrower_loan, pair):
    mail, call = pair
    third = new_ticket(borrower_loan)
    merge_tickets(source=mail, target=call, at=at(11))
    closed = new_ticket(borrower_loan)
    change_status(ticket=closed, status="closed", at=at(11))

    with pytest.raises(ValidationError) as into_merged:
        merge_tickets(source=third, target=mail, at=at(12))
    with pytest.raises(ValidationError) as into_closed:
        merge_tickets(source=third, target=closed, at=at(12))
    with pytest.raises(ValidationError) as merged_again:
        merge_tickets(source=mail, target=third, at=at(12))

    assert (into_merged.value.field, into_closed.value.field, merged_again.value.field) == (
        "target", "target", "source",
    )  # fmt: skip
    third.refresh_from_db()
    assert third.status == "new" and third.merged_into is None


def test_tickets_of_two_borrowers_are_not_merged(borrower_loan, other_loan):
    mine, theirs = new_ticket(borrower_loan), new_ticket(other_loan)

    with pytest.raises(ValidationError) as refused:
        merge_tickets(source=mine, target=theirs, at=at(11))

    assert refused.value.field == "target"
    assert not theirs.accounts.filter(pk=borrower_loan.pk).exists()


# --- reads -------------------------------------------------------------------------------------
def test_a_ticket_is_found_by_its_reference_or_not_at_all(pair):
    mail, _call = pair

    assert ticket_by_reference(mail.reference.lower()) == mail
    with pytest.raises(NotFound):
        ticket_by_reference("T9999999")


def test_the_desk_list_filters_and_leaves_merged_tickets_out(pair, borrower_loan, staff):
    mail, call = pair
    merge_tickets(source=mail, target=call, at=at(11))
    urgent = new_ticket(borrower_loan, kind="complaint", at=at(10))
    set_priority(ticket=urgent, priority="urgent", at=at(12))

    assert list(desk_tickets()) == [urgent, call]
    assert list(desk_tickets(priority="urgent")) == [urgent]
    assert list(desk_tickets(kind="inquiry", status=["new", "open"])) == [call]
    assert list(desk_tickets(assignee=staff)) == []
    assert set(tickets_for_borrower(borrower_loan.borrower)) == {mail, call, urgent}


def test_the_history_reads_in_the_desks_words_in_both_languages(pair, staff):
    mail, call = pair
    set_priority(ticket=call, priority="high", by=staff, at=at(10))
    merge_tickets(source=mail, target=call, at=at(11))
    change_status(ticket=call, status="pending", at=at(12))

    english = [line.words for line in ticket_history(call, language="en")]
    chinese = [line.words for line in ticket_history(call, language="zh-hans")]

    assert english == [
        "Opened (via phone)",
        "Priority changed from normal to high",
        f"Ticket {mail.reference} merged into this one",
        "Status changed from new to pending on the borrower",
    ]
    assert chinese[1] == "优先级由普通改为高"
    assert chinese[3] == "状态由新建改为待客户回复"
    assert [line.at for line in ticket_history(call)] == [at(9, 30), at(10), at(11), at(12)]


def test_every_reason_the_ticket_services_write_has_words(pair):
    import re
    from importlib import resources

    from arrears.core.care.labels import LABELS

    package = resources.files("arrears.care.services")
    keys = set()
    for name in ("tickets.py", "ticket_changes.py", "merge.py", "handoff.py"):
        keys |= set(
            re.findall(r'"((?:ticket|handoff)\.[a-z_]+)"', package.joinpath(name).read_text())
        )

    assert len(keys) >= 15
    assert sorted(k for k in keys if k not in LABELS) == []


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 59)), max_size=8))
def test_after_merges_the_target_shows_every_message_once_in_time_order(db, writes):
    with rolled_back():
        a, b, c = (new_ticket(body="", at=at(8)) for _n in range(3))
        family = [a, b, c]
        for n, (index, minute) in enumerate(writes):
            receive_message(ticket=family[index], body=f"m{n}", channel="email", at=at(9, minute))
        merge_tickets(source=c, target=b, at=at(10))  # c into b, then b (with c) into a
        merge_tickets(source=b, target=a, at=at(11))

        thread = list(ticket_thread(a))
        assert sorted(m.body for m in thread) == sorted(f"m{n}" for n in range(len(writes)))
        assert [(m.created_at, m.pk) for m in thread] == sorted(
            (m.created_at, m.pk) for m in thread
        )
