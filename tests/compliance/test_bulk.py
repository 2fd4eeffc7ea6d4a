"""The compliance gate in bulk: the same answers, decision rows and permits as asking one by one,
read in a fixed number of queries, decided once per request id, and nothing written on bad input."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from arrears.compliance.models import Decision, Permit
from arrears.compliance.services import (
    decide_in_bulk,
    record_contact_attempt,
    record_opt_out,
    request_permit,
    set_hold,
)
from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from tests.compliance.conftest import US_MOBILE_E164, mobile_of, utc
from tests.factories import make_loan_account

pytestmark = pytest.mark.django_db


def a_frame(*rows: dict) -> pl.DataFrame:  # type: ignore[type-arg]
    return pl.DataFrame(list(rows))


def ask(account, *, key: str, channel="sms", address=None, **more):  # type: ignore[no-untyped-def]
    """One proposal row about `account`'s borrower."""
    borrower = account.borrower
    return {
        "request_id": key,
        "borrower_id": borrower.pk,
        "account_id": account.pk,
        "channel": channel,
        "address": address or mobile_of(borrower),
        "purpose": "servicing",
        **more,
    }


# --- the same decision as online ---------------------------------------------------------------


#: The fields of a decision row compared between the two ways of asking.
FIELDS = (
    "borrower_id", "account_id", "party_role", "party_ref", "channel", "address", "purpose",
    "at", "decided_at", "allowed", "flagged", "next_permitted_at", "profile_code",
    "profile_version", "rules", "denied_rules",
)  # fmt: skip


def comparable(decision: Decision) -> dict:  # type: ignore[type-arg]
    """A decision row without what differs between two askings: ids and the request id."""
    snapshot = dict(decision.snapshot)
    snapshot.pop("request_id")
    permit = decision.issued_permit
    found = {f: getattr(decision, f) for f in FIELDS}
    found["snapshot"] = snapshot
    found["permit"] = None
    if permit is not None:
        found["permit"] = {
            f: getattr(permit, f)
            for f in ("borrower_id", "channel", "address", "valid_from", "valid_until")
        }
    return found


@pytest.mark.parametrize(
    ("moment", "channel"),
    [
        (utc(2025, 1, 15, 2, 0), "call"),  # 10:00 in Shanghai: allowed, 15 minutes
        (utc(2025, 1, 15, 13, 50, 30), "call"),  # 21:50:30: the permit ends at 22:00
        (utc(2025, 1, 15, 15, 0), "sms"),  # 23:00: refused until 08:00
    ],
)
def test_a_bulk_decision_row_is_the_online_decision_row_but_for_its_ids(cn_loan, moment, channel):
    clock = FixedClock(moment)
    borrower = cn_loan.borrower
    record_contact_attempt(
        borrower=borrower,
        channel="call",
        address=mobile_of(borrower),
        outcome="no_answer",
        accounts=[cn_loan],
        started_at=moment - dt.timedelta(hours=3),
        clock=clock,
    )
    with transaction.atomic():
        online = request_permit(
            borrower=borrower,
            account=cn_loan,
            channel=channel,
            address=mobile_of(borrower),
            purpose="collection",
            automated=True,
            message_kind="due_reminder",
            clock=clock,
        )
        expected = comparable(Decision.objects.get(pk=online.pk))
        transaction.set_rollback(True)

    answer = decide_in_bulk(
        proposals=a_frame(
            ask(
                cn_loan,
                key="bulk-1",
                channel=channel,
                purpose="collection",
                automated=True,
                message_kind="due_reminder",
            )
        ),
        now=clock.now(),
    )

    logged = Decision.objects.get(request_id="bulk-1")
    assert comparable(logged) == expected
    assert answer.row(0, named=True)["decision_id"] == logged.pk
    assert answer.row(0, named=True)["allowed"] is logged.allowed


# --- idempotent ----------------------------------------------------------------------------------


