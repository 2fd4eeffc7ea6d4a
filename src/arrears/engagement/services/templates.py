"""Message templates: save a version (checked first), preview it, load the bundled set.

A template is rendered with sample data for its kind before it is saved, and the rendered text
goes through the compliance content validator (`core.compliance.content.check_message`) under
every jurisdiction profile: threats, impersonation, false claims, pressure, and — on electronic
channels — a missing opt-out refuse the save with a `ValidationError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from arrears.compliance.choices import ProfileCode
from arrears.compliance.services import active_profile
from arrears.compliance.services.profiles import active_texts, bundled_text
from arrears.core.clock import Clock, SystemClock
from arrears.core.compliance.content import Finding, check_message
from arrears.core.compliance.model import Channel as GateChannel
from arrears.core.compliance.profiles import Profile
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.engagement.choices import NoticeChannel, NoticeKind, NoticeLanguage
from arrears.engagement.models import Template
from arrears.engagement.rendering import CompiledText, render_text

_COMMON = {"borrower_name", "account_last4"}

#: The variables each kind's producer gives its templates (a template may use only these).
KIND_VARIABLES: Mapping[str, frozenset[str]] = {
    NoticeKind.DUE_REMINDER: frozenset(_COMMON | {"amount", "due_on", "days_before"}),
    NoticeKind.AUTOPAY_DEBIT: frozenset(_COMMON | {"amount", "due_on", "days_before"}),
    NoticeKind.AUTOPAY_FAILED: frozenset(_COMMON | {"amount", "due_on"}),
    NoticeKind.STATEMENT_READY: frozenset(
        _COMMON | {"statement_on", "due_on", "new_balance", "minimum_due"}
    ),
    NoticeKind.PAYMENT_RECEIVED: frozenset(_COMMON | {"amount", "received_on"}),
    NoticeKind.PLAN_INSTALMENT_DUE: frozenset(_COMMON | {"amount", "due_on", "days_before"}),
    NoticeKind.PROMISE_REMINDER: frozenset(_COMMON | {"amount", "due_on"}),
    NoticeKind.TERMS_CHANGE: frozenset(_COMMON | {"effective_on", "summary"}),
    NoticeKind.COLLECTION_REMINDER: frozenset(
        _COMMON | {"amount", "days_past_due", "self_service_url"}
    ),
    NoticeKind.SELF_SERVICE_LINK: frozenset(_COMMON | {"amount", "self_service_url"}),
    NoticeKind.WARNING_LETTER: frozenset(
        _COMMON | {"amount", "balance", "days_past_due", "pay_by"}
    ),
    NoticeKind.LAWYERS_LETTER: frozenset(
        _COMMON | {"amount", "balance", "days_past_due", "pay_by"}
    ),
    # the service desk's notices: about a ticket, not an account (no account_last4)
    NoticeKind.CARE_REPLY: frozenset(
        {"borrower_name", "ticket_reference", "subject", "reply_body"}
    ),
    NoticeKind.SATISFACTION_SURVEY: frozenset({"borrower_name", "ticket_reference", "survey_url"}),
    NoticeKind.MISSED_CALL: frozenset({"borrower_name", "self_service_url", "line_opens"}),
    NoticeKind.CALLBACK_BOOKED: frozenset({"borrower_name", "ticket_reference", "callback_at"}),
}

_SAMPLE: Mapping[str, Any] = {
    "amount": Money(Decimal("1234.56"), "CNY"),
    "due_on": dt.date(2026, 12, 5),
    "days_before": 5,
    "statement_on": dt.date(2026, 11, 15),
    "new_balance": Money(Decimal("8650.00"), "CNY"),
    "minimum_due": Money(Decimal("865.00"), "CNY"),
    "received_on": dt.date(2026, 12, 3),
    "effective_on": dt.date(2027, 2, 1),
    "balance": Money(Decimal("8650.00"), "CNY"),
    "days_past_due": 35,
    "pay_by": dt.date(2026, 12, 19),
    "self_service_url": "https://pay.example.com/s/4b7Qx2",
    "ticket_reference": "T0000123",
    "survey_url": "https://pay.example.com/survey/8Kp2Zq",
}


def sample_variables(kind: str, language: str) -> dict[str, Any]:
    """Example values for a kind's variables: what the admin preview and the save check use."""
    words = {
        "zh-hans": {
            "borrower_name": "张三",
            "summary": "年利率由18%调整为16%",
            "subject": "提前还款手续费咨询",
            "reply_body": "提前还款不收取手续费，您可以在应用内随时办理。",
            "line_opens": "热线明天09:00开放",
            "callback_at": "12月5日 14:30",
        },
        "en": {
            "borrower_name": "Alex Smith",
            "summary": "the APR changes from 18% to 16%",
            "subject": "Early repayment fee",
            "reply_body": "There is no fee for repaying early: do it in the app at any time.",
            "line_opens": "The line opens tomorrow at 09:00",
            "callback_at": "5 Dec, 14:30",
        },
    }[language if language == "en" else "zh-hans"]
    every = {**_SAMPLE, **words, "account_last4": "4321"}
    return {name: every[name] for name in KIND_VARIABLES.get(kind, frozenset())}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str
    html_body: str


