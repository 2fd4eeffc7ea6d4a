"""Forms of the portal's help pages: the financial statement, the budget planner, a ticket, a
reply, a callback and the contact preferences. They parse and check input only; the domain
services decide (and name a bad field, which the view puts back next to the field)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from arrears.core.errors import ValidationError as DomainError

AMOUNT = {"min_value": Decimal("0"), "max_digits": 12, "decimal_places": 2, "required": False}

REGIONS = (
    ("CN-T1", _("China, tier-1 city (Beijing, Shanghai, Guangzhou, Shenzhen)")),
    ("CN-T2", _("China, tier-2 city (a provincial capital or similar)")),
    ("CN-T3", _("China, smaller city, county or countryside")),
    ("GB", _("United Kingdom")),
    ("IE", _("Ireland")),
    ("US", _("United States")),
)
EMPLOYMENT = (
    ("employed", _("Employed")),
    ("self_employed", _("Self-employed")),
    ("unemployed", _("Out of work")),
    ("retired", _("Retired")),
    ("student", _("Student")),
    ("unable_to_work", _("Unable to work (illness or disability)")),
    ("other", _("Other")),
)
REASONS = (
    ("job_loss", _("I lost my job or income")),
    ("illness", _("Illness")),
    ("family_event", _("A family event (a death, separation, a new child, caring)")),
    ("business_failure", _("My business is struggling")),
    ("other", _("Something else")),
)
VULNERABILITIES = (
    ("health", _("My health (physical or mental) makes this harder")),
    ("bereavement", _("I have been bereaved or had another life event")),
    ("age", _("My age makes this harder")),
    ("capability", _("I find money matters, reading or online forms hard")),
)
INCOMES = (
    ("wages", _("Wages after tax")),
    ("self_employment", _("Self-employment income")),
    ("benefits", _("Benefits or unemployment insurance")),
    ("pension", _("Pension")),
    ("support_received", _("Family support received")),
    ("other", _("Other income")),
)
ESSENTIALS = (
    ("housing", _("Rent or mortgage, property fees")),
    ("utilities", _("Energy and water")),
    ("food_housekeeping", _("Food and housekeeping")),
    ("transport", _("Transport")),
    ("communications", _("Phone and internet")),
    ("childcare", _("Childcare")),
    ("education", _("School and education")),
    ("healthcare", _("Healthcare and medicine")),
    ("insurance", _("Insurance")),
    ("support_paid", _("Support paid to family")),
    ("other_living", _("Other necessary costs")),
)
OPTIONAL = (
    ("leisure", _("Leisure")),
    ("eating_out", _("Eating out")),
    ("subscriptions", _("Subscriptions")),
)


def amount_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, **AMOUNT)  # type: ignore[arg-type]


def put_domain_error(form: forms.Form, error: DomainError, aliases: dict[str, str]) -> None:
    """Show a domain error next to its field: `incomes[1].amount` → the form field it came from
    (through `aliases`), a known field by name, else at the top of the form."""
    name = error.field
    for prefix, field_name in aliases.items():
        if name == prefix or name.startswith(prefix + ".") or name.startswith(prefix + "["):
            name = field_name
            break
    root = re.split(r"[.\[]", name, maxsplit=1)[0]
    target = name if name in form.fields else (root if root in form.fields else None)
    form.add_error(target, str(error.reason if target else error.message))


class StatementForm(forms.Form):
    """The borrower's financial statement: a month's money, in the account's currency."""

    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    region = forms.ChoiceField(label=_("Where you live"), choices=REGIONS)
    adults = forms.IntegerField(
        label=_("Adults in your home (you included)"), min_value=1, max_value=20, initial=1
    )
    dependants = forms.IntegerField(
        label=_("Children and others who depend on you"), min_value=0, max_value=20, initial=0
    )
    employment = forms.ChoiceField(label=_("Your work"), choices=EMPLOYMENT)
    reason = forms.ChoiceField(label=_("What happened"), choices=REASONS)
    temporary = forms.BooleanField(label=_("I expect this to pass"), required=False)
    expected_recovery_months = forms.IntegerField(
        label=_("In how many months?"), min_value=1, max_value=60, required=False
    )
    income_after_recovery = amount_field(_("Monthly income once it has passed"))
    lump_sum_available = amount_field(_("Money you could pay now (savings, family help)"))
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Anything we should know? (optional)"),
        choices=VULNERABILITIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, accounts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = {account.pk: account for account in accounts}
        field = self.fields["account"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (a.pk, f"{a.number} · {a.product.name_zh if _zh() else a.product.name_en}")
            for a in self.accounts.values()
        ]
        for source, label in INCOMES:
            self.fields[f"income_{source}"] = amount_field(label)
        for category, label in ESSENTIALS + OPTIONAL:
            self.fields[f"expense_{category}"] = amount_field(label)

    def income_fields(self) -> list[forms.BoundField]:
        return [self[f"income_{source}"] for source, _label in INCOMES]

    def essential_fields(self) -> list[forms.BoundField]:
        return [self[f"expense_{category}"] for category, _label in ESSENTIALS]

    def optional_fields(self) -> list[forms.BoundField]:
        return [self[f"expense_{category}"] for category, _label in OPTIONAL]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("temporary") and not data.get("expected_recovery_months"):
            self.add_error("expected_recovery_months", _("Say in how many months, roughly."))
        return data

    def statement(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The statement as the hardship app reads it, and where each line came from."""
        data = self.cleaned_data
        account = self.accounts[data["account"]]
        aliases: dict[str, str] = {}
        incomes: list[dict[str, str]] = []
        for source, _label in INCOMES:
            amount = data.get(f"income_{source}")
            if amount:
                aliases[f"incomes[{len(incomes)}]"] = f"income_{source}"
                incomes.append({"source": source, "amount": f"{amount:.2f}"})
        expenses: list[dict[str, str]] = []
        for category, _label in ESSENTIALS + OPTIONAL:
            amount = data.get(f"expense_{category}")
            if amount:
                aliases[f"expenses[{len(expenses)}]"] = f"expense_{category}"
                expenses.append({"category": category, "amount": f"{amount:.2f}"})
        statement: dict[str, Any] = {
            "currency": account.currency,
            "region": data["region"],
            "household": {"adults": data["adults"], "dependants": data["dependants"]},
            "employment": data["employment"],
            "reason": data["reason"],
            "temporary": bool(data.get("temporary")),
            "incomes": incomes,
            "expenses": expenses,
            "other_debts": [],
            "vulnerabilities": list(data.get("vulnerabilities") or []),
        }
        if data.get("temporary"):
            statement["expected_recovery_months"] = data.get("expected_recovery_months")
            if data.get("income_after_recovery"):
                statement["income_after_recovery"] = f"{data['income_after_recovery']:.2f}"
        if data.get("lump_sum_available"):
            statement["lump_sum_available"] = f"{data['lump_sum_available']:.2f}"
        aliases["household.adults"] = "adults"
        aliases["household.dependants"] = "dependants"
        return statement, aliases


class ApplyForm(forms.Form):
    option = forms.CharField(max_length=120)


class BudgetForm(forms.Form):
    """The budget planner: a month's money and what the borrower plans to pay their debts."""

    income = amount_field(_("Money coming in each month"))
    essentials = amount_field(_("Essential spending each month"))
    other_spending = amount_field(_("Other spending each month"))
    debt_payments = amount_field(_("What you plan to pay your debts each month"))
    savings = amount_field(_("Savings you start with"))
    months = forms.IntegerField(label=_("Months to plan"), min_value=1, max_value=60, initial=12)
    one_off_month = forms.IntegerField(
        label=_("A one-off cost in month"), min_value=1, max_value=60, required=False
    )
    one_off_label = forms.CharField(label=_("What it is for"), max_length=80, required=False)
    one_off_amount = amount_field(_("How much"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("one_off_amount") and not data.get("one_off_month"):
            self.add_error("one_off_month", _("Say in which month it falls."))
        return data

    def request(self, currency: str) -> dict[str, Any]:
        """The planner's input as the hardship app's budget reads it."""
        data = self.cleaned_data

        def text(name: str) -> str | None:
            value = data.get(name)
            return f"{value:.2f}" if value is not None else None

        incomes = [{"source": "other", "amount": text("income")}] if data.get("income") else []
        expenses = []
        if data.get("essentials"):
            expenses.append({"category": "other_living", "amount": text("essentials")})
        if data.get("other_spending"):
            expenses.append({"category": "other_non_essential", "amount": text("other_spending")})
        one_offs = []
        if data.get("one_off_amount") and data.get("one_off_month"):
            one_offs.append(
                {
                    "month": data["one_off_month"],
                    "label": data.get("one_off_label") or str(_("One-off cost")),
                    "amount": text("one_off_amount"),
                }
            )
        return {
            "currency": currency,
            "incomes": incomes,
            "expenses": expenses,
            "debt_payments": text("debt_payments"),
            "savings": text("savings"),
            "months": data.get("months") or 12,
            "one_offs": one_offs,
        }


class TicketForm(forms.Form):
    KINDS = (
        ("inquiry", _("A question")),
        ("complaint", _("A complaint")),
        ("dispute", _("I dispute a charge or the debt")),
        ("hardship_request", _("I need help with payments")),
    )
    kind = forms.ChoiceField(label=_("What is it about?"), choices=KINDS)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}))


