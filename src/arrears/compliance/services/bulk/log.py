"""The contact log a batch reads, in two queries, and what is cut from it: each row's own
history (exactly what `contact_history` reads online) and the shared frame the vectorised gate
reads, with a check that the two agree for the person and the number a row concerns."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
from django.db.models import Q

from arrears.common.bulk import among
from arrears.compliance.models import ContactAttempt
from arrears.compliance.services.requests import (
    HISTORY_FIELDS,
    PENDING_FIELDS,
    Contact,
    attempt_of_row,
    pending_attempt,
    pending_permits,
)
from arrears.core import compliance as core
from arrears.core.compliance.vectorised import HISTORY_SCHEMA
from arrears.core.compliance.vectorised.convert import history_rows

_FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class _Logged:
    """An attempt of the log with what decides whose history it is in."""

    id: int
    at: dt.datetime
    borrower_id: int
    party_ref: str
    attempt: core.Attempt


class ContactLog:
    """The contact log the batch reads: the attempts (each row's own history is cut from them as
    `contact_history` would read it) and, for the vectorised gate, one shared frame."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.by_borrower: dict[int, list[_Logged]] = defaultdict(list)
        self.by_address: dict[str, list[_Logged]] = defaultdict(list)
        self.by_party_ref: dict[str, list[_Logged]] = defaultdict(list)
        self.pending: dict[int, list[tuple[dt.datetime | None, core.Attempt]]] = defaultdict(list)
        self._party_times: dict[str, list[float]] = defaultdict(list)
        self._address_times: dict[str, list[float]] = defaultdict(list)
        self._pending_frames: list[pl.DataFrame] = []
        self._pending_count = 0
        for entry in _gathered(rows):
            self.by_borrower[entry.borrower_id].append(entry)
            self.by_address[entry.attempt.address].append(entry)
            if entry.party_ref:
                self.by_party_ref[entry.party_ref].append(entry)
            self._count(entry.attempt)
        self._logged_frame = _logged_frame(rows)

    def _count(self, attempt: core.Attempt) -> None:
        stamp = attempt.at.timestamp()
        bisect.insort(self._party_times[attempt.party_id], stamp)
        bisect.insort(self._address_times[attempt.address], stamp)

    def add_pending(self, found: list[tuple[int, dt.datetime | None, core.Attempt]]) -> None:
        """Permits not yet in the log (borrower, used at, attempt): in each borrower's own
        history, and in the shared log."""
        for borrower_id, used_at, attempt in found:
            self.pending[borrower_id].append((used_at, attempt))
            self._count(attempt)
        attempts = [attempt for _b, _u, attempt in found]
        if attempts:
            frame = pl.DataFrame(history_rows(attempts), schema=HISTORY_SCHEMA, orient="row")
            first = -1 - self._pending_count  # ids of their own, below the log's
            self._pending_frames.append(
                frame.with_columns((first - pl.col("attempt_id")).alias("attempt_id"))
            )
            self._pending_count += len(attempts)

    def add_issued(self, issued: list[tuple[int, core.Attempt]]) -> None:
        """The permits a wave issued, counted by the next waves."""
        self.add_pending([(borrower_id, None, attempt) for borrower_id, attempt in issued])

    def own_history(self, contact: Contact, since: dt.datetime) -> core.ContactHistory:
        """What `contact_history` reads for this contact: the borrower's attempts and those to
        the address since `since`, every attempt to a third party, the borrower's permits."""
        picked: dict[int, _Logged] = {}
        for entry in self.by_borrower.get(contact.borrower_id, ()):
            if entry.at >= since:
                picked[entry.id] = entry
        for entry in self.by_address.get(contact.address, ()):
            if entry.at >= since:
                picked[entry.id] = entry
        if not contact.is_borrower:
            for entry in self.by_party_ref.get(contact.party_ref, ()):
                picked[entry.id] = entry
        logged = [e.attempt for e in sorted(picked.values(), key=lambda e: (e.at, e.id))]
        pending = [
            attempt
            for used_at, attempt in self.pending.get(contact.borrower_id, ())
            if used_at is None or used_at >= since
        ]
        return core.ContactHistory((*logged, *pending))

    def shared_view_differs(
        self, contact: Contact, history: core.ContactHistory, since: dt.datetime
    ) -> bool:
        """Whether the shared log holds attempts with this person or number that the row's own
        history leaves out (the shared log holds the row's own: equal counts, equal sets)."""
        party, address = contact.party_id, contact.address
        low = since.timestamp()
        if contact.is_borrower:
            own_party = len(history.to_party(party, since, _FAR))
            shared_party = _count_since(self._party_times.get(party, []), low)
        else:
            own_party = len(history.all_to_party(party))
            shared_party = len(self._party_times.get(party, []))
        own_address = len(history.to_address(address, since, _FAR))
        shared_address = _count_since(self._address_times.get(address, []), low)
        return own_party != shared_party or own_address != shared_address

    def frame_about(self, parties: pl.Series, addresses: pl.Series) -> pl.DataFrame:
        """The shared log for the vectorised gate, cut to these people and numbers (what its
        rules read): every attempt read and every permit not yet in the log."""
        everything = pl.concat([self._logged_frame, *self._pending_frames])
        return everything.filter(
            pl.col("party_id").is_in(parties.unique().implode())
            | pl.col("address").is_in(addresses.unique().implode())
        )


