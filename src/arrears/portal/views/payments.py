"""Paying by card, autopay and promises to pay, for the signed-in borrower's own accounts.

Pay is two steps: the amount, then a confirmation that carries a fresh idempotency key; the
provider charges under that key and the payment posts under it, so a double submit posts once.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arrears.collection.selectors.portal import promise_choices
from arrears.collection.services.portal_promises import promise_from_portal
from arrears.core.errors import Conflict
from arrears.core.errors import ValidationError as DomainError
from arrears.core.money import Money
from arrears.portal.access import borrower_page
from arrears.portal.lookups import borrower_of, or_404, today
from arrears.portal.money_forms import (
    AutopayForm,
    PayAmountForm,
    PayConfirmForm,
    PromiseForm,
    put_domain_error,
)
from arrears.servicing.selectors.portal import (
    AccountOverview,
    account_overview,
    borrower_payment,
    portal_overview,
)
from arrears.servicing.services.autopay import cancel_autopay
from arrears.servicing.services.card_payments import check_card_payment, take_card_payment
from arrears.servicing.services.portal_autopay import (
    new_consent_reference,
    save_autopay_from_portal,
)

INVALID = 422


def _overview(request: HttpRequest, account_id: int) -> AccountOverview:
    return or_404(account_overview, borrower_of(request), account_id, today())


def _new_key() -> str:
    return f"portal:{uuid.uuid4().hex}"


@borrower_page
def pay(request: HttpRequest) -> HttpResponse:
    """Which account to pay: straight to it when only one owes anything."""
    overviews = [o for o in portal_overview(borrower_of(request), today()) if o.owes]
    if len(overviews) == 1:
        return redirect("portal:pay-account", account_id=overviews[0].account.pk)
    return render(request, "portal/payments/choose.html", {"overviews": overviews})


def _confirm_page(
    request: HttpRequest,
    overview: AccountOverview,
    form: PayConfirmForm,
    *,
    declined: str = "",
    status: int = 200,
) -> HttpResponse:
    raw = form.data.get("amount_minor") if form.is_bound else form.initial["amount_minor"]
    amount = Money.from_minor(int(str(raw)), overview.account.currency)
    context = {"overview": overview, "form": form, "amount": amount, "declined": declined}
    return render(request, "portal/payments/confirm.html", context, status=status)


@borrower_page
def pay_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Step 1, the amount: the minimum due, the full balance or another amount."""
    overview = _overview(request, account_id)
    if request.method != "POST":
        form = PayAmountForm(overview=overview)
        return render(request, "portal/payments/pay.html", {"overview": overview, "form": form})
    form = PayAmountForm(request.POST, overview=overview)
    if form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            check_card_payment(account=overview.account, amount=amount)
        except DomainError as error:
            field = "other_amount" if form.cleaned_data["choice"] == "other" else "choice"
            put_domain_error(form, error, {"amount": field})
        else:
            confirm = PayConfirmForm(
                initial={"amount_minor": amount.minor, "idempotency_key": _new_key()}
            )
            return _confirm_page(request, overview, confirm)
    context = {"overview": overview, "form": form}
    return render(request, "portal/payments/pay.html", context, status=INVALID)