def render_template(template: Template, variables: Mapping[str, Any]) -> RenderedMessage:
    """The subject, text body and HTML body of a template for these values (sandboxed)."""
    language = template.language
    return RenderedMessage(
        subject=render_text(template.subject, variables, language=language, field="subject"),
        body=render_text(template.body, variables, language=language, field="body"),
        html_body=render_text(
            template.html_body, variables, language=language, html=True, field="html_body"
        ),
    )


class TemplateRenderer:
    """A template compiled once to render many messages (the nightly notices): `render` gives
    what `render_template` gives, part for part, and fails the same way; an empty part (no
    HTML outside e-mail) costs nothing."""

    def __init__(self, template: Template) -> None:
        language = template.language
        self.template = template
        self._subject = CompiledText(template.subject, language=language, field="subject")
        self._body = CompiledText(template.body, language=language, field="body")
        self._html_body = CompiledText(
            template.html_body, language=language, html=True, field="html_body"
        )

    def render(self, variables: Mapping[str, Any]) -> RenderedMessage:
        return RenderedMessage(
            subject=self._subject.render(variables),
            body=self._body.render(variables),
            html_body=self._html_body.render(variables),
        )


def preview_template(template: Template) -> RenderedMessage:
    """The template rendered with sample data (the admin's live preview)."""
    return render_template(template, sample_variables(template.kind, template.language))


def check_template(template: Template) -> RenderedMessage:
    """Raise `ValidationError` naming the field if the template is not fit to send; else the
    sample rendering."""
    _one_of("kind", template.kind, NoticeKind)
    _one_of("channel", template.channel, NoticeChannel)
    _one_of("language", template.language, NoticeLanguage)
    if not template.body.strip():
        raise ValidationError("body", _("must not be empty"))
    if template.html_body and template.channel != NoticeChannel.EMAIL:
        raise ValidationError("html_body", _("only e-mail templates have an HTML body"))
    rendered = preview_template(template)
    profiles = _profiles()
    for field, text in (
        ("subject", rendered.subject),
        ("body", rendered.body),
        ("html_body", rendered.html_body),
    ):
        if not text:
            continue
        # the opt-out may be in the body; a subject is never checked for it alone
        findings = [
            f
            for f in content_findings(text, template.channel, profiles)
            if f.rule_id != _OPT_OUT_MISSING
        ]
        if findings:
            raise ValidationError(field, _describe(findings[0], template.language))
    for field, text in (("body", rendered.body), ("html_body", rendered.html_body)):
        if field == "html_body" and not text:
            continue
        missing = [
            f
            for f in content_findings(text, template.channel, profiles)
            if f.rule_id == _OPT_OUT_MISSING
        ]
        if missing:
            raise ValidationError(field, _describe(missing[0], template.language))
    return rendered


_OPT_OUT_MISSING = "content.opt_out_missing"


def _profiles() -> list[Profile]:
    """Every jurisdiction profile as the gate uses it (the bundled text where none is stored)."""
    texts = active_texts()
    texts = {
        **{code: bundled_text(code) for code in ProfileCode.values if code not in texts},
        **texts,
    }
    return [active_profile(code, texts=texts).profile for code in ProfileCode.values]


def content_findings(
    text: str, channel: str, profiles: list[Profile] | None = None
) -> list[Finding]:
    """The content validator's findings for `text` under every jurisdiction profile."""
    found: dict[tuple[str, tuple[int, int]], Finding] = {}
    for profile in profiles if profiles is not None else _profiles():
        for finding in check_message(text, channel=GateChannel(channel), profile=profile):
            found.setdefault((finding.rule_id, finding.span), finding)
    return sorted(found.values(), key=lambda f: (f.span, f.rule_id))


