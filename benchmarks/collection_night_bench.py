"""Benchmark the nightly cycle (servicing + collection) on a million accounts, from the database
and back, beside a naive per-account loop measured in the same run.

    .venv/bin/python benchmarks/collection_night_bench.py                      # 1M accounts, SQLite
    .venv/bin/python benchmarks/collection_night_bench.py --accounts 100000 --attempts 500000
    ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/collbench \\
        .venv/bin/python benchmarks/collection_night_bench.py --use-database-url  # a scratch DB!

Seeds the portfolio straight into the tables (COPY on PostgreSQL, executemany in large
transactions on SQLite; not through the services, so seeding takes minutes, not days): CN cards
(60 %) and loans, ~8 % delinquent across the buckets with their statements, obligations, open
cases part-way along the bundled ladder, promises, disputes, and the contact log — `--attempts`
attempts spread over 180 days, most of them to delinquent borrowers. Then, in one run:

1. how the batch reads: `pl.read_database` against the cursor's rows, on the same query;
2. the naive loop: a random sample of accounts (`--sample`), each aged (`age_account`) and taken
   through the collection night one account at a time (`collection.batch.single.run_account`:
   the per-case services, the scalar strategy, `request_permit` per contact) — rolled back;
3. the nightly cycle for the business date, step by step (servicing, notices, hardship, and
   the collection night with its stages: read / cases / evaluate / gate / write);
4. the floor: the raw read and write of the same data, with no logic (what the night looks at
   read; the rows it wrote read and written again into empty copies; the accounts it aged
   updated) — rolled back;
5. the collection night again for the same date: it must change nothing.

Prints the figures; asserts nothing (docs/BENCHMARKS.md, "Collection night").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

DAY = dt.date(2025, 6, 10)
CHUNK = 200_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--attempts", type=int, default=5_000_000)
    parser.add_argument("--sample", type=int, default=2000, help="accounts in the naive loop")
    parser.add_argument("--shard-size", type=int, default=None)
    parser.add_argument(
        "--workers", type=int, default=1,
        help="processes sharing the collection night's shards (PostgreSQL; SQLite has one writer)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--seeded",
        metavar="PLACE",
        help="keep the seeded portfolio (a folder for SQLite, a database name for PostgreSQL) "
        "and reuse it when it is there: each run works on a fresh copy of it",
    )
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="run on ARREARS_DATABASE_URL (it is emptied and written to: a scratch database)",
    )
    parser.add_argument("--phase", choices=["all", "seed", "run"], default="all",
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.seeded and args.phase == "all":
        _with_seeded_copy(args)
        return
    database = _set_up_django(args.use_database_url)
    print(f"database: {database}", flush=True)
    rng = np.random.default_rng(args.seed)
    if args.phase in ("all", "seed"):
        started = time.perf_counter()
        _prepare_schema(args.use_database_url)
        seeded = Seeder(args.accounts, args.attempts, rng).run()
        print(f"seeded in {time.perf_counter() - started:.1f} s: {seeded}", flush=True)
    if args.phase in ("all", "run"):
        if args.phase == "run":  # a seeded copy: bring its schema up to date first
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            _reset_sequences()
        _readers()
        naive = _naive_loop(args.sample, rng)
        before = _table_sizes()
        cycle = _night(args.shard_size, args.workers)
        floor = _raw_floor(before, cycle)
        again = _night_again(args.shard_size)
        _report(args.accounts, naive, cycle, again, floor)


def _with_seeded_copy(args: argparse.Namespace) -> None:
    """Seed once into `--seeded` (unless it is there), then run on a fresh copy of it."""
    import shutil
    import subprocess
    from urllib.parse import urlsplit, urlunsplit

    common = [
        sys.executable,
        __file__,
        "--accounts",
        str(args.accounts),
        "--attempts",
        str(args.attempts),
        "--sample",
        str(args.sample),
        "--seed",
        str(args.seed),
    ]
    if args.shard_size:
        common += ["--shard-size", str(args.shard_size)]
    common += ["--workers", str(args.workers)]
    env = dict(os.environ)
    if args.use_database_url:
        url = urlsplit(os.environ["ARREARS_DATABASE_URL"])
        admin = urlunsplit(url._replace(path="/postgres"))
        seeded, work = args.seeded, f"{args.seeded}_work"

        def psql(sql: str) -> str:
            found = subprocess.run(["psql", admin, "-tAc", sql], check=True,
                                   capture_output=True, text=True)  # fmt: skip
            return found.stdout.strip()

        if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{seeded}'"):
            psql(f"CREATE DATABASE {seeded}")
            env["ARREARS_DATABASE_URL"] = urlunsplit(url._replace(path=f"/{seeded}"))
            subprocess.run([*common, "--use-database-url", "--phase", "seed"], env=env, check=True)
        psql(f"DROP DATABASE IF EXISTS {work}")
        started = time.perf_counter()
        psql(f"CREATE DATABASE {work} TEMPLATE {seeded}")
        print(f"copied the seeded database in {time.perf_counter() - started:.1f} s", flush=True)
        env["ARREARS_DATABASE_URL"] = urlunsplit(url._replace(path=f"/{work}"))
        subprocess.run([*common, "--use-database-url", "--phase", "run"], env=env, check=True)
        return
    folder = os.path.abspath(args.seeded)
    if not os.path.exists(os.path.join(folder, "arrears.sqlite3")):
        os.makedirs(folder, exist_ok=True)
        env["ARREARS_HOME"] = folder
        subprocess.run([*common, "--phase", "seed"], env=env, check=True)
    work = tempfile.mkdtemp(prefix="arrears-collbench-")
    started = time.perf_counter()
    shutil.copy(os.path.join(folder, "arrears.sqlite3"), os.path.join(work, "arrears.sqlite3"))
    print(f"copied the seeded database in {time.perf_counter() - started:.1f} s", flush=True)
    env["ARREARS_HOME"] = work
    try:
        subprocess.run([*common, "--phase", "run"], env=env, check=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _set_up_django(use_database_url: bool) -> str:
    if os.environ.get("ARREARS_DATABASE_URL") and not use_database_url:
        sys.exit("ARREARS_DATABASE_URL is set: pass --use-database-url if it is a scratch database")
    if not use_database_url and "ARREARS_HOME" not in os.environ:
        os.environ["ARREARS_HOME"] = tempfile.mkdtemp(prefix="arrears-collbench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings.dev")
    os.environ["ARREARS_DEBUG"] = "false"
    os.environ.setdefault("ARREARS_LANGUAGE", "en")
    import django

    django.setup()
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def _prepare_schema(scratch_postgres: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    if scratch_postgres and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates
    from arrears.servicing.services.products import load_products

    load_products()
    load_profiles()
    load_templates()


# --- seeding --------------------------------------------------------------------------------


def _text_day(days: np.ndarray) -> list[str]:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").tolist()


def _text_instant(seconds: np.ndarray) -> list[str]:
    from django.db import connection

    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    text = np.char.replace(text, "T", " ")
    if connection.vendor == "postgresql":
        return [f"{t}+00" for t in text.tolist()]
    return text.tolist()


def _epoch(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def write(table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]] | list[Any]) -> int:
    """Rows straight into a table: COPY on PostgreSQL, executemany on SQLite, in chunks."""
    from django.db import connection, transaction

    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    batch: list[Sequence[Any]] = []

    def flush() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                cursor.cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)

    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            flush()
            count += len(batch)
            batch = []
    if batch:
        flush()
        count += len(batch)
    return count


class Seeder:
    """The portfolio, generated with NumPy and written table by table."""

    def __init__(self, accounts: int, attempts: int, rng: np.random.Generator) -> None:
        self.n = accounts
        self.attempts = attempts
        self.rng = rng
        self.borrowers = int(accounts * 0.85)
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        from django.db import connection

        self._people()
        self._accounts()
        self._ledger()
        self._cases()
        self._contacts()
        self._staff()
        _reset_sequences()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return self.counts

    # borrowers and their contact points
    def _people(self) -> None:
        ids = np.arange(1, self.borrowers + 1)
        self.lang = np.where(self.rng.random(ids.size) < 0.9, "zh-hans", "en")
        self.has_email = self.rng.random(ids.size) < 0.6
        created = "2024-01-01 00:00:00" + ("+00" if _pg() else "")
        self.counts["borrowers"] = write(
            "servicing_borrower",
            (
                "id",
                "reference",
                "full_name",
                "preferred_language",
                "email",
                "address_line",
                "city",
                "region",
                "postal_code",
                "country",
                "time_zone",
                "income_currency",
                "created_at",
            ),
            (
                (
                    int(i),
                    f"B{i:08d}",
                    f"张三{i}",
                    lang,
                    f"b{i}@example.com" if mail else "",
                    "1 Nanjing Road",
                    "Shanghai",
                    "Shanghai",
                    "200000",
                    "CN",
                    "Asia/Shanghai",
                    "",
                    created,
                )
                for i, lang, mail in zip(
                    ids.tolist(), self.lang.tolist(), self.has_email.tolist(), strict=True
                )
            ),
        )
        valid = self.rng.random(ids.size) < 0.98
        points = (
            (int(i), "mobile", f"+86138{i:08d}", True, bool(ok))
            for i, ok in zip(ids.tolist(), valid.tolist(), strict=True)
        )
        emails = (
            (int(i), "email", f"b{i}@example.com", True, True) for i in ids[self.has_email].tolist()
        )
        columns = ("borrower_id", "kind", "value", "is_primary", "is_valid")
        self.counts["contact_points"] = write("servicing_contactpoint", columns, points) + write(
            "servicing_contactpoint", columns, emails
        )

    # accounts with their delinquency as aged yesterday
    def _accounts(self) -> None:
        from arrears.servicing.models import Product

        n, rng = self.n, self.rng
        products = dict(Product.objects.values_list("code", "pk"))
        self.ids = np.arange(1, n + 1)
        self.borrower = (self.ids - 1) % self.borrowers + 1
        self.card = rng.random(n) < 0.6
        delinquent = rng.random(n) < 0.08
        bucket_of = rng.choice(
            [0, 1, 2, 3, 4, 5, 6], size=n, p=[0.50, 0.22, 0.11, 0.07, 0.04, 0.03, 0.03]
        )
        dpd = np.where(delinquent, bucket_of * 30 + rng.integers(1, 31, n), 0)
        dpd = np.where(~self.card, np.minimum(dpd, 89), np.minimum(dpd, 179))
        self.dpd = dpd  # tonight's days past due
        self.charged = (~self.card) & delinquent & (rng.random(n) < 0.06)
        self.curing = (~delinquent) & (rng.random(n) < 0.006)  # paid yesterday: cure tonight
        yesterday = np.maximum(dpd - 1, 0)
        yesterday = np.where(self.curing, rng.integers(1, 20, n), yesterday)
        self.dpd_yesterday = yesterday
        self.balance = np.where(
            self.card, rng.integers(200_000, 3_000_000, n), rng.integers(1_200_000, 6_000_000, n)
        )
        self.opened = _epoch(dt.date(2024, 1, 1)) + rng.integers(0, 420, n)
        self.statement_day = rng.integers(1, 29, n)
        status = np.where(self.charged, "charged_off", "open")
        buckets = np.array(["current", "M1", "M2", "M3", "M4", "M5", "M6", "M7+"])
        bucket = buckets[np.where(yesterday == 0, 0, np.minimum((yesterday - 1) // 30 + 1, 7))]
        past_due = np.where(yesterday > 0, self.balance // 10, 0)
        opened = _text_day(self.opened)
        aged = DAY - dt.timedelta(days=1)
        charged_on = (DAY - dt.timedelta(days=3)).isoformat()
        card_id, loan_id = products["cn_card_classic"], products["cn_consumer_loan"]
        self.counts["accounts"] = write(
            "servicing_account",
            (
                "id",
                "number",
                "borrower_id",
                "product_id",
                "kind",
                "currency",
                "status",
                "opened_on",
                "credit_limit_minor",
                "statement_day",
                "principal_minor",
                "apr",
                "term_months",
                "repayment_method",
                "repayment_day",
                "days_past_due",
                "bucket",
                "past_due_minor",
                "aged_on",
                "charged_off_on",
            ),
            (
                (
                    i,
                    f"A{i:010d}",
                    b,
                    card_id if c else loan_id,
                    "card" if c else "loan",
                    "CNY",
                    s,
                    o,
                    5_000_000 if c else None,
                    sd if c else None,
                    None if c else bal,
                    None if c else "7.2",
                    None if c else 12,
                    "" if c else "annuity",
                    None if c else sd,
                    y,
                    bk,
                    pd,
                    aged.isoformat(),
                    charged_on if ch else None,
                )
                for i, b, c, s, o, sd, bal, y, bk, pd, ch in zip(
                    self.ids.tolist(),
                    self.borrower.tolist(),
                    self.card.tolist(),
                    status.tolist(),
                    opened,
                    self.statement_day.tolist(),
                    self.balance.tolist(),
                    yesterday.tolist(),
                    bucket.tolist(),
                    past_due.tolist(),
                    self.charged.tolist(),
                    strict=True,
                )
            ),
        )

    # the journal (one opening entry each), statements and obligations
    def _ledger(self) -> None:
        n, day = self.n, _epoch(DAY)
        stamp = "2024-01-01 00:00:00" + ("+00" if _pg() else "")
        opened = _text_day(self.opened)
        self.counts["journal_entries"] = write(
            "servicing_journalentry",
            ("id", "account_id", "kind", "effective_on", "posted_at", "currency", "memo"),
            (
                (i, i, "opening_balance", o, stamp, "CNY", "seeded")
                for i, o in zip(self.ids.tolist(), opened, strict=True)
            ),
        )
        book = np.where(self.card, "principal:purchase", "principal:loan")
        receivable = np.where(self.charged, 0, self.balance)
        lines = []
        for i, b, amount, bal, o in zip(self.ids.tolist(), book.tolist(), receivable.tolist(),
                                        self.balance.tolist(), opened, strict=True):  # fmt: skip
            lines.append((i, i, b, bal, o))
            lines.append((i, i, "funding", -bal, o))
            if amount == 0:  # charged off: the receivable moved to the loss book
                lines.append((i, i, b, -bal, o))
                lines.append((i, i, "loss:charge_off", bal, o))
        self.counts["journal_lines"] = write(
            "servicing_journalline", ("entry_id", "account_id", "book", "amount_minor",
                                      "effective_on"), lines)  # fmt: skip
        del lines
        # an obligation falls due `dpd_yesterday + 1` days ago when overdue; else the last one
        # was paid and the next is due after today
        overdue = (self.dpd_yesterday > 0) | (self.dpd > 0)
        due = np.where(overdue, day - np.maximum(self.dpd, self.dpd_yesterday + 1), day - 20)
        nxt = day + 1 + (self.statement_day + 7) % 28
        amount = np.maximum(self.balance // 10, 1000)
        paid = np.where(overdue & ~self.curing, 0, amount)
        statement_on = due - 20
        cards = np.flatnonzero(self.card)
        self.counts["statements"] = write(
            "servicing_statement",
            (
                "account_id",
                "number",
                "period_start_on",
                "statement_on",
                "due_on",
                "currency",
                "previous_balance_minor",
                "payments_minor",
                "purchases_minor",
                "cash_advances_minor",
                "interest_minor",
                "fees_minor",
                "new_balance_minor",
                "minimum_due_minor",
                "book_balances",
            ),
            (
                (
                    int(self.ids[k]),
                    1,
                    start,
                    st,
                    du,
                    "CNY",
                    0,
                    0,
                    int(self.balance[k]),
                    0,
                    0,
                    0,
                    int(self.balance[k]),
                    int(amount[k]),
                    f'{{"principal:purchase": {int(self.balance[k])}}}',
                )
                for k, start, st, du in zip(
                    cards.tolist(),
                    _text_day(statement_on[cards] - 30),
                    _text_day(statement_on[cards]),
                    _text_day(due[cards]),
                    strict=True,
                )
            ),
        )
        kinds = np.where(self.card, "minimum_payment", "instalment")
        dues, nexts = _text_day(due), _text_day(nxt)
        rows = []
        for k in range(n):
            i = int(self.ids[k])
            rows.append((i, kinds[k], 1, dues[k], int(amount[k]), int(amount[k]), 0, int(paid[k]),
                         int(paid[k]), 0, True))  # fmt: skip
            if not self.card[k]:
                rows.append((i, "instalment", 2, nexts[k], int(amount[k]), int(amount[k]), 0, 0,
                             0, 0, False))  # fmt: skip
        self.counts["obligations"] = write(
            "servicing_obligation",
            ("account_id", "kind", "number", "due_on", "amount_minor", "principal_minor",
             "interest_minor", "paid_minor", "paid_principal_minor", "paid_interest_minor",
             "is_posted"),
            rows,
        )  # fmt: skip
        del rows
        self._payments()

    def _payments(self) -> None:
        """A payment yesterday for each curing account and some delinquent ones (engaged)."""
        engaged = (self.dpd > 0) & (self.rng.random(self.n) < 0.03)
        paying = np.flatnonzero(self.curing | engaged)
        first_entry = self.n + 1
        when = (DAY - dt.timedelta(days=1)).isoformat()
        stamp = f"{when} 10:00:00" + ("+00" if _pg() else "")
        entries = [(first_entry + j, int(self.ids[k]), "payment", when, stamp, "CNY", "seeded")
                   for j, k in enumerate(paying.tolist())]  # fmt: skip
        write("servicing_journalentry",
              ("id", "account_id", "kind", "effective_on", "posted_at", "currency", "memo"),
              entries)  # fmt: skip
        write("servicing_payment",
              ("account_id", "amount_minor", "currency", "received_on", "channel",
               "idempotency_key", "external_reference", "status", "entry_id", "reversal_reason",
               "created_at"),
              ((e[1], 10_000, "CNY", when, "bank_transfer", f"seed-pay-{e[0]}", "", "posted",
                e[0], "", stamp) for e in entries))  # fmt: skip
        self.counts["payments"] = len(entries)

    # open cases part-way along the bundled ladder, promises and disputes
    def _cases(self) -> None:
        from arrears.core.strategy import load_bundled_strategy
        from arrears.core.strategy.split import arms_of, slots

        strategy = load_bundled_strategy("conventional-ladder")
        delinquent = next(s for s in strategy.segments if s.id == "delinquent")
        with_case = np.flatnonzero(self.dpd_yesterday >= 1)
        ids = self.ids[with_case]
        arms = arms_of(slots(strategy.seed, "delinquent", ids), [a.share for a in delinquent.arms])
        paths = np.array([a.path for a in delinquent.arms])[arms]
        yesterday = self.dpd_yesterday[with_case]
        stage = np.where(yesterday <= 30, "early", np.where(yesterday <= 60, "mid", "late"))
        stage = np.where(self.charged[with_case], "recovery", stage)
        hardship = self.rng.random(ids.size) < 0.02
        streak = self.rng.choice([0, 0, 0, 1, 2, 3, 4], ids.size)
        day = _epoch(DAY)
        stamp = "2025-06-09 16:30:00" + ("+00" if _pg() else "")
        rows = []
        for k in range(ids.size):
            path = strategy.paths[str(paths[k])]
            step, on = _last_step(path, int(yesterday[k]))
            rows.append((
                int(ids[k]), int(self.borrower[with_case[k]]), "open", str(stage[k]),
                (DAY - dt.timedelta(days=int(yesterday[k]))).isoformat(), "seeded", "",
                "queue", "delinquent", str(paths[k]), step,
                (DAY - dt.timedelta(days=on)).isoformat() if step else None, "none", "", "",
                bool(hardship[k]), False, int(streak[k]), stamp,
            ))  # fmt: skip
        self.counts["cases"] = write(
            "collection_case",
            ("account_id", "borrower_id", "status", "stage", "opened_on", "opened_reason",
             "close_reason", "owner_kind", "segment", "path", "last_step", "last_step_on",
             "next_action", "next_action_reason", "pause_reason", "hardship", "vulnerable",
             "no_answer_streak", "updated_at"),
            rows,
        )  # fmt: skip
        del rows
        self.case_accounts = ids
        self._promises_and_disputes(ids, day)

    def _promises_and_disputes(self, ids: np.ndarray, day: int) -> None:
        from django.db import connection

        rng = self.rng
        promised = ids[rng.random(ids.size) < 0.04]
        status = rng.choice(["live", "broken", "kept"], promised.size, p=[0.5, 0.3, 0.2])
        taken = "2025-06-05 03:00:00" + ("+00" if _pg() else "")
        with connection.cursor() as cursor:
            cursor.execute("SELECT account_id, id FROM collection_case")
            case_of = dict(cursor.fetchall())
        write(
            "collection_promise",
            ("case_id", "account_id", "borrower_id", "status", "source", "currency",
             "total_minor", "kept_minor", "grace_days", "taken_at", "note"),
            ((case_of[int(a)], int(a), int(self.borrower[int(a) - 1]), s, "agent", "CNY", 50_000,
              0, 2, taken, "") for a, s in zip(promised.tolist(), status.tolist(), strict=True)),
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, status FROM collection_promise")
            promises = cursor.fetchall()
        due = (DAY + dt.timedelta(days=3)).isoformat()
        write("collection_promiseinstalment",
              ("promise_id", "due_on", "amount_minor", "paid_minor", "status"),
              ((p, due, 50_000, 0, s) for p, s in promises))  # fmt: skip
        self.counts["promises"] = len(promises)
        disputed = ids[rng.random(ids.size) < 0.01]
        set_at = "2025-06-01 03:00:00" + ("+00" if _pg() else "")
        self.counts["disputes"] = write(
            "compliance_hold",
            ("borrower_id", "account_id", "kind", "start_on", "review_on", "reason",
             "prior_dismissals_12m", "breathing_space", "set_by_name", "set_at",
             "lifted_by_name", "lift_reason"),
            ((int(self.borrower[int(a) - 1]), int(a), "dispute", "2025-06-01", "2025-07-01",
              "disputes the amount", 0, "", "seed", set_at, "", "") for a in disputed.tolist()),
        )  # fmt: skip

    # the contact log: 180 days, most attempts to delinquent borrowers
    def _contacts(self) -> None:
        rng, total = self.rng, self.attempts
        hot = np.unique(self.borrower[self.dpd_yesterday > 0])
        share = 0.7 if hot.size else 0.0
        to_hot = int(total * share)
        borrowers = np.concatenate(
            [rng.choice(hot, to_hot) if to_hot else np.array([], dtype=np.int64),
             rng.integers(1, self.borrowers + 1, total - to_hot)]
        )  # fmt: skip
        is_call = np.concatenate([rng.random(to_hot) < 0.6, np.zeros(total - to_hot, bool)])
        start = _epoch(DAY - dt.timedelta(days=180)) * 86400
        # 08:00–21:00 in Shanghai = 00:00–13:00 UTC
        seconds = start + rng.integers(0, 180, total) * 86400 + rng.integers(0, 13 * 3600, total)
        outcome = np.where(
            is_call,
            rng.choice(["no_answer", "conversation", "voicemail", "failed", "connected"], total,
                       p=[0.55, 0.2, 0.1, 0.1, 0.05]),
            "delivered",
        )  # fmt: skip
        stamps = _text_instant(seconds)
        account_of = {}
        for account, borrower in zip(self.ids.tolist(), self.borrower.tolist(), strict=True):
            account_of.setdefault(borrower, account)
        rows = (
            (i + 1, b, "debtor", "", "call" if c else "sms", "outbound", f"+86138{b:08d}", o,
             "collection" if c else "servicing", s, "lender", not c, False, False, "", s)
            for i, (b, c, o, s) in enumerate(zip(borrowers.tolist(), is_call.tolist(),
                                                 outcome.tolist(), stamps, strict=True))
        )  # fmt: skip
        self.counts["contact_attempts"] = write(
            "compliance_contactattempt",
            ("id", "borrower_id", "party_role", "party_ref", "channel", "direction", "address",
             "outcome", "purpose", "started_at", "by", "automated", "artificial_voice",
             "direct_consent", "recording_ref", "recorded_at"),
            rows,
        )  # fmt: skip
        links = ((i + 1, account_of[b]) for i, b in enumerate(borrowers.tolist()))
        self.counts["attempt_accounts"] = write(
            "compliance_contactattempt_accounts", ("contactattempt_id", "account_id"), links
        )
        self._outcomes(borrowers, is_call, outcome, seconds)

    def _outcomes(self, borrowers: np.ndarray, is_call: np.ndarray, outcome: np.ndarray,
                  seconds: np.ndarray) -> None:  # fmt: skip
        """A disposition for the latest call of each open case (the last disposition)."""
        from django.db import connection

        from arrears.collection.models import Disposition

        codes = {
            "no_answer": "no_answer",
            "conversation": "right_party_contact",
            "voicemail": "voicemail",
            "failed": "powered_off",
            "connected": "third_party",
        }
        disposition = dict(Disposition.objects.values_list("code", "pk"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT borrower_id, id FROM collection_case")
            case_of = dict(cursor.fetchall())
        calls = np.flatnonzero(is_call)
        order = calls[np.lexsort((seconds[calls], borrowers[calls]))]
        last = {}
        for k in order.tolist():
            last[int(borrowers[k])] = k
        stamp = "2025-06-09 12:00:00" + ("+00" if _pg() else "")
        self.counts["outcomes"] = write(
            "collection_contactoutcome",
            ("attempt_id", "case_id", "disposition_id", "note", "recorded_at"),
            ((k + 1, case_of[b], disposition[codes[str(outcome[k])]], "", stamp)
             for b, k in last.items() if b in case_of and codes[str(outcome[k])] in disposition),
        )  # fmt: skip

    def _staff(self) -> None:
        from django.contrib.auth import get_user_model

        from arrears.collection.models import Collector, WorkQueue

        queues = [
            WorkQueue.objects.create(code="early", name_en="Early", name_zh="前期",
                                     stages=["early"], sort_order=1),
            WorkQueue.objects.create(code="mid", name_en="Mid", name_zh="中期", stages=["mid"],
                                     sort_order=2),
            WorkQueue.objects.create(code="late", name_en="Late", name_zh="后期",
                                     stages=["late", "recovery"], sort_order=3),
            WorkQueue.objects.create(code="hardship", name_en="Hardship", name_zh="困难帮扶",
                                     skills=["hardship_trained"], sort_order=0),
        ]  # fmt: skip
        user_model = get_user_model()
        for k in range(120):
            user = user_model.objects.create(username=f"collector{k}", is_staff=True)
            collector = Collector.objects.create(
                user=user, skills=["hardship_trained"] if k % 10 == 0 else [],
                languages=["zh-hans", "en"] if k % 4 == 0 else ["zh-hans"], max_open_cases=400,
            )  # fmt: skip
            collector.queues.set([queues[k % len(queues)]])
        self.counts["collectors"] = 120


def _last_step(path: Any, dpd_yesterday: int) -> tuple[str, int]:
    """The step a case on `path` last took by yesterday, and how many days ago (before today)."""
    last, ago = "", 0
    for step in path.steps:
        if step.on_day is None or step.on_day > dpd_yesterday:
            continue
        if step.until_day is not None and dpd_yesterday > step.until_day:
            last, ago = step.id, dpd_yesterday - step.until_day + 1
            continue
        last = step.id
        ago = 1 if step.repeats else dpd_yesterday - step.on_day + 1
    return last, ago


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids the seeding wrote itself."""
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            pk = model._meta.pk
            if pk is None or pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                continue
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{pk.column}'), "
                f"COALESCE((SELECT MAX({pk.column}) FROM {table}), 0) + 1, false)"
            )


