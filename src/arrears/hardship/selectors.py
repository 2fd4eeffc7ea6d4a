"""Every read of the hardship app: plans in force, vulnerability, standings, articles, advice.

Collection reads `active_plan_for` / `active_plans_in_bulk` (a plan in force pauses its
treatment) and `is_vulnerable` / `hardship_flags_in_bulk` (vulnerable borrowers go to trained
staff and gentler treatment); the nightly batch uses the bulk forms, a handful of queries for
any number of accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from arrears.common.bulk import among
from arrears.compliance.services.gate import jurisdiction_of
from arrears.core.errors import NotFound
from arrears.hardship.choices import LIVE_STATUSES, PlanAgeing, PlanStatus
from arrears.hardship.matching import Instalment, Standing, match_payments
from arrears.hardship.models import (
    Article,
    Assessment,
    DebtAdviceService,
    Plan,
    PlanInstalment,
)
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import (
    Account,
    Borrower,
    JournalEntry,
    ObligationAdjustment,
    RateOverride,
    ScheduledInterest,
)
from arrears.servicing.selectors import posted_payments_in_bulk


# --- plans in force -----------------------------------------------------------------------------
def active_plan_for(account: Account | int) -> Plan | None:
    """The account's active plan, if it has one (collection pauses its treatment)."""
    account_id = account if isinstance(account, int) else account.pk
    return Plan.objects.filter(account_id=account_id, status=PlanStatus.ACTIVE).first()


def active_plans_in_bulk(account_ids: Collection[int]) -> dict[int, Plan]:
    """The active plan of each of these accounts that has one, in one query."""
    if not account_ids:
        return {}
    plans = Plan.objects.filter(account_id__in=list(account_ids), status=PlanStatus.ACTIVE)
    return {plan.account_id: plan for plan in plans}


def live_plan_for(account: Account) -> Plan | None:
    """The account's accepted or active plan (at most one)."""
    return Plan.objects.filter(account=account, status__in=LIVE_STATUSES).first()


def accounts_with_active_plan(*, as_of: dt.date, ageing: PlanAgeing | None = None) -> list[int]:
    """Accounts (ids) whose plan was active on `as_of` (activated by then, not yet ended)."""
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE, activated_on__lte=as_of)
    if ageing is not None:
        plans = plans.filter(ageing=ageing)
    return list(plans.values_list("account_id", flat=True))


def plan_standings_in_bulk(
    account_ids: Collection[int], *, as_of: dt.date
) -> Iterator[tuple[Plan, list[Standing]]]:
    """Each active plan of these accounts with how its instalments stand on `as_of`.

    Three queries (plans, instalments, payments) whatever the number of accounts.
    """
    plans = list(
        Plan.objects.filter(
            account_id__in=list(account_ids),
            status=PlanStatus.ACTIVE,
            activated_on__lte=as_of,
        )
    )
    if not plans:
        return
    instalments = instalments_of_plans([p.pk for p in plans])
    starts = min(plan.activated_on for plan in plans if plan.activated_on is not None)
    payments = posted_payments_in_bulk(
        [p.account_id for p in plans], received_from=starts, received_through=as_of
    )
    for plan in plans:
        yield plan, standings_of(plan, instalments.get(plan.pk, []), payments, as_of=as_of)


def standings_of(
    plan: Plan,
    instalments: list[PlanInstalment],
    payments: dict[int, list[tuple[dt.date, int]]],
    *,
    as_of: dt.date,
) -> list[Standing]:
    """The plan's standings from its instalments and the account's payments since it began."""
    assert plan.activated_on is not None
    since = plan.activated_on
    return match_payments(
        [Instalment(i.number, i.due_on, int(i.amount_minor)) for i in instalments],
        [(on, minor) for on, minor in payments.get(plan.account_id, []) if on >= since],
        as_of=as_of,
        grace_days=plan.grace_days,
    )


def instalments_of_plans(plan_ids: Collection[int]) -> dict[int, list[PlanInstalment]]:
    found: dict[int, list[PlanInstalment]] = {}
    for instalment in PlanInstalment.objects.filter(plan_id__in=list(plan_ids)).order_by(
        "plan_id", "number"
    ):
        found.setdefault(instalment.plan_id, []).append(instalment)
    return found


