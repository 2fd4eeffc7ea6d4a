"""Autopay over the API: set up, read, change and cancel a mandate; bad input writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.servicing.choices import DebitFailureCode, MandateStatus
from arrears.servicing.direct_debit import ScriptedDirectDebit, direct_debit_provider
from arrears.servicing.models import AutopayMandate, Obligation
from arrears.servicing.services.autopay import run_autopay
from tests.api.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

MANDATE = {
    "amount_rule": "minimum",
    "debit_days_before_due": 2,
    "funding_account": "6222 0210 0012 3456",
    "consent_reference": "DDI-2025-0001",
    "starts_on": "2025-01-15",
}


@pytest.fixture
def admin_api(api_as) -> ApiClient:  # type: ignore[no-untyped-def]
    return api_as("admin")


@pytest.fixture
def bank() -> ScriptedDirectDebit:
    provider = direct_debit_provider()
    assert isinstance(provider, ScriptedDirectDebit)
    provider.reset()
    return provider


def autopay_url(account) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/accounts/{account.pk}/autopay"


def patch(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.patch(path, body, content_type="application/json", headers=api.headers)


def set_up(api: ApiClient, account, **change: Any) -> Any:  # type: ignore[no-untyped-def]
    response = api.post(autopay_url(account), {**MANDATE, **change})
    assert response.status_code == 201, response.content
    return response.json()


def test_autopay_is_set_up_with_the_funding_account_masked(admin_api, loan):
    response = admin_api.post(autopay_url(loan), MANDATE)

    assert response.status_code == 201
    body = response.json()
    assert body["account_id"] == loan.pk
    assert (body["amount_rule"], body["fixed_amount"]) == ("minimum", None)
    assert body["debit_days_before_due"] == 2
    assert body["funding_account_masked"] == "****3456"
    assert (body["consent_reference"], body["status"]) == ("DDI-2025-0001", "active")
    assert body["starts_on"] == "2025-01-15"
    mandate = AutopayMandate.objects.get()
    assert (mandate.account_id, mandate.funding_account_masked) == (loan.pk, "****3456")
    assert "0012" not in str(response.content)


def test_the_account_s_autopay_shows_its_mandates_and_recent_debits(admin_api, loan, bank):
    mandate = set_up(admin_api, loan, debit_days_before_due=0)
    first = Obligation.objects.filter(account=loan).order_by("due_on").first()
    run_autopay(day=first.due_on)

    response = admin_api.get(autopay_url(loan))

    assert response.status_code == 200
    body = response.json()
    assert body["account_id"] == loan.pk
    assert body["active_mandate_id"] == mandate["id"]
    assert [m["id"] for m in body["mandates"]] == [mandate["id"]]
    (debit,) = body["recent_debits"]
    assert debit["mandate_id"] == mandate["id"]
    assert (debit["for_due_on"], debit["attempt"]) == (first.due_on.isoformat(), 1)
    assert debit["status"] == "succeeded" and debit["failure_code"] is None
    assert debit["amount"]["minor"] == first.amount_minor
    assert debit["amount"]["currency"] == "CNY"
    assert debit["payment_id"] is not None


def test_reading_autopay_costs_the_same_queries_however_many_debits(admin_api, loan, bank):
    set_up(admin_api, loan, debit_days_before_due=0)
    dues = list(Obligation.objects.filter(account=loan).order_by("due_on")[:3])
    run_autopay(day=dues[0].due_on)
    with CaptureQueriesContext(connection) as one_debit:
        admin_api.get(autopay_url(loan))
    for due in dues[1:]:
        run_autopay(day=due.due_on)

    with CaptureQueriesContext(connection) as three_debits:
        body = admin_api.get(autopay_url(loan)).json()

    assert len(body["recent_debits"]) == 3
    assert len(three_debits) == len(one_debit)


def test_an_account_without_autopay_shows_no_mandate(agent_api, loan):
    body = agent_api.get(autopay_url(loan)).json()

    assert body == {
        "account_id": loan.pk,
        "active_mandate_id": None,
        "mandates": [],
        "recent_debits": [],
    }


def test_a_fixed_amount_is_kept_in_exact_money(admin_api, card):
    body = set_up(admin_api, card, amount_rule="fixed", fixed_amount="500.50")

    assert body["fixed_amount"] == {"minor": 50050, "currency": "CNY", "amount": "500.50"}
    assert AutopayMandate.objects.get().fixed_amount_minor == 50050


def test_the_same_set_up_sent_again_makes_one_mandate(admin_api, loan):
    first = admin_api.post(autopay_url(loan), MANDATE)

    again = admin_api.post(autopay_url(loan), MANDATE)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert AutopayMandate.objects.count() == 1


def test_another_set_up_while_a_mandate_is_active_is_a_conflict(admin_api, loan):
    set_up(admin_api, loan)

    response = admin_api.post(autopay_url(loan), {**MANDATE, "consent_reference": "DDI-OTHER"})

    assert_problem(response, 409)
    assert AutopayMandate.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_rule": "weekly"}, "amount_rule"),
        ({"amount_rule": "statement_balance"}, "amount_rule"),  # a loan has no statements
        ({"amount_rule": "fixed"}, "fixed_amount"),
        ({"amount_rule": "fixed", "fixed_amount": 500}, "fixed_amount"),
        ({"amount_rule": "fixed", "fixed_amount": "5.001"}, "fixed_amount"),
        ({"amount_rule": "fixed", "fixed_amount": "0.00"}, "fixed_amount"),
        ({"amount_rule": "fixed", "fixed_amount": "5.00", "currency": "USD"}, "fixed_amount"),
        ({"amount_rule": "fixed", "fixed_amount": "5.00", "currency": "XYZ"}, "currency"),
        ({"fixed_amount": "5.00"}, "fixed_amount"),  # only for the fixed rule
        ({"debit_days_before_due": 11}, "debit_days_before_due"),
        ({"debit_days_before_due": -1}, "debit_days_before_due"),
        ({"funding_account": "12"}, "funding_account"),
        ({"funding_account": "-- -- --"}, "funding_account"),
        ({"consent_reference": ""}, "consent_reference"),
        ({"consent_reference": "   "}, "consent_reference"),
        ({"bank": "ICBC"}, "bank"),
    ],
)
def test_a_bad_set_up_is_refused_naming_the_field_and_writes_nothing(
    admin_api, loan, change, field
):
    response = admin_api.post(autopay_url(loan), {**MANDATE, **change})

    assert_problem(response, 422, field=field)
    assert not AutopayMandate.objects.exists()


def test_autopay_cannot_be_set_up_on_a_closed_account(admin_api, loan):
    loan.status = "closed"
    loan.save(update_fields=["status"])

    assert_problem(admin_api.post(autopay_url(loan), MANDATE), 409)
    assert not AutopayMandate.objects.exists()


def test_the_amount_rule_and_the_day_are_changed(admin_api, card):
    mandate = set_up(admin_api, card)

    response = patch(
        admin_api,
        f"/api/v1/autopay/{mandate['id']}",
        {"amount_rule": "fixed", "fixed_amount": "800.00", "debit_days_before_due": 5},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["amount_rule"] == "fixed"
    assert body["fixed_amount"]["amount"] == "800.00"
    assert body["debit_days_before_due"] == 5
    assert body["changed_at"] is not None
    assert body["funding_account_masked"] == "****3456"  # left out, so kept
    stored = AutopayMandate.objects.get()
    assert (stored.amount_rule, stored.fixed_amount_minor) == ("fixed", 80000)
    assert stored.debit_days_before_due == 5

    back = patch(admin_api, f"/api/v1/autopay/{mandate['id']}", {"amount_rule": "minimum"})

    assert back.status_code == 200
    assert (back.json()["amount_rule"], back.json()["fixed_amount"]) == ("minimum", None)


def test_a_change_that_names_nothing_changes_nothing(admin_api, loan):
    mandate = set_up(admin_api, loan)

    response = patch(admin_api, f"/api/v1/autopay/{mandate['id']}", {})

    assert response.status_code == 200
    assert response.json() == mandate


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"debit_days_before_due": 30}, "debit_days_before_due"),
        ({"amount_rule": "fixed"}, "fixed_amount"),
        ({"amount_rule": "statement_balance"}, "amount_rule"),
        ({"fixed_amount": 12}, "fixed_amount"),
        ({"consent_reference": " "}, "consent_reference"),
        ({"status": "active"}, "status"),
    ],
)
def test_a_bad_change_is_refused_naming_the_field_and_keeps_the_mandate(
    admin_api, loan, change, field
):
    mandate = set_up(admin_api, loan)

    response = patch(admin_api, f"/api/v1/autopay/{mandate['id']}", change)

    assert_problem(response, 422, field=field)
    stored = AutopayMandate.objects.get()
    assert (stored.amount_rule, stored.debit_days_before_due) == ("minimum", 2)
    assert stored.changed_at is None


def test_a_suspended_mandate_is_active_again_with_a_new_funding_account(admin_api, loan, bank):
    mandate = set_up(admin_api, loan, debit_days_before_due=0)
    first = Obligation.objects.filter(account=loan).order_by("due_on").first()
    bank.fail(loan.number, DebitFailureCode.ACCOUNT_CLOSED)
    run_autopay(day=first.due_on)
    url = f"/api/v1/autopay/{mandate['id']}"
    assert AutopayMandate.objects.get().status == MandateStatus.SUSPENDED

    assert_problem(patch(admin_api, url, {"debit_days_before_due": 1}), 422, "funding_account")
    response = patch(
        admin_api, url, {"funding_account": "6222 0000 0000 7788", "consent_reference": "DDI-2"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["suspended_reason"]) == ("active", "")
    assert body["funding_account_masked"] == "****7788"


def test_a_mandate_is_cancelled_once(admin_api, loan):
    mandate = set_up(admin_api, loan)
    url = f"/api/v1/autopay/{mandate['id']}/cancel"

    first = admin_api.post(url, {})
    again = admin_api.post(url, {})

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["status"] == "cancelled" and first.json()["cancelled_at"]
    assert again.json() == first.json()
    assert_problem(
        patch(admin_api, f"/api/v1/autopay/{mandate['id']}", {"amount_rule": "fixed"}), 409
    )
    assert admin_api.get(autopay_url(loan)).json()["active_mandate_id"] is None
    assert set_up(admin_api, loan, consent_reference="DDI-NEW")["status"] == "active"


def test_an_unknown_account_or_mandate_is_not_found(admin_api, loan):
    assert_problem(admin_api.get("/api/v1/accounts/999999/autopay"), 404)
    assert_problem(admin_api.post("/api/v1/accounts/999999/autopay", MANDATE), 404)
    assert_problem(patch(admin_api, "/api/v1/autopay/999999", {"amount_rule": "minimum"}), 404)
    assert_problem(admin_api.post("/api/v1/autopay/999999/cancel", {}), 404)
    assert not AutopayMandate.objects.exists()


def test_an_agent_reads_autopay_but_cannot_set_up_change_or_cancel_it(agent_api, admin_api, loan):
    mandate = set_up(admin_api, loan)
    url = f"/api/v1/autopay/{mandate['id']}"

    assert agent_api.get(autopay_url(loan)).status_code == 200
    assert_problem(agent_api.post(autopay_url(loan), {**MANDATE, "consent_reference": "X"}), 403)
    assert_problem(patch(agent_api, url, {"debit_days_before_due": 0}), 403)
    assert_problem(agent_api.post(f"{url}/cancel", {}), 403)
    stored = AutopayMandate.objects.get()
    assert (stored.status, stored.debit_days_before_due) == ("active", 2)


def test_a_caller_without_a_role_or_token_sees_no_autopay(api_as, loan):
    assert_problem(api_as(None).get(autopay_url(loan)), 403)
    assert_problem(ApiClient(None).get(autopay_url(loan)), 401)
    assert_problem(ApiClient(None).post(autopay_url(loan), MANDATE), 401)
    assert not AutopayMandate.objects.exists()
