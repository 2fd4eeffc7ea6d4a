"""Collection strategies for supervisors (催收策略): what is in force, how its arms are doing,
and a dry run of an edited version on today's open cases (nothing is written).

- `console:strategies` (`collection.view_strategy`): the active strategies — versions,
  segments, treatment paths, the champion/challenger split — and each arm's results over a
  period with 95 % confidence intervals (`analytics.selectors.arms.strategy_overview`).
- `console:strategy-dry-run` (POST, `collection.change_strategy`): the edited YAML is checked
  and evaluated beside the live strategy (`collection.selectors.dry_run.dry_run_strategy`);
  a mistake is shown next to the text, naming its field or line. Going live stays in the admin.
- `console:strategy-simulate` (POST, `collection.change_strategy`): the same text against the
  live strategy on simulated borrowers (`analytics.simulation.simulate_strategy_text`): money,
  contacts, complaints and outcomes with 95 % intervals, before it goes live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrears.analytics.selectors.arms import strategy_overview
from arrears.analytics.simulation import simulate_strategy_text
from arrears.collection.selectors.dry_run import dry_run_strategy
from arrears.common.htmx import is_htmx
from arrears.console.access import staff_page
from arrears.console.period_forms import PeriodForm
from arrears.core.errors import ValidationError

T = TypeVar("T")

#: Longest strategy text the dry run accepts (a strategy has at most a few hundred lines).
MAX_YAML = 200_000


class DryRunForm(forms.Form):
    yaml_text = forms.CharField(
        label=gettext_lazy("Changed strategy (YAML)"),
        max_length=MAX_YAML,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "yaml-editor", "spellcheck": "false"}),
    )


def _page(
    request: HttpRequest,
    *,
    dry_run_form: DryRunForm | None = None,
    status: int = 200,
    **extra: object,
) -> HttpResponse:
    period = PeriodForm.of(request)
    context: dict[str, object] = {"period": period, **extra}
    if period.is_valid():
        first, last = period.cleaned_data["first_day"], period.cleaned_data["last_day"]
        overview = strategy_overview(start_on=first, end_on=last + dt.timedelta(days=1))
        context["overview"] = overview
        context["live"] = overview.strategies[0]
        if dry_run_form is None:
            dry_run_form = DryRunForm(initial={"yaml_text": overview.strategies[0].yaml_text})
    else:
        status = 422
    context["dry_run_form"] = dry_run_form or DryRunForm()
    context["may_dry_run"] = request.user.has_perm("collection.change_strategy")
    return render(request, "console/strategies/page.html", context, status=status)


@staff_page("collection.view_strategy")
def strategies(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _with_text(request: HttpRequest, use: Callable[[str], T]) -> tuple[DryRunForm, T | None]:
    """The posted strategy text put to `use`; a mistake goes next to the text (None back)."""
    form = DryRunForm(request.POST)
    if form.is_valid():
        try:
            return form, use(form.cleaned_data["yaml_text"])
        except ValidationError as error:
            form.add_error("yaml_text", f"{error.field}: {error.message}")
    return form, None


@staff_page("collection.change_strategy")
def dry_run(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form, found = _with_text(
        request, lambda text: dry_run_strategy(yaml_text=text, on=timezone.localdate())
    )
    status = 200 if found is not None else 422
    if is_htmx(request):
        context = {"dry_run_form": form, "dry_run": found, "may_dry_run": True}
        return render(request, "console/strategies/dry_run.html", context, status=status)
    return _page(request, dry_run_form=form, dry_run=found, status=status)


@staff_page("collection.change_strategy")
def simulate(request: HttpRequest) -> HttpResponse:
    """The edited strategy against the one in force on simulated borrowers (the lab)."""
    if request.method != "POST":
        return _page(request)
    form, found = _with_text(request, lambda text: simulate_strategy_text(yaml_text=text))
    status = 200 if found is not None else 422
    context = {"simulation": found, "simulation_error": form.errors.get("yaml_text")}
    if is_htmx(request):
        return render(request, "console/strategies/simulation.html", context, status=status)
    return _page(request, dry_run_form=form, status=status, **context)


urlpatterns = [
    path("strategies/", strategies, name="strategies"),
    path("strategies/dry-run/", dry_run, name="strategy-dry-run"),
    path("strategies/simulate/", simulate, name="strategy-simulate"),
]
