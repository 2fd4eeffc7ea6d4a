"""Input and output schemas of the phone line API 热线: greeting, calls, waits, callbacks,
incidents and the desk's status. Queues are named by code; calls, callbacks and incidents by
id; instants are ISO 8601 with their offset."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, StringConstraints

from arrears.care.choices import CallbackKind, CallbackStatus, CallOutcome
from arrears.common.schemas import MAX_ID, InputSchema, Text

Number = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=3, max_length=40)]
QueueCode = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Title = Annotated[Text, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notice = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# --- in ----------------------------------------------------------------------------------------
class InboundCallIn(InputSchema):
    number: Number = Field(examples=["+8613812345678"], description="the caller's number")
    queue: QueueCode = Field(description="the queue's code the IVR routed the call to")


class CallLogIn(InputSchema):
    call_id: Id | None = Field(None, description="the IVR's call from /care/calls/inbound")
    number: Number | None = Field(None, description="the caller's number (no call_id)")
    queue: QueueCode | None = None
    outcome: Literal[
        "answered", "abandoned", "callback_booked", "after_hours", "missed", "voicemail"
    ]
    started_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""
    recording_ref: Annotated[Text, StringConstraints(max_length=300)] = ""
    ticket: Annotated[Text, StringConstraints(max_length=20)] | None = Field(
        None, description="a ticket's reference the agent opened from the call"
    )


class CallbackIn(InputSchema):
    queue: QueueCode
    number: Number
    borrower_id: Id | None = Field(None, description="default: found by the number")
    slot_start: AwareDatetime | None = Field(None, description="a slot offered just now")
    keep_place: bool = Field(False, description="call back at the caller's turn instead")
    call_id: Id | None = Field(None, description="the waiting call that asked for it")


class CallbackDoneIn(InputSchema):
    outcome: Literal["done", "missed", "cancelled"]
    permit_id: uuid.UUID | None = Field(None, description="the permit the call was made under")
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""


class IncidentIn(InputSchema):
    title_en: Title
    title_zh: Title
    notice_en: Notice
    notice_zh: Notice


# --- out ---------------------------------------------------------------------------------------
class SlotOut(Schema):
    start: dt.datetime
    end: dt.datetime
    free: int


class GreetingOut(Schema):
    """What the IVR reads: `script` in order (an outage notice first), and the same as data."""

    call_id: int
    queue: str
    number: str
    borrower_id: int | None
    language: str
    incident: dict[str, str] | None
    open: bool
    callers_ahead: int | None
    wait_seconds: float | None
    wait_band: str | None
    line: dict[str, Any] | None
    callback_offered: bool
    keep_place: dict[str, Any] | None
    callback_slots: list[SlotOut]
    line_opens: dict[str, Any] | None
    other_ways: list[dict[str, str]]
    script: list[str]


class CallOut(Schema):
    id: int
    from_number: str
    direction: str
    queue: str | None
    borrower_id: int | None
    ticket: str | None
    outcome: CallOutcome
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    wait_seconds: int | None
    announced_wait: str
    contact_attempt_id: int | None

    @staticmethod
    def resolve_queue(call: Any) -> str | None:
        return call.queue.code if call.queue_id else None

    @staticmethod
    def resolve_ticket(call: Any) -> str | None:
        return call.ticket.reference if call.ticket_id else None


class WaitOut(Schema):
    queue: str
    open: bool
    agents: int
    calls_last_hour: int
    callers_waiting: int
    busy_agents: int
    wait_seconds: float | None
    wait_band: str
    words_en: str
    words_zh: str
    line: dict[str, Any] | None


class CallbackSlotsOut(Schema):
    queue: str
    keep_place: dict[str, Any] | None
    slots: list[SlotOut]
    reasons: list[str]


class CallbackOut(Schema):
    id: int
    queue: str
    number: str
    borrower_id: int | None
    ticket: str | None
    kind: CallbackKind
    status: CallbackStatus
    queued_at: dt.datetime
    slot_start: dt.datetime
    slot_end: dt.datetime
    booked_at: dt.datetime
    called_at: dt.datetime | None
    rebooked_from_id: int | None

    @staticmethod
    def resolve_queue(callback: Any) -> str:
        return str(callback.queue.code)

    @staticmethod
    def resolve_ticket(callback: Any) -> str | None:
        return callback.ticket.reference if callback.ticket_id else None


class CallbackPermitOut(Schema):
    """The gate's answer before dialling: the permit to call under, or when it may be tried."""

    allowed: bool
    permit_id: uuid.UUID | None
    valid_until: dt.datetime | None
    next_permitted_at: dt.datetime | None
    denied_rules: str


class IncidentOut(Schema):
    id: int
    title_en: str
    title_zh: str
    notice_en: str
    notice_zh: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    callbacks_swept_at: dt.datetime | None


class StatusOut(Schema):
    """The desk now: every channel shows `incident` first when there is one."""

    at: dt.datetime
    incident: IncidentOut | None
    notice_en: str
    notice_zh: str
