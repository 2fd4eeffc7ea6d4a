"""Small builders for requests, attempts and profiles, so tests read in the rules' own terms."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from arrears.core.compliance import (
    Attempt,
    AttemptOutcome,
    Channel,
    ContactHistory,
    ContactPoint,
    ContactRequest,
    Decision,
    Party,
    Profile,
    Purpose,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
    decide,
)

UTC = dt.UTC
NY_NUMBER = "+12125550100"  # Manhattan: America/New_York
IDAHO_NUMBER = "+12085550100"  # area code 208: America/Boise and America/Los_Angeles
CN_MOBILE = "+8613800138000"
IE_MOBILE = "+353871234567"
UK_MOBILE = "+447700900123"

DEFAULT_NUMBER = {"US": NY_NUMBER, "CN": CN_MOBILE, "IE": IE_MOBILE, "UK": UK_MOBILE, "EU": "x"}


def profile(code: str, *, house: bool = False) -> Profile:
    found = bundled_profile(code)
    return apply_house_rules(found, bundled_house_rules()) if house else found


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def request(
    code: str = "US",
    at: dt.datetime | None = None,
    *,
    channel: Channel = Channel.CALL,
    address: str | None = None,
    party: Party | None = None,
    point: ContactPoint | None = None,
    **changes: Any,
) -> ContactRequest:
    point = point or ContactPoint(channel, address or DEFAULT_NUMBER[code])
    base = ContactRequest(
        request_id="req-1",
        profile_code=code,
        party=party or Party("p1"),
        contact_point=point,
        purpose=Purpose.COLLECTION,
        at=at or utc(2025, 1, 15, 17, 0),
        debt_ids=frozenset({"d1"}),
    )
    return dataclasses.replace(base, **changes)


def call(
    at: dt.datetime,
    outcome: AttemptOutcome = AttemptOutcome.NO_ANSWER,
    *,
    debts: tuple[str, ...] = ("d1",),
    party_id: str = "p1",
    address: str = NY_NUMBER,
    **changes: Any,
) -> Attempt:
    return Attempt(
        at=at,
        channel=Channel.CALL,
        party_id=party_id,
        address=address,
        outcome=outcome,
        debt_ids=frozenset(debts),
        **changes,
    )


def message(
    at: dt.datetime, channel: Channel = Channel.SMS, *, party_id: str = "p1", address: str = "a"
) -> Attempt:
    return Attempt(
        at=at,
        channel=channel,
        party_id=party_id,
        address=address,
        outcome=AttemptOutcome.SENT,
        debt_ids=frozenset({"d1"}),
        purpose=Purpose.COLLECTION,
    )


def history(*attempts: Attempt) -> ContactHistory:
    return ContactHistory(attempts)


def run(
    req: ContactRequest,
    attempts: ContactHistory | tuple[Attempt, ...] = (),
    prof: Profile | None = None,
    *,
    now: dt.datetime | None = None,
) -> Decision:
    hist = attempts if isinstance(attempts, ContactHistory) else ContactHistory(attempts)
    return decide(req, hist, prof or profile(req.profile_code), now=now or req.at)


def result(decision: Decision, rule_id: str) -> Any:
    found = [r for r in decision.rules if r.rule_id == rule_id]
    assert found, f"{rule_id} did not run: {[r.rule_id for r in decision.rules]}"
    return found[0]


def denied_by(decision: Decision) -> set[str]:
    return {r.rule_id for r in decision.denials}
