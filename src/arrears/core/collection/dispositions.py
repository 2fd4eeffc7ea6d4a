"""Dispositions (通话结果): what came of one call, and what it drives next.

The standard list is data (``core/data/dispositions.yaml``); a lender extends it with its own
codes through `parse_dispositions`, which checks every field and names it on an error. Each
disposition says whether the borrower was reached (right-party contact), whether a person picked
up, the outcome the compliance contact log records, the retry rule (`retries.next_attempt` reads
it) and the effects the shell applies (pause the treatment, open a dispute, book a callback …).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from arrears.core.collection import _read
from arrears.core.compliance.model import AttemptOutcome
from arrears.core.errors import ValidationError


class RetryRule(StrEnum):
    """When the next call goes out after this disposition."""

    SOON = "soon"  # the same number again in `minutes`
    NEXT_GOOD_SLOT = "next_good_slot"  # the borrower's next good hour (best time to call)
    LATER_THEN_OTHER_NUMBERS = "later_then_other_numbers"  # after `hours`, the next number
    MARK_NUMBER_BAD = "mark_number_bad"  # never this number again; the next valid one
    NONE = "none"  # no automatic retry: the treatment path decides


class Effect(StrEnum):
    """What the shell does when an agent records the disposition."""

    PAUSE_TREATMENT = "pause_treatment"
    OPEN_DISPUTE = "open_dispute"
    FLAG_HARDSHIP = "flag_hardship"
    BOOK_CALLBACK = "book_callback"
    MARK_NUMBER_INVALID = "mark_number_invalid"
    COUNT_NO_ANSWER = "count_no_answer"  # one more unanswered call in a row
    RESET_NO_ANSWER = "reset_no_answer"  # the run of unanswered calls ends


#: The contact-log outcomes a call can have (the others are for messages).
CALL_OUTCOMES = frozenset(
    {
        AttemptOutcome.FAILED,
        AttemptOutcome.NO_ANSWER,
        AttemptOutcome.VOICEMAIL,
        AttemptOutcome.CONNECTED,
        AttemptOutcome.CONVERSATION,
        AttemptOutcome.REFUSED,
    }
)
_MAX_SOON_MINUTES = 24 * 60
_MAX_LATER_HOURS = 7 * 24


@dataclass(frozen=True, slots=True)
class Retry:
    rule: RetryRule
    minutes: int | None = None  # for `soon`
    hours: int | None = None  # for `later_then_other_numbers`


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    label_en: str
    label_zh: str
    right_party: bool
    connected: bool
    attempt_outcome: AttemptOutcome
    retry: Retry
    effects: frozenset[Effect]

    def drives(self, effect: Effect) -> bool:
        return effect in self.effects

    def label(self, language: str) -> str:
        return self.label_zh if language.lower().startswith("zh") else self.label_en


@dataclass(frozen=True)
class Dispositions(Mapping[str, Disposition]):
    """The dispositions a lender uses, by code, in the order they were written."""

    by_code: Mapping[str, Disposition]

    def __getitem__(self, code: str) -> Disposition:
        try:
            return self.by_code[code]
        except KeyError:
            raise ValidationError("disposition", f"{code!r} is not a known disposition") from None

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_code)

    def __len__(self) -> int:
        return len(self.by_code)


STANDARD_CODES = (
    "right_party_contact",
    "third_party",
    "wrong_number",
    "no_answer",
    "busy",
    "voicemail",
    "powered_off",
    "number_suspended",
    "invalid_number",
    "refused_to_talk",
    "promise_to_pay",
    "dispute_raised",
    "hardship_claimed",
    "callback_requested",
    "paid",
)


def parse_dispositions(doc: object, *, base: Dispositions | None = None) -> Dispositions:
    """Read ``{dispositions: {code: {...}}}``; with `base`, the codes add to it.

    A code already in `base` is refused: a lender extends the standard list, it does not
    quietly change what a standard code drives.
    """
    root = _read.mapping("document", doc)
    _read.known_keys("document", root, ("dispositions",))
    entries = _read.mapping("dispositions", _read.required("document", root, "dispositions"))
    found: dict[str, Disposition] = dict(base.by_code) if base is not None else {}
    for raw_code, raw in entries.items():
        path = f"dispositions.{raw_code}"
        code = _read.code(path, raw_code)
        if code in found:
            raise ValidationError(path, "is already defined; choose another code")
        found[code] = _disposition(path, code, raw)
    if not found:
        raise ValidationError("dispositions", "must define at least one disposition")
    return Dispositions(MappingProxyType(found))  # read-only: the cached list is shared


@functools.cache
def standard_dispositions() -> Dispositions:
    """The bundled standard list (``core/data/dispositions.yaml``)."""
    text = resources.files("arrears.core").joinpath("data/dispositions.yaml").read_text("utf-8")
    return parse_dispositions(yaml.safe_load(text))


def dispositions_from_yaml(text: str) -> Dispositions:
    """The standard list extended with a lender's YAML document of extra codes."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValidationError("document", f"is not valid YAML: {exc}") from None
    return parse_dispositions(doc, base=standard_dispositions())


