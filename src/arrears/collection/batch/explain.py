"""Why an account gets what it gets tonight: facts, segment, arm, step, the gate's answer.

`explain_account` reads the account's facts with the night's own code (a shard of one account,
`single.account_facts_on`), applies the strategy with the scalar `evaluate` — which records
every check it made — and the pause rule, proposes the contact the step would make (address,
moment) and asks the compliance gate when it could be made (`next_permitted`: nothing is
logged, no permit issued). An account with no open case is explained as the night would see it:
with the case it would open (or, when it is not past due, a case at stage pre-delinquency).
Nothing is written: the reading runs in a transaction that is rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction

from arrears.collection.batch.facts import facts_of_cases
from arrears.collection.batch.night import Night
from arrears.collection.batch.plan import CONTACTS
from arrears.collection.batch.reading import CASE_SCHEMA, Shard, read_shard
from arrears.collection.batch.single import Answer, answer_for, contact_address, contact_moment
from arrears.collection.choices import ActionKind, CaseStatus
from arrears.collection.models import Case
from arrears.compliance.choices import Purpose
from arrears.compliance.services import next_permitted
from arrears.core.clock import Clock, FixedClock
from arrears.core.collection.stages import stage_for
from arrears.core.strategy import account_facts
from arrears.core.strategy.facts import FACTS, AccountFacts
from arrears.servicing.models import Account


@dataclass(frozen=True)
class Explanation:
    account: Account
    on: dt.date
    case: Case | None  # the open case (None: the night would open one, or none applies)
    opens_case: bool
    facts: AccountFacts
    answer: Answer
    contact: dict[str, Any] | None  # the proposed contact and the gate's answer

    def as_json(self) -> dict[str, Any]:
        found = self.answer.evaluation
        case = self.case
        return {
            "account": self.account.number,
            "account_id": self.account.pk,
            "on": self.on.isoformat(),
            "case": None
            if case is None
            else {
                "id": case.pk,
                "stage": case.stage,
                "opened_on": case.opened_on.isoformat(),
                "next_action": case.next_action,
                "next_action_on": _iso(case.next_action_on),
                "next_action_reason": case.next_action_reason,
                "paused_until": _iso(case.paused_until),
            },
            "opens_case": self.opens_case,
            "facts": {name: _plain(self.facts.value(name)) for name in FACTS},
            "checks": [
                {
                    "kind": c.kind,
                    "subject": c.subject,
                    "test": c.test,
                    "answer": c.answer,
                    "values": dict(c.values),
                }
                for c in found.checks
            ],
            "segment": found.segment,
            "arm": found.arm,
            "step": self.answer.step,
            "action": self.answer.action,
            "channel": self.answer.channel,
            "template": self.answer.template,
            "approval": self.answer.approval,
            "due_on": _iso(self.answer.due_on),
            "next_on": _iso(self.answer.next_on),
            "outcome": self.answer.outcome,
            "reason": self.answer.reason,
            "contact": self.contact,
        }


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value: Any) -> Any:
    return str(value) if not isinstance(value, int | bool | str | type(None)) else value


def explain_account(*, account: Account, on: dt.date, clock: Clock) -> Explanation:
    """Explain the night of `on` for one account (writes nothing)."""
    clock = FixedClock(clock.now())  # one moment for the proposal and the gate
    with transaction.atomic():
        explanation = _explain(account, on, clock)
        transaction.set_rollback(True)
    return explanation


def _explain(account: Account, on: dt.date, clock: Clock) -> Explanation:
    night = Night.load(business_date=on, clock=clock)
    frames = read_shard(
        Shard(on, account.pk, account.pk, every_account=True),
        back_off_days=night.back_off_days,
        rpc_days=night.rpc_days,
    )
    case = Case.objects.filter(account=account, status=CaseStatus.OPEN).first()
    cases = frames.cases if case is not None else _provisional(account, on)
    facts_row = facts_of_cases(
        frames, cases, night.products, day=on, time_zone=night.lender_zone,
        back_off_days=night.back_off_days,
    )  # fmt: skip
    facts = account_facts(facts_row.drop("case_id").row(0, named=True))
    answer = answer_for(facts, case or Case(), night, day=on)
    contact = None
    if answer.outcome in ("due", "repeat_due") and answer.action in CONTACTS:
        contact = _gate(account, answer, night, on, clock)
    opens = (
        case is None and account.status in ("open", "charged_off") and account.days_past_due >= 1
    )
    return Explanation(account, on, case, opens, facts, answer, contact)


def _provisional(account: Account, on: dt.date) -> pl.DataFrame:
    """The case the night would open for the account today (case id 0)."""
    stage = stage_for(int(account.days_past_due), charged_off=account.charged_off_on is not None)
    row: dict[str, Any] = {name: None for name in CASE_SCHEMA}
    row.update(case_id=0, account_id=account.pk, stage=stage.value, opened_on=on, segment="",
               path="", last_step="", next_action="none", next_action_reason="",
               pause_reason="", hardship=False, vulnerable=False, no_answer_streak=0,
               owner_kind="queue")  # fmt: skip
    schema = {**CASE_SCHEMA}
    for name in ("opened_on", "last_step_on", "next_action_on", "paused_until", "evaluated_on"):
        schema[name] = pl.Date()
    return pl.DataFrame([row], schema=schema, orient="row")


def _gate(
    account: Account, answer: Answer, night: Night, on: dt.date, clock: Clock
) -> dict[str, Any]:
    """The contact the step proposes and when the gate would first allow it (nothing logged)."""
    channel = "call" if answer.action == ActionKind.CALL else (answer.channel or "")
    address = contact_address(account, channel)
    at = contact_moment(account.borrower.time_zone, day=on, hour=night.contact_hour,
                        now=night.now, lender_zone=night.lender_zone)  # fmt: skip
    found: dict[str, Any] = {"channel": channel, "address": address, "at": at.isoformat()}
    if address is None:
        return {**found, "answer": "no_address", "next_permitted_at": None}
    permitted = next_permitted(
        borrower=account.borrower, account=account, channel=channel, address=address,
        purpose=Purpose.COLLECTION, automated=channel != "call", at=at, clock=clock,
    )  # fmt: skip
    if permitted is None:
        verdict = "blocked"
    elif permitted > at:
        verdict = "deferred"
    else:
        verdict = "allowed"
    return {**found, "answer": verdict, "next_permitted_at": _iso(permitted)}