def _count_since(stamps: list[float], low: float) -> int:
    return len(stamps) - bisect.bisect_left(stamps, low)


def _gathered(rows: list[tuple[Any, ...]]) -> Iterator[_Logged]:
    """Rows (`HISTORY_FIELDS` + borrower id) come one per attempt and account, an attempt's rows
    together (the query orders by time and id): one `_Logged` per attempt."""
    size = len(HISTORY_FIELDS)
    start = 0
    while start < len(rows):
        end = start + 1
        while end < len(rows) and rows[end][0] == rows[start][0]:
            end += 1
        row = rows[start]
        debts = {r[size - 1] for r in rows[start:end] if r[size - 1]}
        attempt = attempt_of_row(row[:size], debts)
        yield _Logged(row[0], row[1], row[size], row[3] or "", attempt)
        start = end


def _logged_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """One frame row per attempt and account, as the vectorised gate reads the log."""
    if not rows:
        return pl.DataFrame(schema=HISTORY_SCHEMA)
    columns = list(zip(*rows, strict=True))
    (
        ids, started, channel, party_ref, address, outcome, direction, direct_consent, by,
        artificial_voice, purpose, reference, number, _borrower,
    ) = columns  # fmt: skip
    return pl.DataFrame(
        {
            "attempt_id": ids,
            "party_id": [ref or who for ref, who in zip(party_ref, reference, strict=True)],
            "debt_id": number,
            "channel": channel,
            "address": address,
            "at": started,
            "outcome": outcome,
            "direction": direction,
            "direct_consent": direct_consent,
            "artificial_voice": artificial_voice,
            "by": by,
            "purpose": [p or None for p in purpose],
        },
        schema=HISTORY_SCHEMA,
    )


def read_log(contacts: Sequence[Contact], *, since: dt.datetime, now: dt.datetime) -> ContactLog:
    """The contact log these contacts need, in two queries: the attempts since `since` (the
    longest look-back of their profiles) of their borrowers and to their addresses, every attempt
    to a third party among them, and their borrowers' permits not yet in the log."""
    borrowers = {c.borrower_id for c in contacts}
    addresses = {c.address for c in contacts}
    third = {c.party_ref for c in contacts if not c.is_borrower}
    recent = among("borrower_id", borrowers) | among("address", addresses)
    wanted = Q(started_at__gte=since) & recent
    if third:
        wanted |= among("party_ref", third)
    found = list(
        ContactAttempt.objects.filter(wanted, started_at__lte=now)
        .order_by("started_at", "id")
        .values_list(*HISTORY_FIELDS, "borrower_id")
    )
    log = ContactLog(found)
    references = {c.borrower_id: c.reference for c in contacts}
    permits = pending_permits(among("borrower_id", borrowers), since=since, now=now)
    log.add_pending(
        [
            (
                borrower_id,
                values[0],
                pending_attempt(tuple(values), reference=references[borrower_id]),
            )
            for borrower_id, *values in permits.values_list("borrower_id", *PENDING_FIELDS)
        ]
    )
    return log
