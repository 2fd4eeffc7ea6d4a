"""Registering and reading borrowers over the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.servicing.models import Borrower, ContactPoint
from tests.api.conftest import assert_problem
from tests.factories import make_borrower

pytestmark = pytest.mark.django_db

NEW_BORROWER = {
    "reference": "B-API-1",
    "full_name": "李四",
    "country": "CN",
    "preferred_language": "zh-hans",
    "email": "lisi@example.com",
    "phones": ["138 0013 8000"],
    "city": "Shanghai",
}


def test_a_borrower_is_registered_with_phones_in_e164(agent_api):
    response = agent_api.post("/api/v1/borrowers", NEW_BORROWER)

    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == "B-API-1"
    assert body["time_zone"] == "Asia/Shanghai"
    assert {(p["kind"], p["value"]) for p in body["contact_points"]} == {
        ("mobile", "+8613800138000"),
        ("email", "lisi@example.com"),
    }
    assert agent_api.get(f"/api/v1/borrowers/{body['id']}").json() == body


def test_a_bad_phone_number_is_refused_by_its_place_and_nothing_is_written(agent_api):
    response = agent_api.post(
        "/api/v1/borrowers", {**NEW_BORROWER, "phones": ["12345", "138 0013 8000"]}
    )

    assert_problem(response, 422, field="phones[0]")
    assert not Borrower.objects.exists()
    assert not ContactPoint.objects.exists()


def test_a_reference_already_taken_is_a_conflict(agent_api):
    agent_api.post("/api/v1/borrowers", NEW_BORROWER)

    response = agent_api.post("/api/v1/borrowers", {**NEW_BORROWER, "phones": []})

    assert_problem(response, 409)
    assert Borrower.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "cn"}, "country"),
        ({"country": "QQ"}, "country"),
        ({"email": "not-an-address"}, "email"),
        ({"full_name": ""}, "full_name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"full_name": "nul\x00byte"}, "full_name"),
    ],
)
def test_bad_borrower_details_are_refused_naming_the_field(agent_api, change, field):
    response = agent_api.post("/api/v1/borrowers", {**NEW_BORROWER, **change})

    assert_problem(response, 422, field=field)
    assert not Borrower.objects.exists()


def test_an_unknown_borrower_is_not_found(agent_api):
    assert_problem(agent_api.get("/api/v1/borrowers/4242"), 404)


def test_listing_borrowers_costs_the_same_queries_for_any_page_length(agent_api):
    make_borrower()
    agent_api.get("/api/v1/borrowers")  # the token's first use is recorded once

    with CaptureQueriesContext(connection) as one:
        short = agent_api.get("/api/v1/borrowers")
    for _ in range(5):
        make_borrower(phones=["+86 138 0013 8000", "+86 21 6321 0000"])
    with CaptureQueriesContext(connection) as six:
        long = agent_api.get("/api/v1/borrowers")

    assert short.json()["count"] == 1
    assert long.json()["count"] == 6
    assert all(len(b["contact_points"]) >= 1 for b in long.json()["items"])
    # token + user's and groups' permissions + count + page + contact points
    assert len(one) == len(six) == 6
