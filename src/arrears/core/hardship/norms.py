"""Reference spending norms: what a household of a given size needs a month to live, by region.

A lender that chooses the "norm floor" never counts less living cost than the norm, so a
borrower who under-states what they spend on food is not offered a plan they cannot keep.
Norms are data (``core/data/spending_norms.yaml`` by default, or the lender's own file): per
region, per essential category, an amount for the first adult, each further adult and each
dependant. The bundled figures are illustrative defaults with their assumption stated; a lender
must replace them with figures it has the right to use (see docs/hardship.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from arrears.core.errors import ValidationError
from arrears.core.hardship import _read as read
from arrears.core.hardship.assessment import ExpenseCategory, Household
from arrears.core.money import Money, minor_units, total


@dataclass(frozen=True, slots=True)
class CategoryNorm:
    """A month's norm for one category: the first adult, and what each further person adds."""

    first_adult: Money
    each_further_adult: Money
    each_dependant: Money

    def for_household(self, household: Household) -> Money:
        further = self.each_further_adult.times(household.adults - 1)
        return self.first_adult + further + self.each_dependant.times(household.dependants)


@dataclass(frozen=True)
class RegionNorms:
    """The norms of one region; the categories it lists are the ones the norm floor covers."""

    region: str
    currency: str
    name_en: str
    name_zh: str
    source: str  # where the figures come from, or the assumption they rest on
    categories: Mapping[ExpenseCategory, CategoryNorm]

    def for_household(self, household: Household) -> Money:
        """The household's monthly norm over every category the region covers."""
        parts = (norm.for_household(household) for norm in self.categories.values())
        return total(parts, self.currency)


@dataclass(frozen=True)
class SpendingNorms:
    version: str
    regions: Mapping[str, RegionNorms]

    def for_region(self, region: str) -> RegionNorms:
        try:
            return self.regions[region]
        except KeyError:
            known = ", ".join(sorted(self.regions))
            raise ValidationError(
                "region", f"no spending norms for {region!r}; known regions: {known}"
            ) from None


_REGION_FIELDS = ("currency", "name_en", "name_zh", "source", "categories")
_NORM_FIELDS = ("first_adult", "each_further_adult", "each_dependant")


def load_spending_norms(path_or_text: str | Path) -> SpendingNorms:
    """Read norms from a YAML file or text; errors name the field (``regions.GB.categories…``)."""
    data = read.mapping("norms", read.load_yaml(path_or_text, "norms"), ("version", "regions"))
    regions = read.mapping("regions", data.get("regions"))
    if not regions:
        raise ValidationError("regions", "must list at least one region")
    parsed = {}
    for code, body in regions.items():
        with read.within(f"regions.{code}"):
            parsed[code] = _parse_region(code, body)
    return SpendingNorms(
        version=read.text("version", data.get("version")), regions=MappingProxyType(parsed)
    )


def _parse_region(code: str, body: object) -> RegionNorms:
    values = read.mapping("", body, _REGION_FIELDS)
    currency = read.text("currency", values.get("currency"))
    minor_units(currency)
    categories = read.mapping("categories", values.get("categories"))
    norms: dict[ExpenseCategory, CategoryNorm] = {}
    for name, amounts in categories.items():
        where = f"categories.{name}"
        category = read.choice(where, name, ExpenseCategory)
        if not category.essential:
            raise ValidationError(where, "a norm covers essential spending only")
        figures = read.mapping(where, amounts, _NORM_FIELDS)
        norms[category] = CategoryNorm(
            *(read.money(f"{where}.{f}", figures.get(f), currency) for f in _NORM_FIELDS)
        )
    if not norms:
        raise ValidationError("categories", "must list at least one essential category")
    return RegionNorms(
        region=code,
        currency=currency,
        name_en=read.text("name_en", values.get("name_en")),
        name_zh=read.text("name_zh", values.get("name_zh")),
        source=read.text("source", values.get("source")),
        categories=MappingProxyType(norms),
    )


@functools.cache
def bundled_spending_norms() -> SpendingNorms:
    """The illustrative defaults shipped in ``core/data/spending_norms.yaml``."""
    text = (
        resources.files("arrears.core")
        .joinpath("data/spending_norms.yaml")
        .read_text(encoding="utf-8")
    )
    return load_spending_norms(text)
