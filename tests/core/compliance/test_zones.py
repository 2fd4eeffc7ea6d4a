"""Candidate time zones: address, phone number's area code, else the whole country."""

from __future__ import annotations

from arrears.core.compliance import Channel, ContactPoint, Party, country_zones, number_zones
from arrears.core.compliance.zones import candidate_zones

from .builders import request


def test_idaho_area_code_spans_mountain_and_pacific_time():
    assert number_zones("+12085550100") == ("America/Boise", "America/Los_Angeles")


def test_a_more_specific_idaho_prefix_narrows_it_to_one_zone():
    assert number_zones("+12083451234") == ("America/Denver",)


def test_one_legal_time_countries_give_their_zone_whatever_the_number_map_says():
    assert number_zones("+8613800138000") == ("Asia/Shanghai",)
    assert number_zones("+353871234567") == ("Europe/Dublin",)  # libphonenumber says London
    assert country_zones("CN") == ("Asia/Shanghai",)  # not Asia/Urumqi: 北京时间 is the law


def test_unknown_number_falls_back_to_the_country():
    assert number_zones("not a number") == ()
    assert "Pacific/Honolulu" in country_zones("US")


def test_address_and_number_zones_are_combined_and_country_is_the_last_resort():
    party = Party("p1", home_zones=("America/New_York",))
    req = request("US", party=party, address="+12085550100")
    assert candidate_zones(req, country="US", basis="all_candidates") == (
        "America/New_York",
        "America/Boise",
        "America/Los_Angeles",
    )
    assert candidate_zones(req, country="US", basis="address_first") == ("America/New_York",)
    email = request("US", point=ContactPoint(Channel.EMAIL, "p@x.com"))
    assert candidate_zones(email, country="US", basis="all_candidates") == country_zones("US")
    assert candidate_zones(email, country=None, basis="all_candidates") == ()
