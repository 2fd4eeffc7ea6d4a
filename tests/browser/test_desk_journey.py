"""An agent's day at the service desk, in a real browser, in English and in Chinese: take the
next ticket with the "n" key, insert a canned reply and send it, then answer a live chat a
borrower started from the portal — the transcript arriving over the real event stream.

The chat's event stream is an async view, so the site is served by uvicorn (ASGI, static files
included) rather than pytest-django's WSGI live server, as `arrears serve --asgi` serves it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from arrears.care.choices import ChatStatus, MessageDirection
from arrears.care.models import ChatSession, TicketMessage
from arrears.care.services.chat import agent_online, send_chat_message, start_chat
from tests.browser.conftest import screenshot, sign_in, watched_page
from tests.care.chat_fixtures import *  # noqa: F403
from tests.console.desk_fixtures import *  # noqa: F403
from tests.console.desk_fixtures import make_desk_agent, open_desk_ticket
from tests.factories import make_borrower, make_borrower_login, make_loan_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"take": "Take next", "chat": "Live chat"},
    "zh-hans": {"take": "领取下一张", "chat": "在线客服"},
}


@pytest.fixture
def desk_page(browser: Any, asgi_site: str) -> Iterator[Any]:
    """A browser page on the ASGI site that fails the test on a script error or CSP violation
    and answers yes to every confirm()."""
    with watched_page(browser, asgi_site, timeout=20_000, accept_dialogs=True) as page:
        yield page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_agent_takes_the_next_ticket_sends_a_canned_reply_and_answers_a_live_chat(
    desk_page: Any,
    desk: Any,
    products: Any,
    language: str,
) -> None:
    page = desk_page
    suffix = "en" if language == "en" else "zh"
    agent = make_desk_agent(desk, "li.agent")
    borrower = make_borrower(full_name="王芳" if suffix == "zh" else "Wang Fang")
    make_borrower_login(borrower, "wang.fang")
    account = make_loan_account(borrower=borrower)
    now = dt.datetime.now(dt.UTC)
    urgent = open_desk_ticket(
        desk,
        borrower=borrower,
        accounts=[account],
        language=language,
        subject="提前还款怎么操作？" if suffix == "zh" else "How do I repay early?",
        body="我想提前还清贷款。" if suffix == "zh" else "I want to pay my loan off early.",
        at=now - dt.timedelta(hours=30),
    )
    open_desk_ticket(
        desk,
        borrower=make_borrower(),
        language=language,
        subject="还款日是哪天？" if suffix == "zh" else "When is my due date?",
    )

    sign_in(page, "li.agent")
    if language != "en":
        with page.expect_navigation():  # the switch submits its form
            page.select_option("#language-select", language)
    assert page.locator("html").get_attribute("lang") == language

    # The queue: the breached ticket first; "n" takes it.
    page.goto("/console/tickets/")
    assert page.get_by_role("button", name=WORDS[language]["take"]).is_visible()
    rows = page.locator("[data-testid=ticket-queue] tbody tr")
    assert rows.count() == 2
    assert urgent.reference in rows.first.inner_text()
    screenshot(page, f"console-tickets-{suffix}")
    page.keyboard.press("n")
    page.wait_for_url(f"**/console/tickets/{urgent.reference}/")

    # The ticket: insert a canned reply (filled in for this borrower) and send it.
    page.select_option("[data-canned-select]", "greeting")
    page.click("[data-testid=insert-canned]")
    reply_box = page.locator("#id_reply-body")
    inserted = reply_box.input_value()
    assert borrower.full_name in inserted
    reply_box.press("End")
    reply_box.type(" 1234")
    screenshot(page, f"console-ticket-{suffix}")
    with page.expect_navigation():
        page.click("[data-testid=send-reply]")
    sent = TicketMessage.objects.get(ticket=urgent, direction=MessageDirection.OUTBOUND)
    assert sent.body.startswith(inserted.strip()[:20]) and sent.body.endswith("1234")
    assert sent.author == agent
    assert page.locator("[data-testid=thread] .bubble-outbound").count() == 1

    # Live chat: the agent is online; the borrower opens a chat from the portal.
    agent_online(agent=agent.care_agent, online=True)
    first = "我能改还款日吗？" if suffix == "zh" else "Can I change my due date?"
    session = start_chat(
        borrower=borrower, first_message=first, queue=desk, language=language
    ).session
    assert session.status == ChatStatus.WAITING
    page.goto("/console/tickets/")
    page.locator(".desk-tabs").get_by_role("link", name=WORDS[language]["chat"]).click()
    page.wait_for_url("**/console/chats/")
    page.click("[data-testid=take-chat]")
    page.wait_for_url(f"**/console/chats/{session.pk}/")
    transcript = page.locator("[data-testid=transcript]")
    assert first in transcript.inner_text()
    page.wait_for_selector("#chat-transcript[data-streaming=true]")

    follow_up = "在吗？" if suffix == "zh" else "Are you there?"
    send_chat_message(session=session, body=follow_up)
    page.wait_for_selector(f"#chat-transcript .bubble-inbound >> text={follow_up}")

    answer = "可以，在设置里修改。" if suffix == "zh" else "Yes, you can change it in Settings."
    page.fill("#id_body", answer)
    page.press("#id_body", "Enter")
    page.wait_for_selector(f"#chat-transcript .bubble-outbound >> text={answer}")
    expect(page.locator("#id_body")).to_have_value("")  # the box is cleared for the next one
    reply = TicketMessage.objects.get(ticket=session.ticket, direction=MessageDirection.OUTBOUND)
    assert reply.body == answer and reply.channel == "chat"
    screenshot(page, f"console-chat-{suffix}")

    page.click("[data-testid=end-chat]")
    page.wait_for_url("**/console/chats/")
    assert ChatSession.objects.get(pk=session.pk).status == ChatStatus.ENDED