_FIELDS = (
    "label_en",
    "label_zh",
    "right_party",
    "connected",
    "attempt_outcome",
    "retry",
    "effects",
)


def _disposition(path: str, code: str, raw: object) -> Disposition:
    entry = _read.mapping(path, raw)
    _read.known_keys(path, entry, _FIELDS)
    right_party = _read.flag(f"{path}.right_party", _read.required(path, entry, "right_party"))
    connected = _read.flag(f"{path}.connected", _read.required(path, entry, "connected"))
    outcome = _outcome(f"{path}.attempt_outcome", _read.required(path, entry, "attempt_outcome"))
    retry = _retry(f"{path}.retry", _read.required(path, entry, "retry"))
    effects = _effects(f"{path}.effects", entry.get("effects", []))
    if right_party and not connected:
        raise ValidationError(f"{path}.connected", "a right-party contact is a connected call")
    if connected != outcome.answered:
        want = "connected, conversation or refused" if connected else "failed, no_answer, voicemail"
        raise ValidationError(f"{path}.attempt_outcome", f"for connected={connected} use {want}")
    _check_effects(f"{path}.effects", effects, retry, connected)
    return Disposition(
        code=code,
        label_en=_read.text(f"{path}.label_en", _read.required(path, entry, "label_en")),
        label_zh=_read.text(f"{path}.label_zh", _read.required(path, entry, "label_zh")),
        right_party=right_party,
        connected=connected,
        attempt_outcome=outcome,
        retry=retry,
        effects=effects,
    )


def _outcome(path: str, raw: object) -> AttemptOutcome:
    allowed = ", ".join(sorted(o.value for o in CALL_OUTCOMES))
    try:
        outcome = AttemptOutcome(str(raw))
    except ValueError:
        raise ValidationError(path, f"{raw!r} is not one of {allowed}") from None
    if outcome not in CALL_OUTCOMES:
        raise ValidationError(path, f"{raw!r} is a message outcome; a call is one of {allowed}")
    return outcome


def _retry(path: str, raw: object) -> Retry:
    entry = _read.mapping(path, raw)
    _read.known_keys(path, entry, ("rule", "minutes", "hours"))
    try:
        rule = RetryRule(str(_read.required(path, entry, "rule")))
    except ValueError:
        allowed = ", ".join(r.value for r in RetryRule)
        raise ValidationError(f"{path}.rule", f"must be one of {allowed}") from None
    minutes = hours = None
    if rule is RetryRule.SOON:
        minutes = _read.whole(
            f"{path}.minutes", _read.required(path, entry, "minutes"), low=1, high=_MAX_SOON_MINUTES
        )
    elif "minutes" in entry:
        raise ValidationError(f"{path}.minutes", "only a `soon` retry takes minutes")
    if rule is RetryRule.LATER_THEN_OTHER_NUMBERS:
        hours = _read.whole(
            f"{path}.hours", _read.required(path, entry, "hours"), low=1, high=_MAX_LATER_HOURS
        )
    elif "hours" in entry:
        raise ValidationError(
            f"{path}.hours", "only a `later_then_other_numbers` retry takes hours"
        )
    return Retry(rule, minutes=minutes, hours=hours)


def _effects(path: str, raw: Any) -> frozenset[Effect]:
    names = _read.string_list(path, raw)
    effects: set[Effect] = set()
    for i, name in enumerate(names):
        try:
            effect = Effect(name)
        except ValueError:
            allowed = ", ".join(e.value for e in Effect)
            raise ValidationError(f"{path}[{i}]", f"{name!r} is not one of {allowed}") from None
        if effect in effects:
            raise ValidationError(f"{path}[{i}]", f"{name!r} is listed twice")
        effects.add(effect)
    return frozenset(effects)


def _check_effects(path: str, effects: frozenset[Effect], retry: Retry, connected: bool) -> None:
    if {Effect.COUNT_NO_ANSWER, Effect.RESET_NO_ANSWER} <= effects:
        raise ValidationError(path, "cannot both count and reset the unanswered calls")
    if connected and Effect.COUNT_NO_ANSWER in effects:
        raise ValidationError(path, "a connected call is not an unanswered one")
    if (Effect.MARK_NUMBER_INVALID in effects) != (retry.rule is RetryRule.MARK_NUMBER_BAD):
        raise ValidationError(path, "mark_number_invalid goes with the retry rule mark_number_bad")
