"""A Shanghai borrower with a loan, a New York borrower with a card, and the bundled profiles."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.clock import FixedClock

UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


#: Wednesday 15 January 2025, 10:00 in Shanghai.
CN_MORNING = utc(2025, 1, 15, 2, 0)
#: Wednesday 15 January 2025, 10:00 in New York.
NY_MORNING = utc(2025, 1, 15, 15, 0)
US_MOBILE = "+1 212 555 0142"
US_MOBILE_E164 = "+12125550142"


@pytest.fixture
def profiles(db):  # type: ignore[no-untyped-def]
    """The bundled jurisdiction profiles, stored as active versions."""
    from arrears.compliance.services import load_profiles

    return {row.code: row for row in load_profiles()}


@pytest.fixture
def cn_clock() -> FixedClock:
    return FixedClock(CN_MORNING)


@pytest.fixture
def ny_clock() -> FixedClock:
    return FixedClock(NY_MORNING)


@pytest.fixture
def cn_loan(profiles):  # type: ignore[no-untyped-def]
    """A CNY loan of a borrower in Shanghai with one mobile number and an e-mail address."""
    from tests.factories import make_loan_account

    return make_loan_account()


@pytest.fixture
def us_card(profiles):  # type: ignore[no-untyped-def]
    """A US card of a borrower in New York with a Manhattan mobile number."""
    from tests.factories import make_borrower, make_card_account

    borrower = make_borrower(
        country="US",
        region="NY",
        city="New York",
        phones=[US_MOBILE],
        preferred_language="en",
        full_name="Jane Roe",
    )
    return make_card_account(product_code="us_card_rewards", borrower=borrower)


def mobile_of(borrower) -> str:  # type: ignore[no-untyped-def]
    return borrower.contact_points.get(kind="mobile").value


# the API's callers (a user per role with a token), shared with the servicing API tests
from tests.api.conftest import (  # noqa: E402
    agent_api,
    api_as,
    compliance_api,
    roles,
    supervisor_api,
)

__all__ = ["agent_api", "api_as", "compliance_api", "roles", "supervisor_api"]
