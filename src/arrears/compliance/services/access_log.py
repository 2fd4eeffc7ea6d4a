"""The audit trail of staff views of personal data: who opened which borrower's page, when."""

from __future__ import annotations

from typing import Any

from arrears.compliance.models import PersonalDataAccess
from arrears.core.clock import Clock, SystemClock
from arrears.servicing.models import Borrower


def record_personal_data_access(
    *, user: Any, borrower: Borrower, what: str, path: str, clock: Clock | None = None
) -> PersonalDataAccess:
    """Record that `user` opened `what` (e.g. "account 360°") about `borrower` at `path`."""
    return PersonalDataAccess.objects.create(
        user=user,
        borrower=borrower,
        accessed_at=(clock or SystemClock()).now(),
        what=what[:80],
        path=path[:300],
    )
