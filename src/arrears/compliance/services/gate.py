"""Asking the gate: a permit for a real contact, a stateless check, the next permitted time.

`request_permit` builds the core's request from the database, loads the contact history the
profile counts (one query), decides, and stores the decision — allowed or refused — with a
snapshot of its exact inputs (the check document, so `arrears compliance check` on it gives the
same answer). An allowed decision carries a `Permit`, valid for a short time
(`ARREARS_PERMIT_VALID_SECONDS`, 15 minutes by default) and never past the moment a rule would
refuse (the end of the contact window, a hold that starts at midnight).

`check_contact` decides a check document alone: no borrower need exist in the database, and
nothing is written — it answers "what if", it lets nothing out, so it is not a decision of the
log. The profile is the active one (edited in the admin) with the house rules.

Which profile applies: the account's product jurisdiction, else the borrower's country.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.compliance.models import Decision, Permit
from arrears.compliance.services.profiles import ActiveProfile, active_profile
from arrears.compliance.services.requests import (
    Person,
    Proposal,
    Records,
    check_account_of,
    contact_history,
    load_records,
    request_for,
)
from arrears.core import compliance as gate
from arrears.core.clock import Clock, SystemClock
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.compliance.wire import check_document, parse_check
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Borrower
from arrears.servicing.services.products import product_terms

DEFAULT_PERMIT_SECONDS = 15 * 60
_STEP = dt.timedelta(minutes=1)
_MAX_ADDRESS = 200


def jurisdiction_of(borrower: Borrower, account: Account | None = None) -> str:
    """The profile code: the account's product jurisdiction, else the borrower's country."""
    if account is not None:
        return profile_code_for(product_terms(account.product).jurisdiction)
    return profile_code_for(borrower.country, field="borrower.country")


@dataclasses.dataclass(frozen=True)
class _Prepared:
    proposal: Proposal
    request: gate.ContactRequest
    history: gate.ContactHistory
    active: ActiveProfile
    now: dt.datetime
    records: Records


def _prepare(
    *,
    borrower: Borrower,
    account: Account | None,
    channel: str,
    address: str,
    purpose: str,
    party_role: str,
    party_ref: str | None,
    automated: bool,
    artificial_voice: bool,
    prerecorded: bool,
    message_kind: str | None,
    direct_consent_at: dt.datetime | None,
    debtor_unreachable: bool,
    recontact_exception: bool,
    at: dt.datetime | None,
    clock: Clock | None,
) -> _Prepared:
    now = (clock or SystemClock()).now()
    check_account_of(borrower, account)
    address = (address or "").strip()
    if not address or len(address) > _MAX_ADDRESS:
        raise ValidationError("address", _("give the number or address to contact"))
    role = _choice("party_role", party_role, gate.Role)
    proposal = Proposal(
        borrower=borrower,
        account=account,
        channel=_choice("channel", channel, gate.Channel),
        address=address,
        purpose=_choice("purpose", purpose, gate.Purpose),
        at=at or now,
        party_role=role,
        party_ref=(party_ref or ("" if role is gate.Role.DEBTOR else address)).strip(),
        autodialled=automated,
        prerecorded=prerecorded,
        artificial_voice=artificial_voice,
        message_kind=message_kind or None,
        direct_consent_at=direct_consent_at,
        debtor_unreachable=debtor_unreachable,
        recontact_exception=recontact_exception,
    )
    code = jurisdiction_of(borrower, account)
    active = active_profile(code)
    records = load_records({borrower.pk: Person.of(borrower)}, earliest_at=proposal.at)
    request = request_for(
        proposal.contact,
        records=records[borrower.pk],
        request_id=uuid.uuid4().hex,
        profile_code=code,
    )
    history = contact_history(proposal, profile=active.profile, now=now)
    return _Prepared(proposal, request, history, active, now, records[borrower.pk])


def _choice(field: str, value: Any, enum: Any) -> Any:
    try:
        return enum(str(value))
    except ValueError:
        raise ValidationError(
            field, _("must be one of %(values)s") % {"values": ", ".join(m.value for m in enum)}
        ) from None


@transaction.atomic
def request_permit(
    *,
    borrower: Borrower,
    account: Account | None = None,
    channel: str,
    address: str,
    purpose: str,
    party_role: str = "debtor",
    party_ref: str | None = None,
    automated: bool = False,
    artificial_voice: bool = False,
    prerecorded: bool = False,
    message_kind: str | None = None,
    direct_consent_at: dt.datetime | None = None,
    debtor_unreachable: bool = False,
    recontact_exception: bool = False,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> Decision:
    """Ask the gate whether this contact may be made at `at` (default: now), and log the answer.

    Returns the stored `Decision`; when allowed, `decision.issued_permit` is the `Permit` a
    channel adapter needs. `automated` means autodialled / sent by a machine (TCPA);
    `party_ref` names someone other than the borrower (default: the address contacted).

    Decisions about one borrower are taken one at a time (the borrower's row is locked), and
    permits not yet used count as contacts, so concurrent requests cannot together pass a cap.
    """
    _lock(borrower)
    prepared = _prepare(
        borrower=borrower,
        account=account,
        channel=channel,
        address=address,
        purpose=purpose,
        party_role=party_role,
        party_ref=party_ref,
        automated=automated,
        artificial_voice=artificial_voice,
        prerecorded=prerecorded,
        message_kind=message_kind,
        direct_consent_at=direct_consent_at,
        debtor_unreachable=debtor_unreachable,
        recontact_exception=recontact_exception,
        at=at,
        clock=clock,
    )
    profile = prepared.active.profile
    answer = gate.decide(prepared.request, prepared.history, profile, now=prepared.now)
    decision = _log(prepared, answer)
    if answer.allowed:
        Permit.objects.create(
            decision=decision,
            borrower=borrower,
            channel=prepared.proposal.channel,
            address=prepared.proposal.address,
            valid_from=answer.at,
            valid_until=_valid_until(prepared),
        )
    return decision


def _lock(borrower: Borrower) -> None:
    """Take the borrower's row lock until the caller's transaction ends (PostgreSQL; SQLite
    serialises every writing transaction anyway)."""
    list(Borrower.objects.select_for_update().filter(pk=borrower.pk).values_list("pk"))


def _log(prepared: _Prepared, answer: gate.Decision) -> Decision:
    proposal = prepared.proposal
    logged = answer.as_dict()
    return Decision.objects.create(
        request_id=answer.request_id,
        borrower=proposal.borrower,
        account=proposal.account,
        party_role=proposal.party_role,
        party_ref=proposal.party_ref,
        channel=proposal.channel,
        address=proposal.address,
        purpose=proposal.purpose,
        at=answer.at,
        decided_at=answer.evaluated_at,
        allowed=answer.allowed,
        flagged=bool(answer.flags),
        next_permitted_at=answer.next_permitted_at,
        profile_code=answer.profile_code,
        profile_version=answer.profile_version,
        rules=logged["rules"],
        denied_rules=" ".join(r.rule_id for r in answer.denials),
        snapshot=check_document(
            prepared.request,
            prepared.history,
            now=prepared.now,
            house_rules=prepared.active.house_rules,
        ),
    )


def permit_lifetime() -> dt.timedelta:
    seconds = int(getattr(settings, "ARREARS_PERMIT_VALID_SECONDS", DEFAULT_PERMIT_SECONDS))
    return dt.timedelta(seconds=max(60, seconds))


def _valid_until(prepared: _Prepared) -> dt.datetime:
    """The end of the permit: its lifetime, or the first whole minute a rule would refuse.

    Every window and day boundary falls on a whole minute of UTC, so checking each minute in
    the permit's lifetime finds the first moment the contact would no longer be allowed.
    """
    request = prepared.request
    end = request.at + permit_lifetime()
    moment = request.at.replace(second=0, microsecond=0) + _STEP
    profile = prepared.active.profile
    while moment < end:
        later = dataclasses.replace(request, at=moment)
        if any(r.denied for r in gate.evaluate(later, prepared.history, profile)):
            return moment
        moment += _STEP
    return end


def next_permitted(
    *,
    borrower: Borrower,
    account: Account | None = None,
    channel: str,
    address: str,
    purpose: str,
    party_role: str = "debtor",
    party_ref: str | None = None,
    automated: bool = False,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> dt.datetime | None:
    """When could this contact next be made (at or after `at`)? None: only a person can unblock
    it (a hold, an opt-out, a refusal, missing consent). Writes nothing."""
    prepared = _prepare_question(
        borrower=borrower, account=account, channel=channel, address=address, purpose=purpose,
        party_role=party_role, party_ref=party_ref, automated=automated, at=at, clock=clock,
    )  # fmt: skip
    return gate.next_permitted(
        prepared.request, prepared.history, prepared.active.profile, now=prepared.now
    )


def _prepare_question(
    *,
    borrower: Borrower,
    account: Account | None,
    channel: str,
    address: str,
    purpose: str,
    party_role: str,
    party_ref: str | None,
    automated: bool,
    at: dt.datetime | None,
    clock: Clock | None,
) -> _Prepared:
    """`_prepare` for a "when could we?" question: a plain contact, no voice, consent or
    exception flags."""
    return _prepare(
        borrower=borrower,
        account=account,
        channel=channel,
        address=address,
        purpose=purpose,
        party_role=party_role,
        party_ref=party_ref,
        automated=automated,
        artificial_voice=False,
        prerecorded=False,
        message_kind=None,
        direct_consent_at=None,
        debtor_unreachable=False,
        recontact_exception=False,
        at=at,
        clock=clock,
    )


def next_permitted_times(
    *,
    borrower: Borrower,
    account: Account | None = None,
    channel: str,
    address: str,
    purpose: str,
    party_role: str = "debtor",
    party_ref: str | None = None,
    automated: bool = False,
    clock: Clock | None = None,
) -> Callable[[dt.datetime], dt.datetime | None]:
    """`next_permitted` for one contact asked about many instants (a page of callback slots):
    the borrower's records and contact log are read once, now, and each instant — now or
    later — is answered from them in memory, as `next_permitted` answers it. Writes nothing."""
    prepared = _prepare_question(
        borrower=borrower, account=account, channel=channel, address=address, purpose=purpose,
        party_role=party_role, party_ref=party_ref, automated=automated, at=None, clock=clock,
    )  # fmt: skip
    contact, now = prepared.proposal.contact, prepared.now
    request = prepared.request

    def answer(at: dt.datetime) -> dt.datetime | None:
        if at < now:
            raise ValidationError("at", _("is before now: a contact cannot be made in the past"))
        asked = request_for(
            dataclasses.replace(contact, at=at),
            records=prepared.records,
            request_id=request.request_id,
            profile_code=request.profile_code,
        )
        return gate.next_permitted(asked, prepared.history, prepared.active.profile, now=now)

    return answer


def check_contact(document: Mapping[str, Any], *, bundled: bool = False) -> gate.Decision:
    """Decide a check document (`core.compliance.wire`) without touching any borrower's records.

    Reads only the active profiles (with `bundled`, not even those: the profiles as shipped);
    writes nothing — a check is a question, not a contact, so it is not in the decision log.
    """
    check = parse_check(document)
    active = active_profile(
        check.profile_code, house_rules=check.house_rules, texts={} if bundled else None
    )
    return gate.decide(check.request, check.history, active.profile, now=check.now)
