"""Agency placement (委外催收): placing a case with an agency, recalling it, what it collected.

`place_with_agency` records the balance placed (what the account owes that day), the agency's
commission and the recall date, after checking the agency's caps with
`core.collection.assignment`: the most cases it may hold at once, and the most of all the
balance placed with agencies it may hold. The case then belongs to the agency (stage `agency`);
its calls still waiting in the lender's queues are cancelled.

What a placement collected is the payments posted on the account from the day it was placed to
the day it ended (reversed payments excluded). `review_placements(on)` — nightly — refreshes
that figure for every live placement (idempotent: it is recomputed, not added to) and recalls
the placements whose recall date has come. `recall_placement` ends one early: the case comes
back to the lender's queues at the stage its days past due say.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from arrears.collection.choices import (
    ActionKind,
    ActionStatus,
    CaseEventKind,
    CaseStage,
    EscalationKind,
    EscalationStatus,
    OwnerKind,
    PlacementStatus,
)
from arrears.collection.models import Agency, Case, CollectionAction, Escalation, Placement
from arrears.collection.services._support import (
    business_date,
    locked,
    now_of,
    reason_text,
    record_event,
    require_open,
    touch,
)
from arrears.collection.services.cases import (
    assign_case,
    cancel_pending_actions,
    move_case_stage,
    owner_of,
    stage_of,
)
from arrears.collection.services.scheduling import route_queue
from arrears.core.clock import Clock
from arrears.core.collection import assignment
from arrears.core.collection.labels import describe
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import PaymentStatus
from arrears.servicing.models import Payment
from arrears.servicing.selectors import balances

BASIS_POINTS = 10_000
#: The longest a placement may run before its recall date (days).
MAX_PLACEMENT_DAYS = 730


def check_agency_caps(agency: Agency, case: Case, placed: Money) -> None:
    """Refuse the placement (`ValidationError` on `agency`) if it would break a cap.

    Every live placement with an agency is dealt again with `assign_cases`, each sticking to
    its agency, with the new case sticking to this one: the placement is allowed when every
    case of this agency — the new one too — stays with it."""
    live = list(
        Placement.objects.filter(status=PlacementStatus.PLACED, currency=placed.currency)
        .exclude(case=case)
        .values_list("case_id", "agency__code", "placed_minor")
    )
    cases = [
        assignment.CaseToAssign(
            case_id=str(case_id),
            balance=Money.from_minor(int(minor), placed.currency),
            current_owner=code,
        )
        for case_id, code, minor in live
    ]
    cases.append(
        assignment.CaseToAssign(case_id=str(case.pk), balance=placed, current_owner=agency.code)
    )
    share = agency.max_balance_share_bp
    owner = assignment.Owner(
        owner_id=agency.code,
        kind=assignment.OwnerKind.AGENCY,
        max_open_cases=agency.max_cases,
        max_balance_share=None if share is None else _fraction(share),
    )
    result = assignment.assign_cases(cases, [owner], currency=placed.currency)
    own = {c.case_id for c in cases if c.current_owner == agency.code}
    kept = {a.case_id for a in result.assignments if a.reason == "assignment.kept"}
    if own <= kept:
        return
    refused = next((u for u in result.unassigned if u.case_id in own), None)
    why = (
        describe(refused.reason, refused.params, "en")
        if refused is not None
        else _("its cap would be exceeded")
    )
    raise ValidationError(
        "agency",
        _("%(agency)s cannot take this case: %(why)s") % {"agency": agency.code, "why": why},
    )


def _fraction(bp: int) -> Any:
    from decimal import Decimal

    return Decimal(bp) / BASIS_POINTS


@transaction.atomic
def place_with_agency(
    *,
    case: Case,
    agency: Agency,
    recall_on: dt.date,
    by: Any = None,
    reason: str = "",
    clock: Clock | None = None,
) -> Placement:
    """Place the case with the agency until `recall_on`, within the agency's caps."""
    now = now_of(clock)
    today = business_date(now)
    reason = reason_text("reason", reason, required=False) or _("placed with %(agency)s") % {
        "agency": agency.code
    }
    if not agency.is_active:
        raise ValidationError("agency", _("the agency is not active"))
    if recall_on <= today:
        raise ValidationError("recall_on", _("must be after today"))
    if recall_on > today + dt.timedelta(days=MAX_PLACEMENT_DAYS):
        raise ValidationError(
            "recall_on", _("must be within %(n)d days") % {"n": MAX_PLACEMENT_DAYS}
        )
    case = locked(case)
    require_open(case)
    placed = balances(case.account).total
    if placed.minor <= 0:
        raise ValidationError("case", _("the account owes nothing to place"))
    check_agency_caps(agency, case, placed)
    try:
        with transaction.atomic():
            placement = Placement.objects.create(
                case=case,
                agency=agency,
                placed_on=today,
                currency=placed.currency,
                placed_minor=placed.minor,
                commission_bp=agency.commission_bp,
                recall_on=recall_on,
            )
    except IntegrityError:
        raise Conflict(_("The case is already placed with an agency.")) from None
    cancel_pending_actions(case, now=now, why=_("placed with an agency"), kinds=(ActionKind.CALL,))
    assign_case(case=case, on=today, reason=reason, agency=agency, by=by, clock=clock)
    move_case_stage(case=case, stage=CaseStage.AGENCY, on=today, reason=reason, by=by, clock=clock)
    approved = Escalation.objects.filter(
        case=case, kind=EscalationKind.AGENCY_PLACEMENT, status=EscalationStatus.APPROVED
    )
    CollectionAction.objects.filter(
        pk__in=[e.action_id for e in approved if e.action_id is not None]
    ).update(status=ActionStatus.DONE, done_at=now)
    approved.update(status=EscalationStatus.DONE, done_at=now)
    return placement


