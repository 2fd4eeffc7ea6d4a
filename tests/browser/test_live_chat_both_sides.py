"""A borrower chats from the portal and an agent answers from the console, live, both in real
browsers on one ASGI server (the chat's event stream is an async view): each side sees the
other's message arrive over the stream, in English and in Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from arrears.care.choices import ChatStatus, MessageDirection
from arrears.care.models import CareQueue, ChatSession, TicketMessage
from arrears.care.services.chat import agent_online
from tests.browser.conftest import screenshot, sign_in
from tests.care.chat_fixtures import *  # noqa: F403
from tests.console.desk_fixtures import *  # noqa: F403
from tests.console.desk_fixtures import make_desk_agent
from tests.factories import make_borrower, make_borrower_login, make_loan_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAY = {
    "en": ("Can I pay a week later this month?", "Yes: promise the date on your account page."),
    "zh-hans": ("这个月能晚一周还吗？", "可以，请在账户页面承诺还款日期。"),
}


def opened(browser: Any, site: str, language: str) -> Any:
    context = browser.new_context(
        base_url=site, viewport={"width": 1280, "height": 900}, locale=language
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_borrower_and_an_agent_chat_live_each_seeing_the_other_arrive(
    browser: Any,
    asgi_site: str,
    desk: Any,
    products: Any,
    language: str,
) -> None:
    question, answer = SAY[language]
    # a desk open round the clock (the test runs at any hour): the only active queue
    CareQueue.objects.exclude(pk=desk.pk).update(is_active=False)
    short = "en" if language == "en" else "zh"
    agent = make_desk_agent(desk, "li.agent")
    agent_online(agent=agent.care_agent, online=True)
    borrower = make_borrower(full_name="王芳", preferred_language=language)
    make_borrower_login(borrower, "wang.fang")
    make_loan_account(borrower=borrower)

    # the borrower starts the chat from the portal's help page
    portal = opened(browser, asgi_site, language)
    sign_in(portal, "wang.fang")
    portal.goto("/portal/help/")
    if portal.locator("html").get_attribute("lang") != language:
        with portal.expect_navigation():  # the switch submits its form
            portal.select_option("#language-select", language)
    portal.fill("#chat-message", question)
    portal.click("#chat-send")
    portal.wait_for_selector(f"[data-testid=chat-mine] >> text={question}")
    session = ChatSession.objects.get(ticket__borrower=borrower)
    assert session.status == ChatStatus.WAITING

    # the agent takes it in the console and sees the question
    console = opened(browser, asgi_site, language)
    sign_in(console, "li.agent")
    console.goto("/console/chats/")
    console.click("[data-testid=take-chat]")
    console.wait_for_url(f"**/console/chats/{session.pk}/")
    console.wait_for_selector("#chat-transcript[data-streaming=true]")
    assert question in console.locator("[data-testid=transcript]").inner_text()

    # the agent answers; the borrower's page shows it without reloading
    console.fill("#id_body", answer)
    console.press("#id_body", "Enter")
    console.wait_for_selector(f"#chat-transcript .bubble-outbound >> text={answer}")
    portal.wait_for_selector(f"[data-testid=chat-reply] >> text={answer}")
    screenshot(portal, f"portal-live-chat-{short}")

    # and the borrower's next line reaches the agent the same way
    follow_up = "谢谢！" if short == "zh" else "Thank you!"
    portal.fill("#chat-message", follow_up)
    portal.click("#chat-send")
    console.wait_for_selector(f"#chat-transcript .bubble-inbound >> text={follow_up}")
    screenshot(console, f"console-live-chat-{short}")

    inbound = TicketMessage.objects.filter(
        ticket=session.ticket, direction=MessageDirection.INBOUND
    ).values_list("body", flat=True)
    assert list(inbound) == [question, follow_up]
    assert not portal.errors and not console.errors  # type: ignore[attr-defined]
    portal.context.close()
    console.context.close()
