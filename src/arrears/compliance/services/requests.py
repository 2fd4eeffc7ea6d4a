"""The gate's inputs from the database: the proposed contact as the core's `ContactRequest`, and
the contact history it is judged against.

A person may be in several time zones: their address's (the borrower's `time_zone`), else
their phone numbers', else every zone of their country — a contact must suit all of them. The
history is read in one query: the borrower's attempts over the days the profile counts, the
attempts to the same number or address (a number's daily cap counts whoever answered), and —
for someone other than the borrower — every attempt to that person (a location contact is made
once; a contact person who refused is never called again).

The borrower's records (contact points, preference, opt-outs, consents, holds) are read by
`load_records` for any number of borrowers in five queries, and a request is built from them
by `request_for` without touching the database: the online gate loads one borrower's, the bulk
gate (`services.bulk`) a whole batch's, and both build the same request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from arrears.common.bulk import among
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
from arrears.servicing.models import ContactPoint as PointRow

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

    @property
    def contact(self) -> Contact:
        """The same contact in plain values (ids instead of rows)."""
        account = self.account
        return Contact(
            borrower_id=self.borrower.pk,
            reference=self.borrower.reference,
            account_id=None if account is None else account.pk,
            account_number=None if account is None else account.number,
            channel=self.channel,
            address=self.address,
            purpose=self.purpose,
            at=self.at,
            party_role=self.party_role,
            party_ref=self.party_ref,
            autodialled=self.autodialled,
            prerecorded=self.prerecorded,
            artificial_voice=self.artificial_voice,
            message_kind=self.message_kind,
            direct_consent_at=self.direct_consent_at,
            debtor_unreachable=self.debtor_unreachable,
            recontact_exception=self.recontact_exception,
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Contact:
    """A proposed contact in plain values: what the bulk gate reads from a frame's row."""

    borrower_id: int
    reference: str
    account_id: int | None
    account_number: str | None
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
        return self.party_ref or self.reference

    @property
    def is_borrower(self) -> bool:
        return not self.party_ref


@dataclasses.dataclass(frozen=True)
class Person:
    """The borrower's own fields the gate reads."""

    pk: int
    reference: str
    country: str
    time_zone: str

    @classmethod
    def of(cls, borrower: Borrower) -> Person:
        return cls(borrower.pk, borrower.reference, borrower.country, borrower.time_zone)


@dataclasses.dataclass(frozen=True)
class _Kept:
    """A hold row with the dates that say whether it still counts at a given moment."""

    lifted_at: dt.datetime | None
    end_on: dt.date | None
    hold: GateHold


@dataclasses.dataclass
class Records:
    """What the gate reads about one borrower besides the contact log, read beforehand."""

    person: Person
    phones: list[str] = dataclasses.field(default_factory=list)
    work_points: set[str] = dataclasses.field(default_factory=set)
    preference: ContactPreference | None = None
    #: (channel, address, at, withdrawn_at): a withdrawn stop counts for contacts before then
    opt_outs: list[tuple[str, str, dt.datetime, dt.datetime | None]] = dataclasses.field(
        default_factory=list
    )
    consents: dict[tuple[str, str], AutomatedConsent] = dataclasses.field(default_factory=dict)
    holds: list[_Kept] = dataclasses.field(default_factory=list)
    _zones: tuple[str, ...] | None = None
    _stated: dict[str, Any] | None = None

    @property
    def home_zones(self) -> tuple[str, ...]:
        """The borrower's zones: their address's, else their phones', else their country's."""
        if self._zones is None:
            person = self.person
            zones = [person.time_zone] if person.time_zone else []
            self._zones = home_zones(zones, self.phones, person.country)
        return self._zones

    @property
    def stated(self) -> dict[str, Any]:
        """What the borrower said about times and places (the `Party` fields)."""
        if self._stated is None:
            self._stated = _stated(self.preference)
        return self._stated

    def opt_outs_for(self, contact: Contact) -> tuple[GateOptOut, ...]:
        """The borrower's opt-outs of the channel; for anyone else only those recorded for the
        address contacted."""
        return tuple(
            GateOptOut(channel=Channel(channel), at=at, address=address or None)
            for channel, address, at, withdrawn_at in self.opt_outs
            if channel == contact.channel
            and (contact.is_borrower or address == contact.address)
            and (withdrawn_at is None or withdrawn_at > contact.at)
        )

    def holds_at(self, at: dt.datetime) -> tuple[GateHold, ...]:
        """Holds not lifted by `at` that have not long ended (the gate reads their dates)."""
        recent = at.date() - dt.timedelta(days=_ZONE_MARGIN_DAYS)
        return tuple(
            kept.hold
            for kept in self.holds
            if (kept.lifted_at is None or kept.lifted_at > at)
            and (kept.end_on is None or kept.end_on >= recent)
        )


