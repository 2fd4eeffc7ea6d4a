"""The stage of a collection case (催收阶段) from the account's days past due.

The default rule, which a lender may replace with its own bounds (`StageRule`):

| stage | when |
|---|---|
| `pre_delinquency` | not yet past due (0 days), for a pre-delinquency segment's case |
| `early` (前期催收) | 1–30 days past due |
| `mid` | 31–60 days past due |
| `late` (后期催收) | 61 days past due and more |
| `recovery` | the account is charged off (核销后回收), whatever the days past due |
| `legal`, `agency` | only by escalation (a legal review approved, a placement): days past due
  never move a case into or out of them |

A stage set by escalation stays until a person moves the case (a recall ends `agency`); the
batch and the services both call `stage_for`, so a case moves the same way online and at night.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from arrears.core.errors import ValidationError


class Stage(StrEnum):
    """The stages a case moves through (values are the collection app's `CaseStage`)."""

    PRE_DELINQUENCY = "pre_delinquency"
    EARLY = "early"
    MID = "mid"
    LATE = "late"
    RECOVERY = "recovery"
    LEGAL = "legal"
    AGENCY = "agency"


#: Stages a case enters only by escalation; days past due never move it out of them.
ESCALATED = frozenset({Stage.LEGAL, Stage.AGENCY})


@dataclass(frozen=True, slots=True)
class StageRule:
    """The last day past due of the early and mid stages (late is everything after)."""

    early_until_dpd: int = 30
    mid_until_dpd: int = 60

    def __post_init__(self) -> None:
        if self.early_until_dpd < 1:
            raise ValidationError("early_until_dpd", "must be at least 1")
        if self.mid_until_dpd <= self.early_until_dpd:
            raise ValidationError("mid_until_dpd", "must be after early_until_dpd")


DEFAULT_STAGE_RULE = StageRule()


def stage_for(
    days_past_due: int,
    *,
    charged_off: bool = False,
    current: Stage | str | None = None,
    rule: StageRule = DEFAULT_STAGE_RULE,
) -> Stage:
    """The stage a case should be in today.

    `current` is the case's stage now: a case escalated to legal or agency stays there.
    """
    if days_past_due < 0:
        raise ValidationError("days_past_due", "cannot be negative")
    if current is not None and Stage(current) in ESCALATED:
        return Stage(current)
    if charged_off:
        return Stage.RECOVERY
    if days_past_due == 0:
        return Stage.PRE_DELINQUENCY
    if days_past_due <= rule.early_until_dpd:
        return Stage.EARLY
    if days_past_due <= rule.mid_until_dpd:
        return Stage.MID
    return Stage.LATE
