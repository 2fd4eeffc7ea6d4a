"""Taking a borrower's financial statement (还款能力评估) and storing the affordability as taken."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.errors import ValidationError
from arrears.core.hardship.affordability import assess_affordability
from arrears.core.hardship.assessment import parse_statement
from arrears.core.hardship.policy import bundled_hardship_policy
from arrears.core.products import JURISDICTIONS
from arrears.hardship import wire
from arrears.hardship.choices import AssessmentSource
from arrears.hardship.models import Assessment
from arrears.servicing.models import Account, Borrower
from arrears.servicing.services.products import product_terms

#: The longest notes an agent may keep with an assessment.
MAX_NOTES = 4000


@transaction.atomic
def take_assessment(
    *,
    borrower: Borrower,
    statement: Mapping[str, Any],
    source: AssessmentSource | str,
    accounts: Sequence[Account] = (),
    taken_by: Any = None,
    notes: str = "",
    clock: Clock | None = None,
) -> Assessment:
    """Check the statement with the core, work out affordability, and store both as taken.

    `statement` is the JSON document `core.hardship.assessment.parse_statement` reads (amounts
    as decimal strings, a month each). Every account must be the borrower's and in the
    statement's currency. A bad field is refused by name and nothing is stored.
    """
    now = (clock or SystemClock()).now()
    if source not in AssessmentSource.values:
        raise ValidationError(
            "source", _("must be one of %(names)s") % {"names": ", ".join(AssessmentSource.values)}
        )
    if len(notes) > MAX_NOTES:
        raise ValidationError("notes", _("must be at most %(n)d characters") % {"n": MAX_NOTES})
    parsed = parse_statement(statement)
    _check_accounts(borrower, accounts, parsed.currency)
    policy = bundled_hardship_policy(_jurisdiction(borrower, accounts))
    affordability = assess_affordability(parsed, policy=policy.affordability)
    document = wire.affordability_document(affordability)
    assessment = Assessment.objects.create(
        borrower=borrower,
        source=source,
        taken_by=taken_by if getattr(taken_by, "pk", None) else None,
        currency=parsed.currency,
        region=parsed.region,
        adults=parsed.household.adults,
        dependants=parsed.household.dependants,
        employment=str(parsed.employment),
        reason=str(parsed.reason),
        temporary=parsed.temporary,
        expected_recovery_months=parsed.expected_recovery_months,
        vulnerabilities=sorted(str(flag) for flag in parsed.vulnerabilities),
        is_vulnerable=bool(parsed.vulnerabilities),
        statement=wire.jsonable(dict(statement)),
        income_minor=affordability.income.minor,
        disposable_income_minor=affordability.disposable_income.minor,
        affordable_payment_minor=affordability.affordable_payment.minor,
        affordability={k: v for k, v in document.items() if k != "explanation"},
        explanation=document["explanation"],
        notes=notes.strip(),
        taken_on=timezone.localdate(now),
        taken_at=now,
    )
    if accounts:
        assessment.accounts.set(accounts)
    return assessment


def _check_accounts(borrower: Borrower, accounts: Sequence[Account], currency: str) -> None:
    for i, account in enumerate(accounts):
        if account.borrower_id != borrower.pk:
            raise ValidationError(f"accounts[{i}]", _("is not an account of this borrower"))
        if account.currency != currency:
            raise ValidationError(
                "currency",
                _("the statement is in %(given)s but account %(number)s is in %(currency)s")
                % {"given": currency, "number": account.number, "currency": account.currency},
            )


def _jurisdiction(borrower: Borrower, accounts: Sequence[Account]) -> str:
    """The hardship policy's jurisdiction: the first account's product, else the borrower's
    country (GB for the United Kingdom)."""
    if accounts:
        return product_terms(accounts[0].product).jurisdiction
    country = (borrower.country or "").upper()
    if country in JURISDICTIONS:
        return country
    code = profile_code_for(country, field="borrower.country")
    return "GB" if code == "UK" else code
