"""A night of notices for a whole portfolio: generated per second (`run_notices`) and dispatched
per second (the bulk gate, then `RecordingAdapter`), beside the old per-message path (one
`request_permit` per message) on a sample of the same night's messages.

Prints figures and asserts nothing (figures go to docs/BENCHMARKS.md). Run from the checkout:

    .venv/bin/python benchmarks/notices_night_bench.py --accounts 1000000 \\
        --sample 1000 --dispatch 10000 --rounds 5 --gate 20000
    ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/notices_night_bench.py --accounts 1000000 \\
        --sample 1000 --dispatch 10000 --rounds 5 --gate 20000 --use-database-url

The portfolio is seeded with bulk inserts (COPY on PostgreSQL), not through the services: card
accounts of borrowers in Shanghai with a mobile number, statement days spread over 1–28 (so
1/28 of the cards close a statement on the night), one unpaid minimum payment per card with due
dates spread over four weeks (so 3/28 get a reminder: 5, 1 and 0 days before), and a contact
log of the past week (a third of the borrowers were texted once or twice). The night is
15 January 2025; the messages go out at 10:00 Shanghai time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

DAY = dt.date(2025, 1, 15)
NOW = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, a Wednesday
CHUNK = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="cards to seed")
    parser.add_argument("--batch", type=int, default=1000, help="messages per dispatch pass")
    parser.add_argument("--sample", type=int, default=1000, help="messages sent the old way")
    parser.add_argument(
        "--dispatch", type=int, default=0, help="send at most this many the new way (0: all)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="turns the two paths take (same load for both)"
    )
    parser.add_argument(
        "--gate", type=int, default=10_000, help="messages put to decide_in_bulk alone at the end"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="run on ARREARS_DATABASE_URL (it is written to: use a scratch database)",
    )
    args = parser.parse_args()
    if os.environ.get("ARREARS_DATABASE_URL") and not args.use_database_url:
        sys.exit("ARREARS_DATABASE_URL is set: pass --use-database-url if it is a scratch database")
    if not args.use_database_url:
        os.environ["ARREARS_HOME"] = tempfile.mkdtemp(prefix="arrears-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings.base")
    os.environ["ARREARS_DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seeded = _seed(args.accounts, random.Random(args.seed))
    seeding = time.perf_counter() - started
    print(f"database: {connection.vendor}; cards: {args.accounts:,}; night {DAY}")
    print(f"seeded in {seeding:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in seeded.items()))

    generated, generating, generating_cpu = _generate()
    made = sum(generated.values())
    print(
        f"run_notices: {made:,} messages in {generating:.1f} s (CPU {generating_cpu:.1f} s) → "
        f"{made / generating:,.0f} notices/s ({_counts(generated)})"
    )
    # The two paths take turns on the same night's messages, so both see the same load.
    old = [0, 0.0, 0.0]
    new = [0, 0.0, 0.0, 0]
    for _round in range(args.rounds):
        for total, found in (
            (old, _dispatch_old(args.sample // args.rounds, args.batch)),
            (new, _dispatch_new(args.batch, args.dispatch // args.rounds)),
        ):
            for i, value in enumerate(found):
                total[i] += value
    old_sent, old_seconds, old_cpu = old
    new_sent, new_seconds, new_cpu, passes = new
    old_rate = old_sent / old_seconds if old_seconds else 0.0
    new_rate = new_sent / new_seconds if new_seconds else 0.0
    print(
        f"dispatch per message (request_permit): {old_sent:,} in {old_seconds:.1f} s "
        f"(CPU {old_cpu:.1f} s) → {old_rate:,.1f}/s"
    )
    print(
        f"dispatch by batch of {args.batch} (decide_in_bulk): {new_sent:,} in {new_seconds:.1f} s "
        f"(CPU {new_cpu:.1f} s, {passes} passes) → {new_rate:,.1f}/s"
    )
    if old_rate:
        print(f"ratio: {new_rate / old_rate:.1f}× the per-message path")
    _gate_alone(args.batch)
    if args.gate > args.batch:
        _gate_alone(args.gate)


# --- seeding ------------------------------------------------------------------------------------


def _seed(accounts: int, rng: random.Random) -> dict[str, int]:
    """The portfolio, with bulk inserts; returns the rows written per table."""
    from arrears.compliance.models import ContactAttempt
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates
    from arrears.servicing.models import Account, Borrower, ContactPoint, Obligation, Statement
    from arrears.servicing.services.products import load_products

    load_profiles()
    load_templates()
    load_products()
    from arrears.servicing.models import Product

    product = Product.objects.get(code="cn_card_classic")
    first = (Borrower.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    ids = range(first, first + accounts)
    written: dict[str, int] = {}
    written["borrowers"] = _load(
        Borrower,
        (
            {
                "id": pk,
                "reference": f"NN{pk:09d}",
                "full_name": f"借款人{pk}",
                "preferred_language": "zh-hans",
                "country": "CN",
                "time_zone": "Asia/Shanghai",
                "city": "上海",
                "created_at": NOW,
            }
            for pk in ids
        ),
    )
    written["mobiles"] = _load(
        ContactPoint,
        (
            {"borrower_id": pk, "kind": "mobile", "value": _mobile(pk), "is_primary": True}
            for pk in ids
        ),
    )
    written["cards"] = _load(
        Account,
        (
            {
                "id": pk,
                "number": f"NC{pk:012d}",
                "borrower_id": pk,
                "product_id": product.pk,
                "kind": "card",
                "currency": "CNY",
                "opened_on": dt.date(2024, 6, 1),
                "credit_limit_minor": 5_000_000,
                "statement_day": _statement_day(pk),
                "apr": "18.0000",
            }
            for pk in ids
        ),
    )
    written["statements"] = _load(Statement, (_statement(pk) for pk in ids))
    written["obligations"] = _load(
        Obligation,
        (
            {
                "account_id": pk,
                "kind": "minimum_payment",
                "number": 1,
                "due_on": DAY + dt.timedelta(days=(pk * 11) % 28 - 10),
                "amount_minor": 50_000 + pk % 1000 * 100,
            }
            for pk in ids
        ),
    )
    texted = [pk for pk in ids if rng.random() < 1 / 3]
    attempts = [
        (pk, NOW - dt.timedelta(minutes=rng.randint(60, 8 * 24 * 60)))
        for pk in texted
        for _ in range(rng.choice((1, 2)))
    ]
    first_attempt = (
        ContactAttempt.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    written["attempts"] = _load(
        ContactAttempt,
        (
            {
                "id": first_attempt + n,
                "borrower_id": pk,
                "channel": "sms",
                "address": _mobile(pk),
                "outcome": "sent",
                "purpose": "servicing",
                "started_at": at,
                "automated": True,
                "recorded_at": at,
            }
            for n, (pk, at) in enumerate(attempts)
        ),
    )
    through = ContactAttempt.accounts.through
    _load(
        through,
        (
            {"contactattempt_id": first_attempt + n, "account_id": pk}
            for n, (pk, _at) in enumerate(attempts)
        ),
    )
    _analyse()
    return written


def _mobile(pk: int) -> str:
    return f"+86139{pk:08d}"


def _statement_day(pk: int) -> int:
    return 1 + pk % 28


def _statement(pk: int) -> dict[str, Any]:
    day = _statement_day(pk)
    closed = dt.date(2025, 1, day) if day <= DAY.day else dt.date(2024, 12, day)
    balance = 100_000 + pk % 5000 * 10
    return {
        "account_id": pk,
        "number": 7,
        "period_start_on": closed - dt.timedelta(days=30),
        "statement_on": closed,
        "due_on": closed + dt.timedelta(days=20),
        "currency": "CNY",
        "previous_balance_minor": balance,
        "payments_minor": 0,
        "purchases_minor": 0,
        "cash_advances_minor": 0,
        "interest_minor": 0,
        "fees_minor": 0,
        "new_balance_minor": balance,
        "minimum_due_minor": balance // 10,
    }


def _load(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows (field attnames → values; the rest take their defaults) in chunks: COPY on
    PostgreSQL, executemany on SQLite. Returns how many."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    total = 0
    for chunk in _chunks(rows, CHUNK):
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if f is not pk or pk.attname in chunk[0]]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        converters = [_converter(f) for f in fields]
        values = [tuple(convert(row) for convert in converters) for row in chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for value in values:
                        copy.write_row(value)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        total += len(values)
    _reset_sequence(model)
    return total


def _converter(field: Any) -> Callable[[dict[str, Any]], Any]:
    """How one column's value is read from a row: given, else the field's default, as the
    database takes it."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField

    name = field.attname
    if isinstance(field, AutoField | BigAutoField):
        return lambda row: row.get(name)
    default = field.get_db_prep_save(field.get_default(), connection)
    kind = field.get_internal_type()
    if kind in {"DateTimeField", "DateField", "DecimalField", "JSONField", "UUIDField"}:

        def prepared(row: dict[str, Any]) -> Any:
            if name not in row:
                return default
            return field.get_db_prep_save(row[name], connection)

        return prepared
    return lambda row: row.get(name, default)


