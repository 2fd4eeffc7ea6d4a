"""Reports 报表 of the care desk: backlog, reply and resolution times, SLA attainment, contact
rate, the phone line and callbacks, complaints by cause, satisfaction. See docs/care.md."""

from arrears.care.selectors.reports.figures import (
    Attainment,
    Backlog,
    Callbacks,
    CareReport,
    ComplaintCause,
    ContactRate,
    DayBacklog,
    Durations,
    Line,
    OriginRate,
    Satisfaction,
    nearest_rank,
)
from arrears.care.selectors.reports.summary import care_report

__all__ = [
    "Attainment",
    "Backlog",
    "Callbacks",
    "CareReport",
    "ComplaintCause",
    "ContactRate",
    "DayBacklog",
    "Durations",
    "Line",
    "OriginRate",
    "Satisfaction",
    "care_report",
    "nearest_rank",
]
