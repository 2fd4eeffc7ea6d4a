"""What the compliance gate decides about: a proposed contact, the contact history, the answer.

Everything here is a frozen value. The shell (Django) loads the borrower, the contact point, the
holds and the history, builds these values and asks `gate.decide`; nothing here reads a clock or a
database. Instants (`*_at`) are timezone-aware and compared as UTC; business dates (`*_on`) are
plain dates read in the borrower's local time.

Field names follow the canonical data model of the regulations reference (§0.3), so that the
vectorised (Polars) form can use the same names for its columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from arrears.core.errors import ValidationError

ALL_WEEKDAYS: frozenset[int] = frozenset(range(7))  # 0 = Monday … 6 = Sunday, as date.weekday()


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"
    IN_APP = "in_app"
    VISIT = "visit"


class Role(StrEnum):
    """Who the person contacted is, relative to the debt (regulations.md §0.3 Party.role)."""

    DEBTOR = "debtor"
    CO_OBLIGOR = "co_obligor"
    GUARANTOR = "guarantor"
    SPOUSE = "spouse"
    PARENT_OF_MINOR = "parent_of_minor"
    GUARDIAN = "guardian"
    ESTATE_REPRESENTATIVE = "estate_representative"
    ATTORNEY = "attorney"
    DEBT_ADVISER = "debt_adviser"
    CONTACT_PERSON = "contact_person"  # 联系人 / emergency contact the borrower named
    EMPLOYER = "employer"
    THIRD_PARTY = "third_party"


class Purpose(StrEnum):
    """Why the contact is made."""

    COLLECTION = "collection"  # about money overdue
    SERVICING = "servicing"  # reminders, statements, notices before anything is overdue
    TRANSACTIONAL = "transactional"  # the borrower's own action: a one-time code, a receipt
    LOCATION = "location"  # finding the borrower / passing a message, never about the debt


class Outcome(StrEnum):
    """A rule's answer. FLAG allows the contact but asks a person to look (e.g. a servicemember)."""

    ALLOW = "allow"
    DENY = "deny"
    FLAG = "flag"


class AttemptOutcome(StrEnum):
    """What came of one contact attempt."""

    FAILED = "failed"  # did not connect to the number (busy, network failure, not in service)
    NO_ANSWER = "no_answer"  # rang out
    VOICEMAIL = "voicemail"  # a message left (a limited-content message counts as a call)
    CONNECTED = "connected"  # answered, but no conversation about the debt (hung up, wrong party)
    CONVERSATION = "conversation"  # spoke with the person about the debt
    REFUSED = "refused"  # answered and refused further contact
    SENT = "sent"  # an SMS, e-mail, letter or in-app message handed over
    DELIVERED = "delivered"
    BOUNCED = "bounced"  # undeliverable

    @property
    def answered(self) -> bool:
        """A person picked up: an effective (connected) call in the CN sense."""
        return self in _ANSWERED

    @property
    def communicated(self) -> bool:
        """Something reached the person (a message left counts), for 'contact only once' rules."""
        return self in _COMMUNICATED


_ANSWERED = frozenset(
    {AttemptOutcome.CONNECTED, AttemptOutcome.CONVERSATION, AttemptOutcome.REFUSED}
)
_COMMUNICATED = _ANSWERED | {
    AttemptOutcome.VOICEMAIL,
    AttemptOutcome.SENT,
    AttemptOutcome.DELIVERED,
}


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"  # the borrower called or wrote in


class HoldKind(StrEnum):
    CEASE_COMMUNICATION = "cease_communication"
    DISPUTE = "dispute"
    BANKRUPTCY = "bankruptcy"
    DECEASED = "deceased"
    ATTORNEY = "attorney"
    BREATHING_SPACE = "breathing_space"
    SERVICEMEMBER = "servicemember"


class BreathingSpaceKind(StrEnum):
    STANDARD = "standard"
    MENTAL_HEALTH_CRISIS = "mental_health_crisis"


