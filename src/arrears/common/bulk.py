"""Bulk reads and writes for the nightly batches: set-based reads into Polars, bulk writes back.

Reads go through Django's connection (so they join the caller's transaction) and come back as
Polars frames built from the cursor's rows: on this machine that is faster than
`pl.read_database` over the same cursor on both SQLite and PostgreSQL (docs/BENCHMARKS.md,
"Collection night"). Dates and instants are read as integers (days and seconds since
1970-01-01 UTC) so no row pays for a Python `date` or `datetime`. In ORM queries, `among(field,
ids)` passes a long id list as one parameter: Django prepares an `__in` list value by value.

Writes: PostgreSQL takes new rows by `COPY … FROM STDIN` (by COPY into a temporary table and
one `INSERT … ON CONFLICT DO NOTHING` when conflicts are to be ignored) and changed rows by COPY
into a temporary table and one `UPDATE … FROM`; SQLite takes both by `executemany` inside the
caller's transaction. Values are adapted once by Django's own adapters, so a row written here
reads back through the ORM exactly as one written by `Model.save()`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

import polars as pl
from django.db import connection, transaction
from django.db.models import F, Lookup, Q

EPOCH = dt.date(1970, 1, 1)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def epoch_days(column: str) -> str:
    """SQL for a date column as whole days since 1970-01-01 (NULL stays NULL)."""
    if is_postgresql():
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def epoch_seconds(column: str) -> str:
    """SQL for an instant (stored in UTC) as whole seconds since 1970-01-01 UTC."""
    if is_postgresql():
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def day_number(day: dt.date) -> int:
    """A date as days since 1970-01-01 (what `epoch_days` reads)."""
    return (day - EPOCH).days


def read_frame(sql: str, params: Sequence[Any], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """The rows of one query as a frame with these column names and types, in order."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=dict(schema), orient="row")


def table(model: Any) -> str:
    return str(model._meta.db_table)


def quoted(name: str) -> str:
    return str(connection.ops.quote_name(name))


