"""Background tasks of the engagement app (django-tasks; the database backend by default)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from arrears.engagement.dispatch import dispatch_outbox


@task()
def dispatch_outbox_task(limit: int = 200) -> dict[str, int]:
    """Send the due outbox messages (idempotent: a message is claimed by one run only); when the
    batch was full, enqueue the next batch."""
    counts = dispatch_outbox(limit=limit)
    if counts.claimed >= limit:
        dispatch_soon(limit=limit)
    return counts.as_dict()


def dispatch_soon(*, limit: int = 200) -> None:
    """Enqueue a dispatch once the caller's transaction commits (producers call this after
    writing outbox rows, so the task never runs before the rows are visible)."""
    transaction.on_commit(lambda: dispatch_outbox_task.enqueue(limit=limit))
