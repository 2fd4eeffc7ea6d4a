"""What people and channels tell the gate: holds, opt-outs, consents, preferences, attempts.

Each takes effect at once: an opt-out, a hold or a revoked consent also voids the borrower's
permits not yet used, so a message already allowed does not go out after a STOP. Nothing is
deleted: a hold is lifted, a consent revoked, an opt-out withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.compliance.choices import (
    AttemptOutcome,
    BreathingSpaceKind,
    Channel,
    Direction,
    HoldKind,
    Purpose,
    Role,
)
from arrears.compliance.models import (
    AutomatedConsent,
    ContactAttempt,
    ContactPreference,
    Hold,
    OptOut,
    Permit,
)
from arrears.compliance.services.permits import void_permits
from arrears.compliance.services.requests import check_account_of, gate_hold
from arrears.core.clock import Clock, SystemClock
from arrears.core.compliance import is_opt_out_reply
from arrears.core.compliance.wire import EARLIEST_YEAR, LATEST_YEAR, time_range
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.models import Account, Borrower

SYSTEM = "system"
_AUTOMATED_CHANNELS = (Channel.CALL, Channel.SMS)


def _name(user: Any) -> str:
    return user.get_username() if user is not None else SYSTEM


def _one_of(field: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        raise ValidationError(
            field, _("must be one of %(values)s") % {"values": ", ".join(choices.values)}
        )
    return value


def _line(field: str, value: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(field, _("is required"))
    if len(value) > max_length:
        raise ValidationError(field, _("must be at most %(n)d characters") % {"n": max_length})
    return value


def _plausible(field: str, day: dt.date | None) -> None:
    if day is not None and not 1900 <= day.year < LATEST_YEAR:
        raise ValidationError(
            field, _("must lie between 1900 and %(year)d") % {"year": LATEST_YEAR}
        )


def _instant(field: str, at: dt.datetime, now: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(field, _("must carry its UTC offset"))
    if not EARLIEST_YEAR <= at.year < LATEST_YEAR:
        raise ValidationError(
            field, _("must lie between %(a)d and %(b)d") % {"a": EARLIEST_YEAR, "b": LATEST_YEAR}
        )
    if at > now:
        raise ValidationError(field, _("is in the future: record what has happened"))
    return at


# --- holds --------------------------------------------------------------------------------------


def check_hold(
    *,
    borrower: Borrower,
    kind: str,
    start_on: dt.date,
    reason: str,
    account: Account | None = None,
    end_on: dt.date | None = None,
    review_on: dt.date | None = None,
    set_by: Any = None,
    petition_on: dt.date | None = None,
    chapter: int | None = None,
    prior_dismissals_12m: int = 0,
    discharged_on: dt.date | None = None,
    breathing_space: str = "",
    now: dt.datetime,
) -> Hold:
    """The hold as it would be stored, checked (errors name the field); nothing is written."""
    check_account_of(borrower, account)
    _one_of("kind", kind, HoldKind)
    if breathing_space:
        _one_of("breathing_space", breathing_space, BreathingSpaceKind)
    for field, day in (
        ("start_on", start_on),
        ("end_on", end_on),
        ("review_on", review_on),
        ("petition_on", petition_on),
        ("discharged_on", discharged_on),
    ):
        _plausible(field, day)
    standard_breathing_space = (
        kind == HoldKind.BREATHING_SPACE and breathing_space == BreathingSpaceKind.STANDARD
    )
    if end_on is None and review_on is None and not standard_breathing_space:
        raise ValidationError(
            "review_on", _("give the day the hold ends, or the day a person reviews it")
        )
    if review_on is not None and review_on < start_on:
        raise ValidationError("review_on", _("is before start_on"))
    if chapter is not None and not 1 <= chapter <= 15:
        raise ValidationError("chapter", _("must be a bankruptcy chapter, e.g. 7 or 13"))
    if not 0 <= prior_dismissals_12m <= 100:
        raise ValidationError("prior_dismissals_12m", _("must be between 0 and 100"))
    hold = Hold(
        borrower=borrower,
        account=account,
        kind=kind,
        start_on=start_on,
        end_on=end_on,
        review_on=review_on,
        reason=_line("reason", reason, max_length=500),
        petition_on=petition_on,
        chapter=chapter,
        prior_dismissals_12m=prior_dismissals_12m,
        discharged_on=discharged_on,
        breathing_space=breathing_space,
        set_by=set_by,
        set_by_name=_name(set_by),
        set_at=now,
    )
    gate_hold(hold)  # the core's own checks: end after start, breathing-space kind
    return hold


@transaction.atomic
def set_hold(
    *,
    borrower: Borrower,
    kind: str,
    start_on: dt.date,
    reason: str,
    account: Account | None = None,
    end_on: dt.date | None = None,
    review_on: dt.date | None = None,
    set_by: Any = None,
    petition_on: dt.date | None = None,
    chapter: int | None = None,
    prior_dismissals_12m: int = 0,
    discharged_on: dt.date | None = None,
    breathing_space: str = "",
    clock: Clock | None = None,
) -> Hold:
    """Put a hold on a borrower (or one account): from `start_on` until `end_on`, or until a
    person lifts it (`review_on` says when to look again). Voids permits not yet used."""
    now = (clock or SystemClock()).now()
    hold = check_hold(
        borrower=borrower,
        kind=kind,
        start_on=start_on,
        reason=reason,
        account=account,
        end_on=end_on,
        review_on=review_on,
        set_by=set_by,
        petition_on=petition_on,
        chapter=chapter,
        prior_dismissals_12m=prior_dismissals_12m,
        discharged_on=discharged_on,
        breathing_space=breathing_space,
        now=now,
    )
    hold.save(force_insert=True)
    void_permits(
        borrower=borrower,
        reason=_("a %(kind)s hold was set") % {"kind": hold.get_kind_display()},
        now=now,
    )
    return hold


@transaction.atomic
def lift_hold(
    *, hold: Hold, reason: str, lifted_by: Any = None, clock: Clock | None = None
) -> Hold:
    """Lift a hold from now on (the row is kept, with who lifted it and why)."""
    now = (clock or SystemClock()).now()
    reason = _line("reason", reason, max_length=500)
    locked = Hold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise Conflict(
            _("This hold was already lifted on %(at)s.") % {"at": locked.lifted_at.isoformat()}
        )
    locked.lifted_at = now
    locked.lifted_by = lifted_by
    locked.lifted_by_name = _name(lifted_by)
    locked.lift_reason = reason
    locked.save(update_fields=["lifted_at", "lifted_by", "lifted_by_name", "lift_reason"])
    return locked


# --- opt-outs and consent -----------------------------------------------------------------------


@transaction.atomic
def record_opt_out(
    *,
    borrower: Borrower,
    channel: str,
    source: str,
    address: str = "",
    message: str = "",
    at: dt.datetime | None = None,
    recorded_by: Any = None,
    clock: Clock | None = None,
) -> OptOut:
    """Record a STOP / 退订 / unsubscribe for one channel (one address, or all when empty).

    Honoured at once: the channel's permits not yet used are voided.
    """
    now = (clock or SystemClock()).now()
    _one_of("channel", channel, Channel)
    opt_out = OptOut.objects.create(
        borrower=borrower,
        channel=channel,
        address=_line("address", address, max_length=200, required=False),
        source=_line("source", source, max_length=60),
        message=_line("message", message, max_length=500, required=False),
        at=_instant("at", at, now) if at is not None else now,
        recorded_by=recorded_by,
    )
    void_permits(
        borrower=borrower,
        channel=channel,
        reason=_("the borrower opted out (%(source)s)") % {"source": opt_out.source},
        now=now,
    )
    return opt_out


def record_opt_out_if_stop(
    *,
    borrower: Borrower,
    channel: str,
    address: str,
    text: str,
    clock: Clock | None = None,
) -> OptOut | None:
    """An inbound reply that means stop (STOP, unsubscribe, 退订, TD …) becomes an opt-out of
    that channel at that address; anything else is left to a person. Returns the opt-out."""
    if not is_opt_out_reply(text):
        return None
    return record_opt_out(
        borrower=borrower,
        channel=channel,
        address=address,
        source=_line("source", f"{channel} reply", max_length=60),
        message=(text or "")[:500],
        clock=clock,
    )


#: The permission a staff member needs to withdraw an opt-out for the borrower.
WITHDRAW_OPT_OUT = "compliance.change_optout"


@transaction.atomic
def withdraw_opt_out(
    *,
    opt_out: OptOut,
    withdrawn_by: Any,
    how: str,
    clock: Clock | None = None,
) -> OptOut:
    """The borrower takes back a 'stop': the channel is open again from now on.

    Only the borrower themself (their own login: a stop of the whole channel) or a staff member
    holding `compliance.change_optout` may withdraw it. The row is kept, with who withdrew it, when
    and how; a hold (cease communication, dispute …) is a separate record and stays.
    """
    now = (clock or SystemClock()).now()
    how = _line("how", how, max_length=200)
    user_id = getattr(withdrawn_by, "pk", None)
    if user_id is None:
        raise ValidationError("withdrawn_by", _("only a person can withdraw an opt-out"))
    locked = OptOut.objects.select_for_update().select_related("borrower").get(pk=opt_out.pk)
    own = locked.borrower.user_id == user_id
    if not own and not withdrawn_by.has_perm(WITHDRAW_OPT_OUT):
        raise ValidationError(
            "withdrawn_by",
            _("only the borrower, or staff allowed to change opt-outs, can withdraw it"),
        )
    if own and locked.address and not withdrawn_by.has_perm(WITHDRAW_OPT_OUT):
        # a stop at one number may be another person's (a contact person's STOP): staff check
        raise ValidationError(
            "opt_out",
            _("a stop at one number or address is withdrawn by our staff, who check whose it is"),
        )
    if locked.withdrawn_at is not None:
        raise ValidationError(
            "opt_out",
            _("was already withdrawn on %(day)s") % {"day": locked.withdrawn_at.date().isoformat()},
        )
    locked.withdrawn_at = max(now, locked.at)
    locked.withdrawn_by = withdrawn_by
    locked.withdrawn_by_name = _name(withdrawn_by)
    locked.withdrawn_how = how
    locked.save(
        update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_by_name", "withdrawn_how"]
    )
    return locked


@transaction.atomic
def record_consent(
    *,
    borrower: Borrower,
    channel: str,
    address: str,
    how: str,
    given_at: dt.datetime | None = None,
    recorded_by: Any = None,
    clock: Clock | None = None,
) -> AutomatedConsent:
    """Record prior express consent to autodialled / prerecorded / AI-voice calls or texts at one
    number (TCPA)."""
    now = (clock or SystemClock()).now()
    _one_of("channel", channel, Channel)
    if channel not in _AUTOMATED_CHANNELS:
        raise ValidationError("channel", _("consent to automated contact is for calls and texts"))
    return AutomatedConsent.objects.create(
        borrower=borrower,
        channel=channel,
        address=_line("address", address, max_length=200),
        how=_line("how", how, max_length=200),
        given_at=_instant("given_at", given_at, now) if given_at is not None else now,
        recorded_by=recorded_by,
    )


@transaction.atomic
def revoke_consent(
    *,
    borrower: Borrower,
    channel: str,
    how: str,
    address: str = "",
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> list[AutomatedConsent]:
    """Revoke consent to automated contact, by any reasonable means, at once: at one number, or
    every number of the channel when `address` is empty. Returns the consents revoked."""
    now = (clock or SystemClock()).now()
    _one_of("channel", channel, Channel)
    revoked_at = _instant("at", at, now) if at is not None else now
    consents = AutomatedConsent.objects.select_for_update().filter(
        borrower=borrower, channel=channel, revoked_at__isnull=True, given_at__lte=revoked_at
    )
    if address:
        consents = consents.filter(address=address)
    found = list(consents)
    how = _line("how", how, max_length=200)
    for consent in found:
        consent.revoked_at = revoked_at
        consent.revoked_how = how
        consent.save(update_fields=["revoked_at", "revoked_how"])
    void_permits(
        borrower=borrower,
        channel=channel,
        address=address or None,
        reason=_("consent to automated contact was revoked"),
        now=now,
    )
    return found


@transaction.atomic
def set_contact_preference(
    *,
    borrower: Borrower,
    inconvenient_times: Sequence[dict[str, Any]] = (),
    agreed_times: Sequence[dict[str, Any]] = (),
    inconvenient_places: Iterable[str] = (),
    no_workplace_contact: bool = False,
    workplace_addresses: Iterable[str] = (),
    workplace_consent_addresses: Iterable[str] = (),
) -> ContactPreference:
    """Record what the borrower said about when, where and how to contact them (replacing what
    was recorded before)."""
    check_preference(inconvenient_times=inconvenient_times, agreed_times=agreed_times)
    preference, _created = ContactPreference.objects.update_or_create(
        borrower=borrower,
        defaults={
            "inconvenient_times": list(inconvenient_times),
            "agreed_times": list(agreed_times),
            "inconvenient_places": [p.strip() for p in inconvenient_places if p.strip()],
            "no_workplace_contact": no_workplace_contact,
            "workplace_addresses": [a.strip() for a in workplace_addresses if a.strip()],
            "workplace_consent_addresses": [
                a.strip() for a in workplace_consent_addresses if a.strip()
            ],
        },
    )
    return preference


def check_preference(*, inconvenient_times: object = (), agreed_times: object = ()) -> None:
    """Times must read as the gate reads them; the error names the entry."""
    for field, value in (
        ("inconvenient_times", inconvenient_times),
        ("agreed_times", agreed_times),
    ):
        if not isinstance(value, list | tuple):
            raise ValidationError(field, _("must be a list of times"))
        for i, raw in enumerate(value):
            time_range(f"{field}[{i}]", raw)


# --- the contact history ------------------------------------------------------------------------


@transaction.atomic
def record_contact_attempt(
    *,
    borrower: Borrower,
    channel: str,
    address: str,
    outcome: str,
    started_at: dt.datetime | None = None,
    accounts: Iterable[Account] = (),
    direction: str = Direction.OUTBOUND,
    party_role: str = Role.DEBTOR,
    party_ref: str = "",
    purpose: str = "",
    duration_seconds: int | None = None,
    by: str = "lender",
    agent: Any = None,
    automated: bool = False,
    artificial_voice: bool = False,
    direct_consent: bool = False,
    recording_ref: str = "",
    permit: Permit | None = None,
    clock: Clock | None = None,
) -> ContactAttempt:
    """Write one attempt to the shared contact log (the lender's and every agency's).

    `accounts` are the debts discussed (none: about all of them); `party_ref` names the person
    contacted when it is not the borrower; `by` is the lender or the agency.
    """
    now = (clock or SystemClock()).now()
    _one_of("channel", channel, Channel)
    _one_of("outcome", outcome, AttemptOutcome)
    _one_of("direction", direction, Direction)
    _one_of("party_role", party_role, Role)
    if purpose:
        _one_of("purpose", purpose, Purpose)
    if duration_seconds is not None and not 0 <= duration_seconds <= 86_400:
        raise ValidationError("duration_seconds", _("must be between 0 and 86400"))
    debts = list(accounts)
    for account in debts:
        check_account_of(borrower, account)
    if permit is not None and permit.borrower_id != borrower.pk:
        raise ValidationError("permit", _("the permit is for another borrower"))
    attempt = ContactAttempt.objects.create(
        borrower=borrower,
        party_role=party_role,
        party_ref=_line("party_ref", party_ref, max_length=120, required=False)
        or ("" if party_role == Role.DEBTOR else address.strip()),
        channel=channel,
        direction=direction,
        address=_line("address", address, max_length=200),
        outcome=outcome,
        purpose=purpose,
        started_at=_instant("started_at", started_at, now) if started_at is not None else now,
        duration_seconds=duration_seconds,
        by=_line("by", by, max_length=120),
        agent=agent,
        automated=automated,
        artificial_voice=artificial_voice,
        direct_consent=direct_consent,
        recording_ref=_line("recording_ref", recording_ref, max_length=300, required=False),
        permit=permit,
        recorded_at=now,
    )
    if debts:
        attempt.accounts.add(*debts)
    return attempt
