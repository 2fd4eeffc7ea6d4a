"""How plans run in each jurisdiction: grace days, ageing, re-age limits (data/plan_rules.yaml).

What an option costs and when it re-ages is the core's hardship policy; these are the rules of
running an accepted plan, which depend on the servicing side of the law (credit reporting and
re-ageing rules), so they live beside the plans.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from arrears.core.calendar import add_months
from arrears.core.errors import ValidationError
from arrears.core.products import JURISDICTIONS
from arrears.hardship.choices import PlanAgeing

_FIELDS = ("grace_days", "ageing", "re_age_limits", "re_age_min_account_months")


@dataclass(frozen=True)
class ReAgeLimit:
    """At most `count` re-ages in any `months` months."""

    months: int
    count: int


@dataclass(frozen=True)
class PlanRules:
    jurisdiction: str
    grace_days: int
    ageing: PlanAgeing
    re_age_limits: tuple[ReAgeLimit, ...]
    re_age_min_account_months: int

    def re_age_refusal(
        self, *, on: dt.date, opened_on: dt.date, earlier: Iterable[dt.date]
    ) -> str | None:
        """Why a re-age on `on` is not allowed (a reason key), or None when it is."""
        if add_months(opened_on, self.re_age_min_account_months) > on:
            return "account_too_new"
        dates = list(earlier)
        for limit in self.re_age_limits:
            since = add_months(on, -limit.months)
            if sum(1 for day in dates if day > since) >= limit.count:
                return "re_age_limit_reached"
        return None


def _whole(field: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(field, f"must be a whole number from {low} to {high}")
    return value


def parse_rules(jurisdiction: str, data: Mapping[str, Any]) -> PlanRules:
    """One jurisdiction's rules from a mapping; errors name the field."""
    for key in data:
        if key not in _FIELDS:
            raise ValidationError(key, f"unknown field; use {', '.join(_FIELDS)}")
    ageing = data.get("ageing")
    if ageing not in PlanAgeing.values:
        raise ValidationError("ageing", f"use one of {', '.join(PlanAgeing.values)}")
    limits = data.get("re_age_limits") or []
    if not isinstance(limits, list):
        raise ValidationError("re_age_limits", "must be a list")
    parsed = []
    for i, limit in enumerate(limits):
        if not isinstance(limit, Mapping):
            raise ValidationError(f"re_age_limits[{i}]", "must be {months: …, count: …}")
        parsed.append(
            ReAgeLimit(
                months=_whole(f"re_age_limits[{i}].months", limit.get("months"), 1, 120),
                count=_whole(f"re_age_limits[{i}].count", limit.get("count"), 1, 12),
            )
        )
    return PlanRules(
        jurisdiction=jurisdiction,
        grace_days=_whole("grace_days", data.get("grace_days"), 0, 60),
        ageing=PlanAgeing(ageing),
        re_age_limits=tuple(parsed),
        re_age_min_account_months=_whole(
            "re_age_min_account_months", data.get("re_age_min_account_months"), 0, 120
        ),
    )


def load_plan_rules(text: str) -> dict[str, PlanRules]:
    """Every jurisdiction's rules: `defaults` laid under each jurisdiction's block."""
    data = yaml.safe_load(text) or {}
    defaults = data.get("defaults") or {}
    blocks = data.get("jurisdictions") or {}
    rules = {}
    for jurisdiction in JURISDICTIONS:
        block = blocks.get(jurisdiction) or {}
        try:
            rules[jurisdiction] = parse_rules(jurisdiction, {**defaults, **block})
        except ValidationError as error:
            raise ValidationError(
                f"jurisdictions.{jurisdiction}.{error.field}", error.reason
            ) from None
    return rules


@functools.cache
def _bundled() -> dict[str, PlanRules]:
    text = resources.files("arrears.hardship").joinpath("data/plan_rules.yaml").read_text("utf-8")
    return load_plan_rules(text)


def plan_rules(jurisdiction: str) -> PlanRules:
    """The rules for plans on a product of this jurisdiction (CN, US, GB, IE)."""
    try:
        return _bundled()[jurisdiction]
    except KeyError:
        raise ValidationError(
            "jurisdiction", f"no plan rules for {jurisdiction!r}; known: {', '.join(_bundled())}"
        ) from None
