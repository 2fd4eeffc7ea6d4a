"""How many days before a change of product terms takes effect the borrower must be told.

Data, not code paths: one figure per jurisdiction, overridable by the lender's settings
(`ARREARS_TERMS_CHANGE_NOTICE_DAYS`). Where the figure is not verified against the source text it
says so, and it is set on the conservative (longer) side.

- US: 45 days before a significant change in terms of a credit-card (open-end) account takes
  effect — Reg Z, 12 CFR 1026.9(c)(2).
- GB: 30 days — the figure the lender's brief gives for UK regulated running-account credit
  (CCA 1974 s.82 and the Consumer Credit (Notice of Variation of Agreements) rules)
  **[UNVERIFIED: not in shared/reference/regulations.md]**.
- CN: 45 days — conservative default; the credit-card supervision rules are understood to
  require notice of a rate or fee change at least 45 natural days ahead
  **[UNVERIFIED: not in shared/reference/regulations.md]**.
- IE: 60 days — conservative default (two months, as for framework payment contracts)
  **[UNVERIFIED: not in shared/reference/regulations.md]**.
- Anything else: the longest figure above.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

NOTICE_DAYS: Mapping[str, int] = {"US": 45, "GB": 30, "CN": 45, "IE": 60}

#: Applied to a jurisdiction with no figure of its own: the longest known notice period.
FALLBACK_NOTICE_DAYS = max(NOTICE_DAYS.values())


def notice_days_for(jurisdiction: str, overrides: Mapping[str, int] | None = None) -> int:
    """The notice period of a jurisdiction, the lender's override first."""
    code = jurisdiction.upper()
    if overrides and code in overrides:
        return int(overrides[code])
    return NOTICE_DAYS.get(code, FALLBACK_NOTICE_DAYS)


def earliest_effective_date(announced_on: date, notice_days: int) -> date:
    """The first day a change announced on `announced_on` may take effect."""
    return announced_on + timedelta(days=notice_days)
