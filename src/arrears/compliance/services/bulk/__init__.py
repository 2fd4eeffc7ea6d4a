"""The compliance gate for a whole batch: every input read at once, the vectorised gate, and the
decision log and permits written in bulk.

`decide_in_bulk(proposals=…, now=…)` answers for each proposed contact what `request_permit`
answers when asked about the batch one contact after another, in its order, and logs the same
`Decision` row (rule answers with reasons and citations, the snapshot of the inputs, the next
permitted time) and the same `Permit` (ending at the first minute a rule would refuse):

1. the batch's borrowers are locked (as `request_permit` locks one) and everything the gate reads
   is loaded in a fixed number of queries whatever the batch's size — profiles, accounts,
   contact points, preferences, opt-outs, consents, holds, the contact log since the longest
   look-back and the permits not yet in it;
2. a borrower's proposals are taken in waves, the first of each borrower's in the first wave, so
   a later one counts the permits issued before it to the same borrower, as it would online;
3. each wave is decided by the vectorised gate (`core.compliance.vectorised.decide_batch`) over
   one shared contact log — allowed, the refusing rules, the next permitted time — and the
   permits' ends are found for every minute of every permit at once;
4. the rule answers the log keeps (reasons, citations) are the scalar rules' at the contact's
   time over the row's own history: exactly the history `request_permit` would read. A row whose
   own history differs from the shared log for the person or the number it concerns (another
   borrower's permit to the same number, which the online gate does not count), or on which
   the two forms of the gate disagree, is decided by the scalar gate alone;
5. decisions and permits are written as plain rows, in chunks (`rows`: COPY on PostgreSQL,
   `executemany` on SQLite; each rule answer serialised once), stored as `bulk_create` stored
   them. A batch that issues no permit does not look for the permits' ends.

A request id is decided once: a proposal whose `request_id` already has a decision gets that
decision (and its permit, if any) back and nothing is written, so a re-run never decides twice.
Bad input — an unknown borrower, an account of someone else, a channel that does not exist, a
moment in the past — is refused with the row and field named, and nothing is written.

The package: `proposals` (the input frame and its checks), `log` (the contact log read once,
each row's own history, the shared frame), `vectorised` (the vectorised gate's part), `batch`
(parts, waves, the scalar rules' reasons), `rows` (the decisions and permits written in bulk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.common.bulk import among
from arrears.compliance.models import Decision
from arrears.compliance.services.bulk.batch import CHUNK, PART, Answer, Batch, waves
from arrears.compliance.services.bulk.proposals import COLUMNS, UTC, as_frame, checked, refuse
from arrears.compliance.services.requests import Person, Proposal
from arrears.core.errors import ValidationError
from arrears.servicing.models import Borrower

#: What `decide_in_bulk` returns, one row per proposal in the proposals' order.
ANSWER_SCHEMA: dict[str, Any] = {
    "request_id": pl.String,
    "decision_id": pl.Int64,
    "permit_id": pl.String,
    "allowed": pl.Boolean,
    "denied_rule_ids": pl.List(pl.String),
    "next_permitted_at": UTC,
}


@transaction.atomic
def decide_in_bulk(
    *,
    proposals: Sequence[Proposal] | pl.DataFrame,
    now: dt.datetime,
    issue_permits: bool = True,
    request_ids: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Decide every proposed contact, log each decision and issue a permit for each allowed one.

    `proposals` is a frame (columns: `COLUMNS`, documented in docs/compliance.md "In bulk") or
    `Proposal`s with their `request_ids` (new ones when not given). With `issue_permits=False`
    the decisions are logged but no permit is issued (and a later proposal of the batch does
    not count an earlier one). Returns one row per proposal, in order: request_id, decision_id,
    permit_id (null when refused), allowed, denied_rule_ids, next_permitted_at.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError("now", _("must be a timezone-aware instant"))
    frame = checked(as_frame(proposals, request_ids), now)
    ids = frame.get_column("request_id").to_list()
    answers: list[Answer | None] = [None] * frame.height
    if frame.height:
        people = _lock(frame)
        done = _decided(ids)
        fresh = [i for i, key in enumerate(ids) if key not in done]
        for i, key in enumerate(ids):
            answers[i] = done.get(key)
        if fresh:
            batch = Batch.load(frame, fresh, people, now=now)
            for part in batch.parts():
                for wave in waves(part):
                    for i, answer in batch.decide(wave, issue_permits=issue_permits):
                        answers[i] = answer
    return _answer_frame(ids, answers)


def _lock(frame: pl.DataFrame) -> dict[int, Person]:
    """Lock the borrowers' rows until the caller's transaction ends (PostgreSQL; SQLite
    serialises writers anyway), in id order, and read what the gate needs of them."""
    wanted = frame.get_column("borrower_id").unique().sort().to_list()
    rows = (
        Borrower.objects.select_for_update()
        .filter(among("pk", wanted))
        .order_by("pk")
        .values_list("pk", "reference", "country", "time_zone")
    )
    people = {row[0]: Person(*row) for row in rows}
    refuse(
        frame,
        ~pl.col("borrower_id").is_in(list(people)),
        "borrower_id",
        _("there is no such borrower"),
    )
    return people


def _decided(ids: list[str]) -> dict[str, Answer]:
    """The decisions already logged under these request ids, with their permits."""
    rows = Decision.objects.filter(among("request_id", ids)).values_list(
        "request_id", "pk", "allowed", "denied_rules", "next_permitted_at", "permit__id"
    )
    return {
        key: Answer(pk, None if permit is None else str(permit), allowed, denied.split(), next_at)
        for key, pk, allowed, denied, next_at, permit in rows
    }


def _answer_frame(ids: list[str], answers: list[Answer | None]) -> pl.DataFrame:
    given = [a for a in answers if a is not None]
    assert len(given) == len(ids)
    return pl.DataFrame(
        {
            "request_id": ids,
            "decision_id": [a.decision_id for a in given],
            "permit_id": [a.permit_id for a in given],
            "allowed": [a.allowed for a in given],
            "denied_rule_ids": [a.denied for a in given],
            "next_permitted_at": [a.next_permitted_at for a in given],
        },
        schema=ANSWER_SCHEMA,
    )


__all__ = ["ANSWER_SCHEMA", "CHUNK", "COLUMNS", "PART", "decide_in_bulk"]
