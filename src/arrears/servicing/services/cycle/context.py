"""What every step of one business date shares: the date, the clock, product terms, calendars."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from arrears.core.calendar import BusinessCalendar
from arrears.core.clock import Clock
from arrears.core.products import CardTerms, LoanTerms
from arrears.servicing.models import Product
from arrears.servicing.services.products import terms_in_force

#: Accounts handled per transaction. A run killed half-way loses at most one chunk of work,
#: which the next run redoes (every write is keyed or checked, so nothing is done twice).
CHUNK_SIZE = 200

Terms = CardTerms | LoanTerms
T = TypeVar("T")
TermsT = TypeVar("TermsT", CardTerms, LoanTerms)


@dataclass
class CycleContext:
    """One business date's shared, read-only facts, loaded once for all steps."""

    day: date
    clock: Clock
    terms: dict[int, Terms]  # by product id
    _calendars: dict[str, BusinessCalendar] = field(default_factory=dict)

    @classmethod
    def load(cls, *, day: date, clock: Clock) -> CycleContext:
        # the terms in force on the day: a change not yet effective is not applied early
        return cls(day=day, clock=clock, terms=terms_in_force(Product.objects.all(), on=day))

    def terms_of(self, kind: type[TermsT]) -> dict[int, TermsT]:
        """The products of one kind (card or loan), by product id."""
        return {pk: terms for pk, terms in self.terms.items() if isinstance(terms, kind)}

    def calendar(self, country: str) -> BusinessCalendar:
        """The business calendar of a country, built once per date."""
        found = self._calendars.get(country)
        if found is None:
            found = self._calendars[country] = BusinessCalendar(country)
        return found


def chunked(items: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items (default `CHUNK_SIZE`, read at call time)."""
    step = size or CHUNK_SIZE
    for start in range(0, len(items), step):
        yield items[start : start + step]
