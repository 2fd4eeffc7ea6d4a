"""The JSON form of a contact request: the check file, the API body, the decision log's snapshot.

One document says everything the gate needs — the jurisdiction, the person (addresses, phones,
flags, stated preferences, opt-outs, holds), the proposed contact and the contact history — so
a decision can be checked without a database (`arrears compliance check FILE.json`,
``POST /api/v1/compliance/check``) and a logged decision can be replayed from its snapshot:
`parse_check(check_document(...))` gives back the same request and history.

    {"jurisdiction": "US", "at": "2025-01-22T14:00:00Z", "channel": "call",
     "address": "+12125550100", "purpose": "collection", "debts": ["ACC-1"],
     "borrower": {"id": "B1", "addresses": [{"time_zone": "America/New_York"}],
                  "phones": ["+12125550100"], "flags": {"no_workplace_contact": false},
                  "holds": [], "opt_outs": []},
     "history": [{"at": "2025-01-20T15:00:00Z", "channel": "call", "number": "+12125550100",
                  "outcome": "conversation", "debts": ["ACC-1"]}]}

Every error names the field by its dotted path (``history[2].outcome``). Pure Python.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from arrears.core.compliance._schema import WEEKDAY_NAMES, read_time
from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.compliance.model import (
    ALL_WEEKDAYS,
    Attempt,
    AttemptOutcome,
    AutomatedConsent,
    BreathingSpaceKind,
    Channel,
    ContactPoint,
    ContactRequest,
    Decision,
    Direction,
    Hold,
    HoldKind,
    OptOut,
    Party,
    Purpose,
    Role,
    TimeRange,
)
from arrears.core.compliance.zones import country_zones, number_zones, zone
from arrears.core.errors import ValidationError

#: Instants and dates outside these years are refused (they are typing errors, and date
#: arithmetic near year 9999 would overflow).
EARLIEST_YEAR = 1970
LATEST_YEAR = 2200
#: The most history rows one document may carry.
MAX_HISTORY = 50_000
_MAX_LIST = 200

E = TypeVar("E", bound=StrEnum)

_TOP = frozenset(
    {
        "jurisdiction", "house_rules", "now", "at", "request_id", "channel", "address",
        "purpose", "debts", "debtor_id", "message_kind", "autodialled", "prerecorded",
        "artificial_voice", "direct_consent_at", "contact_point", "borrower", "history",
    }
)  # fmt: skip
_BORROWER = frozenset(
    {
        "id", "role", "addresses", "phones", "flags", "inconvenient_times", "agreed_times",
        "inconvenient_places", "opt_outs", "holds",
    }
)  # fmt: skip
_FLAGS = frozenset(
    {"no_workplace_contact", "refused_contact", "debtor_unreachable", "recontact_exception"}
)
_POINT = frozenset({"zones", "place", "is_workplace", "workplace_consent", "automated_consent"})
_ADDRESS = frozenset({"time_zone", "country"})
_HOLD = frozenset(
    {
        "kind", "start_on", "end_on", "review_on", "set_by", "debts", "petition_on", "chapter",
        "prior_dismissals_12m", "discharged_on", "breathing_space",
    }
)  # fmt: skip
_ATTEMPT = frozenset(
    {
        "at", "channel", "number", "address", "outcome", "debts", "direction", "party", "by",
        "artificial_voice", "direct_consent", "purpose",
    }
)  # fmt: skip


@dataclass(frozen=True)
class CheckRequest:
    """A parsed check document: which profile, whether house rules apply, and the gate's inputs."""

    profile_code: str
    house_rules: bool
    request: ContactRequest
    history: ContactHistory
    now: dt.datetime


# --- reading ------------------------------------------------------------------------------------


