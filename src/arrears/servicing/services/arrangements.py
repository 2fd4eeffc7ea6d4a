"""Repayment arrangements that change how an account ages, supplied by the apps above servicing.

A hardship plan (还款计划 / 个性化分期) replaces the contract's due dates while it is kept. The
ageing rule lives in servicing (`selectors.delinquency_of`), but the plans live in the hardship
app, which servicing must not import (layers). So, as with the cycle's step registry, an app
registers an `ArrangementSource` from its `AppConfig.ready()`, and ageing asks it, in bulk,
which accounts are under an arrangement on a date. Servicing knows only this small contract.

While an arrangement is in force on an account:

- the contract's dues that fell due *before* the arrangement started (the arrears it was agreed
  for) stop ageing: they are aged as of `starts_on` (payments still clear them, oldest first);
- the contract's later dues are replaced by the arrangement's own `dues` (the plan's
  instalments, with what is still unpaid of each), which age like any due;
- the account's days past due is the larger of the two, its past-due amount their sum.

A re-age (`services.ageing.re_age_account`, 账龄重置) then sets `Account.re_aged_on`: contract
dues before that date no longer count at all. See docs/hardship.md, "Plans in practice".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Arrangement:
    """An agreed arrangement in force on an account, as ageing reads it.

    `dues` holds (due_on, unpaid minor units) of each instalment of the arrangement, in any
    order; an instalment paid in full may be left out.
    """

    starts_on: dt.date
    dues: tuple[tuple[dt.date, int], ...] = ()


class ArrangementSource(Protocol):
    """What an app registers: the accounts under an arrangement, and their arrangements."""

    def accounts_under_arrangement(self, as_of: dt.date) -> Collection[int]:
        """Every account (id) with an arrangement in force on `as_of`: charged no late fee and
        sent no reminder of the contract's dues. It may include accounts that `arrangements`
        leaves out (an arrangement that does not change ageing)."""
        ...

    def arrangements(
        self, account_ids: Collection[int], as_of: dt.date
    ) -> Mapping[int, Arrangement]:
        """The arrangement in force on `as_of` of each of these accounts that has one."""
        ...


_SOURCES: dict[str, ArrangementSource] = {}


def register_arrangement_source(name: str, source: ArrangementSource) -> None:
    """Let ageing consult `source`; registering a name again replaces it (app reloads)."""
    _SOURCES[name] = source


def unregister_arrangement_source(name: str) -> None:
    _SOURCES.pop(name, None)


def arrangements_for(account_ids: Collection[int], as_of: dt.date) -> dict[int, Arrangement]:
    """The arrangements in force on `as_of` for these accounts (none without a source).

    With several sources, an account's arrangements are merged: the earliest start, every due.
    """
    found: dict[int, Arrangement] = {}
    if not account_ids:
        return found
    for source in _SOURCES.values():
        for pk, arrangement in source.arrangements(account_ids, as_of).items():
            earlier = found.get(pk)
            if earlier is not None:
                arrangement = Arrangement(
                    starts_on=min(earlier.starts_on, arrangement.starts_on),
                    dues=(*earlier.dues, *arrangement.dues),
                )
            found[pk] = arrangement
    return found


def accounts_under_arrangement(as_of: dt.date) -> set[int]:
    """Every account with an arrangement in force on `as_of`, from every source."""
    ids: set[int] = set()
    for source in _SOURCES.values():
        ids.update(source.accounts_under_arrangement(as_of))
    return ids
