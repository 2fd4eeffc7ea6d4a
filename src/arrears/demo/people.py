"""Synthetic borrowers for the demo: names, phones, addresses, time zones and incomes.

Everything is drawn from one seeded `random.Random` and seeded Faker instances, so the same seed
gives the same people, character for character. Phone numbers are realistic (CN 13x/15x/18x
mobiles, US numbers in real area codes across six time zones, GB 07 mobiles) and every one is
checked with `phonenumbers.is_valid_number`. E-mail addresses use the reserved example domains,
so a demo can never write to a real person.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from faker import Faker

from arrears.core.money import Money


@dataclass(frozen=True)
class Place:
    city: str
    region: str
    postal_prefix: str
    time_zone: str
    area_codes: tuple[str, ...] = ()


#: CN: mainland China keeps Beijing time by law, but daily life in Xinjiang runs on Xinjiang
#: time (UTC+6), which is what contact hours must respect there.
CN_PLACES: tuple[tuple[Place, int], ...] = (
    (Place("上海市", "上海市", "200", "Asia/Shanghai"), 14),
    (Place("北京市", "北京市", "100", "Asia/Shanghai"), 14),
    (Place("广州市", "广东省", "510", "Asia/Shanghai"), 10),
    (Place("深圳市", "广东省", "518", "Asia/Shanghai"), 10),
    (Place("成都市", "四川省", "610", "Asia/Shanghai"), 8),
    (Place("杭州市", "浙江省", "310", "Asia/Shanghai"), 8),
    (Place("武汉市", "湖北省", "430", "Asia/Shanghai"), 7),
    (Place("西安市", "陕西省", "710", "Asia/Shanghai"), 6),
    (Place("南京市", "江苏省", "210", "Asia/Shanghai"), 6),
    (Place("重庆市", "重庆市", "400", "Asia/Shanghai"), 7),
    (Place("乌鲁木齐市", "新疆维吾尔自治区", "830", "Asia/Urumqi"), 5),
    (Place("喀什市", "新疆维吾尔自治区", "844", "Asia/Urumqi"), 3),
    (Place("伊宁市", "新疆维吾尔自治区", "835", "Asia/Urumqi"), 2),
)

US_PLACES: tuple[tuple[Place, int], ...] = (
    (Place("New York", "NY", "100", "America/New_York", ("212", "646", "718", "917")), 14),
    (Place("Boston", "MA", "021", "America/New_York", ("617", "857")), 5),
    (Place("Atlanta", "GA", "303", "America/New_York", ("404", "678")), 6),
    (Place("Miami", "FL", "331", "America/New_York", ("305", "786")), 6),
    (Place("Chicago", "IL", "606", "America/Chicago", ("312", "773")), 9),
    (Place("Houston", "TX", "770", "America/Chicago", ("713", "832")), 8),
    (Place("Dallas", "TX", "752", "America/Chicago", ("214", "469")), 7),
    (Place("Denver", "CO", "802", "America/Denver", ("303", "720")), 5),
    (Place("Phoenix", "AZ", "850", "America/Phoenix", ("602", "480")), 6),
    (Place("Los Angeles", "CA", "900", "America/Los_Angeles", ("213", "310", "323")), 12),
    (Place("San Francisco", "CA", "941", "America/Los_Angeles", ("415", "628")), 6),
    (Place("Seattle", "WA", "981", "America/Los_Angeles", ("206",)), 6),
    (Place("Anchorage", "AK", "995", "America/Anchorage", ("907",)), 2),
    (Place("Honolulu", "HI", "968", "Pacific/Honolulu", ("808",)), 2),
)

GB_PLACES: tuple[tuple[Place, int], ...] = (
    (Place("London", "England", "SW1", "Europe/London"), 16),
    (Place("London", "England", "E1", "Europe/London"), 8),
    (Place("Manchester", "England", "M1", "Europe/London"), 8),
    (Place("Birmingham", "England", "B1", "Europe/London"), 8),
    (Place("Leeds", "England", "LS1", "Europe/London"), 5),
    (Place("Bristol", "England", "BS1", "Europe/London"), 4),
    (Place("Glasgow", "Scotland", "G1", "Europe/London"), 5),
    (Place("Edinburgh", "Scotland", "EH1", "Europe/London"), 4),
    (Place("Cardiff", "Wales", "CF10", "Europe/London"), 3),
    (Place("Belfast", "Northern Ireland", "BT1", "Europe/London"), 2),
)

#: (country, weight, currency, income range in major units, step)
COUNTRIES: tuple[tuple[str, int, str, tuple[int, int], int], ...] = (
    ("CN", 60, "CNY", (3_500, 45_000), 100),
    ("US", 25, "USD", (2_200, 14_000), 50),
    ("GB", 15, "GBP", (1_600, 9_000), 50),
)

_CN_MOBILE_PREFIXES = (
    *(f"13{d}" for d in range(10)),
    *(f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)),
    *(f"18{d}" for d in range(10)),
)
_GB_MOBILE_PREFIXES = ("74", "75", "77", "78", "79")
_GB_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Person:
    """One synthetic borrower, ready for `register_borrower`."""

    reference: str
    full_name: str
    country: str
    preferred_language: str
    date_of_birth: dt.date
    email: str
    mobile: str  # E.164
    address_line: str
    city: str
    region: str
    postal_code: str
    time_zone: str
    monthly_income: Money


class PeopleFactory:
    """Draws people from one seed; `person(n)` must be called in order 1, 2, 3 …"""

    def __init__(self, rng: random.Random, *, as_of: dt.date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.fakers: dict[str, Faker] = {}
        for locale in ("zh_CN", "en_US", "en_GB"):
            faker = Faker(locale)
            faker.seed_instance(rng.getrandbits(32))
            self.fakers[locale] = faker

    def _pick(self, weighted: tuple[tuple[Place, int], ...]) -> Place:
        places = [place for place, _weight in weighted]
        weights = [weight for _place, weight in weighted]
        return self.rng.choices(places, weights)[0]

    def person(self, n: int) -> Person:
        rng = self.rng
        country, _weight, currency, (low, high), step = rng.choices(
            COUNTRIES, [c[1] for c in COUNTRIES]
        )[0]
        if country == "CN":
            place = self._pick(CN_PLACES)
            faker = self.fakers["zh_CN"]
            full_name, language = faker.name(), "zh-hans"
            address = f"{faker.street_name()}{rng.randint(1, 888)}号{rng.randint(1, 30)}栋"
            postal = f"{place.postal_prefix}{rng.randint(0, 999):03d}"
            mobile = self._phone(
                lambda: f"+86{rng.choice(_CN_MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
            )
        elif country == "US":
            place = self._pick(US_PLACES)
            # some US borrowers are Chinese-speaking: their name and language say so
            if rng.random() < 0.12:
                full_name, language = self.fakers["zh_CN"].name(), "zh-hans"
            else:
                full_name, language = self.fakers["en_US"].name(), "en"
            address = self.fakers["en_US"].street_address()
            postal = f"{place.postal_prefix}{rng.randint(0, 99):02d}"
            mobile = self._phone(lambda: self._us_number(place))
        else:
            place = self._pick(GB_PLACES)
            faker = self.fakers["en_GB"]
            full_name, language = faker.name(), "en"
            address = faker.street_address().replace("\n", ", ")
            letters = rng.choice(_GB_INWARD_LETTERS) + rng.choice(_GB_INWARD_LETTERS)
            inward = f"{rng.randint(1, 9)}{letters}"
            postal = f"{place.postal_prefix} {inward}"
            mobile = self._phone(
                lambda: f"+44{rng.choice(_GB_MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
            )
        # incomes lean towards the lower end, as they do: the smaller of two uniform draws
        units = min(rng.randint(low // step, high // step), rng.randint(low // step, high // step))
        birth_year = self.as_of.year - rng.randint(21, 68)
        born = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        return Person(
            reference=f"DEMO-{n:06d}",
            full_name=full_name,
            country=country,
            preferred_language=language,
            date_of_birth=born,
            email=f"borrower{n:06d}@example.{rng.choice(('com', 'net', 'org'))}",
            mobile=mobile,
            address_line=address,
            city=place.city,
            region=place.region,
            postal_code=postal,
            time_zone=place.time_zone,
            monthly_income=Money(units * step, currency),
        )

    def _us_number(self, place: Place) -> str:
        rng = self.rng
        exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if exchange == "555" or exchange[1:] == "11":  # fictional and service codes
            exchange = "467"
        return f"+1{rng.choice(place.area_codes)}{exchange}{rng.randint(0, 9999):04d}"

    @staticmethod
    def _phone(draw: Callable[[], str]) -> str:
        """Draw numbers until one is valid (nearly always the first)."""
        for _attempt in range(100):
            number = draw()
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number
        raise RuntimeError("could not draw a valid phone number")  # pragma: no cover
