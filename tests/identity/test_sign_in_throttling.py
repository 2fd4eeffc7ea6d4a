"""Sign-in throttling (django-axes): five failures for one username from one address lock that
pair out for the cool-off, even with the right password; other usernames are unaffected; a
success resets the count; wrong second-factor codes count like wrong passwords."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp

from arrears.identity import second_factor
from tests.factories import make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db

LIMIT = 5


def sign_in(username: str, password: str, *, address: str = "10.0.0.1", **extra: str):  # type: ignore[no-untyped-def]
    return Client(REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password, **extra}
    )


def is_signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_after_five_wrong_passwords_even_the_right_one_meets_the_lockout_page(settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    make_staff_user("agent", "li.agent")

    failures = [sign_in("li.agent", f"guess{n}") for n in range(LIMIT)]
    locked = sign_in("li.agent", "pw")

    assert [f.status_code for f in failures[:-1]] == [200] * (LIMIT - 1)
    assert locked.status_code == 429
    assert 'data-testid="locked-out"' in locked.content.decode()
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_the_lockout_page_is_in_the_readers_language():
    make_staff_user("agent", "li.agent")
    for n in range(LIMIT):
        sign_in("li.agent", f"guess{n}")

    locked = Client(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/login/", {"username": "li.agent", "password": "pw"}
    )

    assert locked.status_code == 429
    assert 'lang="zh-hans"' in locked.content.decode()


def test_another_username_from_the_same_address_is_unaffected():
    make_staff_user("agent", "li.agent")
    make_borrower_login(username="wang.fang")
    for n in range(LIMIT + 1):
        sign_in("li.agent", f"guess{n}")

    assert is_signed_in(sign_in("wang.fang", "pw"))


def test_the_same_username_from_another_address_is_unaffected():
    make_staff_user("agent", "li.agent")
    for n in range(LIMIT + 1):
        sign_in("li.agent", f"guess{n}")

    assert is_signed_in(sign_in("li.agent", "pw", address="10.0.0.2"))


def test_a_successful_sign_in_resets_the_count():
    make_staff_user("agent", "li.agent")
    for n in range(LIMIT - 1):
        sign_in("li.agent", f"guess{n}")
    assert is_signed_in(sign_in("li.agent", "pw"))

    for n in range(LIMIT - 1):
        sign_in("li.agent", f"again{n}")

    assert is_signed_in(sign_in("li.agent", "pw"))


def test_wrong_second_factor_codes_count_as_failed_sign_ins(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    agent = make_staff_user("agent", "li.agent")
    device = second_factor.start_enrolment(user=agent)
    right = f"{totp(device.bin_key):06d}"
    second_factor.confirm_enrolment(user=agent, token=right)
    device.refresh_from_db()
    wrong = "000000" if right != "000000" else "111111"

    for _ in range(LIMIT):
        sign_in("li.agent", "pw", otp_token=wrong)
    next_code = f"{totp(device.bin_key, drift=1):06d}"
    locked = sign_in("li.agent", "pw", otp_token=next_code)

    assert locked.status_code == 429
    assert "_auth_user_id" not in locked.wsgi_request.session
