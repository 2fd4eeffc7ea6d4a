"""Posting many entries at once (the nightly cycle) gives the same journal as posting each."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.errors import Conflict, ValidationError
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import JournalEntry, JournalLine
from arrears.servicing.services.ledger import (
    INCOME_INTEREST,
    EntryDraft,
    EntryRow,
    post_entries,
    post_entry,
    post_entry_rows,
)
from tests.conftest import rolled_back
from tests.factories import make_card_account

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 1)


def interest(account, minor, key):
    return EntryDraft(
        account, EntryKind.INTEREST, DAY, {"interest:purchase": minor, INCOME_INTEREST: -minor}, key
    )


def journal(accounts):
    return sorted(
        JournalLine.objects.filter(account__in=accounts).values_list(
            "account_id", "entry__idempotency_key", "book", "amount_minor"
        )
    )


def test_interest_posted_in_bulk_is_posted_once_when_the_night_runs_again(products, clock):
    first, second = make_card_account(), make_card_account()
    drafts = [interest(first, 1234, "stmt:a"), interest(second, 99, "stmt:b")]

    posted = post_entries(drafts, clock=clock)
    again = post_entries(drafts, clock=clock)

    assert [created for _entry, created in posted] == [True, True]
    assert [created for _entry, created in again] == [False, False]
    assert [e.pk for e, _c in again] == [e.pk for e, _c in posted]
    assert JournalEntry.objects.filter(idempotency_key__in=["stmt:a", "stmt:b"]).count() == 2
    assert journal([first, second]) == sorted(
        [
            (first.pk, "stmt:a", "interest:purchase", 1234),
            (first.pk, "stmt:a", INCOME_INTEREST, -1234),
            (second.pk, "stmt:b", "interest:purchase", 99),
            (second.pk, "stmt:b", INCOME_INTEREST, -99),
        ]
    )


def test_an_unbalanced_entry_in_a_bulk_posting_writes_nothing(products, clock):
    account = make_card_account()
    wrong = EntryDraft(account, EntryKind.INTEREST, DAY, {"interest:purchase": 5}, "stmt:x")

    with pytest.raises(ValidationError) as error:
        post_entries([interest(account, 10, "stmt:ok"), wrong], clock=clock)

    assert error.value.field == "lines"
    assert not JournalEntry.objects.filter(account=account).exists()


def test_a_key_used_for_another_account_is_refused_in_bulk_too(products, clock):
    first, second = make_card_account(), make_card_account()
    post_entries([interest(first, 10, "stmt:shared")], clock=clock)

    with pytest.raises(Conflict):
        post_entries([interest(second, 10, "stmt:shared")], clock=clock)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6),
    done_before=st.sets(st.integers(min_value=0, max_value=5)),
)
def test_bulk_posting_leaves_the_journal_that_posting_one_by_one_leaves(
    products, clock, amounts, done_before
):
    """Differential: some keys already posted (a rerun), the rest new — same lines either way."""
    results = []
    for bulk in (True, False):
        with rolled_back():
            accounts = [make_card_account() for _ in amounts]
            drafts = [
                interest(a, m, f"k{i}")
                for i, (a, m) in enumerate(zip(accounts, amounts, strict=True))
            ]
            for i in done_before & set(range(len(drafts))):
                post_entries([drafts[i]], clock=clock)
            if bulk:
                created = [c for _e, c in post_entries(drafts, clock=clock)]
            else:
                created = [
                    post_entry(
                        account=d.account,
                        kind=d.kind,
                        effective_on=d.effective_on,
                        lines=d.lines,
                        idempotency_key=d.idempotency_key,
                        clock=clock,
                    )[1]
                    for d in drafts
                ]
            index = {a.pk: i for i, a in enumerate(accounts)}
            lines = [(index[a], k, b, m) for a, k, b, m in journal(accounts)]
            results.append((created, sorted(lines)))
    assert results[0] == results[1]


# --- post_entry_rows: the same journal without model instances --------------------------------


def as_row(draft):
    return EntryRow(
        draft.account.pk,
        draft.account.currency,
        draft.kind,
        draft.effective_on,
        draft.lines,
        draft.idempotency_key,
        draft.memo,
    )


def entry_rows(accounts):
    """Every column of the accounts' entries and lines, new ids as their rank."""
    entries = list(
        JournalEntry.objects.filter(account__in=accounts)
        .order_by("pk")
        .values_list("pk", "account_id", "kind", "effective_on", "posted_at", "currency",
                     "idempotency_key", "reverses_id", "memo")
    )  # fmt: skip
    rank = {pk: n for n, (pk, *_rest) in enumerate(entries)}
    lines = JournalLine.objects.filter(account__in=accounts).order_by("pk")
    return (
        [(n, *rest) for n, (_pk, *rest) in enumerate(entries)],
        [
            (rank[entry], *rest)
            for entry, *rest in lines.values_list(
                "entry_id", "account_id", "book", "amount_minor", "effective_on"
            )
        ],
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6),
    done_before=st.sets(st.integers(min_value=0, max_value=5)),
)
def test_entries_posted_as_rows_are_the_entries_posted_as_drafts(
    products, clock, amounts, done_before
):
    """Differential: `post_entry_rows` and `post_entries` leave the same journal, every
    column and in the same order, some keys already posted (a rerun) and the rest new."""
    results = []
    for rows in (True, False):
        with rolled_back():
            accounts = [make_card_account() for _ in amounts]
            drafts = [
                interest(a, m, f"k{i}")
                for i, (a, m) in enumerate(zip(accounts, amounts, strict=True))
            ]
            for i in done_before & set(range(len(drafts))):
                post_entries([drafts[i]], clock=clock)
            if rows:
                posted = post_entry_rows([as_row(d) for d in drafts], clock=clock)
            else:
                posted = [(e.pk, c) for e, c in post_entries(drafts, clock=clock)]
            by_key = dict(JournalEntry.objects.values_list("idempotency_key", "pk"))
            assert [pk for pk, _c in posted] == [by_key[d.idempotency_key] for d in drafts]
            index = {a.pk: i for i, a in enumerate(accounts)}
            entries, lines = entry_rows(accounts)
            results.append(
                (
                    [c for _pk, c in posted],
                    [(n, index[a], *rest) for n, a, *rest in entries],
                    [(e, index[a], *rest) for e, a, *rest in lines],
                )
            )
    assert results[0] == results[1]


def test_rows_with_a_key_of_another_account_post_nothing(products, clock):
    first, second = make_card_account(), make_card_account()
    post_entries([interest(first, 10, "stmt:taken")], clock=clock)
    rows = [as_row(interest(second, 5, "stmt:new")), as_row(interest(second, 10, "stmt:taken"))]

    with pytest.raises(Conflict):
        post_entry_rows(rows, clock=clock)

    assert not JournalEntry.objects.filter(account=second).exists()


def test_an_unbalanced_row_posts_nothing(products, clock):
    account = make_card_account()
    wrong = EntryRow(account.pk, "CNY", EntryKind.INTEREST, DAY, {"interest:purchase": 5}, "x")

    with pytest.raises(ValidationError):
        post_entry_rows([as_row(interest(account, 10, "ok")), wrong], clock=clock)

    assert not JournalEntry.objects.filter(account=account).exists()
