"""A borrower stops e-mail on Contact preferences, then takes it back with "Resume" — htmx swaps
the section in place, the channel is open again — in English and in Chinese, in a real browser
under the strict content-security policy."""

from __future__ import annotations

import pytest

from arrears.compliance.models import OptOut
from tests.browser.conftest import screenshot, sign_in
from tests.factories import make_borrower, make_borrower_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"saved": "Your contact preferences are saved.", "open": "E-mail is open again."},
    "zh-hans": {"saved": "您的联系偏好已保存。", "open": "电子邮件已恢复。"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_borrower_stops_email_and_resumes_it(page, language):
    words = WORDS[language]
    short = language.split("-")[0]
    borrower = make_borrower(preferred_language=language, time_zone="Asia/Shanghai")
    make_borrower_login(borrower, f"resume.{short}")
    sign_in(page, f"resume.{short}")

    page.goto("/portal/preferences/")
    page.check("#stop-email")
    page.click("[data-testid=preferences-form] > button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(words["saved"]).is_visible()
    assert page.locator("[data-testid=stopped-email]").is_visible()

    page.click("[data-testid=resume-email]")
    page.get_by_text(words["open"]).wait_for(state="visible")

    assert page.locator("[data-testid=stopped-email]").count() == 0
    assert page.locator("#stop-email").is_enabled()
    assert not page.locator("#stop-email").is_checked()
    assert page.url.endswith("/portal/preferences/")  # swapped in place, no reload
    stop = OptOut.objects.get(borrower=borrower)
    assert stop.withdrawn_at is not None and stop.withdrawn_how == "portal"
    # (screenshots only after the htmx swap: Playwright's full-page screenshot leaves style=""
    # on inputs, which htmx would then copy, and the CSP rightly refuses)
    screenshot(page, f"portal-channel-resumed-{short}")

    # the preferences form still saves as before, and stops the channel again
    page.check("#stop-email")
    page.click("[data-testid=preferences-form] > button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=stopped-email]").is_visible()
    assert OptOut.objects.filter(borrower=borrower, withdrawn_at__isnull=True).count() == 1
    screenshot(page, f"portal-channel-stopped-{short}")
