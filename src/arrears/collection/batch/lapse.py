"""Calls nobody made lapse at the next night, so a case never waits in a queue twice.

A call is queued for its business day. If no collector takes it that day, the night after
marks it skipped with the reason, and the strategy plans the day's call afresh (a repeating step
plans one; a step already passed does not). A call the gate deferred to a later permitted time
keeps waiting: it was never callable yet. Bulk SQL per shard, inside the shard's transaction,
so a re-run changes nothing and a killed night resumes cleanly.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from arrears.collection.batch.reading import Shard
from arrears.collection.choices import ActionKind, ActionStatus
from arrears.collection.models import CollectionAction

#: Stored in English (the reason column is data); shown translated.
LAPSED = gettext_noop("not called on its day; tonight's plan replaces it")


def lapse_unmade_calls(shard: Shard, *, now: dt.datetime) -> int:
    """Skip the shard's calls still queued from an earlier day, unassigned. Returns how many."""
    return CollectionAction.objects.filter(
        account__id__range=(shard.first_id, shard.last_id),
        kind=ActionKind.CALL,
        status=ActionStatus.QUEUED,
        business_date__lt=shard.business_date,
        assigned_to__isnull=True,
    ).update(status=ActionStatus.SKIPPED, reason=LAPSED, done_at=now)
