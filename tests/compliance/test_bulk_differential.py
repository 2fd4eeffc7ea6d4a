"""The bulk gate and the online gate agree: for random proposals over a small random portfolio —
holds, opt-outs, consents, stated times, a contact log, permits not yet used, numbers shared by
two borrowers, third parties, several proposals to one borrower — `decide_in_bulk` gives what
`request_permit` gives asked one by one in the same order: allowed or not, the refusing rules,
the next permitted time, the permit's end, and the same decision row."""

from __future__ import annotations

import datetime as dt
import json
import random

import polars as pl
import pytest
from django.db import transaction

from arrears.compliance.models import Decision
from arrears.compliance.services import (
    decide_in_bulk,
    record_consent,
    record_contact_attempt,
    record_opt_out,
    request_permit,
    set_contact_preference,
    set_hold,
)
from arrears.compliance.services.bulk import batch as bulk_batch
from arrears.core.clock import FixedClock
from tests.compliance.conftest import mobile_of, utc
from tests.compliance.test_bulk import comparable
from tests.factories import make_borrower, make_card_account, make_loan_account

pytestmark = pytest.mark.django_db

US_NUMBERS = ["+12125550142", "+12085550199", "+13105550123", "+16175550111"]


def a_portfolio(rng: random.Random, now: dt.datetime) -> list:  # type: ignore[type-arg]
    """Five to seven accounts of Chinese and American borrowers with a random past."""
    clock = FixedClock(now)
    accounts = []
    for n in range(rng.randint(5, 7)):
        if rng.random() < 0.5:
            accounts.append(make_loan_account())
        else:
            borrower = make_borrower(
                country="US",
                region="NY",
                city="New York",
                phones=[US_NUMBERS[n % len(US_NUMBERS)][:-2] + f"{n:02d}"],
                preferred_language="en",
                time_zone=rng.choice(["", "America/New_York"]),
            )
            accounts.append(make_card_account(product_code="us_card_rewards", borrower=borrower))
    numbers = [mobile_of(a.borrower) for a in accounts]
    for account in accounts:
        borrower = account.borrower
        for _ in range(rng.randint(0, 6)):
            record_contact_attempt(
                borrower=borrower,
                channel=rng.choice(["call", "call", "sms", "email"]),
                address=rng.choice([mobile_of(borrower), mobile_of(borrower), rng.choice(numbers)]),
                outcome=rng.choice(["no_answer", "connected", "conversation", "sent", "voicemail"]),
                accounts=rng.choice([[account], []]),
                purpose=rng.choice(["collection", "servicing", ""]),
                started_at=now - dt.timedelta(minutes=rng.randint(5, 60 * 24 * 9)),
                clock=clock,
            )
        if rng.random() < 0.15:
            set_hold(
                borrower=borrower,
                kind=rng.choice(["dispute", "cease_communication"]),
                start_on=(now - dt.timedelta(days=rng.randint(0, 3))).date(),
                review_on=(now + dt.timedelta(days=30)).date(),
                account=rng.choice([account, None]),
                reason="the borrower wrote in",
                clock=clock,
            )
        if rng.random() < 0.15:
            record_opt_out(
                borrower=borrower,
                channel="sms",
                source="sms STOP",
                address=rng.choice(["", mobile_of(borrower)]),
                at=now - dt.timedelta(days=1),
                clock=clock,
            )
        if rng.random() < 0.3:
            record_consent(
                borrower=borrower,
                channel=rng.choice(["call", "sms"]),
                address=mobile_of(borrower),
                how="on the application form",
                given_at=now - dt.timedelta(days=30),
                clock=clock,
            )
        if rng.random() < 0.3:
            start = rng.choice(["12:00", "18:00", "21:00"])
            set_contact_preference(
                borrower=borrower,
                inconvenient_times=[{"start": start, "end": "19:30", "weekdays": [0, 1, 2, 3, 4]}],
            )
        if rng.random() < 0.3:  # a permit taken earlier, not used yet
            request_permit(
                borrower=borrower,
                account=account,
                channel=rng.choice(["call", "sms"]),
                address=mobile_of(borrower),
                purpose="collection",
                clock=FixedClock(now - dt.timedelta(minutes=rng.randint(1, 10))),
            )
    return accounts


