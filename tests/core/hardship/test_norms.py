"""Reference spending norms: configurable data, per region and household size."""

import pytest

from arrears.core.errors import ValidationError
from arrears.core.hardship.assessment import ExpenseCategory, Household
from arrears.core.hardship.norms import bundled_spending_norms, load_spending_norms

from .builders import cny

SMALL = """
version: test-1
regions:
  XX:
    currency: CNY
    name_en: Test
    name_zh: 测试
    source: made up for a test
    categories:
      food_housekeeping:
        {first_adult: "1000.00", each_further_adult: "700.00", each_dependant: "400.00"}
"""


def test_a_household_norm_is_the_first_adult_plus_each_further_person() -> None:
    region = load_spending_norms(SMALL).for_region("XX")
    assert region.for_household(Household(adults=1)) == cny("1000.00")
    assert region.for_household(Household(adults=2, dependants=2)) == cny("2500.00")


def test_the_bundled_norms_cover_chinese_tiers_the_uk_ireland_and_the_us() -> None:
    norms = bundled_spending_norms()
    assert {"CN-T1", "CN-T2", "CN-T3", "GB", "IE", "US"} <= set(norms.regions)
    currencies = {code: region.currency for code, region in norms.regions.items()}
    assert currencies["GB"] == "GBP" and currencies["US"] == "USD" and currencies["IE"] == "EUR"
    for region in norms.regions.values():
        assert region.source.strip()  # every figure says where it comes from
        assert all(category.essential for category in region.categories)


def test_a_bigger_household_never_needs_less() -> None:
    for region in bundled_spending_norms().regions.values():
        one = region.for_household(Household(adults=1))
        more = region.for_household(Household(adults=2, dependants=1))
        assert more > one


def test_tier_one_cities_cost_more_than_tier_three() -> None:
    norms = bundled_spending_norms()
    family = Household(adults=2, dependants=1)
    assert norms.for_region("CN-T1").for_household(family) > norms.for_region(
        "CN-T3"
    ).for_household(family)


def test_an_unknown_region_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValidationError, match="CN-T1") as error:
        bundled_spending_norms().for_region("Atlantis")
    assert error.value.field == "region"


def test_a_norm_for_non_essential_spending_is_refused() -> None:
    text = SMALL.replace("food_housekeeping", "leisure")
    with pytest.raises(ValidationError) as error:
        load_spending_norms(text)
    assert error.value.field == "regions.XX.categories.leisure"


def test_a_norm_figure_written_as_a_float_is_refused() -> None:
    text = SMALL.replace('first_adult: "1000.00"', "first_adult: 1000.5")
    with pytest.raises(ValidationError, match="quoted") as error:
        load_spending_norms(text)
    assert error.value.field == "regions.XX.categories.food_housekeeping.first_adult"


def test_a_norm_figure_that_is_missing_is_named() -> None:
    text = SMALL.replace(', each_dependant: "400.00"', "")
    assert text != SMALL
    with pytest.raises(ValidationError, match="required") as error:
        load_spending_norms(text)
    assert error.value.field == "regions.XX.categories.food_housekeeping.each_dependant"
    assert ExpenseCategory.FOOD_HOUSEKEEPING.essential
