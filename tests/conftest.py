"""Fixtures shared by every Django test: bundled products, a fixed clock, PostgreSQL-only tests."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest

from arrears.core.clock import FixedClock

#: The instant the fixed clock starts at: 09:00 in Shanghai on 15 January 2025.
CLOCK_START = dt.datetime(2025, 1, 15, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> FixedClock:
    """A clock that stands still until a test moves it."""
    return FixedClock(CLOCK_START)


@pytest.fixture
def products(db):  # type: ignore[no-untyped-def]
    """The bundled products (core/data/products.yaml) loaded into the database, by code."""
    from arrears.servicing.models import Product
    from arrears.servicing.services.products import load_products

    load_products()
    return {product.code: product for product in Product.objects.all()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `postgres_only` tests unless the test database is PostgreSQL."""
    from django.conf import settings

    engine = str(settings.DATABASES["default"].get("ENGINE", ""))
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set ARREARS_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block in a savepoint that is always rolled back: one clean database per example.

    Hypothesis runs many examples inside one pytest-django test transaction; wrapping each
    example in this keeps them independent.
    """
    from django.db import transaction

    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI follows the terminal's language; tests read its English unless they say otherwise."""
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")


@pytest.fixture(autouse=True)
def english_interface():
    """Each test starts in English: a request in Chinese must not leak into the next test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
