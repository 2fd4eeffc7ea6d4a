"""A chunk's decisions and permits as plain rows, written in bulk.

`bulk_create` prepared every field of every model instance, and was most of a chunk's write.
Here a decision is one tuple; its rule answers are serialised once per distinct answer (a
night's decisions share most of them: the same window, the same "no hold"), and the rows go in
by `executemany` on SQLite and COPY on PostgreSQL. Every value is adapted as Django adapts it
for `Model.save()` — JSON as `json.dumps` writes it, instants by the backend's own adapter —
so the stored rows are the ones `bulk_create` stored; the decisions' ids are read back by
their unique request ids.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection

from arrears.common.bulk import adapt, among, insert_rows, is_postgresql, quoted, table
from arrears.compliance.models import Decision, Permit
from arrears.compliance.services.requests import Contact
from arrears.core import compliance as core

#: The decision's columns, in the order of `decision_row`'s values (all but its id).
DECISION_COLUMNS = (
    "request_id",
    "borrower_id",
    "account_id",
    "party_role",
    "party_ref",
    "channel",
    "address",
    "purpose",
    "at",
    "decided_at",
    "allowed",
    "flagged",
    "next_permitted_at",
    "profile_code",
    "profile_version",
    "rules",
    "denied_rules",
    "snapshot",
)
#: The permit's columns, in the order of `permit_row`'s values.
PERMIT_COLUMNS = (
    "id",
    "decision_id",
    "borrower_id",
    "channel",
    "address",
    "valid_from",
    "valid_until",
    "used_at",
    "voided_at",
    "void_reason",
)
_JSON = frozenset({"rules", "snapshot"})
#: Any instant: the frame `_logged_form` puts one rule answer in needs one.
_ANY = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class RuleTexts:
    """The logged form of rule answers (`Decision.as_dict()["rules"]` as JSON text), each
    distinct answer serialised once: a list's text is its items' texts joined as `json.dumps`
    joins them."""

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], str] = {}

    def of(self, rules: Sequence[core.RuleResult]) -> str:
        return "[" + ", ".join(self._one(rule) for rule in rules) + "]"

    def _one(self, rule: core.RuleResult) -> str:
        key = _text_key(rule)
        text = self._known.get(key)
        if text is None:
            text = self._known[key] = json.dumps(_logged_form(rule))
        return text


def _text_key(rule: core.RuleResult) -> tuple[Any, ...]:
    """Every value the logged text is made of, as plain values: hashing the answer itself goes
    through the enums' and the citation's own (slower) hashes, once per rule of every decision.
    Enum members are singletons, so their identity stands for their value. Equal instants in
    other offsets are equal answers but other texts: the key holds the offset too."""
    after, citation = rule.next_permitted_at, rule.citation
    return (
        rule.rule_id,
        id(rule.outcome),
        rule.reason_en,
        rule.reason_zh,
        None if citation is None else (citation.ref, citation.source, id(citation.status)),
        after,
        None if after is None else after.utcoffset(),
    )


def _logged_form(rule: core.RuleResult) -> Any:
    """One rule answer exactly as `Decision.as_dict` logs it (asked of it, not copied)."""
    alone = core.Decision(
        request_id="-",
        allowed=not rule.denied,
        rules=(rule,),
        next_permitted_at=None,
        at=_ANY,
        evaluated_at=_ANY,
        profile_code="-",
        profile_version="-",
    )
    return alone.as_dict()["rules"][0]  # type: ignore[index]


def json_text(document: Any) -> str:
    """A JSON document as Django writes a `JSONField` (`json.dumps`, default separators)."""
    return json.dumps(document)


def write_decisions(rows: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Insert the decisions (values in `DECISION_COLUMNS` order, JSON columns already as
    text); returns their ids by request id."""
    if not rows:
        return {}
    adapters = [
        None if name in _JSON or adapter is None else _remembering(adapter)
        for name, adapter in zip(DECISION_COLUMNS, adapt(Decision, DECISION_COLUMNS), strict=True)
    ]
    values = [
        tuple(
            value if adapter is None or value is None else adapter(value)
            for value, adapter in zip(row, adapters, strict=True)
        )
        for row in rows
    ]
    names = ", ".join(quoted(c) for c in DECISION_COLUMNS)
    target = quoted(table(Decision))
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(DECISION_COLUMNS))
            cursor.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})", values)
    keys = [row[0] for row in rows]
    return dict(Decision.objects.filter(among("request_id", keys)).values_list("request_id", "pk"))


def _remembering(adapter: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The adapter, asked once per distinct value: a chunk's decisions share their instants
    (all were decided at the same moment), and an equal instant is stored the same."""
    known: dict[Any, Any] = {}

    def adapted(value: Any) -> Any:
        found = known.get(value, known)
        if found is known:
            found = known[value] = adapter(value)
        return found

    return adapted


def write_permits(rows: Sequence[Sequence[Any]]) -> None:
    """Insert the permits (values in `PERMIT_COLUMNS` order)."""
    insert_rows(Permit, PERMIT_COLUMNS, rows)


def decision_row(
    contact: Contact, answer: core.Decision, rules: str, snapshot: str
) -> tuple[Any, ...]:
    """The decision as `request_permit` logs it (`gate._log`), its JSON columns as text."""
    return (
        answer.request_id,
        contact.borrower_id,
        contact.account_id,
        contact.party_role.value,
        contact.party_ref,
        contact.channel.value,
        contact.address,
        contact.purpose.value,
        answer.at,
        answer.evaluated_at,
        answer.allowed,
        bool(answer.flags),
        answer.next_permitted_at,
        answer.profile_code,
        answer.profile_version,
        rules,
        " ".join(r.rule_id for r in answer.denials),
        snapshot,
    )


def permit_row(
    decision_id: int, contact: Contact, answer: core.Decision, valid_until: dt.datetime
) -> tuple[Any, ...]:
    """A new permit for an allowed decision: unused, not voided."""
    return (
        uuid.uuid4(),
        decision_id,
        contact.borrower_id,
        contact.channel.value,
        contact.address,
        answer.at,
        valid_until,
        None,
        None,
        "",
    )
