"""The portal's forms for paying, autopay and promises: they parse; the services decide.

Each form turns what the borrower typed into `Money` and dates; whether the amount may be paid
or promised is the domain's rule (`servicing.services.card_payments`,
`collection.services.portal_promises`), whose errors are put back next to their field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.core.errors import ValidationError as DomainError
from arrears.core.money import Money, minor_units
from arrears.servicing.choices import AutopayAmountRule, ProductKind
from arrears.servicing.selectors.portal import AccountOverview

MINIMUM, FULL, OTHER = "minimum", "full", "other"


def _amount_field(currency: str, label: Any, *, required: bool = False) -> forms.DecimalField:
    places = minor_units(currency)
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_digits=15,
        decimal_places=places,
        widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": str(Decimal(1).scaleb(-places))}
        ),
    )


def put_domain_error(
    form: forms.Form, error: DomainError, fields: dict[str, str] | None = None
) -> None:
    """Show a domain error next to its field (`fields` maps domain names to form names)."""
    name = (fields or {}).get(error.field, error.field)
    form.add_error(name if name in form.fields else None, error.reason)


class PayAmountForm(forms.Form):
    """How much to pay: the minimum due, the full balance, or another amount."""

    choice = forms.ChoiceField(label=gettext_lazy("Amount to pay"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, overview: AccountOverview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overview = overview
        currency = overview.account.currency
        options = []
        if overview.minimum_due.minor > 0:
            options.append((MINIMUM, _("Minimum due")))
        options += [(FULL, _("Full balance")), (OTHER, _("Another amount"))]
        self.fields["choice"].choices = options  # type: ignore[attr-defined]
        self.fields["other_amount"] = _amount_field(
            currency, _("Other amount (%(c)s)") % {"c": currency}
        )
        self.initial.setdefault("choice", options[0][0])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        choice = data.get("choice")
        currency = self.overview.account.currency
        if choice == MINIMUM:
            data["amount"] = self.overview.minimum_due
        elif choice == FULL:
            data["amount"] = self.overview.balance
        elif choice == OTHER:
            other = data.get("other_amount")
            if other is None:
                self.add_error("other_amount", _("Enter the amount you want to pay."))
            elif other <= 0:
                self.add_error("other_amount", _("Enter an amount above zero."))
            else:
                data["amount"] = Money(other, currency)
        return data


class PayConfirmForm(forms.Form):
    """The confirmation: the amount and key carried from the page, and the card to charge."""

    amount_minor = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    card_number = forms.CharField(
        label=gettext_lazy("Debit card number"),
        max_length=23,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "cc-number",
                "placeholder": "6222 0000 0000 0000",
            }
        ),
    )


class AutopayForm(forms.Form):
    """The autopay mandate: how much, when, from which bank account, with the consent."""

    amount_rule = forms.ChoiceField(
        label=gettext_lazy("How much to collect"), widget=forms.RadioSelect
    )
    debit_days_before_due = forms.TypedChoiceField(
        label=gettext_lazy("When to collect"),
        coerce=int,
        initial=0,
    )
    funding_account = forms.CharField(
        label=gettext_lazy("Bank account or debit card number to collect from"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("I authorise the lender to collect these payments from this account."),
        required=False,
    )
    consent_reference = forms.CharField(widget=forms.HiddenInput, max_length=120)

    def __init__(self, *args: Any, overview: AccountOverview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overview = overview
        account = overview.account
        rules = [(AutopayAmountRule.MINIMUM.value, _("The minimum due each time"))]
        if account.kind == ProductKind.CARD:
            rules.append(
                (AutopayAmountRule.STATEMENT_BALANCE.value, _("The full statement balance"))
            )
        rules.append((AutopayAmountRule.FIXED.value, _("A fixed amount")))
        self.fields["amount_rule"].choices = rules  # type: ignore[attr-defined]
        self.fields["fixed_amount"] = _amount_field(
            account.currency, _("Fixed amount (%(c)s)") % {"c": account.currency}
        )
        days = [(0, _("On the due date"))] + [
            (n, _("%(n)d days before the due date") % {"n": n}) for n in (1, 2, 3, 5, 7, 10)
        ]
        self.fields["debit_days_before_due"].choices = days  # type: ignore[attr-defined]
        self.has_mandate = overview.mandate is not None
        if self.has_mandate:
            self.fields["funding_account"].help_text = _(
                "Leave empty to keep collecting from %(masked)s."
            ) % {"masked": overview.mandate.funding_account_masked}  # type: ignore[union-attr]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        funding = (data.get("funding_account") or "").strip()
        needs_funding = not self.has_mandate or (
            self.overview.mandate is not None and self.overview.mandate.status == "suspended"
        )
        if needs_funding and not funding:
            self.add_error("funding_account", _("Enter the account to collect from."))
        if (funding or not self.has_mandate) and not data.get("consent"):
            self.add_error("consent", _("Tick the box to authorise the collection."))
        data["fixed"] = None
        if data.get("amount_rule") == AutopayAmountRule.FIXED:
            fixed = data.get("fixed_amount")
            if not fixed or fixed <= 0:
                self.add_error("fixed_amount", _("Enter the amount to collect each time."))
            else:
                data["fixed"] = Money(fixed, self.overview.account.currency)
        return data


class PromiseForm(forms.Form):
    """A promise to pay an amount by a day in the lender's window."""

    due_on = forms.DateField(
        label=gettext_lazy("I will pay by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(
        self,
        *args: Any,
        overview: AccountOverview,
        first_day: dt.date,
        last_day: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.overview = overview
        currency = overview.account.currency
        self.fields["amount"] = _amount_field(
            currency, _("Amount (%(c)s)") % {"c": currency}, required=True
        )
        self.order_fields(["amount", "due_on"])
        self.fields["due_on"].widget.attrs.update(
            min=first_day.isoformat(), max=last_day.isoformat()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("amount")
        if amount is not None:
            if amount <= 0:
                self.add_error("amount", _("Enter an amount above zero."))
            else:
                data["money"] = Money(amount, self.overview.account.currency)
        return data
