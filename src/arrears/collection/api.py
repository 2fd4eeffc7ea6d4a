"""The collection REST API: cases, call outcomes, promises to pay, escalations, the work queue.

Handlers parse, check the caller's permission, call one service or selector, and render. Bad
input is a 422 problem detail naming the field, and writes nothing. Collectors (and agents)
record outcomes, take promises, ask to escalate and work their queue; supervisors also decide
escalations and see the load and the agencies' performance.
"""

from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status
from ninja.pagination import paginate

from arrears.collection.models import Agency, CollectionAction
from arrears.collection.schemas import (
    AgencyPerformanceOut,
    CollectionActionOut,
    CollectionCaseDetailOut,
    CollectionCaseOut,
    CollectionLoadOut,
    DispositionOut,
    EscalationDecisionIn,
    EscalationFilters,
    EscalationIn,
    EscalationOut,
    EscalationRejectionIn,
    OutcomeIn,
    OutcomeOut,
    PerformanceFilters,
    PromisedInstalmentIn,
    PromiseIn,
    PromiseOut,
    TakenOut,
    WorkQueueFilters,
    WorkQueueOut,
)
from arrears.collection.selectors import (
    active_dispositions,
    agency_performance,
    case_by_id,
    cases_of_account,
    escalation_by_id,
    escalations_with_status,
    promises_of_account,
    queue_load,
    work_queue,
)
from arrears.collection.services import (
    PromisedPayment,
    approve_escalation,
    record_call_outcome,
    reject_escalation,
    request_escalation,
    take_next_action,
    take_promise,
)
from arrears.common.pagination import LimitOffset
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.common.schemas import MAX_ID
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.servicing.selectors.listings import account_by_id

router = Router(tags=["collection"])

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="the account's id")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="the case's id")]
EscalationId = Annotated[int, Path(ge=1, le=MAX_ID, description="the escalation's id")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=120,
        pattern=r"^[\x21-\x7e]+$",
        description="a unique key per promise; sending it again takes nothing new",
    ),
]

READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(400, 401, 403, 404, 409, 422)
VIEW_ACCOUNT = "servicing.view_account"
SUPERVISE = "collection.approve_escalation"


# --- cases --------------------------------------------------------------------------------------
@router.get("/accounts/{account_id}/cases", response={200: list[CollectionCaseOut], **READ})
def get_account_cases(request: HttpRequest, account_id: AccountId) -> list[CollectionCaseOut]:
    """The account's collection cases (案件), the open one first."""
    require_permissions(request, VIEW_ACCOUNT, "collection.view_case")
    return [CollectionCaseOut.of(c) for c in cases_of_account(account_by_id(account_id))]


@router.get("/cases/{case_id}", response={200: CollectionCaseDetailOut, **READ})
def get_case(request: HttpRequest, case_id: CaseId) -> CollectionCaseDetailOut:
    """A case with its history: every change, with why."""
    require_permissions(request, "collection.view_case", "collection.view_caseevent")
    return CollectionCaseDetailOut.detail(case_by_id(case_id))


# --- outcomes -----------------------------------------------------------------------------------
@router.post("/accounts/{account_id}/outcomes", response={201: OutcomeOut, **WRITE})
def create_outcome(
    request: HttpRequest, account_id: AccountId, payload: OutcomeIn
) -> Status[OutcomeOut]:
    """Record what came of a call (its disposition), on the account's open case: the attempt
    joins the shared contact history and the disposition drives what happens next (a retry, the
    SMS fallback, a callback, a dispute hold, a pause …)."""
    require_permissions(request, "collection.add_contactoutcome")
    account = account_by_id(account_id)
    action = _action_of(payload.action_id, account.pk) if payload.action_id else None
    promise = [
        PromisedPayment(i.due_on, _money(i, account.currency, n))
        for n, i in enumerate(payload.promise or [])
    ]
    done = record_call_outcome(
        account=account,
        case=action.case if action is not None else None,
        action=action,
        disposition=payload.disposition,
        number=payload.number,
        started_at=payload.started_at,
        duration_seconds=payload.duration_seconds,
        agent=request.user,
        recording_ref=payload.recording_ref,
        note=payload.note,
        callback_at=payload.callback_at,
        permit=str(payload.permit_id) if payload.permit_id else None,
        party_role=payload.party_role,
        direction=payload.direction,
        promise=promise or None,
        promise_grace_days=payload.promise_grace_days,
    )
    body = OutcomeOut(
        id=done.outcome.pk,
        case_id=done.case.pk if done.case is not None else None,
        attempt_id=done.attempt.pk,
        disposition=done.outcome.disposition.code,
        contact_outcome=done.attempt.outcome,
        recorded_at=done.outcome.recorded_at,
        effects=done.effects,
        next_step=done.next_step,
        scheduled=[CollectionActionOut.of(a) for a in done.scheduled],
        promise=PromiseOut.of(done.promise) if done.promise is not None else None,
    )
    return Status(201, body)