def parse_check(data: object) -> CheckRequest:
    """Read a check document (see the module docstring); errors name the field."""
    doc = _mapping("request", data, _TOP)
    profile_code = profile_code_for(_text("jurisdiction", doc.get("jurisdiction")))
    at = _instant("at", doc.get("at"))
    now = _instant("now", doc["now"]) if doc.get("now") is not None else at
    if at < now:
        raise ValidationError("at", "is before now: a contact cannot be made in the past")
    channel = _enum("channel", doc.get("channel"), Channel)
    address = _text("address", doc.get("address"))
    borrower = _mapping("borrower", doc.get("borrower"), _BORROWER)
    party_id = _text("borrower.id", borrower.get("id"))
    flags = _flags(borrower.get("flags"))
    point = _contact_point(doc.get("contact_point"), channel, address)
    party = Party(
        party_id=party_id,
        role=_enum("borrower.role", borrower.get("role", "debtor"), Role),
        home_zones=_home_zones(borrower),
        inconvenient_times=_ranges("borrower.inconvenient_times", borrower),
        inconvenient_places=frozenset(
            _texts("borrower.inconvenient_places", borrower.get("inconvenient_places"))
        ),
        agreed_times=_ranges("borrower.agreed_times", borrower),
        opt_outs=tuple(
            _opt_out(f"borrower.opt_outs[{i}]", raw)
            for i, raw in enumerate(_list("borrower.opt_outs", borrower.get("opt_outs")))
        ),
        no_workplace_contact=flags["no_workplace_contact"],
        refused_contact=flags["refused_contact"],
    )
    request = ContactRequest(
        request_id=_optional_text("request_id", doc.get("request_id")) or uuid.uuid4().hex,
        profile_code=profile_code,
        party=party,
        contact_point=point,
        purpose=_enum("purpose", doc.get("purpose", "collection"), Purpose),
        at=at,
        debt_ids=frozenset(_texts("debts", doc.get("debts"))),
        debtor_id=_optional_text("debtor_id", doc.get("debtor_id")),
        autodialled=_bool("autodialled", doc.get("autodialled", False)),
        prerecorded=_bool("prerecorded", doc.get("prerecorded", False)),
        artificial_voice=_bool("artificial_voice", doc.get("artificial_voice", False)),
        message_kind=_optional_text("message_kind", doc.get("message_kind")),
        direct_consent_at=_optional_instant("direct_consent_at", doc.get("direct_consent_at")),
        holds=tuple(
            _hold(f"borrower.holds[{i}]", raw)
            for i, raw in enumerate(_list("borrower.holds", borrower.get("holds")))
        ),
        debtor_unreachable=flags["debtor_unreachable"],
        recontact_exception=flags["recontact_exception"],
    )
    history = _list("history", doc.get("history"), limit=MAX_HISTORY)
    attempts = tuple(_attempt(f"history[{i}]", raw, party_id) for i, raw in enumerate(history))
    return CheckRequest(
        profile_code=profile_code,
        house_rules=_bool("house_rules", doc.get("house_rules", True)),
        request=request,
        history=ContactHistory(attempts),
        now=now,
    )


def home_zones(
    address_zones: Iterable[str], phones: Iterable[str], country: str | None
) -> tuple[str, ...]:
    """The zones a person may be in: their addresses', else their phone numbers', else every zone
    of their country; empty when nothing is known (the gate then refuses to guess the hour)."""
    zones = tuple(dict.fromkeys(z for z in address_zones if z))
    if zones:
        return zones
    region = _region(country)
    from_phones = tuple(dict.fromkeys(z for number in phones for z in number_zones(number, region)))
    if from_phones:
        return from_phones
    return country_zones(country) if country else ()


def _home_zones(borrower: Mapping[str, Any]) -> tuple[str, ...]:
    address_zones: list[str] = []
    for i, raw in enumerate(_list("borrower.addresses", borrower.get("addresses"))):
        where = f"borrower.addresses[{i}]"
        address = _mapping(where, raw, _ADDRESS)
        if address.get("time_zone") is not None:
            key = _text(f"{where}.time_zone", address["time_zone"])
            try:
                zone(key)
            except ValidationError:
                raise ValidationError(
                    f"{where}.time_zone", f"{key!r} is not an IANA time zone"
                ) from None
            address_zones.append(key)
        elif address.get("country") is not None:
            country = _text(f"{where}.country", address["country"]).upper()
            try:
                address_zones.extend(country_zones(country))
            except ValidationError as error:
                raise ValidationError(f"{where}.country", error.reason) from None
        else:
            raise ValidationError(where, "give the address's time_zone or its country")
    phones = _texts("borrower.phones", borrower.get("phones"))
    return home_zones(address_zones, phones, None)


def _region(country: str | None) -> str | None:
    code = (country or "").strip().upper()
    return "GB" if code == "UK" else code if len(code) == 2 else None


def _flags(raw: object) -> dict[str, bool]:
    flags = _mapping("borrower.flags", raw if raw is not None else {}, _FLAGS)
    return {name: _bool(f"borrower.flags.{name}", flags.get(name, False)) for name in _FLAGS}


