"""Age bands of open tickets: how long a ticket has waited since it was opened (calendar time)."""

from __future__ import annotations

import datetime as dt

#: (key, up to this many days old, exclusive).
AGE_BANDS: tuple[tuple[str, float], ...] = (
    ("under_1_day", 1),
    ("1_to_3_days", 3),
    ("3_to_7_days", 7),
    ("7_to_30_days", 30),
    ("over_30_days", float("inf")),
)


def age_band(age: dt.timedelta) -> str:
    """The band an age falls in (a ticket exactly one day old is in 1–3 days)."""
    days = age / dt.timedelta(days=1)
    return next(key for key, below in AGE_BANDS if days < below)