class Verification(StrEnum):
    """How far a parameter's source was checked (regulations.md §0.1), plus the lender's own."""

    PRIMARY = "V-PRIMARY"
    SECONDARY = "V-SECONDARY"
    UNVERIFIED = "UNVERIFIED"
    POLICY = "POLICY"  # a choice the lender makes where the law sets no number


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule comes from: the reference id, the source text and how well it is verified."""

    ref: str  # e.g. "US-FREQ-01" (regulations.md) or "HOUSE-SMS" (house rules)
    source: str  # e.g. "12 CFR 1006.14(b)(2)"
    status: Verification

    def __str__(self) -> str:
        return f"{self.source} [{self.ref}; {self.status.value}]"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A daily stretch of local time on some weekdays, e.g. 'not on Tuesdays 12:00–14:00'.

    `end` at or before `start` runs past midnight (22:00–07:00); `weekdays` are the days the
    stretch starts on. Read in every candidate zone of the person.
    """

    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = ALL_WEEKDAYS

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= ALL_WEEKDAYS:
            raise ValidationError("weekdays", "must be a non-empty set of 0 (Monday) … 6 (Sunday)")
        if self.start == self.end:
            raise ValidationError("end", "must differ from start")

    @property
    def wraps(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True, slots=True)
class OptOut:
    """A 'stop' for one channel: one address (`address`) or every address (`address=None`)."""

    channel: Channel
    at: dt.datetime
    address: str | None = None

    def __post_init__(self) -> None:
        require_aware("at", self.at)


@dataclass(frozen=True, slots=True)
class AutomatedConsent:
    """Prior express consent to autodialled / prerecorded / artificial-voice calls and texts."""

    given_at: dt.datetime
    revoked_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        require_aware("given_at", self.given_at)
        if self.revoked_at is not None:
            require_aware("revoked_at", self.revoked_at)

    def valid_at(self, at: dt.datetime) -> bool:
        return self.given_at <= at and (self.revoked_at is None or at < self.revoked_at)


@dataclass(frozen=True, slots=True)
class Party:
    """The person to be contacted, with what they have told the lender."""

    party_id: str
    role: Role = Role.DEBTOR
    home_zones: tuple[str, ...] = ()  # IANA zones of their address(es)
    inconvenient_times: tuple[TimeRange, ...] = ()
    inconvenient_places: frozenset[str] = frozenset()  # e.g. {"work", "hospital"}
    agreed_times: tuple[TimeRange, ...] = ()  # times they agreed to be contacted (overrides hours)
    opt_outs: tuple[OptOut, ...] = ()
    no_workplace_contact: bool = False  # they said their employer forbids contact at work
    refused_contact: bool = False  # a contact person who refused / asked not to be contacted


@dataclass(frozen=True, slots=True)
class ContactPoint:
    """Where the contact goes: a number, an e-mail address, a postal address, an app account."""

    channel: Channel
    address: str
    zones: tuple[str, ...] = ()  # from the postal address or the number; see zones.py
    place: str | None = None  # "home", "work", "hospital" … for inconvenient places
    is_workplace: bool = False  # a work number, an employer-provided e-mail, an office address
    workplace_consent: bool = False  # the person used it with us or agreed to its use
    automated_consent: AutomatedConsent | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    """Something that stops or limits contact until it ends or a person lifts it.

    `end_on` is the last day of a hold that ends by itself; `review_on` is when a person must look
    again (the hold does not lift by itself). An empty `debt_ids` covers every debt.
    """

    kind: HoldKind
    start_on: dt.date
    set_by: str
    end_on: dt.date | None = None
    review_on: dt.date | None = None
    debt_ids: frozenset[str] = frozenset()
    # bankruptcy
    petition_on: dt.date | None = None
    chapter: int | None = None
    prior_dismissals_12m: int = 0
    discharged_on: dt.date | None = None
    # breathing space
    breathing_space: BreathingSpaceKind | None = None

    def __post_init__(self) -> None:
        if self.end_on is not None and self.end_on < self.start_on:
            raise ValidationError("end_on", "is before start_on")
        if self.prior_dismissals_12m < 0:
            raise ValidationError("prior_dismissals_12m", "cannot be negative")
        if self.kind is HoldKind.BREATHING_SPACE and self.breathing_space is None:
            raise ValidationError("breathing_space", "say standard or mental_health_crisis")


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """One proposed contact: who, where, why, when, and what is known about the person."""

    request_id: str
    profile_code: str
    party: Party
    contact_point: ContactPoint
    purpose: Purpose
    at: dt.datetime  # when the call would be dialled / the message sent
    debt_ids: frozenset[str] = frozenset()
    debtor_id: str | None = None  # whose debt; defaults to the party contacted
    autodialled: bool = False
    prerecorded: bool = False
    artificial_voice: bool = False  # AI voice agents included
    message_kind: str | None = None  # e.g. "termination_notice", "reply_to_debtor"
    direct_consent_at: dt.datetime | None = None  # the person asked to be called (Reg F)
    holds: tuple[Hold, ...] = ()
    debtor_unreachable: bool = False  # 失联: the debtor cannot be reached (case status)
    recontact_exception: bool = False  # a location contact asked to be called back, or erred

    def __post_init__(self) -> None:
        require_aware("at", self.at)
        if self.direct_consent_at is not None:
            require_aware("direct_consent_at", self.direct_consent_at)
        if not self.request_id:
            raise ValidationError("request_id", "is required")

    @property
    def channel(self) -> Channel:
        return self.contact_point.channel

    @property
    def debtor(self) -> str:
        return self.debtor_id or self.party.party_id

    @property
    def automated(self) -> bool:
        return self.autodialled or self.prerecorded or self.artificial_voice


