"""The gate's inputs from the database: the proposed contact as the core's `ContactRequest`, and
the contact history it is judged against.

A person may be in several time zones: their address's (the borrower's `time_zone`), else
their phone numbers', else every zone of their country — a contact must suit all of them. The
history is read in one query: the borrower's attempts over the days the profile counts, the
attempts to the same number or address (a number's daily cap counts whoever answered), and —
for someone other than the borrower — every attempt to that person (a location contact is made
once; a contact person who refused is never called again).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from arrears.compliance.models import (
    AutomatedConsent as ConsentRow,
)
from arrears.compliance.models import (
    ContactAttempt,
    ContactPreference,
    Hold,
    OptOut,
    Permit,
)
from arrears.core.compliance import (
    Attempt,
    AttemptOutcome,
    AutomatedConsent,
    BreathingSpaceKind,
    Channel,
    ContactHistory,
    ContactPoint,
    ContactRequest,
    Direction,
    HoldKind,
    Party,
    Profile,
    Purpose,
    Role,
)
from arrears.core.compliance import Hold as GateHold
from arrears.core.compliance import OptOut as GateOptOut
from arrears.core.compliance.wire import home_zones, time_range
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Borrower

#: Margin around the counted days: a local day starts up to ~14 hours before or after UTC.
_ZONE_MARGIN_DAYS = 2
_PHONE_KINDS = ("mobile", "home", "work")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Proposal:
    """A proposed contact as the shell knows it, before it becomes the core's request."""

    borrower: Borrower
    account: Account | None
    channel: Channel
    address: str
    purpose: Purpose
    at: dt.datetime
    party_role: Role = Role.DEBTOR
    party_ref: str = ""
    autodialled: bool = False
    prerecorded: bool = False
    artificial_voice: bool = False
    message_kind: str | None = None
    direct_consent_at: dt.datetime | None = None
    debtor_unreachable: bool = False
    recontact_exception: bool = False

    @property
    def party_id(self) -> str:
        """The contact log's name for the person contacted: the borrower's reference, or the
        third party's own reference (their number by default)."""
        return self.party_ref or self.borrower.reference

    @property
    def is_borrower(self) -> bool:
        return not self.party_ref


def contact_request(proposal: Proposal, *, request_id: str, profile_code: str) -> ContactRequest:
    """The core's request for a proposed contact, from the borrower's records (five queries)."""
    borrower = proposal.borrower
    points = list(borrower.contact_points.all())
    phones = [p.value for p in points if p.kind in _PHONE_KINDS]
    preference = ContactPreference.objects.filter(borrower=borrower).first()
    address = proposal.address
    party = Party(
        party_id=proposal.party_id,
        role=proposal.party_role,
        home_zones=home_zones(
            [borrower.time_zone] if borrower.time_zone and proposal.is_borrower else [],
            phones if proposal.is_borrower else [],
            borrower.country if proposal.is_borrower else None,
        ),
        opt_outs=_opt_outs(proposal),
        **(_stated(preference) if proposal.is_borrower else {}),
    )
    work_points = {p.value for p in points if p.kind == "work"}
    if preference is not None:
        work_points.update(preference.workplace_addresses or [])
    is_workplace = address in work_points
    point = ContactPoint(
        channel=proposal.channel,
        address=address,
        place="work" if is_workplace else None,
        is_workplace=is_workplace,
        workplace_consent=preference is not None
        and address in (preference.workplace_consent_addresses or []),
        automated_consent=_consent(borrower, proposal.channel, address),
    )
    return ContactRequest(
        request_id=request_id,
        profile_code=profile_code,
        party=party,
        contact_point=point,
        purpose=proposal.purpose,
        at=proposal.at,
        debt_ids=frozenset({proposal.account.number}) if proposal.account else frozenset(),
        debtor_id=None if proposal.is_borrower else borrower.reference,
        autodialled=proposal.autodialled,
        prerecorded=proposal.prerecorded,
        artificial_voice=proposal.artificial_voice,
        message_kind=proposal.message_kind,
        direct_consent_at=proposal.direct_consent_at,
        holds=_holds(borrower, proposal.at),
        debtor_unreachable=proposal.debtor_unreachable,
        recontact_exception=proposal.recontact_exception,
    )


def _stated(preference: ContactPreference | None) -> dict[str, Any]:
    if preference is None:
        return {}
    return {
        "inconvenient_times": tuple(
            time_range(f"inconvenient_times[{i}]", raw)
            for i, raw in enumerate(preference.inconvenient_times or [])
        ),
        "agreed_times": tuple(
            time_range(f"agreed_times[{i}]", raw)
            for i, raw in enumerate(preference.agreed_times or [])
        ),
        "inconvenient_places": frozenset(preference.inconvenient_places or []),
        "no_workplace_contact": preference.no_workplace_contact,
    }


def _opt_outs(proposal: Proposal) -> tuple[GateOptOut, ...]:
    """The borrower's opt-outs; for anyone else only those recorded for the address contacted."""
    rows = OptOut.objects.filter(borrower=proposal.borrower, channel=proposal.channel)
    if not proposal.is_borrower:
        rows = rows.filter(address=proposal.address)
    return tuple(
        GateOptOut(channel=Channel(row.channel), at=row.at, address=row.address or None)
        for row in rows.order_by("at", "id")
    )


def _consent(borrower: Borrower, channel: Channel, address: str) -> AutomatedConsent | None:
    """The latest consent recorded for this number and channel (revoked or not)."""
    row = (
        ConsentRow.objects.filter(borrower=borrower, channel=channel, address=address)
        .order_by("-given_at", "-id")
        .first()
    )
    if row is None:
        return None
    return AutomatedConsent(given_at=row.given_at, revoked_at=row.revoked_at)


