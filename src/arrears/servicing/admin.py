"""The servicing admin: configuration (products) and people (borrowers) are edited here; the
ledger and everything derived from it are read-only — money moves only through the services."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.contrib import admin
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from arrears.core.errors import ValidationError as DomainValidationError
from arrears.core.products import parse_product
from arrears.servicing.choices import ContactKind
from arrears.servicing.models import (
    Account,
    AutopayDebit,
    AutopayMandate,
    Borrower,
    BucketChange,
    CardCharge,
    ContactPoint,
    CycleRun,
    JournalEntry,
    JournalLine,
    Obligation,
    ObligationAdjustment,
    Payment,
    PaymentApplication,
    Product,
    ProductTermsChange,
    RateOverride,
    ScheduledInterest,
    Statement,
)
from arrears.servicing.services.autopay import cancel_autopay
from arrears.servicing.services.products import terms_to_data
from arrears.servicing.services.terms_changes import (
    cancel_terms_change,
    schedule_terms_change,
)


class ReadOnlyMixin:
    """Viewable by whoever may view; nobody adds, changes or deletes (append-only records)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- products -----------------------------------------------------------------------------------
class ProductForm(forms.ModelForm):  # type: ignore[type-arg]
    """Checks the terms with `core.products.parse_product`; an error names the bad field."""

    class Meta:
        model = Product
        fields = ["code", "kind", "name_en", "name_zh", "currency", "terms", "is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        terms, kind = cleaned.get("terms"), cleaned.get("kind")
        if terms is None or not kind:
            return cleaned
        if not isinstance(terms, dict):
            self.add_error("terms", _("The terms must be a JSON object of field names to values."))
            return cleaned
        try:
            parsed = parse_product({**terms, "kind": kind})
        except DomainValidationError as exc:
            self.add_error("terms", f"{exc.field}: {exc.reason}")
            return cleaned
        for name in ("code", "currency", "name_en", "name_zh"):
            if name in cleaned and cleaned[name] != getattr(parsed, name):
                self.add_error(
                    name,
                    _("Must match the terms, which say %(value)s.")
                    % {"value": getattr(parsed, name)},
                )
        instance = self.instance
        if (
            instance.pk
            and (instance.kind, instance.currency) != (cleaned.get("kind"), cleaned.get("currency"))
            and instance.accounts.exists()
        ):
            self.add_error("kind", _("A product with accounts cannot change its kind or currency."))
        cleaned["terms"] = terms_to_data(parsed)  # stored normalised, every default filled in
        return cleaned


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProductForm
    list_display = ["code", "kind", "name_en", "name_zh", "currency", "version", "is_active"]
    list_filter = ["kind", "currency", "is_active"]
    search_fields = ["code", "name_en", "name_zh"]
    readonly_fields = ["version", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        if obj is not None:
            return ["code", *self.readonly_fields]  # accounts refer to a product by its code
        return list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        if change and Product.objects.filter(pk=obj.pk).values_list("terms", flat=True).first() != (
            obj.terms
        ):
            obj.version += 1  # accounts opened under the old terms can tell
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Product | None = None) -> bool:
        return False  # deactivate instead


# --- borrowers ----------------------------------------------------------------------------------
class ContactPointForm(forms.ModelForm):  # type: ignore[type-arg]
    """Phone numbers are checked and stored in E.164, read for the borrower's country."""

    class Meta:
        model = ContactPoint
        fields = ["kind", "value", "is_primary", "is_valid"]

    def __init__(self, *args: Any, borrower: Borrower | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.borrower = borrower  # the parent form's, with its country, even when unsaved

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if not kind or not value:
            return cleaned
        if kind == ContactKind.EMAIL:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError as exc:
                self.add_error("value", exc)
            return cleaned
        country = self.borrower.country if self.borrower is not None else None
        try:
            number = phonenumbers.parse(value, country or None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            self.add_error("value", _("Not a valid phone number."))
            return cleaned
        cleaned["value"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return cleaned


class ContactPointFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "borrower": self.instance}


class ContactPointInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ContactPoint
    form = ContactPointForm
    formset = ContactPointFormSet
    extra = 0


@admin.register(Borrower)
class BorrowerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = [ContactPointInline]
    list_display = ["reference", "full_name", "country", "preferred_language", "created_at"]
    list_filter = ["country", "preferred_language"]
    search_fields = ["reference", "full_name", "email", "contact_points__value"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request: HttpRequest, obj: Borrower | None = None) -> bool:
        return False  # a borrower's history is kept


# --- accounts -----------------------------------------------------------------------------------
@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Accounts open through the services (their schedule and disbursement are posted then);
    here only the credit limit may change, the rest is shown."""

    list_display = [
        "number",
        "borrower",
        "product",
        "kind",
        "status",
        "days_past_due",
        "bucket",
        "opened_on",
    ]
    list_filter = ["status", "kind", "bucket", "product"]
    search_fields = ["number", "borrower__reference", "borrower__full_name"]
    list_select_related = ["borrower", "product"]
    readonly_fields = [
        "number", "borrower", "product", "kind", "currency", "status", "opened_on",
        "statement_day", "principal_minor", "apr", "term_months", "repayment_method",
        "repayment_day",
        # derived by the services from the journal and obligations
        "days_past_due", "bucket", "past_due_minor", "aged_on", "charged_off_on", "closed_on",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        return False


# --- the ledger and what is derived from it: read-only -----------------------------------------
class JournalLineInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = JournalLine
    fields = readonly_fields = ("book", "amount_minor", "effective_on")
    extra = 0


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = [JournalLineInline]
    list_display = ["id", "account", "kind", "effective_on", "posted_at", "currency", "reverses"]
    list_filter = ["kind", "effective_on"]
    search_fields = ["account__number", "idempotency_key", "memo"]
    list_select_related = ["account", "reverses"]
    date_hierarchy = "effective_on"


@admin.register(JournalLine)
class JournalLineAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "entry", "account", "book", "amount_minor", "effective_on"]
    list_filter = ["book"]
    search_fields = ["account__number", "book"]
    list_select_related = ["entry", "account"]


class PaymentApplicationInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = PaymentApplication
    fields = readonly_fields = ("obligation", "amount_minor", "principal_minor", "interest_minor")
    extra = 0


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    inlines = [PaymentApplicationInline]
    list_display = [
        "id", "account", "amount_minor", "currency", "received_on", "channel", "status",
    ]  # fmt: skip
    list_filter = ["status", "channel", "received_on"]
    search_fields = ["account__number", "idempotency_key", "external_reference"]
    list_select_related = ["account"]


@admin.register(CardCharge)
class CardChargeAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "tried_at", "account", "amount_minor", "currency", "card_last4", "result", "decline_code",
    ]  # fmt: skip
    list_filter = ["result", "decline_code", "tried_at"]
    search_fields = ["account__number", "idempotency_key", "provider_reference"]
    list_select_related = ["account"]


@admin.register(Statement)
class StatementAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "account", "number", "statement_on", "due_on", "new_balance_minor", "minimum_due_minor",
    ]  # fmt: skip
    list_filter = ["statement_on"]
    search_fields = ["account__number"]
    list_select_related = ["account"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["account", "kind", "number", "due_on", "amount_minor", "paid_minor"]
    list_filter = ["kind", "due_on"]
    search_fields = ["account__number"]
    list_select_related = ["account"]


# Rate overrides, scheduled interest and obligation adjustments are written by the services
# (a plan's terms: docs/hardship.md, "How the plan's terms reach the ledger"): read-only here.
@admin.register(RateOverride)
class RateOverrideAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["account", "from_on", "until_on", "apr", "source", "reason", "end_reason"]
    list_filter = ["from_on"]
    search_fields = ["account__number", "source"]
    list_select_related = ["account"]


@admin.register(ScheduledInterest)
class ScheduledInterestAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "account", "source", "number", "due_on", "amount_minor", "capitalised_minor", "entry",
        "cancelled_on",
    ]  # fmt: skip
    list_filter = ["due_on", "cancelled_on"]
    search_fields = ["account__number", "source"]
    list_select_related = ["account", "entry"]


@admin.register(ObligationAdjustment)
class ObligationAdjustmentAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["obligation", "entry", "amount_minor", "principal_minor", "interest_minor"]
    search_fields = ["obligation__account__number", "entry__idempotency_key"]
    list_select_related = ["obligation__account", "entry"]


@admin.register(BucketChange)
class BucketChangeAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["account", "changed_on", "from_bucket", "to_bucket", "days_past_due", "reason"]
    list_filter = ["reason", "to_bucket", "changed_on"]
    search_fields = ["account__number"]
    list_select_related = ["account"]


@admin.register(CycleRun)
class CycleRunAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["kind", "business_date", "started_at", "finished_at"]
    list_filter = ["kind"]
    date_hierarchy = "business_date"


# --- autopay and terms changes -------------------------------------------------------------------
@admin.register(AutopayMandate)
class AutopayMandateAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Mandates are set up by the borrower (portal, API); here they are seen and cancelled."""

    list_display = [
        "account", "amount_rule", "fixed_amount_minor", "debit_days_before_due",
        "funding_account_masked", "status", "starts_on",
    ]  # fmt: skip
    list_filter = ["status", "amount_rule"]
    search_fields = ["account__number", "consent_reference"]
    list_select_related = ["account"]
    actions = ["cancel_mandates"]

    @admin.action(description=_lazy("Cancel the selected autopay mandates"))
    def cancel_mandates(self, request: HttpRequest, queryset: Any) -> None:
        for mandate in queryset:
            cancel_autopay(mandate=mandate)


@admin.register(AutopayDebit)
class AutopayDebitAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "account", "for_due_on", "attempt", "attempted_on", "amount_minor", "currency", "status",
        "failure_code", "next_retry_on",
    ]  # fmt: skip
    list_filter = ["status", "failure_code", "attempted_on"]
    search_fields = ["account__number", "idempotency_key"]
    list_select_related = ["account"]


class TermsChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    """Scheduling goes through `schedule_terms_change`: the terms and the notice are checked."""

    class Meta:
        model = ProductTermsChange
        fields = ["product", "terms", "announced_on", "effective_on", "summary"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            with transaction.atomic():
                schedule_terms_change(
                    product=cleaned["product"],
                    terms=cleaned["terms"],
                    effective_on=cleaned["effective_on"],
                    announced_on=cleaned["announced_on"],
                    summary=cleaned.get("summary") or "",
                )
                transaction.set_rollback(True)  # saved for real in save_model
        except DomainValidationError as error:
            field = error.field.split(".", 1)[0]
            self.add_error(field if field in self.fields else None, error.reason)
        return cleaned


@admin.register(ProductTermsChange)
class ProductTermsChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = TermsChangeForm
    list_display = [
        "product", "announced_on", "effective_on", "notice_days", "jurisdiction", "status",
        "from_version", "to_version",
    ]  # fmt: skip
    list_filter = ["status", "jurisdiction"]
    search_fields = ["product__code", "summary"]
    list_select_related = ["product"]
    actions = ["cancel_changes"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel and schedule anew

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        cleaned = form.cleaned_data
        saved = schedule_terms_change(
            product=cleaned["product"],
            terms=cleaned["terms"],
            effective_on=cleaned["effective_on"],
            announced_on=cleaned["announced_on"],
            summary=cleaned.get("summary") or "",
        )
        obj.pk = saved.pk

    @admin.action(description=_lazy("Cancel the selected scheduled terms changes"))
    def cancel_changes(self, request: HttpRequest, queryset: Any) -> None:
        for change in queryset.filter(status="scheduled"):
            cancel_terms_change(change=change)
