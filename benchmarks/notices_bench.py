"""Outbox dispatch throughput: messages sent per second through the whole send path — claim,
compliance gate, `use_permit`, the adapter, the contact attempt, `sent` — with
`RecordingAdapter` standing in for the provider; by batch (`dispatch_outbox`: one
`decide_in_bulk` per pass) and, with `--per-message`, the path it replaced (one
`request_permit` per message).

Prints figures and asserts nothing (figures go to docs/BENCHMARKS.md). Run from the checkout:

    .venv/bin/python benchmarks/notices_bench.py --accounts 1000            # SQLite (temp file)
    .venv/bin/python benchmarks/notices_bench.py --accounts 1000 --per-message
    ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/notices_bench.py --accounts 1000 --use-database-url

For a whole night of a large portfolio (generation and dispatch), see notices_night_bench.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from typing import Any

NOW = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, a Wednesday


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200, help="messages per dispatch pass")
    parser.add_argument(
        "--per-message", action="store_true", help="the old path: request_permit per message"
    )
    parser.add_argument("--use-database-url", action="store_true")
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
    from arrears.compliance.services import load_profiles
    from arrears.core.clock import FixedClock
    from arrears.engagement.channels import RecordingAdapter
    from arrears.engagement.dispatch import dispatch_outbox
    from arrears.engagement.models import OutboxMessage
    from arrears.servicing.models import Borrower, ContactPoint

    load_profiles()
    started = time.perf_counter()
    tag = uuid.uuid4().hex[:6]
    borrowers = Borrower.objects.bulk_create(
        Borrower(
            reference=f"NB{tag}{i:07d}",
            full_name=f"借款人{i}",
            country="CN",
            time_zone="Asia/Shanghai",
            preferred_language="zh-hans",
        )
        for i in range(args.accounts)
    )
    if not all(b.pk for b in borrowers):  # backends without RETURNING
        borrowers = list(Borrower.objects.filter(reference__startswith=f"NB{tag}").order_by("pk"))
    ContactPoint.objects.bulk_create(
        ContactPoint(borrower=b, kind="mobile", value=f"+86139{i:08d}", is_primary=True)
        for i, b in enumerate(borrowers)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            idempotency_key=f"bench:{tag}:{b.pk}",
            borrower=b,
            kind="due_reminder",
            purpose="servicing",
            channel="sms",
            address=f"+86139{i:08d}",
            language="zh-hans",
            body="您的还款日为1月20日，应还¥1,000.00。回复TD退订",
            next_attempt_at=NOW,
            created_at=NOW,
        )
        for i, b in enumerate(borrowers)
    )
    setup = time.perf_counter() - started

    clock = FixedClock(NOW)
    adapter = RecordingAdapter("sms", clock=clock)
    started = time.perf_counter()
    cpu = time.process_time()
    if args.per_message:
        total = dispatch_one_by_one(limit=args.batch, clock=clock, adapter=adapter)
    else:
        total = 0
        while True:
            counts = dispatch_outbox(limit=args.batch, clock=clock, adapters={"sms": adapter})
            total += counts.sent
            if counts.claimed == 0:
                break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    path = "per message (request_permit)" if args.per_message else "by batch (decide_in_bulk)"
    print(f"database: {connection.vendor}; accounts: {args.accounts:,}; batch {args.batch}")
    print(f"setup (borrowers, numbers, outbox rows): {setup:.1f} s")
    print(
        f"dispatched {path}: {total:,} in {elapsed:.1f} s (CPU {cpu:.1f} s) → "
        f"{total / elapsed:,.0f} messages/s"
    )
    print(f"recorded by the adapter: {len(adapter.outbox):,}")
    print(f"per million: {1_000_000 / (total / elapsed) / 3600:.1f} h on one worker")


def dispatch_one_by_one(*, limit: int, clock: Any, adapter: Any, most: int = 0) -> int:
    """The path `dispatch_outbox` replaced: claim, then for each message `request_permit`, store
    the decision and permit, send. Returns how many were sent."""
    from django.db import transaction
    from django.db.models import F

    from arrears.compliance.services import request_permit
    from arrears.engagement import dispatch
    from arrears.engagement.choices import OutboxStatus
    from arrears.engagement.models import OutboxMessage

    sent = 0
    while not most or sent < most:
        claimed = dispatch._claim(limit=min(limit, most - sent) if most else limit, now=clock.now())
        if not claimed:
            break
        for message in claimed:
            with transaction.atomic():
                decision = request_permit(
                    borrower=message.borrower,
                    account=message.account,
                    channel=message.channel,
                    address=message.address,
                    purpose=message.purpose,
                    automated=True,
                    message_kind=message.kind,
                    clock=clock,
                )
                permit = decision.issued_permit
                update: dict[str, Any] = {"decision": decision, "permit": permit}
                if permit is None:
                    status = OutboxStatus.PENDING if decision.next_permitted_at else "blocked"
                    update.update(status=status, attempts=F("attempts") - 1)
                    update["next_attempt_at"] = decision.next_permitted_at or clock.now()
                OutboxMessage.objects.filter(pk=message.pk).update(**update)
            if permit is None:
                continue
            message.permit_id = permit.pk
            if dispatch._send(message, adapter=adapter, clock=clock, on_step=None) == "sent":
                sent += 1
    return sent


if __name__ == "__main__":
    main()
