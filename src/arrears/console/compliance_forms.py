"""The filter forms of the compliance pages (read from the query string)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.compliance.choices import Channel, HoldKind, Purpose


def _any(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


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
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=_any(
            [("allowed", _("Allowed")), ("blocked", _("Blocked")), ("flagged", _("Flagged"))]
        ),
    )
    rule_id = forms.CharField(
        label=_("Refused by rule"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": "hours.window"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_any(Channel.choices))
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=_any(Purpose.choices))
    reference = forms.CharField(
        label=_("Borrower or account"),
        required=False,
        max_length=40,
        help_text=_("a borrower reference or an account number"),
    )


class HoldFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_any([("active", _("Active")), ("lifted", _("Lifted or ended"))]),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_any(HoldKind.choices))
    reference = forms.CharField(label=_("Borrower or account"), required=False, max_length=40)


class OptOutFilterForm(PeriodForm):
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_any(Channel.choices))
    reference = forms.CharField(label=_("Borrower or account"), required=False, max_length=40)


class ConsentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_any([("in_force", _("In force")), ("revoked", _("Revoked"))]),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_any(Channel.choices))
    reference = forms.CharField(label=_("Borrower or account"), required=False, max_length=40)


class ContentFilterForm(PeriodForm):
    source = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=_any([("message", _("Messages")), ("template", _("Templates"))]),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_any(Channel.choices))
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
    reference = forms.CharField(label=_("Borrower or account"), required=False, max_length=40)
