"""The gate: every rule, one decision, and the earliest time the contact would be allowed.

`decide` runs every rule the profile switches on. The contact is allowed only if none denies.
When one does, the gate looks for the earliest instant at which all of them allow: each denial
names the earliest time *that rule* would allow (or None when only a person can lift it — a
hold, an opt-out); the latest of those is a lower bound for all of them, so the gate moves there
and asks again, until every rule allows (a fixed point) or a rule says never, or the search
passes `HORIZON`. Because the answer is checked by deciding at it, deciding at
`next_permitted_at` always allows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import ContactRequest, Decision, RuleResult
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules import Rule, active_rules
from arrears.core.errors import ValidationError

#: How far ahead the gate looks for a permitted time (a standard breathing space is 60 days).
HORIZON = dt.timedelta(days=400)
#: At most this many rounds of moving to the latest rule's answer (a few suffice in practice).
MAX_ROUNDS = 48


def evaluate(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> tuple[RuleResult, ...]:
    """Every active rule's answer for the request at its own time, in evaluation order."""
    return _run(active_rules(profile), request, history, profile)


def decide(
    request: ContactRequest, history: ContactHistory, profile: Profile, *, now: dt.datetime
) -> Decision:
    """May this contact be made at `request.at`? `now` is when the decision is taken.

    `request.at` is the moment of the call or send: `now` for an immediate contact, later for a
    scheduled one; never earlier. `history` is everything that has happened up to `now`.
    """
    _check_inputs(request, profile, now)
    rules = active_rules(profile)
    results = _run(rules, request, history, profile)
    allowed = not any(result.denied for result in results)
    next_at = request.at if allowed else _earliest(rules, request, history, profile, results)
    return Decision(
        request_id=request.request_id,
        allowed=allowed,
        rules=results,
        next_permitted_at=next_at,
        at=request.at,
        evaluated_at=now,
        profile_code=profile.code,
        profile_version="+".join(profile.layers),
    )


def next_permitted(
    request: ContactRequest, history: ContactHistory, profile: Profile, *, now: dt.datetime
) -> dt.datetime | None:
    """The earliest instant at or after `request.at` at which the contact would be allowed.

    None when no automatic answer exists: a hold, an opt-out or a refusal must be lifted by a
    person, or nothing opens within `HORIZON`.
    """
    return decide(request, history, profile, now=now).next_permitted_at


def _run(
    rules: tuple[Rule, ...], request: ContactRequest, history: ContactHistory, profile: Profile
) -> tuple[RuleResult, ...]:
    return tuple(rule.check(request, history, profile) for rule in rules)


def _earliest(
    rules: tuple[Rule, ...],
    request: ContactRequest,
    history: ContactHistory,
    profile: Profile,
    results: tuple[RuleResult, ...],
) -> dt.datetime | None:
    moment = request.at
    limit = request.at + HORIZON
    for _ in range(MAX_ROUNDS):
        answers = [result.next_permitted_at for result in results if result.denied]
        if not answers:
            return moment
        if any(answer is None for answer in answers):
            return None
        candidate = max(answer for answer in answers if answer is not None)
        if candidate <= moment or candidate > limit:
            return None  # a rule that does not move forward, or nothing within the horizon
        moment = candidate
        results = _run(rules, dataclasses.replace(request, at=moment), history, profile)
    return None


def _check_inputs(request: ContactRequest, profile: Profile, now: dt.datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError("now", "must be a timezone-aware instant")
    if request.profile_code != profile.code:
        raise ValidationError(
            "profile_code",
            f"the request is for profile {request.profile_code}, not {profile.code}",
        )
    if request.at < now:
        raise ValidationError(
            "at",
            f"{request.at.isoformat()} is before now ({now.isoformat()}):"
            " a contact cannot be made in the past",
        )
