"""What evaluation can conclude for an account, and the reason templates for each conclusion.

Both evaluators reach one of the `Outcome`s below and explain it with the templates built
here from the strategy, so their reasons cannot drift apart.
"""

from __future__ import annotations

import enum

from arrears.core.strategy.document import Segment, Step, TreatmentPath
from arrears.core.strategy.reasons import Slot, Template, condition, template


class Outcome(enum.StrEnum):
    """Where the walk ended; `step`, `due_on` and `next_on` follow from it."""

    NO_SEGMENT = "no_segment"  # no segment's condition holds
    LEFT_ALONE = "left_alone"  # the segment's action is none: leave every queue
    BACK_OFF = "back_off"  # the borrower is engaging: no new step
    DUE = "due"  # the next step is due today
    REPEAT_DUE = "repeat_due"  # the current repeating step is due again today
    REPEAT_WAITS = "repeat_waits"  # the current repeating step waits for its next turn
    WAITS = "waits"  # the next step waits for its day
    DONE = "done"  # the path's last step is done
    NOTHING_DUE = "nothing_due"  # no later step is due (their triggers or conditions fail)

    @property
    def has_step(self) -> bool:
        return self in _WITH_STEP

    @property
    def is_due(self) -> bool:
        return self in (Outcome.DUE, Outcome.REPEAT_DUE)


_WITH_STEP = frozenset({Outcome.DUE, Outcome.REPEAT_DUE, Outcome.REPEAT_WAITS, Outcome.WAITS})

NO_SEGMENT: Template = ("no segment applies",)
LEFT_ALONE: Template = ("action none: leave every queue",)


def segment_part(segment: Segment) -> Template:
    if segment.when is None:
        return (f"segment {segment.id}: no condition",)
    return template(f"segment {segment.id}: ", condition(segment.when))


def path_part(segment: Segment, arm_index: int) -> Template:
    arm = segment.arms[arm_index]
    if len(segment.arms) == 1:
        return (f"path {arm.path}",)
    return (f"path {arm.path} (arm {arm.share}%)",)


def back_off_part(path: TreatmentPath) -> Template:
    assert path.back_off is not None
    return template("back-off: ", condition(path.back_off.when), f": {path.back_off.reason}")


def skipped_part(step: Step) -> Template:
    assert step.skip_when is not None
    return template(f"step {step.id} skipped: ", condition(step.skip_when))


def due_part(step: Step) -> Template:
    """`step call_d3: day 3 reached, repeats daily until day 15`."""
    if step.trigger is not None:
        started: Template = condition(step.trigger)
    else:
        started = (f"day {step.on_day} reached",)
    applies: Template = template(", when ", condition(step.when)) if step.when else ()
    return template(f"step {step.id}: ", started, applies, _repeats(step, prefix=", "))


def repeat_due_part(step: Step) -> Template:
    return template(
        f"step {step.id}: due again, days_since_last_step=",
        Slot("days_since_last_step"),
        _repeats(step, prefix=" (", suffix=")"),
    )


def repeat_waits_part(step: Step) -> Template:
    return template(
        f"step {step.id}: waits to repeat, days_since_last_step=",
        Slot("days_since_last_step"),
        _repeats(step, prefix=" (", suffix=")"),
    )


def waits_part(step: Step) -> Template:
    return template(
        f"step {step.id}: waits for day {step.on_day} (days_past_due=",
        Slot("days_past_due"),
        ")",
    )


def done_part(path: TreatmentPath) -> Template:
    return (f"path {path.id}: every step done",)


def nothing_due_part(path: TreatmentPath) -> Template:
    return (f"path {path.id}: no step due",)


def _repeats(step: Step, *, prefix: str, suffix: str = "") -> str:
    every = step.repeat_every_days
    if every is None:
        return ""
    text = "repeats daily" if every == 1 else f"repeats every {every} days"
    if step.until_day is not None:
        text += f" until day {step.until_day}"
    return f"{prefix}{text}{suffix}"