def test_a_request_id_already_decided_gets_its_decision_back_and_nothing_is_written(
    cn_loan, cn_clock
):
    proposals = a_frame(
        ask(cn_loan, key="night-1"),
        ask(cn_loan, key="night-2", channel="email", address=cn_loan.borrower.email),
    )
    first = decide_in_bulk(proposals=proposals, now=cn_clock.now())
    counts = (Decision.objects.count(), Permit.objects.count())

    again = decide_in_bulk(proposals=proposals, now=cn_clock.now())

    assert (Decision.objects.count(), Permit.objects.count()) == counts == (2, 2)
    assert again.equals(first)
    assert again.get_column("permit_id").null_count() == 0


# --- a batch reads a fixed number of queries ---------------------------------------------------


def test_a_batch_reads_its_inputs_in_the_same_number_of_queries_for_two_or_twenty_borrowers(
    profiles, cn_clock
):
    accounts = [make_loan_account() for _ in range(20)]

    def queries_for(chosen, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
        proposals = a_frame(*(ask(a, key=f"{prefix}{i}") for i, a in enumerate(chosen)))
        with CaptureQueriesContext(connection) as seen:
            answer = decide_in_bulk(proposals=proposals, now=cn_clock.now())
        assert answer.get_column("allowed").all()
        # An `executemany` is captured as "<n> times: INSERT …": one statement whatever its n.
        sql = [re.sub(r"^\d+ times: ", "", q["sql"]) for q in seen.captured_queries]
        return [q.split(" ")[0] for q in sql]

    two, eighteen = queries_for(accounts[:2], "two-"), queries_for(accounts[2:], "eighteen-")
    # the borrowers' lock, decisions already taken, accounts, products, profiles, the borrowers'
    # records (5), the contact log and the permits not yet in it; the decisions, their ids read
    # back by request id, and the permits
    assert two == eighteen
    # (on PostgreSQL the two writes are COPYs, which the capture does not see)
    writes = 0 if connection.vendor == "postgresql" else 2
    assert two.count("SELECT") == 13 and two.count("INSERT") == writes


# --- bad input writes nothing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "proposals[1].channel"),
        ({"address": "  "}, "proposals[1].address"),
        ({"at": utc(2025, 1, 14)}, "proposals[1].at"),
        ({"borrower_id": 999_999}, "proposals[1].borrower_id"),
        ({"request_id": "same"}, "proposals[0].request_id"),
    ],
)
def test_a_bad_proposal_is_refused_naming_its_row_and_field_and_nothing_is_written(
    cn_loan, cn_clock, change, field
):
    good = ask(cn_loan, key="same", at=cn_clock.now())
    bad = {**ask(cn_loan, key="other", at=cn_clock.now()), **change}
    with pytest.raises(ValidationError) as refused:
        decide_in_bulk(proposals=a_frame(good, bad), now=cn_clock.now())
    assert refused.value.field == field
    assert not Decision.objects.exists() and not Permit.objects.exists()


def test_an_account_of_another_borrower_is_refused(cn_loan, us_card, cn_clock):
    row = {**ask(cn_loan, key="x"), "account_id": us_card.pk}
    with pytest.raises(ValidationError) as refused:
        decide_in_bulk(proposals=a_frame(row), now=cn_clock.now())
    assert refused.value.field == "proposals[0].account_id"


# --- a batch counts its own permits as asking one by one would ----------------------------------


def test_a_third_text_to_one_borrower_in_one_batch_is_refused_by_the_daily_cap(cn_loan, cn_clock):
    # given the house rules' two texts a day, and three texts for one borrower in one batch
    texts = [ask(cn_loan, key=f"text-{n}") for n in range(3)]

    answer = decide_in_bulk(proposals=a_frame(*texts), now=cn_clock.now())

    # then the first two are allowed and the third counts their permits, as one by one
    assert answer["allowed"].to_list() == [True, True, False]
    assert answer["denied_rule_ids"].to_list()[2] == ["frequency.electronic_caps"]
    assert answer["next_permitted_at"][2] == utc(2025, 1, 16, 0, 0)  # 08:00 the next day
    assert Permit.objects.filter(borrower=cn_loan.borrower, used_at__isnull=True).count() == 2


