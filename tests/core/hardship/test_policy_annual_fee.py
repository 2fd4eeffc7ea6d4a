"""A card's annual fee during a plan is a policy choice, written in the data (`waive_annual_fee`),
never a hidden rule: waived by default, owed on top when a lender says so."""

import copy

import pytest
import yaml

from arrears.core.errors import ValidationError
from arrears.core.hardship.options import repayment_options
from arrears.core.hardship.policy import OptionKind, bundled_hardship_policy, load_hardship_policies
from arrears.core.products import JURISDICTIONS
from tests.core.hardship.builders import afford, card, cn_policy, statement
from tests.core.hardship.test_policy import MINIMAL


def test_every_bundled_option_waives_the_annual_fee_by_default() -> None:
    for jurisdiction in JURISDICTIONS:
        policy = bundled_hardship_policy(jurisdiction)
        assert all(rule.waive_annual_fee for rule in policy.options.values()), jurisdiction


def test_a_lender_can_keep_the_annual_fee_owed_for_one_kind_of_plan() -> None:
    data = copy.deepcopy(MINIMAL)
    data["jurisdictions"]["GB"]["options"]["payment_holiday"]["waive_annual_fee"] = False

    policies = load_hardship_policies(yaml.safe_dump(data))

    assert policies["GB"].rule(OptionKind.PAYMENT_HOLIDAY).waive_annual_fee is False
    assert policies["CN"].rule(OptionKind.PAYMENT_HOLIDAY).waive_annual_fee is True


def test_a_waiver_flag_that_is_not_true_or_false_is_named() -> None:
    data = copy.deepcopy(MINIMAL)
    data["defaults"]["options"]["payment_holiday"]["waive_annual_fee"] = "sometimes"

    with pytest.raises(ValidationError) as refused:
        load_hardship_policies(yaml.safe_dump(data))

    assert "options.payment_holiday.waive_annual_fee" in refused.value.field


def test_each_option_carries_its_kinds_annual_fee_rule() -> None:
    policy = cn_policy().with_rule(OptionKind.INTEREST_FREEZE, waive_annual_fee=False)
    position = card()

    options = repayment_options(position, afford(statement()), policy)

    assert OptionKind.INTEREST_FREEZE in {option.kind for option in options}
    for option in options:
        assert option.waive_annual_fee is (option.kind is not OptionKind.INTEREST_FREEZE)
