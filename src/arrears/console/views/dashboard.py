"""The supervisor's dashboard (主管看板): KPI tiles and charts of the collection book, filtered
by period, product, segment, strategy arm and agent (a GET form: the numbers follow it).

Everything shown comes from one read, `analytics.selectors.dashboard.dashboard`; the charts are
drawn by `console/charts.js` from `json_script` data, each with a table of the same numbers.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from arrears.analytics.selectors.dashboard import dashboard as dashboard_figures
from arrears.analytics.selectors.dashboard import filter_choices
from arrears.console.access import staff_page
from arrears.console.dashboard_charts import dashboard_charts
from arrears.console.period_forms import PeriodForm
from arrears.core.errors import ValidationError

#: Form field for each field a selector's ValidationError may name.
FIELD_OF = {"to": "last_day", "from": "first_day", "product": "product", "agent": "agent"}


class DashboardFilters(PeriodForm):
    product = forms.ChoiceField(label=gettext_lazy("Product"), required=False)
    segment = forms.ChoiceField(label=gettext_lazy("Segment"), required=False)
    strategy_arm = forms.ChoiceField(label=gettext_lazy("Strategy arm"), required=False)
    agent = forms.ChoiceField(label=gettext_lazy("Agent"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = filter_choices()
        every = [("", gettext_lazy("All"))]
        self.fields["product"].choices = every + choices.products  # type: ignore[attr-defined]
        self.fields["segment"].choices = every + [(s, s) for s in choices.segments]  # type: ignore[attr-defined]
        self.fields["strategy_arm"].choices = every + [(a, a) for a in choices.strategy_arms]  # type: ignore[attr-defined]
        self.fields["agent"].choices = every + [(a, a) for a in choices.agents]  # type: ignore[attr-defined]


@staff_page("collection.change_strategy")
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilters.of(request)
    context: dict[str, object] = {"form": form}
    if not form.is_valid():
        return render(request, "console/dashboard/page.html", context, status=422)
    wanted = form.cleaned_data
    try:
        found = dashboard_figures(
            start_on=wanted["first_day"],
            end_on=wanted["last_day"] + dt.timedelta(days=1),
            now=timezone.now(),
            product=wanted["product"] or None,
            segment=wanted["segment"] or None,
            strategy_arm=wanted["strategy_arm"] or None,
            agent=wanted["agent"] or None,
        )
    except ValidationError as error:
        form.add_error(FIELD_OF.get(error.field), error.message)
        return render(request, "console/dashboard/page.html", context, status=422)
    charts = dashboard_charts(found)
    context.update(
        found=found,
        kpis=found.kpis,
        charts=charts,
        chart_specs={chart.id: chart.spec() for chart in charts},
    )
    return render(request, "console/dashboard/page.html", context)


urlpatterns = [path("dashboard/", dashboard, name="dashboard")]
