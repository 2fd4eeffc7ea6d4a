"""Setting up the desk: teams, queues and agents, and the default desk `arrears init` loads.

A queue lists the ticket kinds it takes, the skills an agent needs to work it ("complaints",
"hardship", "language:zh", "product:card") and the languages it serves; an agent lists their
skills, languages and capacity (open tickets). Routing and assignment read exactly these.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import TicketKind
from arrears.care.models import CareAgent, CareQueue, DeskCalendar, Team
from arrears.care.services.calendars import save_calendar
from arrears.core.errors import ValidationError

LANGUAGES = ("zh-hans", "en")


@transaction.atomic
def save_team(*, code: str, name_en: str, name_zh: str, notify_address: str = "") -> Team:
    """Create or update a team (escalation levels notify teams by this code)."""
    code = _code("code", code)
    team, _created = Team.objects.update_or_create(
        code=code,
        defaults={"name_en": name_en, "name_zh": name_zh, "notify_address": notify_address},
    )
    return team


@transaction.atomic
def save_queue(
    *,
    code: str,
    name_en: str,
    name_zh: str,
    calendar: DeskCalendar,
    kinds: Iterable[str] = (),
    skills: Iterable[str] = (),
    languages: Iterable[str] = (),
    team: Team | None = None,
    sort_order: int = 0,
    **settings: Any,
) -> CareQueue:
    """Create or update a queue; `settings`: line_agents, aht_seconds, patience_seconds,
    callback_after_seconds, survey_after_solve, is_active."""
    code = _code("code", code)
    kinds = _checked("kinds", kinds, TicketKind.values)
    languages = _checked("languages", languages, LANGUAGES)
    queue, _created = CareQueue.objects.update_or_create(
        code=code,
        defaults={
            "name_en": name_en,
            "name_zh": name_zh,
            "calendar": calendar,
            "kinds": kinds,
            "skills": _skills(skills),
            "languages": languages,
            "team": team,
            "sort_order": sort_order,
            **settings,
        },
    )
    return queue


@transaction.atomic
def save_agent(
    *,
    user: AbstractBaseUser,
    queues: Iterable[CareQueue],
    skills: Iterable[str] = (),
    languages: Iterable[str] = (),
    max_open_tickets: int = 40,
    team: Team | None = None,
    max_chats: int = 3,
) -> CareAgent:
    """Make a staff user a service agent 客服 of some queues, with skills and a capacity."""
    if max_open_tickets < 1:
        raise ValidationError("max_open_tickets", _("must be at least 1"))
    agent, _created = CareAgent.objects.update_or_create(
        user=user,
        defaults={
            "skills": _skills(skills),
            "languages": _checked("languages", languages, LANGUAGES),
            "max_open_tickets": max_open_tickets,
            "max_chats": max_chats,
            "team": team,
        },
    )
    agent.queues.set(list(queues))
    return agent


@transaction.atomic
def load_default_desk() -> dict[str, int]:
    """Load the bundled desk (`care/data/default_desk.yaml`) and SLA policies; idempotent.

    Only rows whose code is new are added: a lender's edits to a calendar, team or queue stay.
    The bundled SLA policies become a version, active unless another version already is.
    """
    from arrears.care.services.sla import load_bundled_sla_policies

    doc = yaml.safe_load(
        resources.files("arrears.care.data").joinpath("default_desk.yaml").read_text("utf-8")
    )
    added = {"calendars": 0, "teams": 0, "queues": 0}
    for item in doc["calendars"]:
        if not DeskCalendar.objects.filter(code=item["code"]).exists():
            save_calendar(**item)
            added["calendars"] += 1
    for item in doc["teams"]:
        if not Team.objects.filter(code=item["code"]).exists():
            save_team(**item)
            added["teams"] += 1
    for item in doc["queues"]:
        if CareQueue.objects.filter(code=item["code"]).exists():
            continue
        fields = dict(item)
        calendar = DeskCalendar.objects.get(code=fields.pop("calendar"))
        team = Team.objects.filter(code=fields.pop("team", "")).first()
        save_queue(calendar=calendar, team=team, **fields)
        added["queues"] += 1
    added["sla_versions"] = int(load_bundled_sla_policies() is not None)
    return added


def _code(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(field, _("is required"))
    return value


def _checked(field: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    known = list(allowed)
    found = [str(v).strip() for v in values]
    for index, value in enumerate(found):
        if value not in known:
            raise ValidationError(
                f"{field}[{index}]",
                _("%(value)s is not one of %(known)s")
                % {"value": value, "known": ", ".join(known)},
            )
    return found


def _skills(values: Iterable[str]) -> list[str]:
    """Skills as lower-case codes, each once, in the order given."""
    seen: dict[str, None] = {}
    for value in values:
        skill = str(value).strip().lower()
        if skill:
            seen.setdefault(skill, None)
    return list(seen)
