"""The bundled compliance profiles and notice templates, and a loan falling due in February."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.core.clock import FixedClock

#: The first instalment of a loan opened on 15 January 2025 falls due on 15 February 2025.
FIRST_DUE = dt.date(2025, 2, 15)


def morning_of(day: dt.date) -> FixedClock:
    """09:00 in Shanghai on `day`."""
    return FixedClock(dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC))


@pytest.fixture
def templates(db):  # type: ignore[no-untyped-def]
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    return load_templates()


@pytest.fixture
def loan(templates):  # type: ignore[no-untyped-def]
    """A CNY loan of a Shanghai borrower (mobile, e-mail, postal address), first due 15 Feb."""
    from tests.factories import make_loan_account

    account = make_loan_account()
    assert account.obligations.order_by("due_on").first().due_on == FIRST_DUE
    return account


# The channels' real local servers (SMTP, the SMS provider stub), a letter folder, and the
# compliance fixtures they use (tests/engagement/channel_support.py).
from tests.engagement.channel_support import (  # noqa: E402, F401
    cn_clock,
    cn_loan,
    letter_dir,
    profiles,
    sms_provider,
    smtp_server,
)
