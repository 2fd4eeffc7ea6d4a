"""The time zones a person may be in, so a contact can be allowed in every one of them.

Evidence, best first: the postal address (the shell resolves it to a zone), the phone number's
area code (`phonenumbers`' time-zone map: an area code that spans zones, such as +1 208 in Idaho,
gives several), and, when nothing narrows it down, every zone of the country. A country with one
legal time (China's 北京时间, Ireland, the UK) gives that one zone whatever the tz database or
the number map says.

With the profile's `zone_basis: all_candidates` (the default, US-COMM-01's recommended policy)
the address zones and the number zones are combined: a borrower with a New York address and a
Los Angeles mobile may be in either, so a call must suit both clocks.
"""

from __future__ import annotations

import functools
import re
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
from babel.core import get_global
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers import timezone as phone_timezone

from arrears.core.compliance.model import Channel, ContactRequest
from arrears.core.errors import ValidationError

#: Countries whose daily life runs on one legal time although the tz database lists several
#: zones (or the number map names a neighbour's: libphonenumber gives Irish numbers London).
#: Not Spain or Portugal: the Canary Islands keep an hour behind Madrid and the Azores an hour
#: behind Madeira and Lisbon, so their numbers and addresses keep their own zones.
ONE_LEGAL_TIME: dict[str, str] = {
    "CN": "Asia/Shanghai",
    "IE": "Europe/Dublin",
    "GB": "Europe/London",
    "DE": "Europe/Berlin",
}

ALL_CANDIDATES = "all_candidates"
ADDRESS_FIRST = "address_first"
ZONE_BASES = (ALL_CANDIDATES, ADDRESS_FIRST)

_PHONE_CHANNELS = frozenset({Channel.CALL, Channel.SMS})


@functools.cache
def zone(key: str) -> ZoneInfo:
    """The ZoneInfo for an IANA key, loaded once per process."""
    try:
        return ZoneInfo(key)
    except (ValueError, KeyError, OSError):
        raise ValidationError("zones", f"{key!r} is not an IANA time zone") from None


@functools.cache
def country_zones(country: str) -> tuple[str, ...]:
    """Every zone a person in this country may be in (one zone where one legal time holds)."""
    code = country.strip().upper()
    if code == "UK":
        code = "GB"
    if code in ONE_LEGAL_TIME:
        return (ONE_LEGAL_TIME[code],)
    known = available_timezones()
    zones = tuple(z for z in get_global("territory_zones").get(code, ()) if z in known)
    if not zones:
        raise ValidationError("country", f"no time zones known for country {country!r}")
    return zones


@functools.cache
def number_zones(number: str, default_region: str | None = None) -> tuple[str, ...]:
    """The zones of a phone number's area (E.164, or national with `default_region`).

    Empty when the number's area is unknown (a non-geographic or unparsable number); the caller
    then falls back to the country's zones.
    """
    legal = _one_legal_time_of(number)
    if legal is not None:
        return (legal,)
    return _parsed_zones(number, default_region)


def _parsed_zones(number: str, default_region: str | None) -> tuple[str, ...]:
    """`number_zones` the long way: the number parsed and looked up in the area-code map."""
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return ()
    region = phonenumbers.region_code_for_number(parsed) or ""
    if region in ONE_LEGAL_TIME:
        return (ONE_LEGAL_TIME[region],)
    known = available_timezones()
    zones = tuple(
        sorted(
            z
            for z in phone_timezone.time_zones_for_number(parsed)
            if z != phone_timezone.UNKNOWN_TIMEZONE and z in known
        )
    )
    if zones:
        return zones
    return country_zones(region) if region else ()


#: Plain E.164: "+", a country code (never starting with 0), then 4 to 15 more digits — a
#: length `phonenumbers.parse` always accepts once the country code is known.
_PLAIN_E164 = re.compile(r"\+([1-9][0-9]{4,17})", re.ASCII)


def _one_legal_time_of(number: str) -> str | None:
    """The zone of a plain E.164 number whose country code is one country's alone and that
    country has one legal time (+86: 北京时间), without parsing it: parsing would find that same
    country (its only region) and stop there. None when the number needs the full parse."""
    found = _PLAIN_E164.fullmatch(number)
    if found is None:
        return None
    digits = found.group(1)
    for width in (1, 2, 3):  # country codes are prefix-free, as `phonenumbers` reads them
        regions = COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:width]))
        if regions is not None:
            rest = len(digits) - width
            if len(regions) == 1 and regions[0] in ONE_LEGAL_TIME and 4 <= rest <= 15:
                return ONE_LEGAL_TIME[regions[0]]
            return None
    return None


def candidate_zones(request: ContactRequest, *, country: str | None, basis: str) -> tuple[str, ...]:
    """The zones the person may be in for this contact; a contact must suit all of them.

    Empty only when nothing is known: no address zone, no usable number and no country.
    """
    country = country or ""
    point = request.contact_point
    point_zones = point.zones
    if not point_zones and point.channel in _PHONE_CHANNELS:
        point_zones = number_zones(point.address, _region(country))
    return _combine(request.party.home_zones, point_zones, country, basis)


@functools.lru_cache(maxsize=4096)
def _combine(
    home: tuple[str, ...], point: tuple[str, ...], country: str, basis: str
) -> tuple[str, ...]:
    if basis == ADDRESS_FIRST:
        chosen = home or point
    else:
        chosen = tuple(dict.fromkeys((*home, *point)))
    if chosen or not country:
        return chosen  # empty: nothing known, and the hours rule refuses to guess
    return country_zones(country)


def _region(country: str) -> str | None:
    code = country.strip().upper()
    return "GB" if code == "UK" else code if len(code) == 2 else None