def some_proposals(rng: random.Random, accounts: list, now: dt.datetime) -> list[dict]:  # type: ignore[type-arg]
    numbers = [mobile_of(a.borrower) for a in accounts]
    proposals = []
    for i in range(rng.randint(15, 25)):
        account = rng.choice(accounts)
        borrower = account.borrower
        channel = rng.choice(["call", "call", "sms", "sms", "email"])
        third = rng.random() < 0.12
        address = (
            borrower.email
            if channel == "email"
            else rng.choice([mobile_of(borrower)] * 4 + [rng.choice(numbers)])
        )
        if third:
            address = f"+8613900{rng.randint(0, 3):06d}"
        proposals.append(
            {
                "request_id": f"bulk-{i}",
                "borrower_id": borrower.pk,
                "account_id": rng.choice([account.pk, account.pk, None]),
                "party_role": "contact_person" if third else "debtor",
                "channel": channel,
                "address": address,
                "purpose": "location"
                if third and rng.random() < 0.5
                else rng.choice(["collection", "servicing", "transactional"]),
                "at": now + dt.timedelta(minutes=rng.choice([0, 0, 0, 7, 95, 600])),
                "automated": rng.random() < 0.3,
                "message_kind": rng.choice([None, "due_reminder"]),
                "debtor_unreachable": third and rng.random() < 0.5,
            }
        )
    return proposals


def online(proposals: list[dict], accounts: list, now: dt.datetime) -> list[Decision]:  # type: ignore[type-arg]
    by_account = {a.pk: a for a in accounts}
    by_borrower = {a.borrower.pk: a.borrower for a in accounts}
    clock = FixedClock(now)
    return [
        request_permit(
            borrower=by_borrower[p["borrower_id"]],
            account=by_account.get(p["account_id"]),
            channel=p["channel"],
            address=p["address"],
            purpose=p["purpose"],
            party_role=p["party_role"],
            automated=p["automated"],
            message_kind=p["message_kind"],
            debtor_unreachable=p["debtor_unreachable"],
            at=p["at"],
            clock=clock,
        )
        for p in proposals
    ]


def settled(decision: Decision) -> dict:  # type: ignore[type-arg]
    """A decision's comparable form, its history in a fixed order (ties of equal instants)."""
    found = comparable(decision)
    history = found["snapshot"]["history"]
    found["snapshot"]["history"] = sorted(json.dumps(h, sort_keys=True) for h in history)
    return found


@pytest.mark.parametrize("seed", range(8))
def test_the_bulk_gate_answers_as_the_online_gate_asked_one_by_one(profiles, seed, monkeypatch):
    if seed % 2:  # decided in parts of a few borrowers, as a large batch is
        monkeypatch.setattr(bulk_batch, "PART", 3)
    rng = random.Random(seed)
    now = utc(2025, 1, 15, rng.randint(0, 23), rng.choice([0, 17, 44, 52]), rng.choice([0, 30]))
    accounts = a_portfolio(rng, now)
    proposals = some_proposals(rng, accounts, now)

    with transaction.atomic():
        frame = pl.DataFrame(proposals, schema_overrides={"at": pl.Datetime("us", "UTC")})
        answer = decide_in_bulk(proposals=frame, now=now)
        in_bulk = [settled(Decision.objects.get(pk=pk)) for pk in answer["decision_id"]]
        transaction.set_rollback(True)
    one_by_one = [settled(Decision.objects.get(pk=d.pk)) for d in online(proposals, accounts, now)]

    assert [d["allowed"] for d in in_bulk] == [d["allowed"] for d in one_by_one]
    assert [d["denied_rules"] for d in in_bulk] == [d["denied_rules"] for d in one_by_one]
    assert [d["next_permitted_at"] for d in in_bulk] == [d["next_permitted_at"] for d in one_by_one]
    assert [d["permit"] for d in in_bulk] == [d["permit"] for d in one_by_one]
    assert in_bulk == one_by_one
    assert answer["allowed"].to_list() == [d["allowed"] for d in one_by_one]
    assert answer["denied_rule_ids"].to_list() == [d["denied_rules"].split() for d in one_by_one]