def _action_of(action_id: int, account_id: int) -> CollectionAction:
    action = (
        CollectionAction.objects.select_related("case")
        .filter(pk=action_id, account_id=account_id)
        .first()
    )
    if action is None:
        raise ValidationError("action_id", _("is not an action of this account"))
    return action


def _money(
    instalment: PromisedInstalmentIn, currency: str, index: int, field: str = "promise"
) -> Money:
    """The amount in the account's currency; too many decimals names the instalment."""
    try:
        return instalment.money(currency)
    except ValidationError as error:
        raise ValidationError(f"{field}[{index}].amount", error.reason) from None


# --- promises -----------------------------------------------------------------------------------
@router.post(
    "/accounts/{account_id}/promises", response={200: PromiseOut, 201: PromiseOut, **WRITE}
)
def create_promise(
    request: HttpRequest,
    account_id: AccountId,
    payload: PromiseIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[PromiseOut]:
    """Take a promise to pay (承诺还款): the treatment waits until the last payment's grace
    ends. 201 when taken; 200 with the same body when the same `Idempotency-Key` is sent again;
    409 when the key was used for another promise."""
    require_permissions(request, "collection.add_promise")
    account = account_by_id(account_id)
    instalments = [
        PromisedPayment(i.due_on, _money(i, account.currency, n, "instalments"))
        for n, i in enumerate(payload.instalments)
    ]
    promise, created = take_promise(
        account=account,
        instalments=instalments,
        source=payload.source,
        agent=request.user,
        grace_days=payload.grace_days,
        idempotency_key=idempotency_key,
        note=payload.note,
    )
    return Status(201 if created else 200, PromiseOut.of(promise))


@router.get("/accounts/{account_id}/promises", response={200: list[PromiseOut], **READ})
@paginate(LimitOffset)
def get_account_promises(request: HttpRequest, account_id: AccountId) -> list[PromiseOut]:
    """The account's promises to pay, newest first, with each instalment's status."""
    require_permissions(request, VIEW_ACCOUNT, "collection.view_promise")
    return [PromiseOut.of(p) for p in promises_of_account(account_by_id(account_id))]


# --- escalations --------------------------------------------------------------------------------
@router.post("/cases/{case_id}/escalations", response={201: EscalationOut, **WRITE})
def create_escalation(
    request: HttpRequest, case_id: CaseId, payload: EscalationIn
) -> Status[EscalationOut]:
    """Ask to escalate a case (warning letter, lawyer's letter, legal review, agency). The
    preconditions are checked and returned; a step needing approval waits for a supervisor."""
    require_permissions(request, "collection.add_escalation")
    escalation = request_escalation(
        case=case_by_id(case_id), kind=payload.kind, by=request.user, reason=payload.reason
    )
    return Status(201, EscalationOut.of(escalation))


@router.get("/escalations", response={200: list[EscalationOut], **READ})
@paginate(LimitOffset)
def list_escalations(
    request: HttpRequest, filters: Query[EscalationFilters]
) -> list[EscalationOut]:
    """Escalations by status (default: those waiting for a supervisor), oldest first."""
    require_permissions(request, "collection.view_escalation")
    return [EscalationOut.of(e) for e in escalations_with_status(filters.status)]


@router.post("/escalations/{escalation_id}/approve", response={200: EscalationOut, **WRITE})
def approve(
    request: HttpRequest, escalation_id: EscalationId, payload: EscalationDecisionIn
) -> EscalationOut:
    """A supervisor approves: the preconditions are checked again (409 if they no longer
    hold), then the step is carried out."""
    require_permissions(request, SUPERVISE)
    agency = None
    if payload.agency:
        agency = Agency.objects.filter(code=payload.agency, is_active=True).first()
        if agency is None:
            raise ValidationError("agency", _("is not an active agency's code"))
    escalation = approve_escalation(
        escalation=escalation_by_id(escalation_id),
        by=request.user,
        reason=payload.reason,
        agency=agency,
        recall_on=payload.recall_on,
    )
    return EscalationOut.of(escalation)


@router.post("/escalations/{escalation_id}/reject", response={200: EscalationOut, **WRITE})
def reject(
    request: HttpRequest, escalation_id: EscalationId, payload: EscalationRejectionIn
) -> EscalationOut:
    """A supervisor says no, and why."""
    require_permissions(request, SUPERVISE)
    escalation = reject_escalation(
        escalation=escalation_by_id(escalation_id), by=request.user, reason=payload.reason
    )
    return EscalationOut.of(escalation)


# --- the work queue -----------------------------------------------------------------------------
@router.get("/collection/queue", response={200: WorkQueueOut, **READ})
def get_my_queue(request: HttpRequest, filters: Query[WorkQueueFilters]) -> WorkQueueOut:
    """Your work queue now: the calls the compliance gate allows, by the value of a call now;
    those it allows later, with when."""
    require_permissions(request, "collection.work_queue")
    return WorkQueueOut.of(work_queue(request.user, now=timezone.now(), limit=filters.limit))


@router.post("/collection/queue/take-next", response={200: TakenOut, **WRITE})
def take_next(request: HttpRequest) -> TakenOut:
    """Take your next call: it is locked for you and the gate gives a permit to make it now
    (send the permit's id with the outcome). `taken: false` when nothing may be called now."""
    require_permissions(request, "collection.work_queue")
    taken = take_next_action(agent=request.user)
    if taken is None:
        return TakenOut(taken=False)
    return TakenOut(
        taken=True,
        action=CollectionActionOut.of(taken.action),
        account_number=taken.action.account.number,
        permit_id=taken.permit.pk,
        permit_valid_until=taken.permit.valid_until,
    )


@router.get("/collection/load", response={200: CollectionLoadOut, **READ})
def get_load(request: HttpRequest) -> CollectionLoadOut:
    """For supervisors: calls waiting per queue and per collector, and the oldest."""
    require_permissions(request, SUPERVISE)
    return CollectionLoadOut.of(queue_load(now=timezone.now()))


@router.get("/collection/agency-performance", response={200: list[AgencyPerformanceOut], **READ})
def get_agency_performance(
    request: HttpRequest, filters: Query[PerformanceFilters]
) -> list[AgencyPerformanceOut]:
    """What each agency was placed and collected (placements made in the period), comparable:
    the liquidation rate and the commission, best rate first."""
    require_permissions(request, SUPERVISE)
    rows = agency_performance(start_on=filters.start_on, end_on=filters.end_on)
    return [AgencyPerformanceOut.of(r) for r in rows]


@router.get("/collection/dispositions", response={200: list[DispositionOut], **READ})
def list_dispositions(request: HttpRequest) -> list[DispositionOut]:
    """The call results a collector may record, in order, in English and Chinese."""
    require_permissions(request, "collection.view_disposition")
    return [
        DispositionOut(
            code=d.code,
            label_en=d.label_en,
            label_zh=d.label_zh,
            right_party=d.right_party,
            connected=d.connected,
            attempt_outcome=d.attempt_outcome,
            retry_rule=d.retry_rule,
            effects=list(d.effects or []),
            is_standard=d.is_standard,
        )
        for d in active_dispositions()
    ]
