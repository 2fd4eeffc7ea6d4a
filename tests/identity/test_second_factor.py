"""The staff second factor: set up an authenticator app, sign in with its code, remove it;
an administrator may require it per role; borrowers never have one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrears.core.errors import ValidationError
from arrears.identity import second_factor
from tests.factories import make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db

SECURITY = "/console/security/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    device.refresh_from_db()
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def enrolled(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    device = second_factor.start_enrolment(user=user)
    return second_factor.confirm_enrolment(user=user, token=code_for(device))


def sign_in(client: Client, username: str, otp_token: str = "", password: str = "pw"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login/", {"username": username, "password": password, "otp_token": otp_token}
    )


@pytest.fixture
def no_code_throttle(settings):  # type: ignore[no-untyped-def]
    """django-otp makes each wrong code double the wait before the next; tests retry at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_an_agent_sets_up_an_authenticator_app_from_the_security_page(no_code_throttle):
    agent = make_staff_user("agent", "li.agent")
    client = signed_in(agent)

    before = client.get(SECURITY)
    started = client.post(reverse("console:second-factor-start"))
    page = client.get(SECURITY)
    device = TOTPDevice.objects.get(user=agent)
    wrong = client.post(reverse("console:second-factor-confirm"), {"otp_token": "000000"})
    still_pending = TOTPDevice.objects.get(user=agent).confirmed
    confirmed = client.post(
        reverse("console:second-factor-confirm"), {"otp_token": code_for(device)}
    )

    assert before.status_code == 200
    assert 'data-testid="start-second-factor"' in before.content.decode()
    assert started.status_code == 302
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    assert second_factor.secret_key_text(device) in body
    assert wrong.status_code == 422
    assert "That code does not match" in wrong.content.decode()
    assert still_pending is False
    assert confirmed.status_code == 302
    assert TOTPDevice.objects.get(user=agent).confirmed is True
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert 'data-testid="remove-second-factor"' in client.get(SECURITY).content.decode()


def test_a_badly_typed_code_is_shown_next_to_the_field_and_changes_nothing():
    agent = make_staff_user("agent")
    client = signed_in(agent)
    client.post(reverse("console:second-factor-start"))

    response = client.post(reverse("console:second-factor-confirm"), {"otp_token": "12ab"})

    assert response.status_code == 422
    assert 'id="otp_token_error"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=agent, confirmed=True).exists()


def test_once_on_the_sign_in_needs_the_code_as_well_as_the_password(no_code_throttle):
    agent = make_staff_user("agent", "li.agent")
    device = enrolled(agent)

    without_code = sign_in(Client(), "li.agent")
    wrong_code = sign_in(
        Client(), "li.agent", "123456" if code_for(device, 1) != "123456" else "654321"
    )
    client = Client()
    with_code = sign_in(client, "li.agent", code_for(device, 1))

    assert without_code.status_code == 200
    assert "needs the 6-digit code" in without_code.content.decode()
    assert "_auth_user_id" not in without_code.wsgi_request.session
    assert wrong_code.status_code == 200
    assert "That code is not right" in wrong_code.content.decode()
    assert "_auth_user_id" not in wrong_code.wsgi_request.session
    assert with_code.status_code == 302
    assert with_code["Location"] == "/console/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/console/").status_code == 200


def test_a_code_already_used_does_not_sign_in_again(no_code_throttle):
    agent = make_staff_user("agent", "li.agent")
    device = enrolled(agent)
    code = code_for(device, 1)

    first = sign_in(Client(), "li.agent", code)
    replay = sign_in(Client(), "li.agent", code)

    assert first.status_code == 302
    assert replay.status_code == 200
    assert "That code is not right" in replay.content.decode()


