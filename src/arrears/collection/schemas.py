"""Input and output schemas of the collection API.

Amounts go in as decimal strings in major units ("1039.43"), never JSON numbers, and come out
as `{minor, currency, amount}`. Inputs refuse unknown fields.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints, field_validator

from arrears.collection.choices import (
    ActionKind,
    ActionStatus,
    CaseEventKind,
    CaseStage,
    CaseStatus,
    EscalationKind,
    EscalationStatus,
    OwnerKind,
    PromiseSource,
    PromiseStatus,
)
from arrears.collection.models import (
    Case,
    CaseEvent,
    CollectionAction,
    Escalation,
    Promise,
    PromiseInstalment,
)
from arrears.collection.selectors import (
    AgencyPerformance,
    Load,
    QueueItem,
    WorkQueueView,
)
from arrears.common.schemas import MAX_ID, InputSchema, MoneyOut, Text
from arrears.compliance.choices import Direction, Role
from arrears.core.money import Money

#: A decimal amount in major units as a string ("1039.43"); JSON numbers are refused.
DecimalAmount = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{1,15}(\.[0-9]{1,6})?$", max_length=22)
]
Line = Annotated[Text, StringConstraints(max_length=500)]
Reason = Annotated[Text, StringConstraints(min_length=1, max_length=500)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _money(minor: int | None, currency: str) -> MoneyOut | None:
    if minor is None or not currency:
        return None
    return MoneyOut.from_minor(int(minor), currency)


def _string_amount(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError(
            _('send the amount as a decimal string such as "120.50", not a JSON number')
        )
    return value


# --- cases -------------------------------------------------------------------------------------
class CollectionCaseEventOut(Schema):
    kind: CaseEventKind
    on: dt.date
    at: dt.datetime
    by: str | None = Field(description="the user, or none for the system")
    reason: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, event: CaseEvent) -> CollectionCaseEventOut:
        return cls(
            kind=CaseEventKind(event.kind),
            on=event.on,
            at=event.at,
            by=event.by.get_username() if event.by is not None else None,
            reason=event.reason,
            detail=event.detail,
        )


class CollectionCaseOut(Schema):
    id: int
    account_id: int
    status: CaseStatus
    stage: CaseStage
    opened_on: dt.date
    opened_reason: str
    closed_on: dt.date | None
    close_reason: str
    owner_kind: OwnerKind
    queue: str | None = Field(description="the work queue's code")
    agent: str | None = Field(description="the collector's user name")
    agency: str | None = Field(description="the agency's code")
    segment: str
    path: str
    next_action: ActionKind
    next_action_on: dt.date | None
    next_action_reason: str
    paused_until: dt.date | None = Field(description="the last day the treatment waits")
    pause_reason: str
    hardship: bool
    vulnerable: bool
    no_answer_streak: int

    @classmethod
    def of(cls, case: Case) -> CollectionCaseOut:
        return cls(
            id=case.pk,
            account_id=case.account_id,
            status=CaseStatus(case.status),
            stage=CaseStage(case.stage),
            opened_on=case.opened_on,
            opened_reason=case.opened_reason,
            closed_on=case.closed_on,
            close_reason=case.close_reason,
            owner_kind=OwnerKind(case.owner_kind),
            queue=case.queue.code if case.queue is not None else None,
            agent=case.agent.get_username() if case.agent is not None else None,
            agency=case.agency.code if case.agency is not None else None,
            segment=case.segment,
            path=case.path,
            next_action=ActionKind(case.next_action),
            next_action_on=case.next_action_on,
            next_action_reason=case.next_action_reason,
            paused_until=case.paused_until,
            pause_reason=case.pause_reason,
            hardship=case.hardship,
            vulnerable=case.vulnerable,
            no_answer_streak=case.no_answer_streak,
        )


class CollectionCaseDetailOut(CollectionCaseOut):
    events: list[CollectionCaseEventOut]

    @classmethod
    def detail(cls, case: Case) -> CollectionCaseDetailOut:
        base = CollectionCaseOut.of(case).model_dump()
        return cls(**base, events=[CollectionCaseEventOut.of(e) for e in case.events.all()])


# --- actions -----------------------------------------------------------------------------------
class CollectionActionOut(Schema):
    id: int
    case_id: int
    kind: ActionKind
    status: ActionStatus
    channel: str
    template: str
    address: str
    due_at: dt.datetime | None
    expected_value: MoneyOut | None
    queue: str | None
    needs_approval: bool
    reason: str

    @classmethod
    def of(cls, action: CollectionAction) -> CollectionActionOut:
        return cls(
            id=action.pk,
            case_id=action.case_id,
            kind=ActionKind(action.kind),
            status=ActionStatus(action.status),
            channel=action.channel,
            template=action.template,
            address=action.address,
            due_at=action.due_at,
            expected_value=_money(action.expected_value_minor, action.currency),
            queue=action.queue.code if action.queue is not None else None,
            needs_approval=action.needs_approval,
            reason=action.reason,
        )


# --- promises ----------------------------------------------------------------------------------
class PromisedInstalmentIn(InputSchema):
    due_on: dt.date = Field(description="not before today", examples=["2025-03-07"])
    amount: DecimalAmount = Field(
        description="in the account's currency, exact to its minor unit", examples=["1039.43"]
    )

    @field_validator("amount", mode="before")
    @classmethod
    def _amount_is_a_string(cls, value: object) -> object:
        return _string_amount(value)

    def money(self, currency: str) -> Money:
        return Money(Decimal(self.amount), currency)


class PromiseIn(InputSchema):
    """A promise to pay: one or more dated amounts (dates in order, none in the past)."""

    instalments: list[PromisedInstalmentIn] = Field(min_length=1, max_length=24)
    grace_days: int = Field(default=2, ge=0, le=30)
    source: PromiseSource = PromiseSource.API
    note: Line = ""


class PromisedInstalmentOut(Schema):
    due_on: dt.date
    amount: MoneyOut
    paid: MoneyOut
    status: PromiseStatus

    @classmethod
    def of(cls, row: PromiseInstalment, currency: str) -> PromisedInstalmentOut:
        return cls(
            due_on=row.due_on,
            amount=MoneyOut.from_minor(int(row.amount_minor), currency),
            paid=MoneyOut.from_minor(int(row.paid_minor), currency),
            status=PromiseStatus(row.status),
        )


class PromiseOut(Schema):
    id: int
    account_id: int
    case_id: int | None
    status: PromiseStatus
    source: PromiseSource
    total: MoneyOut
    kept: MoneyOut
    grace_days: int
    taken_at: dt.datetime
    taken_by: str | None
    broken_on: dt.date | None
    resolved_on: dt.date | None
    note: str
    instalments: list[PromisedInstalmentOut]

    @classmethod
    def of(cls, promise: Promise) -> PromiseOut:
        currency = promise.currency
        return cls(
            id=promise.pk,
            account_id=promise.account_id,
            case_id=promise.case_id,
            status=PromiseStatus(promise.status),
            source=PromiseSource(promise.source),
            total=MoneyOut.from_minor(int(promise.total_minor), currency),
            kept=MoneyOut.from_minor(int(promise.kept_minor), currency),
            grace_days=promise.grace_days,
            taken_at=promise.taken_at,
            taken_by=promise.taken_by.get_username() if promise.taken_by is not None else None,
            broken_on=promise.broken_on,
            resolved_on=promise.resolved_on,
            note=promise.note,
            instalments=[
                PromisedInstalmentOut.of(i, currency)
                for i in sorted(promise.instalments.all(), key=lambda i: i.due_on)
            ],
        )


# --- outcomes ----------------------------------------------------------------------------------
class OutcomeIn(InputSchema):
    """What came of a call. `permit_id` is the permit `take-next` gave (used at `started_at`);
    `promise` takes a promise to pay in the same request."""

    disposition: Annotated[Text, StringConstraints(min_length=1, max_length=40)] = Field(
        examples=["no_answer"]
    )
    number: Annotated[Text, StringConstraints(min_length=1, max_length=200)] = Field(
        description="the number called, as stored (E.164)", examples=["+8613800138000"]
    )
    started_at: dt.datetime | None = Field(default=None, description="default: now")
    duration_seconds: int | None = Field(default=None, ge=0, le=86_400)
    recording_ref: Annotated[Text, StringConstraints(max_length=300)] = ""
    note: Line = ""
    callback_at: dt.datetime | None = Field(
        default=None, description="for `callback_requested`: when the borrower asked"
    )
    permit_id: uuid.UUID | None = None
    action_id: Id | None = None
    party_role: Role = Role.DEBTOR
    direction: Direction = Direction.OUTBOUND
    promise: list[PromisedInstalmentIn] | None = Field(default=None, min_length=1, max_length=24)
    promise_grace_days: int | None = Field(default=None, ge=0, le=30)


class OutcomeOut(Schema):
    id: int
    case_id: int | None
    attempt_id: int
    disposition: str
    contact_outcome: str = Field(description="what the shared contact history records")
    recorded_at: dt.datetime
    effects: list[str]
    next_step: str = Field(description="what the retry rule decided, in words")
    scheduled: list[CollectionActionOut]
    promise: PromiseOut | None


# --- escalations -------------------------------------------------------------------------------
class EscalationIn(InputSchema):
    kind: EscalationKind
    reason: Line = ""


class EscalationDecisionIn(InputSchema):
    reason: Line = ""
    agency: Annotated[Text, StringConstraints(max_length=40)] | None = Field(
        default=None, description="agency placement: the agency's code, to place the case now"
    )
    recall_on: dt.date | None = Field(default=None, description="agency placement: back by")


class EscalationRejectionIn(InputSchema):
    reason: Reason


class EscalationCheckOut(Schema):
    name: str
    passed: bool
    reason: str
    text_en: str
    text_zh: str
    ready_on: str | None
    cite: dict[str, str]


class EscalationOut(Schema):
    id: int
    case_id: int
    kind: EscalationKind
    status: EscalationStatus
    checks: list[EscalationCheckOut]
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str
    action_id: int | None
    done_at: dt.datetime | None

    @classmethod
    def of(cls, escalation: Escalation) -> EscalationOut:
        return cls(
            id=escalation.pk,
            case_id=escalation.case_id,
            kind=EscalationKind(escalation.kind),
            status=EscalationStatus(escalation.status),
            checks=[EscalationCheckOut(**c) for c in escalation.checks],
            requested_at=escalation.requested_at,
            decided_at=escalation.decided_at,
            decision_reason=escalation.decision_reason,
            action_id=escalation.action_id,
            done_at=escalation.done_at,
        )


class EscalationFilters(Schema):
    status: EscalationStatus = EscalationStatus.REQUESTED


# --- the work queue ----------------------------------------------------------------------------
class QueueItemOut(Schema):
    action: CollectionActionOut
    account_id: int
    account_number: str
    borrower_name: str
    stage: CaseStage
    next_permitted_at: dt.datetime | None = Field(description="when the gate allows the call")
    taken: bool = Field(description="already in your hands")

    @classmethod
    def of(cls, item: QueueItem) -> QueueItemOut:
        action = item.action
        return cls(
            action=CollectionActionOut.of(action),
            account_id=action.account_id,
            account_number=action.account.number,
            borrower_name=action.borrower.full_name,
            stage=CaseStage(action.case.stage),
            next_permitted_at=item.next_permitted_at,
            taken=item.taken,
        )


class WorkQueueOut(Schema):
    now: dt.datetime
    ready: list[QueueItemOut] = Field(description="what the gate allows now, best first")
    later: list[QueueItemOut] = Field(description="what it allows later, with when")
    refused: int = Field(description="left out: only a person can unblock them")

    @classmethod
    def of(cls, view: WorkQueueView) -> WorkQueueOut:
        return cls(
            now=view.now,
            ready=[QueueItemOut.of(i) for i in view.ready],
            later=[QueueItemOut.of(i) for i in view.later],
            refused=view.refused,
        )


class WorkQueueFilters(Schema):
    limit: int = Field(default=20, ge=1, le=100)


class TakenOut(Schema):
    """The next call with its permit, or `taken: false` when nothing may be called now."""

    taken: bool
    action: CollectionActionOut | None = None
    account_number: str | None = None
    permit_id: uuid.UUID | None = None
    permit_valid_until: dt.datetime | None = None


class QueueLoadOut(Schema):
    queue: str | None
    waiting: int
    ready: int
    taken: int
    oldest_due_at: dt.datetime | None


class CollectorLoadOut(Schema):
    collector: str
    open_cases: int
    capacity: int
    calls_in_hand: int


class CollectionLoadOut(Schema):
    queues: list[QueueLoadOut]
    collectors: list[CollectorLoadOut]
    by_status: dict[str, int]

    @classmethod
    def of(cls, load: Load) -> CollectionLoadOut:
        return cls(
            queues=[
                QueueLoadOut(
                    queue=q.queue.code if q.queue is not None else None,
                    waiting=q.waiting,
                    ready=q.ready,
                    taken=q.taken,
                    oldest_due_at=q.oldest_due_at,
                )
                for q in load.queues
            ],
            collectors=[
                CollectorLoadOut(
                    collector=c.collector.user.get_username(),
                    open_cases=c.open_cases,
                    capacity=c.capacity,
                    calls_in_hand=c.calls_in_hand,
                )
                for c in load.collectors
            ],
            by_status=load.by_status,
        )


# --- agencies and dispositions ------------------------------------------------------------------
class PerformanceFilters(Schema):
    start_on: dt.date = Field(description="placements made from this day")
    end_on: dt.date = Field(description="… to this day, inclusive")


class AgencyPerformanceOut(Schema):
    agency: str
    currency: str
    placements: int
    live: int
    placed: MoneyOut
    collected: MoneyOut
    commission: MoneyOut
    liquidation_rate: str = Field(
        description="collected ÷ placed, a decimal string", examples=["0.1250"]
    )

    @classmethod
    def of(cls, row: AgencyPerformance) -> AgencyPerformanceOut:
        return cls(
            agency=row.agency.code,
            currency=row.currency,
            placements=row.placements,
            live=row.live,
            placed=MoneyOut.of(row.placed),
            collected=MoneyOut.of(row.collected),
            commission=MoneyOut.of(row.commission),
            liquidation_rate=str(row.liquidation_rate),
        )


class DispositionOut(Schema):
    code: str
    label_en: str
    label_zh: str
    right_party: bool
    connected: bool
    attempt_outcome: str
    retry_rule: str
    effects: list[str]
    is_standard: bool