def _describe(finding: Finding, language: str) -> str:
    reason = finding.reason_zh if language == "zh-hans" else finding.reason_en
    if finding.excerpt:
        return _("%(reason)s (%(rule)s: “%(excerpt)s”)") % {
            "reason": reason,
            "rule": finding.rule_id,
            "excerpt": finding.excerpt,
        }
    return f"{reason} ({finding.rule_id})"


def _one_of(field: str, value: str, choices: Any) -> None:
    if value not in choices.values:
        raise ValidationError(
            field, _("must be one of %(values)s") % {"values": ", ".join(choices.values)}
        )


@transaction.atomic
def save_template(
    *,
    kind: str,
    channel: str,
    language: str,
    body: str,
    subject: str = "",
    html_body: str = "",
    activate: bool = True,
    created_by: Any = None,
    bundled: bool = False,
    clock: Clock | None = None,
) -> Template:
    """Save a new version of a template (checked first); active at once unless told otherwise."""
    now = (clock or SystemClock()).now()
    template = Template(
        kind=kind,
        channel=channel,
        language=language,
        subject=subject.strip(),
        body=body.strip(),
        html_body=html_body.strip(),
        is_active=activate,
        is_bundled=bundled,
        created_at=now,
        created_by=created_by,
    )
    check_template(template)
    versions = Template.objects.select_for_update().filter(
        kind=kind, channel=channel, language=language
    )
    template.version = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
    if activate:
        versions.filter(is_active=True).update(is_active=False)
    template.save()
    return template


@transaction.atomic
def activate_template(*, template: Template) -> Template:
    """Make this version the one used (the other versions of its kind/channel/language stop)."""
    check_template(template)
    Template.objects.filter(
        kind=template.kind, channel=template.channel, language=template.language, is_active=True
    ).exclude(pk=template.pk).update(is_active=False)
    Template.objects.filter(pk=template.pk).update(is_active=True)
    template.is_active = True
    return template


def bundled_templates() -> list[dict[str, str]]:
    """The templates shipped with Arrears, one dict per kind × channel × language."""
    text = (
        resources.files("arrears.engagement")
        .joinpath("templates_data/notices.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    found: list[dict[str, str]] = []
    for kind, languages in data.items():
        for language, texts in languages.items():
            for channel in NoticeChannel.values:
                if channel not in texts:
                    raise ValidationError(
                        f"{kind}.{language}.{channel}", _("is missing from the bundled templates")
                    )
                found.append(
                    {
                        "kind": kind,
                        "channel": channel,
                        "language": language,
                        "subject": "" if channel == NoticeChannel.SMS else texts.get("subject", ""),
                        "body": texts[channel],
                        "html_body": texts.get("email_html", "")
                        if channel == NoticeChannel.EMAIL
                        else "",
                    }
                )
    return found


@transaction.atomic
def load_templates(*, clock: Clock | None = None) -> list[Template]:
    """Load the bundled templates: a kind/channel/language with no template gets the shipped
    one; a bundled text that changed since the last load becomes a new version (activated only
    if the active version is the shipped one — a lender's own edit stays in force)."""
    loaded: list[Template] = []
    existing = {
        (t.kind, t.channel, t.language): t
        for t in Template.objects.filter(is_bundled=True).order_by("version")
    }
    active = {(t.kind, t.channel, t.language): t for t in Template.objects.filter(is_active=True)}
    for spec in bundled_templates():
        key = (spec["kind"], spec["channel"], spec["language"])
        latest = existing.get(key)
        if latest is not None and _fingerprint(latest) == _fingerprint_of(spec):
            continue
        current = active.get(key)
        activate = current is None or current.is_bundled
        loaded.append(
            save_template(**spec, activate=activate, bundled=True, clock=clock)  # type: ignore[arg-type]
        )
    return loaded


def _fingerprint_of(spec: Mapping[str, str]) -> str:
    raw = "\x00".join(spec[k].strip() for k in ("subject", "body", "html_body"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _fingerprint(template: Template) -> str:
    return _fingerprint_of(
        {"subject": template.subject, "body": template.body, "html_body": template.html_body}
    )
