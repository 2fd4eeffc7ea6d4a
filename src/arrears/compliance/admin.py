"""The compliance admin: profiles a compliance officer reads and edits (checked on save), holds,
opt-outs, consents and preferences (written through the services), and the records that are
never edited here: the contact history, the decision log and permits.

The Account and Borrower pages of the servicing admin gain the current holds and the latest
decisions with their reasons: the servicing classes are extended and re-registered here, so
servicing never imports compliance.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.compliance.models import (
    AutomatedConsent,
    ContactAttempt,
    ContactPreference,
    Decision,
    Hold,
    OptOut,
    Permit,
    PersonalDataAccess,
    ProfileVersion,
)
from arrears.compliance.services import (
    activate_profile_version,
    check_hold,
    check_preference,
    check_profile_text,
    lift_hold,
    record_consent,
    record_opt_out,
    revoke_consent,
    save_profile_version,
    set_contact_preference,
    set_hold,
)
from arrears.core.compliance import RULE_IDS
from arrears.core.errors import ValidationError as DomainValidationError

# The servicing admin classes are extended (never edited) so that servicing knows nothing of
# compliance; see the module docstring.
from arrears.servicing.admin import AccountAdmin, BorrowerAdmin, ReadOnlyMixin
from arrears.servicing.models import Account, Borrower

#: How many decisions the account and borrower pages show.
LATEST_DECISIONS = 10


def _copy_saved(target: Any, saved: Any) -> None:
    """Make the admin's object the row a service stored (so the admin links to it)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False


def _add_domain_error(form: forms.ModelForm, error: DomainValidationError, default: str) -> None:  # type: ignore[type-arg]
    field = error.field if error.field in form.fields else None
    message = error.reason if field else f"{error.field}: {error.reason}"
    form.add_error(field or (default if default in form.fields else None), message)


def reasons_html(decision: Decision) -> str:
    """Each refusing (or flagging) rule's reason in English and Chinese, with the citation."""
    shown = [r for r in decision.rules if r.get("outcome") != "allow"]
    if not shown:
        return format_html("<span>{}</span>", _("Every rule allows."))
    return format_html_join(
        "",
        "<div><strong>{}</strong> ({}): {}<br>{}<br><small>{}</small></div>",
        (
            (
                rule["id"],
                rule["outcome"],
                rule["reason_en"],
                rule["reason_zh"],
                _citation_text(rule.get("citation")),
            )
            for rule in shown
        ),
    )


def _citation_text(citation: Any) -> str:
    if not citation:
        return ""
    return f"{citation['source']} [{citation['ref']}; {citation['status']}]"


# --- profiles -----------------------------------------------------------------------------------
class ProfileVersionForm(forms.ModelForm):  # type: ignore[type-arg]
    """Checks the YAML with the core's loader (over the active parent, with the house rules);
    an error names the field, e.g. `rules.contact_hours.reg_f.end: …`."""

    class Meta:
        model = ProfileVersion
        fields = ["code", "yaml_text"]
        widgets = {"yaml_text": forms.Textarea(attrs={"rows": 40, "cols": 110})}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("code") or (self.instance.code if self.instance.pk else None)
        text = cleaned.get("yaml_text")
        if not code or not text:
            return cleaned
        if self.instance.pk and text == self.instance.yaml_text:
            return cleaned
        try:
            check_profile_text(code=code, text=text)
        except DomainValidationError as error:
            self.add_error("yaml_text", f"{error.field}: {error.reason}")
            return cleaned
        version = _version_of(text)
        if ProfileVersion.objects.filter(code=code, version=version).exists():
            self.add_error(
                "yaml_text",
                _("version: %(code)s@%(version)s already exists; give the edit a new version")
                % {"code": code, "version": version},
            )
        return cleaned


def _version_of(text: str) -> str:
    import yaml

    data = yaml.safe_load(text)
    return str(data.get("version")) if isinstance(data, dict) else ""