def collected_minor(placement: Placement, *, through: dt.date) -> int:
    """The payments posted on the account while it was placed (up to `through`)."""
    end = min(through, placement.ended_on) if placement.ended_on else through
    found = Payment.objects.filter(
        account_id=placement.case.account_id,
        status=PaymentStatus.POSTED,
        currency=placement.currency,
        received_on__gte=placement.placed_on,
        received_on__lte=end,
    ).aggregate(total=Sum("amount_minor"))["total"]
    return int(found or 0)


@transaction.atomic
def recall_placement(
    *,
    placement: Placement,
    on: dt.date,
    reason: str,
    by: Any = None,
    status: str = PlacementStatus.RECALLED,
    clock: Clock | None = None,
) -> Placement:
    """End the placement on `on`: the case comes back to the lender's queues."""
    now = now_of(clock)
    reason = reason_text("reason", reason)
    if status not in (PlacementStatus.RECALLED, PlacementStatus.RETURNED, PlacementStatus.CLOSED):
        raise ValidationError("status", _("must be recalled, returned or closed"))
    placement = Placement.objects.select_for_update().select_related("case").get(pk=placement.pk)
    if placement.status != PlacementStatus.PLACED:
        raise Conflict(_("The placement already ended on %(on)s.") % {"on": placement.ended_on})
    if on < placement.placed_on:
        raise ValidationError("on", _("is before the case was placed"))
    placement.status = status
    placement.ended_on = on
    placement.end_reason = reason[:300]
    placement.collected_minor = collected_minor(placement, through=on)
    placement.save(update_fields=["status", "ended_on", "end_reason", "collected_minor"])
    case = locked(placement.case)
    if case.status == "open":
        _back_from_agency(case, on=on, now=now, reason=reason, by=by, clock=clock)
    return placement


def _back_from_agency(
    case: Case, *, on: dt.date, now: dt.datetime, reason: str, by: Any, clock: Clock | None
) -> None:
    before = owner_of(case)
    case.owner_kind, case.agency, case.agent = OwnerKind.QUEUE, None, None
    case.queue = None
    stage = stage_of(case.account)
    case.stage, old_stage = stage, case.stage
    case.queue = route_queue(case)
    touch(case, now, "owner_kind", "agency", "agent", "queue", "stage")
    record_event(
        case,
        kind=CaseEventKind.OWNER,
        on=on,
        at=now,
        by=by,
        reason=reason,
        detail={"from": before, "to": owner_of(case)},
    )
    if old_stage != stage:
        record_event(
            case,
            kind=CaseEventKind.STAGE,
            on=on,
            at=now,
            by=by,
            reason=reason,
            detail={"from": old_stage, "to": stage},
        )


def review_placements(*, on: dt.date, clock: Clock | None = None) -> dict[str, int]:
    """Nightly: refresh what each live placement collected; recall those due back."""
    counts: Counter[str] = Counter()
    live = Placement.objects.filter(status=PlacementStatus.PLACED).select_related("case")
    for placement in live:
        with transaction.atomic():
            collected = collected_minor(placement, through=on)
            if collected != placement.collected_minor:
                Placement.objects.filter(pk=placement.pk).update(collected_minor=collected)
                counts["collected_updated"] += 1
            if placement.recall_on <= on:
                recall_placement(
                    placement=placement,
                    on=placement.recall_on,
                    reason=_("the recall date was reached"),
                    clock=clock,
                )
                counts["recalled"] += 1
    return dict(counts)
