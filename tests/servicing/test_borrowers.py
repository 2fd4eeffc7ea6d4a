"""Registering borrowers: phone numbers in E.164, a home time zone, nothing written on bad input."""

from __future__ import annotations

import pytest

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import ContactKind
from arrears.servicing.models import Borrower, ContactPoint
from arrears.servicing.services.accounts import register_borrower

pytestmark = pytest.mark.django_db


def register(**overrides):
    fields = {
        "reference": "C-001",
        "full_name": "李雷",
        "country": "CN",
        "phones": ["138 0013 8000"],
        "region": "Shanghai",
    }
    fields.update(overrides)
    return register_borrower(**fields)


def test_phone_numbers_are_stored_in_e164_and_the_first_is_primary():
    # given a borrower with a national mobile number and an international landline
    borrower = register(phones=["138 0013 8000", "+86 10 6552 9988"], email="lilei@example.com")
    # then both are stored in E.164, the mobile first and primary, and the e-mail as well
    phones = list(
        borrower.contact_points.exclude(kind=ContactKind.EMAIL).values_list(
            "value", "kind", "is_primary"
        )
    )
    assert phones == [
        ("+8613800138000", ContactKind.MOBILE, True),
        ("+861065529988", ContactKind.HOME, False),
    ]
    assert borrower.contact_points.get(kind=ContactKind.EMAIL).value == "lilei@example.com"


def test_the_same_number_written_twice_is_stored_once():
    borrower = register(phones=["138 0013 8000", "+8613800138000"])
    assert borrower.contact_points.count() == 1


def test_bad_phone_number_names_the_field_and_writes_nothing():
    # given a second phone number that is not a valid number
    with pytest.raises(ValidationError) as error:
        register(phones=["138 0013 8000", "12345"], email="lilei@example.com")
    # then the error names that number's place in the list and nothing is stored
    assert error.value.field == "phones[1]"
    assert "12345" in error.value.message
    assert not Borrower.objects.exists()
    assert not ContactPoint.objects.exists()


@pytest.mark.parametrize(
    ("country", "region", "phones", "zone"),
    [
        ("CN", "Xinjiang", ["138 0013 8000"], "Asia/Shanghai"),  # one legal time in China
        ("GB", "", ["+44 20 7946 0958"], "Europe/London"),
        ("US", "CA", ["+1 212 555 0100"], "America/Los_Angeles"),  # the address wins
        ("US", "", ["+1 212 555 0100"], "America/New_York"),  # else the phone's one zone
        ("US", "", [], ""),  # nothing tells: staff must set it
        # the Canary Islands keep an hour behind Madrid, the Azores an hour behind Lisbon
        ("ES", "Canarias", ["+34 612 345 678"], "Atlantic/Canary"),
        ("ES", "Las Palmas", [], "Atlantic/Canary"),
        ("ES", "Madrid", ["+34 612 345 678"], "Europe/Madrid"),
        ("ES", "", [], "Europe/Madrid"),  # the peninsula, unless the address says the islands
        ("PT", "Açores", [], "Atlantic/Azores"),
        ("PT", "Porto", [], "Europe/Lisbon"),
    ],
)
def test_time_zone_comes_from_the_address_then_the_phones(country, region, phones, zone):
    borrower = register(country=country, region=region, phones=phones)
    assert borrower.time_zone == zone


def test_a_given_time_zone_is_kept_and_a_bad_one_named():
    assert register(time_zone="Asia/Urumqi").time_zone == "Asia/Urumqi"
    with pytest.raises(ValidationError) as error:
        register(reference="C-002", time_zone="Mars/Olympus")
    assert error.value.field == "time_zone"


def test_a_bad_email_is_named():
    with pytest.raises(ValidationError) as error:
        register(email="not-an-address")
    assert error.value.field == "email"
    assert not Borrower.objects.exists()


def test_a_reference_registered_twice_is_a_conflict():
    register()
    with pytest.raises(Conflict):
        register(full_name="韩梅梅")
    assert Borrower.objects.count() == 1


def test_monthly_income_is_stored_in_minor_units_with_its_currency():
    borrower = register(monthly_income=Money("8500.50", "CNY"))
    assert (borrower.monthly_income_minor, borrower.income_currency) == (850050, "CNY")


def test_an_unknown_country_is_named():
    with pytest.raises(ValidationError) as error:
        register(country="XX", phones=[])
    assert error.value.field == "country"
