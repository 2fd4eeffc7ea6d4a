"""The words of a plan's terms, in English and Chinese, as the borrower reads them before agreeing.

Written once when the plan is proposed, from the option as priced, and stored with the plan; the
acceptance records which of the two texts the borrower was shown. A plan is never agreed to on
words written later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

#: The Django language codes a plan's terms are written in.
TERMS_LANGUAGES = ("en", "zh-hans")


def terms_digest(terms: Mapping[str, Any], schedule: list[Mapping[str, Any]]) -> str:
    """SHA-256 of the option's terms and schedule (canonical JSON): what an acceptance names."""
    canonical = json.dumps(
        {"terms": terms, "schedule": schedule}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def terms_text(
    terms: Mapping[str, Any],
    schedule: list[Mapping[str, Any]],
    *,
    language: str,
    grace_days: int,
    re_age_after: int | None,
) -> str:
    """The plan's terms in one language: the path, the instalments, the totals, the conditions."""
    code = "zh" if language.startswith("zh") else "en"
    with translation.override(language):
        lines = [
            _("Repayment plan: %(option)s") % {"option": terms["text"][code]},
            *(f"- {phase['text'][code]}" for phase in terms["phases"]),
            _("%(count)d instalments from %(first)s to %(last)s.")
            % {
                "count": len(schedule),
                "first": schedule[0]["due_on"],
                "last": schedule[-1]["due_on"],
            },
            _("Total to pay: %(total)s %(currency)s, of which interest %(interest)s.")
            % {
                "total": terms["total_payment"]["amount"],
                "currency": terms["currency"],
                "interest": terms["total_interest"]["amount"],
            },
        ]
        if terms["forgiven"]["minor"]:
            lines.append(
                _("We forgive %(amount)s %(currency)s of what is owed.")
                % {"amount": terms["forgiven"]["amount"], "currency": terms["currency"]}
            )
        lines.extend(
            _("%(number)d. %(due_on)s: %(amount)s %(currency)s")
            % {
                "number": row["number"],
                "due_on": row["due_on"],
                "amount": row["payment"],
                "currency": terms["currency"],
            }
            for row in schedule
        )
        lines.append(
            _(
                "An instalment not paid within %(days)d days of its due date ends the plan, and "
                "the account returns to its original terms with the arrears still owed."
            )
            % {"days": grace_days}
        )
        if "waive_annual_fee" in terms:
            lines.append(
                _("An annual fee charged while the plan is kept is waived.")
                if terms["waive_annual_fee"]
                else _(
                    "An annual fee charged while the plan is kept is owed on top of the plan, as "
                    "the card's contract says."
                )
            )
        if re_age_after:
            lines.append(
                _(
                    "After %(count)d instalments in a row paid on time, the account is treated as "
                    "up to date again."
                )
                % {"count": re_age_after}
            )
        lines.append(
            _(
                "Free, independent debt advice is available; ask us for the services near you. "
                "If your situation changes, tell us and we will look at the plan again."
            )
        )
    return "\n".join(lines)
