"""The hardship policy as data: defaults, per-jurisdiction overrides, field-named errors."""

from decimal import Decimal

import pytest
import yaml

from arrears.core.errors import ValidationError
from arrears.core.hardship.policy import (
    EssentialSpendingRule,
    InterestTreatment,
    OptionKind,
    bundled_hardship_policy,
    load_hardship_policies,
)
from arrears.core.products import JURISDICTIONS
from arrears.core.schedule import RepaymentMethod

K = OptionKind

MINIMAL = {
    "defaults": {
        "discount_rate_percent": "8",
        "recovery_rate_percent": "25",
        "recovery_lag_months": 12,
        "re_age_after_payments": 3,
        "affordability": {"essential_spending": "stated"},
        "allowed": {"card": ["payment_holiday"], "loan": ["payment_holiday"]},
        "options": {"payment_holiday": {"months": [1, 2], "monthly_failure_percent": "5"}},
    },
    "jurisdictions": {"CN": None, "GB": {"options": {"payment_holiday": {"months": [3]}}}},
}


def loaded(data: object) -> object:
    return load_hardship_policies(yaml.safe_dump(data))


def error_field(data: object) -> str:
    with pytest.raises(ValidationError) as error:
        loaded(data)
    return error.value.field


def test_every_jurisdiction_has_a_bundled_policy() -> None:
    for jurisdiction in JURISDICTIONS:
        policy = bundled_hardship_policy(jurisdiction)
        assert policy.jurisdiction == jurisdiction
        assert policy.offers("card") and policy.offers("loan")


def test_china_offers_personalised_instalments_on_cards_up_to_sixty_months() -> None:
    policy = bundled_hardship_policy("CN")
    assert K.PERSONALISED_INSTALMENT in policy.offers("card")
    rule = policy.rule(K.PERSONALISED_INSTALMENT)
    assert rule.max_months == 60 and max(rule.terms) == 60
    assert set(rule.methods) == {RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL}


def test_a_jurisdiction_overrides_only_what_it_names() -> None:
    gb, us = bundled_hardship_policy("GB"), bundled_hardship_policy("US")
    assert gb.rule(K.PAYMENT_HOLIDAY).interest is InterestTreatment.FROZEN
    assert us.rule(K.PAYMENT_HOLIDAY).interest is InterestTreatment.CAPITALISE
    assert gb.rule(K.PAYMENT_HOLIDAY).months == us.rule(K.PAYMENT_HOLIDAY).months
    assert gb.discount_rate_percent == us.discount_rate_percent == Decimal("8")


def test_the_affordability_defaults_keep_a_buffer_over_the_norm_floor() -> None:
    affordability = bundled_hardship_policy("CN").affordability
    assert affordability.essential_spending is EssentialSpendingRule.NORM_FLOOR
    assert affordability.share_percent == Decimal("90")


def test_merging_replaces_lists_and_keeps_sibling_keys() -> None:
    policies = loaded(MINIMAL)
    gb = policies["GB"]  # type: ignore[index]
    assert gb.rule(K.PAYMENT_HOLIDAY).months == (3,)
    assert gb.rule(K.PAYMENT_HOLIDAY).monthly_failure_percent == Decimal("5")
    assert set(policies) == {"CN", "GB"}  # type: ignore[arg-type]


def test_an_unknown_option_kind_is_named() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["defaults"]["options"]["debt_forgiveness_lottery"] = {"monthly_failure_percent": "1"}
    assert error_field(data) == "jurisdictions.CN.options.debt_forgiveness_lottery"


def test_a_failure_chance_above_a_hundred_percent_is_refused() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["jurisdictions"]["GB"]["options"]["payment_holiday"]["monthly_failure_percent"] = "120"
    assert error_field(data) == "jurisdictions.GB.options.payment_holiday.monthly_failure_percent"


def test_a_rate_written_as_a_float_is_refused() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["defaults"]["discount_rate_percent"] = 8.5
    assert error_field(data) == "jurisdictions.CN.discount_rate_percent"


def test_an_allowed_kind_needs_its_options() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["defaults"]["allowed"]["card"].append("term_extension")
    assert error_field(data) == "jurisdictions.CN.allowed.card"


def test_a_quoted_term_cannot_exceed_the_longest_plan() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["defaults"]["options"]["term_extension"] = {
        "terms": [24, 72],
        "max_months": 60,
        "monthly_failure_percent": "2",
    }
    assert error_field(data) == "jurisdictions.CN.options.term_extension.terms[1]"


def test_a_settlement_discount_above_the_cap_is_refused() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["defaults"]["options"]["settlement_lump_sum"] = {
        "discount_percents": ["10", "50"],
        "max_discount_percent": "40",
        "monthly_failure_percent": "15",
    }
    assert error_field(data) == "jurisdictions.CN.options.settlement_lump_sum.discount_percents[1]"


def test_a_rate_reduction_needs_the_reduced_rate() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["defaults"]["options"]["rate_reduction"] = {"terms": [24], "monthly_failure_percent": "2"}
    assert error_field(data) == "jurisdictions.CN.options.rate_reduction.apr_percent"


def test_an_unknown_jurisdiction_has_no_policy() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["jurisdictions"]["XX"] = {}
    assert error_field(data) == "jurisdictions.XX"
    with pytest.raises(ValidationError) as error:
        bundled_hardship_policy("XX")
    assert error.value.field == "jurisdiction"


def test_a_missing_failure_chance_is_named() -> None:
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    del data["defaults"]["options"]["payment_holiday"]["monthly_failure_percent"]
    assert error_field(data) == "jurisdictions.CN.options.payment_holiday.monthly_failure_percent"
