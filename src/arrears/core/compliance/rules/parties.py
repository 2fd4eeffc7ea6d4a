"""Who may be contacted.

- `party.role` — the debtor, the guarantor and those the law treats like them; others only to
  find the borrower (location purpose) where the profile allows that (US-COMM-06/07,
  CN-PARTY-01/02, UK-CONT-03, EU-IE-01 on family and employers).
- `party.contact_person` — CN 联系人: only when the debtor is unreachable (失联), and never again
  once they refused or asked not to be contacted (CN-PARTY-02). What may be said to them (never
  the debt) is the content validator's job.
- `party.location_once` — US: a third party is contacted for location information only once,
  unless they asked to be called back or the earlier answer is reasonably believed wrong
  (US-COMM-07, 15 USC 1692b(3)).
"""

from __future__ import annotations

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import (
    AttemptOutcome,
    ContactRequest,
    Direction,
    Purpose,
    Role,
    RuleResult,
)
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules._base import allow, deny, zh

ROLE = "party.role"
CONTACT_PERSON = "party.contact_person"
LOCATION_ONCE = "party.location_once"


def contact_role(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    rule = profile.parties
    assert rule is not None
    role = request.party.role
    if role in rule.allowed_roles:
        return allow(ROLE, rule.cite, f"A {role} may be contacted.", f"可以联系{zh(role)}。")
    if role in rule.location_only_roles:
        if request.purpose is Purpose.LOCATION:
            return allow(
                ROLE,
                rule.cite,
                f"A {role} may be contacted only to find the borrower: say nothing about the debt.",
                f"{zh(role)} 仅可用于联系借款人或转达信息，不得透露债务。",
            )
        return deny(
            ROLE,
            rule.cite,
            f"A {role} may be contacted only to find the borrower, not for {request.purpose}.",
            f"{zh(role)} 仅可用于查找借款人，不得用于{zh(request.purpose)}。",
            None,
        )
    return deny(
        ROLE,
        rule.cite,
        f"A {role} may not be contacted under this profile.",
        f"本规则集不允许联系 {zh(role)}。",
        None,
    )


def contact_person(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.contact_persons
    assert rule is not None
    party = request.party
    if party.role not in rule.roles:
        return allow(CONTACT_PERSON, rule.cite, "Not a contact person.", "非联系人。")
    if rule.stop_on_refusal and (
        party.refused_contact
        or any(a.outcome is AttemptOutcome.REFUSED for a in history.all_to_party(party.party_id))
    ):
        return deny(
            CONTACT_PERSON,
            rule.cite,
            "This contact person refused or asked not to be contacted: never again.",
            "该联系人已拒绝或要求不再联系，不得再联系。",
            None,
        )
    if rule.require_debtor_unreachable and not request.debtor_unreachable:
        return deny(
            CONTACT_PERSON,
            rule.cite,
            "Contact persons may be reached only when the debtor cannot be (失联).",
            "仅在债务人失联时方可联系联系人。",
            None,
        )
    return allow(
        CONTACT_PERSON,
        rule.cite,
        "The debtor is unreachable: the contact person may be asked to pass on a message,"
        " without any detail of the debt.",
        "债务人失联：可请联系人转达信息，不得透露任何债务细节。",
    )


def obligor_roles(profile: Profile) -> frozenset[Role]:
    """Those a location contact is not about: the profile's allowed roles (or the obligors)."""
    if profile.parties is not None:
        return profile.parties.allowed_roles
    return frozenset({Role.DEBTOR, Role.CO_OBLIGOR, Role.GUARANTOR})


def location_once(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    rule = profile.location_contacts
    assert rule is not None
    if request.purpose is not Purpose.LOCATION or request.party.role in obligor_roles(profile):
        return allow(LOCATION_ONCE, rule.cite, "Not a location contact.", "非查找借款人类联系。")
    if request.recontact_exception:
        return allow(
            LOCATION_ONCE,
            rule.cite,
            "Contacted again because they asked to be, or the earlier answer was wrong.",
            "对方要求回电或先前信息有误，可再次联系。",
        )
    reached = sum(
        1
        for a in history.all_to_party(request.party.party_id)
        if a.direction is Direction.OUTBOUND and a.outcome.communicated
    )
    if reached >= rule.max_per_person:
        return deny(
            LOCATION_ONCE,
            rule.cite,
            f"Already contacted this person {reached} time(s) for location information;"
            f" the limit is {rule.max_per_person}.",
            f"已为查找借款人联系该第三方 {reached} 次，上限为 {rule.max_per_person} 次。",
            None,
        )
    return allow(
        LOCATION_ONCE,
        rule.cite,
        "First location contact with this person: confirm location only, never mention the debt.",
        "首次为查找借款人联系该第三方：仅核实联系方式，不得提及债务。",
    )