def _contact_point(raw: object, channel: Channel, address: str) -> ContactPoint:
    point = _mapping("contact_point", raw if raw is not None else {}, _POINT)
    zones = tuple(_texts("contact_point.zones", point.get("zones")))
    for i, key in enumerate(zones):
        try:
            zone(key)
        except ValidationError:
            raise ValidationError(
                f"contact_point.zones[{i}]", f"{key!r} is not an IANA time zone"
            ) from None
    consent = None
    if point.get("automated_consent") is not None:
        where = "contact_point.automated_consent"
        given = _mapping(where, point["automated_consent"], frozenset({"given_at", "revoked_at"}))
        consent = AutomatedConsent(
            given_at=_instant(f"{where}.given_at", given.get("given_at")),
            revoked_at=_optional_instant(f"{where}.revoked_at", given.get("revoked_at")),
        )
    return ContactPoint(
        channel=channel,
        address=address,
        zones=zones,
        place=_optional_text("contact_point.place", point.get("place")),
        is_workplace=_bool("contact_point.is_workplace", point.get("is_workplace", False)),
        workplace_consent=_bool(
            "contact_point.workplace_consent", point.get("workplace_consent", False)
        ),
        automated_consent=consent,
    )


def _ranges(path: str, borrower: Mapping[str, Any]) -> tuple[TimeRange, ...]:
    key = path.rsplit(".", 1)[1]
    return tuple(
        time_range(f"{path}[{i}]", raw) for i, raw in enumerate(_list(path, borrower.get(key)))
    )


def time_range(path: str, raw: object) -> TimeRange:
    """`{"start": "12:00", "end": "14:00", "weekdays": ["mon", 1]}` (weekdays: 0 = Monday)."""
    data = _mapping(path, raw, frozenset({"start", "end", "weekdays"}))
    weekdays = (
        frozenset(
            _weekday(f"{path}.weekdays[{i}]", day)
            for i, day in enumerate(_list(f"{path}.weekdays", data["weekdays"]))
        )
        if data.get("weekdays") is not None
        else ALL_WEEKDAYS
    )
    try:
        return TimeRange(
            start=read_time(f"{path}.start", data.get("start")),
            end=read_time(f"{path}.end", data.get("end")),
            weekdays=weekdays,
        )
    except ValidationError as error:
        if error.field.startswith(path):
            raise
        raise ValidationError(f"{path}.{error.field}", error.reason) from None


