"""Pricing the repayment options for an account and an assessment (no writes).

The account's position — what is owed by component, the contract's instalment and term, the
APR and rounding — is read from servicing's selectors; the statement is the assessment's as
taken. The arithmetic (affordability, schedules, expected values, the recommendation) is the
core's (`core.hardship.offer.price_options`): nothing is computed twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.errors import NotFound, ValidationError
from arrears.core.hardship.assessment import FinancialStatement, parse_statement
from arrears.core.hardship.offer import HardshipOffer
from arrears.core.hardship.offer import price_options as core_price_options
from arrears.core.hardship.options import RepaymentOption
from arrears.core.hardship.position import AccountPosition, position_from_terms
from arrears.core.money import Money
from arrears.core.products import CardTerms, LoanTerms
from arrears.hardship import wire
from arrears.hardship.models import Assessment
from arrears.hardship.services.ledger_terms import interest_fallen_due_not_charged
from arrears.servicing.choices import AccountStatus, ProductKind
from arrears.servicing.models import Account
from arrears.servicing.selectors import (
    accrued_interest,
    balances,
    last_statement,
    unpaid_obligations,
)
from arrears.servicing.selectors.listings import account_schedule
from arrears.servicing.services.products import product_terms


@dataclass(frozen=True)
class PricedOptions:
    """An account's options for an assessment on a date, with the recommendation."""

    account: Account
    assessment: Assessment | None
    as_of: dt.date
    statement: FinancialStatement
    position: AccountPosition
    offer: HardshipOffer

    @property
    def options(self) -> tuple[RepaymentOption, ...]:
        return self.offer.options

    @property
    def recommended(self) -> RepaymentOption | None:
        return self.offer.recommendation.option

    @property
    def debt_advice_jurisdiction(self) -> str:
        return profile_code_for(self.position.jurisdiction)

    def option(self, option_id: str) -> RepaymentOption:
        for option in self.offer.options:
            if option.id == option_id:
                return option
        raise ValidationError(
            "option",
            _("%(id)s is not one of the options priced for this account") % {"id": option_id},
        )

    def document(self) -> dict[str, Any]:
        """The priced options as JSON: what the API and `arrears plan options --json` return."""
        recommendation = self.offer.recommendation
        return {
            "account": {"id": self.account.pk, "number": self.account.number},
            "assessment_id": self.assessment.pk if self.assessment else None,
            "as_of": self.as_of.isoformat(),
            "position": wire.position_document(self.position),
            "affordability": wire.affordability_document(self.offer.affordability),
            "options": wire.options_documents(self.offer.options, recommendation),
            "recommendation": wire.recommendation_document(recommendation),
            "debt_advice_jurisdiction": self.debt_advice_jurisdiction,
        }


def price_options(
    *,
    account: Account,
    assessment: Assessment | None = None,
    statement: FinancialStatement | None = None,
    as_of: dt.date,
) -> PricedOptions:
    """Every option the lender's policy allows for the account, priced, and the recommended one.

    Give a stored `assessment` or a `statement` not (yet) stored — the API's plan-options call
    prices the body it is sent without storing it. A non-affordable option is priced and shown
    but never recommended (the core's rule).
    """
    if statement is None:
        if assessment is None:
            raise ValidationError("assessment", _("is required"))
        statement = statement_of(assessment)
    position = account_position(account, as_of=as_of)
    offer = core_price_options(position=position, statement=statement)
    return PricedOptions(account, assessment, as_of, statement, position, offer)


def statement_of(assessment: Assessment) -> FinancialStatement:
    """The assessment's financial statement, rebuilt exactly as it was taken."""
    return parse_statement(assessment.statement)


