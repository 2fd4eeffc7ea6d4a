"""Reading accounts over the API: summary, lists with filters, ledger, statements, schedule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.cycle import run_cycle
from tests.api.conftest import assert_problem
from tests.factories import cny, make_card_account, make_loan_account

pytestmark = pytest.mark.django_db


def money(minor: int, amount: str, currency: str = "CNY") -> dict[str, object]:
    return {"minor": minor, "currency": currency, "amount": amount}


def test_the_account_summary_shows_balances_and_dues_in_exact_money(agent_api, loan):
    response = agent_api.get(f"/api/v1/accounts/{loan.pk}", as_of="2025-01-20")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == loan.number
    assert body["status"] == "open"
    assert body["days_past_due"] == 0
    assert body["bucket"]["code"] == "current"
    assert body["as_of"] == "2025-01-20"
    assert body["balances"]["principal"] == money(1200000, "12000.00")
    assert body["balances"]["total"]["currency"] == "CNY"
    assert body["past_due_amount"] == money(0, "0.00")
    assert body["next_due_date"] == "2025-02-15"
    assert body["minimum_due"]["minor"] > 0
    assert isinstance(body["minimum_due"]["amount"], str)


def test_a_late_loan_shows_its_days_past_due_bucket_and_past_due_amount(agent_api, loan):
    age_account(account=loan, as_of=dt.date(2025, 3, 20))

    body = agent_api.get(f"/api/v1/accounts/{loan.pk}", as_of="2025-03-20").json()

    assert body["days_past_due"] == loan.days_past_due > 30
    assert body["bucket"]["code"] == loan.bucket == "M2"
    assert body["past_due_amount"]["minor"] == loan.past_due_minor > 0


def test_accounts_are_filtered_by_status_bucket_and_days_past_due(agent_api):
    late = make_loan_account()
    current = make_loan_account()
    make_card_account()
    age_account(account=late, as_of=dt.date(2025, 3, 20))
    age_account(account=current, as_of=dt.date(2025, 1, 20))

    def numbers(**params: object) -> set[str]:
        response = agent_api.get("/api/v1/accounts", **params)
        assert response.status_code == 200
        return {item["number"] for item in response.json()["items"]}

    assert numbers(min_dpd=1) == {late.number}
    assert numbers(bucket="M2") == {late.number}
    assert current.number in numbers(bucket="current")
    assert len(numbers(status="open")) == 3
    assert numbers(status="charged_off") == set()
    assert_problem(agent_api.get("/api/v1/accounts", status="asleep"), 422, field="status")
    assert_problem(agent_api.get("/api/v1/accounts", min_dpd=-1), 422, field="min_dpd")


def test_accounts_are_paginated(agent_api):
    for _ in range(3):
        make_loan_account()

    page = agent_api.get("/api/v1/accounts", limit=2, offset=2).json()

    assert page["count"] == 3
    assert len(page["items"]) == 1
    assert_problem(agent_api.get("/api/v1/accounts", limit=1000), 422, field="limit")


def test_the_ledger_lists_balanced_entries_with_their_lines(agent_api, card):
    post_purchase(account=card, amount=cny("250.00"), on=dt.date(2025, 1, 20), idempotency_key="p")

    page = agent_api.get(f"/api/v1/accounts/{card.pk}/ledger").json()

    assert page["count"] == 1
    entry = page["items"][0]
    assert entry["kind"] == "purchase"
    assert entry["effective_on"] == "2025-01-20"
    assert sum(line["amount"]["minor"] for line in entry["lines"]) == 0
    assert money(25000, "250.00") in [line["amount"] for line in entry["lines"]]


def test_the_schedule_lists_every_instalment_of_a_loan(agent_api, loan):
    schedule = agent_api.get(f"/api/v1/accounts/{loan.pk}/schedule").json()

    assert [o["number"] for o in schedule] == list(range(1, 13))
    assert schedule[0]["due_on"] == "2025-02-15"
    assert sum(o["principal"]["minor"] for o in schedule) == 1200000
    assert all(o["unpaid"] == o["amount"] for o in schedule)


def test_statements_list_what_the_cycle_billed(agent_api, card):
    post_purchase(account=card, amount=cny("250.00"), on=dt.date(2025, 1, 20), idempotency_key="p")
    run_cycle(through=dt.date(2025, 2, 6))

    statements = agent_api.get(f"/api/v1/accounts/{card.pk}/statements").json()

    assert statements["count"] == 1
    statement = statements["items"][0]
    assert statement["purchases"] == money(25000, "250.00")
    assert statement["new_balance"]["minor"] >= 25000
    assert statement["minimum_due"]["minor"] > 0


@pytest.mark.parametrize("suffix", ["", "/ledger", "/statements", "/schedule"])
def test_an_unknown_account_is_not_found(agent_api, suffix):
    assert_problem(agent_api.get(f"/api/v1/accounts/987654{suffix}"), 404)


def queries(agent_api, path: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert agent_api.get(path).status_code == 200
    return len(captured)


def test_listing_accounts_costs_the_same_queries_for_any_page_length(agent_api):
    make_loan_account()
    agent_api.get("/api/v1/accounts")  # the token's first use is recorded once
    one = queries(agent_api, "/api/v1/accounts")
    for _ in range(4):
        make_card_account()

    # token + user's and groups' permissions + count + page (borrower and product joined)
    assert one == queries(agent_api, "/api/v1/accounts") == 5


def test_the_ledger_and_schedule_cost_the_same_queries_for_any_length(agent_api, card, loan):
    agent_api.get("/api/v1/accounts")
    ledger = f"/api/v1/accounts/{card.pk}/ledger"
    post_purchase(account=card, amount=cny("1.00"), on=dt.date(2025, 1, 16), idempotency_key="a")
    short = queries(agent_api, ledger)
    for n in range(5):
        post_purchase(
            account=card, amount=cny("1.00"), on=dt.date(2025, 1, 17), idempotency_key=f"b{n}"
        )

    # token + permissions (2) + account + count + page + lines
    assert short == queries(agent_api, ledger) == 7
    # token + permissions (2) + account + obligations
    assert queries(agent_api, f"/api/v1/accounts/{loan.pk}/schedule") == 5