@admin.register(ProfileVersion)
class ProfileVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Editing a profile stores the edit as a new version and makes it active; the version it
    replaces is kept, so every logged decision can still show the text it was made under."""

    form = ProfileVersionForm
    list_display = ["code", "version", "is_active", "is_bundled", "edited_by", "edited_at"]
    list_filter = ["code", "is_active", "is_bundled"]
    list_select_related = ["edited_by"]
    actions = ["activate_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["code", "version", "is_active", "is_bundled", "edited_by", "edited_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["code", "yaml_text"]
        return ["code", "version", "is_active", "is_bundled", "edited_by", "edited_at", "yaml_text"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ProfileVersion, form: Any, change: bool
    ) -> None:
        if change and "yaml_text" not in form.changed_data:
            return
        saved = save_profile_version(code=obj.code, yaml_text=obj.yaml_text, edited_by=request.user)
        _copy_saved(obj, saved)

    @admin.action(description=gettext_lazy("Make the selected version the active one"))
    def activate_selected(self, request: HttpRequest, queryset: QuerySet[ProfileVersion]) -> None:
        for version in queryset:
            try:
                activate_profile_version(profile_version=version)
            except DomainValidationError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
                continue
            self.message_user(
                request, _("%(version)s is now active.") % {"version": version}, messages.SUCCESS
            )


# --- holds --------------------------------------------------------------------------------------
_HOLD_FIELDS = [
    "borrower", "account", "kind", "start_on", "end_on", "review_on", "reason", "petition_on",
    "chapter", "prior_dismissals_12m", "discharged_on", "breathing_space",
]  # fmt: skip


class HoldForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new hold, checked by `services.check_hold`; an existing one can only be lifted."""

    lift_with_reason = forms.CharField(
        label=gettext_lazy("Lift it, because"), required=False, max_length=500
    )

    class Meta:
        model = Hold
        fields = _HOLD_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk or self.errors:
            return cleaned
        values: dict[str, Any] = {name: cleaned.get(name) for name in _HOLD_FIELDS}
        values["breathing_space"] = values["breathing_space"] or ""
        values["prior_dismissals_12m"] = values["prior_dismissals_12m"] or 0
        try:
            check_hold(now=timezone.now(), **values)
        except DomainValidationError as error:
            _add_domain_error(self, error, "reason")
        return cleaned


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = HoldForm
    list_display = [
        "borrower", "account", "kind", "start_on", "end_on", "review_on", "set_by_name",
        "lifted_at",
    ]  # fmt: skip
    list_filter = ["kind", ("lifted_at", admin.EmptyFieldListFilter), "start_on"]
    search_fields = ["borrower__reference", "borrower__full_name", "account__number", "reason"]
    list_select_related = ["borrower", "account"]
    raw_id_fields = ["borrower", "account"]

    def get_fields(self, request: HttpRequest, obj: Hold | None = None) -> Any:
        fields = [*_HOLD_FIELDS]
        if obj is not None:
            fields += ["set_by_name", "set_at", "lifted_at", "lifted_by_name", "lift_reason"]
            if obj.lifted_at is None:
                fields.append("lift_with_reason")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Hold | None = None) -> list[str]:
        if obj is None:
            return []
        return [
            *_HOLD_FIELDS,
            "set_by_name",
            "set_at",
            "lifted_at",
            "lifted_by_name",
            "lift_reason",
        ]

    def has_change_permission(self, request: HttpRequest, obj: Hold | None = None) -> bool:
        if obj is not None and obj.lifted_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Hold | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Hold, form: Any, change: bool) -> None:
        if change:
            reason = form.cleaned_data.get("lift_with_reason")
            if reason:
                _copy_saved(obj, lift_hold(hold=obj, reason=reason, lifted_by=request.user))
            return
        values: dict[str, Any] = {name: form.cleaned_data.get(name) for name in _HOLD_FIELDS}
        values["breathing_space"] = values["breathing_space"] or ""
        values["prior_dismissals_12m"] = values["prior_dismissals_12m"] or 0
        _copy_saved(obj, set_hold(set_by=request.user, **values))


# --- opt-outs, consents, preferences -----------------------------------------------------------
_OPT_OUT_FIELDS = ("borrower", "channel", "address", "source", "message")
_WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by_name", "withdrawn_how")


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["borrower", "channel", "address", "source", "at", "recorded_by", "withdrawn_at"]
    list_filter = ["channel", "source", "at", "withdrawn_at"]
    search_fields = ["borrower__reference", "borrower__full_name", "address"]
    list_select_related = ["borrower", "recorded_by"]
    raw_id_fields = ["borrower"]
    fields = _OPT_OUT_FIELDS

    def get_fields(self, request: HttpRequest, obj: OptOut | None = None) -> Any:
        return list(_OPT_OUT_FIELDS) if obj is None else self.get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: OptOut | None = None) -> list[str]:
        if obj is None:
            return []
        # withdrawn through `withdraw_opt_out` (the borrower's portal), shown here as history
        return [*_OPT_OUT_FIELDS, "at", "recorded_by", *_WITHDRAWAL_FIELDS]

    def has_change_permission(self, request: HttpRequest, obj: OptOut | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OptOut | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: OptOut, form: Any, change: bool) -> None:
        saved = record_opt_out(
            borrower=obj.borrower,
            channel=obj.channel,
            address=obj.address,
            source=obj.source,
            message=obj.message,
            recorded_by=request.user,
        )
        _copy_saved(obj, saved)


