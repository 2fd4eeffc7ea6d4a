"""Answers: the bilingual knowledge base 知识库, canned replies per team, satisfaction surveys."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.care.choices import ArticleStatus
from arrears.common.fields import staff_member


class KnowledgeArticle(models.Model):
    """An article in Chinese and English. A draft edit of a published article points at it
    (`draft_of`) and replaces its text when published, so the URL and history stay."""

    slug = models.SlugField(_("slug"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    draft_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
        verbose_name=_("draft of"),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    for_borrowers = models.BooleanField(
        _("shown to borrowers"), default=True, help_text=_("off: for agents only")
    )
    updated_at = models.DateTimeField(_("updated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_by = staff_member(_("updated by"))

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["slug", "-updated_at"]

    def __str__(self) -> str:
        return self.title_en or self.title_zh or self.slug


class CannedReply(models.Model):
    """A reply template with `{{ variables }}` (rendered in the sandbox), for one team or all."""

    team = models.ForeignKey(
        "care.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text=_("empty: every team"),
    )
    code = models.CharField(_("code"), max_length=60)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    body_zh = models.TextField(_("text (Chinese)"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["team", "code"], name="canned_reply_code_once")
        ]

    def __str__(self) -> str:
        return self.code


class SatisfactionSurvey(models.Model):
    """A survey 满意度调查 sent after a ticket is solved; answered once with its token."""

    ticket = models.OneToOneField(
        "care.Ticket", on_delete=models.PROTECT, related_name="survey", verbose_name=_("ticket")
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    score = models.PositiveSmallIntegerField(_("score (1–5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outbox_message = models.ForeignKey(
        "engagement.OutboxMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"survey {self.ticket_id}"
