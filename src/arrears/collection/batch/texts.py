"""The words the batch writes on cases and actions, in one place for both paths.

The nightly batch and the per-account path (`collection.batch.single`, used by
`strategy explain` and the differential test) write the same reasons, so the texts are built
here. They are stored, so they are rendered in the lender's language at the moment of writing
(`gettext`, not lazy).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from arrears.collection.choices import CaseCloseReason, CaseStage


def opened_reason(*, days_past_due: int, bucket: str) -> str:
    """Why the batch opened a case."""
    return _("%(days)d days past due (bucket %(bucket)s)") % {
        "days": days_past_due,
        "bucket": bucket,
    }


def stage_reason(*, old: str, new: str, days_past_due: int) -> str:
    """Why the batch moved a case to another stage."""
    return _("%(days)d days past due: %(old)s → %(new)s") % {
        "days": days_past_due,
        "old": CaseStage(old).label,
        "new": CaseStage(new).label,
    }


def closed_event_reason(reason: str) -> str:
    """The event's text for a case the batch closed (what `close_case` writes with no note)."""
    return str(CaseCloseReason(reason).label)


def cancelled_reason(reason: str) -> str:
    """What an action still to come says when its case closes (as `close_case` writes it)."""
    return _("the case was closed: %(reason)s") % {"reason": reason}


def paused_reason(*, until: dt.date, why: str) -> str:
    """Why a paused case gets no new step."""
    return _("treatment paused until %(until)s: %(why)s") % {"until": until, "why": why}


def skipped(reason: str, why: str) -> str:
    """A step the night could not act on, and why."""
    return _("%(reason)s — skipped: %(why)s") % {"reason": reason, "why": why}


def no_address(channel: str) -> str:
    return _("no valid %(channel)s address for the borrower") % {"channel": channel}


def no_template(template: str, channel: str, language: str) -> str:
    return _("no active template %(template)s for %(channel)s in %(language)s") % {
        "template": template,
        "channel": channel,
        "language": language,
    }


def deferred(reason: str, until: dt.datetime) -> str:
    """An action the gate refuses now but allows later (as `services.scheduling` says it)."""
    return _("%(reason)s — the compliance gate first allows it at %(at)s") % {
        "reason": reason,
        "at": until.isoformat(),
    }


def blocked(reason: str) -> str:
    """An action the gate refuses until a person acts (as `services.scheduling` says it)."""
    return _("%(reason)s — blocked by the compliance gate: a person must unblock it") % {
        "reason": reason
    }


def awaiting_approval(reason: str) -> str:
    return _("%(reason)s — needs a supervisor's approval") % {"reason": reason}
