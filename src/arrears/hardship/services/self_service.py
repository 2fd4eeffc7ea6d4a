"""The borrower's own "I'm having trouble paying" path in the portal (还款困难自助).

Every read and write here starts from the borrower: an account, assessment or plan that is not
theirs is `NotFound`, never another borrower's. The figures are the hardship app's own
(`take_assessment`, `price_options`, `propose_plan`, `accept_plan`): the portal shows exactly
what an agent would quote, and accepting pauses collection as any active plan does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from arrears.core.clock import Clock
from arrears.core.errors import NotFound
from arrears.core.hardship.labels import label, option_label, phase_label
from arrears.core.money import Money
from arrears.hardship.choices import AcceptedVia
from arrears.hardship.models import Article, Assessment, DebtAdviceService, Plan
from arrears.hardship.selectors import debt_advice_for_borrower, published_articles
from arrears.hardship.services.options import PricedOptions, price_options
from arrears.hardship.services.plans import accept_plan, propose_plan
from arrears.servicing.choices import AccountStatus
from arrears.servicing.models import Account, Borrower


def accounts_for_help(borrower: Borrower) -> QuerySet[Account]:
    """The borrower's open accounts: the ones a plan can be asked for."""
    return (
        Account.objects.filter(borrower=borrower, status=AccountStatus.OPEN)
        .select_related("product")
        .order_by("number")
    )


def borrower_account(borrower: Borrower, account_id: int) -> Account:
    """One of the borrower's own open accounts (another borrower's is not found)."""
    account = accounts_for_help(borrower).filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("no such account"))
    return account


def borrower_assessment(borrower: Borrower, assessment_id: int) -> Assessment:
    """One of the borrower's own financial statements."""
    assessment = Assessment.objects.filter(borrower=borrower, pk=assessment_id).first()
    if assessment is None:
        raise NotFound(_("no such financial statement"))
    return assessment


def options_for_borrower(
    *, borrower: Borrower, assessment_id: int, account_id: int, as_of: dt.date
) -> PricedOptions:
    """The options priced for one of the borrower's accounts on their own statement."""
    return price_options(
        account=borrower_account(borrower, account_id),
        assessment=borrower_assessment(borrower, assessment_id),
        as_of=as_of,
    )


def borrower_plans(borrower: Borrower) -> QuerySet[Plan]:
    """Every plan on the borrower's accounts, newest first."""
    return (
        Plan.objects.filter(account__borrower=borrower)
        .select_related("account")
        .order_by("-proposed_at", "-id")
    )


def borrower_plan(borrower: Borrower, plan_id: int) -> Plan:
    """One of the borrower's own plans (another borrower's is not found)."""
    plan = borrower_plans(borrower).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("no such plan"))
    return plan


@transaction.atomic
def apply_for_plan(
    *,
    borrower: Borrower,
    assessment_id: int,
    account_id: int,
    option_id: str,
    language: str,
    accepted_by: Any = None,
    as_of: dt.date,
    clock: Clock | None = None,
) -> Plan:
    """The borrower chooses one of their priced options and agrees to it in the portal.

    The plan is proposed (priced again, refused when it does not fit) and accepted on the terms
    in the borrower's language at once; it starts today, so collection's treatment pauses.
    """
    plan = propose_plan(
        account=borrower_account(borrower, account_id),
        assessment=borrower_assessment(borrower, assessment_id),
        option_id=option_id,
        as_of=as_of,
        clock=clock,
    )
    return accept_plan(
        plan=plan,
        via=AcceptedVia.PORTAL,
        language=language,
        accepted_by=accepted_by,
        terms_digest=plan.terms_digest,
        on=as_of,
        clock=clock,
    )


# --- what the pages show ------------------------------------------------------------------------

#: Reasons about the lender's own value: true, but not what a borrower chooses by.
_LENDER_ONLY_REASONS = frozenset(
    {"above_collection_value", "below_collection_value", "best_expected_value", "ahead_of_next"}
)


@dataclass(frozen=True)
class OptionRow:
    """One priced option as the borrower compares it: what they pay a month and in total, and
    what it costs them over what they owe today (negative: a saving, as in a settlement)."""

    id: str
    name: str
    steps: tuple[str, ...]
    recommended: bool
    fits: bool
    months: int
    first_payment: Money
    largest_payment: Money
    total_payment: Money
    total_interest: Money
    forgiven: Money
    extra_cost: Money


@dataclass(frozen=True)
class OptionsPage:
    priced: PricedOptions
    rows: tuple[OptionRow, ...]
    reasons: tuple[str, ...]
    affordable_payment: Money
    owed_today: Money

    @property
    def fitting(self) -> tuple[OptionRow, ...]:
        return tuple(row for row in self.rows if row.fits)

    @property
    def out_of_reach(self) -> tuple[OptionRow, ...]:
        return tuple(row for row in self.rows if not row.fits)

    @property
    def fitting_count(self) -> int:
        return len(self.fitting)


def options_page(priced: PricedOptions, *, language: str) -> OptionsPage:
    """The priced options in the borrower's words and language: the recommended first, then
    those that fit (cheapest in total first), then those that do not."""
    lang = "zh" if language.startswith("zh") else "en"
    chosen = priced.recommended.id if priced.recommended else None
    rows = [
        OptionRow(
            id=option.id,
            name=option_label(option, lang),
            steps=tuple(phase_label(phase, lang) for phase in option.phases),
            recommended=option.id == chosen,
            fits=option.fits,
            months=option.months,
            first_payment=option.first_payment,
            largest_payment=option.max_payment,
            total_payment=option.total_payment,
            total_interest=option.total_interest,
            forgiven=option.schedule.forgiven,
            extra_cost=option.total_payment - option.schedule.owed_at_start,
        )
        for option in priced.options
    ]
    rows.sort(key=lambda r: (not r.recommended, not r.fits, r.total_payment.amount, r.months))
    recommendation = priced.offer.recommendation
    reasons = tuple(
        label("reason", reason.key, lang, reason.params)
        for reason in recommendation.reasons
        if reason.key not in _LENDER_ONLY_REASONS
    )
    return OptionsPage(
        priced=priced,
        rows=tuple(rows),
        reasons=reasons,
        affordable_payment=priced.offer.affordability.affordable_payment,
        owed_today=priced.options[0].schedule.owed_at_start
        if priced.options
        else Money.zero(priced.account.currency),
    )


@dataclass(frozen=True)
class HelpOverview:
    """What the "trouble paying" page shows beside the statement form."""

    accounts: list[Account]
    plans: list[Plan]
    articles: list[Article]
    debt_advice: list[DebtAdviceService]


def help_overview(borrower: Borrower) -> HelpOverview:
    return HelpOverview(
        accounts=list(accounts_for_help(borrower)),
        plans=list(borrower_plans(borrower)[:10]),
        articles=list(published_articles()),
        debt_advice=list(debt_advice_for_borrower(borrower)),
    )
