"""Products as versioned records: loaded from YAML, validated by `core.products`, read as terms.

The terms a product row stores are the *normalised* form of what `parse_product` accepted —
every default filled in — so that a later change to a default in code never silently changes a
product that accounts were opened under. A product whose terms change gets a new version.
"""

from __future__ import annotations

import dataclasses
import enum
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
from arrears.servicing.models import Product

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


def product_terms(product: Product) -> Terms:
    """The parsed terms of a product, cached per (code, version).

    The cache also remembers the JSON it parsed, so a row edited without a version bump (in the
    admin, or a test database reused) is parsed afresh rather than served stale.
    """
    key = (product.code, product.version)
    cached = _TERMS_CACHE.get(key)
    if cached is not None and cached[0] == product.terms:
        return cached[1]
    terms = core_products.parse_product({"kind": product.kind, **product.terms})
    _TERMS_CACHE[key] = (product.terms, terms)
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
