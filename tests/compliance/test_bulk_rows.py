"""The bulk gate writes its decisions and permits as plain rows (`bulk.rows`), not through
`bulk_create`: each stored row — every column, the JSON of the rule answers and of the inputs
byte for byte — is the row Django stores for the same values, and the rule answers' text is
`json.dumps` of `Decision.as_dict()["rules"]`, though each distinct answer is serialised once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import uuid
from typing import Any

import polars as pl
import pytest
from django.db import connection, transaction

from arrears.compliance.models import Decision, Permit
from arrears.compliance.services import decide_in_bulk
from arrears.compliance.services.bulk.rows import RuleTexts
from arrears.core import compliance as core
from tests.compliance.conftest import utc
from tests.compliance.test_bulk_differential import a_portfolio, settled, some_proposals
from tests.core.compliance import builders

pytestmark = pytest.mark.django_db


def raw(model: Any, pk: Any) -> dict[str, Any]:
    """A row as the database holds it (JSON as its stored text, instants as stored)."""
    columns = [f.column for f in model._meta.concrete_fields]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    key = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM {model._meta.db_table} WHERE {model._meta.pk.column} = %s",
            [key],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def stored_by_the_orm(instance: Any, **changed: Any) -> Any:
    """The same values saved again through `bulk_create` (the bulk gate's former write)."""
    fields = {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if not f.primary_key
    }
    fields.update(changed)
    return type(instance).objects.bulk_create([type(instance)(**fields)])[0]


@pytest.mark.parametrize("seed", range(4))
def test_the_stored_rows_are_the_rows_the_orm_stores(profiles, seed):
    rng = random.Random(100 + seed)
    now = utc(2025, 1, 15, rng.randint(0, 23), rng.choice([0, 17, 44]), rng.choice([0, 30]))
    accounts = a_portfolio(rng, now)
    proposals = some_proposals(rng, accounts, now)

    with transaction.atomic():
        frame = pl.DataFrame(proposals, schema_overrides={"at": pl.Datetime("us", "UTC")})
        answer = decide_in_bulk(proposals=frame, now=now)
        permits = 0
        for decision_id, permit_id, key in answer.select(
            "decision_id", "permit_id", "request_id"
        ).iter_rows():
            decision = Decision.objects.get(pk=decision_id)
            assert decision.request_id == key
            again = stored_by_the_orm(decision, request_id=f"orm-{key}")
            mine, theirs = raw(Decision, decision_id), raw(Decision, again.pk)
            for column in ("id", "request_id"):
                mine.pop(column), theirs.pop(column)
            assert mine == theirs
            if permit_id is None:
                assert not Permit.objects.filter(decision_id=decision_id).exists()
                continue
            permits += 1
            permit = Permit.objects.get(pk=uuid.UUID(permit_id))
            assert permit.decision_id == decision_id
            copy = stored_by_the_orm(permit, id=uuid.uuid4(), decision_id=again.pk)
            mine, theirs = raw(Permit, permit.pk), raw(Permit, copy.pk)
            for column in ("id", "decision_id"):
                mine.pop(column), theirs.pop(column)
            assert mine == theirs
        assert permits == answer.get_column("allowed").sum()
        transaction.set_rollback(True)


def some_decisions() -> list[core.Decision]:
    """Decisions of the pure gate: allowed and refused, with and without a next time, in
    China and the US (reasons in both languages, citations, offsets of their own)."""
    found = []
    for code, hour in (("CN", 2), ("CN", 15), ("US", 14), ("US", 3), ("UK", 23)):
        at = utc(2025, 1, 15, hour, 30)
        request = builders.request(code, at)
        found.append(core.decide(request, builders.history(), builders.profile(code), now=at))
    return found


def test_the_rule_answers_text_is_json_dumps_of_the_logged_rule_answers():
    texts = RuleTexts()
    decisions = some_decisions()
    assert any(not d.allowed for d in decisions) and any(d.allowed for d in decisions)
    for decision in [*decisions, *decisions]:  # the second time from what is remembered
        assert texts.of(decision.rules) == json.dumps(decision.as_dict()["rules"])
    assert texts.of(()) == json.dumps([])


def test_an_equal_instant_in_another_offset_is_written_in_its_own_offset():
    texts = RuleTexts()
    rule = next(r for d in some_decisions() for r in d.rules if r.next_permitted_at is not None)
    assert rule.next_permitted_at is not None
    shifted = dataclasses.replace(
        rule,
        next_permitted_at=rule.next_permitted_at.astimezone(dt.timezone(dt.timedelta(hours=8))),
    )
    assert shifted == rule  # equal answers …
    for one in (rule, shifted, rule):  # … but other texts
        moment = utc(2025, 1, 15, 0, 0)
        logged = core.Decision("x", False, (one,), None, moment, moment, "CN", "1")
        assert texts.of((one,)) == json.dumps(logged.as_dict()["rules"])


@pytest.mark.parametrize("seed", range(3))
def test_a_batch_that_issues_no_permit_logs_the_same_decisions(profiles, seed):
    """Without permits the permits' ends are not looked for: the decisions are the same."""
    rng = random.Random(200 + seed)
    now = utc(2025, 1, 15, rng.randint(0, 23), rng.choice([0, 17, 44]), rng.choice([0, 30]))
    accounts = a_portfolio(rng, now)
    once = {}  # one proposal a borrower: a second would count the first's permit
    for proposal in some_proposals(rng, accounts, now):
        once.setdefault(proposal["borrower_id"], proposal)
    frame = pl.DataFrame(list(once.values()), schema_overrides={"at": pl.Datetime("us", "UTC")})

    def logged(issue_permits: bool) -> list[dict[str, Any]]:
        with transaction.atomic():
            answer = decide_in_bulk(proposals=frame, now=now, issue_permits=issue_permits)
            found = [settled(Decision.objects.get(pk=pk)) for pk in answer["decision_id"]]
            transaction.set_rollback(True)
        return found

    with_permits, without = logged(True), logged(False)
    assert any(d["permit"] for d in with_permits)
    assert all(d["permit"] is None for d in without)
    assert [{**d, "permit": None} for d in with_permits] == without


def test_rule_answers_that_differ_in_any_logged_value_get_their_own_text():
    """The remembered texts are keyed by every value the text is made of: changing any one of
    them (a reason, the outcome, any part of the citation, the instant or its offset) is
    another text, and each is `json.dumps` of what `Decision.as_dict` logs."""
    base = next(
        r
        for d in some_decisions()
        for r in d.rules
        if r.next_permitted_at is not None and r.citation is not None
    )
    assert base.citation is not None and base.next_permitted_at is not None
    other_status = next(s for s in core.Verification if s is not base.citation.status)
    later = base.next_permitted_at + dt.timedelta(minutes=1)
    variants = [
        base,
        dataclasses.replace(base, rule_id=base.rule_id + "-x"),
        dataclasses.replace(base, outcome=core.Outcome.FLAG),
        dataclasses.replace(base, outcome=core.Outcome.ALLOW, next_permitted_at=None),
        dataclasses.replace(base, reason_en=base.reason_en + "."),
        dataclasses.replace(base, reason_zh=base.reason_zh + "。"),
        dataclasses.replace(base, citation=None),
        dataclasses.replace(base, citation=dataclasses.replace(base.citation, ref="X-1")),
        dataclasses.replace(base, citation=dataclasses.replace(base.citation, source="s 1")),
        dataclasses.replace(base, citation=dataclasses.replace(base.citation, status=other_status)),
        dataclasses.replace(base, next_permitted_at=later),
        dataclasses.replace(
            base, next_permitted_at=later.astimezone(dt.timezone(dt.timedelta(hours=-5)))
        ),
        dataclasses.replace(base, citation=dataclasses.replace(base.citation)),  # equal, not same
    ]
    texts = RuleTexts()
    moment = utc(2025, 1, 15, 0, 0)
    for one in [*variants, *reversed(variants)]:
        logged = core.Decision("x", False, (one,), None, moment, moment, "CN", "1")
        assert texts.of((one,)) == json.dumps(logged.as_dict()["rules"])
    assert len({texts.of((one,)) for one in variants}) == len(variants) - 1
