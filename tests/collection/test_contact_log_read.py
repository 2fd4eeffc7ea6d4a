"""The collection night's read of the contact log against the log itself, on random logs.

`reading.read_contact_log` adds up right-party and inbound contacts in the database and reads
the outbound calls alone; this checks it, attempt by attempt, against what the log holds (read
through the ORM and counted in Python): attempts either side of every window's edge, on every
channel, in both directions, with every outcome, to the borrower or to someone else, for
candidates with one account or two, and for a borrower who is not a candidate.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.collection.batch.reading import (
    ANSWERED,
    LOG_DAYS,
    Shard,
    materialised,
    read_contact_log,
)
from arrears.compliance.choices import AttemptOutcome, Channel, Direction, Role
from arrears.compliance.models import ContactAttempt
from arrears.servicing.models import Account
from tests.conftest import rolled_back
from tests.factories import make_borrower, make_card_account

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)
RPC_DAYS, BACK_OFF_DAYS = 30, 7
BORROWERS = 4  # 0 and 1: one account each; 2: two accounts; 3: current, not a candidate


def midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time())).astimezone(dt.UTC)


END = midnight(DAY + dt.timedelta(days=1))
EDGES = [
    END,
    midnight(DAY - dt.timedelta(days=RPC_DAYS - 1)),
    midnight(DAY - dt.timedelta(days=BACK_OFF_DAYS - 1)),
    midnight(DAY - dt.timedelta(days=LOG_DAYS - 1)),
]
SECOND = dt.timedelta(seconds=1)

AT = st.one_of(
    st.builds(lambda edge, step: edge + step * SECOND, st.sampled_from(EDGES), st.integers(-1, 1)),
    st.integers(min_value=-90 * 86_400, max_value=86_400).map(lambda s: END + s * SECOND),
)
ATTEMPT = st.tuples(
    st.integers(min_value=0, max_value=BORROWERS - 1),
    AT,
    st.sampled_from([Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL]),
    st.sampled_from([Direction.OUTBOUND, Direction.OUTBOUND, Direction.INBOUND]),
    st.sampled_from([AttemptOutcome.CONVERSATION] * 3 + list(AttemptOutcome)),
    st.sampled_from([Role.DEBTOR, Role.DEBTOR, Role.GUARANTOR]),
)


def the_desk() -> tuple[Shard, list[int]]:
    """Four borrowers and their accounts; the first three are past due (candidates)."""
    people = [make_borrower() for _ in range(BORROWERS)]
    accounts = [make_card_account(borrower=person) for person in people]
    accounts.append(make_card_account(borrower=people[2]))
    Account.objects.filter(pk__in=[a.pk for a in accounts if a.borrower_id != people[3].pk]).update(
        days_past_due=5
    )
    ids = [a.pk for a in accounts]
    return Shard(business_date=DAY, first_id=min(ids), last_id=max(ids)), [p.pk for p in people]


def log(attempts: list[tuple], people: list[int]) -> None:
    now = timezone.now()
    ContactAttempt.objects.bulk_create(
        ContactAttempt(
            borrower_id=people[who],
            started_at=at,
            channel=channel,
            direction=direction,
            outcome=outcome,
            party_role=role,
            address="+86 138 0000 0000",
            recorded_at=now,
        )
        for who, at, channel, direction, outcome, role in attempts
    )


def what_the_log_says(candidates: list[int]) -> tuple[list[tuple], list[tuple]]:
    """The contacts and calls rows, counted from the attempts one by one."""
    rpc_since, inbound_since, log_since = EDGES[1], EDGES[2], EDGES[3]
    contacts, calls = [], []
    for borrower in sorted(set(candidates)):
        seen = list(
            ContactAttempt.objects.filter(borrower_id=borrower, started_at__lt=END).order_by(
                "started_at", "id"
            )
        )
        if not seen:
            continue
        recent = [a for a in seen if a.started_at >= log_since]
        rpc = sum(
            a.party_role == Role.DEBTOR
            and a.outcome == AttemptOutcome.CONVERSATION
            and a.started_at >= rpc_since
            for a in recent
        )
        inbound = sum(
            a.direction == Direction.INBOUND and a.started_at >= inbound_since for a in recent
        )
        counted = (rpc, inbound) if recent else (None, None)
        contacts.append((borrower, seen[-1].started_at.astimezone(dt.UTC), *counted))
        calls.extend(
            (borrower, a.started_at.astimezone(dt.UTC), int(a.outcome in ANSWERED))
            for a in recent
            if a.channel == Channel.CALL and a.direction == Direction.OUTBOUND
        )
    return contacts, calls


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(attempts=st.lists(ATTEMPT, max_size=30))
def test_the_night_reads_the_contact_log_as_it_stands(products, attempts):
    with rolled_back():
        # given borrowers past due (and one who is not) and a random contact log
        shard, people = the_desk()
        log(attempts, people)

        # when the night reads the log for the shard
        with transaction.atomic(), materialised(shard) as selection:
            contacts, calls = read_contact_log(
                shard, selection, back_off_days=BACK_OFF_DAYS, rpc_days=RPC_DAYS
            )

        # then each candidate's last attempt, counts and calls are what the log holds
        expected_contacts, expected_calls = what_the_log_says(people[:3])
        assert contacts.columns == [
            "borrower_id",
            "last_contact_at",
            "rpc_recent",
            "inbound_recent",
        ]
        assert calls.columns == ["borrower_id", "at", "answered"]
        assert contacts.rows() == expected_contacts
        assert calls.rows() == expected_calls
