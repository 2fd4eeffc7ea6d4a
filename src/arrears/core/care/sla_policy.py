"""SLA policies as data: targets per ticket kind and priority, warnings, the escalation chain.

The bundled defaults live in ``core/care/sla_policies.yaml``; a lender loads its own with
`sla_policies_from_yaml`. Every error names the field (``policies[0].targets.first_reply.within``).
Complaints have their own stricter policy that must end with a written final response, and
may carry the regulator's outer limit in days per jurisdiction (`RegulatoryLimit`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml

from arrears.core.calendar import BusinessCalendar
from arrears.core.errors import ValidationError

#: Who the last escalation level always notifies: the head-office complaints team (总行投诉中心).
HEAD_OFFICE_COMPLAINTS = "head_office_complaints"
_DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m)?")
_NOTIFY = re.compile(r"[a-z][a-z0-9_]*")
E = TypeVar("E", bound=StrEnum)


class TicketKind(StrEnum):
    INQUIRY = "inquiry"
    COMPLAINT = "complaint"
    DISPUTE = "dispute"
    HARDSHIP_REQUEST = "hardship_request"
    CALLBACK = "callback"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketStatus(StrEnum):
    """new → open ⇄ pending (on the borrower) / on_hold (on a third party) → solved → closed."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


#: Statuses in which no clock counts because the work is done (a reopen starts them again).
DONE_STATUSES = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})
#: Statuses a policy may choose to pause its clocks in (waiting on the borrower or a third party).
PAUSABLE_STATUSES = frozenset({TicketStatus.PENDING, TicketStatus.ON_HOLD})


class Metric(StrEnum):
    FIRST_REPLY = "first_reply"
    NEXT_REPLY = "next_reply"
    RESOLUTION = "resolution"
    FINAL_RESPONSE = "final_response"  # a complaint's written final response


