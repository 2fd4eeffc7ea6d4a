"""Scalar values to the batch gate's frames, so the same inputs can feed `decide` and
`decide_batch` (the differential test does exactly that), and a caller holding objects can
use the batch form.

The nightly cycle builds the same columns straight from the database; this is their meaning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import (
    Attempt,
    AttemptOutcome,
    AutomatedConsent,
    BreathingSpaceKind,
    Channel,
    ContactPoint,
    ContactRequest,
    Direction,
    Hold,
    HoldKind,
    OptOut,
    Party,
    Purpose,
    Role,
    TimeRange,
)
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.vectorised.clock import weekday_mask
from arrears.core.compliance.vectorised.frames import HOLD, TIME_RANGE
from arrears.core.compliance.vectorised.params import DType
from arrears.core.compliance.zones import candidate_zones

_STAMP = pl.Datetime("us", "UTC")

PROPOSAL_SCHEMA: dict[str, DType] = {
    "request_id": pl.String,
    "profile_code": pl.String,
    "party_id": pl.String,
    "role": pl.String,
    "debt_ids": pl.List(pl.String),
    "channel": pl.String,
    "address": pl.String,
    "place": pl.String,
    "is_workplace": pl.Boolean,
    "workplace_consent": pl.Boolean,
    "purpose": pl.String,
    "at": _STAMP,
    "zones": pl.List(pl.String),
    "autodialled": pl.Boolean,
    "prerecorded": pl.Boolean,
    "artificial_voice": pl.Boolean,
    "message_kind": pl.String,
    "direct_consent_at": _STAMP,
    "debtor_unreachable": pl.Boolean,
    "recontact_exception": pl.Boolean,
    "refused_contact": pl.Boolean,
    "no_workplace_contact": pl.Boolean,
    "inconvenient_places": pl.List(pl.String),
    "inconvenient_times": pl.List(TIME_RANGE),
    "agreed_times": pl.List(TIME_RANGE),
    "opt_out_here": pl.Boolean,
    "opt_out_channel": pl.Boolean,
    "consent_given_at": _STAMP,
    "consent_revoked_at": _STAMP,
    "holds": pl.List(HOLD),
}

HISTORY_SCHEMA: dict[str, DType] = {
    "attempt_id": pl.Int64,
    "party_id": pl.String,
    "debt_id": pl.String,
    "channel": pl.String,
    "address": pl.String,
    "at": _STAMP,
    "outcome": pl.String,
    "direction": pl.String,
    "direct_consent": pl.Boolean,
    "artificial_voice": pl.Boolean,
    "by": pl.String,
    "purpose": pl.String,
}


def _ranges(ranges: Iterable[TimeRange]) -> list[dict[str, Any]]:
    return [{"start": r.start, "end": r.end, "weekdays": weekday_mask(r.weekdays)} for r in ranges]


def proposal_row(request: ContactRequest, profile: Profile) -> dict[str, Any]:
    """One proposal row: the request's facts, flattened as the nightly cycle would."""
    party, point = request.party, request.contact_point
    stops = [s for s in party.opt_outs if s.channel is request.channel]
    consent = point.automated_consent
    return {
        "request_id": request.request_id,
        "profile_code": request.profile_code,
        "party_id": party.party_id,
        "role": party.role.value,
        "debt_ids": sorted(request.debt_ids),
        "channel": request.channel.value,
        "address": point.address,
        "place": point.place,
        "is_workplace": point.is_workplace,
        "workplace_consent": point.workplace_consent,
        "purpose": request.purpose.value,
        "at": request.at,
        "zones": list(candidate_zones(request, country=profile.country, basis=profile.zone_basis)),
        "autodialled": request.autodialled,
        "prerecorded": request.prerecorded,
        "artificial_voice": request.artificial_voice,
        "message_kind": request.message_kind,
        "direct_consent_at": request.direct_consent_at,
        "debtor_unreachable": request.debtor_unreachable,
        "recontact_exception": request.recontact_exception,
        "refused_contact": party.refused_contact,
        "no_workplace_contact": party.no_workplace_contact,
        "inconvenient_places": sorted(party.inconvenient_places),
        "inconvenient_times": _ranges(party.inconvenient_times),
        "agreed_times": _ranges(party.agreed_times),
        "opt_out_here": any(s.address is None or s.address == point.address for s in stops),
        "opt_out_channel": bool(stops),
        "consent_given_at": None if consent is None else consent.given_at,
        "consent_revoked_at": None if consent is None else consent.revoked_at,
        "holds": [
            {
                "kind": h.kind.value,
                "start_on": h.start_on,
                "end_on": h.end_on,
                "review_on": h.review_on,
                "set_by": h.set_by,
                "debt_ids": sorted(h.debt_ids),
                "petition_on": h.petition_on,
                "prior_dismissals_12m": h.prior_dismissals_12m,
                "discharged_on": h.discharged_on,
                "breathing_space": None if h.breathing_space is None else h.breathing_space.value,
            }
            for h in request.holds
        ],
    }


def proposals_frame(
    requests: Iterable[ContactRequest], profiles: Mapping[str, Profile]
) -> pl.DataFrame:
    """The proposals frame for these requests (zones resolved with each request's profile)."""
    rows = [proposal_row(r, profiles[r.profile_code]) for r in requests]
    return pl.DataFrame(rows, schema=PROPOSAL_SCHEMA, orient="row")