def _pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


# --- measuring ----------------------------------------------------------------------------


def _readers() -> None:
    """The same query through `pl.read_database` and through the cursor's rows."""
    import polars as pl
    from django.db import connection

    from arrears.common.bulk import read_frame

    query = "SELECT id, borrower_id, days_past_due, bucket, past_due_minor FROM servicing_account"
    schema = {"id": pl.Int64(), "borrower_id": pl.Int64(), "days_past_due": pl.Int64(),
              "bucket": pl.String(), "past_due_minor": pl.Int64()}  # fmt: skip
    timings: dict[str, float] = {}
    for name in ("cursor rows", "pl.read_database", "cursor rows ", "pl.read_database "):
        started = time.perf_counter()
        if name.startswith("pl.read_database"):
            with connection.cursor() as cursor:
                frame = pl.read_database(query, connection=cursor.cursor, schema_overrides=schema)
        else:
            frame = read_frame(query, [], schema)
        timings[name] = time.perf_counter() - started
    print(f"reading {frame.height:,} rows × 5 columns: "
          + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()), flush=True)  # fmt: skip


class _Rollback(Exception):
    pass


#: What the night reads, at the least: the portfolio's figures, the unpaid dues, the open cases
#: and five weeks of the contact log (the gate's and the queue's look-back).
_FLOOR_READS = (
    "SELECT id, product_id, borrower_id, status, kind, days_past_due, past_due_minor, bucket, "
    "statement_day, opened_on FROM servicing_account",
    "SELECT id, account_id, due_on, amount_minor, paid_minor FROM servicing_obligation "
    "WHERE paid_minor < amount_minor",
    "SELECT * FROM collection_case WHERE closed_on IS NULL",
    "SELECT borrower_id, channel, address, outcome, started_at FROM compliance_contactattempt "
    "WHERE started_at >= %s",
)


