"""A supervisor opens a channel again on the borrower's word, in English and in Chinese: a reason
of only spaces comes back with the error next to the box (a 422 swapped in place), then the
channel is resumed and the panel says so."""

from __future__ import annotations

import pytest

from arrears.compliance.models import OptOut
from arrears.compliance.services import record_opt_out
from tests.browser.conftest import screenshot, sign_in
from tests.console.agent_desk import *  # noqa: F403
from tests.console.agent_desk import queued_account
from tests.factories import make_staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"required": "This field is required", "open": "SMS is open again"},
    "zh": {"required": "这个字段是必填项", "open": "短信已重新开放"},
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_supervisor_resumes_texts_the_borrower_asked_for(page, desk, monday_morning, language):
    account = queued_account("王芳")
    stop = record_opt_out(borrower=account.borrower, channel="sms", source="退订 reply")
    make_staff_user("supervisor", "zhao.supervisor")
    words = WORDS[language]

    sign_in(page, "zhao.supervisor")
    if language == "zh":
        page.select_option("#language-select", "zh-hans")
        page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    page.goto(f"/console/accounts/{account.pk}/")
    box = page.locator(f"#resume-{stop.pk}-how")
    box.fill("   ")
    page.locator("#stops-part button[type=submit]").click()
    page.locator("#stops-part .error", has_text=words["required"]).wait_for()
    assert page.locator(f"#resume-{stop.pk}-how[aria-invalid=true]").count() == 1
    stop.refresh_from_db()
    assert stop.withdrawn_at is None

    page.locator(f"#resume-{stop.pk}-how").fill("phoned in, identity checked")
    page.locator("#stops-part button[type=submit]").click()
    page.locator("#stops-part .result-ok", has_text=words["open"]).wait_for()
    screenshot(page, f"console-resume-channel-{language}")

    kept = OptOut.objects.get()
    assert kept.withdrawn_how == "console: phoned in, identity checked"
