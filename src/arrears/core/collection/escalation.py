"""Escalation preconditions (升级前置条件): may this case get a warning letter, a lawyer's letter, a
legal-referral review or an agency placement today?

`check_escalation` runs the checks a lender makes before each step — earlier notices sent and
their waiting periods passed, no dispute open, no hold, not on a plan, no live promise, the
forbearance assessment done (UK, EU), the balance and days past due high enough — and returns
every check with pass or fail, a reason key (`labels.LABELS`) and its parameters, so the console
can say why. The figures are data per jurisdiction (``core/data/escalation.yaml``: CN, US, UK,
EU; Ireland uses the EU's) with their citations. Whether a supervisor must approve the step is
the strategy step's business, not this module's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from typing import Any

import yaml

from arrears.core.collection import _read
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.compliance.model import Citation, Verification
from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.core.parsing import parse_amount


class EscalationStep(StrEnum):
    WARNING_LETTER = "warning_letter"  # 催收函
    LAWYERS_LETTER = "lawyers_letter"  # 律师函
    LEGAL_REVIEW = "legal_review"  # 诉讼审查 (legal-referral review)
    AGENCY_PLACEMENT = "agency_placement"  # 委外


_SWITCHES = ("no_dispute", "no_hold", "not_on_plan", "no_live_promise", "forbearance_considered")
_SWITCH_DEFAULTS = {name: name != "forbearance_considered" for name in _SWITCHES}
_FAILED = {
    "no_dispute": "escalation.dispute_open",
    "no_hold": "escalation.hold_in_force",
    "not_on_plan": "escalation.on_plan",
    "no_live_promise": "escalation.live_promise",
    "forbearance_considered": "escalation.forbearance_not_considered",
}


@dataclass(frozen=True, slots=True)
class NoticeRequirement:
    notice: str  # reminder, arrears_notice, default_notice, warning_letter, lawyers_letter …
    min_days_since: int
    cite: Citation


@dataclass(frozen=True)
class StepRules:
    step: EscalationStep
    cite: Citation
    min_days_past_due: int
    min_balance: Money
    notices: tuple[NoticeRequirement, ...] = ()
    no_dispute: bool = True
    no_hold: bool = True
    not_on_plan: bool = True
    no_live_promise: bool = True
    forbearance_considered: bool = False


@dataclass(frozen=True)
class EscalationRules:
    jurisdiction: str
    currency: str
    steps: Mapping[EscalationStep, StepRules]

    def for_step(self, step: EscalationStep) -> StepRules:
        if step not in self.steps:
            raise ValidationError("step", f"{self.jurisdiction} has no rules for {step.value}")
        return self.steps[step]


@dataclass(frozen=True)
class CaseFacts:
    """What the shell knows about the case on `as_of`."""

    as_of: dt.date
    days_past_due: int
    balance: Money
    notices_sent: Mapping[str, dt.date] = field(default_factory=dict)  # kind → last sent on
    dispute_open: bool = False
    holds: frozenset[str] = frozenset()  # kinds of the holds in force
    on_plan: bool = False  # a hardship / repayment plan is running
    live_promise: bool = False
    forbearance_considered: bool = False  # a documented forbearance assessment exists


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool
    reason: str  # a key of `labels.LABELS`
    params: Mapping[str, str]
    cite: Citation
    ready_on: dt.date | None = None  # for a waiting period: the first day it has passed


@dataclass(frozen=True, slots=True)
class Readiness:
    step: EscalationStep
    jurisdiction: str
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def waiting_until(self) -> dt.date | None:
        """When only waiting periods hold the step back, the day the last one ends."""
        failures = self.failures
        if not failures or any(c.ready_on is None for c in failures):
            return None
        return max(c.ready_on for c in failures if c.ready_on is not None)


def check_escalation(step: EscalationStep, facts: CaseFacts, rules: EscalationRules) -> Readiness:
    """Every precondition of `step` for the case, each passed or failed with its reason."""
    step_rules = rules.for_step(step)
    if facts.balance.currency != rules.currency:
        raise ValidationError(
            "balance", f"is in {facts.balance.currency}, the rules in {rules.currency}"
        )
    checks = [
        _days_past_due(facts, step_rules),
        _balance(facts, step_rules),
        *(_notice(facts, need) for need in step_rules.notices),
        *_switches(facts, step_rules),
    ]
    return Readiness(step, rules.jurisdiction, tuple(checks))


def _days_past_due(facts: CaseFacts, rules: StepRules) -> Check:
    params = {"days_past_due": str(facts.days_past_due), "minimum": str(rules.min_days_past_due)}
    passed = facts.days_past_due >= rules.min_days_past_due
    reason = "escalation.days_past_due_reached" if passed else "escalation.too_few_days_past_due"
    return Check("days_past_due", passed, reason, params, rules.cite)


def _balance(facts: CaseFacts, rules: StepRules) -> Check:
    params = {"balance": str(facts.balance), "minimum": str(rules.min_balance)}
    passed = facts.balance >= rules.min_balance
    reason = "escalation.balance_reached" if passed else "escalation.balance_too_small"
    return Check("balance", passed, reason, params, rules.cite)


def _notice(facts: CaseFacts, need: NoticeRequirement) -> Check:
    name = f"notice:{need.notice}"
    sent_on = facts.notices_sent.get(need.notice)
    if sent_on is None:
        params = {"notice": need.notice, "days": str(need.min_days_since)}
        return Check(name, False, "escalation.notice_missing", params, need.cite)
    ready_on = sent_on + dt.timedelta(days=need.min_days_since)
    params = {
        "notice": need.notice,
        "sent_on": sent_on.isoformat(),
        "days": str(need.min_days_since),
        "ready_on": ready_on.isoformat(),
    }
    if facts.as_of >= ready_on:
        return Check(name, True, "escalation.notice_waited", params, need.cite)
    return Check(name, False, "escalation.waiting_period", params, need.cite, ready_on=ready_on)


def _switches(facts: CaseFacts, rules: StepRules) -> list[Check]:
    passes = {
        "no_dispute": not facts.dispute_open,
        "no_hold": not facts.holds,
        "not_on_plan": not facts.on_plan,
        "no_live_promise": not facts.live_promise,
        "forbearance_considered": facts.forbearance_considered,
    }
    checks = []
    for name in _SWITCHES:
        if not getattr(rules, name):
            continue
        passed = passes[name]
        params = (
            {"holds": ", ".join(sorted(facts.holds))} if name == "no_hold" and not passed else {}
        )
        reason = f"escalation.{name}" if passed else _FAILED[name]
        checks.append(Check(name, passed, reason, params, rules.cite))
    return checks


# --- the rules as data ------------------------------------------------------------------------


def parse_escalation_rules(doc: object) -> dict[str, EscalationRules]:
    """Read ``{sources: …, jurisdictions: {CN: {currency, steps: {…}}}}``, naming bad fields."""
    root = _read.mapping("document", doc)
    _read.known_keys("document", root, ("sources", "jurisdictions"))
    sources = _sources(root.get("sources") or {})
    found: dict[str, EscalationRules] = {}
    jurisdictions = _read.mapping(
        "jurisdictions", _read.required("document", root, "jurisdictions")
    )
    for code, raw in jurisdictions.items():
        path = f"jurisdictions.{code}"
        jurisdiction = profile_code_for(str(code), field=path)
        entry = _read.mapping(path, raw)
        _read.known_keys(path, entry, ("currency", "steps"))
        currency = _read.text(f"{path}.currency", _read.required(path, entry, "currency"))
        steps_raw = _read.mapping(f"{path}.steps", _read.required(path, entry, "steps"))
        steps = {}
        for step_name, step_raw in steps_raw.items():
            where = f"{path}.steps.{step_name}"
            try:
                step = EscalationStep(str(step_name))
            except ValueError:
                allowed = ", ".join(s.value for s in EscalationStep)
                raise ValidationError(where, f"is not a step ({allowed})") from None
            steps[step] = _step(where, step, step_raw, currency, sources)
        found[jurisdiction] = EscalationRules(jurisdiction, currency, steps)
    return found


@functools.cache
def bundled_escalation_rules() -> Mapping[str, EscalationRules]:
    """The defaults shipped in ``core/data/escalation.yaml``."""
    text = resources.files("arrears.core").joinpath("data/escalation.yaml").read_text("utf-8")
    return parse_escalation_rules(yaml.safe_load(text))


def escalation_rules_for(
    jurisdiction: str, rules: Mapping[str, EscalationRules] | None = None
) -> EscalationRules:
    """The rules of a jurisdiction or country (GB → UK, FR → EU); Ireland falls back to the EU."""
    table = rules if rules is not None else bundled_escalation_rules()
    code = profile_code_for(jurisdiction)
    if code == "IE" and code not in table:
        code = "EU"
    if code not in table:
        raise ValidationError("jurisdiction", f"no escalation rules for {code}")
    return table[code]


def _step(
    path: str, step: EscalationStep, raw: object, currency: str, sources: Mapping[str, Citation]
) -> StepRules:
    entry = _read.mapping(path, raw)
    allowed = ("cite", "min_days_past_due", "min_balance", "notices", *_SWITCHES)
    _read.known_keys(path, entry, allowed)
    cite = _cite(f"{path}.cite", _read.required(path, entry, "cite"), sources)
    balance = _read.required(path, entry, "min_balance")
    if not isinstance(balance, str):
        raise ValidationError(f"{path}.min_balance", 'write the amount in quotes, e.g. "100.00"')
    switches = {
        name: _read.flag(f"{path}.{name}", entry.get(name, _SWITCH_DEFAULTS[name]))
        for name in _SWITCHES
    }
    return StepRules(
        step=step,
        cite=cite,
        min_days_past_due=_read.whole(
            f"{path}.min_days_past_due",
            _read.required(path, entry, "min_days_past_due"),
            low=0,
            high=3650,
        ),
        min_balance=parse_amount(f"{path}.min_balance", balance, currency, allow_zero=True),
        notices=_notices(f"{path}.notices", entry.get("notices", []), sources),
        **switches,
    )


def _notices(
    path: str, raw: object, sources: Mapping[str, Citation]
) -> tuple[NoticeRequirement, ...]:
    if not isinstance(raw, list):
        raise ValidationError(path, "must be a list of {notice, min_days_since, cite}")
    needs = []
    for i, item in enumerate(raw):
        where = f"{path}[{i}]"
        entry = _read.mapping(where, item)
        _read.known_keys(where, entry, ("notice", "min_days_since", "cite"))
        needs.append(
            NoticeRequirement(
                notice=_read.code(f"{where}.notice", _read.required(where, entry, "notice")),
                min_days_since=_read.whole(
                    f"{where}.min_days_since",
                    _read.required(where, entry, "min_days_since"),
                    low=0,
                    high=3650,
                ),
                cite=_cite(f"{where}.cite", _read.required(where, entry, "cite"), sources),
            )
        )
    return tuple(needs)


def _sources(raw: Any) -> dict[str, Citation]:
    entries = _read.mapping("sources", raw)
    statuses = ", ".join(v.value for v in Verification)
    found = {}
    for ref, entry_raw in entries.items():
        where = f"sources.{ref}"
        entry = _read.mapping(where, entry_raw)
        _read.known_keys(where, entry, ("source", "status", "note"))
        source = _read.text(f"{where}.source", _read.required(where, entry, "source"))
        try:
            status = Verification(str(_read.required(where, entry, "status")))
        except ValueError:
            raise ValidationError(f"{where}.status", f"must be one of {statuses}") from None
        found[str(ref)] = Citation(ref=str(ref), source=source, status=status)
    return found


def _cite(path: str, raw: object, sources: Mapping[str, Citation]) -> Citation:
    if not isinstance(raw, str) or raw not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise ValidationError(path, f"{raw!r} is not an entry of `sources` (known: {known})")
    return sources[raw]