class ConsentForm(forms.ModelForm):  # type: ignore[type-arg]
    revoke_because = forms.CharField(
        label=gettext_lazy("Revoked, by"), required=False, max_length=200,
        help_text=gettext_lazy('how the borrower revoked it, e.g. "said stop on the call"'),
    )  # fmt: skip

    class Meta:
        model = AutomatedConsent
        fields = ["borrower", "channel", "address", "how"]


@admin.register(AutomatedConsent)
class AutomatedConsentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ConsentForm
    list_display = ["borrower", "channel", "address", "given_at", "how", "revoked_at"]
    list_filter = ["channel", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["borrower__reference", "address"]
    list_select_related = ["borrower"]
    raw_id_fields = ["borrower"]

    def get_fields(self, request: HttpRequest, obj: AutomatedConsent | None = None) -> Any:
        if obj is None:
            return ["borrower", "channel", "address", "how"]
        fields = ["borrower", "channel", "address", "how", "given_at", "revoked_at", "revoked_how"]
        return [*fields, "revoke_because"] if obj.revoked_at is None else fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: AutomatedConsent | None = None
    ) -> list[str]:
        if obj is None:
            return []
        return ["borrower", "channel", "address", "how", "given_at", "revoked_at", "revoked_how"]

    def has_change_permission(
        self, request: HttpRequest, obj: AutomatedConsent | None = None
    ) -> bool:
        if obj is not None and obj.revoked_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: AutomatedConsent | None = None
    ) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: AutomatedConsent, form: Any, change: bool
    ) -> None:
        if change:
            how = form.cleaned_data.get("revoke_because")
            if how:
                revoke_consent(
                    borrower=obj.borrower, channel=obj.channel, address=obj.address, how=how
                )
                obj.refresh_from_db()
            return
        saved = record_consent(
            borrower=obj.borrower,
            channel=obj.channel,
            address=obj.address,
            how=obj.how,
            recorded_by=request.user,
        )
        _copy_saved(obj, saved)


class ContactPreferenceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ContactPreference
        fields = [
            "borrower", "inconvenient_times", "agreed_times", "inconvenient_places",
            "no_workplace_contact", "workplace_addresses", "workplace_consent_addresses",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("inconvenient_places", "workplace_addresses", "workplace_consent_addresses"):
            value = cleaned.get(name)
            if value is not None and not (
                isinstance(value, list) and all(isinstance(item, str) for item in value)
            ):
                self.add_error(name, _("Must be a JSON list of text."))
        try:
            check_preference(
                inconvenient_times=cleaned.get("inconvenient_times") or [],
                agreed_times=cleaned.get("agreed_times") or [],
            )
        except DomainValidationError as error:
            name = error.field.split("[", 1)[0]
            self.add_error(name if name in self.fields else None, f"{error.field}: {error.reason}")
        return cleaned


@admin.register(ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ContactPreferenceForm
    list_display = ["borrower", "no_workplace_contact", "updated_at"]
    search_fields = ["borrower__reference", "borrower__full_name"]
    list_select_related = ["borrower"]
    raw_id_fields = ["borrower"]

    def has_delete_permission(
        self, request: HttpRequest, obj: ContactPreference | None = None
    ) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ContactPreference, form: Any, change: bool
    ) -> None:
        saved = set_contact_preference(
            borrower=obj.borrower,
            inconvenient_times=obj.inconvenient_times or [],
            agreed_times=obj.agreed_times or [],
            inconvenient_places=obj.inconvenient_places or [],
            no_workplace_contact=obj.no_workplace_contact,
            workplace_addresses=obj.workplace_addresses or [],
            workplace_consent_addresses=obj.workplace_consent_addresses or [],
        )
        _copy_saved(obj, saved)


# --- the records: read-only ---------------------------------------------------------------------
@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "started_at", "borrower", "channel", "direction", "address", "outcome", "purpose", "by",
        "agent", "automated",
    ]  # fmt: skip
    list_filter = ["channel", "outcome", "direction", "purpose", "automated", "by", "started_at"]
    search_fields = ["borrower__reference", "address", "party_ref", "accounts__number"]
    list_select_related = ["borrower", "agent"]
    date_hierarchy = "started_at"


