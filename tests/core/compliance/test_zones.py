"""Candidate time zones: address, phone number's area code, else the whole country."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from arrears.core.compliance import Channel, ContactPoint, Party, country_zones, number_zones
from arrears.core.compliance.zones import _one_legal_time_of, _parsed_zones, candidate_zones

from .builders import request


def test_idaho_area_code_spans_mountain_and_pacific_time():
    assert number_zones("+12085550100") == ("America/Boise", "America/Los_Angeles")


def test_a_more_specific_idaho_prefix_narrows_it_to_one_zone():
    assert number_zones("+12083451234") == ("America/Denver",)


def test_one_legal_time_countries_give_their_zone_whatever_the_number_map_says():
    assert number_zones("+8613800138000") == ("Asia/Shanghai",)
    assert number_zones("+353871234567") == ("Europe/Dublin",)  # libphonenumber says London
    assert country_zones("CN") == ("Asia/Shanghai",)  # not Asia/Urumqi: 北京时间 is the law


def test_the_canaries_and_the_azores_keep_their_own_hour():
    # a call at 08:00 in Madrid is 07:00 in Las Palmas: Spain and Portugal are not one time
    assert number_zones("+34928123456") == ("Atlantic/Canary",)  # a Gran Canaria landline
    assert number_zones("+34911234567") == ("Europe/Madrid",)
    assert set(number_zones("+34612345678")) == {"Atlantic/Canary", "Europe/Madrid"}  # a mobile
    assert number_zones("+351296123456") == ("Atlantic/Azores",)
    assert "Atlantic/Canary" in country_zones("ES") and "Atlantic/Azores" in country_zones("PT")


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


# --- the shortcut for one-legal-time countries agrees with the full parse --------------------

_CODES = sorted({str(c) for c in COUNTRY_CODE_TO_REGION_CODE} | {"0", "8", "86", "353", "44"})


@settings(max_examples=400, deadline=None)
@given(
    code=st.one_of(
        st.sampled_from(["86", "353", "34", "351", "49", "44"]), st.sampled_from(_CODES)
    ),
    rest=st.text(alphabet="0123456789", max_size=19),
    noise=st.sampled_from(["", " ", "-", "x", "٣", "+"]),
    region=st.sampled_from([None, "CN", "US", "GB", "ZZ"]),
)
def test_the_one_legal_time_shortcut_answers_as_the_full_parse(code, rest, noise, region):
    for number in (f"+{code}{rest}", f"+{code}{noise}{rest}", f"{code}{rest}"):
        shortcut = _one_legal_time_of(number)
        if shortcut is not None:
            assert (shortcut,) == _parsed_zones(number, region), number


def test_every_country_code_and_length_agrees_with_the_full_parse():
    for code in _CODES:
        for length in range(0, 20):
            number = f"+{code}{'13800138000123456789'[:length]}"
            shortcut = _one_legal_time_of(number)
            if shortcut is not None:
                assert (shortcut,) == _parsed_zones(number, None), number
    assert _one_legal_time_of("+8613800000093") == "Asia/Shanghai"
    assert _one_legal_time_of("+12085550100") is None  # +1 is shared: parsed
    assert _one_legal_time_of("+442071234567") is None  # +44 is also Jersey's, Guernsey's …
