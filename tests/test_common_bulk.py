"""The batches' bulk writer stores what the ORM stores: a row written by `insert_rows` reads
back — and on SQLite is stored as the same text — as the row `Model.save()` writes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.collection.models import CaseEvent
from arrears.common.bulk import insert_rows
from tests.factories import make_collection_case

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
#: any text PostgreSQL can store: no NUL (U+0000) and no lone surrogate, which jsonb refuses
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
instants = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2090, 1, 1),
    timezones=st.sampled_from([dt.UTC, SHANGHAI]),
)
details = st.dictionaries(texts, json_values, max_size=4)  # a case event's detail
rows = st.lists(st.tuples(st.dates(dt.date(2000, 1, 1)), instants, details), min_size=1, max_size=6)


def stored(ids: list[int]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT kind, "on", at, reason, detail FROM collection_caseevent '
            f"WHERE id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id",
            ids,
        )
        return [tuple(r) for r in cursor.fetchall()]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows, repeat=st.booleans())
def test_rows_written_in_bulk_are_stored_as_the_orm_stores_them(rows, repeat):
    case = make_collection_case()
    if repeat:  # the same date and instant on every row, as a night writes them
        rows = [(rows[0][0], rows[0][1], detail) for _day, _at, detail in rows]
    by_orm = [
        CaseEvent.objects.create(case=case, kind="note", on=on, at=at, reason="r", detail=detail).pk
        for on, at, detail in rows
    ]
    before = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    insert_rows(
        CaseEvent,
        ("case_id", "kind", "on", "at", "reason", "detail"),
        [(case.pk, "note", on, at, "r", detail) for on, at, detail in rows],
    )
    in_bulk = list(
        CaseEvent.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
    )

    assert stored(in_bulk) == stored(by_orm)
    assert [
        (e.on, e.at, e.detail) for e in CaseEvent.objects.filter(pk__in=in_bulk).order_by("pk")
    ] == [(on, at, detail) for on, at, detail in rows]
