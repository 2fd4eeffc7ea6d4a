"""A borrower pays in the portal, in English and in Chinese, and on a phone."""

from __future__ import annotations

import pytest

from arrears.servicing.models import Payment
from tests.browser.conftest import screenshot, sign_in
from tests.portal.money_fixtures import make_household, scripted_card_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "hello": "Hello, 王芳",
        "minimum": "CN¥123.45",
        "declined": "There is not enough money on the card.",
        "received": "Thank you: your payment is received",
    },
    "zh": {
        "hello": "王芳",
        "minimum": "¥123.45",
        "declined": "卡内余额不足。",
        "received": "谢谢：我们已收到您的还款",
    },
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_borrower_pays_the_minimum_due_after_a_declined_card(page, language):
    words = WORDS[language]
    household = make_household()
    provider = scripted_card_provider()
    provider.decline(household.card.number, "insufficient_funds")
    sign_in(page, "wang.fang")
    if language == "zh":
        with page.expect_navigation():  # the switch submits its form
            page.select_option("#language-select", "zh-hans")
    assert words["hello"] in page.get_by_role("heading", level=1).inner_text()
    card = page.locator(f"[data-testid=account-{household.card.pk}]")
    assert card.locator("[data-testid=minimum-due]").inner_text().endswith(words["minimum"])
    screenshot(page, f"portal-home-{language}")

    card.locator("[data-testid=pay-now]").click()
    page.click("[data-testid=continue]")
    page.wait_for_selector("[data-testid=confirm-form]")
    assert page.locator("[data-testid=amount-to-pay]").inner_text().endswith(words["minimum"])
    page.fill("#id_card_number", "6222 0200 1234 5678")
    screenshot(page, f"portal-pay-{language}")
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=declined]")
    assert words["declined"] in page.locator("[data-testid=declined]").inner_text()
    assert not Payment.objects.filter(account=household.card).exists()

    page.fill("#id_card_number", "6222 0200 1234 5678")
    page.press("#id_card_number", "Enter")  # the keyboard alone completes the payment
    page.wait_for_selector("[data-testid=receipt]")
    assert words["received"] in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("[data-testid=paid-amount]").inner_text().endswith(words["minimum"])
    assert Payment.objects.get(account=household.card).amount_minor == 12345
    screenshot(page, f"portal-receipt-{language}")


def _fits_a_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px phone"


def test_a_borrower_pays_on_a_phone_and_nothing_overflows(phone_page):
    page = phone_page
    household = make_household()
    scripted_card_provider()
    sign_in(page, "wang.fang")
    _fits_a_phone(page)
    screenshot(page, "portal-home-phone")
    page.locator(f"[data-testid=account-{household.loan.pk}] [data-testid=pay-now]").click()
    _fits_a_phone(page)
    page.check("input[value=full]")
    page.click("[data-testid=continue]")
    _fits_a_phone(page)
    page.fill("#id_card_number", "6222020012345678")
    screenshot(page, "portal-pay-phone")
    page.click("[data-testid=pay]")
    page.wait_for_selector("[data-testid=receipt]")
    _fits_a_phone(page)
    assert page.locator("[data-testid=receipt]").is_visible()
    for url, name in (
        (f"/portal/accounts/{household.loan.pk}/", "portal-loan-phone"),
        (f"/portal/accounts/{household.card.pk}/", "portal-card-phone"),
        (f"/portal/accounts/{household.card.pk}/autopay/", "portal-autopay-phone"),
        (f"/portal/accounts/{household.loan.pk}/promise/", "portal-promise-phone"),
    ):
        page.goto(url)
        _fits_a_phone(page)
        screenshot(page, name)
