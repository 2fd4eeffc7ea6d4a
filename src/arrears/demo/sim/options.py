"""What `arrears sim run` is asked to do, checked before anything is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from arrears.core.errors import ValidationError

MAX_BORROWERS = 1_000_000
MAX_DAYS = 3_660
#: The first simulated day when none is given (a Monday, so weeks line up in the results).
DEFAULT_START = dt.date(2026, 3, 2)


@dataclass(frozen=True, kw_only=True)
class SimOptions:
    borrowers: int
    days: int
    strategy: Path
    seed: int
    out: Path
    agents: int = 2
    calls_per_agent: int = 60
    params: Path | None = None
    start_on: dt.date = DEFAULT_START

    def check(self) -> SimOptions:
        """The same options, or a `ValidationError` naming the first bad field."""
        _between("borrowers", self.borrowers, 1, MAX_BORROWERS)
        _between("days", self.days, 1, MAX_DAYS)
        _between("seed", self.seed, 0, 2**63 - 1)
        _between("agents", self.agents, 0, 10_000)
        _between("calls_per_agent", self.calls_per_agent, 0, 10_000)
        if not self.strategy.is_file():
            raise ValidationError("strategy", _("no such file: %(path)s") % {"path": self.strategy})
        if self.params is not None and not self.params.is_file():
            raise ValidationError("params", _("no such file: %(path)s") % {"path": self.params})
        if self.out.exists() and not self.out.is_dir():
            raise ValidationError(
                "out", _("is a file, not a folder: %(path)s") % {"path": self.out}
            )
        if self.out.is_dir() and any(self.out.glob("*.parquet")):
            raise ValidationError(
                "out",
                _("already holds results; give an empty folder: %(path)s") % {"path": self.out},
            )
        return self


def _between(field: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValidationError(
            field,
            _("must be from %(low)d to %(high)d, not %(value)d")
            % {"low": low, "high": high, "value": value},
        )