def _table_sizes() -> dict[str, int]:
    from django.db import connection

    names = [n for n in connection.introspection.table_names()
             if n.split("_")[0] in ("servicing", "collection", "compliance", "engagement",
                                    "hardship")]  # fmt: skip
    with connection.cursor() as cursor:
        found = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {name}")
            found[name] = cursor.fetchone()[0]
    return found


def _raw_floor(before: dict[str, int], cycle: dict[str, Any]) -> dict[str, float]:
    """The raw read and write of the same data, with no logic: the floor the cycle is measured
    against. Read what the night reads (`_FLOOR_READS`), then, for every table the night wrote
    to, read as many of its rows as the night inserted and insert them into an empty copy of the
    table (COPY on PostgreSQL, executemany on SQLite), plus one UPDATE per account aged."""
    from django.db import connection, transaction

    after = _table_sizes()
    grown = {name: after[name] - before.get(name, 0) for name in after
             if after[name] > before.get(name, 0)}  # fmt: skip
    since = dt.datetime.combine(DAY - dt.timedelta(days=35), dt.time(), tzinfo=dt.UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in _FLOOR_READS:
            cursor.execute(sql, [since] if "%s" in sql else [])
            cursor.fetchall()
    read = time.perf_counter() - started
    aged = int(cycle["counts"].get("age_accounts", {}).get("aged", 0))
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for name, rows in sorted(grown.items()):
                _copy_rows(cursor, name, rows)
            _copy_rows(cursor, "servicing_account", aged, update=True)
            raise _Rollback
    except _Rollback:
        pass
    write = time.perf_counter() - started
    print(f"raw floor: read {read:.2f} s, rows written tonight {grown} + {aged:,} accounts "
          f"updated: {write:.2f} s", flush=True)  # fmt: skip
    return {"read": read, "write": write, "seconds": read + write}


def _copy_rows(cursor: Any, name: str, rows: int, update: bool = False) -> None:
    """Read `rows` rows of `name` and write them into an empty copy of it (or update them)."""
    from django.db import connection

    cursor.execute(f"SELECT * FROM {name} LIMIT {rows}")
    found = cursor.fetchall()
    columns = [connection.ops.quote_name(c[0]) for c in cursor.description]
    if update:
        sets = ", ".join(f"{c} = %s" for c in columns[1:])
        cursor.executemany(f"UPDATE {name} SET {sets} WHERE {columns[0]} = %s",
                           [(*row[1:], row[0]) for row in found])  # fmt: skip
        return
    copy = f"_floor_{name}"
    cursor.execute(f"CREATE TEMPORARY TABLE {copy} AS SELECT * FROM {name} WHERE 1 = 0")
    names = ", ".join(columns)
    if _pg():
        with cursor.cursor.copy(f"COPY {copy} ({names}) FROM STDIN") as pipe:
            for row in found:
                pipe.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {copy} ({names}) VALUES ({marks})", found)


def _naive_loop(sample: int, rng: np.random.Generator) -> dict[str, float]:
    """Age and run the collection night one account at a time, on a random sample; rolled back."""
    from django.db import connection, transaction

    from arrears.collection.batch.night import Night
    from arrears.collection.batch.single import run_account
    from arrears.collection.services.promises import review_promises
    from arrears.core.clock import FixedClock
    from arrears.servicing.models import Account
    from arrears.servicing.services.ageing import age_account

    if sample <= 0:
        return {}
    clock = FixedClock(dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=dt.UTC))
    ids = sorted(rng.choice(Account.objects.count(), sample, replace=False) + 1)
    result: dict[str, float] = {}
    try:
        with transaction.atomic():
            review_promises(on=DAY, clock=clock)
            night = Night.load(business_date=DAY, clock=clock)
            queries = [0]

            def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                queries[0] += 1
                return execute(sql, params, many, context)

            started, started_cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(count):
                for account_id in ids:
                    account = Account.objects.get(pk=int(account_id))
                    if account.status == "open":
                        age_account(account=account, as_of=DAY, clock=clock)
                    run_account(account_id=int(account_id), business_date=DAY, clock=clock,
                                night=night)  # fmt: skip
            result = {"accounts": len(ids), "seconds": time.perf_counter() - started,
                      "cpu": time.process_time() - started_cpu}  # fmt: skip
            result["queries"] = queries[0]
            raise _Rollback
    except _Rollback:
        pass
    print(f"naive loop: {result['accounts']:.0f} accounts in {result['seconds']:.1f} s "
          f"(cpu {result['cpu']:.1f} s; {result['accounts'] / result['seconds']:,.0f} accounts/s, "
          f"{result['queries']:,.0f} queries; load average {os.getloadavg()[0]:.1f})",
          flush=True)  # fmt: skip
    return result


