"""The forms of the account 360°'s actions: each names its fields as the service does, so a
domain error (`ValidationError(field, …)`) lands next to the field it is about."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.collection.choices import EscalationKind
from arrears.compliance.choices import HoldKind
from arrears.core.errors import ValidationError

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NOTE = forms.Textarea(attrs={"rows": 2})


def new_key() -> str:
    return uuid.uuid4().hex


class ActionForm(forms.Form):
    """A form whose domain errors are shown next to the field they name (else on top)."""

    #: the service's field name → this form's field
    field_map: dict[str, str] = {}
    #: the prefix of the fields' ids (several forms share the page)
    form_name = "form"

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("auto_id", f"{self.form_name}-%s")
        super().__init__(*args, **kw)

    def add_domain_error(self, error: ValidationError) -> None:
        name = error.field.split(".")[0].split("[")[0]
        name = self.field_map.get(name, name)
        self.add_error(name if name in self.fields else None, error.reason)


class CallOutcomeForm(ActionForm):
    form_name = "call"
    disposition = forms.ChoiceField(label=_("Call result"))
    number = forms.ChoiceField(label=_("Number called"))
    callback_at = forms.DateTimeField(
        label=_("Call back at (if asked)"), required=False, widget=DATETIME
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=NOTE)

    def __init__(self, *args: Any, dispositions: Any, numbers: Any, language: str, **kw: Any):
        super().__init__(*args, **kw)
        chinese = language.startswith("zh")
        disposition = self.fields["disposition"]
        number = self.fields["number"]
        assert isinstance(disposition, forms.ChoiceField) and isinstance(number, forms.ChoiceField)
        disposition.choices = [
            (d.code, d.label_zh if chinese else d.label_en) for d in dispositions
        ]
        number.choices = [(p.value, p.value) for p in numbers]


def _amount(label: Any, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
        required=required,
    )


class PromiseForm(ActionForm):
    """One payment, or up to three on later dates (分期承诺): each later one both amount and
    date, or neither."""

    form_name = "promise"
    field_map = {"instalments": "amount"}
    #: the later instalments' fields: (amount, date)
    LATER = (("amount_2", "due_on_2"), ("amount_3", "due_on_3"))

    amount = _amount(_("Amount promised"))
    due_on = forms.DateField(label=_("Pays on"), widget=DATE)
    amount_2 = _amount(_("Second payment (optional)"), required=False)
    due_on_2 = forms.DateField(label=_("Second payment on"), widget=DATE, required=False)
    amount_3 = _amount(_("Third payment (optional)"), required=False)
    due_on_3 = forms.DateField(label=_("Third payment on"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=NOTE)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for amount, day in self.LATER:
            if data.get(amount) is not None and data.get(day) is None:
                self.add_error(day, _("give the date of this payment"))
            if data.get(day) is not None and data.get(amount) is None:
                self.add_error(amount, _("give the amount of this payment"))
        return data

    def instalments(self) -> list[tuple[Any, Decimal]]:
        """(date, amount) of each payment given, in the form's order."""
        data = self.cleaned_data
        pairs = [("amount", "due_on"), *self.LATER]
        return [(data[d], data[a]) for a, d in pairs if data.get(a) is not None]

    def add_domain_error(self, error: ValidationError) -> None:
        """`instalments[1].due_on` lands on the second payment's date, and so on."""
        head = error.field.split(".")[0]
        if head.startswith("instalments[") and "." in error.field:
            index = int(head[len("instalments[") : -1])
            which = error.field.split(".")[1]
            name = which if index == 0 else f"{which}_{index + 1}"
            if name in self.fields:
                self.add_error(name, error.reason)
                return
        super().add_domain_error(error)


class MessageForm(ActionForm):
    form_name = "message"
    field_map = {"kind": "template", "case": "template"}

    template = forms.ChoiceField(
        label=_("Template"),
        choices=[
            ("collection_reminder", _("Overdue payment reminder")),
            ("self_service_link", _("Self-service link (pay, plan, callback)")),
        ],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("sms", _("SMS")), ("email", _("E-mail"))]
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)