def _weekday(path: str, raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= 6:
        return raw
    if isinstance(raw, str):
        name = raw.strip().lower()
        for number, full in enumerate(WEEKDAY_NAMES):
            if len(name) >= 3 and full.startswith(name):
                return number
    raise ValidationError(path, "must be 0 (Monday) … 6 (Sunday) or a day's name")


def _opt_out(path: str, raw: object) -> OptOut:
    data = _mapping(path, raw, frozenset({"channel", "address", "at"}))
    return OptOut(
        channel=_enum(f"{path}.channel", data.get("channel"), Channel),
        at=_instant(f"{path}.at", data.get("at")),
        address=_optional_text(f"{path}.address", data.get("address")),
    )


def _hold(path: str, raw: object) -> Hold:
    data = _mapping(path, raw, _HOLD)
    chapter = data.get("chapter")
    if chapter is not None and (not isinstance(chapter, int) or isinstance(chapter, bool)):
        raise ValidationError(f"{path}.chapter", "must be a whole number (7, 11, 13)")
    dismissals = data.get("prior_dismissals_12m", 0)
    if not isinstance(dismissals, int) or isinstance(dismissals, bool):
        raise ValidationError(f"{path}.prior_dismissals_12m", "must be a whole number")
    kind = _enum(f"{path}.kind", data.get("kind"), HoldKind)
    try:
        return Hold(
            kind=kind,
            start_on=_date(f"{path}.start_on", data.get("start_on")),
            set_by=_optional_text(f"{path}.set_by", data.get("set_by")) or "unknown",
            end_on=_optional_date(f"{path}.end_on", data.get("end_on")),
            review_on=_optional_date(f"{path}.review_on", data.get("review_on")),
            debt_ids=frozenset(_texts(f"{path}.debts", data.get("debts"))),
            petition_on=_optional_date(f"{path}.petition_on", data.get("petition_on")),
            chapter=chapter,
            prior_dismissals_12m=dismissals,
            discharged_on=_optional_date(f"{path}.discharged_on", data.get("discharged_on")),
            breathing_space=(
                _enum(f"{path}.breathing_space", data["breathing_space"], BreathingSpaceKind)
                if data.get("breathing_space") is not None
                else None
            ),
        )
    except ValidationError as error:
        if error.field.startswith(path):
            raise
        raise ValidationError(f"{path}.{error.field}", error.reason) from None


def _attempt(path: str, raw: object, party_id: str) -> Attempt:
    data = _mapping(path, raw, _ATTEMPT)
    if "number" in data and "address" in data:
        raise ValidationError(f"{path}.address", "give the number or the address, not both")
    address = data.get("number", data.get("address"))
    at = _instant(f"{path}.at", data.get("at"))
    purpose = data.get("purpose")
    return Attempt(
        at=at,
        channel=_enum(f"{path}.channel", data.get("channel"), Channel),
        party_id=_optional_text(f"{path}.party", data.get("party")) or party_id,
        address=_text(f"{path}.number", address),
        outcome=_enum(f"{path}.outcome", data.get("outcome"), AttemptOutcome),
        debt_ids=frozenset(_texts(f"{path}.debts", data.get("debts"))),
        direction=_enum(f"{path}.direction", data.get("direction", "outbound"), Direction),
        direct_consent=_bool(f"{path}.direct_consent", data.get("direct_consent", False)),
        by=_optional_text(f"{path}.by", data.get("by")) or "lender",
        artificial_voice=_bool(f"{path}.artificial_voice", data.get("artificial_voice", False)),
        purpose=_enum(f"{path}.purpose", purpose, Purpose) if purpose is not None else None,
    )


# --- writing ------------------------------------------------------------------------------------


def check_document(
    request: ContactRequest,
    history: ContactHistory | Sequence[Attempt],
    *,
    now: dt.datetime,
    house_rules: bool = True,
) -> dict[str, Any]:
    """The check document of a request and its history: what the decision log stores.

    The person's zones are written as resolved (one address per zone), so reading the document
    back gives the same request whatever the number maps said at the time.
    """
    party = request.party
    point = request.contact_point
    attempts = history.attempts if isinstance(history, ContactHistory) else tuple(history)
    return {
        "jurisdiction": request.profile_code,
        "house_rules": house_rules,
        "request_id": request.request_id,
        "now": now.isoformat(),
        "at": request.at.isoformat(),
        "channel": point.channel.value,
        "address": point.address,
        "purpose": request.purpose.value,
        "debts": sorted(request.debt_ids),
        "debtor_id": request.debtor_id,
        "message_kind": request.message_kind,
        "autodialled": request.autodialled,
        "prerecorded": request.prerecorded,
        "artificial_voice": request.artificial_voice,
        "direct_consent_at": _iso(request.direct_consent_at),
        "contact_point": {
            "zones": list(point.zones),
            "place": point.place,
            "is_workplace": point.is_workplace,
            "workplace_consent": point.workplace_consent,
            "automated_consent": None
            if point.automated_consent is None
            else {
                "given_at": point.automated_consent.given_at.isoformat(),
                "revoked_at": _iso(point.automated_consent.revoked_at),
            },
        },
        "borrower": {
            "id": party.party_id,
            "role": party.role.value,
            "addresses": [{"time_zone": z} for z in party.home_zones],
            "phones": [],
            "flags": {
                "no_workplace_contact": party.no_workplace_contact,
                "refused_contact": party.refused_contact,
                "debtor_unreachable": request.debtor_unreachable,
                "recontact_exception": request.recontact_exception,
            },
            "inconvenient_times": [_range_document(r) for r in party.inconvenient_times],
            "agreed_times": [_range_document(r) for r in party.agreed_times],
            "inconvenient_places": sorted(party.inconvenient_places),
            "opt_outs": [
                {"channel": o.channel.value, "address": o.address, "at": o.at.isoformat()}
                for o in party.opt_outs
            ],
            "holds": [_hold_document(h) for h in request.holds],
        },
        "history": [_attempt_document(a) for a in attempts],
    }


def _range_document(time_range: TimeRange) -> dict[str, Any]:
    return {
        "start": time_range.start.strftime("%H:%M"),
        "end": time_range.end.strftime("%H:%M"),
        "weekdays": sorted(time_range.weekdays),
    }


def _hold_document(hold: Hold) -> dict[str, Any]:
    return {
        "kind": hold.kind.value,
        "start_on": hold.start_on.isoformat(),
        "end_on": _iso(hold.end_on),
        "review_on": _iso(hold.review_on),
        "set_by": hold.set_by,
        "debts": sorted(hold.debt_ids),
        "petition_on": _iso(hold.petition_on),
        "chapter": hold.chapter,
        "prior_dismissals_12m": hold.prior_dismissals_12m,
        "discharged_on": _iso(hold.discharged_on),
        "breathing_space": None if hold.breathing_space is None else hold.breathing_space.value,
    }


def _attempt_document(attempt: Attempt) -> dict[str, Any]:
    return {
        "at": attempt.at.isoformat(),
        "channel": attempt.channel.value,
        "number": attempt.address,
        "outcome": attempt.outcome.value,
        "debts": sorted(attempt.debt_ids),
        "direction": attempt.direction.value,
        "party": attempt.party_id,
        "by": attempt.by,
        "artificial_voice": attempt.artificial_voice,
        "direct_consent": attempt.direct_consent,
        "purpose": None if attempt.purpose is None else attempt.purpose.value,
    }


def decision_document(decision: Decision) -> dict[str, Any]:
    """What the CLI prints and the API answers: allowed, each rule's answer, the next time.

    `reason` is in English and `reason_zh` in Chinese; `citation` is the source with its
    reference id and verification label. Instants are UTC, written with a `Z`.
    """
    return {
        "allowed": decision.allowed,
        "at": utc_text(decision.at.isoformat()),
        "next_permitted_at": utc_text(_iso(decision.next_permitted_at)),
        "profile": {"code": decision.profile_code, "version": decision.profile_version},
        "rules": rules_document(decision.as_dict()["rules"]),  # type: ignore[arg-type]
    }


def rules_document(logged: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rule answers as logged (`Decision.as_dict()["rules"]`) in the CLI and API shape."""
    return [
        {
            "id": rule["id"],
            "outcome": rule["outcome"],
            "reason": rule["reason_en"],
            "reason_zh": rule["reason_zh"],
            "citation": rule["citation"],
            "next_permitted_at": utc_text(rule["next_permitted_at"]),
        }
        for rule in logged
    ]


def utc_text(instant: str | None) -> str | None:
    """An ISO instant in UTC written with `Z` (as the API writes it): one spelling everywhere."""
    if instant is not None and instant.endswith("+00:00"):
        return instant[: -len("+00:00")] + "Z"
    return instant


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


# --- small readers ------------------------------------------------------------------------------


def _mapping(path: str, raw: object, allowed: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValidationError(path, "must be an object")
    for key in raw:
        if key not in allowed:
            where = f"{path}.{key}" if path != "request" else str(key)
            raise ValidationError(where, "unknown field")
    return raw


def _list(path: str, raw: object, *, limit: int = _MAX_LIST) -> Sequence[Any]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise ValidationError(path, "must be a list")
    if len(raw) > limit:
        raise ValidationError(path, f"has {len(raw)} items; at most {limit}")
    return raw


def _text(path: str, raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(path, "is required, as text")
    if len(raw) > 320 or any(ord(c) < 32 for c in raw):
        raise ValidationError(path, "must be one line of at most 320 characters")
    return raw.strip()


def _optional_text(path: str, raw: object) -> str | None:
    return None if raw is None or raw == "" else _text(path, raw)


def _texts(path: str, raw: object) -> list[str]:
    return [_text(f"{path}[{i}]", item) for i, item in enumerate(_list(path, raw))]


def _bool(path: str, raw: object) -> bool:
    if not isinstance(raw, bool):
        raise ValidationError(path, "must be true or false")
    return raw


def _enum(path: str, raw: object, enum: type[E]) -> E:
    try:
        return enum(str(raw).strip().lower()) if isinstance(raw, str) else enum("\0")
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError(path, f"must be one of {allowed}") from None


def _instant(path: str, raw: object) -> dt.datetime:
    if not isinstance(raw, str):
        raise ValidationError(path, "is required: an ISO 8601 instant with its offset")
    text = raw.strip()
    try:
        value = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ValidationError(path, f"{raw!r} is not an ISO 8601 instant") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(path, "must carry its UTC offset, e.g. 2025-01-22T14:00:00Z")
    if not EARLIEST_YEAR <= value.year < LATEST_YEAR:
        raise ValidationError(path, f"must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value.astimezone(dt.UTC)


def _optional_instant(path: str, raw: object) -> dt.datetime | None:
    return None if raw is None else _instant(path, raw)


def _date(path: str, raw: object) -> dt.date:
    if not isinstance(raw, str):
        raise ValidationError(path, "is required: a date, YYYY-MM-DD")
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(path, f"{raw!r} is not a date, YYYY-MM-DD") from None
    if not 1900 <= value.year < LATEST_YEAR:
        raise ValidationError(path, f"must lie between 1900 and {LATEST_YEAR}")
    return value


def _optional_date(path: str, raw: object) -> dt.date | None:
    return None if raw is None else _date(path, raw)
