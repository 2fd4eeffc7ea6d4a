"""Every key the care core returns has words in English and Chinese."""

from __future__ import annotations

import re
from importlib import resources

from arrears.core.care.hours import WEEKDAYS, DayKind
from arrears.core.care.labels import LABELS, label
from arrears.core.care.queueing import DEFAULT_WAIT_BANDS
from arrears.core.care.sla import ClockState
from arrears.core.care.sla_policy import (
    HEAD_OFFICE_COMPLAINTS,
    Metric,
    Priority,
    TicketKind,
    TicketStatus,
    bundled_sla_policies,
)

_KEY = re.compile(r'"((?:sla|callback|line|wait)\.[a-z0-9_]+)"')


def keys_in_the_code() -> set[str]:
    package = resources.files("arrears.core.care")
    keys: set[str] = set()
    for name in ("sla.py", "callbacks.py", "queueing.py"):
        keys |= set(_KEY.findall(package.joinpath(name).read_text("utf-8")))
    keys |= {band.key for band in DEFAULT_WAIT_BANDS}
    keys |= {f"metric.{m}" for m in Metric} | {f"state.{s}" for s in ClockState}
    keys |= {f"kind.{k}" for k in TicketKind} | {f"status.{s}" for s in TicketStatus}
    keys |= {f"priority.{p}" for p in Priority} | {f"day.{d}" for d in DayKind}
    keys |= {f"weekday.{w}" for w in WEEKDAYS}
    keys |= {f"notify.{level.notify}" for p in bundled_sla_policies().policies
             for level in p.escalation}  # fmt: skip
    return keys


def test_every_key_in_the_code_has_words_in_both_languages() -> None:
    keys = keys_in_the_code()

    assert len(keys) > 50
    assert sorted(k for k in keys if k not in LABELS) == []
    for key, words in LABELS.items():
        assert words["en"].strip() and words["zh"].strip(), key


def test_codes_in_parameters_are_put_into_words() -> None:
    params = {"metric": "first_reply", "level": 3, "notify": HEAD_OFFICE_COMPLAINTS}

    assert label("sla.escalation", "en", params) == (
        "Escalation level 3: notify the head-office complaints team (first reply overdue)"
    )
    chinese = label("sla.escalation", "zh-hans", params)
    assert chinese == "第3级升级：通知总行投诉管理团队（首次响应超时）"


def test_the_line_opening_reads_naturally_in_both_languages() -> None:
    params = {"time": "09:00", "date": "2025-03-10", "weekday": "mon"}

    assert label("line.opens_on", "en", params) == "The line opens on Monday 2025-03-10 at 09:00"
    assert label("line.opens_on", "zh", params) == "热线将于2025-03-10（星期一）09:00开放"


def test_an_unknown_key_is_shown_as_is() -> None:
    assert label("sla.unheard_of") == "sla.unheard_of"