def _reset_sequence(model: Any) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def _analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the night ----------------------------------------------------------------------------------


def _generate() -> tuple[dict[str, int], float, float]:
    """The night's notices: written per kind, seconds, CPU seconds."""
    from arrears.core.clock import FixedClock
    from arrears.engagement.services import run_notices

    started, cpu = time.perf_counter(), time.process_time()
    run = run_notices(day=DAY, clock=FixedClock(NOW))
    return dict(run.written), time.perf_counter() - started, time.process_time() - cpu


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n:,}" for kind, n in sorted(counts.items()))


def _dispatch_old(sample: int, batch: int) -> tuple[int, float, float]:
    """The per-message path this replaced (one `request_permit` per message), on `sample`
    messages of the night: sent, seconds, CPU seconds."""
    from notices_bench import dispatch_one_by_one

    from arrears.core.clock import FixedClock
    from arrears.engagement.channels import RecordingAdapter

    if sample <= 0:
        return 0, 0.0, 0.0
    clock = FixedClock(NOW)
    adapter = RecordingAdapter("sms", clock=clock)
    started, cpu = time.perf_counter(), time.process_time()
    sent = dispatch_one_by_one(limit=batch, clock=clock, adapter=adapter, most=sample)
    return sent, time.perf_counter() - started, time.process_time() - cpu


