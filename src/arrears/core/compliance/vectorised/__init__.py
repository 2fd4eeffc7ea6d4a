"""The vectorised compliance gate: one decision per proposed contact for a whole batch (Polars).

`decide_batch(proposals, history, profiles, now=...)` answers, for every row, what
`gate.decide` answers for the same request against the same contact log — allowed, the ids of
the refusing rules, the flags, `next_permitted_at` — with joins, group-bys and integer time
arithmetic over the same profile sections the scalar rules read. The nightly cycle builds the
two frames from the database (their columns: `frames`); `proposals_frame` / `history_frame`
build them from scalar values, `request_of` / `attempts_of` read rows back as scalar values.

Pure: Polars, NumPy and the compliance core; no Django, no clock.
"""

from arrears.core.compliance.vectorised.batch import decide_batch
from arrears.core.compliance.vectorised.convert import (
    HISTORY_SCHEMA,
    PROPOSAL_SCHEMA,
    attempts_of,
    history_frame,
    proposals_frame,
    request_of,
)
from arrears.core.compliance.vectorised.frames import HOLD, TIME_RANGE, hold_struct
from arrears.core.compliance.vectorised.params import (
    CHANNEL,
    DIRECTION,
    OUTCOME,
    PURPOSE,
    ROLE,
    RULE,
)

__all__ = [
    "CHANNEL",
    "DIRECTION",
    "HISTORY_SCHEMA",
    "HOLD",
    "OUTCOME",
    "PROPOSAL_SCHEMA",
    "PURPOSE",
    "ROLE",
    "RULE",
    "TIME_RANGE",
    "attempts_of",
    "decide_batch",
    "history_frame",
    "hold_struct",
    "proposals_frame",
    "request_of",
]
