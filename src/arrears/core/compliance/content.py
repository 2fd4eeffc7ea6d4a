"""Message content: what a template or a free-text message may and must say.

`check_message` returns findings — rule id, reason in English and Chinese, the profile's
citation, and the offending span — for:

- `content.opt_out_missing`: an electronic message on a channel the profile lists carries no
  opt-out instruction ("Reply STOP", an unsubscribe link, "回复TD退订") (US-ELEC-01);
- `content.threat`, `content.impersonation`, `content.false_claim`, `content.pressure`: phrases
  from the bilingual phrase list (``data/phrases.yaml``) that a compliance officer can extend;
- `content.third_party_disclosure`: debt words in a message to someone not liable for the debt.

`is_opt_out_reply` tells an inbound reply that means "stop" (STOP, unsubscribe, 退订, TD …),
however it is phrased, so the shell can record the opt-out at once.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from arrears.core.compliance.model import Channel, Citation, Role
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.sections import CONTENT_CHECKS
from arrears.core.errors import ValidationError

OPT_OUT_MISSING = "content.opt_out_missing"
_LANGS = ("en", "zh")
_DEFAULT_LIABLE = frozenset({Role.DEBTOR, Role.CO_OBLIGOR, Role.GUARANTOR})


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One problem in a message: the rule, why, the source, and where in the text."""

    rule_id: str
    reason_en: str
    reason_zh: str
    citation: Citation | None
    span: tuple[int, int]  # (start, end) character offsets; (0, 0) for something missing
    excerpt: str


