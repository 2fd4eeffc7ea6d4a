"""Input and output schemas of the compliance API.

`CheckIn` is the check document of `arrears.core.compliance.wire` — the same JSON that
`arrears compliance check FILE.json` reads — described field by field for the OpenAPI document;
the core's reader then checks what a schema cannot (time zones, dates against each other).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints

from arrears.common.schemas import InputSchema, Text
from arrears.compliance.choices import (
    AttemptOutcome,
    BreathingSpaceKind,
    Channel,
    Direction,
    HoldKind,
    Purpose,
    Role,
)
from arrears.compliance.models import Decision, Hold
from arrears.core.compliance.wire import MAX_HISTORY, rules_document

Line = Annotated[Text, StringConstraints(max_length=320)]
Required = Annotated[Text, StringConstraints(min_length=1, max_length=320)]
TimeOfDay = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Annotated[int, Field(ge=0, le=6)] | Annotated[Text, StringConstraints(max_length=10)]
ShortList = Annotated[list[Required], Field(max_length=200)]


# --- the check document -------------------------------------------------------------------------
class AddressIn(InputSchema):
    """Where the person lives: its IANA time zone, or only its country (every zone of it)."""

    time_zone: Line | None = Field(default=None, examples=["America/New_York"])
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None


class TimeRangeIn(InputSchema):
    start: TimeOfDay = Field(examples=["12:00"])
    end: TimeOfDay = Field(examples=["14:00"])
    weekdays: Annotated[list[Weekday], Field(max_length=7)] | None = Field(
        default=None, description="0 = Monday … 6 = Sunday, or names; default every day"
    )


class FlagsIn(InputSchema):
    no_workplace_contact: bool = False
    refused_contact: bool = False
    debtor_unreachable: bool = Field(
        default=False, description="失联: the debtor cannot be reached"
    )
    recontact_exception: bool = False


class OptOutDocIn(InputSchema):
    channel: Channel
    address: Line | None = Field(default=None, description="none: every address of the channel")
    at: dt.datetime


class HoldDocIn(InputSchema):
    kind: HoldKind
    start_on: dt.date
    end_on: dt.date | None = None
    review_on: dt.date | None = None
    set_by: Line | None = None
    debts: ShortList = Field(default_factory=list)
    petition_on: dt.date | None = None
    chapter: int | None = Field(default=None, ge=1, le=15)
    prior_dismissals_12m: int = Field(default=0, ge=0, le=100)
    discharged_on: dt.date | None = None
    breathing_space: BreathingSpaceKind | None = None


class BorrowerDocIn(InputSchema):
    id: Required = Field(examples=["B000123"])
    role: Role = Role.DEBTOR
    addresses: Annotated[list[AddressIn], Field(max_length=20)] = Field(default_factory=list)
    phones: ShortList = Field(default_factory=list, examples=[["+12125550100"]])
    flags: FlagsIn | None = None
    inconvenient_times: Annotated[list[TimeRangeIn], Field(max_length=50)] = Field(
        default_factory=list
    )
    agreed_times: Annotated[list[TimeRangeIn], Field(max_length=50)] = Field(default_factory=list)
    inconvenient_places: ShortList = Field(default_factory=list)
    opt_outs: Annotated[list[OptOutDocIn], Field(max_length=200)] = Field(default_factory=list)
    holds: Annotated[list[HoldDocIn], Field(max_length=200)] = Field(default_factory=list)


class ConsentDocIn(InputSchema):
    given_at: dt.datetime
    revoked_at: dt.datetime | None = None


class ContactPointDocIn(InputSchema):
    zones: Annotated[list[Required], Field(max_length=20)] = Field(default_factory=list)
    place: Line | None = None
    is_workplace: bool = False
    workplace_consent: bool = False
    automated_consent: ConsentDocIn | None = None


class AttemptDocIn(InputSchema):
    at: dt.datetime
    channel: Channel
    number: Required | None = Field(default=None, description="the number or address contacted")
    address: Required | None = None
    outcome: AttemptOutcome
    debts: ShortList = Field(default_factory=list)
    direction: Direction = Direction.OUTBOUND
    party: Line | None = Field(default=None, description="who was contacted; default the borrower")
    by: Line | None = Field(default=None, description="the lender or the agency")
    artificial_voice: bool = False
    direct_consent: bool = False
    purpose: Purpose | None = None


class CheckIn(InputSchema):
    """One proposed contact, the person, and the contact history (see docs/compliance.md)."""

    jurisdiction: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] = Field(
        description="profile (CN, US, UK, EU, IE) or country code (GB, FR …)", examples=["US"]
    )
    house_rules: bool = Field(default=True, description="lay the lender's house rules over it")
    now: dt.datetime | None = Field(default=None, description="when it is decided; default `at`")
    at: dt.datetime = Field(description="when the contact would be made")
    request_id: Line | None = None
    channel: Channel
    address: Required = Field(description="the number or address contacted")
    purpose: Purpose = Purpose.COLLECTION
    debts: ShortList = Field(default_factory=list, description="the debts it is about")
    debtor_id: Line | None = None
    message_kind: Line | None = None
    autodialled: bool = False
    prerecorded: bool = False
    artificial_voice: bool = False
    direct_consent_at: dt.datetime | None = None
    contact_point: ContactPointDocIn | None = None
    borrower: BorrowerDocIn
    history: Annotated[list[AttemptDocIn], Field(max_length=MAX_HISTORY)] = Field(
        default_factory=list
    )

    def document(self) -> dict[str, Any]:
        """The check document as the core reads it (fields the caller left out stay out)."""
        return self.model_dump(mode="json", exclude_unset=True)


# --- answers ------------------------------------------------------------------------------------
class CitationOut(Schema):
    ref: str = Field(examples=["US-FREQ-01"])
    source: str = Field(examples=["12 CFR 1006.14(b)(1)-(2); 15 USC 1692d(5)"])
    status: str = Field(description="V-PRIMARY, V-SECONDARY, UNVERIFIED or POLICY")


class RuleOut(Schema):
    id: str = Field(examples=["frequency.after_conversation"])
    outcome: str = Field(description="allow, deny or flag")
    reason: str = Field(description="in English")
    reason_zh: str = Field(description="in Chinese")
    citation: CitationOut | None
    next_permitted_at: dt.datetime | None


class ProfileOut(Schema):
    code: str
    version: str = Field(examples=["US@2025.1+house@2025.1"])


class CheckOut(Schema):
    allowed: bool
    at: dt.datetime
    next_permitted_at: dt.datetime | None = Field(
        description="the first moment every rule allows; null when a person must act"
    )
    profile: ProfileOut
    rules: list[RuleOut]


class DecisionOut(Schema):
    """A logged decision with each rule's answer."""

    id: int
    request_id: str
    borrower_id: int | None
    account_id: int | None
    channel: Channel
    address: str
    purpose: Purpose
    at: dt.datetime
    decided_at: dt.datetime
    allowed: bool
    flagged: bool
    next_permitted_at: dt.datetime | None
    denied_rules: list[str]
    profile: ProfileOut
    rules: list[RuleOut]

    @staticmethod
    def resolve_denied_rules(obj: Decision) -> list[str]:
        return obj.denied_rule_ids

    @staticmethod
    def resolve_profile(obj: Decision) -> ProfileOut:
        return ProfileOut(code=obj.profile_code, version=obj.profile_version)

    @staticmethod
    def resolve_rules(obj: Decision) -> list[dict[str, Any]]:
        return rules_document(obj.rules)