def history_rows(attempts: Iterable[Attempt]) -> list[dict[str, Any]]:
    rows = []
    for number, attempt in enumerate(attempts):
        debts: list[str | None] = [*sorted(attempt.debt_ids)] or [None]
        for debt in debts:
            rows.append(
                {
                    "attempt_id": number,
                    "party_id": attempt.party_id,
                    "debt_id": debt,
                    "channel": attempt.channel.value,
                    "address": attempt.address,
                    "at": attempt.at,
                    "outcome": attempt.outcome.value,
                    "direction": attempt.direction.value,
                    "direct_consent": attempt.direct_consent,
                    "artificial_voice": attempt.artificial_voice,
                    "by": attempt.by,
                    "purpose": None if attempt.purpose is None else attempt.purpose.value,
                }
            )
    return rows


def history_frame(history: ContactHistory | Iterable[Attempt]) -> pl.DataFrame:
    """The contact log, one row per attempt and debt (a null debt: about no particular debt)."""
    attempts = history.attempts if isinstance(history, ContactHistory) else tuple(history)
    return pl.DataFrame(history_rows(attempts), schema=HISTORY_SCHEMA, orient="row")


# --- and back: rows to scalar values (to put a sample of a batch to the scalar gate) -------------


def _range_of(item: Mapping[str, Any]) -> TimeRange:
    mask = int(item["weekdays"])
    return TimeRange(item["start"], item["end"], frozenset(d for d in range(7) if mask >> d & 1))


def request_of(row: Mapping[str, Any]) -> ContactRequest:
    """The scalar request a proposal row stands for (`proposals_frame` undone).

    The row's resolved zones become the party's and the point's zones, so the scalar gate
    resolves the same candidate zones (an empty list can only be kept for non-phone channels).
    Opt-out facts become one opt-out here and, if any elsewhere, one at another address.
    """
    channel = Channel(row["channel"])
    zones = tuple(row["zones"])
    stops: list[OptOut] = []
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    if row.get("opt_out_here"):
        stops.append(OptOut(channel, epoch, str(row["address"])))
    if row.get("opt_out_channel") and not row.get("opt_out_here"):
        stops.append(OptOut(channel, epoch, f"{row['address']}#elsewhere"))
    given = row.get("consent_given_at")
    consent = None if given is None else AutomatedConsent(given, row.get("consent_revoked_at"))
    party = Party(
        party_id=row["party_id"],
        role=Role(row.get("role") or "debtor"),
        home_zones=zones,
        inconvenient_times=tuple(_range_of(r) for r in row.get("inconvenient_times") or ()),
        inconvenient_places=frozenset(row.get("inconvenient_places") or ()),
        agreed_times=tuple(_range_of(r) for r in row.get("agreed_times") or ()),
        opt_outs=tuple(stops),
        no_workplace_contact=bool(row.get("no_workplace_contact")),
        refused_contact=bool(row.get("refused_contact")),
    )
    point = ContactPoint(
        channel,
        str(row["address"]),
        zones=zones,
        place=row.get("place"),
        is_workplace=bool(row.get("is_workplace")),
        workplace_consent=bool(row.get("workplace_consent")),
        automated_consent=consent,
    )
    holds = tuple(
        Hold(
            kind=HoldKind(h["kind"]),
            start_on=h["start_on"],
            set_by=h.get("set_by") or "",
            end_on=h.get("end_on"),
            review_on=h.get("review_on"),
            debt_ids=frozenset(h.get("debt_ids") or ()),
            petition_on=h.get("petition_on"),
            prior_dismissals_12m=h.get("prior_dismissals_12m") or 0,
            discharged_on=h.get("discharged_on"),
            breathing_space=None
            if h.get("breathing_space") is None
            else BreathingSpaceKind(h["breathing_space"]),
        )
        for h in row.get("holds") or ()
    )
    return ContactRequest(
        request_id=str(row["request_id"]),
        profile_code=str(row["profile_code"]),
        party=party,
        contact_point=point,
        purpose=Purpose(row["purpose"]),
        at=row["at"],
        debt_ids=frozenset(row.get("debt_ids") or ()),
        autodialled=bool(row.get("autodialled")),
        prerecorded=bool(row.get("prerecorded")),
        artificial_voice=bool(row.get("artificial_voice")),
        message_kind=row.get("message_kind"),
        direct_consent_at=row.get("direct_consent_at"),
        holds=holds,
        debtor_unreachable=bool(row.get("debtor_unreachable")),
        recontact_exception=bool(row.get("recontact_exception")),
    )


def attempts_of(frame: pl.DataFrame) -> list[Attempt]:
    """The attempts a log frame holds (`history_frame` undone: debt rows gathered back)."""
    grouped = frame.group_by("attempt_id", maintain_order=True).agg(
        pl.all().exclude("debt_id").first(), pl.col("debt_id").drop_nulls().alias("debt_ids")
    )
    found = []
    for row in grouped.iter_rows(named=True):
        purpose = row.get("purpose")
        found.append(
            Attempt(
                at=row["at"],
                channel=Channel(row["channel"]),
                party_id=row["party_id"],
                address=str(row["address"]),
                outcome=AttemptOutcome(row["outcome"]),
                debt_ids=frozenset(row["debt_ids"]),
                direction=Direction(row.get("direction") or "outbound"),
                direct_consent=bool(row.get("direct_consent")),
                by=row.get("by") or "lender",
                artificial_voice=bool(row.get("artificial_voice")),
                purpose=None if purpose is None else Purpose(purpose),
            )
        )
    return found
