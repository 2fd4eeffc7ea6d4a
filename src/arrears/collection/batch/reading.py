"""Everything one shard's night needs, read in a fixed number of set-based queries.

A shard is a range of account ids. Its *candidates* are the accounts in the range that are
past due (open or charged off, 1 day or more) or that have an open case: the others cannot
open, close or work a case tonight, so they are never read. Every query below selects by the
candidates' subquery, so the number of queries does not grow with the shard (a test counts
them), and each returns one Polars frame. Dates come back as days since 1970-01-01 and instants
as seconds since 1970-01-01 UTC (`bulk.epoch_days`, `bulk.epoch_seconds`), cast to Polars types
here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection, transaction

from arrears.common.bulk import day_number, epoch_days, epoch_seconds, read_frame

_I, _S, _B = pl.Int64(), pl.String(), pl.Boolean()

#: The books whose sum is what the borrower owes: receivables, a credit held for them, and —
#: after charge-off — the loss still to recover (recoveries paid are negative on `recovery`).
_OWED_BOOKS = (
    "l.book LIKE 'principal:%%' OR l.book LIKE 'interest:%%' OR l.book LIKE 'fees:%%' "
    "OR l.book IN ('suspense:credit', 'loss:charge_off', 'recovery')"
)


@dataclass(frozen=True)
class Shard:
    """A range of account ids, both ends included, for one business date."""

    business_date: dt.date
    first_id: int
    last_id: int
    every_account: bool = False  # `strategy explain`: the account even when it is current

    @property
    def key(self) -> str:
        return f"{self.first_id}-{self.last_id}"


@dataclass(frozen=True)
class ShardFrames:
    """What the database says about a shard's candidate accounts (one frame per query)."""

    accounts: pl.DataFrame
    borrowers: pl.DataFrame
    points: pl.DataFrame
    cases: pl.DataFrame
    disputes: pl.DataFrame
    promises: pl.DataFrame
    payments: pl.DataFrame
    contacts: pl.DataFrame
    dispositions: pl.DataFrame
    step_counts: pl.DataFrame
    calls: pl.DataFrame  # the borrowers' calls of the last 35 days (best time to call)
    hardship: pl.DataFrame  # hardship claimed, vulnerability, a plan in force (hardship app)


Selection = tuple[str, list[Any]]

#: The shard's candidates, materialised once per read (a temporary table: every query below
#: selects by it instead of evaluating the candidates' condition again).
CANDIDATES = "_collection_shard"


def candidates(shard: Shard) -> tuple[str, list[Any]]:
    """SQL selecting the shard's candidate accounts (id, borrower_id), and its parameters."""
    if shard.every_account:
        return "SELECT a.id, a.borrower_id FROM servicing_account a WHERE a.id BETWEEN %s AND %s", [
            shard.first_id,
            shard.last_id,
        ]
    sql = (
        "SELECT a.id, a.borrower_id FROM servicing_account a WHERE a.id BETWEEN %s AND %s AND ("
        "(a.status IN ('open', 'charged_off') AND a.days_past_due >= 1) OR a.id IN ("
        "SELECT c.account_id FROM collection_case c "
        "WHERE c.status = 'open' AND c.account_id BETWEEN %s AND %s))"
    )
    return sql, [shard.first_id, shard.last_id, shard.first_id, shard.last_id]


