"""'I'm having trouble paying': the borrower's own financial statement, the priced options side
by side with the recommended one marked, accepting a plan, the budget planner, articles and
where to get free debt advice. Every read and write goes through the borrower
(`hardship.services.self_service`): another borrower's statement or plan is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.core.errors import ArrearsError, NotFound
from arrears.core.errors import ValidationError as DomainError
from arrears.hardship.budget import BudgetIn, budget_from_request
from arrears.hardship.choices import AssessmentSource
from arrears.hardship.services import take_assessment
from arrears.hardship.services.self_service import (
    accounts_for_help,
    apply_for_plan,
    borrower_plan,
    help_overview,
    options_for_borrower,
    options_page,
)
from arrears.portal.access import borrower_page
from arrears.portal.help_forms import ApplyForm, BudgetForm, StatementForm, put_domain_error
from arrears.servicing.models import Borrower

#: The region whose spending norms a borrower most likely lives under, by country.
DEFAULT_REGION = {"CN": "CN-T2", "GB": "GB", "IE": "IE", "US": "US"}


@borrower_page
def trouble_paying(request: HttpRequest) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    overview = help_overview(borrower)
    form = StatementForm(
        request.POST or None,
        accounts=overview.accounts,
        initial={"region": DEFAULT_REGION.get(borrower.country, "CN-T2")},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            statement, aliases = form.statement()
            account = form.accounts[form.cleaned_data["account"]]
            try:
                assessment = take_assessment(
                    borrower=borrower,
                    statement=statement,
                    source=AssessmentSource.BORROWER,
                    accounts=[account],
                )
            except DomainError as error:
                put_domain_error(form, error, aliases)
            else:
                return redirect("portal:plan-options", assessment.pk, account.pk)
    context = {"form": form, "overview": overview}
    return render(request, "portal/hardship/trouble_paying.html", context, status=status)


@borrower_page
def plan_options(request: HttpRequest, assessment_id: int, account_id: int) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    try:
        priced = options_for_borrower(
            borrower=borrower,
            assessment_id=assessment_id,
            account_id=account_id,
            as_of=timezone.localdate(),
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except DomainError as error:
        return render(
            request,
            "portal/hardship/cannot_price.html",
            {"reason": error.reason},
            status=422,
        )
    page = options_page(priced, language=get_language() or "en")
    return render(request, "portal/hardship/options.html", {"page": page, "error": ""})


@require_POST
@borrower_page
def apply(request: HttpRequest, assessment_id: int, account_id: int) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return redirect("portal:plan-options", assessment_id, account_id)
    try:
        plan = apply_for_plan(
            borrower=borrower,
            assessment_id=assessment_id,
            account_id=account_id,
            option_id=form.cleaned_data["option"],
            language=get_language() or "en",
            accepted_by=request.user,
            as_of=timezone.localdate(),
        )
    except NotFound as missing:
        raise Http404(missing.message) from None
    except ArrearsError as error:
        messages.error(request, getattr(error, "reason", error.message))
        return redirect("portal:plan-options", assessment_id, account_id)
    messages.success(request, _("Your plan is agreed. Thank you for telling us early."))
    return redirect("portal:plan", plan.pk)


@borrower_page
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    try:
        found = borrower_plan(request.borrower, plan_id)  # type: ignore[attr-defined]
    except NotFound as missing:
        raise Http404(missing.message) from None
    return render(request, "portal/hardship/plan.html", {"plan": found})


@borrower_page
def budget(request: HttpRequest) -> HttpResponse:
    borrower = request.borrower  # type: ignore[attr-defined]
    form = BudgetForm(request.POST or None)
    planned, status = None, 200
    currency = _currency_of(borrower)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                planned = budget_from_request(
                    BudgetIn(**form.request(currency)), today=timezone.localdate()
                )
                status = 200
            except DomainError as error:
                put_domain_error(form, error, {"one_offs": "one_off_amount"})
    context = {"form": form, "budget": planned, "currency": currency}
    return render(request, "portal/hardship/budget.html", context, status=status)


def _currency_of(borrower: Borrower) -> str:
    """The planner counts in the currency of the borrower's first account (yuan without one)."""
    account = accounts_for_help(borrower).first()
    return account.currency if account is not None else "CNY"


urlpatterns = [
    path("trouble-paying/", trouble_paying, name="trouble-paying"),
    path(
        "trouble-paying/options/<int:assessment_id>/<int:account_id>/",
        plan_options,
        name="plan-options",
    ),
    path(
        "trouble-paying/options/<int:assessment_id>/<int:account_id>/apply/",
        apply,
        name="apply-plan",
    ),
    path("trouble-paying/plans/<int:plan_id>/", plan, name="plan"),
    path("trouble-paying/budget/", budget, name="budget"),
]