# --- holds and opt-outs -------------------------------------------------------------------------
class HoldIn(InputSchema):
    """A hold on the borrower (or one of their accounts)."""

    kind: HoldKind
    account_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    start_on: dt.date
    end_on: dt.date | None = Field(default=None, description="the last day; lifts by itself")
    review_on: dt.date | None = Field(default=None, description="when a person looks again")
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=500)]
    petition_on: dt.date | None = None
    chapter: int | None = Field(default=None, ge=1, le=15)
    prior_dismissals_12m: int = Field(default=0, ge=0, le=100)
    discharged_on: dt.date | None = None
    breathing_space: BreathingSpaceKind | None = None


class LiftIn(InputSchema):
    reason: Annotated[Text, StringConstraints(min_length=1, max_length=500)]


class HoldOut(Schema):
    id: int
    borrower_id: int
    account_id: int | None
    kind: HoldKind
    start_on: dt.date
    end_on: dt.date | None
    review_on: dt.date | None
    reason: str
    petition_on: dt.date | None
    chapter: int | None
    prior_dismissals_12m: int
    discharged_on: dt.date | None
    breathing_space: BreathingSpaceKind | None
    set_by: str
    set_at: dt.datetime
    lifted_at: dt.datetime | None
    lifted_by: str | None
    lift_reason: str

    @staticmethod
    def resolve_set_by(obj: Hold) -> str:
        return obj.set_by_name

    @staticmethod
    def resolve_lifted_by(obj: Hold) -> str | None:
        return obj.lifted_by_name or None

    @staticmethod
    def resolve_breathing_space(obj: Hold) -> str | None:
        return obj.breathing_space or None


class HoldFilters(Schema):
    all: bool = Field(default=False, description="also holds lifted or ended")


class OptOutIn(InputSchema):
    """A STOP / 退订 / unsubscribe: honoured at once."""

    channel: Channel
    address: Annotated[Text, StringConstraints(max_length=200)] = Field(
        default="", description="empty: every address of the channel"
    )
    source: Annotated[Text, StringConstraints(min_length=1, max_length=60)] = Field(
        examples=["sms STOP", "退订", "agent"]
    )
    message: Annotated[Text, StringConstraints(max_length=500)] = Field(
        default="", description="the words received"
    )


class OptOutOut(Schema):
    id: int
    borrower_id: int
    channel: Channel
    address: str
    source: str
    message: str
    at: dt.datetime
