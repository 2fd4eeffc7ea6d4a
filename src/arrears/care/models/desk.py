"""How the desk is organised: calendars, SLA policy versions, teams, queues, agents, incidents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from arrears.common.fields import staff_member


class DeskCalendar(models.Model):
    """Business hours 服务时间 of a desk: the `core.care.hours` document (zone, weekly periods,
    country holidays, the lender's closures and special hours), validated on save."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    hours = models.JSONField(_("business hours"), help_text=_("see docs/care.md §1"))
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("desk calendar")
        verbose_name_plural = _("desk calendars")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SlaPolicySet(models.Model):
    """One version of the SLA policies (YAML, `core.care.sla_policy`); one is active."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    yaml_text = models.TextField(_("policies (YAML)"))
    is_active = models.BooleanField(_("active"), default=False)
    saved_at = models.DateTimeField(_("saved at"))
    saved_by = staff_member(_("saved by"))

    class Meta:
        verbose_name = _("SLA policy version")
        verbose_name_plural = _("SLA policy versions")
        ordering = ["-saved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="sla_policy_one_active"
            )
        ]

    def __str__(self) -> str:
        return self.version


class Team(models.Model):
    """A team of agents (the head-office complaints team is one); canned replies belong to one."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    notify_address = models.CharField(_("e-mail for escalations"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CareQueue(models.Model):
    """A queue of tickets and calls: the kinds and skills it takes, its calendar, its staffing."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    kinds = models.JSONField(_("ticket kinds"), default=list, blank=True)
    skills = models.JSONField(
        _("skills needed"),
        default=list,
        blank=True,
        help_text=_("e.g. language:zh, product:card, complaints, hardship"),
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    calendar = models.ForeignKey(
        DeskCalendar, on_delete=models.PROTECT, related_name="queues", verbose_name=_("calendar")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="queues"
    )
    survey_after_solve = models.BooleanField(_("satisfaction survey after solve"), default=True)
    line_agents = models.PositiveIntegerField(
        _("agents on the phone line"), default=0, help_text=_("for wait estimates and callbacks")
    )
    aht_seconds = models.PositiveIntegerField(_("average handling time (seconds)"), default=240)
    patience_seconds = models.PositiveIntegerField(
        _("average caller patience (seconds)"), default=180
    )
    callback_after_seconds = models.PositiveIntegerField(
        _("offer a callback when the wait exceeds (seconds)"), default=120
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("care queue")
        verbose_name_plural = _("care queues")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.code


class CareAgent(models.Model):
    """A service agent 客服: skills, languages, capacity, queues, and whether online for chat."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="care_agent",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="agents"
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    max_open_tickets = models.PositiveIntegerField(_("capacity (open tickets)"), default=40)
    max_chats = models.PositiveSmallIntegerField(_("capacity (live chats)"), default=3)
    queues = models.ManyToManyField(CareQueue, blank=True, verbose_name=_("queues"))
    is_online = models.BooleanField(_("online for chat"), default=False)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("team leader"),
    )

    class Meta:
        verbose_name = _("service agent")
        verbose_name_plural = _("service agents")

    def __str__(self) -> str:
        return str(self.user)


class Incident(models.Model):
    """An outage 系统故障: a notice on every channel, SLA clocks paused, callbacks swept after."""

    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    notice_en = models.TextField(_("notice (English)"))
    notice_zh = models.TextField(_("notice (Chinese)"))
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    started_by = staff_member(_("started by"))
    ended_by = staff_member(_("ended by"))
    callbacks_swept_at = models.DateTimeField(_("callbacks swept at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.title_en
