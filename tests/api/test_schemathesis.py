"""The API keeps the promises of its OpenAPI document, whatever a client sends.

Schemathesis generates requests from /api/v1/openapi.json and sends them to the Django WSGI
app in-process (inside the test's transaction), authenticated with a supervisor's token. Every
response must be no 5xx, have a documented status and content type, match its schema, and an
operation that succeeds must refuse the same request without a token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import ALL_CHECKS

from arrears.config.wsgi import application
from tests.api import hypothesis_compat
from tests.api.conftest import ApiClient

hypothesis_compat.install()

# django-ninja writes OpenAPI 3.1 (nullable fields are `anyOf [..., null]`); schemathesis 3.x
# validates 3.1 responses behind this switch
schemathesis.experimental.OPEN_API_3_1.enable()
schema = schemathesis.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Let requests use the test's connection: Django closes it around a request otherwise
    (the test client disconnects these handlers for the same reason)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def portfolio(db, supervisor_api: ApiClient) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    """Real rows for the generated ids to hit: a loan with a payment, a card, borrowers."""
    from arrears.servicing.services.payments import post_payment
    from tests.factories import cny, make_card_account, make_loan_account

    loan = make_loan_account()
    card = make_card_account()
    payment, _created = post_payment(
        account=loan,
        amount=cny("100.00"),
        received_on=loan.opened_on,
        idempotency_key="schemathesis-seed",
    )
    return {
        "account_id": [loan.pk, card.pk],
        "borrower_id": [loan.borrower_id, card.borrower_id],
        "payment_id": [payment.pk],
    }


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
def test_the_api_honours_its_openapi_document(
    case, in_test_transaction, portfolio, supervisor_api: ApiClient
):  # type: ignore[no-untyped-def]
    # two generated ids in three are swapped for real ones, so operations get past the 404
    for name, ids in portfolio.items():
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, int) and value % 3:
            case.path_parameters[name] = ids[value % len(ids)]

    case.call_and_validate(headers=supervisor_api.headers, checks=ALL_CHECKS)
