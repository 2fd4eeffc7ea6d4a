"""Signing in opens the right console, in the language the person chose last time."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, sign_in
from tests.factories import make_borrower, make_borrower_login, make_staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_lands_on_the_console_and_a_borrower_on_their_portal(page, browser, live_server):
    make_staff_user("agent", "li.agent")
    sign_in(page, "li.agent")
    assert page.url.endswith("/console/")
    assert page.get_by_role("heading", name="Welcome, li.agent").is_visible()
    screenshot(page, "console-home-en")

    context = browser.new_context(base_url=live_server.url)
    borrower_page = context.new_page()
    make_borrower_login(make_borrower(full_name="王芳"), "wang.fang")
    sign_in(borrower_page, "wang.fang")
    assert borrower_page.url.endswith("/portal/")
    assert borrower_page.get_by_role("heading", name="Hello, 王芳").is_visible()
    context.close()


def test_the_language_an_agent_chooses_is_remembered_at_the_next_sign_in(
    page, browser, live_server
):
    make_staff_user("agent", "li.agent")
    sign_in(page, "li.agent")
    with page.expect_navigation():  # the switch submits its form
        page.select_option("#language-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    fresh = browser.new_context(base_url=live_server.url)  # another machine: no cookie
    other = fresh.new_page()
    sign_in(other, "li.agent")
    assert other.locator("html").get_attribute("lang") == "zh-hans"
    assert other.get_by_role("button", name="退出登录").is_visible()
    screenshot(other, "console-home-zh")
    fresh.close()