def _dispatch_new(batch: int, most: int) -> tuple[int, float, float, int]:
    """`dispatch_outbox` pass after pass (at most `most` messages; 0: all): sent, seconds, CPU
    seconds, passes."""
    from arrears.core.clock import FixedClock
    from arrears.engagement.channels import RecordingAdapter
    from arrears.engagement.dispatch import dispatch_outbox

    clock = FixedClock(NOW)
    adapter = RecordingAdapter("sms", clock=clock)
    sent = passes = 0
    started, cpu = time.perf_counter(), time.process_time()
    while not most or sent < most:
        limit = min(batch, most - sent) if most else batch
        counts = dispatch_outbox(limit=limit, clock=clock, adapters={"sms": adapter})
        if counts.claimed == 0:
            break
        passes += 1
        sent += counts.sent
        adapter.outbox.clear()  # the messages are counted, not kept
        if passes % 20 == 0:
            rate = sent / (time.perf_counter() - started)
            print(f"  … {sent:,} sent, {rate:,.0f}/s", flush=True)
    return sent, time.perf_counter() - started, time.process_time() - cpu, passes


def _gate_alone(size: int) -> None:
    """`decide_in_bulk` alone on `size` of the night's messages, half an hour later (rolled back):
    what the gate costs without the sends."""
    from django.db import connection, transaction

    from arrears.compliance.services import decide_in_bulk
    from arrears.engagement.dispatch import _proposals
    from arrears.engagement.models import OutboxMessage

    messages = list(OutboxMessage.objects.order_by("created_at", "pk")[:size])
    if not messages:
        return
    later = NOW + dt.timedelta(minutes=30)
    with transaction.atomic():
        started, cpu = time.perf_counter(), time.process_time()
        answer = decide_in_bulk(proposals=_proposals(messages), now=later)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        transaction.set_rollback(True)
    print(
        f"decide_in_bulk alone on {len(messages):,} messages: {seconds:.2f} s (CPU {cpu:.2f} s)"
        f" → {len(messages) / seconds:,.0f} decisions/s, {answer['allowed'].sum():,} allowed"
        f" ({connection.vendor})"
    )


if __name__ == "__main__":
    main()