@require_POST
@borrower_page
def pay_confirm(request: HttpRequest, account_id: int) -> HttpResponse:
    """Step 2: the provider charges the card and the payment posts, once per key."""
    overview = _overview(request, account_id)
    form = PayConfirmForm(request.POST)
    if not form.is_valid():
        if "amount_minor" in form.errors or "idempotency_key" in form.errors:
            return redirect("portal:pay-account", account_id=account_id)
        return _confirm_page(request, overview, form, status=INVALID)
    amount = Money.from_minor(form.cleaned_data["amount_minor"], overview.account.currency)
    try:
        result = take_card_payment(
            account=overview.account,
            amount=amount,
            card_number=form.cleaned_data["card_number"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except DomainError as error:
        put_domain_error(form, error)
        return _confirm_page(request, overview, form, status=INVALID)
    if result.declined:
        fresh = PayConfirmForm(
            initial={"amount_minor": amount.minor, "idempotency_key": _new_key()}
        )
        return _confirm_page(request, overview, fresh, declined=result.decline_reason)
    assert result.payment is not None
    return redirect("portal:payment", payment_id=result.payment.pk)


@borrower_page
def payment(request: HttpRequest, payment_id: int) -> HttpResponse:
    """The receipt of a payment on one of the borrower's accounts."""
    found = or_404(borrower_payment, borrower_of(request), payment_id)
    return render(request, "portal/payments/receipt.html", {"payment": found})


@borrower_page
def autopay(request: HttpRequest, account_id: int) -> HttpResponse:
    """Set up or change autopay; shows the mandate in force and its next debit."""
    overview = _overview(request, account_id)
    mandate = overview.mandate
    if request.method != "POST":
        initial: dict[str, object] = {
            "consent_reference": new_consent_reference(overview.account, today())
        }
        if mandate is not None:
            initial.update(
                amount_rule=mandate.amount_rule,
                debit_days_before_due=mandate.debit_days_before_due,
                fixed_amount=(
                    Money.from_minor(int(mandate.fixed_amount_minor), mandate.currency).amount
                    if mandate.fixed_amount_minor
                    else None
                ),
            )
        else:
            initial["amount_rule"] = "minimum"
        form = AutopayForm(initial=initial, overview=overview)
        return render(request, "portal/payments/autopay.html", {"overview": overview, "form": form})
    form = AutopayForm(request.POST, overview=overview)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _mandate, created = save_autopay_from_portal(
                account=overview.account,
                amount_rule=data["amount_rule"],
                fixed_amount=data["fixed"],
                debit_days_before_due=data["debit_days_before_due"],
                funding_account=data["funding_account"],
                consent_reference=data["consent_reference"],
            )
        except DomainError as error:
            put_domain_error(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(
                request,
                _("Autopay is set up. We will collect on the dates shown.")
                if created
                else _("Your autopay is changed."),
            )
            return redirect("portal:autopay", account_id=account_id)
    context = {"overview": overview, "form": form}
    return render(request, "portal/payments/autopay.html", context, status=INVALID)


@require_POST
@borrower_page
def autopay_cancel(request: HttpRequest, account_id: int) -> HttpResponse:
    overview = _overview(request, account_id)
    if overview.mandate is not None:
        cancel_autopay(mandate=overview.mandate)
        messages.success(request, _("Autopay is cancelled. Nothing more will be collected."))
    return redirect("portal:autopay", account_id=account_id)


@borrower_page
def promise(request: HttpRequest, account_id: int) -> HttpResponse:
    """Promise to pay an amount by a day within the lender's window."""
    overview = _overview(request, account_id)
    choices = promise_choices(overview.account, today())
    window = {"first_day": choices.first_day, "last_day": choices.last_day}
    if request.method != "POST":
        suggested = overview.past_due if overview.past_due.minor > 0 else overview.minimum_due
        initial = {
            "idempotency_key": _new_key(),
            "amount": suggested.amount if suggested.minor > 0 else None,
            "due_on": choices.first_day,
        }
        form = PromiseForm(initial=initial, overview=overview, **window)
        context = {"overview": overview, "form": form, "choices": choices}
        return render(request, "portal/payments/promise.html", context)
    form = PromiseForm(request.POST, overview=overview, **window)
    if form.is_valid() and "money" in form.cleaned_data:
        data = form.cleaned_data
        try:
            promise_from_portal(
                account=overview.account,
                due_on=data["due_on"],
                amount=data["money"],
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            put_domain_error(form, error)
        except Conflict as conflict:
            form.add_error(None, str(conflict))
        else:
            messages.success(request, _("Thank you. We have noted your promise to pay."))
            return redirect("portal:promise", account_id=account_id)
    context = {"overview": overview, "form": form, "choices": choices}
    return render(request, "portal/payments/promise.html", context, status=INVALID)


urlpatterns: list[URLPattern] = [
    path("pay/", pay, name="pay"),
    path("accounts/<int:account_id>/pay/", pay_account, name="pay-account"),
    path("accounts/<int:account_id>/pay/confirm/", pay_confirm, name="pay-confirm"),
    path("payments/<int:payment_id>/", payment, name="payment"),
    path("accounts/<int:account_id>/autopay/", autopay, name="autopay"),
    path("accounts/<int:account_id>/autopay/cancel/", autopay_cancel, name="autopay-cancel"),
    path("accounts/<int:account_id>/promise/", promise, name="promise"),
]
