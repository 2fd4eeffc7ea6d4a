"""The filter forms of the compliance pages (read from the query string)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.compliance.choices import Channel, HoldKind, Purpose


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


def _choice(label: Any, choices: Any) -> forms.ChoiceField:
    """An optional choice, "Any" first."""
    return forms.ChoiceField(label=label, required=False, choices=_any(choices))


def _reference(**kwargs: Any) -> forms.CharField:
    """A borrower reference or an account number (optional)."""
    return forms.CharField(label=_("Borrower or account"), required=False, max_length=40, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodForm(forms.Form):
    """A period of business days, both ends included."""

    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since: dt.date | None = cleaned.get("since")
        until: dt.date | None = cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("must not be before the start of the period"))
        return cleaned


class DecisionFilterForm(PeriodForm):
    outcome = _choice(
        _("Outcome"),
        [("allowed", _("Allowed")), ("blocked", _("Blocked")), ("flagged", _("Flagged"))],
    )
    rule_id = forms.CharField(
        label=_("Refused by rule"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "hours.window"}),
    )
    channel = _choice(_("Channel"), Channel.choices)
    purpose = _choice(_("Purpose"), Purpose.choices)
    reference = _reference(help_text=_("a borrower reference or an account number"))


class HoldFilterForm(forms.Form):
    status = _choice(_("Status"), [("active", _("Active")), ("lifted", _("Lifted or ended"))])
    kind = _choice(_("Kind"), HoldKind.choices)
    reference = _reference()


class OptOutFilterForm(PeriodForm):
    channel = _choice(_("Channel"), Channel.choices)
    reference = _reference()


class ConsentFilterForm(forms.Form):
    status = _choice(_("Status"), [("in_force", _("In force")), ("revoked", _("Revoked"))])
    channel = _choice(_("Channel"), Channel.choices)
    reference = _reference()


class ContentFilterForm(PeriodForm):
    source = _choice(_("Where"), [("message", _("Messages")), ("template", _("Templates"))])
    channel = _choice(_("Channel"), Channel.choices)
    rule_id = forms.CharField(
        label=_("Rule"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "content.threat"}),
    )


class PersonalDataFilterForm(PeriodForm):
    staff = forms.CharField(
        label=_("Staff member"),
        required=False,
        max_length=150,
        help_text=_("the user name they sign in with"),
    )
    reference = _reference()
