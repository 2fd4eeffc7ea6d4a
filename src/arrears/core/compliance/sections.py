"""The rule sections of a profile: each rule's parameters as a frozen dataclass.

Each field's type says how it is read from YAML, and its `strict(...)` metadata which way is
stricter, so house rules can be checked field by field (see `_schema`). The vectorised gate
reads the same dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from arrears.core.compliance._schema import Section, strict
from arrears.core.compliance.model import Channel, Purpose, Role
from arrears.core.errors import ValidationError


@dataclass(frozen=True, kw_only=True)
class RuleSection(Section):
    """A rule with no parameters beyond its citation (e.g. honour stated inconvenient times)."""


@dataclass(frozen=True, kw_only=True)
class ContactWindow(Section):
    """When contact is allowed, in the person's local time: [start, end) on days not blocked."""

    CITE_KEYS = frozenset({"zones"})  # the all-candidate-zones policy, when a refusal rests on it

    start: dt.time = field(metadata=strict("later", before="end"))
    end: dt.time = field(metadata=strict("earlier"))
    channels: frozenset[Channel] = field(metadata=strict("superset"))
    purposes: frozenset[Purpose] = field(metadata=strict("superset"))
    blocked_weekdays: frozenset[int] = field(
        default_factory=frozenset, metadata=strict("superset", weekdays=True)
    )
    holiday_calendar: str | None = field(
        default=None, metadata=strict("set_once", choices=("CN", "US", "GB", "IE"))
    )
    agreed_times_override: bool = field(default=True, metadata=strict("false"))


@dataclass(frozen=True, kw_only=True)
class WorkplaceRule(Section):
    honour_stated_prohibition: bool = field(default=True, metadata=strict("true"))
    consent_required_channels: frozenset[Channel] = field(
        default_factory=frozenset, metadata=strict("superset")
    )


@dataclass(frozen=True, kw_only=True)
class PartiesRule(Section):
    """Who may be contacted at all, and who only to find the borrower (location purpose)."""

    allowed_roles: frozenset[Role] = field(metadata=strict("subset"))
    location_only_roles: frozenset[Role] = field(default_factory=frozenset, metadata=strict("none"))

    def __post_init__(self) -> None:
        both = self.allowed_roles & self.location_only_roles
        if both:
            raise ValidationError("location_only_roles", f"also in allowed_roles: {sorted(both)}")

    def extra_stricter_check(self, base: Section, path: str) -> None:
        assert isinstance(base, PartiesRule)
        widened = self.location_only_roles - (base.allowed_roles | base.location_only_roles)
        if widened:
            raise ValidationError(
                f"{path}.location_only_roles",
                f"house rules may only be stricter: cannot add {', '.join(sorted(widened))}",
            )


@dataclass(frozen=True, kw_only=True)
class LocationContactsRule(Section):
    max_per_person: int = field(default=1, metadata=strict("lower", low=0, high=10))


@dataclass(frozen=True, kw_only=True)
class ContactPersonsRule(Section):
    """CN 联系人: only when the debtor is unreachable, never again after a refusal."""

    roles: frozenset[Role] = field(metadata=strict("superset"))
    require_debtor_unreachable: bool = field(default=True, metadata=strict("true"))
    stop_on_refusal: bool = field(default=True, metadata=strict("true"))


@dataclass(frozen=True, kw_only=True)
class HoldRule(Section):
    """What a hold still lets through. Unused parameters keep their defaults."""

    CITE_KEYS = frozenset({"discharge"})  # bankruptcy: the discharge injunction

    allowed_messages: frozenset[str] = field(default_factory=frozenset, metadata=strict("subset"))
    allowed_roles: frozenset[Role] = field(default_factory=frozenset, metadata=strict("subset"))
    blocked_purposes: frozenset[Purpose] = field(
        default_factory=lambda: frozenset(Purpose), metadata=strict("superset")
    )
    standard_days: int | None = field(default=None, metadata=strict("higher", low=1, high=366))
    serial_filer_auto_lift: bool = field(default=False, metadata=strict("false"))
    action: str = field(
        default="deny", metadata=strict("order:flag<deny", choices=("flag", "deny"))
    )


@dataclass(frozen=True, kw_only=True)
class OptOutRule(Section):
    scope: str = field(
        default="address", metadata=strict("order:address<channel", choices=("address", "channel"))
    )
    exempt_purposes: frozenset[Purpose] = field(
        default_factory=frozenset, metadata=strict("subset")
    )


AUTOMATION_KINDS = ("autodialled", "prerecorded", "artificial_voice")


@dataclass(frozen=True, kw_only=True)
class AutomatedConsentRule(Section):
    CITE_KEYS = frozenset({"sms", "revocation"})

    channels: frozenset[Channel] = field(metadata=strict("superset"))
    required_for: frozenset[str] = field(metadata=strict("superset", choices=AUTOMATION_KINDS))


@dataclass(frozen=True, kw_only=True)
class CallFrequencyRule(Section):
    """Reg F 7-in-7: calls per person per debt in a rolling run of days, and the quiet period."""

    max_calls: int = field(metadata=strict("lower", low=1, high=100))
    window_days: int = field(metadata=strict("higher", low=1, high=31))
    quiet_days_after_conversation: int | None = field(
        default=None, metadata=strict("higher", low=1, high=31)
    )
    count_unconnected: bool = field(default=False, metadata=strict("true"))
    count_direct_consent: bool = field(default=False, metadata=strict("true"))
    direct_consent_days: int = field(default=7, metadata=strict("lower", low=0, high=31))


@dataclass(frozen=True, kw_only=True)
class DailyVoiceCapRule(Section):
    """CN: answered voice calls per person per local day, across the lender and its agencies."""

    max_connected_per_day: int = field(metadata=strict("lower", low=0, high=100))
    ai_voice_counts: bool = field(default=True, metadata=strict("true"))


@dataclass(frozen=True, kw_only=True)
class NumberAttemptCapRule(Section):
    """CN (CBA 2026): dial attempts per number per local day."""

    max_attempts_per_day: int = field(metadata=strict("lower", low=0, high=100))


@dataclass(frozen=True, kw_only=True)
class ElectronicCapRule(Section):
    """Messages on one channel per person: per local day and per rolling 7 days."""

    per_day: int | None = field(default=None, metadata=strict("lower", low=0, high=1000))
    per_week: int | None = field(default=None, metadata=strict("lower", low=0, high=1000))


CONTENT_CHECKS = ("threat", "impersonation", "false_claim", "pressure", "third_party_disclosure")


@dataclass(frozen=True, kw_only=True)
class ContentRule(Section):
    """Message content: which channels need an opt-out line and which phrase checks run.

    `cite` is the opt-out requirement's source; `cites` gives each check's source by name.
    """

    CITE_KEYS = frozenset(CONTENT_CHECKS)

    opt_out_channels: frozenset[Channel] = field(
        default_factory=frozenset, metadata=strict("superset")
    )
    checks: frozenset[str] = field(
        default_factory=lambda: frozenset(CONTENT_CHECKS),
        metadata=strict("superset", choices=CONTENT_CHECKS),
    )
