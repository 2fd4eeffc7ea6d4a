"""The check document: one JSON form for the CLI, the API and the decision log's snapshot."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

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
    Hold,
    HoldKind,
    OptOut,
    Party,
    Purpose,
    Role,
    TimeRange,
    decide,
)
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.compliance.wire import (
    check_document,
    decision_document,
    home_zones,
    parse_check,
)
from arrears.core.errors import ValidationError
from tests.core.compliance.builders import IDAHO_NUMBER, NY_NUMBER, profile, utc

NOW = utc(2025, 1, 22, 18, 30)


def full_request() -> tuple[ContactRequest, ContactHistory]:
    """A request using every field the document carries."""
    party = Party(
        party_id="B1",
        role=Role.GUARANTOR,
        home_zones=("America/New_York", "America/Chicago"),
        inconvenient_times=(TimeRange(dt.time(12), dt.time(13), frozenset({0, 1, 2})),),
        inconvenient_places=frozenset({"work", "hospital"}),
        agreed_times=(TimeRange(dt.time(22), dt.time(7)),),
        opt_outs=(OptOut(Channel.SMS, utc(2025, 1, 2), "+12125550100"), OptOut(Channel.EMAIL, NOW)),
        no_workplace_contact=True,
        refused_contact=True,
    )
    point = ContactPoint(
        channel=Channel.CALL,
        address=IDAHO_NUMBER,
        zones=("America/Boise",),
        place="work",
        is_workplace=True,
        workplace_consent=True,
        automated_consent=AutomatedConsent(utc(2024, 1, 1), utc(2025, 1, 20)),
    )
    request = ContactRequest(
        request_id="r-1",
        profile_code="US",
        party=party,
        contact_point=point,
        purpose=Purpose.LOCATION,
        at=NOW + dt.timedelta(hours=1),
        debt_ids=frozenset({"D1", "D2"}),
        debtor_id="B0",
        autodialled=True,
        prerecorded=True,
        artificial_voice=True,
        message_kind="reply_to_debtor",
        direct_consent_at=utc(2025, 1, 21),
        holds=(
            Hold(
                HoldKind.BANKRUPTCY,
                dt.date(2025, 1, 1),
                "jane",
                review_on=dt.date(2025, 3, 1),
                debt_ids=frozenset({"D1"}),
                petition_on=dt.date(2024, 12, 30),
                chapter=13,
                prior_dismissals_12m=1,
                discharged_on=dt.date(2025, 6, 1),
            ),
            Hold(
                HoldKind.BREATHING_SPACE,
                dt.date(2025, 1, 5),
                "ops",
                end_on=dt.date(2025, 3, 5),
                breathing_space=BreathingSpaceKind.STANDARD,
            ),
        ),
        debtor_unreachable=True,
        recontact_exception=True,
    )
    history = ContactHistory(
        (
            Attempt(
                at=utc(2025, 1, 20, 16),
                channel=Channel.CALL,
                party_id="B1",
                address=IDAHO_NUMBER,
                outcome=AttemptOutcome.CONVERSATION,
                debt_ids=frozenset({"D1", "D2"}),
                direction=Direction.INBOUND,
                direct_consent=True,
                by="agency-7",
                artificial_voice=True,
                purpose=Purpose.COLLECTION,
            ),
            Attempt(
                at=utc(2025, 1, 21, 16),
                channel=Channel.EMAIL,
                party_id="someone-else",
                address="b1@example.com",
                outcome=AttemptOutcome.SENT,
            ),
        )
    )
    return request, history


def test_a_snapshot_reads_back_as_the_same_request_and_history():
    request, history = full_request()

    document = check_document(request, history, now=NOW, house_rules=False)
    check = parse_check(copy.deepcopy(document))

    assert check.request == request
    assert check.history.attempts == history.attempts
    assert check.now == NOW
    assert (check.profile_code, check.house_rules) == ("US", False)
    assert check_document(check.request, check.history, now=check.now, house_rules=False) == (
        document
    )


def minimal() -> dict[str, Any]:
    return {
        "jurisdiction": "US",
        "at": "2025-01-22T18:30:00Z",
        "channel": "call",
        "address": NY_NUMBER,
        "borrower": {"id": "B1"},
    }


def test_a_minimal_request_takes_the_defaults():
    check = parse_check(minimal())

    request = check.request
    assert (request.purpose, request.party.role) == (Purpose.COLLECTION, Role.DEBTOR)
    assert check.house_rules is True and check.now == request.at
    assert request.party.home_zones == ()  # the gate falls back to the number, then the country
    assert decide(request, check.history, profile("US"), now=check.now).allowed


DROP = object()
TZ_0 = {"start": "21:00", "end": "21:00"}
BAD_DAY = {"start": "09:00", "end": "10:00", "weekdays": ["someday"]}
WHEN = {"at": "last Tuesday", "channel": "call", "number": "x", "outcome": "sent"}
NO_NUMBER = {"at": "2025-01-22T18:00:00Z", "channel": "call", "outcome": "sent"}
BOTH = {**NO_NUMBER, "number": "x", "address": "y"}
BACKWARDS = {"kind": "dispute", "start_on": "2025-01-02", "end_on": "2025-01-01"}
FAX = {"channel": "fax", "at": "2025-01-01T00:00:00Z"}
BREATHING = {"kind": "breathing_space", "start_on": "2025-01-01"}


def changed(document: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """The document with the value at a dotted path replaced (or dropped with DROP)."""
    *parents, last = path.split(".")
    target: Any = document
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is DROP:
        target.pop(last)
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("borrower", DROP, "borrower"),
        ("borrower.id", DROP, "borrower.id"),
        ("at", "2025-01-22T18:30:00", "at"),
        ("at", "yesterday", "at"),
        ("at", "9999-12-31T00:00:00Z", "at"),
        ("now", "2025-01-23T00:00:00Z", "at"),
        ("purpose", "sales", "purpose"),
        ("debts", "D1", "debts"),
        ("autodialled", "yes", "autodialled"),
        ("borrower.flags", {"vip": True}, "borrower.flags.vip"),
        ("borrower.addresses", [{}], "borrower.addresses[0]"),
        ("borrower.addresses", [{"country": "XX"}], "borrower.addresses[0].country"),
        ("borrower.inconvenient_times", [TZ_0], "borrower.inconvenient_times[0].end"),
        ("borrower.inconvenient_times", [BAD_DAY], "borrower.inconvenient_times[0].weekdays[0]"),
        ("borrower.holds", [{"kind": "dispute"}], "borrower.holds[0].start_on"),
        ("borrower.holds", [BREATHING], "borrower.holds[0].breathing_space"),
        ("borrower.holds", [BACKWARDS], "borrower.holds[0].end_on"),
        ("borrower.opt_outs", [FAX], "borrower.opt_outs[0].channel"),
        ("contact_point", {"zones": ["Nowhere/Land"]}, "contact_point.zones[0]"),
        ("history", [WHEN], "history[0].at"),
        ("history", [NO_NUMBER], "history[0].number"),
        ("history", [BOTH], "history[0].address"),
        ("jurisdiction", "JP", "jurisdiction"),
    ],
)
def test_a_bad_document_is_refused_naming_the_field(path, value, field):
    document = changed(minimal(), path, value)

    with pytest.raises(ValidationError) as refused:
        parse_check(document)

    assert refused.value.field == field


def test_weekdays_may_be_numbers_or_names():
    document = minimal()
    document["borrower"]["inconvenient_times"] = [
        {"start": "09:00", "end": "10:00", "weekdays": ["Mon", "tuesday", 6]}
    ]

    (stated,) = parse_check(document).request.party.inconvenient_times

    assert stated.weekdays == frozenset({0, 1, 6})


def test_a_person_is_where_their_address_is_else_their_phones_else_their_country():
    assert home_zones(["America/Chicago"], [NY_NUMBER], "US") == ("America/Chicago",)
    assert home_zones([], [IDAHO_NUMBER], "US") == ("America/Boise", "America/Los_Angeles")
    assert "Pacific/Honolulu" in home_zones([], [], "US")
    assert home_zones([], [], None) == ()


def test_the_answer_names_every_rule_with_both_reasons_and_a_utc_time():
    check = parse_check({**minimal(), "at": "2025-01-23T03:00:00Z"})  # 22:00 in New York

    answer = decision_document(decide(check.request, check.history, profile("US"), now=check.now))

    assert answer["allowed"] is False
    assert answer["next_permitted_at"] == "2025-01-23T13:00:00Z"
    hours = next(r for r in answer["rules"] if r["id"] == "hours.window")
    assert hours["outcome"] == "deny" and hours["reason"] and hours["reason_zh"]
    assert hours["citation"]["ref"] == "US-COMM-01"


@pytest.mark.parametrize(
    ("code", "profile_code"),
    [("US", "US"), ("gb", "UK"), ("UK", "UK"), ("IE", "IE"), ("FR", "EU"), ("CN", "CN")],
)
def test_a_country_picks_its_profile(code, profile_code):
    assert profile_code_for(code) == profile_code
