"""A collection strategy (催收策略) as a versioned YAML document, read into frozen dataclasses.

Segments (客群分层) are tried in order and the first whose `when` holds applies; it either
leaves the account alone (`action: none`) or splits it between treatment paths (处置路径) by
share — champion/challenger. A path is an ordered list of steps, each due on a day past due or
when a trigger holds. docs/strategies.md describes every field; `evaluate` applies a strategy.

Every field is checked on load and an error names it by its dotted path, e.g.
``paths.early_soft.steps[3].channel: sms is not a channel for a warning_letter (letter, email)``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from arrears.core.errors import ValidationError
from arrears.core.strategy.expressions import Expression, parse_expression
from arrears.core.strategy.expressions.tree import Constant
from arrears.core.strategy.reading import (
    StrictLoader,
    read_choice,
    read_fields,
    read_id,
    read_list,
    read_text,
    read_whole,
)

MAX_DAY = 3650
MAX_STEPS = 60  # the evaluators track a path's steps in one 64-bit mask


class Action(enum.StrEnum):
    """What a step does (the values of `collection.choices.ActionKind`)."""

    MESSAGE = "message"
    CALL = "call"
    WARNING_LETTER = "warning_letter"  # 催收函
    LAWYERS_LETTER = "lawyers_letter"  # 律师函
    LEGAL_REVIEW = "legal_review"
    AGENCY_PLACEMENT = "agency_placement"  # 委外
    NONE = "none"


class Approval(enum.StrEnum):
    NONE = "none"
    SUPERVISOR = "supervisor"


#: The channels each action may use; the first is the default where the action has one.
CHANNELS: dict[Action, tuple[str, ...]] = {
    Action.MESSAGE: ("sms", "email", "letter", "in_app"),
    Action.CALL: ("call",),
    Action.WARNING_LETTER: ("letter", "email"),
    Action.LAWYERS_LETTER: ("letter", "email"),
    Action.LEGAL_REVIEW: (),
    Action.AGENCY_PLACEMENT: (),
}
#: Actions that send words to the borrower, and so need a template.
TEMPLATED = frozenset({Action.MESSAGE, Action.WARNING_LETTER, Action.LAWYERS_LETTER})


@dataclass(frozen=True)
class Names:
    en: str
    zh: str


@dataclass(frozen=True)
class Step:
    """One treatment step: what to do, when it becomes due, and when to pass over it."""

    id: str
    action: Action
    on_day: int | None = None  # due once days past due reaches this
    trigger: Expression | None = None  # … or due whenever this holds
    when: Expression | None = None  # applies only when this holds
    skip_when: Expression | None = None  # a due step is skipped when this holds
    channel: str | None = None
    template: str | None = None
    repeat_every_days: int | None = None
    until_day: int | None = None
    approval: Approval = Approval.NONE

    @property
    def repeats(self) -> bool:
        return self.repeat_every_days is not None

    @property
    def needs_approval(self) -> bool:
        return self.approval is Approval.SUPERVISOR


@dataclass(frozen=True)
class BackOff:
    """While `when` holds (the borrower is engaging) the path starts no new step."""

    when: Expression
    reason: str


@dataclass(frozen=True)
class TreatmentPath:
    id: str
    steps: tuple[Step, ...]
    back_off: BackOff | None = None
    name: Names | None = None

    def index_of(self, step_id: str) -> int:
        """The step's position, or -1 when it is not on this path."""
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        return -1


@dataclass(frozen=True)
class Arm:
    """A path and its share (percent) of a segment's accounts."""

    path: str
    share: int


@dataclass(frozen=True)
class Segment:
    id: str
    when: Expression | None  # None: every account that reaches this segment
    arms: tuple[Arm, ...]  # empty: `action: none`, the account leaves every queue
    name: Names | None = None

    @property
    def leaves_alone(self) -> bool:
        return not self.arms


@dataclass(frozen=True)
class Strategy:
    code: str
    version: str
    name: Names
    segments: tuple[Segment, ...]
    paths: Mapping[str, TreatmentPath]
    seed: int = 0
    description: str = ""


# --- reading ----------------------------------------------------------------------------------


def parse_strategy(data: object) -> Strategy:
    """A strategy from its parsed YAML (a mapping); every error names its dotted field path."""
    top = read_fields("", data, required=("code", "version", "name", "segments", "paths"),
                  optional=("description", "champion_challenger"))  # fmt: skip
    paths = _paths(top["paths"])
    segments = _segments(top["segments"], paths)
    seed = _seed(top.get("champion_challenger"), segments)
    version = top["version"]
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    return Strategy(
        code=read_id("code", top["code"]),
        version=read_text("version", version),
        name=_names("name", top["name"]),
        segments=segments,
        paths=paths,
        seed=seed,
        description=read_text("description", top.get("description", " "), blank=True),
    )