def test_a_wrong_password_with_a_right_code_is_still_refused():
    agent = make_staff_user("agent", "li.agent")
    device = enrolled(agent)

    response = sign_in(Client(), "li.agent", code_for(device, 1), password="wrong")

    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_staff_without_a_second_factor_and_borrowers_sign_in_with_a_password_only():
    make_staff_user("agent", "li.agent")
    make_borrower_login(username="wang.fang")

    staff = sign_in(Client(), "li.agent")
    borrower = sign_in(Client(), "wang.fang")

    assert staff.status_code == 302 and staff["Location"] == "/console/"
    assert borrower.status_code == 302 and borrower["Location"] == "/portal/"


def test_a_borrower_cannot_set_up_a_second_factor():
    borrower = make_borrower_login(username="wang.fang")
    client = signed_in(borrower)

    page = client.get(SECURITY)
    start = client.post(reverse("console:second-factor-start"))

    assert page.status_code == 403
    assert start.status_code == 403
    assert not TOTPDevice.objects.exists()
    with pytest.raises(ValidationError) as refused:
        second_factor.start_enrolment(user=borrower)
    assert refused.value.field == "user"


def test_removing_the_second_factor_needs_a_current_code(no_code_throttle):
    agent = make_staff_user("agent", "li.agent")
    device = enrolled(agent)
    client = signed_in(agent)

    wrong = client.post(reverse("console:second-factor-remove"), {"otp_token": "000000"})
    kept = TOTPDevice.objects.filter(user=agent).exists()
    removed = client.post(
        reverse("console:second-factor-remove"), {"otp_token": code_for(device, 1)}
    )

    assert wrong.status_code == 422
    assert "That code is not right" in wrong.content.decode()
    assert kept
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert sign_in(Client(), "li.agent").status_code == 302  # a password alone again


def test_starting_again_replaces_an_unfinished_set_up_but_not_a_working_one():
    agent = make_staff_user("agent")
    first = second_factor.start_enrolment(user=agent)
    second = second_factor.start_enrolment(user=agent)
    second_factor.confirm_enrolment(user=agent, token=code_for(second))

    assert not TOTPDevice.objects.filter(pk=first.pk).exists()
    with pytest.raises(ValidationError):
        second_factor.start_enrolment(user=agent)
    assert TOTPDevice.objects.filter(user=agent).count() == 1


def test_a_role_that_requires_it_is_sent_to_set_it_up_before_any_console_page(settings):
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ("supervisor",)
    supervisor = make_staff_user("supervisor", "zhao.supervisor")
    agent = make_staff_user("agent", "li.agent")
    client = signed_in(supervisor)

    home = client.get("/console/")
    admin = client.get("/admin/")
    security = client.get(SECURITY)
    client.post(reverse("console:second-factor-start"))
    device = TOTPDevice.objects.get(user=supervisor)
    client.post(reverse("console:second-factor-confirm"), {"otp_token": code_for(device)})
    after = client.get("/console/")

    assert home.status_code == 302 and home["Location"] == SECURITY
    assert admin.status_code == 302 and admin["Location"] == SECURITY
    assert security.status_code == 200
    assert "Required by your role" in security.content.decode()
    assert after.status_code == 200
    assert signed_in(agent).get("/console/").status_code == 200  # other roles unaffected


def test_a_required_second_factor_cannot_be_removed(settings):
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ("supervisor",)
    supervisor = make_staff_user("supervisor")
    device = enrolled(supervisor)

    with pytest.raises(ValidationError) as refused:
        second_factor.remove_second_factor(user=supervisor, token=code_for(device, 1))

    assert "requires a second factor" in refused.value.reason
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()


def test_a_required_role_session_not_signed_in_with_a_code_must_sign_in_again(settings):
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ("supervisor",)
    supervisor = make_staff_user("supervisor")
    enrolled(supervisor)
    client = signed_in(supervisor)  # e.g. a session from before the app was set up

    response = client.get("/console/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/console/")
    assert "_auth_user_id" not in client.session


def test_when_no_role_requires_it_console_pages_never_look_up_devices():
    agent = make_staff_user("agent")
    client = signed_in(agent)

    with CaptureQueriesContext(connection) as counted:
        response = client.get("/console/")

    assert response.status_code == 200
    assert not any("otp_totp" in query["sql"] for query in counted.captured_queries)
