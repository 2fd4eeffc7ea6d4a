"""The account 360° (账户全景): everything about one account on one page, the long lists loaded
as htmx partials, and the agent's actions (log a call, take a promise, send a message, start a
hardship assessment, set a hold, ask to escalate, resume a channel the borrower stopped), each a
small form posting to a view that calls one service and re-renders its own panel; the sections it
changes reload after it.

Every full view of the page is written to the personal-data access log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.care.selectors.tickets import tickets_for_borrower
from arrears.collection.selectors.console import (
    AccountOverview,
    account_contacts,
    account_for_console,
    account_ledger,
    account_overview,
)
from arrears.collection.services import (
    PromisedPayment,
    record_call_outcome,
    request_escalation,
    schedule_message,
    take_promise,
)
from arrears.common.htmx import is_htmx
from arrears.compliance.selectors import borrowers_opt_out
from arrears.compliance.services import set_hold, withdraw_opt_out
from arrears.compliance.services.access_log import record_personal_data_access
from arrears.compliance.services.records import WITHDRAW_OPT_OUT
from arrears.console.access import staff_page
from arrears.console.account_forms import (
    ActionForm,
    CallOutcomeForm,
    EscalationForm,
    HardshipForm,
    HoldForm,
    MessageForm,
    PromiseForm,
    ResumeChannelForm,
    new_key,
)
from arrears.core.errors import ArrearsError, NotFound, ValidationError
from arrears.core.hardship.labels import label as hardship_label
from arrears.core.hardship.labels import option_label, phase_label
from arrears.core.money import Money
from arrears.hardship.services.console import assess_and_price
from arrears.hardship.services.options import PricedOptions
from arrears.servicing.models import Account
from arrears.servicing.selectors.payments import card_charges_tried

VIEW = "servicing.view_account"
#: The permission each action needs on top of seeing the account.
ACTION_PERMISSIONS = {
    "call": "collection.add_contactoutcome",
    "promise": "collection.add_promise",
    "message": "collection.add_contactoutcome",
    "hold": "compliance.add_hold",
    "escalate": "collection.add_escalation",
    "hardship": "hardship.add_assessment",
    "resume": WITHDRAW_OPT_OUT,
}
STOPS = "console/account/part_stops.html"
PARTS = ("ledger", "contacts", "tickets", "collection", "holds", "stops")


def _language() -> str:
    return "zh" if (get_language() or "en").startswith("zh") else "en"


def _account(account_id: int) -> Account:
    try:
        return account_for_console(account_id)
    except NotFound:
        raise Http404(_("There is no such account.")) from None


def _blank_forms(request: HttpRequest, overview: AccountOverview) -> dict[str, ActionForm]:
    return {
        "call": CallOutcomeForm(
            dispositions=overview.dispositions,
            numbers=overview.phone_numbers,
            language=_language(),
            initial={"number": overview.phone_numbers[0].value if overview.phone_numbers else ""},
        ),
        "promise": PromiseForm(initial={"key": new_key()}),
        "message": MessageForm(initial={"key": new_key()}),
        "hold": HoldForm(),
        "escalate": EscalationForm(),
        "hardship": HardshipForm(),
        "resume": ResumeChannelForm(),
    }


def _context(request: HttpRequest, overview: AccountOverview, **extra: Any) -> dict[str, Any]:
    user = request.user
    can = {name: user.has_perm(perm) for name, perm in ACTION_PERMISSIONS.items()}
    forms = _blank_forms(request, overview)
    forms.update(extra.pop("forms", {}))
    return {
        "o": overview,
        "account": overview.account,
        "borrower": overview.borrower,
        "forms": forms,
        "can": can,
        "lang": _language(),
        "zone": overview.borrower.time_zone or "Asia/Shanghai",
        **extra,
    }


@require_GET
@staff_page(VIEW)
def account_page(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(account_id)
    overview = account_overview(account, user=request.user)
    record_personal_data_access(
        user=request.user, borrower=account.borrower, what="account 360°", path=request.path
    )
    return render(request, "console/account/page.html", _context(request, overview))


@require_GET
@staff_page(VIEW)
def account_part(request: HttpRequest, account_id: int, part: str) -> HttpResponse:
    """One section of the page, for htmx: loaded after the page, or again after an action."""
    if part not in PARTS:
        raise Http404(_("There is no such section."))
    account = _account(account_id)
    context: dict[str, Any] = {"account": account, "lang": _language()}
    context["zone"] = account.borrower.time_zone or "Asia/Shanghai"
    if part == "ledger":
        context["entries"] = account_ledger(account)
        context["card_charges"] = card_charges_tried(account.pk)
    elif part == "contacts":
        context["contacts"] = account_contacts(account)
    elif part == "tickets":
        allowed = request.user.has_perm("care.view_ticket")
        context["tickets_allowed"] = allowed
        context["tickets"] = list(tickets_for_borrower(account.borrower)[:50]) if allowed else []
    else:
        context["o"] = account_overview(account, user=request.user)
        context["can"] = {"resume": request.user.has_perm(WITHDRAW_OPT_OUT)}
        context["forms"] = {"resume": ResumeChannelForm()}
    return render(request, f"console/account/part_{part}.html", context)


# --- actions ------------------------------------------------------------------------------------


def _act(
    request: HttpRequest,
    account_id: int,
    name: str,
    form_of: Callable[[AccountOverview], ActionForm],
    perform: Callable[[Account, AccountOverview, ActionForm], Any],
) -> HttpResponse:
    """Validate the form, call the service, re-render the action's panel (the sections it
    changes reload on the `account-changed` event). Bad input writes nothing: 422."""
    account = _account(account_id)
    overview = account_overview(account, user=request.user)
    form = form_of(overview)
    result = None
    if form.is_valid():
        try:
            result = perform(account, overview, form)
        except ValidationError as error:
            form.add_domain_error(error)
        except ArrearsError as error:
            form.add_error(None, error.message)
    status = 200 if result is not None else 422
    htmx = request.headers.get("HX-Request") == "true"
    if not htmx:
        if result is not None:
            return redirect(reverse("console:account", args=[account.pk]) + f"#act-{name}")
        context = _context(request, overview, forms={name: form})
        return render(request, "console/account/page.html", context, status=status)
    context = _context(request, overview, forms={name: form}, result=result)
    if result is not None:  # a fresh form for the next one, the result above it
        context["forms"][name] = _blank_forms(request, overview)[name]
    response = render(request, f"console/account/act_{name}.html", context, status=status)
    if result is not None:
        response["HX-Trigger"] = "account-changed"
    return response


def _local(moment: Any) -> Any:
    return timezone.localtime(moment) if moment is not None else None


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["call"])
def log_call(request: HttpRequest, account_id: int) -> HttpResponse:
    def form_of(o: AccountOverview) -> ActionForm:
        return CallOutcomeForm(
            request.POST, dispositions=o.dispositions, numbers=o.phone_numbers, language=_language()
        )

    def perform(account: Account, o: AccountOverview, form: ActionForm) -> Any:
        data = form.cleaned_data
        action = o.call_in_hand
        permit = action.decision.issued_permit if action and action.decision else None
        return record_call_outcome(
            account=account,
            case=action.case if action is not None else None,
            action=action,
            disposition=data["disposition"],
            number=data["number"],
            agent=request.user,
            note=data["note"],
            callback_at=data["callback_at"],
            permit=permit if permit is not None and permit.address == data["number"] else None,
        )

    return _act(request, account_id, "call", form_of, perform)


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["promise"])
def promise(request: HttpRequest, account_id: int) -> HttpResponse:
    def perform(account: Account, o: AccountOverview, form: ActionForm) -> Any:
        assert isinstance(form, PromiseForm)
        data = form.cleaned_data
        taken, _created = take_promise(
            account=account,
            instalments=[
                PromisedPayment(day, Money(amount, account.currency))
                for day, amount in form.instalments()
            ],
            source="agent",
            agent=request.user,
            idempotency_key=f"console:{data['key']}" if data["key"] else None,
            note=data["note"],
        )
        return taken

    return _act(request, account_id, "promise", lambda o: PromiseForm(request.POST), perform)


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["message"])
def message(request: HttpRequest, account_id: int) -> HttpResponse:
    def perform(account: Account, o: AccountOverview, form: ActionForm) -> Any:
        data = form.cleaned_data
        case = o.open_case
        if case is None:
            raise ValidationError("template", _("the account has no open collection case"))
        now = timezone.now()
        return schedule_message(
            case=case,
            kind=data["template"],
            channel=data["channel"],
            at=now,
            key=f"console:{data['key'] or new_key()}",
            reason=_("sent by %(agent)s from the console") % {"agent": request.user.get_username()},
            now=now,
            step="agent_message",
        )

    return _act(request, account_id, "message", lambda o: MessageForm(request.POST), perform)


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["hold"])
def hold(request: HttpRequest, account_id: int) -> HttpResponse:
    def perform(account: Account, o: AccountOverview, form: ActionForm) -> Any:
        data = form.cleaned_data
        return set_hold(
            borrower=account.borrower,
            account=account,
            kind=data["kind"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            review_on=data["review_on"],
            reason=data["reason"],
            set_by=request.user,
        )

    return _act(request, account_id, "hold", lambda o: HoldForm(request.POST), perform)


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["escalate"])
def escalate(request: HttpRequest, account_id: int) -> HttpResponse:
    def perform(account: Account, o: AccountOverview, form: ActionForm) -> Any:
        case = o.open_case
        if case is None:
            raise ValidationError("kind", _("the account has no open collection case"))
        return request_escalation(
            case=case,
            kind=form.cleaned_data["kind"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )

    return _act(request, account_id, "escalate", lambda o: EscalationForm(request.POST), perform)


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["hardship"])
def hardship(request: HttpRequest, account_id: int) -> HttpResponse:
    def perform(account: Account, o: AccountOverview, form: ActionForm) -> Any:
        assert isinstance(form, HardshipForm)
        priced = assess_and_price(
            account=account, statement=form.statement(account.currency), taken_by=request.user
        )
        return option_cards(priced, _language())

    return _act(request, account_id, "hardship", lambda o: HardshipForm(request.POST), perform)


@require_POST
@staff_page(VIEW, ACTION_PERMISSIONS["resume"])
def resume_channel(request: HttpRequest, account_id: int, opt_out_id: int) -> HttpResponse:
    """Open a stopped channel again on the borrower's word (they phoned, wrote, asked in the
    branch): the stop is kept, marked withdrawn with who, when and how they asked; the gate
    allows the channel from now on. Re-renders the consents and stops panel."""
    account = _account(account_id)
    try:
        stop = borrowers_opt_out(account.borrower, opt_out_id)
    except NotFound as missing:
        raise Http404(str(missing)) from None
    form = ResumeChannelForm(request.POST)
    resumed = None
    if form.is_valid():
        how = f"console: {form.cleaned_data['how']}"  # kept as written, like the portal's "portal"
        try:
            resumed = withdraw_opt_out(opt_out=stop, withdrawn_by=request.user, how=how)
        except ValidationError as error:
            form.add_domain_error(error)
    if not is_htmx(request) and resumed is not None:
        return redirect(reverse("console:account", args=[account.pk]) + "#stops-part")
    overview = account_overview(account, user=request.user)
    context = _context(request, overview, resumed=resumed, resume_for=stop.pk)
    if resumed is None:
        context["forms"]["resume"] = form
    page = "console/account/page.html" if not is_htmx(request) else STOPS
    response = render(request, page, context, status=200 if resumed is not None else 422)
    if resumed is not None:
        response["HX-Trigger"] = "account-changed"
    return response


def option_cards(priced: PricedOptions, language: str) -> dict[str, Any]:
    """The priced options as the side-by-side cards show them, recommended first."""
    recommended = priced.offer.recommendation.option
    cards = []
    for option in priced.options:
        instalments = option.schedule.instalments
        cards.append(
            {
                "id": option.id,
                "name": option_label(option, language),
                "phases": [phase_label(p, language) for p in option.phases],
                "months": len(instalments),
                "first_payment": instalments[0].payment if instalments else None,
                "total": option.schedule.total_payment,
                "interest": option.schedule.interest_added,
                "forgiven": option.schedule.forgiven,
                "fits": option.fits,
                "value": option.expected_value,
                "recommended": recommended is not None and option.id == recommended.id,
            }
        )
    cards.sort(key=lambda c: not c["recommended"])
    reasons = [
        hardship_label("reason", r.key, language, r.params)
        for r in priced.offer.recommendation.reasons
    ]
    return {
        "cards": cards,
        "affordable": priced.offer.affordability,
        "reasons": reasons,
        "refer": recommended is None,
        "assessment": priced.assessment,
    }


urlpatterns = [
    path("accounts/<int:account_id>/", account_page, name="account"),
    path("accounts/<int:account_id>/part/<slug:part>/", account_part, name="account-part"),
    path("accounts/<int:account_id>/call/", log_call, name="account-call"),
    path("accounts/<int:account_id>/promise/", promise, name="account-promise"),
    path("accounts/<int:account_id>/message/", message, name="account-message"),
    path("accounts/<int:account_id>/hold/", hold, name="account-hold"),
    path("accounts/<int:account_id>/escalate/", escalate, name="account-escalate"),
    path("accounts/<int:account_id>/hardship/", hardship, name="account-hardship"),
    path(
        "accounts/<int:account_id>/stops/<int:opt_out_id>/resume/",
        resume_channel,
        name="account-resume",
    ),
]
