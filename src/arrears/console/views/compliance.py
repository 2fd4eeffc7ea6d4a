"""Console area 'compliance': what the gate decided and why, for compliance officers and
supervisors.

The decision log (filters, a decision's detail), blocked contacts counted by rule, holds,
opt-outs, consents to automated contact, the content validator's hits and the audit trail of
staff views of personal data. Every page needs `compliance.view_decision`; the filters are
read from the query string, so a filtered page can be bookmarked or sent to a colleague.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from arrears.common.htmx import render_page_or_partial
from arrears.compliance.selectors_console import (
    DecisionFilter,
    blocked_by_rule,
    consents_list,
    decision_by_id,
    decision_log,
    holds_list,
    opt_outs_list,
    personal_data_views,
)
from arrears.compliance.services.access_log import record_personal_data_access
from arrears.console.access import staff_page
from arrears.console.compliance_forms import (
    ConsentFilterForm,
    ContentFilterForm,
    DecisionFilterForm,
    HoldFilterForm,
    OptOutFilterForm,
    PeriodForm,
    PersonalDataFilterForm,
)
from arrears.core.errors import NotFound
from arrears.engagement.selectors_content import content_hits

PERMISSION = "compliance.review_contacts"
PAGE_SIZE = 50
#: The period the counts by rule cover when none is given: the last 30 days, today included.
DEFAULT_DAYS = 30

_INVALID = 422


def _filter_form(request: HttpRequest, form_class: type[forms.Form], **defaults: Any) -> forms.Form:
    """The page's filter form, bound to the query string (or to the defaults on a first visit)."""
    data = request.GET.copy()
    data.pop("page", None)
    if not data and defaults:
        data.update({name: str(value) for name, value in defaults.items()})
    return form_class(data)


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _context(form: forms.Form, page: Page | None, **extra: Any) -> dict[str, Any]:
    return {"form": form, "page": page, "desk_zone": settings.TIME_ZONE, **extra}


@staff_page(PERMISSION)
def decision_log_page(request: HttpRequest) -> HttpResponse:
    """Every gate decision, newest first, filtered."""
    form = _filter_form(request, DecisionFilterForm)
    if not form.is_valid():
        return render_page_or_partial(
            request,
            page="console/compliance/log.html",
            partial="console/compliance/_log_results.html",
            context=_context(form, None),
            status=_INVALID,
        )
    page = _page(request, decision_log(DecisionFilter(**form.cleaned_data)))
    return render_page_or_partial(
        request,
        page="console/compliance/log.html",
        partial="console/compliance/_log_results.html",
        context=_context(form, page),
    )


@staff_page(PERMISSION)
def decision_page(request: HttpRequest, decision_id: int) -> HttpResponse:
    """One decision: every rule's answer with its reason and citation, and the inputs."""
    try:
        decision = decision_by_id(decision_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    if decision.borrower is not None:
        record_personal_data_access(
            user=request.user,
            borrower=decision.borrower,
            what="compliance decision",
            path=request.get_full_path(),
        )
    zones = [
        entry["time_zone"]
        for entry in (decision.snapshot.get("borrower") or {}).get("addresses", [])
        if isinstance(entry, dict) and entry.get("time_zone")
    ]
    return render(
        request,
        "console/compliance/decision.html",
        {"decision": decision, "zones": zones or [settings.TIME_ZONE]},
    )


@staff_page(PERMISSION)
def blocked_by_rule_page(request: HttpRequest) -> HttpResponse:
    """Refused contacts counted per rule and channel over a period (the last 30 days first)."""
    today = timezone.localdate()
    form = _filter_form(
        request,
        PeriodForm,
        since=today - dt.timedelta(days=DEFAULT_DAYS - 1),
        until=today,
    )
    if not form.is_valid():
        return render(
            request,
            "console/compliance/blocked.html",
            _context(form, None, counts=None),
            status=_INVALID,
        )
    counts = blocked_by_rule(since=form.cleaned_data["since"], until=form.cleaned_data["until"])
    widest = max((rule.total for rule in counts.rules), default=0)
    return render(
        request,
        "console/compliance/blocked.html",
        _context(form, None, counts=counts, widest=widest),
    )


@staff_page(PERMISSION)
def holds_page(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, HoldFilterForm)
    if not form.is_valid():
        return render(
            request, "console/compliance/holds.html", _context(form, None), status=_INVALID
        )
    today = timezone.localdate()
    page = _page(request, holds_list(**form.cleaned_data, on=today))
    return render(request, "console/compliance/holds.html", _context(form, page, today=today))


@staff_page(PERMISSION)
def opt_outs_page(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, OptOutFilterForm)
    if not form.is_valid():
        return render(
            request, "console/compliance/opt_outs.html", _context(form, None), status=_INVALID
        )
    page = _page(request, opt_outs_list(**form.cleaned_data))
    return render(request, "console/compliance/opt_outs.html", _context(form, page))


@staff_page(PERMISSION)
def consents_page(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, ConsentFilterForm)
    if not form.is_valid():
        return render(
            request, "console/compliance/consents.html", _context(form, None), status=_INVALID
        )
    page = _page(request, consents_list(**form.cleaned_data))
    return render(request, "console/compliance/consents.html", _context(form, page))


def _day_start(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    if after:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(str(settings.TIME_ZONE)))


@staff_page(PERMISSION)
def content_hits_page(request: HttpRequest) -> HttpResponse:
    """What the content validator finds in the period's messages and in the templates."""
    form = _filter_form(request, ContentFilterForm)
    if not form.is_valid():
        return render(
            request, "console/compliance/content.html", _context(form, None), status=_INVALID
        )
    data = form.cleaned_data
    found = content_hits(
        since_at=_day_start(data["since"]),
        until_at=_day_start(data["until"], after=True),
        channel=data["channel"],
        rule_id=data["rule_id"].strip(),
        source=data["source"],
    )
    return render(
        request,
        "console/compliance/content.html",
        _context(form, _page(request, found.hits), found=found),
    )


@staff_page(PERMISSION)
def personal_data_page(request: HttpRequest) -> HttpResponse:
    """The audit trail: who opened which borrower's personal data, when."""
    form = _filter_form(request, PersonalDataFilterForm)
    if not form.is_valid():
        return render(
            request, "console/compliance/personal_data.html", _context(form, None), status=_INVALID
        )
    page = _page(request, personal_data_views(**form.cleaned_data))
    return render(request, "console/compliance/personal_data.html", _context(form, page))


urlpatterns = [
    path("compliance/", decision_log_page, name="compliance"),
    path("compliance/decisions/<int:decision_id>/", decision_page, name="compliance-decision"),
    path("compliance/blocked/", blocked_by_rule_page, name="compliance-blocked"),
    path("compliance/holds/", holds_page, name="compliance-holds"),
    path("compliance/opt-outs/", opt_outs_page, name="compliance-opt-outs"),
    path("compliance/consents/", consents_page, name="compliance-consents"),
    path("compliance/content/", content_hits_page, name="compliance-content"),
    path("compliance/personal-data/", personal_data_page, name="compliance-personal-data"),
]
