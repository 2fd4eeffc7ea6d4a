"""The OpenAPI document: served, complete about errors and auth, and never a float for money."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def document() -> dict:  # type: ignore[type-arg]
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_the_interactive_docs_are_served():
    assert Client().get("/api/v1/docs").status_code == 200


#: What a borrower reaches without signing in: the desk's status (an outage notice shown on every
#: channel), the knowledge base they search before opening a ticket, and the survey answered with
#: the token its link carries (the token is the credential).
PUBLIC_OPERATIONS = {
    ("get", "/api/v1/care/status"),
    ("get", "/api/v1/care/kb/search"),
    ("get", "/api/v1/care/kb/public/{slug}"),
    ("post", "/api/v1/care/surveys/{token}"),
}


def test_every_operation_but_the_public_ones_needs_a_token_or_a_session(document):
    schemes = document["components"]["securitySchemes"]

    assert schemes["ApiTokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    public = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) in PUBLIC_OPERATIONS:
                public.add((method, path))
                assert "security" not in operation, path
                continue
            assert operation["security"] == [{"ApiTokenAuth": []}, {"SessionAuth": []}], path
            assert "401" in operation["responses"], (method, path)
    assert public == PUBLIC_OPERATIONS


def test_every_error_response_is_documented_as_a_problem_detail(document):
    for item in document["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"]


def test_money_is_a_decimal_string_never_a_number(document):
    schemas = document["components"]["schemas"]

    assert schemas["MoneyOut"]["properties"]["amount"]["type"] == "string"
    assert schemas["MoneyOut"]["properties"]["minor"]["type"] == "integer"
    assert schemas["PaymentIn"]["properties"]["amount"]["type"] == "string"


def test_the_payment_operation_requires_the_idempotency_key_header(document):
    operation = document["paths"]["/api/v1/accounts/{account_id}/payments"]["post"]
    header = next(p for p in operation["parameters"] if p["in"] == "header")

    assert (header["name"], header["required"]) == ("Idempotency-Key", True)
    assert {"200", "201", "409", "422"} <= set(operation["responses"])


def test_an_unknown_body_field_is_refused_by_name(agent_api):
    response = agent_api.post(
        "/api/v1/borrowers", {"reference": "B1", "full_name": "x", "country": "CN", "phone": "1"}
    )

    assert_problem(response, 422, field="phone")


def test_a_body_that_is_not_json_is_a_bad_request(agent_api):
    response = agent_api.client.post(
        "/api/v1/borrowers", "{not json", content_type="application/json", headers=agent_api.headers
    )

    assert_problem(response, 400)