@dataclasses.dataclass(frozen=True, slots=True)
class _PhraseCheck:
    name: str
    reason_en: str
    reason_zh: str
    patterns: tuple[re.Pattern[str], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Phrasebook:
    """The phrase list, compiled: opt-out markers, stop replies, and the phrase checks."""

    version: str
    opt_out_markers: tuple[re.Pattern[str], ...]
    opt_out_replies: tuple[re.Pattern[str], ...]
    exact_replies: frozenset[str]
    checks: Mapping[str, _PhraseCheck]


def check_message(
    text: str,
    *,
    channel: Channel,
    profile: Profile,
    audience: Role = Role.DEBTOR,
    phrasebook: Phrasebook | None = None,
) -> tuple[Finding, ...]:
    """Everything wrong with a message for this channel, audience and profile (empty: fine)."""
    rule = profile.content
    if rule is None:
        return ()
    book = phrasebook or bundled_phrasebook()
    findings: list[Finding] = []
    if channel in rule.opt_out_channels and not any(p.search(text) for p in book.opt_out_markers):
        findings.append(
            Finding(
                OPT_OUT_MISSING,
                f"Every {channel} message must say how to opt out simply, e.g. 'Reply STOP'.",
                "电子消息须载明简便的退订方式，如“回复TD退订”。",
                rule.cite,
                (0, 0),
                "",
            )
        )
    liable = profile.parties.allowed_roles if profile.parties is not None else _DEFAULT_LIABLE
    for name in CONTENT_CHECKS:
        if name not in rule.checks:
            continue
        if name == "third_party_disclosure" and audience in liable:
            continue
        check = book.checks.get(name)
        if check is None:
            continue
        for pattern in check.patterns:
            for match in pattern.finditer(text):
                findings.append(
                    Finding(
                        f"content.{name}",
                        check.reason_en,
                        check.reason_zh,
                        rule.citation_for(name),
                        match.span(),
                        match.group(0),
                    )
                )
    findings.sort(key=lambda f: (f.span, f.rule_id))
    return tuple(findings)


def is_opt_out_reply(text: str, phrasebook: Phrasebook | None = None) -> bool:
    """Does this inbound reply mean 'stop'? ("STOP", "please unsubscribe me", "退订", "TD")."""
    book = phrasebook or bundled_phrasebook()
    cleaned = text.strip().strip(".!。！").lower()
    if cleaned in book.exact_replies:
        return True
    return any(p.search(text) for p in book.opt_out_replies)


@functools.cache
def bundled_phrasebook() -> Phrasebook:
    """The phrase list shipped with Arrears (``data/phrases.yaml``)."""
    return load_phrasebook()


def load_phrasebook(
    source: str | Path | Mapping[str, Any] | None = None,
    *,
    extra: Iterable[str | Path | Mapping[str, Any]] = (),
) -> Phrasebook:
    """Compile a phrase list (the bundled one by default), adding each `extra` list to it.

    Extensions add phrases, markers and replies; they cannot remove any. Errors name the field,
    e.g. ``checks.threat.phrases.en[3]``.
    """
    data = _load(source) if source is not None else _load(_bundled_text())
    merged = _read(data, "")
    for i, more in enumerate(extra):
        _add(merged, _read(_load(more), f"extra[{i}]."))
    return _compile(merged)


# --- reading and compiling ----------------------------------------------------------------------

_Raw = dict[str, Any]


def _bundled_text() -> str:
    return (
        resources.files("arrears.core.compliance")
        .joinpath("data/phrases.yaml")
        .read_text(encoding="utf-8")
    )


def _load(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    if isinstance(source, Path) or ("\n" not in source and source.endswith((".yaml", ".yml"))):
        source = Path(source).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise ValidationError("phrases", f"is not valid YAML: {error}") from None
    if not isinstance(data, Mapping):
        raise ValidationError("phrases", "must be a YAML mapping")
    return data


def _read(data: Mapping[str, Any], at: str) -> _Raw:
    for key in data:
        if key not in ("version", "opt_out_markers", "opt_out_replies", "checks"):
            raise ValidationError(f"{at}{key}", "unknown field")
    found: _Raw = {
        "version": str(data.get("version", "")),
        "markers": _read_langs(data.get("opt_out_markers"), f"{at}opt_out_markers"),
        "replies": _read_langs(data.get("opt_out_replies"), f"{at}opt_out_replies", exact=True),
        "checks": {},
    }
    checks = data.get("checks") or {}
    if not isinstance(checks, Mapping):
        raise ValidationError(f"{at}checks", "must map check names to phrases")
    for name, body in checks.items():
        where = f"{at}checks.{name}"
        if name not in CONTENT_CHECKS:
            raise ValidationError(where, f"unknown check; use one of {', '.join(CONTENT_CHECKS)}")
        if not isinstance(body, Mapping):
            raise ValidationError(where, "must be a mapping with reason_en, reason_zh, phrases")
        for key in body:
            if key not in ("reason_en", "reason_zh", "phrases"):
                raise ValidationError(f"{where}.{key}", "unknown field")
        found["checks"][name] = {
            "reason_en": body.get("reason_en"),
            "reason_zh": body.get("reason_zh"),
            "phrases": _read_langs(body.get("phrases"), f"{where}.phrases"),
        }
    return found


def _read_langs(raw: object, at: str, *, exact: bool = False) -> dict[str, list[Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationError(at, "must map languages (en, zh) to lists of phrases")
    found: dict[str, list[Any]] = {}
    for lang, items in raw.items():
        where = f"{at}.{lang}"
        if lang not in _LANGS and not (exact and lang == "exact"):
            raise ValidationError(where, "unknown language; use en or zh")
        if not isinstance(items, list):
            raise ValidationError(where, "must be a list of phrases")
        for i, item in enumerate(items):
            _check_phrase(f"{where}[{i}]", item)
        found[str(lang)] = list(items)
    return found


def _check_phrase(at: str, item: object) -> None:
    if isinstance(item, str) and item.strip():
        return
    if isinstance(item, Mapping) and set(item) == {"regex"} and isinstance(item["regex"], str):
        try:
            re.compile(item["regex"])
        except re.error as error:
            raise ValidationError(
                f"{at}.regex", f"is not a valid regular expression: {error}"
            ) from (None)
        return
    raise ValidationError(at, 'must be a phrase or {regex: "..."}')


def _add(into: _Raw, more: _Raw) -> None:
    for key in ("markers", "replies"):
        for lang, items in more[key].items():
            into[key].setdefault(lang, []).extend(items)
    for name, body in more["checks"].items():
        target = into["checks"].setdefault(name, {"phrases": {}})
        for field in ("reason_en", "reason_zh"):
            if not target.get(field):
                target[field] = body.get(field)
        for lang, items in body["phrases"].items():
            target["phrases"].setdefault(lang, []).extend(items)


def _compile(raw: _Raw) -> Phrasebook:
    checks: dict[str, _PhraseCheck] = {}
    for name, body in raw["checks"].items():
        for field in ("reason_en", "reason_zh"):
            if not isinstance(body.get(field), str) or not body[field].strip():
                raise ValidationError(f"checks.{name}.{field}", "is required")
        checks[name] = _PhraseCheck(
            name, body["reason_en"], body["reason_zh"], _patterns(body["phrases"])
        )
    replies = raw["replies"]
    return Phrasebook(
        version=raw["version"],
        opt_out_markers=_patterns(raw["markers"]),
        opt_out_replies=_patterns({k: v for k, v in replies.items() if k != "exact"}),
        exact_replies=frozenset(str(r).strip().lower() for r in replies.get("exact", ())),
        checks=checks,
    )


def _patterns(by_lang: Mapping[str, Sequence[Any]]) -> tuple[re.Pattern[str], ...]:
    compiled: list[re.Pattern[str]] = []
    for lang, items in by_lang.items():
        for item in items:
            if isinstance(item, Mapping):
                compiled.append(re.compile(item["regex"], re.IGNORECASE))
            elif lang == "en":
                words = r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", item.strip()))
                compiled.append(re.compile(rf"(?<![\w']){words}(?![\w])", re.IGNORECASE))
            else:
                compiled.append(re.compile(re.escape(item.strip()), re.IGNORECASE))
    return tuple(compiled)