@contextlib.contextmanager
def materialised(shard: Shard) -> Iterator[tuple[str, list[Any]]]:
    """The candidates (id, borrower_id) in a temporary table for the duration of the block
    (inside the caller's transaction); yields the SQL that selects their ids. Every query
    then starts from this table and reaches the others by their indexes."""
    select, params = candidates(shard)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CANDIDATES}")
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE {CANDIDATES} (id bigint PRIMARY KEY, "
                "borrower_id bigint NOT NULL) ON COMMIT DROP"
            )
        else:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {CANDIDATES} (id integer PRIMARY KEY, "
                "borrower_id integer NOT NULL)"
            )
        cursor.execute(f"INSERT INTO {CANDIDATES} (id, borrower_id) {select}", params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {CANDIDATES}")
    try:
        yield CANDIDATE_IDS, []
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {CANDIDATES}")


#: The candidates' ids and borrowers (inside `materialised`). `IN (…)` rather than a join: both
#: planners then look each candidate up by index (SQLite scans a join's bigger side).
CANDIDATE_IDS = f"SELECT id FROM {CANDIDATES}"
BORROWERS = f"SELECT borrower_id FROM {CANDIDATES}"


def read_shard(shard: Shard, *, back_off_days: int, rpc_days: int) -> ShardFrames:
    """Read the shard: its candidates once into a temporary table, then 12 queries (and the
    hardship app's three), whatever its size."""
    with transaction.atomic():
        _index_lookups_are_cheap()
        with materialised(shard) as ids:
            return _read(shard, ids, back_off_days=back_off_days, rpc_days=rpc_days)


def _index_lookups_are_cheap() -> None:
    """PostgreSQL: tell the planner, for this transaction, that random reads cost about what
    sequential ones do (`ARREARS_COLLECTION_RANDOM_PAGE_COST`, default 1.1, the usual value for
    SSD storage; empty: leave the server's). Each query starts from a few thousand candidates
    and reaches the big tables by their indexes; with the default 4.0 the planner scans a
    million contact points instead."""
    from django.conf import settings

    cost = str(getattr(settings, "ARREARS_COLLECTION_RANDOM_PAGE_COST", "1.1"))
    if connection.vendor == "postgresql" and cost:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('random_page_cost', %s, true)", [cost])


def _read(shard: Shard, ids: Selection, *, back_off_days: int, rpc_days: int) -> ShardFrames:
    accounts = read_accounts(shard, ids)
    contacts, calls = read_contact_log(shard, ids, back_off_days=back_off_days, rpc_days=rpc_days)
    return ShardFrames(
        accounts=accounts,
        borrowers=read_borrowers(ids),
        points=read_points(ids),
        cases=read_open_cases(shard),
        disputes=read_disputes(shard, ids),
        promises=read_promises(ids),
        payments=read_payments(shard, ids, back_off_days=back_off_days),
        contacts=contacts,
        dispositions=read_last_dispositions(shard),
        step_counts=read_step_counts(shard),
        calls=calls,
        hardship=read_hardship(accounts["account_id"].to_list()),
    )


def _day_col(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Int32).cast(pl.Date)


def _instant_col(name: str) -> pl.Expr:
    return pl.from_epoch(pl.col(name), time_unit="s").dt.replace_time_zone("UTC")


def read_accounts(shard: Shard, selection: Selection) -> pl.DataFrame:
    """The candidates with their cached delinquency and what they owe at the end of the day."""
    _ids, params = selection
    day = shard.business_date
    frame = read_frame(
        f"SELECT a.id, a.number, a.borrower_id, a.product_id, a.kind, a.currency, a.status, "
        f"a.charged_off_on IS NOT NULL, a.days_past_due, a.bucket, a.past_due_minor, "
        f"COALESCE(o.owed, 0) "
        f"FROM servicing_account a LEFT JOIN ("
        f"SELECT l.account_id, SUM(l.amount_minor) AS owed FROM servicing_journalline l "
        f"WHERE l.account_id IN ({CANDIDATE_IDS}) AND l.effective_on <= %s AND ({_OWED_BOOKS}) "
        f"GROUP BY l.account_id) o ON o.account_id = a.id "
        f"WHERE a.id IN ({CANDIDATE_IDS}) ORDER BY a.id",
        [*params, day],
        {
            "account_id": _I,
            "account_number": _S,
            "borrower_id": _I,
            "product_id": _I,
            "account_kind": _S,
            "currency": _S,
            "account_status": _S,
            "charged_off": _B,
            "days_past_due": _I,
            "bucket": _S,
            "past_due_minor": _I,
            "balance_minor": _I,
        },
    )
    return frame


def read_borrowers(selection: Selection) -> pl.DataFrame:
    """The candidates' borrowers, with the language they are written to in (their notice
    preference, else their own)."""
    _ids, params = selection
    return read_frame(
        "SELECT b.id, b.reference, b.full_name, b.preferred_language, COALESCE(p.language, ''), "
        "b.email, b.address_line, b.city, b.region, b.postal_code, b.country, b.time_zone, "
        "b.user_id IS NOT NULL "
        "FROM servicing_borrower b LEFT JOIN engagement_noticepreference p "
        "ON p.borrower_id = b.id "
        f"WHERE b.id IN ({BORROWERS}) ORDER BY b.id",
        params,
        {
            "borrower_id": _I,
            "reference": _S,
            "full_name": _S,
            "preferred_language": _S,
            "notice_language": _S,
            "email": _S,
            "address_line": _S,
            "city": _S,
            "region": _S,
            "postal_code": _S,
            "country": _S,
            "time_zone": _S,
            "has_user": _B,
        },
    )


def read_points(selection: Selection) -> pl.DataFrame:
    """The borrowers' valid phone numbers and e-mail addresses, primary first."""
    _ids, params = selection
    return read_frame(
        "SELECT p.id, p.borrower_id, p.kind, p.value, p.is_primary "
        f"FROM servicing_contactpoint p WHERE p.is_valid AND p.borrower_id IN ({BORROWERS}) "
        "ORDER BY p.borrower_id, p.is_primary DESC, p.id",
        params,
        {"point_id": _I, "borrower_id": _I, "kind": _S, "value": _S, "is_primary": _B},
    ).with_columns(pl.col("is_primary").cast(pl.Boolean))


CASE_SCHEMA: dict[str, pl.DataType] = {
    "case_id": _I,
    "account_id": _I,
    "stage": _S,
    "opened_on": _I,
    "owner_kind": _S,
    "queue_id": _I,
    "agent_id": _I,
    "agency_id": _I,
    "strategy_id": _I,
    "segment": _S,
    "path": _S,
    "last_step": _S,
    "last_step_on": _I,
    "next_action": _S,
    "next_action_on": _I,
    "next_action_reason": _S,
    "paused_until": _I,
    "pause_reason": _S,
    "risk_score": _I,
    "hardship": _B,
    "vulnerable": _B,
    "no_answer_streak": _I,
    "evaluated_on": _I,
}


def read_open_cases(shard: Shard) -> pl.DataFrame:
    """The open cases of the shard's accounts (dates as days since 1970)."""
    return _cast_case_dates(
        read_frame(
            "SELECT c.id, c.account_id, c.stage, "
            f"{epoch_days('c.opened_on')}, c.owner_kind, c.queue_id, c.agent_id, c.agency_id, "
            "c.strategy_id, c.segment, c.path, c.last_step, "
            f"{epoch_days('c.last_step_on')}, c.next_action, "
            f"{epoch_days('c.next_action_on')}, c.next_action_reason, "
            f"{epoch_days('c.paused_until')}, c.pause_reason, c.risk_score, c.hardship, "
            "c.vulnerable, "
            f"c.no_answer_streak, {epoch_days('c.evaluated_on')} "
            "FROM collection_case c WHERE c.status = 'open' AND c.account_id BETWEEN %s AND %s "
            "ORDER BY c.account_id",
            [shard.first_id, shard.last_id],
            CASE_SCHEMA,
        )
    )


def _cast_case_dates(frame: pl.DataFrame) -> pl.DataFrame:
    dates = ("opened_on", "last_step_on", "next_action_on", "paused_until", "evaluated_on")
    return frame.with_columns(
        *(_day_col(name) for name in dates), pl.col("hardship", "vulnerable").cast(pl.Boolean)
    )


def read_disputes(shard: Shard, selection: Selection) -> pl.DataFrame:
    """The candidates with a dispute hold in force on the day (on the account or the borrower)."""
    _ids, params = selection
    day = shard.business_date
    return read_frame(
        f"SELECT DISTINCT s.id FROM {CANDIDATES} s JOIN compliance_hold h "
        "ON h.borrower_id = s.borrower_id AND (h.account_id IS NULL OR h.account_id = s.id) "
        "WHERE h.kind = 'dispute' AND h.lifted_at IS NULL "
        "AND h.start_on <= %s AND (h.end_on IS NULL OR h.end_on >= %s)",
        [*params, day, day],
        {"account_id": _I},
    )


def read_promises(selection: Selection) -> pl.DataFrame:
    """Every promise to pay on the candidates (not cancelled), newest last."""
    ids, params = selection
    return read_frame(
        f"SELECT p.account_id, p.case_id, p.status, {epoch_seconds('p.taken_at')}, "
        f"{epoch_days('p.broken_on')} FROM collection_promise p "
        f"WHERE p.account_id IN ({ids}) AND p.status <> 'cancelled' "
        "ORDER BY p.account_id, p.taken_at, p.id",
        params,
        {"account_id": _I, "case_id": _I, "status": _S, "taken_at": _I, "broken_on": _I},
    ).with_columns(_instant_col("taken_at"), _day_col("broken_on"))


def read_payments(shard: Shard, selection: Selection, *, back_off_days: int) -> pl.DataFrame:
    """The last payment (posted, not reversed) in the back-off window, per candidate."""
    ids, params = selection
    day = shard.business_date
    since = day - dt.timedelta(days=back_off_days - 1)
    return read_frame(
        f"SELECT y.account_id, MAX({epoch_days('y.received_on')}) FROM servicing_payment y "
        f"WHERE y.account_id IN ({ids}) AND y.status = 'posted' "
        "AND y.received_on BETWEEN %s AND %s GROUP BY y.account_id",
        [*params, since, day],
        {"account_id": _I, "last_paid_on": _I},
    ).with_columns(_day_col("last_paid_on"))


#: How far back a night reads the contact log: right-party contacts count 30 days; the best
#: time to call learns from five weeks of calls (five of each hour of the week).
LOG_DAYS = 35
ANSWERED = ("connected", "conversation", "refused")


def read_contact_log(
    shard: Shard, selection: Selection, *, back_off_days: int, rpc_days: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """From the shared contact log, per borrower: the last attempt up to the end of the day,
    right-party contacts (a conversation with the borrower) in the last `rpc_days` days and
    inbound contacts in the back-off window (`contacts`; the counts are null for a borrower
    with no attempt in the last `LOG_DAYS` days); and their outbound calls of the last
    `LOG_DAYS` days (`calls`: borrower_id, at, answered — the best time to call).

    Three queries, each an index seek per borrower (`contactattempt_log_idx`: borrower,
    started_at, id, channel, direction, outcome, party_role — every column they read, so the
    log's wide rows are never visited, and months of history are never scanned): the last
    attempt; the counts, added up in the database; and the outbound calls alone, in the
    index's order."""
    _ids, params = selection
    day = shard.business_date
    end, rpc_since, inbound_since = _instants(day, rpc_days, back_off_days)
    _end, log_since, _ = _instants(day, max(LOG_DAYS, rpc_days, back_off_days), 1)
    last = read_frame(
        f"SELECT b.id, (SELECT {epoch_seconds('MAX(t.started_at)')} "
        "FROM compliance_contactattempt t WHERE t.borrower_id = b.id AND t.started_at < %s) "
        f"FROM servicing_borrower b WHERE b.id IN ({BORROWERS}) ORDER BY b.id",
        [end, *params],
        {"borrower_id": _I, "last_contact_at": _I},
    )
    counts = read_frame(
        "SELECT t.borrower_id, "
        "SUM(CASE WHEN t.party_role = 'debtor' AND t.outcome = 'conversation' "
        "AND t.started_at >= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.direction = 'inbound' AND t.started_at >= %s THEN 1 ELSE 0 END) "
        "FROM compliance_contactattempt t WHERE t.started_at >= %s AND t.started_at < %s "
        f"AND {_of_candidates('t.borrower_id')} GROUP BY t.borrower_id",
        [rpc_since, inbound_since, log_since, end, *params],
        {"borrower_id": _I, "rpc_recent": _I, "inbound_recent": _I},
    )
    answered = ", ".join(f"'{o}'" for o in ANSWERED)
    calls = read_frame(
        f"SELECT t.borrower_id, {epoch_seconds('t.started_at')}, "
        f"CASE WHEN t.outcome IN ({answered}) THEN 1 ELSE 0 END "
        "FROM compliance_contactattempt t WHERE t.started_at >= %s AND t.started_at < %s "
        "AND t.channel = 'call' AND t.direction = 'outbound' "
        f"AND {_of_candidates('t.borrower_id')} ORDER BY t.borrower_id, t.started_at, t.id",
        [log_since, end, *params],
        {"borrower_id": _I, "at": _I, "answered": _I},
    ).with_columns(_instant_col("at"))
    contacts = (
        last.filter(pl.col("last_contact_at").is_not_null())
        .join(counts, on="borrower_id", how="left", maintain_order="left")
        .with_columns(_instant_col("last_contact_at"))
    )
    return contacts, calls


def _of_candidates(column: str) -> str:
    """SQL: `column` (a borrower id in the contact log) is one of the candidates' borrowers,
    written so that each database seeks the log index once per borrower. PostgreSQL plans
    `IN (subquery)` as a merge semi-join that walks the log's whole borrower range (on the 1M
    portfolio: 430,000 rows read for 4,300 candidates, 1.3 s a query); `= ANY(ARRAY(…))` makes
    it an index-only scan of `contactattempt_log_idx` per borrower (0.1 s)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY({BORROWERS}))"
    return f"{column} IN ({BORROWERS})"


def _instants(day: dt.date, rpc_days: int, back_off_days: int) -> tuple[Any, Any, Any]:
    """The end of the business date and the starts of the windows, as the database stores
    instants (midnights in the lender's time zone)."""
    from django.db import connection
    from django.utils import timezone

    def midnight(on: dt.date) -> Any:
        moment = timezone.make_aware(dt.datetime.combine(on, dt.time()))
        return connection.ops.adapt_datetimefield_value(moment)

    return (
        midnight(day + dt.timedelta(days=1)),
        midnight(day - dt.timedelta(days=rpc_days - 1)),
        midnight(day - dt.timedelta(days=back_off_days - 1)),
    )


HARDSHIP_SCHEMA = {"account_id": _I, "hardship_claimed": _B, "vulnerable_now": _B, "on_plan": _B}


def read_hardship(account_ids: list[int]) -> pl.DataFrame:
    """What the hardship app knows of the candidates: hardship claimed in an assessment, the
    borrower's vulnerability, a plan accepted or in force (`hardship_flags_in_bulk`)."""
    from arrears.hardship.selectors import hardship_flags_in_bulk

    rows: list[tuple[int, bool, bool, bool]] = []
    for start in range(0, len(account_ids), 5000):
        flags = hardship_flags_in_bulk(account_ids[start : start + 5000])
        rows.extend(
            (f.account_id, f.hardship_claimed, f.vulnerable, f.plan_id is not None)
            for f in flags.values()
        )
    return pl.DataFrame(rows, schema=HARDSHIP_SCHEMA, orient="row")


def read_last_dispositions(shard: Shard) -> pl.DataFrame:
    """The disposition of the latest contact recorded on each open case of the shard."""
    return read_frame(
        "SELECT x.case_id, x.code FROM (SELECT o.case_id, d.code, ROW_NUMBER() OVER ("
        "PARTITION BY o.case_id ORDER BY t.started_at DESC, o.id DESC) AS n "
        "FROM collection_contactoutcome o "
        "JOIN collection_case c ON c.id = o.case_id "
        "JOIN collection_disposition d ON d.id = o.disposition_id "
        "JOIN compliance_contactattempt t ON t.id = o.attempt_id "
        "WHERE c.status = 'open' AND c.account_id BETWEEN %s AND %s) x WHERE x.n = 1",
        [shard.first_id, shard.last_id],
        {"case_id": _I, "last_disposition": _S},
    )


def read_step_counts(shard: Shard) -> pl.DataFrame:
    """How many times each step was scheduled in each open case (repeat numbers), and whether
    one was already scheduled on this date (a re-run writes nothing)."""
    return read_frame(
        "SELECT x.case_id, x.step, COUNT(*), "
        "SUM(CASE WHEN x.business_date = %s THEN 1 ELSE 0 END) "
        "FROM collection_collectionaction x JOIN collection_case c ON c.id = x.case_id "
        "WHERE c.status = 'open' AND c.account_id BETWEEN %s AND %s AND x.step <> '' "
        "GROUP BY x.case_id, x.step",
        [shard.business_date, shard.first_id, shard.last_id],
        {"case_id": _I, "step": _S, "times": _I, "today": _I},
    )


def business_day(day: dt.date) -> int:
    return day_number(day)
