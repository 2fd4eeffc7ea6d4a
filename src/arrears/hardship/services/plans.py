"""A plan's life: proposed → accepted → active → completed or broken (or cancelled).

Each use case is one atomic function that writes the plan's history (`PlanEvent`) with it. The
borrower pays through servicing (`post_payment`) as for any payment, and the nightly review
(`services.review`) matches those payments to the plan's instalments; the plan's terms (its
interest, waived fees, a settlement's discount) reach the ledger through servicing's services
(`services.ledger_terms`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.hardship import wire
from arrears.hardship.choices import (
    LIVE_STATUSES,
    AcceptedVia,
    PlanEventKind,
    PlanStatus,
)
from arrears.hardship.models import Assessment, Plan, PlanEvent, PlanInstalment
from arrears.hardship.rules import plan_rules
from arrears.hardship.services.ledger_terms import (
    apply_plan_terms,
    check_start_before_next_charge,
    check_still_as_priced,
    end_plan_terms,
)
from arrears.hardship.services.options import plan_option, price_options
from arrears.hardship.terms import TERMS_LANGUAGES, terms_digest, terms_text
from arrears.servicing.choices import AccountStatus, ProductKind
from arrears.servicing.models import Account
from arrears.servicing.services.ageing import age_account

#: How many days after pricing a proposal may still be accepted (the figures get stale).
ACCEPT_WITHIN_DAYS = 30


def _today(clock: Clock) -> dt.date:
    return timezone.localdate(clock.now())


def record_event(
    plan: Plan,
    kind: PlanEventKind,
    *,
    on: dt.date,
    clock: Clock,
    by: Any = None,
    instalment_number: int | None = None,
    **detail: Any,
) -> PlanEvent:
    """Add a line to the plan's history."""
    return PlanEvent.objects.create(
        plan=plan,
        kind=kind,
        happened_on=on,
        recorded_at=clock.now(),
        by=by if getattr(by, "pk", None) else None,
        instalment_number=instalment_number,
        detail=wire.jsonable(detail),
    )


@transaction.atomic
def propose_plan(
    *,
    account: Account,
    assessment: Assessment,
    option_id: str,
    as_of: dt.date | None = None,
    proposed_by: Any = None,
    clock: Clock | None = None,
) -> Plan:
    """Price the options again and propose the chosen one, with its terms written out.

    The option is named by its id (as `price_options` returned it). One that does not fit the
    borrower's affordability is refused; so is a proposal while the account has a plan in force.
    """
    clock = clock or SystemClock()
    as_of = as_of or _today(clock)
    if assessment.borrower_id != account.borrower_id:
        raise ValidationError("assessment", _("was taken for another borrower"))
    if Plan.objects.filter(account=account, status__in=LIVE_STATUSES).exists():
        raise Conflict(_("the account already has a plan in force"))
    priced = price_options(account=account, assessment=assessment, as_of=as_of)
    option = plan_option(priced, option_id)
    recommended = priced.recommended is not None and priced.recommended.id == option.id
    document = wire.option_document(option, recommended=recommended)
    schedule = document.pop("schedule")
    if account.kind != ProductKind.CARD:
        document.pop("waive_annual_fee", None)  # a loan has no annual fee: nothing to say
    rules = plan_rules(priced.position.jurisdiction)
    re_age_after = option.re_age_after_payments
    texts = {
        language: terms_text(
            document,
            schedule,
            language=language,
            grace_days=rules.grace_days,
            re_age_after=re_age_after,
        )
        for language in TERMS_LANGUAGES
    }
    plan = Plan.objects.create(
        account=account,
        assessment=assessment,
        option_id=option.id,
        kind=str(option.kind),
        currency=account.currency,
        priced_on=as_of,
        terms=document,
        schedule=schedule,
        recommended=recommended,
        reasons=wire.recommendation_document(priced.offer.recommendation)["reasons"],
        terms_text_en=texts["en"],
        terms_text_zh=texts["zh-hans"],
        terms_digest=terms_digest(document, schedule),
        total_payment_minor=option.total_payment.minor,
        grace_days=rules.grace_days,
        re_age_after=re_age_after,
        ageing=rules.ageing,
        proposed_at=clock.now(),
        proposed_by=proposed_by if getattr(proposed_by, "pk", None) else None,
    )
    record_event(
        plan, PlanEventKind.PROPOSED, on=as_of, clock=clock, by=proposed_by, option=option.id
    )
    return plan


@transaction.atomic
def accept_plan(
    *,
    plan: Plan,
    via: AcceptedVia | str,
    language: str,
    accepted_by: Any = None,
    terms_digest: str | None = None,
    starts_on: dt.date | None = None,
    on: dt.date | None = None,
    clock: Clock | None = None,
) -> Plan:
    """Record the borrower's agreement: through which channel, with whom, on the words shown.

    `language` is the language of the terms the borrower read (their text is kept with the
    acceptance); `terms_digest`, when given, must be the digest of the terms shown, so a
    borrower never agrees to terms that changed since. The plan becomes active at once when it
    starts today (or earlier), else on `starts_on` (the nightly review activates it).
    """
    clock = clock or SystemClock()
    on = on or _today(clock)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.PROPOSED:
        raise Conflict(
            _("the plan is %(status)s: only a proposed plan can be accepted")
            % {"status": plan.get_status_display()}
        )
    if via not in AcceptedVia.values:
        raise ValidationError(
            "via", _("must be one of %(names)s") % {"names": ", ".join(AcceptedVia.values)}
        )
    language = "zh-hans" if language.lower().startswith("zh") else language.lower()
    if language not in TERMS_LANGUAGES:
        raise ValidationError("language", _("must be en or zh-hans"))
    if terms_digest is not None and terms_digest != plan.terms_digest:
        raise Conflict(_("the terms changed since they were shown: show them again"))
    starts_on = starts_on or on
    _check_start(plan, on=on, starts_on=starts_on)
    check_still_as_priced(plan, plan.account)
    check_start_before_next_charge(plan, plan.account, starts_on)
    if Plan.objects.filter(account_id=plan.account_id, status__in=LIVE_STATUSES).exists():
        raise Conflict(_("the account already has a plan in force"))
    plan.status = PlanStatus.ACCEPTED
    plan.accepted_at = clock.now()
    plan.accepted_by = accepted_by if getattr(accepted_by, "pk", None) else None
    plan.accepted_via = via
    plan.terms_language = language
    plan.terms_shown = plan.terms_text_zh if language == "zh-hans" else plan.terms_text_en
    plan.starts_on = starts_on
    plan.save()
    record_event(
        plan,
        PlanEventKind.ACCEPTED,
        on=on,
        clock=clock,
        by=accepted_by,
        via=via,
        language=language,
        terms_digest=plan.terms_digest,
        starts_on=starts_on,
    )
    if starts_on <= on:
        return activate_plan(plan=plan, on=on, clock=clock)
    return plan


