"""Collection state: strategies, cases and their history, actions, contact outcomes, promises to
pay, escalations, agencies and placements, work queues and collectors.

A case is the collection file of one delinquent account (案件); the nightly batch opens and
closes cases, evaluates the active strategy and writes the next `CollectionAction` of each; agents
work the actions queued for calls; every contact goes through the compliance gate (the action
keeps the decision and permit it got). The history of a case is kept as `CaseEvent` rows, never
edited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from arrears.collection.choices import (
    ActionKind,
    ActionStatus,
    CaseCloseReason,
    CaseEventKind,
    CaseStage,
    CaseStatus,
    EscalationKind,
    EscalationStatus,
    OwnerKind,
    PlacementStatus,
    PromiseSource,
    PromiseStatus,
)
from arrears.common.fields import MinorUnitsField, staff_member
from arrears.compliance.choices import AttemptOutcome, Channel


class Strategy(models.Model):
    """One version of a strategy document (YAML), validated on save; one active per code."""

    code = models.CharField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    yaml_text = models.TextField(_("strategy (YAML)"))
    is_active = models.BooleanField(_("active"), default=False)
    is_bundled = models.BooleanField(_("shipped with Arrears"), default=False)
    saved_at = models.DateTimeField(_("saved at"))
    saved_by = staff_member(_("saved by"))

    class Meta:
        verbose_name = _("collection strategy")
        verbose_name_plural = _("collection strategies")
        ordering = ["code", "-saved_at"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="strategy_version_once"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="strategy_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


class WorkQueue(models.Model):
    """A queue of call actions, routed by stage and the skills it needs (工作队列)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    stages = models.JSONField(_("case stages"), default=list, blank=True)
    skills = models.JSONField(_("skills needed"), default=list, blank=True)
    rules = models.JSONField(_("queue rules"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work queue")
        verbose_name_plural = _("work queues")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class Collector(models.Model):
    """A staff member who works collection queues: skills and capacity (催收员)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="collector",
        verbose_name=_("user"),
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    max_open_cases = models.PositiveIntegerField(_("capacity (open cases)"), default=300)
    queues = models.ManyToManyField(WorkQueue, blank=True, verbose_name=_("queues"))
    is_available = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("collector")
        verbose_name_plural = _("collectors")

    def __str__(self) -> str:
        return str(self.user)


class Agency(models.Model):
    """An outside collection agency (委外机构) and its terms."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    commission_bp = models.PositiveIntegerField(
        _("commission (basis points)"), help_text=_("e.g. 1500 = 15 percent of what is collected")
    )
    max_cases = models.PositiveIntegerField(_("most cases at once"), null=True, blank=True)
    max_balance_share_bp = models.PositiveIntegerField(
        _("most of the placed balance (basis points)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("collection agency")
        verbose_name_plural = _("collection agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Case(models.Model):
    """The collection file of one account while it is delinquent (案件)."""

    account = models.ForeignKey(
        "servicing.Account", on_delete=models.PROTECT, related_name="collection_cases"
    )
    borrower = models.ForeignKey(
        "servicing.Borrower", on_delete=models.PROTECT, related_name="collection_cases"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    stage = models.CharField(_("stage"), max_length=16, choices=CaseStage.choices)
    opened_on = models.DateField(pgettext_lazy("case", "opened on"))
    opened_reason = models.CharField(_("why it was opened"), max_length=300)
    closed_on = models.DateField(pgettext_lazy("case", "closed on"), null=True, blank=True)
    close_reason = models.CharField(
        _("why it was closed"), max_length=20, choices=CaseCloseReason.choices, blank=True
    )
    owner_kind = models.CharField(
        _("owner"), max_length=8, choices=OwnerKind.choices, default=OwnerKind.QUEUE
    )
    queue = models.ForeignKey(
        WorkQueue, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    agent = staff_member(_("collector"))
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    segment = models.CharField(_("segment"), max_length=60, blank=True)
    path = models.CharField(_("treatment path"), max_length=60, blank=True)
    last_step = models.CharField(_("last treatment step"), max_length=60, blank=True)
    last_step_on = models.DateField(_("last step on"), null=True, blank=True)
    next_action = models.CharField(
        _("next action"), max_length=20, choices=ActionKind.choices, default=ActionKind.NONE
    )
    next_action_on = models.DateField(_("next action on"), null=True, blank=True)
    next_action_reason = models.TextField(_("why"), blank=True)
    paused_until = models.DateField(_("treatment paused until"), null=True, blank=True)
    pause_reason = models.CharField(_("why paused"), max_length=300, blank=True)
    risk_score = models.SmallIntegerField(_("risk score"), null=True, blank=True)
    hardship = models.BooleanField(_("hardship claimed"), default=False)
    vulnerable = models.BooleanField(_("vulnerable"), default=False)
    no_answer_streak = models.PositiveSmallIntegerField(_("unanswered calls in a row"), default=0)
    evaluated_on = models.DateField(_("strategy evaluated on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("collection case")
        verbose_name_plural = _("collection cases")
        ordering = ["-opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status="open"), name="case_one_open_per_account"
            ),
        ]
        indexes = [models.Index(fields=["status", "stage"], name="case_status_stage")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.stage} ({self.status})"


class CaseEvent(models.Model):
    """One thing that happened to a case, with why; never edited (the case's history)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=CaseEventKind.choices)
    on = models.DateField(_("business date"))
    at = models.DateTimeField(_("at"))
    by = staff_member(_("by"))
    reason = models.TextField(_("why"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "id"]


class CollectionAction(models.Model):
    """A step the strategy chose for a case on a date: a message, a call in a queue, an
    escalation. Contacts carry the gate's decision; the idempotency key makes a re-run of the
    same night write nothing twice."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=160, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    account = models.ForeignKey("servicing.Account", on_delete=models.PROTECT, related_name="+")
    borrower = models.ForeignKey("servicing.Borrower", on_delete=models.PROTECT, related_name="+")
    business_date = models.DateField(_("business date"))
    step = models.CharField(_("treatment step"), max_length=60, blank=True)
    kind = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)
    template = models.CharField(_("template"), max_length=40, blank=True)
    address = models.CharField(_("number or address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    expected_value_minor = MinorUnitsField(_("expected value of contact"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    needs_approval = models.BooleanField(_("needs a supervisor's approval"), default=False)
    approved_by = staff_member(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    queue = models.ForeignKey(
        WorkQueue, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    assigned_to = staff_member(_("assigned to"))
    taken_at = models.DateTimeField(_("taken by the collector at"), null=True, blank=True)
    decision = models.ForeignKey(
        "compliance.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outbox_message = models.ForeignKey(
        "engagement.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("collection action")
        verbose_name_plural = _("collection actions")
        ordering = ["business_date", "id"]
        permissions = [("work_queue", _("Can take calls from the collection work queue"))]
        indexes = [
            models.Index(fields=["queue", "status", "due_at"], name="action_queue_due"),
            models.Index(fields=["case", "business_date"], name="action_case_date"),
        ]


class Disposition(models.Model):
    """A call or contact result from the standard list, which a lender may extend."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_zh = models.CharField(_("label (Chinese)"), max_length=120)
    right_party = models.BooleanField(_("right-party contact (本人接通)"), default=False)
    connected = models.BooleanField(_("connected"), default=False)
    attempt_outcome = models.CharField(
        _("outcome for the contact history"), max_length=16, choices=AttemptOutcome.choices
    )
    retry_rule = models.CharField(_("retry rule"), max_length=40, blank=True)
    retry_minutes = models.PositiveIntegerField(_("retry after (minutes)"), null=True, blank=True)
    effects = models.JSONField(_("what it drives"), default=list, blank=True)
    is_standard = models.BooleanField(_("standard"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class ContactOutcome(models.Model):
    """The disposition of one contact attempt (the attempt itself is in the shared history)."""

    attempt = models.OneToOneField(
        "compliance.ContactAttempt", on_delete=models.PROTECT, related_name="collection_outcome"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    action = models.ForeignKey(
        CollectionAction, null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    disposition = models.ForeignKey(Disposition, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    callback_at = models.DateTimeField(_("callback at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = staff_member(_("recorded by"))

    class Meta:
        verbose_name = _("contact outcome")
        verbose_name_plural = _("contact outcomes")
        ordering = ["-recorded_at"]


class Promise(models.Model):
    """A promise to pay (承诺还款): one or more dated amounts, matched against payments."""

    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="promises"
    )
    account = models.ForeignKey(
        "servicing.Account", on_delete=models.PROTECT, related_name="promises"
    )
    borrower = models.ForeignKey("servicing.Borrower", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=PromiseStatus.choices, default=PromiseStatus.LIVE
    )
    source = models.CharField(_("taken through"), max_length=8, choices=PromiseSource.choices)
    currency = models.CharField(_("currency"), max_length=3)
    total_minor = MinorUnitsField(_("amount promised"))
    kept_minor = MinorUnitsField(_("amount paid towards it"), default=0)
    grace_days = models.PositiveSmallIntegerField(_("grace (days)"), default=2)
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = staff_member(_("taken by"))
    broken_on = models.DateField(_("broken on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=120, unique=True, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["status", "account"], name="promise_status_account")]


class PromiseInstalment(models.Model):
    promise = models.ForeignKey(Promise, on_delete=models.PROTECT, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount_minor = MinorUnitsField(_("amount"))
    paid_minor = MinorUnitsField(_("paid"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=PromiseStatus.choices, default=PromiseStatus.LIVE
    )

    class Meta:
        verbose_name = _("promised instalment")
        verbose_name_plural = _("promised instalments")
        ordering = ["promise", "due_on"]


class Escalation(models.Model):
    """A request to escalate a case (warning letter, lawyer's letter, legal review, agency),
    with the preconditions checked and the supervisor's decision."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    kind = models.CharField(_("kind"), max_length=20, choices=EscalationKind.choices)
    status = models.CharField(_("status"), max_length=14, choices=EscalationStatus.choices)
    checks = models.JSONField(_("preconditions checked"), default=list)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = staff_member(_("requested by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = staff_member(_("decided by"))
    decision_reason = models.CharField(_("why"), max_length=500, blank=True)
    action = models.ForeignKey(
        CollectionAction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-requested_at"]
        permissions = [("approve_escalation", _("Can approve or reject an escalation"))]


class Placement(models.Model):
    """A case placed with an agency: what was placed, on which terms, until when."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="placements")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="placements")
    status = models.CharField(
        _("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.PLACED
    )
    placed_on = models.DateField(_("placed on"))
    currency = models.CharField(_("currency"), max_length=3)
    placed_minor = MinorUnitsField(_("balance placed"))
    collected_minor = MinorUnitsField(_("collected"), default=0)
    commission_bp = models.PositiveIntegerField(_("commission (basis points)"))
    recall_on = models.DateField(_("recall date"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agency placement")
        verbose_name_plural = _("agency placements")
        ordering = ["-placed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="placed"), name="placement_one_live_per_case"
            ),
        ]
