"""Canned replies 快捷回复: reply templates an agent fills in for a ticket in one click.

A canned reply is a Jinja text rendered by engagement's sandbox (`engagement.rendering`), the
same one every notice goes through: it can read the ticket's variables and nothing else, and a
variable it does not know is a field-named error, at save time and at render time. Variables:
borrower_name, ticket_reference, agent_name, opening_hours (the queue's calendar, in words), and
when the ticket has an account: account_last4, amount_due and due_date (formatted per language).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from jinja2 import TemplateSyntaxError, meta

from arrears.care.models import CannedReply, CareQueue, DeskCalendar, Team, Ticket
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError
from arrears.engagement.rendering import environment, format_day, format_money, render_text
from arrears.servicing.selectors import minimum_due_now, next_due_date

BUNDLED = Path(__file__).resolve().parent.parent / "data" / "canned_replies.yaml"
TICKET_VARIABLES = frozenset({"borrower_name", "ticket_reference", "agent_name", "opening_hours"})
ACCOUNT_VARIABLES = frozenset({"account_last4", "amount_due", "due_date"})
VARIABLES = TICKET_VARIABLES | ACCOUNT_VARIABLES
BODY_FIELD = {"zh-hans": "body_zh", "en": "body_en"}
_DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "zh-hans": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def check_variables(field: str, source: str) -> None:
    """Refuse a template that uses a variable a canned reply is never given (or bad syntax)."""
    env = environment("en", html=False)
    try:
        used = meta.find_undeclared_variables(env.parse(source))
    except TemplateSyntaxError as error:
        raise ValidationError(field, f"line {error.lineno}: {error.message}") from None
    unknown = sorted(used - VARIABLES)
    if unknown:
        raise ValidationError(
            field,
            _("unknown variable %(names)s (known: %(known)s)")
            % {"names": ", ".join(unknown), "known": ", ".join(sorted(VARIABLES))},
        )


@transaction.atomic
def save_canned_reply(
    *,
    code: str,
    title_en: str,
    title_zh: str,
    body_en: str,
    body_zh: str,
    team: Team | None = None,
    is_active: bool = True,
) -> CannedReply:
    """Create or update the reply `code` of `team` (None: every team's)."""
    code = code.strip()
    if not code or len(code) > 60:
        raise ValidationError("code", _("must be 1 to 60 characters"))
    for field, value in (("title_en", title_en), ("title_zh", title_zh),
                         ("body_en", body_en), ("body_zh", body_zh)):  # fmt: skip
        if not value.strip():
            raise ValidationError(field, _("is required"))
    check_variables("body_en", body_en)
    check_variables("body_zh", body_zh)
    reply, _created = CannedReply.objects.update_or_create(
        team=team,
        code=code,
        defaults={
            "title_en": title_en.strip(),
            "title_zh": title_zh.strip(),
            "body_en": body_en.strip(),
            "body_zh": body_zh.strip(),
            "is_active": is_active,
        },
    )
    return reply


def canned_replies_for(agent: Any) -> QuerySet[CannedReply]:
    """The active replies an agent may use: everyone's, and their own team's."""
    care_agent = getattr(agent, "care_agent", None) if agent is not None else None
    team_id = care_agent.team_id if care_agent is not None else None
    mine = Q(team__isnull=True) | Q(team_id=team_id) if team_id else Q(team__isnull=True)
    return CannedReply.objects.filter(mine, is_active=True).order_by("code", "team_id")


def render_canned_reply(
    *,
    reply: CannedReply,
    ticket: Ticket,
    agent: Any,
    language: str | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> str:
    """The reply's text for this ticket, in `language` (default: the ticket's), ready to edit."""
    language = language or ticket.language
    if language not in BODY_FIELD:
        raise ValidationError("language", _("must be zh-hans or en"))
    field = BODY_FIELD[language]
    source = getattr(reply, field)
    check_variables(field, source)
    variables = ticket_variables(ticket, agent=agent, language=language, at=at, clock=clock)
    env = environment(language, html=False)
    missing = sorted(meta.find_undeclared_variables(env.parse(source)) - set(variables))
    if missing:
        raise ValidationError(
            "ticket",
            _("has no linked account, which %(names)s needs") % {"names": ", ".join(missing)},
        )
    return render_text(source, variables, language=language, field=field)


def ticket_variables(
    ticket: Ticket,
    *,
    agent: Any,
    language: str,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """What a canned reply may say about this ticket (account figures only when linked)."""
    borrower = ticket.borrower
    variables: dict[str, Any] = {
        "borrower_name": borrower.full_name if borrower else (ticket.requester_name or ""),
        "ticket_reference": ticket.reference,
        "agent_name": _agent_name(agent),
        "opening_hours": opening_hours_text(ticket.queue, language),
    }
    account = ticket.accounts.order_by("id").first()
    if account is not None:
        today = (at or (clock or SystemClock()).now()).date()
        due_on = next_due_date(account, today)
        variables["account_last4"] = account.number[-4:]
        variables["amount_due"] = format_money(minimum_due_now(account, today), language)
        variables["due_date"] = format_day(due_on, language) if due_on else "—"
    return variables


def _agent_name(agent: Any) -> str:
    if agent is None:
        return ""
    full_name = agent.get_full_name() if hasattr(agent, "get_full_name") else ""
    return str(full_name or agent.get_username())


def opening_hours_text(queue: CareQueue | None, language: str) -> str:
    """The weekly opening hours of the queue's calendar (or the desk's first) in words:
    'Mon–Fri 09:00–18:00; Sat 10:00–16:00' / '周一至周五 09:00–18:00；周六 10:00–16:00'."""
    calendar = queue.calendar if queue is not None and queue.calendar_id else None
    calendar = calendar or DeskCalendar.objects.order_by("id").first()
    weekly: Mapping[str, Any] = (calendar.hours or {}).get("weekly", {}) if calendar else {}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    spans = [" / ".join(str(p).replace("-", "–") for p in weekly.get(day, [])) for day in names]
    days = _DAYS["en" if language == "en" else "zh-hans"]
    groups: list[tuple[int, int, str]] = []
    for i, text in enumerate(spans):
        if text and groups and groups[-1][1] == i - 1 and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], i, text)
        elif text:
            groups.append((i, i, text))
    if not groups:
        with translation.override(language):
            return _("see the Contact us page in the app")
    joiner = "–" if language == "en" else "至"
    parts = [
        f"{days[a]}{joiner}{days[b]} {text}" if b > a else f"{days[a]} {text}"
        for a, b, text in groups
    ]
    return ("; " if language == "en" else "；").join(parts)


@transaction.atomic
def load_bundled_canned_replies() -> list[CannedReply]:
    """Add every bundled reply (for all teams) whose code is not there yet; returns them.

    Safe to run again: a reply the lender has changed or switched off is left alone.
    """
    document = yaml.safe_load(BUNDLED.read_text("utf-8"))
    taken = set(CannedReply.objects.filter(team__isnull=True).values_list("code", flat=True))
    return [
        save_canned_reply(**spec)
        for spec in document["canned_replies"]
        if spec["code"] not in taken
    ]