def plan_by_id(plan_id: int) -> Plan:
    plan = (
        Plan.objects.select_related("account", "assessment")
        .prefetch_related("instalments", "events")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFound(_("no plan with id %(id)s") % {"id": plan_id})
    return plan


def plans_of_account(account: Account) -> QuerySet[Plan]:
    return Plan.objects.filter(account=account).order_by("-proposed_at", "-id")


@dataclass(frozen=True)
class PlanLedgerTerms:
    """What a plan wrote on the ledger through servicing's services (docs/hardship.md, "How the
    plan's terms reach the ledger"): its rate overrides, its scheduled interest, the waivers
    and settlement discount it granted (and their reversals), and the obligations those
    lowered."""

    plan: Plan
    source: str
    rate_overrides: list[RateOverride]
    scheduled_interest: list[ScheduledInterest]
    entries: list[JournalEntry]
    adjustments: list[ObligationAdjustment]


def plan_ledger_terms(plan_id: int) -> PlanLedgerTerms:
    """The plan's terms as the ledger holds them; five queries."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("no plan with id %(id)s") % {"id": plan_id})
    source = f"plan:{plan.pk}"
    entries = list(
        JournalEntry.objects.filter(
            account_id=plan.account_id,
            kind__in=[EntryKind.WAIVER, EntryKind.SETTLEMENT_DISCOUNT, EntryKind.REVERSAL],
            idempotency_key__contains=f":{source}:",
        )
        .prefetch_related("lines")
        .order_by("effective_on", "pk")
    )
    return PlanLedgerTerms(
        plan=plan,
        source=source,
        rate_overrides=list(
            RateOverride.objects.filter(account_id=plan.account_id, source=source).order_by(
                "from_on", "pk"
            )
        ),
        scheduled_interest=list(
            ScheduledInterest.objects.filter(account_id=plan.account_id, source=source).order_by(
                "due_on", "number"
            )
        ),
        entries=entries,
        adjustments=list(
            ObligationAdjustment.objects.filter(entry__in=entries)
            .select_related("obligation")
            .order_by("entry_id", "obligation__due_on", "pk")
        ),
    )


# --- assessments and vulnerability --------------------------------------------------------------
def assessment_by_id(assessment_id: int) -> Assessment:
    found = (
        Assessment.objects.select_related("borrower")
        .prefetch_related("accounts")
        .filter(pk=assessment_id)
        .first()
    )
    if found is None:
        raise NotFound(_("no assessment with id %(id)s") % {"id": assessment_id})
    return found


def latest_assessment(borrower: Borrower) -> Assessment | None:
    return Assessment.objects.filter(borrower=borrower).order_by("-taken_at", "-id").first()


def is_vulnerable(borrower: Borrower | int) -> bool:
    """Whether the borrower's latest assessment flagged a vulnerability (health, bereavement,
    age, capability): route them to trained staff and soften the treatment."""
    borrower_id = borrower if isinstance(borrower, int) else borrower.pk
    latest = (
        Assessment.objects.filter(borrower_id=borrower_id)
        .order_by("-taken_at", "-id")
        .values_list("is_vulnerable", flat=True)
        .first()
    )
    return bool(latest)


@dataclass(frozen=True)
class HardshipFlags:
    """What collection needs to know about an account's hardship, for its nightly batch."""

    account_id: int
    hardship_claimed: bool  # the borrower has told us of financial difficulty
    vulnerable: bool
    vulnerabilities: tuple[str, ...]
    plan_id: int | None  # the accepted or active plan, if any
    plan_status: str | None
    plan_kind: str | None


def hardship_flags_in_bulk(account_ids: Collection[int]) -> dict[int, HardshipFlags]:
    """For each account that has any: claimed hardship, vulnerability, the plan in force.

    Vulnerability comes from the borrower's latest assessment (whichever account it was taken
    for). Three queries; accounts with nothing to report are left out.
    """
    ids = list(account_ids)
    if not ids:
        return {}
    borrower_of = dict(Account.objects.filter(among("pk", ids)).values_list("pk", "borrower_id"))
    assessed: dict[int, list[str]] = {}  # the latest assessment's flags, by borrower
    rows = (
        Assessment.objects.filter(among("borrower_id", set(borrower_of.values())))
        .order_by("borrower_id", "-taken_at", "-id")
        .values_list("borrower_id", "vulnerabilities")
    )
    for borrower_id, vulnerabilities in rows:
        assessed.setdefault(borrower_id, sorted(vulnerabilities or []))
    plans = {
        account_id: (pk, status, kind)
        for pk, account_id, status, kind in Plan.objects.filter(
            among("account_id", ids), status__in=LIVE_STATUSES
        ).values_list("pk", "account_id", "status", "kind")
    }
    flags: dict[int, HardshipFlags] = {}
    for account_id, borrower_id in borrower_of.items():
        plan = plans.get(account_id)
        if borrower_id not in assessed and plan is None:
            continue
        vulnerabilities = tuple(assessed.get(borrower_id, ()))
        flags[account_id] = HardshipFlags(
            account_id=account_id,
            hardship_claimed=borrower_id in assessed,
            vulnerable=bool(vulnerabilities),
            vulnerabilities=vulnerabilities,
            plan_id=plan[0] if plan else None,
            plan_status=plan[1] if plan else None,
            plan_kind=plan[2] if plan else None,
        )
    return flags


def re_age_dates(account: Account) -> list[dt.date]:
    """The days the account's plans re-aged it (for the jurisdiction's re-age limits)."""
    rows = Plan.objects.filter(account=account, re_aged_on__isnull=False).values_list(
        "re_aged_on", flat=True
    )
    return [day for day in rows if day is not None]


# --- education and advice -----------------------------------------------------------------------
def published_articles(topic: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(is_published=True)
    if topic:
        articles = articles.filter(topic=topic)
    return articles.order_by("position", "slug")


def article_by_slug(slug: str) -> Article:
    found = Article.objects.filter(slug=slug, is_published=True).first()
    if found is None:
        raise NotFound(_("no article %(slug)s") % {"slug": slug})
    return found


def debt_advice_for_borrower(
    borrower: Borrower, account: Account | None = None
) -> QuerySet[DebtAdviceService]:
    """The free debt advice to offer a borrower who reports difficulty: that of the account's
    jurisdiction, else of the borrower's country (compliance's `jurisdiction_of`). Every path
    where a borrower tells us of difficulty shows it — the priced options, an assessment taken,
    and a hardship request at the service desk."""
    return debt_advice_for(jurisdiction_of(borrower, account))


def debt_advice_for_account(account: Account) -> QuerySet[DebtAdviceService]:
    return debt_advice_for_borrower(account.borrower, account)


def debt_advice_for(jurisdiction: str | None) -> QuerySet[DebtAdviceService]:
    """The active free debt-advice services of a jurisdiction (all when None)."""
    services = DebtAdviceService.objects.filter(is_active=True)
    if jurisdiction:
        services = services.filter(jurisdiction=jurisdiction)
    return services.order_by("jurisdiction", "position", "code")