def read_strategy(text: str, *, source: str = "strategy") -> Strategy:
    """A strategy from YAML text; YAML errors name the line and column in `source`."""
    try:
        data = yaml.load(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ValidationError(source, f"not valid YAML{where}: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ValidationError(source, f"not valid YAML: {error}") from None
    return parse_strategy(data)


def load_strategy(path: Path) -> Strategy:
    return read_strategy(path.read_text(encoding="utf-8"), source=str(path))


#: The bundled strategy the night applies when none is active, and the only one activated when
#: the bundled strategies are loaded (the others, e.g. `value-first`, wait for a supervisor).
DEFAULT_STRATEGY = "conventional-ladder"


def bundled_strategy_codes() -> tuple[str, ...]:
    """The strategies shipped with Arrears (core/data/strategies/*.yaml)."""
    folder = resources.files("arrears.core").joinpath("data", "strategies")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


def bundled_strategy_text(code: str) -> str:
    if code not in bundled_strategy_codes():
        known = ", ".join(bundled_strategy_codes())
        raise ValidationError("code", f"no bundled strategy {code!r} (bundled: {known})")
    file = resources.files("arrears.core").joinpath("data", "strategies", f"{code}.yaml")
    return file.read_text(encoding="utf-8")


def load_bundled_strategy(code: str) -> Strategy:
    """A bundled strategy by its file name, e.g. ``conventional-ladder``."""
    return read_strategy(bundled_strategy_text(code), source=f"{code}.yaml")


# --- sections ---------------------------------------------------------------------------------


def _segments(raw: object, paths: Mapping[str, TreatmentPath]) -> tuple[Segment, ...]:
    items = read_list("segments", raw)
    segments: list[Segment] = []
    seen: dict[str, int] = {}
    catch_all: int | None = None
    for i, item in enumerate(items):
        where = f"segments[{i}]"
        if catch_all is not None:
            raise ValidationError(
                where,
                f"is never reached: segments[{catch_all}] ({segments[catch_all].id}) "
                "applies to every account; give it a `when` or move it last",
            )
        fields = read_fields(where, item, required=("id",),
                         optional=("when", "action", "paths", "name"))  # fmt: skip
        segment_id = read_id(f"{where}.id", fields["id"])
        if segment_id in seen:
            raise ValidationError(
                f"{where}.id", f"{segment_id!r} is also segments[{seen[segment_id]}]"
            )
        seen[segment_id] = i
        when = _condition(f"{where}.when", fields["when"]) if "when" in fields else None
        segments.append(
            Segment(
                id=segment_id,
                when=when,
                arms=_segment_arms(where, fields, paths),
                name=_names(f"{where}.name", fields["name"]) if "name" in fields else None,
            )
        )
        if when is None or when.node == Constant(True):
            catch_all = i
    return tuple(segments)


def _segment_arms(
    where: str, fields: Mapping[str, Any], paths: Mapping[str, TreatmentPath]
) -> tuple[Arm, ...]:
    if ("action" in fields) == ("paths" in fields):
        raise ValidationError(where, "needs either `action: none` or `paths`, not both")
    if "action" in fields:
        if fields["action"] != Action.NONE.value:
            raise ValidationError(
                f"{where}.action", "a segment's action can only be none (leave every queue)"
            )
        return ()
    items = read_list(f"{where}.paths", fields["paths"])
    arms: list[Arm] = []
    for k, item in enumerate(items):
        at = f"{where}.paths[{k}]"
        arm = read_fields(at, item, required=("path",), optional=("share",))
        path = read_text(f"{at}.path", arm["path"])
        if path not in paths:
            raise ValidationError(f"{at}.path", f"no path {path!r} (paths: {', '.join(paths)})")
        if any(a.path == path for a in arms):
            raise ValidationError(f"{at}.path", f"{path!r} is already an arm of this segment")
        default = 100 if len(items) == 1 else None
        share = read_whole(f"{at}.share", arm.get("share", default), low=1, high=100)
        arms.append(Arm(path, share))
    total = sum(a.share for a in arms)
    if total != 100:
        raise ValidationError(f"{where}.paths", f"shares add up to {total}, not 100")
    return tuple(arms)


def _seed(raw: object, segments: tuple[Segment, ...]) -> int:
    splits = [s.id for s in segments if len(s.arms) > 1]
    if raw is None:
        if splits:
            raise ValidationError(
                "champion_challenger.seed",
                f"is required: segment {splits[0]} splits between paths",
            )
        return 0
    fields = read_fields("champion_challenger", raw, required=("seed",), optional=())
    return read_whole("champion_challenger.seed", fields["seed"], low=0, high=2**63 - 1)


def _paths(raw: object) -> dict[str, TreatmentPath]:
    if not isinstance(raw, Mapping) or not raw:
        raise ValidationError("paths", "must map path ids to paths")
    paths: dict[str, TreatmentPath] = {}
    for key, item in raw.items():
        path_id = read_id(f"paths.{key}", key)
        where = f"paths.{path_id}"
        fields = read_fields(where, item, required=("steps",), optional=("back_off", "name"))
        paths[path_id] = TreatmentPath(
            id=path_id,
            steps=_steps(f"{where}.steps", fields["steps"]),
            back_off=_back_off(f"{where}.back_off", fields["back_off"])
            if "back_off" in fields
            else None,
            name=_names(f"{where}.name", fields["name"]) if "name" in fields else None,
        )
    return paths


def _back_off(where: str, raw: object) -> BackOff:
    fields = read_fields(where, raw, required=("when", "reason"), optional=())
    return BackOff(
        when=_condition(f"{where}.when", fields["when"]),
        reason=read_text(f"{where}.reason", fields["reason"]),
    )


def _steps(where: str, raw: object) -> tuple[Step, ...]:
    items = read_list(where, raw)
    if len(items) > MAX_STEPS:
        raise ValidationError(where, f"has {len(items)} steps; a path holds at most {MAX_STEPS}")
    steps: list[Step] = []
    last_day: tuple[int, int] | None = None
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        step = _step(at, item)
        earlier = [k for k, s in enumerate(steps) if s.id == step.id]
        if earlier:
            raise ValidationError(f"{at}.id", f"{step.id!r} is also {where}[{earlier[0]}]")
        if step.on_day is not None:
            if last_day is not None and step.on_day < last_day[1]:
                raise ValidationError(
                    f"{at}.on_day",
                    f"day {step.on_day} comes after day {last_day[1]} of {where}[{last_day[0]}]; "
                    "day steps go in day order",
                )
            last_day = (i, step.on_day)
        steps.append(step)
    return tuple(steps)


_STEP_FIELDS = ("on_day", "trigger", "when", "skip_when", "channel", "template",
                "repeat_every_days", "until_day", "approval")  # fmt: skip


def _step(at: str, raw: object) -> Step:
    fields = read_fields(at, raw, required=("id", "action"), optional=_STEP_FIELDS)
    action = read_choice(f"{at}.action", fields["action"], Action)
    if action is Action.NONE:
        raise ValidationError(f"{at}.action", "a step must do something; leave the step out")
    if ("on_day" in fields) == ("trigger" in fields):
        raise ValidationError(at, "needs either `on_day` or `trigger`, not both")
    on_day = (
        read_whole(f"{at}.on_day", fields["on_day"], low=0, high=MAX_DAY)
        if "on_day" in fields
        else None
    )
    repeat = (
        read_whole(f"{at}.repeat_every_days", fields["repeat_every_days"], low=1, high=365)
        if "repeat_every_days" in fields
        else None
    )
    until = None
    if "until_day" in fields:
        if repeat is None:
            raise ValidationError(f"{at}.until_day", "goes with repeat_every_days")
        until = read_whole(f"{at}.until_day", fields["until_day"], low=on_day or 0, high=MAX_DAY)
    return Step(
        id=read_id(f"{at}.id", fields["id"]),
        action=action,
        on_day=on_day,
        trigger=_optional_condition(at, fields, "trigger"),
        when=_optional_condition(at, fields, "when"),
        skip_when=_optional_condition(at, fields, "skip_when"),
        channel=_channel(at, action, fields.get("channel")),
        template=_template(at, action, fields.get("template")),
        repeat_every_days=repeat,
        until_day=until,
        approval=read_choice(f"{at}.approval", fields.get("approval", "none"), Approval),
    )


def _channel(at: str, action: Action, raw: object) -> str | None:
    allowed = CHANNELS[action]
    if raw is None:
        if action is Action.MESSAGE:
            raise ValidationError(f"{at}.channel", f"is required ({', '.join(allowed)})")
        return allowed[0] if allowed else None
    channel = read_text(f"{at}.channel", raw)
    if channel not in allowed:
        usable = f"({', '.join(allowed)})" if allowed else "(it uses none)"
        raise ValidationError(
            f"{at}.channel", f"{channel} is not a channel for a {action} {usable}"
        )
    return channel


def _template(at: str, action: Action, raw: object) -> str | None:
    if raw is None:
        if action in TEMPLATED:
            raise ValidationError(f"{at}.template", f"is required: a {action} sends words")
        return None
    if action not in TEMPLATED:
        raise ValidationError(f"{at}.template", f"a {action} sends nothing, so it has no template")
    return read_id(f"{at}.template", raw)


# --- fields -----------------------------------------------------------------------------------


def _names(where: str, raw: object) -> Names:
    fields = read_fields(where, raw, required=("en", "zh"), optional=())
    return Names(
        en=read_text(f"{where}.en", fields["en"]), zh=read_text(f"{where}.zh", fields["zh"])
    )


def _condition(where: str, raw: object) -> Expression:
    return parse_expression(raw, field=where)


def _optional_condition(at: str, fields: Mapping[str, Any], name: str) -> Expression | None:
    return _condition(f"{at}.{name}", fields[name]) if name in fields else None
