"""POST /api/v1/budget: the borrower's own budget planner, month by month (stores nothing)."""

from __future__ import annotations

import pytest

from arrears.hardship.models import Assessment
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db

BUDGET = {
    "currency": "CNY",
    "incomes": [{"source": "wages", "amount": "6000.00"}],
    "expenses": [
        {"category": "housing", "amount": "2000.00"},
        {"category": "food_housekeeping", "amount": "1500.00"},
        {"category": "eating_out", "amount": "500.00"},
    ],
    "debt_payments": "1500.00",
    "savings": "1000.00",
    "months": 6,
    "start_on": "2026-07-01",
    "one_offs": [{"month": 3, "label": "school fee", "amount": "2000.00"}],
}


def test_a_borrower_sees_what_can_go_to_debts_and_the_month_a_school_fee_leaves_them_short(
    agent_api,
):
    response = agent_api.post("/api/v1/budget", BUDGET)

    assert response.status_code == 200, response.content
    body = response.json()
    # 6,000 − 2,000 − 1,500 − 500 (their own plan: eating out counts) = 2,000 a month for debts
    assert body["can_go_to_debts"]["amount"] == "2000.00"
    assert body["non_essential"]["amount"] == "500.00"
    months = body["months"]
    assert [m["month_on"] for m in months][:3] == ["2026-07-01", "2026-08-01", "2026-09-01"]
    # 1,000 saved + 500 left over in July and August; September's fee: 2,000 − 2,000 − 1,500
    assert [m["running_balance"]["amount"] for m in months[:3]] == ["1500.00", "2000.00", "500.00"]
    assert months[2]["one_off"]["amount"] == "2000.00" and not months[2]["short"]
    assert body["first_short_month"] is None
    assert not Assessment.objects.exists()


def test_a_month_that_would_leave_the_borrower_short_is_flagged_before_it_comes(agent_api):
    tight = {
        **BUDGET,
        "savings": "0.00",
        "one_offs": [{"month": 2, "label": "repair", "amount": "1200.00"}],
    }

    body = agent_api.post("/api/v1/budget", tight).json()

    assert body["first_short_month"] == 2
    assert [m["short"] for m in body["months"][:3]] == [False, True, False]


def test_a_bad_budget_line_is_refused_by_its_place(agent_api):
    bad = {**BUDGET, "expenses": [{"category": "yachts", "amount": "10.00"}]}
    assert_problem(agent_api.post("/api/v1/budget", bad), 422, "expenses[0].category")

    late = {**BUDGET, "months": 2}
    assert_problem(agent_api.post("/api/v1/budget", late), 422, "one_offs[0].month")


def test_the_budget_planner_needs_a_signed_in_user_with_a_role(api_as):
    assert_problem(api_as(None).post("/api/v1/budget", BUDGET), 403)


def test_an_amount_finer_than_a_fen_is_refused_by_its_field(agent_api):
    assert_problem(
        agent_api.post("/api/v1/budget", {**BUDGET, "savings": "10.005"}), 422, "savings"
    )
    odd = {**BUDGET, "one_offs": [{"month": 1, "label": "repair", "amount": "1.001"}]}
    assert_problem(agent_api.post("/api/v1/budget", odd), 422, "one_offs[0].amount")
