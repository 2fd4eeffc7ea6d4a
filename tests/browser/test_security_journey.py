"""A staff member turns on the second factor and signs in with its code; the sign-in page and
the admin run clean under the content-security policy (the `page` fixture fails on any
violation), in English and in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import screenshot, sign_in
from tests.factories import make_staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "set_up": "Set up an authenticator app",
        "turn_on": "Turn on",
        "on": "On",
        "sign_in": "Sign in",
        "needs_code": "needs the 6-digit code",
    },
    "zh-hans": {
        "set_up": "设置身份验证器应用",
        "turn_on": "开启",
        "on": "已开启",
        "sign_in": "登录",
        "needs_code": "6 位验证码",
    },
}


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the authenticator app shows (now, or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, drift=device.drift + steps_ahead):06d}"


def choose_language(page, language: str) -> None:  # type: ignore[no-untyped-def]
    if page.locator("html").get_attribute("lang") != language:
        with page.expect_navigation():  # the switch submits its form
            page.select_option("#language-select", language)
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_staff_member_turns_on_the_second_factor_and_signs_in_with_its_code(page, language):
    words = WORDS[language]
    agent = make_staff_user("agent", "li.agent")
    sign_in(page, "li.agent")
    choose_language(page, language)

    page.click("[data-testid=my-security]")
    page.get_by_role("button", name=words["set_up"]).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=second-factor-qr]").is_visible()
    device = TOTPDevice.objects.get(user=agent)
    shown_key = page.locator("[data-testid=second-factor-key]").inner_text().replace(" ", "")
    assert shown_key and device.config_url.split("secret=")[1].startswith(shown_key)
    screenshot(page, f"console-second-factor-{language.split('-')[0]}")

    page.fill("#id_otp_token", code_of(device))
    page.get_by_role("button", name=words["turn_on"]).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=second-factor-status]").inner_text() == words["on"]

    page.click("[data-testid=logout]")
    page.wait_for_load_state("networkidle")
    sign_in(page, "li.agent")  # the password alone is not enough now
    assert "/login/" in page.url
    assert words["needs_code"] in page.locator("[data-testid=otp-error]").inner_text()
    page.fill("#id_password", "pw")
    page.fill("#id_otp_token", code_of(device, steps_ahead=1))
    page.get_by_role("button", name=words["sign_in"]).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/console/")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_sign_in_page_is_clean_under_the_content_security_policy(page, language):
    make_staff_user("agent", "li.agent")
    page.goto("/login/")
    choose_language(page, language)
    page.click("details.second-factor-code summary")
    assert page.locator("#id_otp_token").is_visible()
    screenshot(page, f"sign-in-{language.split('-')[0]}")

    page.fill("#id_username", "li.agent")
    page.fill("#id_password", "pw")
    page.click("[data-testid=sign-in-form] button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert page.url.endswith("/console/")
    assert page.locator("html").get_attribute("lang") == language


def test_the_admin_works_under_the_content_security_policy(page):
    get_user_model().objects.create_superuser(username="root", password="pw")
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#site-name").is_visible()

    page.goto("/admin/engagement/template/add/")  # our change form with its live preview
    page.wait_for_load_state("networkidle")
    page.click("#template-preview-button")
    page.wait_for_selector("#template-preview-result .template-preview")
    page.goto("/admin/identity/apitoken/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#changelist").is_visible()
