"""Applying a strategy: which segment, which path (arm) and which step, and why.

`evaluate(strategy, facts, as_of=...)` decides for one account (and records every check it
made, for `arrears strategy explain`); `evaluate_frame(strategy, frame, as_of=...)` decides for
a whole facts frame at once, for the nightly batch. Differential tests hold the two to the same
answer, reason strings included.

The rule, for the account's segment and arm (docs/strategies.md, "How a step is chosen"):

1. Segments are tried in order; the first whose `when` holds applies. `action: none` leaves
   the account alone. Otherwise the account's slot picks its arm (`split`).
2. If the path's back-off holds, no new step starts (action none).
3. Walk the path's steps in order after `last_step` (from the first when `last_step` is not on
   this path). A day step whose day is not reached stops the walk: it *waits*. A step whose
   trigger does not hold, whose repeat window has ended (`days_past_due > until_day`) or whose
   `when` fails is passed over. A step that remains is skipped when its `skip_when` holds (the
   reason says so) and the walk goes on; otherwise it is *due* and the walk ends.
4. A due step wins. Else, if `last_step` repeats and is still active (inside its window, its
   trigger and `when` hold, its `skip_when` does not), it is due again once
   `days_since_last_step >= repeat_every_days` (or that is unknown), and otherwise waits.
   Else the step the walk stopped at waits for its day; else the path is done (the last step
   was the path's last) or has no step due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from arrears.core.strategy.document import Segment, Step, Strategy, TreatmentPath
from arrears.core.strategy.expressions import Expression
from arrears.core.strategy.expressions import evaluate as holds
from arrears.core.strategy.facts import AccountFacts
from arrears.core.strategy.outcomes import (
    LEFT_ALONE,
    NO_SEGMENT,
    Outcome,
    back_off_part,
    done_part,
    due_part,
    nothing_due_part,
    path_part,
    repeat_due_part,
    repeat_waits_part,
    segment_part,
    skipped_part,
    waits_part,
)
from arrears.core.strategy.reasons import Template, joined, render, show
from arrears.core.strategy.split import arm_of, slot
from arrears.core.strategy.vectorised import OUTPUT_SCHEMA, evaluate_frame

__all__ = ["OUTPUT_SCHEMA", "Check", "Evaluation", "evaluate", "evaluate_frame"]


@dataclass(frozen=True)
class Check:
    """One test the evaluator made: what was tested, the answer, and the values it read."""

    kind: str  # segment, arm, back_off, step
    subject: str  # the segment, path or step id
    test: str  # the condition's source, or the rule applied
    answer: str  # holds, fails, chosen, due, skipped, waits, passed over, …
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """The strategy's answer for one account (one row of `evaluate_frame`, plus the checks)."""

    account_id: int
    segment: str | None
    arm: str | None
    step: str | None
    action: str
    channel: str | None
    template: str | None
    approval: bool
    due_on: dt.date | None
    next_on: dt.date | None
    outcome: Outcome
    reason: str
    checks: tuple[Check, ...] = field(default=(), compare=False)

    def as_row(self) -> dict[str, Any]:
        """The answer as `evaluate_frame` writes it (its columns, in order)."""
        row = {name: getattr(self, name) for name in OUTPUT_SCHEMA}
        row["outcome"] = self.outcome.value
        return row


def evaluate(strategy: Strategy, facts: AccountFacts, *, as_of: dt.date) -> Evaluation:
    """Decide the account's segment, arm and step under the strategy on `as_of`."""
    return _Walk(strategy, facts, as_of).run()


