"""Callers of the API: a user per role, each with an API token, and a client that sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from arrears.identity.choices import Role
from arrears.identity.services import ensure_roles, grant_role, issue_token


class ApiClient:
    """A Django test client that authenticates with a bearer token and speaks JSON."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path,
            body,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )


@pytest.fixture
def roles(db):  # type: ignore[no-untyped-def]
    return ensure_roles()


@pytest.fixture
def api_as(roles) -> Callable[[str | None], ApiClient]:  # type: ignore[no-untyped-def]
    """`api_as("agent")`: a client holding a token of a user in that role (None: no role)."""

    def make(role: str | None) -> ApiClient:
        user = get_user_model().objects.create_user(username=f"{role or 'nobody'}-user")
        if role:
            grant_role(user=user, role=Role(role))
        _token, secret = issue_token(user=user, name="tests")
        return ApiClient(secret)

    return make


@pytest.fixture
def agent_api(api_as) -> ApiClient:  # type: ignore[no-untyped-def]
    return api_as("agent")


@pytest.fixture
def supervisor_api(api_as) -> ApiClient:  # type: ignore[no-untyped-def]
    return api_as("supervisor")


@pytest.fixture
def compliance_api(api_as) -> ApiClient:  # type: ignore[no-untyped-def]
    return api_as("compliance")


@pytest.fixture
def loan(db):  # type: ignore[no-untyped-def]
    """A 12,000 CNY loan over 12 months opened on 15 January 2025."""
    from tests.factories import make_loan_account

    return make_loan_account()


@pytest.fixture
def card(db):  # type: ignore[no-untyped-def]
    from tests.factories import make_card_account

    return make_card_account()


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem detail with this status (and field, when given)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:arrears:problem:")
    assert problem["title"] and problem["detail"]
    if field is not None:
        assert problem["field"] == field, problem
    return problem