class CallbackForm(forms.Form):
    slot = forms.DateTimeField(label=_("Time"), input_formats=["%Y-%m-%dT%H:%M:%S%z"])


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search help articles"), max_length=500)


WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)


class PreferencesForm(forms.Form):
    NOTICE_CHANNELS = (
        ("in_app", _("In-app message")),
        ("sms", _("SMS")),
        ("email", _("E-mail")),
        ("letter", _("Letter")),
    )
    STOP_CHANNELS = (
        ("call", _("Telephone calls")),
        ("sms", _("SMS")),
        ("email", _("E-mail")),
        ("in_app", _("In-app messages")),
    )

    language = forms.ChoiceField(
        label=_("Language"), choices=(("zh-hans", "中文"), ("en", "English"))
    )
    first_channel = forms.ChoiceField(label=_("Tell me first by"), choices=NOTICE_CHANNELS)
    second_channel = forms.ChoiceField(
        label=_("Then by"), choices=(("", "—"), *NOTICE_CHANNELS), required=False
    )
    declined_kinds = forms.MultipleChoiceField(
        label=_("Optional messages I do not want"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    quiet_from = forms.TimeField(label=_("Quiet time from"), required=False)
    quiet_until = forms.TimeField(label=_("Quiet time until"), required=False)
    quiet_days = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    no_workplace_contact = forms.BooleanField(label=_("Do not contact me at work"), required=False)
    opt_out_channels = forms.MultipleChoiceField(
        label=_("Stop these channels"),
        choices=STOP_CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, optional_kinds: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["declined_kinds"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(optional_kinds)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_from"), data.get("quiet_until")
        if (start is None) != (end is None):
            self.add_error(
                "quiet_until" if end is None else "quiet_from",
                _("Give both the start and the end of the quiet time."),
            )
        elif start is not None and end is not None and start >= end:
            self.add_error("quiet_until", _("Must be after the start."))
        if data.get("second_channel") and data.get("second_channel") == data.get("first_channel"):
            self.add_error("second_channel", _("Choose a different channel."))
        return data

    def choices(self) -> dict[str, Any]:
        data = self.cleaned_data
        channels = [data["first_channel"]]
        if data.get("second_channel"):
            channels.append(data["second_channel"])
        quiet: list[dict[str, Any]] = []
        if data.get("quiet_from") and data.get("quiet_until"):
            quiet.append(
                {
                    "start": _clock(data["quiet_from"]),
                    "end": _clock(data["quiet_until"]),
                    "weekdays": sorted(data.get("quiet_days") or range(7)),
                }
            )
        return {
            "language": data["language"],
            "channels": channels,
            "declined_kinds": list(data.get("declined_kinds") or []),
            "quiet_times": quiet,
            "no_workplace_contact": bool(data.get("no_workplace_contact")),
            "opt_out_channels": list(data.get("opt_out_channels") or []),
        }


def _clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("zh")
