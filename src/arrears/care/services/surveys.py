"""The satisfaction survey 满意度调查 sent after a ticket is solved (per queue).

When a ticket is solved (`tickets._move` calls `after_solve`) and its queue asks for surveys,
the borrower gets one survey per ticket: a row with a random token and a message queued in the
engagement outbox (kind `satisfaction_survey`), which leaves only with the compliance gate's
permit. The token in the link is the borrower's only credential: it answers that one survey,
once, with a score from 1 to 5 and an optional comment.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import TicketEventKind
from arrears.care.models import SatisfactionSurvey, Ticket
from arrears.care.services.tickets import record_event
from arrears.compliance.choices import Purpose
from arrears.core.clock import Clock, FixedClock, SystemClock
from arrears.core.errors import Conflict, NotFound, ValidationError
from arrears.engagement.choices import NoticeKind
from arrears.engagement.services.collection_messages import queue_collection_message

logger = logging.getLogger(__name__)
MAX_COMMENT = 2000
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


def survey_url(token: str) -> str:
    """Where the borrower answers: settings.ARREARS_PUBLIC_URL (else the self-service site's
    origin) + /care/survey/<token>."""
    base = str(getattr(settings, "ARREARS_PUBLIC_URL", "") or "")
    if not base:
        parts = urlsplit(str(getattr(settings, "ARREARS_SELF_SERVICE_URL", "") or ""))
        base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else DEFAULT_PUBLIC_URL
    return f"{base.rstrip('/')}/care/survey/{token}"


@transaction.atomic
def after_solve(*, ticket: Ticket, at: dt.datetime) -> SatisfactionSurvey | None:
    """Send the ticket's survey if its queue wants one, it has a borrower and none was sent.

    A borrower who cannot be reached (no address, no template) gets no survey: solving the
    ticket never fails because of it.
    """
    if ticket.borrower_id is None or ticket.queue is None or not ticket.queue.survey_after_solve:
        return None
    if ticket.merged_into_id or SatisfactionSurvey.objects.filter(ticket=ticket).exists():
        return None
    token = secrets.token_urlsafe(24)
    borrower = ticket.borrower
    assert borrower is not None  # checked above
    try:
        message, _created = queue_collection_message(
            kind=NoticeKind.SATISFACTION_SURVEY,
            borrower=borrower,
            account=None,
            variables={
                "borrower_name": borrower.full_name,
                "ticket_reference": ticket.reference,
                "survey_url": survey_url(token),
            },
            idempotency_key=f"care-survey-{ticket.pk}",
            purpose=Purpose.SERVICING,
            clock=FixedClock(at),
        )
    except ValidationError as error:
        logger.info("no survey for %s: %s", ticket.reference, error)
        return None
    survey = SatisfactionSurvey.objects.create(
        ticket=ticket, token=token, sent_at=at, outbox_message=message
    )
    record_event(
        ticket,
        TicketEventKind.SURVEY_SENT,
        at=at,
        reason="survey.sent",
        params={"channel": message.channel},
    )
    return survey


@transaction.atomic
def answer_survey(
    *,
    token: str,
    score: int,
    comment: str = "",
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> SatisfactionSurvey:
    """Record the borrower's answer: a score from 1 (poor) to 5 (very good), once."""
    now = at or (clock or SystemClock()).now()
    survey = SatisfactionSurvey.objects.select_for_update().filter(token=token or "").first()
    if survey is None:
        raise NotFound(_("No such survey."))
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError("score", _("must be a whole number from 1 to 5"))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError("comment", _("must be at most 2000 characters"))
    if survey.answered_at is not None:
        raise Conflict(_("This survey has already been answered."))
    survey.score, survey.comment, survey.answered_at = score, comment, now
    survey.save(update_fields=["score", "comment", "answered_at"])
    record_event(
        survey.ticket,
        TicketEventKind.SURVEY_ANSWERED,
        at=now,
        reason="survey.answered",
        params={"score": score},
    )
    return survey
