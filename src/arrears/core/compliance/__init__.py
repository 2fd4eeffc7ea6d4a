"""The compliance gate's pure core: every outbound contact is decided here.

`decide(request, history, profile, now=...)` runs the rules of a jurisdiction profile over a
proposed contact and the shared contact log and returns a `Decision`: allowed or not, each rule's
answer with reasons in English and Chinese and its citation, and the earliest time the contact
would be allowed. Profiles (CN, US, UK, EU, IE) are versioned YAML data; a lender's house rules
may only make them stricter. `check_message` validates message content.

Pure Python: no Django, no clock (the caller passes `now`).
"""

from arrears.core.compliance.content import Finding, Phrasebook, check_message, is_opt_out_reply
from arrears.core.compliance.gate import decide, evaluate, next_permitted
from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import (
    Attempt,
    AttemptOutcome,
    AutomatedConsent,
    BreathingSpaceKind,
    Channel,
    Citation,
    ContactPoint,
    ContactRequest,
    Decision,
    Direction,
    Hold,
    HoldKind,
    OptOut,
    Outcome,
    Party,
    Purpose,
    Role,
    RuleResult,
    TimeRange,
    Verification,
)
from arrears.core.compliance.profiles import (
    Profile,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
    load_profile,
    parse_profile,
)
from arrears.core.compliance.rules import RULE_IDS, RULES
from arrears.core.compliance.zones import candidate_zones, country_zones, number_zones

__all__ = [
    "RULES",
    "RULE_IDS",
    "Attempt",
    "AttemptOutcome",
    "AutomatedConsent",
    "BreathingSpaceKind",
    "Channel",
    "Citation",
    "ContactHistory",
    "ContactPoint",
    "ContactRequest",
    "Decision",
    "Direction",
    "Finding",
    "Hold",
    "HoldKind",
    "OptOut",
    "Outcome",
    "Party",
    "Phrasebook",
    "Profile",
    "Purpose",
    "Role",
    "RuleResult",
    "TimeRange",
    "Verification",
    "apply_house_rules",
    "bundled_house_rules",
    "bundled_profile",
    "candidate_zones",
    "check_message",
    "country_zones",
    "decide",
    "evaluate",
    "is_opt_out_reply",
    "load_profile",
    "next_permitted",
    "number_zones",
    "parse_profile",
]
