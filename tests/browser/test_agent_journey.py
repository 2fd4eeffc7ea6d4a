"""An agent works the queue and logs a promise, in English and in Chinese: My work, the key `n`
to open the next account, the call's result, the promise, the page's sections reloading."""

from __future__ import annotations

import pytest

from arrears.collection.models import ContactOutcome, Promise
from tests.browser.conftest import screenshot, sign_in
from tests.console.agent_desk import *  # noqa: F403
from tests.console.agent_desk import (
    collector,
    queued_account,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


WORDS = {
    "en": {"my_work": "My work", "taken": "Promise taken"},
    "zh": {"my_work": "我的工作", "taken": "已记录承诺"},
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_agent_works_the_queue_and_logs_a_promise(page, desk, monday_morning, language):
    best = queued_account("王芳", value=9_000)
    queued_account("李明", value=800)
    collector("li.agent")
    words = WORDS[language]

    sign_in(page, "li.agent")
    if language == "zh":
        page.select_option("#language-select", "zh-hans")
        page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    page.goto("/console/work/")
    assert page.get_by_role("heading", name=words["my_work"], level=1).is_visible()
    rows = page.locator("[data-testid=queue] tbody tr")
    assert rows.count() == 2
    assert "王芳" in rows.first.inner_text()  # the more valuable call first
    screenshot(page, f"console-my-work-{language}")

    page.keyboard.press("n")  # open the next account
    page.wait_for_url(f"**/console/accounts/{best.pk}/**")
    assert page.get_by_test_id("call-in-hand").is_visible()

    page.select_option("#call-disposition", "right_party_contact")
    page.fill("#call-note", "will pay on Friday")
    page.locator("#act-call button[type=submit]").click()
    page.locator("#act-call .result-ok").wait_for()

    page.fill("#promise-amount", "1039.43")
    page.fill("#promise-due_on", "2025-03-07")
    page.locator("#act-promise button[type=submit]").press("Enter")
    page.get_by_test_id("promise-taken").wait_for()
    assert words["taken"] in page.get_by_test_id("promise-taken").inner_text()
    page.locator("[data-testid=promises]", has_text="1,039.43").wait_for()  # the section reloaded
    page.locator("[data-testid=attempts]", has_text="will pay on Friday").wait_for()
    page.locator("[data-testid=ledger-table]").wait_for()
    screenshot(page, f"console-account-{language}")

    promise = Promise.objects.get()
    assert (promise.account, promise.total_minor) == (best, 103943)
    assert ContactOutcome.objects.get().attempt.permit is not None