class DeniedByRuleFilter(admin.SimpleListFilter):
    """Decisions a given rule refused."""

    title = gettext_lazy("refused by rule")
    parameter_name = "denied_by"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(rule_id, rule_id) for rule_id in RULE_IDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Decision]) -> QuerySet[Decision]:
        rule_id = self.value()
        if not rule_id:
            return queryset
        return queryset.filter(
            Q(denied_rules=rule_id)
            | Q(denied_rules__startswith=f"{rule_id} ")
            | Q(denied_rules__endswith=f" {rule_id}")
            | Q(denied_rules__contains=f" {rule_id} ")
        )


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "decided_at", "borrower", "account", "channel", "address", "purpose", "allowed",
        "flagged", "denied_rules", "next_permitted_at", "profile_version",
    ]  # fmt: skip
    list_filter = [DeniedByRuleFilter, "allowed", "flagged", "channel", "purpose", "decided_at"]
    search_fields = ["borrower__reference", "account__number", "address", "request_id"]
    list_select_related = ["borrower", "account"]
    date_hierarchy = "decided_at"
    fields = readonly_fields = (
        "request_id", "borrower", "account", "party_role", "party_ref", "channel", "address",
        "purpose", "at", "decided_at", "allowed", "flagged", "next_permitted_at", "profile_code",
        "profile_version", "reasons", "inputs",
    )  # fmt: skip

    @admin.display(description=gettext_lazy("reasons"))
    def reasons(self, obj: Decision) -> str:
        return reasons_html(obj)

    @admin.display(description=gettext_lazy("inputs"))
    def inputs(self, obj: Decision) -> str:
        text = json.dumps(obj.snapshot, ensure_ascii=False, indent=2)
        return format_html("<pre>{}</pre>", text)


@admin.register(Permit)
class PermitAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "id", "borrower", "channel", "address", "valid_from", "valid_until", "used_at", "voided_at",
    ]  # fmt: skip
    list_filter = ["channel", ("used_at", admin.EmptyFieldListFilter), "valid_from"]
    search_fields = ["borrower__reference", "address"]
    list_select_related = ["borrower"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """The audit trail of staff views of personal data: read only, never edited or deleted."""

    list_display = ["accessed_at", "user", "borrower", "what", "path"]
    list_filter = ["accessed_at", "what"]
    search_fields = ["user__username", "borrower__reference", "path"]
    list_select_related = ["user", "borrower"]
    date_hierarchy = "accessed_at"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only those who review compliance read who looked at whom (not every agent)."""
        return request.user.has_perm("compliance.review_contacts")


# --- the account and borrower pages: current holds and latest decisions -------------------------
class _LatestFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        if not hasattr(self, "_latest"):
            self._latest = super().get_queryset()[:LATEST_DECISIONS]
        return self._latest


class _CurrentHoldsFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Holds in force from today: on an account page, the account's and the borrower's own."""

    def get_queryset(self) -> Any:
        if not hasattr(self, "_current"):
            today = timezone.localdate()
            instance = self.instance
            if instance.pk is None:  # a borrower being added has no holds yet
                holds = Hold.objects.none()
            elif isinstance(instance, Account):
                holds = Hold.objects.filter(borrower_id=instance.borrower_id).filter(
                    Q(account=instance) | Q(account__isnull=True)
                )
            else:
                holds = Hold.objects.filter(borrower=instance)
            self._current = (
                holds.filter(lifted_at__isnull=True)
                .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
                .select_related("account")
                .order_by("-start_on", "-id")
            )
        return self._current


class _HoldInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = Hold
    formset = _CurrentHoldsFormSet
    verbose_name_plural = gettext_lazy("current holds")
    fields = readonly_fields = (
        "kind", "account", "start_on", "end_on", "review_on", "reason", "set_by_name",
    )  # fmt: skip
    extra = 0
    show_change_link = True


class AccountHoldInline(_HoldInline):
    fk_name = "account"


class BorrowerHoldInline(_HoldInline):
    fk_name = "borrower"


class _DecisionInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    model = Decision
    formset = _LatestFormSet
    verbose_name_plural = gettext_lazy("latest compliance decisions")
    fields = readonly_fields = (
        "decided_at", "channel", "address", "purpose", "allowed", "next_permitted_at", "reasons",
    )  # fmt: skip
    extra = 0
    show_change_link = True

    @admin.display(description=gettext_lazy("reasons"))
    def reasons(self, obj: Decision) -> str:
        return reasons_html(obj)


class AccountDecisionInline(_DecisionInline):
    fk_name = "account"


class BorrowerDecisionInline(_DecisionInline):
    fk_name = "borrower"


class _ShowsCompliance:
    """Adds the compliance inlines to a page of an existing row (a new row has none)."""

    compliance_inlines: tuple[type[admin.options.InlineModelAdmin], ...] = ()  # type: ignore[type-arg]

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        inlines = list(super().get_inlines(request, obj))  # type: ignore[misc]
        return inlines if obj is None else [*inlines, *self.compliance_inlines]


class AccountWithComplianceAdmin(_ShowsCompliance, AccountAdmin):
    compliance_inlines = (AccountHoldInline, AccountDecisionInline)


class BorrowerWithComplianceAdmin(_ShowsCompliance, BorrowerAdmin):
    compliance_inlines = (BorrowerHoldInline, BorrowerDecisionInline)


for _model, _admin_class in (
    (Account, AccountWithComplianceAdmin),
    (Borrower, BorrowerWithComplianceAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)
