"""Products as versioned records: loaded from YAML, validated by `core.products`, read as terms.

The terms a product row stores are the *normalised* form of what `parse_product` accepted —
every default filled in — so that a later change to a default in code never silently changes a
product that accounts were opened under. A product whose terms change gets a new version.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core import products as core_products
from arrears.core.ageing import BucketScheme
from arrears.core.errors import Conflict
from arrears.core.money import Money
from arrears.core.products import CardTerms, LoanTerms
from arrears.servicing.choices import TermsChangeStatus
from arrears.servicing.models import Product, ProductTermsChange

Terms = CardTerms | LoanTerms

_TERMS_CACHE: dict[tuple[str, int], tuple[dict[str, Any], Terms]] = {}


@transaction.atomic
def load_products(path: str | Path | None = None) -> list[Product]:
    """Upsert the products of a YAML file (default: the bundled products) and return them.

    Every product in the file is validated before anything is written, so a bad file changes
    nothing. An unchanged product is left alone; a changed one gets `version + 1`. A product
    that already has accounts cannot change its kind or currency (their ledgers depend on it).
    """
    if path is None:
        parsed = core_products.bundled_products()
    else:
        parsed = core_products.load_products(Path(path))
    return [_upsert(terms) for terms in parsed]


def _upsert(terms: Terms) -> Product:
    data = terms_to_data(terms)
    product = Product.objects.select_for_update().filter(code=terms.code).first()
    if product is None:
        return Product.objects.create(
            code=terms.code,
            kind=terms.kind,
            name_en=terms.name_en,
            name_zh=terms.name_zh,
            currency=terms.currency,
            terms=data,
        )
    if product.terms == data:
        return product
    if (product.kind, product.currency) != (terms.kind, terms.currency) and (
        product.accounts.exists()
    ):
        raise Conflict(
            _("%(code)s: a product with accounts cannot change its kind or currency")
            % {"code": terms.code}
        )
    product.kind, product.currency = terms.kind, terms.currency
    product.name_en, product.name_zh = terms.name_en, terms.name_zh
    product.terms = data
    product.version += 1
    product.save()
    return product


def product_terms(product: Product, *, on: date | None = None) -> Terms:
    """The parsed terms of a product: those stored now, or with `on`, those in force that day.

    Terms in force on a day: a change already applied whose effective date is after `on` means
    its `previous_terms` were in force; a change scheduled with an effective date on or before
    `on` (not applied yet, e.g. read before the cycle ran) is in force. Parsed terms are cached
    per (code, version); the cache also remembers the JSON it parsed, so a row edited without a
    version bump (in the admin, or a test database reused) is parsed afresh rather than served
    stale.
    """
    if on is None:
        return _parsed(product, product.terms, product.version)
    return terms_in_force([product], on=on)[product.pk]


def terms_in_force(products: Iterable[Product], *, on: date) -> dict[int, Terms]:
    """The terms of each product in force on `on`, by product id, in one query."""
    by_id = {product.pk: product for product in products}
    changes: dict[int, list[ProductTermsChange]] = {pk: [] for pk in by_id}
    rows = ProductTermsChange.objects.filter(product_id__in=list(by_id)).exclude(
        status=TermsChangeStatus.CANCELLED
    )
    for change in rows.order_by("effective_on", "pk"):
        changes[change.product_id].append(change)
    return {pk: _in_force(by_id[pk], changes[pk], on) for pk in by_id}


def _in_force(product: Product, changes: list[ProductTermsChange], on: date) -> Terms:
    for change in changes:  # oldest first: the first applied change not yet effective on `on`
        if change.status == TermsChangeStatus.APPLIED and change.effective_on > on:
            assert change.previous_terms is not None
            return _parsed(product, change.previous_terms, change.from_version or 0)
    pending = [
        c for c in changes if c.status == TermsChangeStatus.SCHEDULED and c.effective_on <= on
    ]
    if pending:
        return _parsed(product, pending[-1].terms, -pending[-1].pk)
    return _parsed(product, product.terms, product.version)


def _parsed(product: Product, data: dict[str, Any], version: int) -> Terms:
    key = (product.code, version)
    cached = _TERMS_CACHE.get(key)
    if cached is not None and cached[0] == data:
        return cached[1]
    terms = core_products.parse_product({"kind": product.kind, **data})
    _TERMS_CACHE[key] = (data, terms)
    return terms


def terms_to_data(terms: Terms) -> dict[str, Any]:
    """The JSON form `parse_product` reads back to equal terms (without the `kind` key)."""
    return {field.name: _to_json(getattr(terms, field.name)) for field in dataclasses.fields(terms)}


def _to_json(value: object) -> Any:
    if isinstance(value, Money):
        return str(value.amount)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BucketScheme):
        return [_to_json(bucket) for bucket in value.buckets]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_to_json(item) for item in value]
    return value
