"""GET /api/v1/plans/{id}/terms and the admin: what a plan wrote on the ledger, read back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.servicing.models import ObligationAdjustment, RateOverride, ScheduledInterest
from arrears.servicing.selectors import balances
from tests.api.conftest import assert_problem
from tests.hardship.conftest import set_up_plan
from tests.hardship.test_fees_during_plan import card_on_a_freeze

pytestmark = pytest.mark.django_db


def terms_of(api, plan):  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/plans/{plan.pk}/terms")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_plans_rate_override_and_scheduled_interest_are_shown_as_the_ledger_holds_them(
    agent_api, loan_in_arrears, clock
):
    # given a loan on a holiday-then-re-amortise plan priced on 1 April
    plan = set_up_plan(loan_in_arrears, clock)

    body = terms_of(agent_api, plan)

    # then the contract's rate stops the day after pricing (a 0 % override named for the plan)
    assert body["source"] == f"plan:{plan.pk}" and body["status"] == "active"
    (override,) = body["rate_overrides"]
    assert override["from_on"] == "2025-04-02" and override["until_on"] is None
    assert Decimal(override["apr"]) == 0
    # and the plan's own interest is scheduled instalment by instalment, exactly as priced
    rows = ScheduledInterest.objects.filter(account=loan_in_arrears, source=f"plan:{plan.pk}")
    assert len(body["scheduled_interest"]) == rows.count() > 0
    priced = sum(
        int(Decimal(row["interest_added"]) * 100)
        for row in plan.schedule
        if Decimal(row["interest_added"]) > 0
    )
    assert sum(row["amount"]["minor"] for row in body["scheduled_interest"]) == priced
    holiday = [row for row in body["scheduled_interest"] if row["capitalised"]["minor"]]
    assert holiday, "the holiday's interest is capitalised"
    assert body["entries"] == [] and body["adjustments"] == []


def test_fees_a_plan_waived_are_shown_with_the_dues_they_lowered(agent_api, clock):
    # given a card whose interest freeze waived the fees owed when it started
    card, plan = card_on_a_freeze(clock)

    body = terms_of(agent_api, plan)

    (waiver,) = body["entries"]
    assert waiver["kind"] == "waiver"
    assert waiver["idempotency_key"] == f"waiver:plan:{plan.pk}:fees"
    assert waiver["amount"]["minor"] == plan.terms["forgiven"]["minor"] > 0
    lowered = ObligationAdjustment.objects.filter(entry_id=waiver["id"])
    assert len(body["adjustments"]) == lowered.count() > 0
    assert -sum(a["amount"]["minor"] for a in body["adjustments"]) == waiver["amount"]["minor"]
    assert balances(card).fees.is_zero()


def test_plan_terms_need_the_right_to_read_plans(api_as, loan_in_arrears, clock):
    plan = set_up_plan(loan_in_arrears, clock)

    assert_problem(api_as(None).get(f"/api/v1/plans/{plan.pk}/terms"), 403)
    assert_problem(api_as("agent").get("/api/v1/plans/999999/terms"), 404)


def test_rate_overrides_scheduled_interest_and_adjustments_are_read_only_in_the_admin(
    loan_in_arrears, clock
):
    card_on_a_freeze(clock)
    set_up_plan(loan_in_arrears, clock)
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    for model, row in (
        (RateOverride, RateOverride.objects.first()),
        (ScheduledInterest, ScheduledInterest.objects.first()),
        (ObligationAdjustment, ObligationAdjustment.objects.first()),
    ):
        name = model._meta.model_name
        listing = client.get(reverse(f"admin:servicing_{name}_changelist"))
        assert listing.status_code == 200, name
        assert (
            client.get(reverse(f"admin:servicing_{name}_change", args=[row.pk])).status_code == 200
        )
        assert client.get(reverse(f"admin:servicing_{name}_add")).status_code == 403
        post = client.post(reverse(f"admin:servicing_{name}_change", args=[row.pk]), {})
        assert post.status_code == 403, name
