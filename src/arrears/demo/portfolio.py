"""`arrears demo-data`: a synthetic portfolio, the same for the same seed, row for row.

Borrowers come from `people.PeopleFactory`; each gets a payment behaviour (stored as a
`DemoProfile`) and one or two accounts from the bundled products of their country, opened in
the first month after `start_on`, so that every account's whole life falls inside a replay
that starts there. Every write goes through the servicing services, with a clock that stands
at each business date, so even the posting times repeat.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core.clock import FixedClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.demo.choices import Behaviour
from arrears.demo.models import DemoPortfolio, DemoProfile
from arrears.demo.people import PeopleFactory, Person
from arrears.servicing.choices import ProductKind
from arrears.servicing.models import Product

#: Share of borrowers per behaviour (per cent).
BEHAVIOUR_MIX: tuple[tuple[Behaviour, int], ...] = (
    (Behaviour.ON_TIME, 55),
    (Behaviour.SOMETIMES_LATE, 20),
    (Behaviour.CHRONIC_LATE, 10),
    (Behaviour.HARDSHIP_AFTER_SHOCK, 8),
    (Behaviour.NEVER_PAYS, 7),
)

#: Card limits and loan principals per currency: (lowest, highest, step) in major units.
CARD_LIMITS = {
    "CNY": (5_000, 80_000, 1_000),
    "USD": (1_000, 15_000, 500),
    "GBP": (500, 10_000, 250),
}
LOAN_PRINCIPALS = {
    "CNY": (10_000, 200_000, 1_000),
    "USD": (2_000, 30_000, 500),
    "GBP": (1_000, 25_000, 500),
}
LOAN_TERMS = (6, 12, 12, 18, 24, 24, 36, 48, 60)

#: Accounts open within this many days of the portfolio's first date.
OPENING_WINDOW_DAYS = 30

MAX_BORROWERS = 1_000_000

Progress = Callable[[int, int], None]


def business_clock(day: dt.date) -> FixedClock:
    """The clock of a replayed business date: 10:00 in Shanghai (02:00 UTC) that day."""
    return FixedClock(dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC))


@dataclass(frozen=True)
class PortfolioSummary:
    seed: int
    borrowers: int
    cards: int
    loans: int
    start_on: dt.date
    created: bool

    def as_json(self) -> dict[str, object]:
        return {
            "ok": True,
            "seed": self.seed,
            "borrowers": self.borrowers,
            "accounts": {"card": self.cards, "loan": self.loans},
            "start_on": self.start_on.isoformat(),
            "created": self.created,
        }


def generate_portfolio(
    *, seed: int, borrowers: int, start_on: dt.date, progress: Progress | None = None
) -> PortfolioSummary:
    """Create the demo borrowers, their profiles and accounts; once per database.

    Asking again with the same seed, size and start changes nothing and returns the summary;
    a different portfolio in the same database is a Conflict (use a fresh database).
    """
    if not 1 <= borrowers <= MAX_BORROWERS:
        raise ValidationError("borrowers", _("must be from 1 to %(n)d") % {"n": MAX_BORROWERS})
    existing = DemoPortfolio.objects.first()
    if existing is not None:
        if (existing.seed, existing.borrowers, existing.start_on) != (seed, borrowers, start_on):
            raise Conflict(
                _(
                    "this database already holds a demo portfolio (%(existing)s); "
                    "use a fresh database for another one"
                )
                % {"existing": existing}
            )
        return _summary(existing, created=False)
    products = _products_by_country()
    rng = random.Random(seed)
    people = PeopleFactory(rng, as_of=start_on)
    chunk = 250
    for first in range(1, borrowers + 1, chunk):
        with transaction.atomic():
            if first == 1:
                DemoPortfolio.objects.create(seed=seed, borrowers=borrowers, start_on=start_on)
            for n in range(first, min(first + chunk, borrowers + 1)):
                _create_borrower(rng, people.person(n), n, start_on, products)
                if progress is not None:
                    progress(n, borrowers)
    return _summary(DemoPortfolio.objects.get(), created=True)


def _summary(portfolio: DemoPortfolio, *, created: bool) -> PortfolioSummary:
    from arrears.servicing.models import Account

    accounts = Account.objects.filter(borrower__demo_profile__isnull=False)
    return PortfolioSummary(
        seed=portfolio.seed,
        borrowers=portfolio.borrowers,
        cards=accounts.filter(kind=ProductKind.CARD).count(),
        loans=accounts.filter(kind=ProductKind.LOAN).count(),
        start_on=portfolio.start_on,
        created=created,
    )


def _products_by_country() -> dict[tuple[str, str], list[Product]]:
    """Active bundled products by (jurisdiction, kind), in code order."""
    found: dict[tuple[str, str], list[Product]] = {}
    for product in Product.objects.filter(is_active=True).order_by("code"):
        jurisdiction = str(product.terms.get("jurisdiction", ""))
        found.setdefault((jurisdiction, product.kind), []).append(product)
    if not found:
        raise Conflict(_("no products are loaded; run `arrears init` first"))
    return found


def _create_borrower(
    rng: random.Random,
    person: Person,
    n: int,
    start_on: dt.date,
    products: dict[tuple[str, str], list[Product]],
) -> None:
    from arrears.servicing.services.accounts import (
        open_card_account,
        open_loan_account,
        register_borrower,
    )

    behaviour = rng.choices([b for b, _w in BEHAVIOUR_MIX], [w for _b, w in BEHAVIOUR_MIX])[0]
    shock_on = (
        start_on + dt.timedelta(days=rng.randint(35, 75))
        if behaviour == Behaviour.HARDSHIP_AFTER_SHOCK
        else None
    )
    profile_seed = rng.getrandbits(48)
    spend_level = rng.choice((1, 2, 3, 3, 4, 5, 6, 8))
    cards = products.get((person.country, ProductKind.CARD), [])
    loans = products.get((person.country, ProductKind.LOAN), [])
    wants_card = bool(cards) and (rng.random() < 0.75 or not loans)
    wants_loan = bool(loans) and (rng.random() < 0.5 or not wants_card)
    borrower = register_borrower(
        reference=person.reference,
        full_name=person.full_name,
        country=person.country,
        phones=[person.mobile],
        preferred_language=person.preferred_language,
        email=person.email,
        address_line=person.address_line,
        city=person.city,
        region=person.region,
        postal_code=person.postal_code,
        time_zone=person.time_zone,
        monthly_income=person.monthly_income,
        date_of_birth=person.date_of_birth,
    )
    DemoProfile.objects.create(
        borrower=borrower,
        behaviour=behaviour,
        shock_on=shock_on,
        seed=profile_seed,
        spend_level=spend_level,
    )
    if wants_card:
        product = rng.choice(cards)
        low, high, step = CARD_LIMITS.get(product.currency, CARD_LIMITS["USD"])
        opened_on = start_on + dt.timedelta(days=rng.randint(0, OPENING_WINDOW_DAYS))
        open_card_account(
            borrower=borrower,
            product=product,
            opened_on=opened_on,
            credit_limit=Money(rng.randint(low // step, high // step) * step, product.currency),
            number=f"DEMO-C{n:07d}",
            clock=business_clock(opened_on),
        )
    if wants_loan:
        product = rng.choice(loans)
        terms = product.terms
        allowed = [m for m in LOAN_TERMS if terms["min_months"] <= m <= terms["max_months"]]
        low, high, step = LOAN_PRINCIPALS.get(product.currency, LOAN_PRINCIPALS["USD"])
        opened_on = start_on + dt.timedelta(days=rng.randint(0, OPENING_WINDOW_DAYS))
        open_loan_account(
            borrower=borrower,
            product=product,
            principal=Money(rng.randint(low // step, high // step) * step, product.currency),
            months=rng.choice(allowed),
            start_on=opened_on,
            repayment_day=min(opened_on.day, 28),
            number=f"DEMO-L{n:07d}",
            clock=business_clock(opened_on),
        )
