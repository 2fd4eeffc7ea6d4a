"""Every write of the compliance app, and the gate itself: one function per use case.

Keyword-only, typed, atomic (nesting in the caller's transaction, never committing on their
own), with an optional `clock`; errors are `arrears.core.errors` exceptions naming the field.

- `gate`: `request_permit` (decide, log, issue a permit), `check_contact` (the stateless check
  of a JSON request), `next_permitted`, `jurisdiction_of`;
- `bulk`: `decide_in_bulk` (the same for a whole batch: read at once, the vectorised gate,
  decisions and permits written in bulk);
- `permits`: `use_permit` (at most once; typed `PermitRefused` errors), `void_permits`;
- `records`: `set_hold` (`check_hold`), `lift_hold`, `record_opt_out`,
  `record_opt_out_if_stop`, `withdraw_opt_out`, `record_consent`, `revoke_consent`,
  `set_contact_preference` (`check_preference`), `record_contact_attempt`;
- `profiles`: `load_profiles` (bundled YAML → rows), `save_profile_version`,
  `activate_profile_version`, `check_profile_text`, `active_profile`.
"""

from arrears.compliance.services.bulk import decide_in_bulk
from arrears.compliance.services.gate import (
    check_contact,
    jurisdiction_of,
    next_permitted,
    request_permit,
)
from arrears.compliance.services.permits import (
    PermitAlreadyUsed,
    PermitExpired,
    PermitMismatch,
    PermitMissing,
    PermitNotYetValid,
    PermitRefused,
    PermitVoided,
    use_permit,
    void_permits,
)
from arrears.compliance.services.profiles import (
    activate_profile_version,
    active_profile,
    check_profile_text,
    load_profiles,
    save_profile_version,
)
from arrears.compliance.services.records import (
    check_hold,
    check_preference,
    lift_hold,
    record_consent,
    record_contact_attempt,
    record_opt_out,
    record_opt_out_if_stop,
    revoke_consent,
    set_contact_preference,
    set_hold,
    withdraw_opt_out,
)

__all__ = [
    "PermitAlreadyUsed",
    "PermitExpired",
    "PermitMismatch",
    "PermitMissing",
    "PermitNotYetValid",
    "PermitRefused",
    "PermitVoided",
    "activate_profile_version",
    "active_profile",
    "check_contact",
    "check_hold",
    "check_preference",
    "check_profile_text",
    "decide_in_bulk",
    "jurisdiction_of",
    "lift_hold",
    "load_profiles",
    "next_permitted",
    "record_consent",
    "record_contact_attempt",
    "record_opt_out",
    "record_opt_out_if_stop",
    "request_permit",
    "revoke_consent",
    "save_profile_version",
    "set_contact_preference",
    "set_hold",
    "use_permit",
    "void_permits",
    "withdraw_opt_out",
]
