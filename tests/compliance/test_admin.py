"""The compliance admin: every page loads, profiles are checked on save, the log is read-only,
and the account and borrower pages show the current holds and the latest decisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.compliance.models import (
    AutomatedConsent,
    ContactAttempt,
    ContactPreference,
    Decision,
    Hold,
    OptOut,
    Permit,
    PersonalDataAccess,
    ProfileVersion,
)
from arrears.compliance.services import (
    record_consent,
    record_contact_attempt,
    record_opt_out,
    request_permit,
    set_contact_preference,
    set_hold,
)
from arrears.compliance.services.profiles import bundled_text
from arrears.servicing.models import Account, Borrower
from tests.compliance.conftest import mobile_of, utc

pytestmark = pytest.mark.django_db

READ_ONLY = [Decision, Permit, ContactAttempt]


@pytest.fixture
def superuser_client():  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(cn_loan, cn_clock):  # type: ignore[no-untyped-def]
    """One of everything: a hold, an opt-out, a consent, a preference, attempts, decisions."""
    borrower = cn_loan.borrower
    mobile = mobile_of(borrower)
    record_contact_attempt(
        borrower=borrower,
        channel="call",
        address=mobile,
        outcome="no_answer",
        accounts=[cn_loan],
        started_at=cn_clock.now() - dt.timedelta(hours=1),
        clock=cn_clock,
    )
    allowed = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile,
        purpose="collection",
        clock=cn_clock,
    )
    hold = set_hold(
        borrower=borrower,
        account=cn_loan,
        kind="dispute",
        start_on=dt.date(2025, 1, 15),
        review_on=dt.date(2025, 2, 15),
        reason="争议处理中",
        clock=cn_clock,
    )
    refused = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile,
        purpose="collection",
        clock=cn_clock,
    )
    record_opt_out(borrower=borrower, channel="sms", address=mobile, source="退订", clock=cn_clock)
    record_consent(borrower=borrower, channel="call", address=mobile, how="form", clock=cn_clock)
    set_contact_preference(borrower=borrower, inconvenient_places=["work"])
    from arrears.compliance.services.access_log import record_personal_data_access

    record_personal_data_access(
        user=get_user_model().objects.create_user(username="viewer"),
        borrower=borrower,
        what="account 360°",
        path=f"/console/accounts/{cn_loan.pk}/",
        clock=cn_clock,
    )
    return {"allowed": allowed, "refused": refused, "hold": hold, "loan": cn_loan}


def url(model, view: str, *args: object) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_compliance_admin_page_loads(superuser_client, records):
    models = [m for m in admin.site._registry if m._meta.app_label == "compliance"]
    assert set(models) == {
        AutomatedConsent, ContactAttempt, ContactPreference, Decision, Hold, OptOut, Permit,
        ProfileVersion, PersonalDataAccess,
    }  # fmt: skip
    for model in models:
        assert superuser_client.get(url(model, "changelist")).status_code == 200, model
        row = model.objects.first()
        assert row is not None, model
        assert superuser_client.get(url(model, "change", row.pk)).status_code == 200, model


def test_the_decision_log_is_filtered_by_the_refusing_rule(superuser_client, records):
    changelist = url(Decision, "changelist")

    by_hold = superuser_client.get(changelist, {"denied_by": "hold.dispute"})
    by_hours = superuser_client.get(changelist, {"denied_by": "hours.window"})
    allowed = superuser_client.get(changelist, {"allowed__exact": "1"})

    assert [d.pk for d in by_hold.context["cl"].result_list] == [records["refused"].pk]
    assert by_hours.context["cl"].result_count == 0
    assert [d.pk for d in allowed.context["cl"].result_list] == [records["allowed"].pk]


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_log_permits_and_history_cannot_be_added_changed_or_deleted(
    superuser_client, records, model
):
    row = model.objects.first()

    assert superuser_client.get(url(model, "add")).status_code == 403
    assert superuser_client.post(url(model, "change", row.pk), {}).status_code == 403
    assert superuser_client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_the_account_page_shows_its_current_holds_and_latest_decisions_with_reasons(
    superuser_client, records
):
    loan = records["loan"]

    page = superuser_client.get(url(Account, "change", loan.pk))

    assert page.status_code == 200
    html = page.content.decode()
    assert "争议处理中" in html  # the hold's reason
    assert "hold.dispute" in html  # the refusing rule …
    assert records["hold"].reason in html


def test_the_borrower_page_shows_holds_and_decisions(superuser_client, records):
    borrower = records["loan"].borrower

    page = superuser_client.get(url(Borrower, "change", borrower.pk))

    assert page.status_code == 200
    html = page.content.decode()
    assert "争议处理中" in html and "hold.dispute" in html


def test_saving_the_account_page_still_works_with_the_read_only_inlines(superuser_client, records):
    loan = records["loan"]
    page = superuser_client.get(url(Account, "change", loan.pk))
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[f"{formset.formset.prefix}-{name}"] = management.initial.get(name, field.initial)

    response = superuser_client.post(url(Account, "change", loan.pk), data)

    assert response.status_code == 302, response.context and response.context.get("errors")


def profile_form(text: str) -> dict[str, str]:
    return {"code": "CN", "yaml_text": text}


def test_a_profile_edit_is_checked_and_the_error_names_the_field(superuser_client, profiles):
    row = profiles["CN"]
    bad = row.yaml_text.replace('end: "22:00"', 'end: "25:00"', 1)

    response = superuser_client.post(url(ProfileVersion, "change", row.pk), profile_form(bad))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["yaml_text"]
    assert errors[0].startswith("rules.contact_hours.")
    assert ProfileVersion.objects.filter(code="CN").count() == 1


def test_a_profile_edit_is_saved_as_a_new_active_version(superuser_client, profiles):
    row = profiles["CN"]
    version = row.version
    edited = row.yaml_text.replace('end: "22:00"', 'end: "21:00"', 1).replace(
        f'version: "{version}"', 'version: "lender-7"', 1
    )

    response = superuser_client.post(url(ProfileVersion, "change", row.pk), profile_form(edited))

    assert response.status_code == 302, response.context["adminform"].form.errors
    new = ProfileVersion.objects.get(code="CN", is_active=True)
    assert new.version == "lender-7" and new.edited_by.username == "root"
    row.refresh_from_db()
    assert row.yaml_text == bundled_text("CN") and not row.is_active


def test_an_unchanged_version_number_is_refused(superuser_client, profiles):
    row = profiles["CN"]
    edited = row.yaml_text.replace('end: "22:00"', 'end: "21:00"', 1)

    response = superuser_client.post(url(ProfileVersion, "change", row.pk), profile_form(edited))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["yaml_text"][0].startswith("version:")


def test_a_hold_set_in_the_admin_goes_through_the_service(superuser_client, cn_loan):
    borrower = cn_loan.borrower
    form = {
        "borrower": borrower.pk,
        "account": "",
        "kind": "bankruptcy",
        "start_on": "2025-01-10",
        "review_on": "2025-03-10",
        "reason": "Chapter 7 petition",
        "chapter": "7",
        "prior_dismissals_12m": "0",
        "breathing_space": "",
    }

    missing = superuser_client.post(url(Hold, "add"), {**form, "review_on": ""})
    saved = superuser_client.post(url(Hold, "add"), form)

    assert missing.status_code == 200
    assert "review_on" in missing.context["adminform"].form.errors
    assert saved.status_code == 302
    hold = Hold.objects.get()
    assert (hold.kind, hold.set_by_name, hold.chapter) == ("bankruptcy", "root", 7)


def test_a_hold_is_lifted_in_the_admin_with_a_reason(superuser_client, cn_loan, cn_clock):
    hold = set_hold(
        borrower=cn_loan.borrower,
        kind="attorney",
        start_on=dt.date(2025, 1, 10),
        review_on=dt.date(2025, 3, 10),
        reason="represented",
        clock=cn_clock,
    )

    response = superuser_client.post(
        url(Hold, "change", hold.pk), {"lift_with_reason": "attorney withdrew"}
    )

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lift_reason == "attorney withdrew"
    assert superuser_client.post(url(Hold, "delete", hold.pk), {"post": "yes"}).status_code == 403


def test_stated_times_are_checked_in_the_admin(superuser_client, cn_loan):
    response = superuser_client.post(
        url(ContactPreference, "add"),
        {
            "borrower": cn_loan.borrower.pk,
            "inconvenient_times": '[{"start": "9am", "end": "12:00"}]',
            "agreed_times": "[]",
            "inconvenient_places": "[]",
            "workplace_addresses": "[]",
            "workplace_consent_addresses": "[]",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["inconvenient_times"]
    assert errors[0].startswith("inconvenient_times[0].start")
    assert not ContactPreference.objects.exists()


def test_an_opt_out_recorded_in_the_admin_is_honoured(superuser_client, cn_loan, cn_clock):
    borrower = cn_loan.borrower
    response = superuser_client.post(
        url(OptOut, "add"),
        {"borrower": borrower.pk, "channel": "sms", "address": "", "source": "letter"},
    )

    assert response.status_code == 302
    assert OptOut.objects.get().recorded_by.username == "root"
    refused = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="sms",
        address=mobile_of(borrower),
        purpose="servicing",
        clock=cn_clock,
    )
    assert refused.denied_rule_ids == ["channel.opt_out"]


def test_a_decision_shows_its_inputs(superuser_client, records):
    decision = records["refused"]

    page = superuser_client.get(url(Decision, "change", decision.pk))

    html = page.content.decode()
    assert decision.request_id in html
    assert "争议" in html  # the Chinese reason of hold.dispute
    assert utc(2025, 1, 15, 2, 0).isoformat() in html  # the snapshot's `now`


def test_the_add_borrower_page_still_loads(superuser_client):
    assert superuser_client.get(url(Borrower, "add")).status_code == 200