class DayKind(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class Target:
    """A metric's target in business time and the percents of it at which to warn."""

    metric: Metric
    within: timedelta
    warn_at_percents: tuple[int, ...] = (75,)


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    """Level n notifies `notify` once `after` more business time has passed since the breach.

    The shell may also act on it: `move_to_queue` moves the ticket to the notified team's
    queue, `raise_priority` raises its priority one step.
    """

    level: int
    after: timedelta
    notify: str
    move_to_queue: bool = False
    raise_priority: bool = False


@dataclass(frozen=True, slots=True)
class RegulatoryLimit:
    """The regulator's outer limit for a complaint's final response, counted from receipt."""

    jurisdiction: str
    days: int
    day_kind: DayKind
    citation: str
    verified: bool
    note: str = ""

    def due_at(self, received_at: datetime, zone: ZoneInfo) -> datetime:
        """The end (24:00 local) of the last allowed day after the day of receipt (UTC)."""
        received_on = received_at.astimezone(zone).date()
        if self.day_kind is DayKind.CALENDAR:
            last: date = received_on + timedelta(days=self.days)
        else:
            last = BusinessCalendar(self.jurisdiction).add_business_days(received_on, self.days)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        return end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """The targets one kind of ticket at some priorities must meet, and who hears of a breach."""

    key: str
    kinds: frozenset[TicketKind]
    priorities: frozenset[Priority]
    targets: Mapping[Metric, Target]
    escalation: tuple[EscalationLevel, ...]
    pause_statuses: frozenset[TicketStatus] = frozenset(
        {TicketStatus.PENDING, TicketStatus.ON_HOLD}
    )
    regulatory_limits: Mapping[str, RegulatoryLimit] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def __post_init__(self) -> None:
        if not self.escalation or self.escalation[-1].notify != HEAD_OFFICE_COMPLAINTS:
            raise ValidationError(
                f"{self.key}.escalation", f"the chain must end with {HEAD_OFFICE_COMPLAINTS}"
            )
        afters = [level.after for level in self.escalation]
        if afters != sorted(afters):
            raise ValidationError(f"{self.key}.escalation", "levels must come in order of `after`")
        if TicketKind.COMPLAINT in self.kinds and Metric.FINAL_RESPONSE not in self.targets:
            raise ValidationError(
                f"{self.key}.targets.final_response",
                "a complaint policy must end with a written final response",
            )
        if not self.pause_statuses <= PAUSABLE_STATUSES:
            raise ValidationError(f"{self.key}.pause_statuses", "only pending and on_hold pause")

    def regulatory_limit(self, jurisdiction: str | None) -> RegulatoryLimit | None:
        if not jurisdiction:
            return None
        code = jurisdiction.strip().upper()
        return self.regulatory_limits.get("UK" if code == "GB" else code)


@dataclass(frozen=True, slots=True)
class SlaPolicyBook:
    """A desk's policies in order: the first whose kinds and priorities match applies."""

    policies: tuple[SlaPolicy, ...]

    def policy_for(self, kind: TicketKind, priority: Priority) -> SlaPolicy:
        for policy in self.policies:
            if kind in policy.kinds and priority in policy.priorities:
                return policy
        raise ValidationError("kind", f"no SLA policy covers a {priority} {kind} ticket")


def parse_duration(field: str, value: object) -> timedelta:
    """Read a business-time duration: "45m", "4h", "1h30m" (days are ambiguous, so refused)."""
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    match = _DURATION.fullmatch(text)
    if not text or not match or (match[1] is None and match[2] is None):
        raise ValidationError(field, f"{value!r} is not a duration like 4h, 45m or 1h30m")
    return timedelta(hours=int(match[1] or 0), minutes=int(match[2] or 0))


def parse_sla_policies(doc: object) -> SlaPolicyBook:
    """Build the policy book from a parsed YAML/JSON document."""
    values = _mapping("", doc)
    _known("", values, ("pause_statuses", "policies"))
    pause = frozenset(
        _choice(f"pause_statuses[{i}]", s, TicketStatus)
        for i, s in enumerate(_list("pause_statuses", values.get("pause_statuses", [])))
    )
    items = _list("policies", values.get("policies"))
    if not items:
        raise ValidationError("policies", "give at least one policy")
    return SlaPolicyBook(
        tuple(_policy(f"policies[{i}]", item, pause) for i, item in enumerate(items))
    )


def sla_policies_from_yaml(text: str) -> SlaPolicyBook:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError("policies", f"not valid YAML: {error}") from None
    return parse_sla_policies(doc)


def bundled_sla_policies() -> SlaPolicyBook:
    """The defaults shipped with Arrears (``core/care/sla_policies.yaml``)."""
    text = resources.files("arrears.core.care").joinpath("sla_policies.yaml").read_text("utf-8")
    return sla_policies_from_yaml(text)


# --- readers ---------------------------------------------------------------------------------

_POLICY_FIELDS = ("key", "kinds", "priorities", "targets", "escalation", "regulatory_limits",
                  "pause_statuses")  # fmt: skip


def _policy(path: str, raw: object, pause: frozenset[TicketStatus]) -> SlaPolicy:
    values = _mapping(path, raw)
    _known(path, values, _POLICY_FIELDS)
    key = _text(f"{path}.key", values.get("key"))
    if "pause_statuses" in values:
        pause = frozenset(
            _choice(f"{path}.pause_statuses[{i}]", s, TicketStatus)
            for i, s in enumerate(_list(f"{path}.pause_statuses", values["pause_statuses"]))
        )
    targets = {
        _choice(f"{path}.targets", name, Metric): _target(f"{path}.targets.{name}", name, body)
        for name, body in _mapping(f"{path}.targets", values.get("targets")).items()
    }
    levels = tuple(
        _level(f"{path}.escalation[{i}]", i + 1, item)
        for i, item in enumerate(_list(f"{path}.escalation", values.get("escalation")))
    )
    limits = {
        str(code).upper(): _limit(f"{path}.regulatory_limits.{code}", str(code).upper(), body)
        for code, body in _mapping(
            f"{path}.regulatory_limits", values.get("regulatory_limits", {})
        ).items()
    }
    kinds = frozenset(
        _choice(f"{path}.kinds[{i}]", k, TicketKind)
        for i, k in enumerate(_list(f"{path}.kinds", values.get("kinds")))
    )
    priorities = frozenset(
        _choice(f"{path}.priorities[{i}]", p, Priority)
        for i, p in enumerate(_list(f"{path}.priorities", values.get("priorities")))
    )
    try:
        return SlaPolicy(
            key=key,
            kinds=kinds,
            priorities=priorities,
            targets=MappingProxyType(targets),
            escalation=levels,
            pause_statuses=pause,
            regulatory_limits=MappingProxyType(limits),
        )
    except ValidationError as error:  # the policy's own checks name `key.…`
        raise ValidationError(f"{path}{error.field.removeprefix(key)}", error.reason) from None


def _target(path: str, name: str, raw: object) -> Target:
    values = _mapping(path, raw)
    _known(path, values, ("within", "warn_at"))
    percents = tuple(
        _percent(f"{path}.warn_at[{i}]", p)
        for i, p in enumerate(_list(f"{path}.warn_at", values.get("warn_at", [75])))
    )
    within = parse_duration(f"{path}.within", values.get("within"))
    if within <= timedelta(0):
        raise ValidationError(f"{path}.within", "must be more than zero")
    return Target(Metric(name), within, tuple(sorted(percents)))


def _level(path: str, number: int, raw: object) -> EscalationLevel:
    values = _mapping(path, raw)
    _known(path, values, ("after", "notify", "move_to_queue", "raise_priority"))
    notify = values.get("notify")
    if not isinstance(notify, str) or not _NOTIFY.fullmatch(notify):
        raise ValidationError(f"{path}.notify", f"{notify!r} is not a team code like team_lead")
    actions = {name: values.get(name, False) for name in ("move_to_queue", "raise_priority")}
    for name, flag in actions.items():
        if not isinstance(flag, bool):
            raise ValidationError(f"{path}.{name}", "must be true or false")
    after = parse_duration(f"{path}.after", values.get("after"))
    return EscalationLevel(number, after, notify, **actions)


def _limit(path: str, jurisdiction: str, raw: object) -> RegulatoryLimit:
    values = _mapping(path, raw)
    _known(path, values, ("days", "day_kind", "citation", "verified", "note"))
    days = values.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValidationError(f"{path}.days", "must be a whole number of days, 1 or more")
    verified = values.get("verified", False)
    if not isinstance(verified, bool):
        raise ValidationError(f"{path}.verified", "must be true or false")
    return RegulatoryLimit(
        jurisdiction=jurisdiction,
        days=days,
        day_kind=_choice(f"{path}.day_kind", values.get("day_kind", "calendar"), DayKind),
        citation=_text(f"{path}.citation", values.get("citation")),
        verified=verified,
        note=str(values.get("note", "")),
    )


def _percent(path: str, raw: object) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= 99:
        raise ValidationError(path, f"{raw!r} must be a whole percent 1..99")
    return raw


def _choice(path: str, raw: object, kind: type[E]) -> E:
    try:
        return kind(str(raw))
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ValidationError(path, f"{raw!r} is not one of {known}") from None


def _mapping(path: str, raw: object) -> Mapping[Any, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationError(path or "document", "must be a mapping")
    return raw


def _list(path: str, raw: object) -> Sequence[Any]:
    if not isinstance(raw, list | tuple):
        raise ValidationError(path, "must be a list")
    return raw


def _text(path: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(path, "must be text")
    return raw.strip()


def _known(path: str, values: Mapping[Any, Any], allowed: Sequence[str]) -> None:
    for key in values:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise ValidationError(where, f"unknown field (known: {', '.join(allowed)})")
