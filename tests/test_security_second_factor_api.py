"""A role that requires a second factor needs it for the API too, when a browser session calls.

Without this, a supervisor whose role requires a code could sign in with a password only and
still read and write through `/api/v1` from the browser. Programs calling with an API token are
not asked for a code; visitors and borrowers get what they got before.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from arrears.identity import second_factor
from arrears.identity.services import issue_token
from arrears.servicing.models import Borrower, Payment
from tests.factories import make_borrower_login, make_loan_account, make_staff_user
from tests.identity.test_second_factor import code_for, enrolled, sign_in

pytestmark = pytest.mark.django_db

PAYMENT = {"amount": "100.00", "currency": "CNY", "received_on": "2025-02-15"}
BORROWER = {"reference": "B-2FA-1", "full_name": "李四", "country": "CN"}
SECOND_FACTOR_REQUIRED = "Second factor required"


@pytest.fixture
def supervisors_need_a_code(settings):  # type: ignore[no-untyped-def]
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ("supervisor",)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def loan():  # type: ignore[no-untyped-def]
    return make_loan_account()


def post_json(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", headers=headers)


def assert_refused_for_the_second_factor(response: Any) -> dict[str, Any]:
    assert response.status_code == 403, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 403
    assert problem["type"] == "urn:arrears:problem:permission-denied"
    assert problem["detail"].startswith(SECOND_FACTOR_REQUIRED), problem
    return problem


def test_a_supervisor_signed_in_with_a_password_only_cannot_read_the_api(
    supervisors_need_a_code, loan
):
    make_staff_user("supervisor", "zhao.supervisor")
    browser = Client()
    signed_in = sign_in(browser, "zhao.supervisor")  # no app set up yet: the password is enough

    response = browser.get(f"/api/v1/accounts/{loan.pk}")

    assert signed_in.status_code == 302
    assert_refused_for_the_second_factor(response)
    assert "balances" not in response.json()


def test_a_supervisor_without_the_code_cannot_post_a_payment_or_register_a_borrower(
    supervisors_need_a_code, loan
):
    make_staff_user("supervisor", "zhao.supervisor")
    browser = Client()
    sign_in(browser, "zhao.supervisor")

    payment = post_json(
        browser, f"/api/v1/accounts/{loan.pk}/payments", PAYMENT, **{"Idempotency-Key": "2fa-1"}
    )
    borrower = post_json(browser, "/api/v1/borrowers", BORROWER)

    assert_refused_for_the_second_factor(payment)
    assert_refused_for_the_second_factor(borrower)
    assert not Payment.objects.filter(account=loan).exists()
    assert not Borrower.objects.filter(reference="B-2FA-1").exists()


def test_a_session_opened_before_the_app_was_set_up_is_refused_until_signed_in_with_a_code(
    supervisors_need_a_code, loan
):
    supervisor = make_staff_user("supervisor", "zhao.supervisor")
    enrolled(supervisor)
    old_session = Client()
    old_session.force_login(supervisor)  # signed in, but not with a code

    response = old_session.get(f"/api/v1/accounts/{loan.pk}")

    assert_refused_for_the_second_factor(response)


def test_the_same_supervisor_signed_in_with_the_code_reads_and_writes(
    supervisors_need_a_code, loan
):
    supervisor = make_staff_user("supervisor", "zhao.supervisor")
    device = enrolled(supervisor)
    browser = Client()
    signed_in = sign_in(browser, "zhao.supervisor", code_for(device, 1))

    account = browser.get(f"/api/v1/accounts/{loan.pk}")
    payment = post_json(
        browser, f"/api/v1/accounts/{loan.pk}/payments", PAYMENT, **{"Idempotency-Key": "2fa-2"}
    )
    borrower = post_json(browser, "/api/v1/borrowers", BORROWER)

    assert signed_in.status_code == 302
    assert account.status_code == 200
    assert account.json()["id"] == loan.pk
    assert payment.status_code == 201, payment.content
    assert borrower.status_code == 201, borrower.content
    assert Payment.objects.filter(account=loan).count() == 1
    assert Borrower.objects.filter(reference="B-2FA-1").exists()


def test_a_role_the_setting_does_not_name_uses_the_api_with_a_password_only(
    supervisors_need_a_code, loan
):
    make_staff_user("agent", "li.agent")
    browser = Client()
    sign_in(browser, "li.agent")

    account = browser.get(f"/api/v1/accounts/{loan.pk}")
    payment = post_json(
        browser, f"/api/v1/accounts/{loan.pk}/payments", PAYMENT, **{"Idempotency-Key": "2fa-3"}
    )

    assert account.status_code == 200
    assert payment.status_code == 201, payment.content


def test_when_no_role_requires_it_a_supervisor_uses_the_api_with_a_password_only(settings, loan):
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ()
    make_staff_user("supervisor", "zhao.supervisor")
    browser = Client()
    sign_in(browser, "zhao.supervisor")

    account = browser.get(f"/api/v1/accounts/{loan.pk}")
    borrower = post_json(browser, "/api/v1/borrowers", BORROWER)

    assert account.status_code == 200
    assert borrower.status_code == 201, borrower.content
    assert Borrower.objects.filter(reference="B-2FA-1").exists()


def test_a_program_with_an_api_token_is_not_asked_for_a_code(supervisors_need_a_code, loan):
    supervisor = make_staff_user("supervisor", "zhao.supervisor")
    _token, secret = issue_token(user=supervisor, name="reconciliation job")
    program = Client(enforce_csrf_checks=True)
    bearer = {"Authorization": f"Bearer {secret}"}

    account = program.get(f"/api/v1/accounts/{loan.pk}", headers=bearer)
    payment = post_json(
        program,
        f"/api/v1/accounts/{loan.pk}/payments",
        PAYMENT,
        **bearer,
        **{"Idempotency-Key": "2fa-4"},
    )

    assert account.status_code == 200
    assert payment.status_code == 201, payment.content


def test_visitors_and_borrowers_get_what_they_got_before(settings, loan):
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ("supervisor", "agent", "compliance")
    make_borrower_login(username="wang.fang")
    borrower = Client()
    sign_in(borrower, "wang.fang")

    visitor = Client().get(f"/api/v1/accounts/{loan.pk}")
    portal_login = borrower.get(f"/api/v1/accounts/{loan.pk}")

    assert visitor.status_code == 401
    assert portal_login.status_code == 403  # the staff API refuses a borrower: their role
    assert SECOND_FACTOR_REQUIRED not in portal_login.json()["detail"]


def test_the_refusal_is_in_the_caller_s_language(supervisors_need_a_code, loan):
    make_staff_user("supervisor", "zhao.supervisor")
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    sign_in(browser, "zhao.supervisor")

    response = browser.get(f"/api/v1/accounts/{loan.pk}")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("需要第二重验证")


def test_when_no_role_requires_it_the_api_looks_no_further_than_the_setting(settings):
    settings.ARREARS_REQUIRE_SECOND_FACTOR_ROLES = ()

    class Untouchable:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"looked at user.{name}")

    assert second_factor.lacks_required_verification(Untouchable()) is False
