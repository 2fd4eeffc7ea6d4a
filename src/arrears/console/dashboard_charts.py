"""The dashboard's charts as plain data: what `charts.js` draws and the table beside each chart.

Presentation only (labels in the reader's language, shares as percents): every figure comes
from `analytics.selectors.dashboard.dashboard`. A chart is {id, title, kind, labels, datasets,
stacked, percent, horizontal}; the page passes each to the script with `json_script` and shows
the same numbers in a table (charts need a textual alternative).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.dates import format_date, get_day_names
from django.utils import translation
from django.utils.translation import gettext as _

from arrears.analytics.selectors.dashboard import Dashboard
from arrears.collection.choices import PromiseStatus
from arrears.compliance.choices import Channel
from arrears.core.ageing import DEFAULT_BUCKETS


def _locale() -> str:
    language = translation.get_language() or "en"
    return "zh_Hans_CN" if language.lower().startswith("zh") else "en_GB"


def _chinese() -> bool:
    return (translation.get_language() or "en").lower().startswith("zh")


def bucket_label(code: str) -> str:
    """A bucket's name in the reader's language (M1 → 1–29 days (M1) / 逾期1-29天 (M1))."""
    if code == "charged_off":
        return _("Charged off")
    for bucket in DEFAULT_BUCKETS.buckets:
        if bucket.code == code:
            if _chinese():
                return bucket.label_zh
            return _("Current") if code == "current" else f"{bucket.label_en} ({code})"
    return code


def metric_label(metric: str) -> str:
    return {
        "first_reply": _("First reply"),
        "next_reply": _("Next reply"),
        "resolution": _("Resolution"),
        "final_response": _("Final response to a complaint"),
    }.get(metric, metric)


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # bar, line
    labels: list[str]
    datasets: list[dict[str, Any]]
    stacked: bool = False
    percent: bool = False
    horizontal: bool = False
    axis: str = ""  # the table's first heading (what the labels are)
    rows: list[list[str]] = field(
        default_factory=list
    )  # the table alternative, when not labels×datasets
    row_headings: list[str] = field(default_factory=list)

    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "stacked": self.stacked,
            "percent": self.percent,
            "horizontal": self.horizontal,
            "title": self.title,
        }

    def headings(self) -> list[str]:
        return self.row_headings or [self.axis, *(str(ds["label"]) for ds in self.datasets)]

    def table(self) -> list[list[str]]:
        """Rows of the table alternative: a label, then each dataset's value."""
        if self.rows:
            return self.rows
        return [
            [label, *(_cell(ds["data"][i], self.percent) for ds in self.datasets)]
            for i, label in enumerate(self.labels)
        ]


def _cell(value: Any, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value:.1f} %"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _pct(share: Decimal | float | None) -> float | None:
    return None if share is None else round(float(share) * 100, 2)


def dashboard_charts(found: Dashboard) -> list[Chart]:
    return [
        _bucket_history(found),
        _roll_rates(found),
        _promises(found),
        _calls_by_hour(found),
        _contacts_by_channel(found),
        _sla(found),
        _queue_load(found),
    ]


def _bucket_history(found: Dashboard) -> Chart:
    labels = [
        str(format_date(p.on, format="medium", locale=_locale())) for p in found.bucket_history
    ]
    datasets = [
        {
            "label": bucket_label(code),
            "data": [p.by_bucket.get(code, 0) for p in found.bucket_history],
        }
        for code in found.buckets
    ]
    return Chart(
        "delinquency-by-bucket", _("Delinquency by bucket over time"), "bar", labels, datasets,
        stacked=True, axis=_("Date"),
    )  # fmt: skip


def _roll_rates(found: Dashboard) -> Chart:
    rows = found.kpis.roll_rates
    columns: list[str] = []
    for row in rows:
        columns += [code for code in row.to_shares if code not in columns]
    order = [b.code for b in DEFAULT_BUCKETS.buckets] + ["charged_off"]
    columns.sort(key=lambda code: order.index(code) if code in order else len(order))
    datasets = [
        {"label": bucket_label(code), "data": [_pct(row.to_shares.get(code, 0)) for row in rows]}
        for code in columns
    ]
    return Chart(
        "roll-rates", _("Roll rates: where each bucket's accounts ended"), "bar",
        [bucket_label(row.from_bucket) for row in rows], datasets, stacked=True, percent=True,
        horizontal=True, axis=_("Bucket at the start"),
    )  # fmt: skip


def _promises(found: Dashboard) -> Chart:
    promises = found.kpis.promises
    labels = [str(PromiseStatus.KEPT.label), str(PromiseStatus.PARTLY_KEPT.label),
              str(PromiseStatus.BROKEN.label), _("Still in grace")]  # fmt: skip
    data = [promises.kept, promises.partly_kept, promises.broken, promises.pending]
    return Chart(
        "promises", _("Promises to pay that fell due"), "bar", labels,
        [{"label": _("Promises"), "data": data}], axis=_("Outcome"),
    )  # fmt: skip


def _calls_by_hour(found: Dashboard) -> Chart:
    names = get_day_names("abbreviated", locale=_locale())
    labels = [f"{names[h.weekday - 1]} {h.hour:02d}:00" for h in found.calls_by_hour]
    rates = [
        round(100 * h.right_party / h.attempts, 1) if h.attempts else None
        for h in found.calls_by_hour
    ]
    rows = [
        [label, f"{h.attempts:,}", f"{h.right_party:,}", f"{rate:.1f} %"]
        for label, h, rate in zip(labels, found.calls_by_hour, rates, strict=True)
        if h.attempts and rate is not None
    ]
    return Chart(
        "rpc-by-hour", _("Right-party contact rate by hour of the week"), "line", labels,
        [{"label": _("Right-party contact rate"), "data": rates}], percent=True, rows=rows,
        row_headings=[_("Hour (lender's time)"), _("Calls"), _("Right-party contacts"), _("Rate")],
    )  # fmt: skip


def _contacts_by_channel(found: Dashboard) -> Chart:
    channels = found.kpis.contacts.attempts_by_channel
    labels = [str(Channel(code).label) if code in Channel.values else code for code in channels]
    return Chart(
        "contacts-by-channel", _("Contact attempts by channel"), "bar", labels,
        [{"label": _("Attempts"), "data": list(channels.values())}], axis=_("Channel"),
    )  # fmt: skip


def _sla(found: Dashboard) -> Chart:
    desk = [a for a in found.care.sla if a.scope == "desk"]
    return Chart(
        "sla", _("SLA attainment (care desk)"), "bar", [metric_label(a.metric) for a in desk],
        [{"label": _("Met on time"), "data": [_pct(a.share_met) for a in desk]}], percent=True,
        rows=[[metric_label(a.metric), f"{a.met:,}", f"{a.breached:,}",
               f"{_pct(a.share_met) or 0:.1f} %" if a.share_met is not None else "—"]
              for a in desk],
        row_headings=[_("Measure"), _("Met"), _("Breached"), _("Share met")],
    )  # fmt: skip


def _queue_load(found: Dashboard) -> Chart:
    queues = found.load.queues
    zh = _chinese()
    labels = [
        (q.queue.name_zh if zh else q.queue.name_en) if q.queue else _("No queue") for q in queues
    ]
    return Chart(
        "queue-load", _("Work queue load now"), "bar", labels,
        [{"label": _("Calls waiting"), "data": [q.waiting for q in queues]},
         {"label": _("Ready now"), "data": [q.ready for q in queues]},
         {"label": _("Taken by a collector"), "data": [q.taken for q in queues]}],
        axis=_("Queue"),
    )  # fmt: skip
