"""Hardship state: financial assessments, repayment plans with their instalments and history,
education articles and free debt-advice services.

Money is integer minor units beside a `currency` column; the documents stored as taken (the
financial statement, the affordability working, an option's terms and schedule) are JSON with
every amount an exact decimal string, never a float. What the borrower was shown is kept as
shown: a later change of policy or product never rewrites an assessment or a plan.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.common.fields import MinorUnitsField, staff_member
from arrears.hardship.choices import (
    LIVE_STATUSES,
    AcceptedVia,
    ArticleTopic,
    AssessmentSource,
    ContactCheck,
    Employment,
    HardshipReason,
    InstalmentStatus,
    Jurisdiction,
    OptionKind,
    PlanAgeing,
    PlanEventKind,
    PlanStatus,
)
from arrears.servicing.models import Account, Borrower


class Assessment(models.Model):
    """A borrower's financial statement and the affordability worked out from it (还款能力评估).

    `statement` is the statement as given (what `core.hardship.assessment.parse_statement`
    reads), so it can be priced again exactly; the columns beside it are copies for queries.
    `affordability` and `explanation` are the result as it was when taken.
    """

    borrower = models.ForeignKey(
        Borrower, on_delete=models.PROTECT, related_name="hardship_assessments"
    )
    accounts = models.ManyToManyField(
        Account, blank=True, related_name="hardship_assessments", verbose_name=_("accounts")
    )
    source = models.CharField(_("taken by"), max_length=10, choices=AssessmentSource.choices)
    taken_by = staff_member(_("agent"))
    currency = models.CharField(_("currency"), max_length=3)
    region = models.CharField(_("region"), max_length=16)
    adults = models.PositiveSmallIntegerField(_("adults"), default=1)
    dependants = models.PositiveSmallIntegerField(_("dependants"), default=0)
    employment = models.CharField(_("employment"), max_length=16, choices=Employment.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=HardshipReason.choices)
    temporary = models.BooleanField(_("temporary"), default=False)
    expected_recovery_months = models.PositiveSmallIntegerField(
        _("expected recovery (months)"), null=True, blank=True
    )
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    is_vulnerable = models.BooleanField(_("vulnerable"), default=False)
    statement = models.JSONField(_("financial statement"))
    income_minor = MinorUnitsField(_("monthly income (minor units)"))
    disposable_income_minor = MinorUnitsField(_("disposable income (minor units)"))
    affordable_payment_minor = MinorUnitsField(_("affordable payment (minor units)"))
    affordability = models.JSONField(_("affordability"))
    explanation = models.JSONField(_("how affordability was worked out"))
    notes = models.TextField(_("notes"), blank=True)
    taken_on = models.DateField(_("taken on"))
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("financial assessment")
        verbose_name_plural = _("financial assessments")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["borrower", "-taken_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.borrower.reference} {self.taken_on}"

    @property
    def incomes(self) -> list[dict[str, str]]:
        """Income by source, a month, as given (decimal strings)."""
        return list(self.statement.get("incomes", []))

    @property
    def expenses(self) -> list[dict[str, str]]:
        return list(self.statement.get("expenses", []))

    @property
    def other_debts(self) -> list[dict[str, object]]:
        return list(self.statement.get("other_debts", []))


class Plan(models.Model):
    """A repayment plan (还款计划) for one account, from proposal to completion or break.

    `terms` and `schedule` are the option as priced and shown (`wire.option_document`);
    `terms_text_*` the words the borrower read, and `terms_shown` those they accepted.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="hardship_plans")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="plans")
    option_id = models.CharField(_("option"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=OptionKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.PROPOSED
    )
    currency = models.CharField(_("currency"), max_length=3)
    priced_on = models.DateField(_("priced on"))
    terms = models.JSONField(_("terms as priced"))
    schedule = models.JSONField(_("schedule as shown"))
    recommended = models.BooleanField(_("recommended"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    terms_text_en = models.TextField(_("terms (English)"))
    terms_text_zh = models.TextField(_("terms (Chinese)"))
    terms_digest = models.CharField(_("terms digest"), max_length=64)
    total_payment_minor = MinorUnitsField(_("total to pay (minor units)"))
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    re_age_after = models.PositiveSmallIntegerField(
        _("re-age after on-time payments"), null=True, blank=True
    )
    ageing = models.CharField(
        _("ageing"), max_length=10, choices=PlanAgeing.choices, default=PlanAgeing.PLAN
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    proposed_by = staff_member(_("proposed by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = staff_member(_("accepted with"))
    accepted_via = models.CharField(
        _("accepted via"), max_length=10, choices=AcceptedVia.choices, blank=True
    )
    terms_language = models.CharField(_("language of the terms shown"), max_length=8, blank=True)
    terms_shown = models.TextField(_("terms shown at acceptance"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    re_aged_on = models.DateField(_("re-aged on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    broken_on = models.DateField(_("broken on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="hardship_one_live_plan_per_account",
            )
        ]
        indexes = [models.Index(fields=["status", "account"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.option_id} ({self.status})"


class PlanInstalment(models.Model):
    """One instalment of an active plan; `paid_minor` is matched from the account's payments."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="instalments")
    number = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    phase = models.CharField(_("phase"), max_length=30)
    amount_minor = MinorUnitsField(_("amount (minor units)"))
    principal_minor = MinorUnitsField(_("principal part (minor units)"), default=0)
    interest_minor = MinorUnitsField(_("interest part (minor units)"), default=0)
    fee_minor = MinorUnitsField(_("fee part (minor units)"), default=0)
    paid_minor = MinorUnitsField(_("paid (minor units)"), default=0)
    paid_on = models.DateField(_("paid in full on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InstalmentStatus.choices, default=InstalmentStatus.DUE
    )
    re_ages = models.BooleanField(
        _("re-ages"), default=False, help_text=_("paid on time, it completes the re-ageing run")
    )

    class Meta:
        verbose_name = _("plan instalment")
        verbose_name_plural = _("plan instalments")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="hardship_instalment_once"),
            models.CheckConstraint(
                condition=Q(paid_minor__gte=0) & Q(paid_minor__lte=models.F("amount_minor")),
                name="hardship_instalment_paid_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["due_on", "status"])]

    @property
    def unpaid_minor(self) -> int:
        return int(self.amount_minor) - int(self.paid_minor)


class PlanEvent(models.Model):
    """The plan's history: every change, when, by whom, and why. Never edited."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=PlanEventKind.choices)
    happened_on = models.DateField(_("business date"))
    recorded_at = models.DateTimeField(_("recorded at"))
    by = staff_member(_("by"))
    instalment_number = models.PositiveSmallIntegerField(_("instalment"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("plan event")
        verbose_name_plural = _("plan events")
        ordering = ["plan", "happened_on", "id"]


class Article(models.Model):
    """A short education article (理财小知识) in Chinese and English."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=20, choices=ArticleTopic.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    summary_zh = models.CharField(_("summary (Chinese)"), max_length=300, blank=True)
    body_en = models.TextField(_("body (English)"))
    body_zh = models.TextField(_("body (Chinese)"))
    is_published = models.BooleanField(_("published"), default=True)
    is_bundled = models.BooleanField(
        _("as shipped"), default=False, help_text=_("loaded from the articles shipped with Arrears")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug


class DebtAdviceService(models.Model):
    """A free debt-advice service a borrower in difficulty is referred to, per jurisdiction."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    url = models.URLField(_("web site"), blank=True)
    description_en = models.TextField(_("description (English)"))
    description_zh = models.TextField(_("description (Chinese)"))
    is_free = models.BooleanField(_("free of charge"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_bundled = models.BooleanField(_("as shipped"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    contact_check = models.CharField(
        _("contact details checked"),
        max_length=12,
        choices=ContactCheck.choices,
        default=ContactCheck.UNVERIFIED,
    )
    check_note = models.CharField(
        _("how they were checked"),
        max_length=300,
        blank=True,
        help_text=_("where the phone number and address were seen, and when"),
    )

    class Meta:
        verbose_name = _("debt-advice service")
        verbose_name_plural = _("debt-advice services")
        ordering = ["jurisdiction", "position", "code"]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.name_en}"