class _Walk:
    def __init__(self, strategy: Strategy, facts: AccountFacts, as_of: dt.date) -> None:
        self.strategy, self.facts, self.as_of = strategy, facts, as_of
        self.checks: list[Check] = []

    def test(self, kind: str, subject: str, expression: Expression) -> bool:
        answer = holds(expression, self.facts)
        values = tuple((name, show(self.facts, name)) for name in expression.facts)
        self.checks.append(
            Check(kind, subject, expression.source, "holds" if answer else "fails", values)
        )
        return answer

    def note(self, kind: str, subject: str, rule: str, answer: str) -> None:
        self.checks.append(Check(kind, subject, rule, answer))

    def run(self) -> Evaluation:
        for segment in self.strategy.segments:
            if segment.when is None or self.test("segment", segment.id, segment.when):
                return self.in_segment(segment)
        return self.answer(Outcome.NO_SEGMENT, [NO_SEGMENT])

    def in_segment(self, segment: Segment) -> Evaluation:
        reason = [segment_part(segment)]
        if segment.leaves_alone:
            return self.answer(Outcome.LEFT_ALONE, [*reason, LEFT_ALONE], segment=segment)
        index = self.choose_arm(segment)
        path = self.strategy.paths[segment.arms[index].path]
        reason.append(path_part(segment, index))
        if path.back_off is not None and self.test("back_off", path.id, path.back_off.when):
            reason.append(back_off_part(path))
            return self.answer(Outcome.BACK_OFF, reason, segment=segment, path=path)
        outcome, at, skipped = self.walk(path)
        reason += [skipped_part(path.steps[i]) for i in skipped]
        step = path.steps[at] if at is not None else None
        reason.append(self.step_part(outcome, path, step))
        return self.answer(outcome, reason, segment=segment, path=path, step=step)

    def choose_arm(self, segment: Segment) -> int:
        if len(segment.arms) == 1:
            return 0
        number = slot(self.strategy.seed, segment.id, self.facts.account_id)
        index = arm_of(number, [arm.share for arm in segment.arms])
        low = sum(arm.share for arm in segment.arms[:index])
        high = low + segment.arms[index].share - 1
        rule = f"slot {number} of 0-99; this arm takes slots {low}-{high}"
        self.note("arm", segment.arms[index].path, rule, "chosen")
        return index

    def walk(self, path: TreatmentPath) -> tuple[Outcome, int | None, list[int]]:
        """Where the walk after `last_step` ends: (outcome, step index, steps skipped)."""
        steps = path.steps
        start = path.index_of(self.facts.last_step) if self.facts.last_step else -1
        skipped: list[int] = []
        waiting: int | None = None
        for index in range(start + 1, len(steps)):
            step = steps[index]
            if step.on_day is not None and not self.day_reached(step.on_day):
                self.note("step", step.id, f"day {step.on_day}", "waits")
                waiting = index
                break
            if not self.live(step):
                continue
            if step.skip_when is not None and self.test("step", step.id, step.skip_when):
                self.note("step", step.id, "skip_when holds", "skipped")
                skipped.append(index)
                continue
            self.note("step", step.id, "due", "due")
            return Outcome.DUE, index, skipped
        if start >= 0 and steps[start].repeats and self.still_active(steps[start]):
            return self.repeat(steps[start]), start, skipped
        if waiting is not None:
            return Outcome.WAITS, waiting, skipped
        if start == len(steps) - 1:
            return Outcome.DONE, None, skipped
        return Outcome.NOTHING_DUE, None, skipped

    def day_reached(self, day: int) -> bool:
        dpd = self.facts.days_past_due
        return dpd is not None and dpd >= day

    def window_over(self, step: Step) -> bool:
        dpd = self.facts.days_past_due
        return step.until_day is not None and dpd is not None and dpd > step.until_day

    def live(self, step: Step) -> bool:
        """Reached (its day or its trigger), inside its window, and its `when` holds."""
        if step.trigger is not None and not self.test("step", step.id, step.trigger):
            self.note("step", step.id, "trigger does not hold", "passed over")
            return False
        if self.window_over(step):
            self.note("step", step.id, f"repeats until day {step.until_day}", "passed over")
            return False
        if step.when is not None and not self.test("step", step.id, step.when):
            self.note("step", step.id, "when does not hold", "passed over")
            return False
        return True

    def still_active(self, step: Step) -> bool:
        if self.window_over(step):
            return False
        if step.trigger is not None and not self.test("step", step.id, step.trigger):
            return False
        if step.when is not None and not self.test("step", step.id, step.when):
            return False
        return step.skip_when is None or not self.test("step", step.id, step.skip_when)

    def repeat(self, step: Step) -> Outcome:
        since = self.facts.days_since_last_step
        assert step.repeat_every_days is not None
        due = since is None or since >= step.repeat_every_days
        rule = f"repeat every {step.repeat_every_days} days; days_since_last_step={since}"
        self.note("step", step.id, rule, "due again" if due else "waits to repeat")
        return Outcome.REPEAT_DUE if due else Outcome.REPEAT_WAITS

    def step_part(self, outcome: Outcome, path: TreatmentPath, step: Step | None) -> Template:
        if step is None:
            return done_part(path) if outcome is Outcome.DONE else nothing_due_part(path)
        parts = {
            Outcome.DUE: due_part,
            Outcome.REPEAT_DUE: repeat_due_part,
            Outcome.REPEAT_WAITS: repeat_waits_part,
            Outcome.WAITS: waits_part,
        }
        return parts[outcome](step)

    def next_on(self, outcome: Outcome, step: Step | None) -> dt.date | None:
        if outcome.is_due:
            return self.as_of
        if step is None:
            return None
        if outcome is Outcome.WAITS and step.on_day is not None:
            dpd = self.facts.days_past_due
            return None if dpd is None else self.as_of + dt.timedelta(days=step.on_day - dpd)
        since = self.facts.days_since_last_step
        if outcome is Outcome.REPEAT_WAITS and step.repeat_every_days and since is not None:
            return self.as_of + dt.timedelta(days=step.repeat_every_days - since)
        return None

    def answer(
        self,
        outcome: Outcome,
        reason: list[Template],
        *,
        segment: Segment | None = None,
        path: TreatmentPath | None = None,
        step: Step | None = None,
    ) -> Evaluation:
        return Evaluation(
            account_id=self.facts.account_id,
            segment=segment.id if segment else None,
            arm=path.id if path else None,
            step=step.id if step else None,
            action=step.action.value if step else "none",
            channel=step.channel if step else None,
            template=step.template if step else None,
            approval=step.needs_approval if step else False,
            due_on=self.as_of if outcome.is_due else None,
            next_on=self.next_on(outcome, step),
            outcome=outcome,
            reason=render(joined(reason), self.facts),
            checks=tuple(self.checks),
        )
