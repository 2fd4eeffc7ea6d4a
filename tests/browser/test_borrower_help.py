"""A borrower who cannot pay fills in their statement, compares the priced options, accepts the
recommended plan and chats with the desk; then sets their contact preferences — in English and
in Chinese, in a real browser. The trouble-paying page fits a phone."""

from __future__ import annotations

import re

import pytest

from arrears.care.models import CareQueue
from arrears.care.services.desk import load_default_desk
from arrears.hardship.models import Plan
from tests.browser.conftest import screenshot, sign_in
from tests.factories import make_borrower_login
from tests.portal.help_fixtures import loan_in_arrears

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "heading": "Having trouble paying?",
        "recommended": "Recommended",
        "active": "Active",
        "help": "Help",
        "kept": "kept as ticket",
        "preferences": "Contact preferences",
        "saved": "Your contact preferences are saved.",
    },
    "zh-hans": {
        "heading": "还款遇到困难？",
        "recommended": "推荐",
        "active": None,  # the status label's translation is the hardship app's
        "help": "帮助",
        "kept": "工单",
        "preferences": "联系偏好",
        "saved": "您的联系偏好已保存。",
    },
}


def fill_the_job_loss_statement(page) -> None:  # type: ignore[no-untyped-def]
    page.select_option("#id_region", "CN-T2")
    page.fill("#id_dependants", "1")
    page.select_option("#id_employment", "unemployed")
    page.select_option("#id_reason", "job_loss")
    page.fill("#id_income_benefits", "1800.00")
    page.fill("#id_expense_housing", "1500.00")
    page.fill("#id_expense_food_housekeeping", "900.00")
    page.fill("#id_expense_utilities", "200.00")
    page.check("#id_temporary")
    page.fill("#id_expected_recovery_months", "3")
    page.fill("#id_income_after_recovery", "9000.00")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_borrower_applies_for_a_plan_and_chats(page, language):
    load_default_desk()
    CareQueue.objects.update(line_agents=3)  # people on the phones: callback slots to offer
    loan = loan_in_arrears(preferred_language=language, full_name="Lin Mei")
    make_borrower_login(loan.borrower, "lin.mei")
    words = WORDS[language]
    short = "en" if language == "en" else "zh"

    sign_in(page, "lin.mei")
    page.goto("/portal/trouble-paying/")
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():  # the switch submits its form
            page.select_option("#language-select", language)
    assert page.get_by_role("heading", name=words["heading"]).is_visible()
    fill_the_job_loss_statement(page)
    screenshot(page, f"portal-trouble-paying-{short}")

    page.click("[data-testid=statement-form] button[type=submit]")
    page.wait_for_selector("[data-testid=recommended]")
    assert words["recommended"] in page.locator("[data-testid=recommended]").inner_text()
    assert page.locator("[data-testid=options-table] tbody tr").count() > 3
    screenshot(page, f"portal-options-{short}")

    page.click("[data-testid=accept-recommended]")
    page.wait_for_selector("[data-testid=plan-status]")
    plan = Plan.objects.get(account=loan)
    assert plan.status == "active" and plan.accepted_via == "portal"
    assert plan.terms_language == language
    if words["active"]:
        assert page.locator("[data-testid=plan-status]").inner_text() == words["active"]

    page.goto("/portal/help/")
    assert page.get_by_role("heading", name=words["help"], exact=True).is_visible()
    screenshot(page, f"portal-help-{short}")
    page.fill("#chat-message", "I have lost my job. Can you help?")
    page.click("#chat-send")
    notice = page.locator("#chat-notice")
    notice.wait_for(state="visible")
    # nobody is online in the desk this test sets up: the chat is kept as a ticket, and the
    # borrower is told its reference and, when the desk is closed, when it opens in their time
    assert words["kept"] in notice.inner_text()
    assert re.search(r"T\d+", notice.inner_text())
    assert page.locator("[data-testid=chat-mine]").count() == 1
    screenshot(page, f"portal-chat-{short}")

    page.goto("/portal/preferences/")
    assert page.get_by_role("heading", name=words["preferences"]).is_visible()
    page.fill("#id_quiet_from", "12:00")
    page.fill("#id_quiet_until", "14:00")
    page.click("[data-testid=preferences-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(words["saved"]).is_visible()
    screenshot(page, f"portal-preferences-{short}")


def page_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How far the page reaches past the screen's width (0: nothing to scroll sideways)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def test_the_trouble_paying_page_fits_a_phone(phone_page):
    loan = loan_in_arrears(preferred_language="en")
    make_borrower_login(loan.borrower, "phone.user")
    sign_in(phone_page, "phone.user")
    phone_page.goto("/portal/trouble-paying/")
    fill_the_job_loss_statement(phone_page)
    assert page_overflow(phone_page) <= 0
    screenshot(phone_page, "portal-trouble-paying-phone")
    phone_page.click("[data-testid=statement-form] button[type=submit]")
    phone_page.wait_for_selector("[data-testid=recommended]")
    assert page_overflow(phone_page) <= 0
    screenshot(phone_page, "portal-options-phone")