def account_position(account: Account, *, as_of: dt.date) -> AccountPosition:
    """Where the account stands on `as_of`: owed by component, the contract's instalment and
    what is left of its term, from servicing's selectors. Interest counts what is charged,
    what fell due and the nightly cycle has not charged yet, and what has accrued through
    `as_of` — what the plan's terms take over from (`ledger_terms`)."""
    if account.status != AccountStatus.OPEN:
        raise ValidationError(
            "account",
            _("is %(status)s: only an open account can be given a plan")
            % {"status": account.get_status_display()},
        )
    if as_of < account.opened_on:
        raise ValidationError("as_of", _("is before the account was opened"))
    terms = product_terms(account.product, on=as_of)
    owed = balances(account, as_of)
    currency = account.currency
    interest = (
        owed.interest
        + interest_fallen_due_not_charged(account, as_of)
        + accrued_interest(account, as_of)
    )
    principal = owed.principal - owed.credit  # an overpayment held goes against what is owed
    if principal.is_negative():
        interest = (interest + principal).max(Money.zero(currency))
        principal = Money.zero(currency)
    if (principal + interest + owed.fees).amount <= 0:
        raise ValidationError("account", _("nothing is owed on this account: no plan is needed"))
    if account.kind == ProductKind.LOAN:
        assert isinstance(terms, LoanTerms)
        return _loan_position(account, terms, principal, interest, owed.fees, as_of)
    assert isinstance(terms, CardTerms)
    return _card_position(account, terms, principal, interest, owed.fees, as_of)


def _loan_position(
    account: Account,
    terms: LoanTerms,
    principal: Money,
    interest: Money,
    fees: Money,
    as_of: dt.date,
) -> AccountPosition:
    schedule = account_schedule(account)
    if not schedule:
        raise NotFound(_("the loan has no repayment schedule"))
    ahead = [o for o in schedule if o.due_on > as_of]
    instalment = (ahead or schedule)[0]
    return position_from_terms(
        terms,
        principal=principal,
        interest=interest,
        fees=fees,
        contractual_instalment=Money.from_minor(int(instalment.amount_minor), account.currency),
        as_of=as_of,
        remaining_months=max(1, len(ahead)),
        repayment_day=account.repayment_day or instalment.due_on.day,
        apr=account.apr if account.apr is not None else terms.apr,
    )


def _card_position(
    account: Account,
    terms: CardTerms,
    principal: Money,
    interest: Money,
    fees: Money,
    as_of: dt.date,
) -> AccountPosition:
    """A card's contract is its minimum payment: the last statement's, else what the product's
    rule would ask on today's balance."""
    from arrears.core.card import minimum_payment

    statement = last_statement(account, as_of)
    minimum = minimum_payment(
        principal_balance=principal,
        interest=interest,
        fees=fees,
        floor=terms.min_payment_floor,
        percent=terms.min_payment_percent,
        rounding=terms.rounding,
    )
    if statement is not None and statement.minimum_due_minor > 0:
        minimum = Money.from_minor(int(statement.minimum_due_minor), account.currency)
    unpaid = unpaid_obligations(account)
    due_day = (unpaid[-1].due_on if unpaid else statement.due_on if statement else as_of).day
    return position_from_terms(
        terms,
        principal=principal,
        interest=interest,
        fees=fees,
        contractual_instalment=minimum,
        as_of=as_of,
        repayment_day=due_day,
    )


def plan_option(priced: PricedOptions, option_id: str) -> RepaymentOption:
    """The option with this id among those priced, refused when it does not fit affordability:
    a plan the borrower cannot keep is never set up."""
    option = priced.option(option_id)
    if not option.fits:
        raise ValidationError(
            "option",
            _(
                "%(id)s asks more than the borrower can afford (instalment %(number)s); "
                "choose an option that fits"
            )
            % {"id": option_id, "number": option.first_unaffordable},
        )
    return option


def account_by_id_or_number(identifier: str) -> Account:
    """The account with this number, else with this numeric id (what the CLI accepts)."""
    found = Account.objects.select_related("borrower", "product").filter(number=identifier).first()
    if found is None and identifier.strip().isdigit():
        found = (
            Account.objects.select_related("borrower", "product").filter(pk=int(identifier)).first()
        )
    if found is None:
        raise NotFound(_("no account with number or id %(id)s") % {"id": identifier})
    return found
