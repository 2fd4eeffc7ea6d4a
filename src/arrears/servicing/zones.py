"""A borrower's home time zone, from the address first and the phone numbers second.

Contact rules need the borrower's local time. The address is the best evidence: a country with
one legal time (China, the UK: `core.compliance.zones.ONE_LEGAL_TIME`, the gate's own list)
decides it alone; for countries that span several zones a region table (US states, Canadian
provinces, Australian states, the Canary Islands, the Azores) picks the main zone of the
region, and a few countries whose other zones are islands or keep the same clock have a main
zone for any other region (Spain: Madrid). When the address cannot decide, the phone numbers
can — but only when they all point at one zone (a US mobile number says nothing about which
coast the borrower lives on).
"""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
from babel.core import get_global
from phonenumbers import timezone as phone_timezone

from arrears.core.compliance.zones import ONE_LEGAL_TIME

#: The zone of an address in these countries when its region is not in `_REGION_ZONES`: their
#: other zones are islands named there (the Canaries, the Azores) or keep the same clock.
_MAIN_ZONE: dict[str, str] = {
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "MY": "Asia/Kuala_Lumpur",  # Kuching keeps the same time
    "UA": "Europe/Kyiv",
}


def _each(codes: str, zone: str) -> dict[str, str]:
    """The same zone for each of several space-separated region codes."""
    return dict.fromkeys(codes.split(), zone)


#: The main zone of each region, for countries that span zones. Keys are upper-case codes or
#: names as people write them (``CA``, ``California``); a state split between two zones gets
#: the zone where most of its people live.
_REGION_ZONES: dict[str, dict[str, str]] = {
    "US": {
        **_each(
            "CT DE DC FL GA IN KY ME MD MA MI NH NJ NY NC OH PA RI SC VT VA WV", "America/New_York"
        ),
        **_each("AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI", "America/Chicago"),
        **_each("CO ID MT NM UT WY", "America/Denver"),
        "AZ": "America/Phoenix",
        **_each("CA NV OR WA", "America/Los_Angeles"),
        "AK": "America/Anchorage",
        "HI": "Pacific/Honolulu",
        "PR": "America/Puerto_Rico",
        "CALIFORNIA": "America/Los_Angeles",
        "NEW YORK": "America/New_York",
        "TEXAS": "America/Chicago",
        "FLORIDA": "America/New_York",
        "ILLINOIS": "America/Chicago",
        "WASHINGTON": "America/Los_Angeles",
    },
    "CA": {
        **_each("ON QC", "America/Toronto"),
        **_each("NS NB PE", "America/Halifax"),
        "NL": "America/St_Johns",
        "MB": "America/Winnipeg",
        "SK": "America/Regina",
        "AB": "America/Edmonton",
        "BC": "America/Vancouver",
        "YT": "America/Whitehorse",
        "NT": "America/Yellowknife",
        "NU": "America/Iqaluit",
    },
    "AU": {
        **_each("NSW ACT", "Australia/Sydney"),
        "VIC": "Australia/Melbourne",
        "QLD": "Australia/Brisbane",
        "SA": "Australia/Adelaide",
        "WA": "Australia/Perth",
        "TAS": "Australia/Hobart",
        "NT": "Australia/Darwin",
    },
    "ES": {  # 1 hour behind the peninsula (ISO 3166-2 ES-CN and its provinces ES-GC, ES-TF)
        **_each("CN GC TF", "Atlantic/Canary"),
        "CANARIAS": "Atlantic/Canary",
        "CANARY ISLANDS": "Atlantic/Canary",
        "ISLAS CANARIAS": "Atlantic/Canary",
        "LAS PALMAS": "Atlantic/Canary",
        "SANTA CRUZ DE TENERIFE": "Atlantic/Canary",
    },
    "PT": {  # 1 hour behind Lisbon and Madeira (ISO 3166-2 PT-20)
        "20": "Atlantic/Azores",
        "AZORES": "Atlantic/Azores",
        "AÇORES": "Atlantic/Azores",
        "ACORES": "Atlantic/Azores",
    },
}


def zone_for_address(country: str, region: str = "") -> str | None:
    """The IANA zone of an address; None when the country spans zones and the region is unknown."""
    country = country.upper()
    if country in ONE_LEGAL_TIME:
        return ONE_LEGAL_TIME[country]
    by_region = _REGION_ZONES.get(country, {}).get(region.strip().upper())
    if by_region is not None:
        return by_region
    zones = get_global("territory_zones").get(country, [])
    if len(zones) == 1:
        return str(zones[0])
    return _MAIN_ZONE.get(country)


def zone_for_numbers(numbers: Iterable[phonenumbers.PhoneNumber]) -> str | None:
    """The one zone all the numbers agree on, or None when they name several or none."""
    zones: set[str] = set()
    for number in numbers:
        zones.update(
            z
            for z in phone_timezone.time_zones_for_number(number)
            if z != phone_timezone.UNKNOWN_TIMEZONE
        )
    return zones.pop() if len(zones) == 1 else None


def home_time_zone(country: str, region: str, numbers: Iterable[phonenumbers.PhoneNumber]) -> str:
    """The address's zone, else the phones' single zone, else "" (unknown: staff must set it)."""
    return zone_for_address(country, region) or zone_for_numbers(numbers) or ""