def adapt(model: Any, columns: Sequence[str]) -> list[Any]:
    """One adapter per column: how Django would write a value of that field."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    adapters: list[Any] = []
    for name in columns:
        field = fields[name]
        if field.is_relation:
            field = field.target_field
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(connection.ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapters.append(connection.ops.adapt_datefield_value)
        elif kind == "JSONField":
            adapters.append(_json)
        elif kind == "UUIDField" and not is_postgresql():
            adapters.append(lambda value: value.hex if value is not None else None)
        else:
            adapters.append(None)
    return adapters


def _json(value: Any) -> str:
    """As Django's `JSONField` writes it, so the stored text is the same as `Model.save()`'s."""
    return json.dumps(value)


def _adapted(rows: Iterable[Sequence[Any]], adapters: list[Any]) -> Iterable[tuple[Any, ...]]:
    """The rows with the columns that need it adapted; the others are passed as they are. A
    night's rows repeat the same date or instant, so each date, instant or UUID column
    remembers its last value (of the same type: a date is not a datetime)."""
    columns = [(i, adapter) for i, adapter in enumerate(adapters) if adapter is not None]
    if not columns:
        yield from (tuple(row) for row in rows)
        return
    last: list[tuple[Any, Any]] = [(object(), None) for _ in columns]
    for row in rows:
        values = list(row)
        for n, (i, adapter) in enumerate(columns):
            value = values[i]
            if value is None:
                continue
            seen, done = last[n]
            if adapter is _json or type(value) is not type(seen) or value != seen:
                done = adapter(value)  # JSON is never reused: {"a": 1} == {"a": True}
                last[n] = (value, done)
            values[i] = done
        yield tuple(values)


def insert_rows(
    model: Any,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """Insert many rows of `model` (values in `columns` order); returns how many were given.

    `ignore_conflicts` skips a row that would break a unique constraint (an idempotency key
    already written, or written earlier in the same call: the first row of a key wins), as
    `bulk_create(ignore_conflicts=True)` does — COPY cannot, so PostgreSQL then copies into a
    temporary table and inserts from it with `ON CONFLICT DO NOTHING`.
    """
    if not rows:
        return 0
    adapters = adapt(model, columns)
    names = ", ".join(quoted(c) for c in columns)
    target = quoted(table(model))
    with connection.cursor() as cursor:
        if is_postgresql() and ignore_conflicts:
            _insert_by_copy_ignoring_conflicts(cursor, model, target, columns, rows, adapters)
        elif is_postgresql():
            with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in _adapted(rows, adapters):
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
            cursor.executemany(
                f"{verb} INTO {target} ({names}) VALUES ({marks})",
                list(_adapted(rows, adapters)),
            )
    return len(rows)


def _insert_by_copy_ignoring_conflicts(
    cursor: Any,
    model: Any,
    target: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    adapters: list[Any],
) -> None:
    fields = {field.column: field for field in model._meta.concrete_fields}
    kinds = ", ".join(f"{quoted(c)} {fields[c].db_type(connection)}" for c in columns)
    names = ", ".join(quoted(c) for c in columns)
    with transaction.atomic():  # ON COMMIT DROP needs a transaction to live in
        cursor.execute(f"CREATE TEMPORARY TABLE _batch_insert ({kinds}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY _batch_insert ({names}) FROM STDIN") as copy:
            for row in _adapted(rows, adapters):
                copy.write_row(row)
        # in the order given, so that the first row of a key is the one kept
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM _batch_insert "
            "ORDER BY ctid ON CONFLICT DO NOTHING"
        )
        cursor.execute("DROP TABLE _batch_insert")


def update_rows(
    model: Any, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, key: str = "id"
) -> int:
    """Set `columns` of the rows whose `key` is each row's last value; returns how many."""
    if not rows:
        return 0
    adapters = [*adapt(model, columns), None]
    target = quoted(table(model))
    with connection.cursor() as cursor:
        if is_postgresql():
            _update_by_copy(cursor, model, target, columns, rows, adapters, key)
        else:
            sets = ", ".join(f"{quoted(c)} = %s" for c in columns)
            cursor.executemany(
                f"UPDATE {target} SET {sets} WHERE {quoted(key)} = %s",
                list(_adapted(rows, adapters)),
            )
    return len(rows)


def _update_by_copy(
    cursor: Any,
    model: Any,
    target: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    adapters: list[Any],
    key: str,
) -> None:
    fields = {field.column: field for field in model._meta.concrete_fields}
    staged = [*columns, key]
    kinds = ", ".join(f"{quoted(c)} {fields[c].db_type(connection)}" for c in staged)
    cursor.execute(f"CREATE TEMPORARY TABLE _batch_update ({kinds}) ON COMMIT DROP")
    names = ", ".join(quoted(c) for c in staged)
    with cursor.cursor.copy(f"COPY _batch_update ({names}) FROM STDIN") as copy:
        for row in _adapted(rows, adapters):
            copy.write_row(row)
    sets = ", ".join(f"{quoted(c)} = u.{quoted(c)}" for c in columns)
    cursor.execute(
        f"UPDATE {target} AS t SET {sets} FROM _batch_update AS u "
        f"WHERE t.{quoted(key)} = u.{quoted(key)}"
    )
    cursor.execute("DROP TABLE _batch_update")


#: Up to this many values an `IN` list is written out; beyond, one array parameter is passed.
_LISTED = 500


class _AmongArray(Lookup):  # type: ignore[type-arg]
    """`lhs IN values` with the values as one parameter: a PostgreSQL array (`= ANY(%s)`, which
    the planner reads as it reads an IN list), a JSON text on SQLite (`json_each`)."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        encoded = [v.hex if isinstance(v, UUID) else v for v in values]  # as Django stores them
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(encoded)]


def among(field: str, values: Collection[Any]) -> Q:
    """`field IN values`; a long list is passed as one parameter, so a batch of any size is read
    in one query (SQLite allows only so many parameters to a statement)."""
    if len(values) <= _LISTED:
        return Q(**{f"{field}__in": list(values)})
    return Q(_AmongArray(F(field), list(values)))