def load_records(people: Mapping[int, Person], *, earliest_at: dt.datetime) -> dict[int, Records]:
    """The records of these borrowers (by id) in five queries, whatever their number; holds
    that could still count at `earliest_at` or later."""
    found = {pk: Records(person) for pk, person in people.items()}
    if not found:
        return found
    ids = list(found)
    points = PointRow.objects.filter(among("borrower_id", ids)).order_by("borrower_id", "pk")
    for borrower_id, kind, value in points.values_list("borrower_id", "kind", "value"):
        records = found[borrower_id]
        if kind in _PHONE_KINDS:
            records.phones.append(value)
        if kind == "work":
            records.work_points.add(value)
    for preference in ContactPreference.objects.filter(among("borrower_id", ids)):
        records = found[preference.borrower_id]
        records.preference = preference
        records.work_points.update(preference.workplace_addresses or [])
    stops = (
        OptOut.objects.filter(among("borrower_id", ids))
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=earliest_at))
        .order_by("at", "id")
    )
    for borrower_id, channel, address, at, withdrawn_at in stops.values_list(
        "borrower_id", "channel", "address", "at", "withdrawn_at"
    ):
        found[borrower_id].opt_outs.append((channel, address, at, withdrawn_at))
    consents = ConsentRow.objects.filter(among("borrower_id", ids)).order_by("given_at", "id")
    for borrower_id, channel, address, given_at, revoked_at in consents.values_list(
        "borrower_id", "channel", "address", "given_at", "revoked_at"
    ):  # the latest per number and channel wins (revoked or not)
        found[borrower_id].consents[(channel, address)] = AutomatedConsent(given_at, revoked_at)
    recent = earliest_at.date() - dt.timedelta(days=_ZONE_MARGIN_DAYS)
    holds = (
        Hold.objects.filter(among("borrower_id", ids))
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=earliest_at))
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=recent))
        .select_related("account")
        .order_by("start_on", "id")
    )
    for row in holds:
        found[row.borrower_id].holds.append(_Kept(row.lifted_at, row.end_on, gate_hold(row)))
    return found


def request_for(
    contact: Contact, *, records: Records, request_id: str, profile_code: str
) -> ContactRequest:
    """The core's request for a proposed contact, from records already read (no query)."""
    address = contact.address
    mine = contact.is_borrower
    preference = records.preference
    party = Party(
        party_id=contact.party_id,
        role=contact.party_role,
        home_zones=records.home_zones if mine else (),
        opt_outs=records.opt_outs_for(contact),
        **(records.stated if mine else {}),
    )
    is_workplace = address in records.work_points
    point = ContactPoint(
        channel=contact.channel,
        address=address,
        place="work" if is_workplace else None,
        is_workplace=is_workplace,
        workplace_consent=preference is not None
        and address in (preference.workplace_consent_addresses or []),
        automated_consent=records.consents.get((contact.channel, address)),
    )
    return ContactRequest(
        request_id=request_id,
        profile_code=profile_code,
        party=party,
        contact_point=point,
        purpose=contact.purpose,
        at=contact.at,
        debt_ids=frozenset({contact.account_number}) if contact.account_number else frozenset(),
        debtor_id=None if mine else contact.reference,
        autodialled=contact.autodialled,
        prerecorded=contact.prerecorded,
        artificial_voice=contact.artificial_voice,
        message_kind=contact.message_kind,
        direct_consent_at=contact.direct_consent_at,
        holds=records.holds_at(contact.at),
        debtor_unreachable=contact.debtor_unreachable,
        recontact_exception=contact.recontact_exception,
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


HISTORY_FIELDS = (
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
        .values_list(*HISTORY_FIELDS)
    )
    return ContactHistory((*attempts_of_rows(rows), *_permitted(proposal, since=since, now=now)))


#: How a permitted contact not yet in the log is counted: a call as answered (the strictest
#: outcome short of a conversation), anything else as sent.
_PENDING_OUTCOME = {Channel.CALL: AttemptOutcome.CONNECTED, Channel.VISIT: AttemptOutcome.CONNECTED}
PENDING = "permitted, not yet logged"


def _permitted(proposal: Proposal, *, since: dt.datetime, now: dt.datetime) -> Iterable[Attempt]:
    """Permits of the borrower not voided whose contact is not in the log: unused and still
    valid, or used (a call still going on) with no attempt recorded against them."""
    rows = pending_permits(Q(borrower=proposal.borrower), since=since, now=now)
    for row in rows.values_list(*PENDING_FIELDS):
        yield pending_attempt(row, reference=proposal.borrower.reference)


#: What a pending permit's row gives `pending_attempt` (in this order).
PENDING_FIELDS = (
    "used_at", "valid_from", "channel", "address", "decision__party_ref",
    "decision__account__number", "decision__purpose",
)  # fmt: skip


def pending_permits(wanted: Q, *, since: dt.datetime, now: dt.datetime) -> Any:
    """The permits (of the borrowers `wanted` names) whose contact is not in the log yet."""
    logged = ContactAttempt.objects.filter(permit=OuterRef("pk"))
    return (
        Permit.objects.filter(wanted, voided_at__isnull=True)
        .filter(
            Q(used_at__isnull=True, valid_until__gt=now) | (Q(used_at__gte=since) & ~Exists(logged))
        )
        .order_by("valid_from")
    )


def pending_attempt(row: tuple[Any, ...], *, reference: str) -> Attempt:
    """A permitted contact not yet in the log, as the attempt the caps count (`PENDING_FIELDS`)."""
    used_at, valid_from, channel, address, party_ref, number, purpose = row
    return Attempt(
        at=used_at or valid_from,
        channel=Channel(channel),
        party_id=party_ref or reference,
        address=address,
        outcome=_PENDING_OUTCOME.get(Channel(channel), AttemptOutcome.SENT),
        debt_ids=frozenset({number}) if number else frozenset(),
        by=PENDING,
        purpose=Purpose(purpose),
    )


def attempts_of_rows(rows: Iterable[tuple[Any, ...]]) -> Iterable[Attempt]:
    """Rows (`HISTORY_FIELDS`) come one per (attempt, account discussed), an attempt's rows
    together: gather each attempt's debts."""
    current: list[Any] | None = None
    debts: set[str] = set()
    for row in rows:
        if current is not None and row[0] != current[0]:
            yield attempt_of_row(current, debts)
            debts = set()
        current = list(row)
        if row[-1]:
            debts.add(row[-1])
    if current is not None:
        yield attempt_of_row(current, debts)


def attempt_of_row(row: Any, debts: set[str]) -> Attempt:
    """One attempt of `HISTORY_FIELDS` values and the debts it was about."""
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
