"""The period a supervisor's screen covers: a first and a last day (both included), by default
the last `DEFAULT_DAYS` days, today included (the dashboard, the strategies' results)."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

#: The period shown when none is asked for: the last 30 days, today included.
DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    first_day = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(
        label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )

    @classmethod
    def of(cls, request: HttpRequest) -> Self:
        """The form bound to the query string, the days not given filled in with the last
        `DEFAULT_DAYS` days."""
        today = timezone.localdate()
        query = request.GET.copy()
        query.setdefault("first_day", (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
        query.setdefault("last_day", today.isoformat())
        return cls(query)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if isinstance(first, dt.date) and isinstance(last, dt.date) and last < first:
            self.add_error("last_day", gettext_lazy("must not be before the first day"))
        return cleaned
