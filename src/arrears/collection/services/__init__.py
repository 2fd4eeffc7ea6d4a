"""Every write of the collection app: one function per use case.

Keyword-only, typed, atomic (nesting in the caller's transaction, never committing on their
own), with an optional `clock`; errors are `arrears.core.errors` exceptions naming the field, and
bad input writes nothing. Each change to a case writes a `CaseEvent` saying why.

- `cases`: `open_case`, `close_case`, `move_case_stage`, `assign_case`, `pause_treatment`,
  `resume_treatment`, `flag_hardship`, `stage_of` (the stage rule, `core.collection.stages`);
- `outcomes`: `record_call_outcome` (the attempt, the outcome, what the disposition drives);
- `promises`: `take_promise`, `review_promises` (nightly: kept / partly kept / broken, and the
  reminders), `remind_promises`;
- `escalations`: `request_escalation`, `approve_escalation`, `reject_escalation`;
- `agencies`: `place_with_agency`, `recall_placement`, `review_placements` (nightly);
- `queues`: `take_next_action` (locked, with a call permit), `release_action`;
- `dispositions`: `load_dispositions` (the standard list), `save_disposition`;
- `strategies`: `save_strategy`, `activate_strategy`, `load_bundled_strategies`;
- `scheduling`: `schedule_call`, `schedule_message` (through the gate), `route_queue`.
"""

from arrears.collection.services.agencies import (
    place_with_agency,
    recall_placement,
    review_placements,
)
from arrears.collection.services.cases import (
    assign_case,
    close_case,
    flag_hardship,
    move_case_stage,
    open_case,
    pause_treatment,
    resume_treatment,
    stage_of,
)
from arrears.collection.services.dispositions import load_dispositions, save_disposition
from arrears.collection.services.escalations import (
    approve_escalation,
    reject_escalation,
    request_escalation,
)
from arrears.collection.services.floor import load_default_work_queues, save_collector
from arrears.collection.services.outcomes import OutcomeRecorded, record_call_outcome
from arrears.collection.services.promises import (
    PromisedPayment,
    remind_promises,
    review_promises,
    take_promise,
)
from arrears.collection.services.queues import TakenAction, release_action, take_next_action
from arrears.collection.services.scheduling import route_queue, schedule_call, schedule_message
from arrears.collection.services.strategies import (
    activate_strategy,
    load_bundled_strategies,
    save_strategy,
)

__all__ = [
    "OutcomeRecorded",
    "PromisedPayment",
    "TakenAction",
    "activate_strategy",
    "approve_escalation",
    "assign_case",
    "close_case",
    "flag_hardship",
    "load_bundled_strategies",
    "load_default_work_queues",
    "load_dispositions",
    "move_case_stage",
    "open_case",
    "pause_treatment",
    "place_with_agency",
    "recall_placement",
    "record_call_outcome",
    "reject_escalation",
    "release_action",
    "remind_promises",
    "request_escalation",
    "resume_treatment",
    "review_placements",
    "review_promises",
    "route_queue",
    "save_collector",
    "save_disposition",
    "save_strategy",
    "schedule_call",
    "schedule_message",
    "stage_of",
    "take_next_action",
    "take_promise",
]
