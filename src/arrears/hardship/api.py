"""The hardship REST API: price options, take assessments, propose and accept plans, read plans,
articles and free debt advice.

Handlers parse, check the caller's permission, call one service or selector, and render. A
statement the core refuses is a 422 naming the field, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Path, Query, Router, Status

from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.common.schemas import MAX_ID
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.hardship.assessment import parse_statement
from arrears.hardship import selectors
from arrears.hardship.budget import BudgetIn, BudgetOut, budget_document, budget_from_request
from arrears.hardship.documents import (
    article_document,
    assessment_document,
    debt_advice_documents,
    plan_document,
    plan_ledger_terms_document,
)
from arrears.hardship.schemas import (
    AcceptIn,
    AssessmentIn,
    AssessmentOut,
    DebtAdviceFilters,
    DebtAdviceOut,
    EducationArticleFilters,
    EducationArticleOut,
    PlanIn,
    PlanOptionsOut,
    PlanOut,
    PlanTermsOut,
    StatementIn,
)
from arrears.hardship.services import accept_plan, price_options, propose_plan, take_assessment
from arrears.servicing.selectors.listings import account_by_id

router = Router(tags=["hardship"])

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="the account's id")]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="the plan's id")]

READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(400, 401, 403, 404, 409, 422)
VIEW_ACCOUNT = "servicing.view_account"


def _language(lang: str | None) -> str:
    chosen = lang or translation.get_language() or "zh-hans"
    return "zh-hans" if chosen.lower().startswith("zh") else "en"


@router.post(
    "/accounts/{account_id}/plan-options",
    response={200: PlanOptionsOut, **WRITE},
)
def post_plan_options(
    request: HttpRequest, account_id: AccountId, payload: StatementIn, as_of: dt.date | None = None
) -> dict[str, Any]:
    """Price every repayment option for the account from the borrower's statement (the body),
    with the recommended one and why, and the free debt advice to offer. Stores nothing."""
    require_permissions(request, VIEW_ACCOUNT, "hardship.view_plan")
    account = account_by_id(account_id)
    priced = price_options(
        account=account,
        statement=parse_statement(payload.document()),
        as_of=as_of or timezone.localdate(),
    )
    return {
        **priced.document(),
        "debt_advice": debt_advice_documents(
            selectors.debt_advice_for(priced.debt_advice_jurisdiction), _language(None)
        ),
    }


@router.post("/accounts/{account_id}/assessments", response={201: AssessmentOut, **WRITE})
def post_assessment(
    request: HttpRequest, account_id: AccountId, payload: AssessmentIn
) -> Status[dict[str, Any]]:
    """Take the borrower's financial statement for the account and store it with the
    affordability worked out from it, line by line."""
    require_permissions(request, VIEW_ACCOUNT, "hardship.add_assessment")
    account = account_by_id(account_id)
    assessment = take_assessment(
        borrower=account.borrower,
        statement=payload.document(),
        source=payload.source,
        accounts=[account],
        taken_by=request.user,
        notes=payload.notes,
    )
    advice = selectors.debt_advice_for_account(account)
    return Status(
        201,
        {
            **assessment_document(assessment),
            "debt_advice": debt_advice_documents(advice, _language(None)),
        },
    )


@router.post("/plans", response={201: PlanOut, **WRITE})
def post_plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    """Propose a priced option as the account's plan; an option that does not fit the
    borrower's affordability is refused (422)."""
    require_permissions(request, VIEW_ACCOUNT, "hardship.add_plan")
    account = account_by_id(payload.account_id)
    plan = propose_plan(
        account=account,
        assessment=selectors.assessment_by_id(payload.assessment_id),
        option_id=payload.option_id,
        as_of=payload.as_of,
        proposed_by=request.user,
    )
    return Status(201, plan_document(selectors.plan_by_id(plan.pk)))


@router.post("/plans/{plan_id}/accept", response={200: PlanOut, **WRITE})
def post_plan_acceptance(
    request: HttpRequest, plan_id: PlanId, payload: AcceptIn
) -> dict[str, Any]:
    """Record the borrower's agreement to a proposed plan; it is in force from its start date."""
    require_permissions(request, "hardship.change_plan")
    plan = accept_plan(
        plan=selectors.plan_by_id(plan_id),
        via=payload.via,
        language=payload.language,
        accepted_by=request.user,
        terms_digest=payload.terms_digest,
        starts_on=payload.starts_on,
    )
    return plan_document(selectors.plan_by_id(plan.pk))


@router.get("/plans/{plan_id}", response={200: PlanOut, **READ})
def get_plan(request: HttpRequest, plan_id: PlanId) -> dict[str, Any]:
    """A plan: its terms as shown, schedule, instalments as paid, and its history."""
    require_permissions(request, "hardship.view_plan")
    return plan_document(selectors.plan_by_id(plan_id))


@router.get("/plans/{plan_id}/terms", response={200: PlanTermsOut, **READ})
def get_plan_terms(request: HttpRequest, plan_id: PlanId) -> dict[str, Any]:
    """What the plan wrote on the ledger: its rate overrides, scheduled interest, waivers and
    settlement discount, and the dues those lowered."""
    require_permissions(request, "hardship.view_plan", VIEW_ACCOUNT)
    return plan_ledger_terms_document(selectors.plan_ledger_terms(plan_id))


@router.post("/budget", response={200: BudgetOut, **WRITE})
def post_budget(request: HttpRequest, payload: BudgetIn) -> dict[str, Any]:
    """The borrower's budget planner: what can go to debts, month by month, with the one-off
    costs they expect and when they would run short. Stores nothing, decides nothing."""
    require_permissions(request, "hardship.view_article")
    return budget_document(budget_from_request(payload, today=timezone.localdate()))


@router.get("/articles", response={200: list[EducationArticleOut], **READ})
def get_articles(
    request: HttpRequest, filters: Query[EducationArticleFilters]
) -> list[dict[str, Any]]:
    """The published education articles, in one language (`lang`: en or zh-hans)."""
    require_permissions(request, "hardship.view_article")
    language = _language(filters.lang)
    return [article_document(a, language) for a in selectors.published_articles(filters.topic)]


@router.get("/debt-advice", response={200: list[DebtAdviceOut], **READ})
def get_debt_advice(
    request: HttpRequest, filters: Query[DebtAdviceFilters]
) -> list[dict[str, Any]]:
    """Free debt-advice services to refer a borrower to, for a jurisdiction (GB means UK)."""
    require_permissions(request, "hardship.view_debtadviceservice")
    code = (
        profile_code_for(filters.jurisdiction, field="jurisdiction")
        if filters.jurisdiction
        else None
    )
    return debt_advice_documents(selectors.debt_advice_for(code), _language(filters.lang))
