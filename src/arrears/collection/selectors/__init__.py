"""Every read of the collection app: cases and their history, promises, escalations, the work
queue and its load, agency performance. Reads never write."""

from arrears.collection.selectors.agencies import AgencyPerformance, agency_performance
from arrears.collection.selectors.cases import (
    active_dispositions,
    case_by_id,
    cases_of_account,
    escalation_by_id,
    escalations_awaiting_approval,
    escalations_of_case,
    escalations_with_status,
    open_case_of,
    promises_of_account,
)
from arrears.collection.selectors.queues import (
    CollectorLoad,
    Load,
    QueueItem,
    QueueLoad,
    WorkQueueView,
    callable_actions,
    collector_of,
    holds_in_force,
    queue_load,
    work_queue,
)

__all__ = [
    "AgencyPerformance",
    "CollectorLoad",
    "Load",
    "QueueItem",
    "QueueLoad",
    "WorkQueueView",
    "active_dispositions",
    "agency_performance",
    "callable_actions",
    "case_by_id",
    "cases_of_account",
    "collector_of",
    "escalation_by_id",
    "escalations_awaiting_approval",
    "escalations_of_case",
    "escalations_with_status",
    "holds_in_force",
    "open_case_of",
    "promises_of_account",
    "queue_load",
    "work_queue",
]
