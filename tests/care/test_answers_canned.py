"""Canned replies: filled in for the ticket in the sandbox, per team, unknown variables refused."""

from __future__ import annotations

import pytest

from arrears.care.models import CannedReply, CareAgent, Team
from arrears.care.services.canned import (
    canned_replies_for,
    load_bundled_canned_replies,
    opening_hours_text,
    render_canned_reply,
    save_canned_reply,
)
from arrears.care.services.tickets import open_ticket
from arrears.core.errors import ValidationError
from tests.care.answers_fixtures import *  # noqa: F403
from tests.care.answers_fixtures import at

pytestmark = pytest.mark.django_db


def reply(code: str = "note", team=None, **bodies):  # type: ignore[no-untyped-def]
    return save_canned_reply(
        code=code,
        team=team,
        title_en="Note",
        title_zh="说明",
        body_en=bodies.get("body_en", "Dear {{ borrower_name }}, about {{ ticket_reference }}."),
        body_zh=bodies.get("body_zh", "{{ borrower_name }}您好，关于{{ ticket_reference }}。"),
    )


def test_a_canned_reply_is_filled_in_with_the_ticket_and_the_agent(ticket, agent):
    text = render_canned_reply(
        reply=reply(body_en="{{ borrower_name }} / {{ ticket_reference }} / {{ agent_name }}"),
        ticket=ticket,
        agent=agent,
        language="en",
    )

    assert text == f"{ticket.borrower.full_name} / {ticket.reference} / Fang Wang"


def test_the_amount_due_and_due_date_come_from_the_linked_account(ticket, agent, bundled_kb):
    load_bundled_canned_replies()
    amount_due = CannedReply.objects.get(code="amount_due")

    chinese = render_canned_reply(
        reply=amount_due, ticket=ticket, agent=agent, language="zh-hans", at=at(10)
    )
    english = render_canned_reply(
        reply=amount_due, ticket=ticket, agent=agent, language="en", at=at(10)
    )

    account = ticket.accounts.get()
    assert f"尾号{account.number[-4:]}" in chinese and "¥" in chinese and "2025年3月15日" in chinese
    assert "15 March 2025" in english and "CN¥" in english


def test_an_account_figure_on_a_ticket_without_an_account_names_the_ticket(queue, agent):
    bare = open_ticket(kind="inquiry", subject="hello", origin="chat", queue=queue, at=at(9))

    with pytest.raises(ValidationError) as error:
        owe = reply(body_en="You owe {{ amount_due }}.")
        render_canned_reply(reply=owe, ticket=bare, agent=agent, language="en")

    assert error.value.field == "ticket" and "amount_due" in error.value.reason


def test_an_unknown_variable_is_refused_when_saved_naming_the_body():
    with pytest.raises(ValidationError) as error:
        reply(body_zh="{{ borrower_name }}您好，{{ secret_score }}")

    assert error.value.field == "body_zh" and "secret_score" in error.value.reason
    assert not CannedReply.objects.exists()


def test_the_sandbox_refuses_python_internals(ticket, agent):
    stored = reply()
    CannedReply.objects.filter(pk=stored.pk).update(
        body_en="{{ ticket_reference.__class__.__mro__ }}"
    )
    stored.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        render_canned_reply(reply=stored, ticket=ticket, agent=agent, language="en")

    assert error.value.field == "body_en"


def test_an_agent_sees_everyones_replies_and_their_own_teams_only(agent, django_user_model):
    complaints = Team.objects.create(code="complaints", name_en="Complaints", name_zh="投诉")
    collections = Team.objects.create(code="arrears", name_en="Arrears", name_zh="欠款")
    CareAgent.objects.create(user=agent, team=complaints)
    reply("everyone")
    reply("ours", team=complaints)
    reply("theirs", team=collections)
    newcomer = django_user_model.objects.create_user(username="li")

    assert [r.code for r in canned_replies_for(agent)] == ["everyone", "ours"]
    assert [r.code for r in canned_replies_for(newcomer)] == ["everyone"]


def test_the_bundled_replies_render_for_a_ticket_and_load_once(ticket, agent):
    loaded = load_bundled_canned_replies()

    assert len(loaded) >= 10 and load_bundled_canned_replies() == []
    for canned in loaded:
        for language in ("zh-hans", "en"):
            text = render_canned_reply(
                reply=canned, ticket=ticket, agent=agent, language=language, at=at(10)
            )
            assert "{{" not in text and text


def test_opening_hours_are_said_in_words_in_each_language(queue):
    assert opening_hours_text(queue, "en") == "Mon–Fri 09:00–18:00; Sat 10:00–16:00"
    assert opening_hours_text(queue, "zh-hans") == "周一至周五 09:00–18:00；周六 10:00–16:00"