def test_decisions_without_permits_when_none_are_asked_for(cn_loan, cn_clock):
    answer = decide_in_bulk(
        proposals=a_frame(*(ask(cn_loan, key=f"plan-{n}") for n in range(3))),
        now=cn_clock.now(),
        issue_permits=False,
    )
    assert answer["allowed"].to_list() == [True, True, True]  # nothing issued, nothing counted
    assert answer["permit_id"].null_count() == 3
    assert Decision.objects.count() == 3 and not Permit.objects.exists()


def test_proposals_may_be_given_as_objects_with_their_request_ids(cn_loan, us_card, cn_clock):
    from arrears.compliance.services.requests import Proposal
    from arrears.core.compliance import Channel, Purpose

    chosen = [
        Proposal(
            borrower=account.borrower,
            account=account,
            channel=Channel.EMAIL,
            address=account.borrower.email or "jane@example.com",
            purpose=Purpose.SERVICING,
            at=cn_clock.now(),
        )
        for account in (cn_loan, us_card)
    ]

    answer = decide_in_bulk(proposals=chosen, now=cn_clock.now(), request_ids=["cn", "us"])

    assert answer["request_id"].to_list() == ["cn", "us"]
    # 10:00 in Shanghai is 21:00 in New York: the e-mail to New York waits for the morning
    assert answer["allowed"].to_list() == [True, False]
    assert Decision.objects.get(request_id="us").profile_code == "US"


def test_a_hold_or_an_opt_out_is_read_for_every_borrower_of_the_batch(cn_loan, us_card, cn_clock):
    set_hold(
        borrower=cn_loan.borrower,
        kind="dispute",
        start_on=cn_clock.now().date(),
        review_on=cn_clock.now().date() + dt.timedelta(days=30),
        reason="disputed the fee",
        clock=cn_clock,
    )
    record_opt_out(borrower=us_card.borrower, channel="sms", source="sms STOP", clock=cn_clock)
    late = FixedClock(utc(2025, 1, 15, 15, 0))  # 10:00 in New York, 23:00 in Shanghai

    answer = decide_in_bulk(
        proposals=a_frame(
            {**ask(cn_loan, key="cn"), "purpose": "collection"},
            ask(us_card, key="us", address=US_MOBILE_E164),
        ),
        now=late.now(),
    )

    assert answer["denied_rule_ids"].to_list() == [
        ["hold.dispute", "hours.window"],
        ["channel.opt_out"],
    ]
    assert answer["next_permitted_at"].to_list() == [None, None]


def test_a_long_list_of_ids_is_passed_as_one_parameter_on_every_database(cn_loan, cn_clock):
    import uuid

    from arrears.common.bulk import among
    from arrears.servicing.models import Borrower

    borrower = cn_loan.borrower
    permit = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="sms",
        address=mobile_of(borrower),
        purpose="servicing",
        clock=cn_clock,
    ).issued_permit
    assert permit is not None
    numbers = [borrower.pk, *range(10**9, 10**9 + 600)]
    references = [*(f"X{i}" for i in range(600)), borrower.reference]
    permits = [*(uuid.uuid4() for _ in range(600)), permit.pk]

    with CaptureQueriesContext(connection) as seen:
        by_number = list(Borrower.objects.filter(among("pk", numbers)).values_list("pk", flat=True))
    by_reference = Borrower.objects.filter(among("reference", references))
    by_uuid = Permit.objects.filter(among("pk", permits))

    assert by_number == [borrower.pk] and len(seen) == 1
    sql = seen.captured_queries[0]["sql"]
    assert "= ANY(" in sql or "json_each(" in sql  # one parameter, not 601
    assert list(by_reference) == [borrower]
    assert list(by_uuid) == [permit]
