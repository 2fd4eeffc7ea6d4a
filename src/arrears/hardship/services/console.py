"""The agent console's hardship step: take the borrower's financial statement on an account and
price every option for it in one go (the options shown side by side)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from arrears.core.clock import Clock, SystemClock
from arrears.hardship.choices import AssessmentSource
from arrears.hardship.services.assessments import take_assessment
from arrears.hardship.services.options import PricedOptions, price_options
from arrears.servicing.models import Account


@transaction.atomic
def assess_and_price(
    *,
    account: Account,
    statement: Mapping[str, Any],
    taken_by: Any = None,
    notes: str = "",
    clock: Clock | None = None,
) -> PricedOptions:
    """Store the statement as an agent's assessment of the account's borrower and price the
    account's options on today's business date. A bad field is refused by name and nothing
    is stored."""
    now = (clock or SystemClock()).now()
    assessment = take_assessment(
        borrower=account.borrower,
        statement=statement,
        source=AssessmentSource.AGENT,
        accounts=[account],
        taken_by=taken_by,
        notes=notes,
        clock=clock,
    )
    return price_options(account=account, assessment=assessment, as_of=timezone.localdate(now))
