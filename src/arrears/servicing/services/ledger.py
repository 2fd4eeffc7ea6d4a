"""Posting to the append-only journal: balanced entries, idempotency keys, reversals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from arrears.common.bulk import insert_rows, table
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import Account, JournalEntry, JournalLine

#: Lender-side books (the other side of every receivable movement).
CASH = "cash"
INCOME_INTEREST = "income:interest"
INCOME_FEES = "income:fees"
LOSS_CHARGE_OFF = "loss:charge_off"
RECOVERY = "recovery"
CREDIT_BALANCE = "suspense:credit"
FUNDING = "funding"  # money lent out (disbursements, card spend settled to merchants)
WAIVERS = "expense:waivers"  # fees, interest or principal the lender forgave (减免)
SETTLEMENT_DISCOUNTS = "expense:settlement_discounts"  # forgiven in a settlement (折扣结清)

RECEIVABLE_PREFIXES = ("principal:", "interest:", "fees:")


def is_receivable(book: str) -> bool:
    """Books that hold what the borrower owes (positive = owed)."""
    return book.startswith(RECEIVABLE_PREFIXES)


def post_entry(
    *,
    account: Account,
    kind: EntryKind | str,
    effective_on: dt.date,
    lines: Mapping[str, int],
    idempotency_key: str | None = None,
    memo: str = "",
    clock: Clock | None = None,
) -> tuple[JournalEntry, bool]:
    """Post one balanced entry; returns (entry, created).

    With an idempotency key that was already used, nothing is posted and the first entry is
    returned with created=False — provided it was for the same account; a key reused for another
    account is a Conflict. Zero lines are dropped; the lines must sum to zero.
    """
    amounts = _balanced(lines)
    if idempotency_key:
        existing = _entry_for_key(idempotency_key, account)
        if existing is not None:
            return existing, False
    now = (clock or SystemClock()).now()
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                account=account,
                kind=str(kind),
                effective_on=effective_on,
                posted_at=now,
                currency=account.currency,
                idempotency_key=idempotency_key or None,
                memo=memo[:200],
            )
            JournalLine.objects.bulk_create(
                JournalLine(
                    entry=entry,
                    account=account,
                    book=book,
                    amount_minor=amount,
                    effective_on=effective_on,
                )
                for book, amount in amounts.items()
            )
    except IntegrityError:
        # another transaction posted the same key between our check and our insert
        existing = _entry_for_key(idempotency_key, account) if idempotency_key else None
        if existing is None:
            raise
        return existing, False
    return entry, True


@dataclass(frozen=True)
class EntryDraft:
    """One entry to post in bulk (`post_entries`): the arguments of `post_entry`."""

    account: Account
    kind: EntryKind | str
    effective_on: dt.date
    lines: Mapping[str, int]
    idempotency_key: str
    memo: str = ""


def post_entries(
    drafts: Sequence[EntryDraft], *, clock: Clock | None = None
) -> list[tuple[JournalEntry, bool]]:
    """Post many keyed entries in a handful of queries; the same answer as `post_entry` for each.

    The nightly cycle posts thousands of entries (statement interest, annual fees): one query
    for the keys already used, one insert for the entries and one for their lines, instead of
    four queries per entry. A key racing another transaction falls back to `post_entry` one by
    one, which settles it the same way.
    """
    if not drafts:
        return []
    amounts = [_balanced(d.lines) for d in drafts]
    keys = [d.idempotency_key for d in drafts]
    if not all(keys) or len(set(keys)) != len(keys):
        raise ValidationError("idempotency_key", "each entry posted in bulk needs its own key")
    existing = _entries_for_keys(drafts)
    now = (clock or SystemClock()).now()
    fresh = [i for i, key in enumerate(keys) if key not in existing]
    try:
        with transaction.atomic():
            created = JournalEntry.objects.bulk_create([_entry_row(drafts[i], now) for i in fresh])
            JournalLine.objects.bulk_create(
                JournalLine(
                    entry=entry,
                    account=drafts[i].account,
                    book=book,
                    amount_minor=amount,
                    effective_on=drafts[i].effective_on,
                )
                for i, entry in zip(fresh, created, strict=True)
                for book, amount in amounts[i].items()
            )
    except IntegrityError:
        return [_post_draft(d, clock) for d in drafts]
    posted = dict(zip(fresh, created, strict=True))
    return [
        (posted[i], True) if i in posted else (existing[key], False) for i, key in enumerate(keys)
    ]


@dataclass(frozen=True, slots=True)
class EntryRow:
    """One keyed entry to post in bulk by account id (`post_entry_rows`): what `EntryDraft`
    says, without an `Account` instance, for batches that read accounts as rows."""

    account_id: int
    currency: str
    kind: EntryKind | str
    effective_on: dt.date
    lines: Mapping[str, int]
    idempotency_key: str
    memo: str = ""


_ENTRY_COLUMNS = (
    "account_id",
    "kind",
    "effective_on",
    "posted_at",
    "currency",
    "idempotency_key",
    "memo",
)
_LINE_COLUMNS = ("entry_id", "account_id", "book", "amount_minor", "effective_on")
#: Keys looked up per query: well under SQLite's limit on bound parameters.
_KEYS_PER_QUERY = 500


def post_entry_rows(
    entries: Sequence[EntryRow], *, clock: Clock | None = None
) -> list[tuple[int, bool]]:
    """Post many keyed entries as plain rows; (entry id, created) for each, as `post_entries`.

    The same journal as `post_entries` (the same rows, in the same order, so the same ids), but
    written by `common.bulk.insert_rows` (COPY on PostgreSQL) with no model instance per entry
    or line: the nightly statement run posts one or two entries per statement. A key already
    used is looked up among the entries' own accounts (an index any planner takes, even where
    most keys are empty); a key of another account, or one racing another transaction, breaks
    the insert, and the entries then go through `post_entry` one by one, which settles each
    key the same way (a Conflict, or the entry already posted).
    """
    if not entries:
        return []
    amounts = [_balanced(e.lines) for e in entries]
    keys = [e.idempotency_key for e in entries]
    if not all(keys) or len(set(keys)) != len(keys):
        raise ValidationError("idempotency_key", "each entry posted in bulk needs its own key")
    existing = _entry_ids_for_keys(entries)
    now = (clock or SystemClock()).now()
    fresh = [i for i, key in enumerate(keys) if key not in existing]
    try:
        with transaction.atomic():
            ids = _insert_entries([entries[i] for i in fresh], [amounts[i] for i in fresh], now)
    except (IntegrityError, connection.Database.IntegrityError):  # type: ignore[attr-defined]
        # COPY raises the driver's own error, not Django's wrapper of it
        return _post_rows_one_by_one(entries, clock)
    return [(ids[key], True) if key in ids else (existing[key], False) for key in keys]


def _insert_entries(
    entries: Sequence[EntryRow], amounts: Sequence[dict[str, int]], now: dt.datetime
) -> dict[str, int]:
    """Insert the entries, then their lines; the new entries' ids by key.

    The ids are read back as the rows after the journal's last id before the insert (a range
    of the primary key, cheap on any database), keeping only these entries' keys.
    """
    if not entries:
        return {}
    entries_table = table(JournalEntry)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {entries_table}")
        last = cursor.fetchone()[0] or 0
    insert_rows(JournalEntry, _ENTRY_COLUMNS, [_entry_values(e, now) for e in entries])
    wanted = {e.idempotency_key for e in entries}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT idempotency_key, id FROM {entries_table} WHERE id > %s", [last])
        ids = {key: pk for key, pk in cursor.fetchall() if key in wanted}
    insert_rows(
        JournalLine,
        _LINE_COLUMNS,
        [
            (ids[e.idempotency_key], e.account_id, book, amount, e.effective_on)
            for e, lines in zip(entries, amounts, strict=True)
            for book, amount in lines.items()
        ],
    )
    return ids


def _entry_values(entry: EntryRow, now: dt.datetime) -> tuple[object, ...]:
    return (
        entry.account_id,
        str(entry.kind),
        entry.effective_on,
        now,
        entry.currency,
        entry.idempotency_key,
        entry.memo[:200],
    )


def _entry_ids_for_keys(entries: Sequence[EntryRow]) -> dict[str, int]:
    """Ids of the keys these entries' accounts already used (a rerun), a few hundred at a time;
    a key of another account in the batch is a Conflict."""
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(entries), _KEYS_PER_QUERY):
        batch = entries[start : start + _KEYS_PER_QUERY]
        accounts = list({e.account_id for e in batch})
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT idempotency_key, id, account_id FROM {table(JournalEntry)} "
                f"WHERE account_id IN ({', '.join(['%s'] * len(accounts))}) "
                f"AND idempotency_key IN ({', '.join(['%s'] * len(batch))})",
                [*accounts, *(e.idempotency_key for e in batch)],
            )
            found.update((key, (pk, account_id)) for key, pk, account_id in cursor.fetchall())
    for entry in entries:
        used = found.get(entry.idempotency_key)
        if used is not None and used[1] != entry.account_id:
            raise Conflict(
                f"idempotency_key: {entry.idempotency_key!r} was already used for another account"
            )
    return {key: pk for key, (pk, _account_id) in found.items()}


def _post_rows_one_by_one(
    entries: Sequence[EntryRow], clock: Clock | None
) -> list[tuple[int, bool]]:
    """All or nothing, like the bulk insert: a Conflict on one key posts none of them."""
    accounts = Account.objects.in_bulk({e.account_id for e in entries})
    posted = []
    with transaction.atomic():
        for e in entries:
            entry, created = post_entry(
                account=accounts[e.account_id],
                kind=e.kind,
                effective_on=e.effective_on,
                lines=e.lines,
                idempotency_key=e.idempotency_key,
                memo=e.memo,
                clock=clock,
            )
            posted.append((int(entry.pk), created))
    return posted


def _balanced(lines: Mapping[str, int]) -> dict[str, int]:
    amounts = {book: int(amount) for book, amount in lines.items() if amount}
    if sum(amounts.values()) != 0:
        raise ValidationError("lines", f"entry does not balance: {amounts}")
    return amounts


def _entries_for_keys(drafts: Sequence[EntryDraft]) -> dict[str, JournalEntry]:
    found = JournalEntry.objects.in_bulk(
        [d.idempotency_key for d in drafts], field_name="idempotency_key"
    )
    for draft in drafts:
        entry = found.get(draft.idempotency_key)
        if entry is not None and entry.account_id != draft.account.pk:
            raise Conflict(
                f"idempotency_key: {draft.idempotency_key!r} was already used for another account"
            )
    return found


def _entry_row(draft: EntryDraft, now: dt.datetime) -> JournalEntry:
    return JournalEntry(
        account=draft.account,
        kind=str(draft.kind),
        effective_on=draft.effective_on,
        posted_at=now,
        currency=draft.account.currency,
        idempotency_key=draft.idempotency_key,
        memo=draft.memo[:200],
    )


def _post_draft(draft: EntryDraft, clock: Clock | None) -> tuple[JournalEntry, bool]:
    return post_entry(
        account=draft.account,
        kind=draft.kind,
        effective_on=draft.effective_on,
        lines=draft.lines,
        idempotency_key=draft.idempotency_key,
        memo=draft.memo,
        clock=clock,
    )


def _entry_for_key(key: str, account: Account) -> JournalEntry | None:
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.account_id != account.pk:
        raise Conflict(f"idempotency_key: {key!r} was already used for another account")
    return existing


def reverse_entry(
    *,
    entry: JournalEntry,
    effective_on: dt.date,
    idempotency_key: str | None = None,
    memo: str = "",
    clock: Clock | None = None,
) -> JournalEntry:
    """Post the exact negation of an entry, linked to it. An entry can be reversed only once."""
    if entry.kind == EntryKind.REVERSAL:
        raise Conflict("a reversal cannot itself be reversed; post a new entry instead")
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise Conflict(f"entry #{entry.pk} has already been reversed")
    lines = {line.book: -line.amount_minor for line in entry.lines.all()}
    reversal, _ = post_entry(
        account=entry.account,
        kind=EntryKind.REVERSAL,
        effective_on=effective_on,
        lines=lines,
        idempotency_key=idempotency_key,
        memo=memo or f"reversal of #{entry.pk}",
        clock=clock,
    )
    reversal.reverses = entry
    reversal.save(update_fields=["reverses"])
    return reversal