def _shard_in_a_worker(job: tuple[str, int, int, str]) -> dict[str, Any]:
    """One shard in a worker process (the task a django-tasks worker would run)."""
    import django

    django.setup()
    from arrears.collection.batch import run_collection_shard
    from arrears.core.clock import FixedClock

    day, first, last, now = job
    result = run_collection_shard(
        business_date=dt.date.fromisoformat(day), first_id=first, last_id=last,
        clock=FixedClock(dt.datetime.fromisoformat(now)),
    )  # fmt: skip
    return {"counts": dict(result.counts), "timings": result.timings}


def _night_by_workers(shard_size: int | None, workers: int, clock: Any) -> Any:
    """The collection night shared by `workers` processes, shard by shard."""
    import multiprocessing

    from django.db import connections

    from arrears.collection.batch.night import NightResult, ShardResult, plan_shards
    from arrears.collection.services.promises import review_promises

    result = NightResult(DAY)
    started = time.perf_counter()
    result.promises = review_promises(on=DAY, clock=clock).as_dict()
    result.setup["promises"] = time.perf_counter() - started
    shards = plan_shards(DAY, shard_size)
    jobs = [(DAY.isoformat(), s.first_id, s.last_id, clock.now().isoformat()) for s in shards]
    connections.close_all()
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for shard, done in zip(shards, pool.map(_shard_in_a_worker, jobs), strict=True):
            found = ShardResult(shard)
            found.counts.update(done["counts"])
            found.timings.update(done["timings"])
            result.shards.append(found)
    return result