def _holds(borrower: Borrower, at: dt.datetime) -> tuple[GateHold, ...]:
    """Holds not lifted by `at` that have not long ended (the gate reads their dates)."""
    recent = at.date() - dt.timedelta(days=_ZONE_MARGIN_DAYS)
    rows = (
        Hold.objects.filter(borrower=borrower)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at))
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=recent))
        .select_related("account")
        .order_by("start_on", "id")
    )
    return tuple(gate_hold(row) for row in rows)


def gate_hold(row: Hold) -> GateHold:
    """The core's value of a hold row (its debts: the account's number, or every debt)."""
    return GateHold(
        kind=HoldKind(row.kind),
        start_on=row.start_on,
        set_by=row.set_by_name,
        end_on=row.end_on,
        review_on=row.review_on,
        debt_ids=frozenset({row.account.number}) if row.account else frozenset(),
        petition_on=row.petition_on,
        chapter=row.chapter,
        prior_dismissals_12m=row.prior_dismissals_12m,
        discharged_on=row.discharged_on,
        breathing_space=BreathingSpaceKind(row.breathing_space) if row.breathing_space else None,
    )


# --- the history --------------------------------------------------------------------------------


def history_days(profile: Profile) -> int:
    """How many days back the profile's counters look (Reg F's 7 days, a week of texts …)."""
    days = 7
    rule = profile.call_frequency
    if rule is not None:
        days = max(
            days,
            rule.window_days,
            rule.quiet_days_after_conversation or 0,
            rule.direct_consent_days,
        )
    return days + _ZONE_MARGIN_DAYS


_HISTORY_FIELDS = (
    "id", "started_at", "channel", "party_ref", "address", "outcome", "direction",
    "direct_consent", "by", "artificial_voice", "purpose", "borrower__reference",
    "accounts__number",
)  # fmt: skip


def contact_history(proposal: Proposal, *, profile: Profile, now: dt.datetime) -> ContactHistory:
    """The attempts the gate needs for this proposal, up to `now` (one query), and the contacts
    already permitted but not yet in the log (a second): caps count them too, so two permits
    asked for at the same moment cannot together pass a cap."""
    since = min(now, proposal.at) - dt.timedelta(days=history_days(profile))
    recent = Q(borrower=proposal.borrower) | Q(address=proposal.address)
    wanted = Q(started_at__gte=since) & recent
    if not proposal.is_borrower:
        wanted |= Q(party_ref=proposal.party_ref)
    rows = (
        ContactAttempt.objects.filter(wanted, started_at__lte=now)
        .order_by("started_at", "id")
        .values_list(*_HISTORY_FIELDS)
    )
    return ContactHistory((*_attempts(rows), *_permitted(proposal, since=since, now=now)))


#: How a permitted contact not yet in the log is counted: a call as answered (the strictest
#: outcome short of a conversation), anything else as sent.
_PENDING_OUTCOME = {Channel.CALL: AttemptOutcome.CONNECTED, Channel.VISIT: AttemptOutcome.CONNECTED}
PENDING = "permitted, not yet logged"


def _permitted(proposal: Proposal, *, since: dt.datetime, now: dt.datetime) -> Iterable[Attempt]:
    """Permits of the borrower not voided whose contact is not in the log: unused and still
    valid, or used (a call still going on) with no attempt recorded against them."""
    logged = ContactAttempt.objects.filter(permit=OuterRef("pk"))
    permits = (
        Permit.objects.filter(borrower=proposal.borrower, voided_at__isnull=True)
        .filter(
            Q(used_at__isnull=True, valid_until__gt=now) | (Q(used_at__gte=since) & ~Exists(logged))
        )
        .select_related("decision__account")
        .order_by("valid_from")
    )
    for permit in permits:
        decision = permit.decision
        yield Attempt(
            at=permit.used_at or permit.valid_from,
            channel=Channel(permit.channel),
            party_id=decision.party_ref or proposal.borrower.reference,
            address=permit.address,
            outcome=_PENDING_OUTCOME.get(Channel(permit.channel), AttemptOutcome.SENT),
            debt_ids=frozenset({decision.account.number}) if decision.account else frozenset(),
            by=PENDING,
            purpose=Purpose(decision.purpose),
        )


def _attempts(rows: Iterable[tuple[Any, ...]]) -> Iterable[Attempt]:
    """Rows come one per (attempt, account discussed): gather each attempt's debts."""
    current: list[Any] | None = None
    debts: set[str] = set()
    for row in rows:
        if current is not None and row[0] != current[0]:
            yield _attempt(current, debts)
            debts = set()
        current = list(row)
        if row[-1]:
            debts.add(row[-1])
    if current is not None:
        yield _attempt(current, debts)


def _attempt(row: list[Any], debts: set[str]) -> Attempt:
    (
        _id, started_at, channel, party_ref, address, outcome, direction, direct_consent, by,
        artificial_voice, purpose, reference, _number,
    ) = row  # fmt: skip
    return Attempt(
        at=started_at,
        channel=Channel(channel),
        party_id=party_ref or reference,
        address=address,
        outcome=AttemptOutcome(outcome),
        debt_ids=frozenset(debts),
        direction=Direction(direction),
        direct_consent=direct_consent,
        by=by,
        artificial_voice=artificial_voice,
        purpose=Purpose(purpose) if purpose else None,
    )


def check_account_of(borrower: Borrower, account: Account | None) -> None:
    if account is not None and account.borrower_id != borrower.pk:
        raise ValidationError(
            "account",
            _("account %(number)s is not %(reference)s's")
            % {"number": account.number, "reference": borrower.reference},
        )