@dataclass(frozen=True, slots=True)
class Attempt:
    """One contact attempt in the shared log (the lender's and every agency's)."""

    at: dt.datetime
    channel: Channel
    party_id: str
    address: str
    outcome: AttemptOutcome
    debt_ids: frozenset[str] = frozenset()
    direction: Direction = Direction.OUTBOUND
    direct_consent: bool = False  # placed within the person's direct prior consent (Reg F)
    by: str = "lender"  # the lender, or the agency's id
    artificial_voice: bool = False
    purpose: Purpose | None = None

    def __post_init__(self) -> None:
        require_aware("at", self.at)

    def concerns(self, debt_ids: frozenset[str]) -> bool:
        """About any of these debts; an attempt or a request naming no debt concerns them all."""
        return not debt_ids or not self.debt_ids or not self.debt_ids.isdisjoint(debt_ids)


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule's answer, with the reason in both languages and the earliest time it would allow."""

    rule_id: str
    outcome: Outcome
    reason_en: str
    reason_zh: str
    citation: Citation | None
    next_permitted_at: dt.datetime | None = None  # on a deny; None = only a person can lift it

    @property
    def denied(self) -> bool:
        return self.outcome is Outcome.DENY


@dataclass(frozen=True, slots=True)
class Decision:
    """The gate's answer for one request: allowed only if no rule denies."""

    request_id: str
    allowed: bool
    rules: tuple[RuleResult, ...]
    next_permitted_at: dt.datetime | None  # the request's own time when allowed
    at: dt.datetime
    evaluated_at: dt.datetime
    profile_code: str
    profile_version: str

    @property
    def denials(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.outcome is Outcome.DENY)

    @property
    def flags(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.outcome is Outcome.FLAG)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form for the decision log, the CLI and the API."""
        return {
            "request_id": self.request_id,
            "allowed": self.allowed,
            "at": self.at.isoformat(),
            "next_permitted_at": _iso(self.next_permitted_at),
            "evaluated_at": self.evaluated_at.isoformat(),
            "profile": {"code": self.profile_code, "version": self.profile_version},
            "rules": [
                {
                    "id": r.rule_id,
                    "outcome": r.outcome.value,
                    "reason_en": r.reason_en,
                    "reason_zh": r.reason_zh,
                    "citation": None
                    if r.citation is None
                    else {
                        "ref": r.citation.ref,
                        "source": r.citation.source,
                        "status": r.citation.status.value,
                    },
                    "next_permitted_at": _iso(r.next_permitted_at),
                }
                for r in self.rules
            ],
        }


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def require_aware(field_name: str, at: dt.datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(field_name, "must be a timezone-aware instant")
