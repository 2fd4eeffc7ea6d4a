"""Compliance state: profiles, holds, opt-outs, consents, preferences, the shared contact history,
the decision log and permits.

Nothing here is ever deleted: a hold is lifted, a consent revoked, a permit used or voided. The
decision log is append-only. Each row turns into the pure core's value (`arrears.core.compliance`)
in `services.requests`, which is where the gate's inputs are built.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from arrears.common.fields import staff_member
from arrears.compliance.choices import (
    AttemptOutcome,
    BreathingSpaceKind,
    Channel,
    Direction,
    HoldKind,
    ProfileCode,
    Purpose,
    Role,
)
from arrears.core.errors import Conflict


class NeverDeleted(models.Model):
    """A record the law or an audit may ask for: rows are kept (lifted, revoked, voided)."""

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(
            gettext("%(model)s records are kept for the audit trail and are never deleted.")
            % {"model": self._meta.verbose_name_plural}
        )


class ProfileVersion(NeverDeleted):
    """One version of a jurisdiction profile's YAML; one version per code is active.

    Seeded from the bundled YAML by `services.load_profiles`; a compliance officer edits a
    profile in the admin, which saves the edit as a new version (decisions name the version
    they were made under, so an old text is never overwritten).
    """

    code = models.CharField(_("profile"), max_length=16, choices=ProfileCode.choices)
    version = models.CharField(_("version"), max_length=40)
    yaml_text = models.TextField(_("profile (YAML)"))
    is_active = models.BooleanField(_("active"), default=False)
    is_bundled = models.BooleanField(
        _("as shipped"), default=False, help_text=_("loaded from the YAML shipped with Arrears")
    )
    edited_by = staff_member(_("edited by"))
    edited_at = models.DateTimeField(_("edited at"))

    class Meta:
        verbose_name = _("jurisdiction profile")
        verbose_name_plural = _("jurisdiction profiles")
        ordering = ["code", "-edited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="profile_version_once"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="one_active_profile_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}@{self.version}"


class Hold(NeverDeleted):
    """Something that stops or limits contact with a borrower until it ends or a person lifts it.

    Covers one account, or all the borrower's accounts when `account` is empty. `end_on` is the
    last day of a hold that ends by itself; `review_on` is when a person must look again.
    """

    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="holds"
    )
    account = models.ForeignKey(
        "servicing.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
        help_text=_("empty: every account of the borrower"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=HoldKind.choices)
    start_on = models.DateField(_("starts on"))
    end_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("the last day; it lifts by itself after")
    )
    review_on = models.DateField(
        _("review on"), null=True, blank=True, help_text=_("a person looks again on this day")
    )
    reason = models.CharField(_("reason"), max_length=500)
    # bankruptcy
    petition_on = models.DateField(_("petition filed on"), null=True, blank=True)
    chapter = models.PositiveSmallIntegerField(_("chapter"), null=True, blank=True)
    prior_dismissals_12m = models.PositiveSmallIntegerField(
        _("cases dismissed in the prior 12 months"), default=0
    )
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    # breathing space
    breathing_space = models.CharField(
        _("breathing space kind"), max_length=24, choices=BreathingSpaceKind.choices, blank=True
    )
    set_by = staff_member(_("set by"))
    set_by_name = models.CharField(_("set by (name)"), max_length=150)
    set_at = models.DateTimeField(_("set at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = staff_member(_("lifted by"))
    lifted_by_name = models.CharField(_("lifted by (name)"), max_length=150, blank=True)
    lift_reason = models.CharField(_("why it was lifted"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="hold_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(kind=HoldKind.BREATHING_SPACE) | ~Q(breathing_space=""),
                name="breathing_space_hold_has_kind",
            ),
        ]
        indexes = [models.Index(fields=["borrower", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_on}"


class OptOut(NeverDeleted):
    """A 'stop' for one channel: at one address, or at every address when `address` is empty.

    Withdrawn (never deleted) when the person asks for the channel back: from `withdrawn_at`
    the gate no longer reads it.
    """

    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="opt_outs"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(
        _("number or address"),
        max_length=200,
        blank=True,
        help_text=_("empty: every address of the channel"),
    )
    source = models.CharField(
        _("source"), max_length=60, help_text=_('how it came, e.g. "sms STOP", "退订", "agent"')
    )
    message = models.CharField(_("words received"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))
    recorded_by = staff_member(_("recorded by"))
    # withdrawn: the borrower asked for the channel back; the row is kept as the history
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = staff_member(_("withdrawn by"))
    withdrawn_by_name = models.CharField(_("withdrawn by (name)"), max_length=150, blank=True)
    withdrawn_how = models.CharField(
        _("how it was withdrawn"), max_length=200, blank=True, help_text=_('e.g. "portal"')
    )

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["borrower", "channel"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("at")),
                name="opt_out_withdrawn_after_it_was_made",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address or '*'}"


class AutomatedConsent(NeverDeleted):
    """Prior express consent to autodialled, prerecorded or artificial-voice calls or texts (TCPA)
    at one number; revoked by any reasonable means, at once."""

    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="automated_consents"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("number or address"), max_length=200)
    given_at = models.DateTimeField(_("given at"))
    how = models.CharField(_("how it was given"), max_length=200)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_how = models.CharField(_("how it was revoked"), max_length=200, blank=True)
    recorded_by = staff_member(_("recorded by"))

    class Meta:
        verbose_name = _("consent to automated contact")
        verbose_name_plural = _("consents to automated contact")
        ordering = ["-given_at", "-id"]
        indexes = [models.Index(fields=["borrower", "channel", "address"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("given_at")),
                name="consent_revoked_after_given",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address}"


class ContactPreference(models.Model):
    """What the borrower said about when, where and how they may be contacted.

    Times are lists of `{"start": "12:00", "end": "14:00", "weekdays": [0, 1, 2, 3, 4]}`
    (0 = Monday) read in the borrower's local time; places are words such as "work".
    """

    borrower = models.OneToOneField(
        "servicing.Borrower", on_delete=models.CASCADE, related_name="contact_preference"
    )
    inconvenient_times = models.JSONField(_("inconvenient times"), default=list, blank=True)
    agreed_times = models.JSONField(
        _("agreed times"),
        default=list,
        blank=True,
        help_text=_("times the borrower agreed to be contacted (may override the usual hours)"),
    )
    inconvenient_places = models.JSONField(
        _("inconvenient places"), default=list, blank=True, help_text=_('e.g. ["work"]')
    )
    no_workplace_contact = models.BooleanField(
        _("no contact at work"), default=False, help_text=_("the employer forbids it")
    )
    workplace_addresses = models.JSONField(
        _("workplace addresses"),
        default=list,
        blank=True,
        help_text=_("numbers or e-mail addresses that reach the borrower at work"),
    )
    workplace_consent_addresses = models.JSONField(
        _("workplace addresses the borrower agreed to"), default=list, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return str(self.borrower)


class Decision(models.Model):
    """One answer of the gate, allowed or refused, with every rule's reason: append-only.

    `snapshot` is the check document of the exact inputs (see `core.compliance.wire`), so
    `arrears compliance check` on it gives the same answer again.
    """

    request_id = models.CharField(_("request id"), max_length=64, unique=True)
    borrower = models.ForeignKey(
        "servicing.Borrower",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compliance_decisions",
    )
    account = models.ForeignKey(
        "servicing.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compliance_decisions",
    )
    party_role = models.CharField(
        _("contacted as"), max_length=24, choices=Role.choices, default=Role.DEBTOR
    )
    party_ref = models.CharField(_("person contacted"), max_length=120, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("number or address"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    at = models.DateTimeField(_("contact at"))
    decided_at = models.DateTimeField(_("decided at"))
    allowed = models.BooleanField(_("allowed"))
    flagged = models.BooleanField(
        _("flagged"), default=False, help_text=_("allowed, but a person should look")
    )
    next_permitted_at = models.DateTimeField(_("next permitted at"), null=True, blank=True)
    profile_code = models.CharField(_("profile"), max_length=16)
    profile_version = models.CharField(_("profile version"), max_length=200)
    rules = models.JSONField(_("rule answers"))
    denied_rules = models.CharField(
        _("refused by"), max_length=1000, blank=True, help_text=_("ids of the refusing rules")
    )
    snapshot = models.JSONField(_("inputs"))

    class Meta:
        verbose_name = _("compliance decision")
        verbose_name_plural = _("compliance decisions")
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["account", "-decided_at"]),
            models.Index(fields=["borrower", "-decided_at"]),
            models.Index(fields=["decided_at"]),
        ]
        permissions = [("check_contact", _("Can check a proposed contact against the gate"))]

    def __str__(self) -> str:
        verdict = _("allowed") if self.allowed else _("refused")
        return f"{self.get_channel_display()} {self.address} {verdict}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(gettext("The decision log is append-only: a decision is never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(gettext("The decision log is append-only: a decision is never deleted."))

    @property
    def denied_rule_ids(self) -> list[str]:
        return self.denied_rules.split()

    @property
    def issued_permit(self) -> Permit | None:
        """The permit of an allowed decision; None for a refusal."""
        try:
            return self.permit
        except ObjectDoesNotExist:
            return None


class Permit(NeverDeleted):
    """Leave to make one contact: this borrower, channel and address, until `valid_until`.

    Used at most once (`services.use_permit` sets `used_at` with a conditional UPDATE, so two
    senders cannot both use it); voided when an opt-out, hold or revocation arrives first.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="permit")
    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="permits"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("number or address"), max_length=200)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.CharField(_("why it was voided"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("permit")
        verbose_name_plural = _("permits")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="permit_valid_for_a_while"
            )
        ]
        indexes = [models.Index(fields=["borrower", "used_at"])]

    def __str__(self) -> str:
        return str(self.id)