class HoldForm(ActionForm):
    form_name = "hold"
    kind = forms.ChoiceField(label=_("Hold"), choices=HoldKind.choices)
    start_on = forms.DateField(label=_("Starts on"), widget=DATE)
    end_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    review_on = forms.DateField(
        label=_("Review on (when it has no end)"), required=False, widget=DATE
    )
    reason = forms.CharField(label=_("Why"), max_length=500, widget=NOTE)

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("initial", {"start_on": timezone.localdate()})
        super().__init__(*args, **kw)


class ResumeChannelForm(ActionForm):
    """Staff open a stopped channel again on the borrower's word: how they asked is kept."""

    form_name = "resume"
    field_map = {"opt_out": "how", "withdrawn_by": "how"}

    how = forms.CharField(
        label=_("How the borrower asked"),
        max_length=180,
        help_text=_("For example: phoned in, identity checked, asked for text reminders again."),
    )


class EscalationForm(ActionForm):
    form_name = "escalate"
    field_map = {"case": "kind"}

    kind = forms.ChoiceField(label=_("Escalate to"), choices=EscalationKind.choices)
    reason = forms.CharField(label=_("Why"), required=False, max_length=500, widget=NOTE)


REGIONS = [
    ("CN-T1", _("China, tier-1 city")),
    ("CN-T2", _("China, tier-2 city")),
    ("CN-T3", _("China, other city")),
    ("GB", _("United Kingdom")),
    ("IE", _("Ireland")),
    ("US", _("United States")),
]
EMPLOYMENT = [
    ("employed", _("Employed")),
    ("self_employed", _("Self-employed")),
    ("unemployed", _("Unemployed")),
    ("retired", _("Retired")),
    ("student", _("Student")),
    ("unable_to_work", _("Unable to work")),
    ("other", _("Other")),
]
REASONS = [
    ("job_loss", _("Lost their job")),
    ("illness", _("Illness")),
    ("family_event", _("Family event")),
    ("business_failure", _("Business difficulty")),
    ("other", _("Other")),
]
MONEY = {"min_value": Decimal("0"), "max_digits": 14, "decimal_places": 2}


class HardshipForm(ActionForm):
    """A short financial statement (还款能力评估) taken on the phone."""

    form_name = "hardship"

    field_map = {
        "incomes": "income",
        "household": "adults",
        "expenses": "housing",
        "expected_recovery_months": "recovery_months",
    }

    region = forms.ChoiceField(label=_("Where they live"), choices=REGIONS)
    adults = forms.IntegerField(label=_("Adults in the household"), min_value=1, max_value=20)
    dependants = forms.IntegerField(label=_("Dependants"), min_value=0, max_value=20)
    employment = forms.ChoiceField(label=_("Employment"), choices=EMPLOYMENT)
    reason = forms.ChoiceField(label=_("Why they cannot pay"), choices=REASONS)
    income = forms.DecimalField(label=_("Monthly income after tax"), **MONEY)  # type: ignore[arg-type]
    housing = forms.DecimalField(label=_("Housing a month"), **MONEY)  # type: ignore[arg-type]
    food = forms.DecimalField(label=_("Food and housekeeping a month"), **MONEY)  # type: ignore[arg-type]
    utilities = forms.DecimalField(label=_("Utilities a month"), **MONEY)  # type: ignore[arg-type]
    recovery_months = forms.IntegerField(
        label=_("Months until it passes (if temporary)"), required=False, min_value=1, max_value=36
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("initial", {"adults": 1, "dependants": 0, "region": "CN-T2"})
        super().__init__(*args, **kw)

    def statement(self, currency: str) -> dict[str, Any]:
        """The financial statement document `take_assessment` reads."""
        data = self.cleaned_data
        months = data.get("recovery_months")
        statement: dict[str, Any] = {
            "currency": currency,
            "region": data["region"],
            "household": {"adults": data["adults"], "dependants": data["dependants"]},
            "employment": data["employment"],
            "reason": data["reason"],
            "temporary": months is not None,
            "incomes": [{"source": "wages", "amount": str(data["income"])}]
            if data["employment"] in ("employed", "self_employed")
            else [{"source": "benefits", "amount": str(data["income"])}],
            "expenses": [
                {"category": "housing", "amount": str(data["housing"])},
                {"category": "food_housekeeping", "amount": str(data["food"])},
                {"category": "utilities", "amount": str(data["utilities"])},
            ],
            "other_debts": [],
        }
        if months is not None:
            statement["expected_recovery_months"] = months
        return statement
