"""The compliance REST API: check a contact, read holds and decisions, set holds and opt-outs.

`POST /compliance/check` takes the same JSON as `arrears compliance check FILE.json` and answers
the same way: allowed, each rule's answer with reasons in English and Chinese and the citation,
and the next permitted time. It writes nothing. Reading needs the agent, supervisor or compliance
role; setting and lifting holds needs supervisor or compliance.
"""

from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from arrears.common.pagination import LimitOffset
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.common.schemas import MAX_ID
from arrears.compliance.models import Hold, OptOut
from arrears.compliance.schemas import (
    CheckIn,
    CheckOut,
    DecisionOut,
    HoldFilters,
    HoldIn,
    HoldOut,
    LiftIn,
    OptOutIn,
    OptOutOut,
)
from arrears.compliance.selectors import account_decisions, account_holds, hold_by_id
from arrears.compliance.services import (
    check_contact,
    lift_hold,
    record_opt_out,
    set_hold,
)
from arrears.core.compliance.wire import decision_document
from arrears.servicing.selectors.listings import account_by_id, borrower_by_id

router = Router(tags=["compliance"])

BorrowerId = Annotated[int, Path(ge=1, le=MAX_ID, description="the borrower's id")]
AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="the account's id")]
HoldId = Annotated[int, Path(ge=1, le=MAX_ID, description="the hold's id")]

READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(400, 401, 403, 404, 409, 422)
VIEW_ACCOUNT = "servicing.view_account"


@router.post("/compliance/check", response={200: CheckOut, **error_responses(400, 401, 403, 422)})
def check(request: HttpRequest, payload: CheckIn) -> dict[str, object]:
    """Would the gate allow this contact? Every rule's answer, with reasons and citations.

    Stateless: the borrower need not exist here, and nothing is stored or permitted.
    """
    require_permissions(request, "compliance.check_contact")
    return decision_document(check_contact(payload.document()))


@router.get("/accounts/{account_id}/holds", response={200: list[HoldOut], **READ})
def get_account_holds(
    request: HttpRequest, account_id: AccountId, filters: Query[HoldFilters]
) -> list[Hold]:
    """Holds covering the account (its own and the borrower's), newest first: those in force
    today, or all with `all=true`."""
    require_permissions(request, VIEW_ACCOUNT, "compliance.view_hold")
    account = account_by_id(account_id)
    return list(account_holds(account, current_on=None if filters.all else timezone.localdate()))


@router.get("/accounts/{account_id}/decisions", response={200: list[DecisionOut], **READ})
@paginate(LimitOffset)
def get_account_decisions(request: HttpRequest, account_id: AccountId) -> object:
    """The gate's latest decisions about contacts on the account, with every rule's reasons."""
    require_permissions(request, VIEW_ACCOUNT, "compliance.view_decision")
    return account_decisions(account_by_id(account_id))


@router.post("/borrowers/{borrower_id}/holds", response={201: HoldOut, **WRITE})
def create_hold(request: HttpRequest, borrower_id: BorrowerId, payload: HoldIn) -> Status[Hold]:
    """Put a hold on the borrower, or on one account (`account_id`). Takes effect at once:
    permits not yet used are voided."""
    require_permissions(request, "compliance.add_hold")
    borrower = borrower_by_id(borrower_id)
    fields = payload.model_dump(exclude={"account_id"})
    fields["breathing_space"] = fields["breathing_space"] or ""
    account = account_by_id(payload.account_id) if payload.account_id is not None else None
    hold = set_hold(borrower=borrower, account=account, set_by=request.user, **fields)
    return Status(201, hold)


@router.post("/holds/{hold_id}/lift", response={200: HoldOut, **WRITE})
def lift(request: HttpRequest, hold_id: HoldId, payload: LiftIn) -> Hold:
    """Lift a hold from now on; a hold already lifted is 409."""
    require_permissions(request, "compliance.change_hold")
    return lift_hold(hold=hold_by_id(hold_id), reason=payload.reason, lifted_by=request.user)


@router.post("/borrowers/{borrower_id}/opt-outs", response={201: OptOutOut, **WRITE})
def create_opt_out(
    request: HttpRequest, borrower_id: BorrowerId, payload: OptOutIn
) -> Status[OptOut]:
    """Record a STOP / 退订 / unsubscribe for a channel (one address, or all when empty)."""
    require_permissions(request, "compliance.add_optout")
    borrower = borrower_by_id(borrower_id)
    opt_out = record_opt_out(borrower=borrower, recorded_by=request.user, **payload.model_dump())
    return Status(201, opt_out)