class ContactAttempt(NeverDeleted):
    """One contact attempt — a call, a text, an e-mail, a letter, a visit — in the shared log.

    The one history that servicing reminders, collection and care all write, whoever made the
    contact (the lender or an agency, a person or a machine): the gate's caps count across all
    of them. `borrower` is whose debt it concerns; `party_ref` names the person contacted when
    it is not the borrower (a contact person, a guarantor: by default their number).
    """

    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="contact_attempts"
    )
    party_role = models.CharField(
        _("contacted as"), max_length=24, choices=Role.choices, default=Role.DEBTOR
    )
    party_ref = models.CharField(_("person contacted"), max_length=120, blank=True)
    accounts = models.ManyToManyField(
        "servicing.Account",
        blank=True,
        related_name="contact_attempts",
        verbose_name=_("debts discussed"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    address = models.CharField(_("number or address"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=AttemptOutcome.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, blank=True)
    started_at = models.DateTimeField(_("started at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    by = models.CharField(
        _("made by"), max_length=120, default="lender", help_text=_("the lender or the agency")
    )
    agent = staff_member(_("agent"))
    automated = models.BooleanField(
        _("automated"), default=False, help_text=_("made by a machine, not a person")
    )
    artificial_voice = models.BooleanField(_("AI or artificial voice"), default=False)
    direct_consent = models.BooleanField(
        _("with direct consent"), default=False, help_text=_("the person asked to be called")
    )
    recording_ref = models.CharField(_("recording"), max_length=300, blank=True)
    permit = models.ForeignKey(
        Permit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attempts",
        verbose_name=_("permit"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["address", "started_at"]),
            models.Index(fields=["party_ref", "started_at"]),
            # a borrower's log by time (the gate's history, the console), and the collection
            # night's read of the log (collection.batch.reading): every column it reads, so the
            # log's (wide) rows are never visited; `id` keeps the calls in the order of this
            # index. It begins with (borrower, started_at), so no index of those alone is kept.
            models.Index(
                fields=[
                    "borrower",
                    "started_at",
                    "id",
                    "channel",
                    "direction",
                    "outcome",
                    "party_role",
                ],
                name="contactattempt_log_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def connected(self) -> bool:
        """A person picked up (the outcome says so; not stored twice)."""
        return self.outcome in {
            AttemptOutcome.CONNECTED,
            AttemptOutcome.CONVERSATION,
            AttemptOutcome.REFUSED,
        }

    @property
    def conversation(self) -> bool:
        return self.outcome == AttemptOutcome.CONVERSATION


class PersonalDataAccess(NeverDeleted):
    """A staff member opened a page showing a borrower's personal data (the audit trail).

    Written by the console for every such page (account 360°, a ticket, a chat); compliance
    officers read it. Never edited or deleted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
        verbose_name=_("staff member"),
    )
    borrower = models.ForeignKey(
        "servicing.Borrower",
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
        verbose_name=_("borrower"),
    )
    accessed_at = models.DateTimeField(_("opened at"), db_index=True)
    what = models.CharField(_("what was opened"), max_length=80)
    path = models.CharField(_("page"), max_length=300)

    class Meta:
        verbose_name = _("view of personal data")
        verbose_name_plural = _("views of personal data")
        ordering = ["-accessed_at", "-id"]
        permissions = [
            (
                "review_contacts",
                _(
                    "Can review the compliance console: decision log, refusals by rule, holds, "
                    "opt-outs, consents, content checks and the audit trail of staff views"
                ),
            )
        ]
        indexes = [models.Index(fields=["borrower", "accessed_at"], name="pda_borrower_at")]

    def __str__(self) -> str:
        return f"{self.user} → {self.borrower_id} {self.what} @ {self.accessed_at:%Y-%m-%d %H:%M}"