def _night(shard_size: int | None, workers: int = 1) -> dict[str, Any]:
    """The cycle's steps for the business date, each timed; the collection night's stages."""
    from django.db import connection

    from arrears.collection.batch import run_collection_night
    from arrears.collection.batch.step import STEP_KIND
    from arrears.common.memory import long_lived_frozen
    from arrears.core.clock import FixedClock
    from arrears.servicing.models import CycleRun
    from arrears.servicing.services.cycle import steps
    from arrears.servicing.services.cycle.context import CycleContext

    clock = FixedClock(dt.datetime.combine(DAY, dt.time(16, 30), tzinfo=dt.UTC))
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    counts: dict[str, Any] = {}
    ctx = CycleContext.load(day=DAY, clock=clock)
    night = None
    with long_lived_frozen():  # as run_business_date runs the steps
        for step in steps():
            started, started_cpu = time.perf_counter(), time.process_time()
            if step.kind == STEP_KIND and workers > 1:
                night = _night_by_workers(shard_size, workers, clock)
                counts[step.kind] = night.counts
            elif step.kind == STEP_KIND:
                night = run_collection_night(business_date=DAY, clock=clock, size=shard_size)
                counts[step.kind] = night.counts
            else:
                counts[step.kind] = step.run(ctx)
            timings[step.kind] = time.perf_counter() - started
            cpu[step.kind] = time.process_time() - started_cpu
            CycleRun.objects.update_or_create(kind=step.kind, business_date=DAY, defaults={
                "started_at": clock.now(), "finished_at": clock.now(), "counts": {}})  # fmt: skip
            print(f"  {step.kind}: {timings[step.kind]:.1f} s (cpu {cpu[step.kind]:.1f} s, load "
                  f"{os.getloadavg()[0]:.1f}) {counts[step.kind]}", flush=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, COUNT(*) FROM collection_collectionaction GROUP BY status")
        actions = dict(cursor.fetchall())
    return {"timings": timings, "cpu": cpu, "counts": counts, "night": night, "actions": actions}


def _night_again(shard_size: int | None) -> dict[str, Any]:
    """The collection night for the same date again, with its shard records dropped: every case
    is looked at again and nothing may be written."""
    from django.db import connection

    from arrears.collection.batch import run_collection_night
    from arrears.core.clock import FixedClock
    from arrears.servicing.models import CycleRun

    tables = ("collection_case", "collection_caseevent", "collection_collectionaction",
              "engagement_outboxmessage", "compliance_decision", "compliance_permit")  # fmt: skip

    def sizes() -> dict[str, int]:
        with connection.cursor() as cursor:
            found = {}
            for name in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {name}")
                found[name] = cursor.fetchone()[0]
            return found

    before = sizes()
    CycleRun.objects.filter(kind__startswith="collection:").delete()
    clock = FixedClock(dt.datetime.combine(DAY, dt.time(17, 30), tzinfo=dt.UTC))
    started = time.perf_counter()
    night = run_collection_night(business_date=DAY, clock=clock, size=shard_size)
    seconds = time.perf_counter() - started
    after = sizes()
    print(f"night again: {seconds:.1f} s, rows before {before}, after {after}", flush=True)
    return {"seconds": seconds, "same": before == after, "night": night}


def _report(accounts: int, naive: dict[str, float], cycle: dict[str, Any],
            again: dict[str, Any], floor: dict[str, float]) -> None:  # fmt: skip
    from arrears.collection.batch.step import STEP_KIND

    timings = cycle["timings"]
    collection = timings[STEP_KIND]
    servicing = sum(v for k, v in timings.items() if k != STEP_KIND)
    night = cycle["night"]
    print("\n== collection night ==")
    print(f"accounts: {accounts:,}; actions written: {cycle['actions']}")
    print(f"counts: {night.counts}")
    print(f"stages (s): {night.timings}")
    print(f"collection: {collection:.1f} s (cpu {cycle['cpu'][STEP_KIND]:.1f} s) = "
          f"{accounts / collection:,.0f} accounts/s")  # fmt: skip
    print(
        f"other steps of the cycle: {servicing:.1f} s "
        + ", ".join(f"{k} {v:.1f}" for k, v in timings.items() if k != STEP_KIND)
    )
    total = collection + servicing
    print(f"end to end: {total:.1f} s = {accounts / total:,.0f} accounts/s")
    if naive:
        rate = naive["accounts"] / naive["seconds"]
        print(f"naive per-account loop: {rate:,.0f} accounts/s "
              f"→ collection {accounts / collection / rate:,.0f}×, "
              f"end to end {accounts / total / rate:,.0f}×")  # fmt: skip
        cpu_rate = naive["accounts"] / naive["cpu"]
        night_cpu = cycle["cpu"][STEP_KIND]
        print(
            f"by this process's CPU time: naive {cpu_rate:,.0f} accounts/s, collection "
            f"{accounts / night_cpu:,.0f} accounts/s → {accounts / night_cpu / cpu_rate:,.0f}×"
        )
    print(f"raw read/write of the same data: {floor['seconds']:.1f} s (read {floor['read']:.1f} s, "
          f"write {floor['write']:.1f} s) → the cycle takes {total / floor['seconds']:.1f}× the "
          f"floor")  # fmt: skip
    print(f"second night: {again['seconds']:.1f} s, nothing written: {again['same']}")


if __name__ == "__main__":
    main()
