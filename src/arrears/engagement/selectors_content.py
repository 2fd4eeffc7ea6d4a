"""The content validator's hits, for the compliance console: what it finds in the messages
written over a period and in the template versions, with why.

Nothing stores the validator's findings (a template it refuses is never saved), so this reads
the texts again through `services.templates.content_findings` under every jurisdiction
profile — the same check a template save runs. Messages are read newest first, at most
`MESSAGES_READ` of them, so the page stays quick however busy the outbox was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from arrears.core.compliance.content import Finding
from arrears.core.compliance.profiles import Profile
from arrears.engagement.choices import NoticeChannel, NoticeKind, OutboxStatus
from arrears.engagement.models import OutboxMessage, Template
from arrears.engagement.services.templates import _profiles, content_findings

#: The most messages one look reads (the newest in the period).
MESSAGES_READ = 500
_OPT_OUT_MISSING = "content.opt_out_missing"


@dataclass(frozen=True)
class ContentHit:
    """One finding in one text: a message in the outbox or a template version."""

    source: str  # "message" or "template"
    at: dt.datetime
    channel: str
    kind: str
    language: str
    part: str  # "subject" or "body"
    rule_id: str
    reason_en: str
    reason_zh: str
    excerpt: str
    citation: str
    borrower_reference: str = ""
    borrower_name: str = ""
    status: str = ""  # the message's outbox status
    template_version: int | None = None
    template_active: bool = False

    @property
    def channel_label(self) -> str:
        return str(dict(NoticeChannel.choices).get(self.channel, self.channel))

    @property
    def kind_label(self) -> str:
        return str(dict(NoticeKind.choices).get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(dict(OutboxStatus.choices).get(self.status, self.status))

    def reason(self, language: str) -> str:
        return self.reason_zh if language.lower().startswith("zh") else self.reason_en


@dataclass(frozen=True)
class ContentHits:
    hits: list[ContentHit]
    messages_read: int
    templates_read: int
    more_messages: bool  # the period holds more messages than one look reads


def _findings(
    subject: str, body: str, channel: str, profiles: list[Profile]
) -> Iterable[tuple[str, Finding]]:
    if subject:
        for finding in content_findings(subject, channel, profiles):
            if finding.rule_id != _OPT_OUT_MISSING:  # an opt-out belongs in the body
                yield "subject", finding
    for finding in content_findings(body, channel, profiles):
        yield "body", finding


def _citation(finding: Finding) -> str:
    return "" if finding.citation is None else finding.citation.ref


def _hits_in(
    source: str, text: OutboxMessage | Template, profiles: list[Profile], **details: Any
) -> Iterable[ContentHit]:
    """The findings in one message or template version; `details` name the text (a message's
    borrower and status, a template's version)."""
    for part, finding in _findings(text.subject, text.body, text.channel, profiles):
        yield ContentHit(
            source=source,
            at=text.created_at,
            channel=text.channel,
            kind=text.kind,
            language=text.language,
            part=part,
            rule_id=finding.rule_id,
            reason_en=finding.reason_en,
            reason_zh=finding.reason_zh,
            excerpt=finding.excerpt,
            citation=_citation(finding),
            **details,
        )


def _messages(
    since_at: dt.datetime | None, until_at: dt.datetime | None, channel: str
) -> list[OutboxMessage]:
    """The period's messages, newest first: one more than `MESSAGES_READ` at the most."""
    period = Q()
    if since_at is not None:
        period &= Q(created_at__gte=since_at)
    if until_at is not None:
        period &= Q(created_at__lt=until_at)
    messages = OutboxMessage.objects.filter(period)
    if channel:
        messages = messages.filter(channel=channel)
    return list(messages.select_related("borrower").order_by("-created_at")[: MESSAGES_READ + 1])


def content_hits(
    *,
    since_at: dt.datetime | None,
    until_at: dt.datetime | None,
    channel: str = "",
    rule_id: str = "",
    source: str = "",
) -> ContentHits:
    """The validator's findings in the period's messages and in every template version,
    newest first; `source` "message" or "template" reads only those."""
    profiles = _profiles()
    texts: list[tuple[str, OutboxMessage | Template, dict[str, Any]]] = []
    more_messages = False
    if source in ("", "message"):
        rows = _messages(since_at, until_at, channel)
        more_messages = len(rows) > MESSAGES_READ
        texts += [
            (
                "message",
                message,
                {
                    "borrower_reference": message.borrower.reference,
                    "borrower_name": message.borrower.full_name,
                    "status": message.status,
                },
            )
            for message in rows[:MESSAGES_READ]
        ]
    if source in ("", "template"):
        templates = Template.objects.all()
        if channel:
            templates = templates.filter(channel=channel)
        texts += [
            (
                "template",
                template,
                {"template_version": template.version, "template_active": template.is_active},
            )
            for template in templates.order_by("-created_at", "-id")
        ]
    hits = [
        hit
        for source_of, text, details in texts
        for hit in _hits_in(source_of, text, profiles, **details)
        if not rule_id or hit.rule_id == rule_id
    ]
    hits.sort(key=lambda hit: hit.at, reverse=True)
    return ContentHits(
        hits=hits,
        messages_read=sum(1 for text in texts if text[0] == "message"),
        templates_read=sum(1 for text in texts if text[0] == "template"),
        more_messages=more_messages,
    )
