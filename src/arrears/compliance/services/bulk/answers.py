"""The scalar rules' answers for a batch's rows, as `core.evaluate` gives them, each answer that
depends only on facts many rows share worked out once.

A night's proposals share most of what some rules read: a person with no hold gets the same
"no … hold" answer from each hold rule of their profile; the contact-hours window answers the
same for every contact of one channel and purpose at one moment in the same zones; who may be
contacted depends on the role and the purpose; stated times and places matter only to the people
who stated some. Those rules are asked once per distinct set of the facts they read (`_SHARED`:
a key of exactly those facts, or None when the row must be asked on its own) and every row that
fits gets that same answer (answers are frozen). Every other rule — the counters, contact
persons, opt-outs, consent, the workplace — is asked for each row over the row's own history,
as `core.evaluate` asks it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from arrears.core import compliance as core
from arrears.core.compliance.rules import Rule, active_rules
from arrears.core.compliance.rules.channels import INCONVENIENT_PLACE
from arrears.core.compliance.rules.hours import INCONVENIENT, WINDOW
from arrears.core.compliance.rules.parties import ROLE
from arrears.core.compliance.zones import candidate_zones

_Key = Callable[[core.ContactRequest, core.Profile], Hashable | None]


def _no_hold(request: core.ContactRequest, profile: core.Profile) -> Hashable | None:
    """A hold rule reads only the profile's section for its kind when the person has no hold."""
    return () if not request.holds else None


def _role(request: core.ContactRequest, profile: core.Profile) -> Hashable | None:
    """Who may be contacted reads the person's role and the purpose."""
    return (request.party.role, request.purpose)


def _no_stated_times(request: core.ContactRequest, profile: core.Profile) -> Hashable | None:
    """The inconvenient times read only the profile's section when the person stated none."""
    return () if not request.party.inconvenient_times else None


def _no_stated_places(request: core.ContactRequest, profile: core.Profile) -> Hashable | None:
    """The inconvenient places read only the profile's section when the person stated none."""
    return () if not request.party.inconvenient_places else None


def _window(request: core.ContactRequest, profile: core.Profile) -> Hashable | None:
    """The contact-hours window reads the channel, the purpose, the person's zones, the times
    they agreed to (when the profile lets them override a window) and the moment.

    The moment is keyed by its wall time, offset, fold and zone: two instants compare equal
    across zones, and the two readings of a wall time a clock change repeats compare equal in
    one zone — neither may share an answer (an answer's next time is written in the moment's
    zone)."""
    at = request.at
    zones = candidate_zones(request, country=profile.country, basis=profile.zone_basis)
    return (
        request.channel,
        request.purpose,
        zones,
        request.party.agreed_times,
        at.replace(tzinfo=None),
        at.utcoffset(),
        at.fold,
        repr(at.tzinfo),
    )


#: The rules whose answer is shared by the rows with the same key (None: ask the row's own).
_SHARED: dict[str, _Key] = {
    **{rule.rule_id: _no_hold for rule in core.RULES if rule.rule_id.startswith("hold.")},
    ROLE: _role,
    INCONVENIENT_PLACE: _no_stated_places,
    WINDOW: _window,
    INCONVENIENT: _no_stated_times,
}


class RuleAnswers:
    """Every active rule's answer for a request at its own time (`core.evaluate`)."""

    def __init__(self) -> None:
        # By the profile's identity; the profile is kept, so its id is not reused meanwhile.
        self._rules: dict[int, tuple[core.Profile, tuple[Rule, ...]]] = {}
        self._known: dict[tuple[str, int, Hashable], core.RuleResult] = {}

    def evaluate(
        self, request: core.ContactRequest, history: core.ContactHistory, profile: core.Profile
    ) -> tuple[core.RuleResult, ...]:
        found = self._rules.get(id(profile))
        if found is None or found[0] is not profile:
            found = self._rules[id(profile)] = (profile, active_rules(profile))
        results = []
        for rule in found[1]:
            shared = _SHARED.get(rule.rule_id)
            key = None if shared is None else shared(request, profile)
            if key is None:
                results.append(rule.check(request, history, profile))
                continue
            known = (rule.rule_id, id(profile), key)
            answer = self._known.get(known)
            if answer is None:
                answer = self._known[known] = rule.check(request, history, profile)
            results.append(answer)
        return tuple(results)