def _check_start(plan: Plan, *, on: dt.date, starts_on: dt.date) -> None:
    first_due = dt.date.fromisoformat(plan.schedule[0]["due_on"])
    if on < plan.priced_on:
        raise ValidationError("on", _("is before the plan was priced"))
    if (on - plan.priced_on).days > ACCEPT_WITHIN_DAYS or on >= first_due:
        raise Conflict(
            _("the plan was priced on %(priced)s and its figures are out of date: price it again")
            % {"priced": plan.priced_on}
        )
    if starts_on < plan.priced_on or starts_on >= first_due:
        raise ValidationError(
            "starts_on",
            _("must be from %(priced)s and before the first instalment on %(first)s")
            % {"priced": plan.priced_on, "first": first_due},
        )


@transaction.atomic
def activate_plan(*, plan: Plan, on: dt.date, clock: Clock | None = None) -> Plan:
    """Put an accepted plan in force: write its instalments and put its terms on the ledger
    (`ledger_terms.apply_plan_terms`: the contract's interest stops after the pricing date, the
    plan's own is scheduled as priced, fees it forgives are waived); from now on its due dates
    drive the account's ageing (as the jurisdiction allows) and collection's treatment is
    paused (collection reads `selectors.active_plan_for`)."""
    clock = clock or SystemClock()
    plan = Plan.objects.select_for_update().select_related("account").get(pk=plan.pk)
    if plan.status != PlanStatus.ACCEPTED:
        raise Conflict(
            _("the plan is %(status)s: only an accepted plan can be activated")
            % {"status": plan.get_status_display()}
        )
    if plan.starts_on is not None and on < plan.starts_on:
        raise ValidationError(
            "on", _("is before the plan starts on %(day)s") % {"day": plan.starts_on}
        )
    if plan.account.status != AccountStatus.OPEN:
        raise Conflict(_("the account is no longer open"))
    PlanInstalment.objects.bulk_create(
        PlanInstalment(
            plan=plan,
            number=row["number"],
            due_on=dt.date.fromisoformat(row["due_on"]),
            phase=row["phase"],
            amount_minor=_minor(row["payment"], plan.currency),
            principal_minor=_minor(row["principal"], plan.currency),
            interest_minor=_minor(row["interest"], plan.currency),
            fee_minor=_minor(row["fees"], plan.currency),
            re_ages=bool(row.get("re_ages")),
        )
        for row in plan.schedule
    )
    ledger = apply_plan_terms(plan, on=on, clock=clock)
    plan.status = PlanStatus.ACTIVE
    plan.activated_on = on
    plan.save(update_fields=["status", "activated_on"])
    record_event(plan, PlanEventKind.ACTIVATED, on=on, clock=clock, **ledger)
    return plan


def _minor(amount: str, currency: str) -> int:
    return Money(Decimal(amount), currency).minor


@transaction.atomic
def cancel_plan(
    *,
    plan: Plan,
    reason: str,
    by: Any = None,
    on: dt.date | None = None,
    clock: Clock | None = None,
) -> Plan:
    """Withdraw a proposal, or end a plan at the borrower's or lender's request.

    An active plan that is cancelled stops driving the account's ageing at once: the account
    is aged again on its contract, with the history kept, and its contract's interest is
    charged again from the next day (`ledger_terms.end_plan_terms`).
    """
    clock = clock or SystemClock()
    on = on or _today(clock)
    reason = reason.strip()
    if not reason:
        raise ValidationError("reason", _("say why the plan is cancelled"))
    plan = Plan.objects.select_for_update().select_related("account").get(pk=plan.pk)
    if plan.status not in (PlanStatus.PROPOSED, PlanStatus.ACCEPTED, PlanStatus.ACTIVE):
        raise Conflict(
            _("the plan is %(status)s and cannot be cancelled")
            % {"status": plan.get_status_display()}
        )
    was_active = plan.status == PlanStatus.ACTIVE
    plan.status = PlanStatus.CANCELLED
    plan.cancelled_on = on
    plan.end_reason = reason[:300]
    plan.save(update_fields=["status", "cancelled_on", "end_reason"])
    ledger = end_plan_terms(plan, on=on, reason=reason, clock=clock) if was_active else {}
    record_event(plan, PlanEventKind.CANCELLED, on=on, clock=clock, by=by, reason=reason, **ledger)
    if was_active:
        age_account(account=plan.account, as_of=max(on, plan.account.aged_on or on), clock=clock)
    return plan
