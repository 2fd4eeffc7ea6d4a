"""Steps that apps above servicing add to the daily cycle, without servicing importing them.

An app registers its step from its `AppConfig.ready()` — e.g. engagement's `send_notices` —
and the runner runs the registered steps after its own, each recorded in a `CycleRun` and
skipped once finished, like every step. Layers stay intact: servicing knows only the callable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from arrears.servicing.services.cycle.context import CycleContext


@dataclass(frozen=True)
class Step:
    """One step of the cycle: its `CycleRun.kind` and what it does for a date."""

    kind: str
    run: Callable[[CycleContext], dict[str, int]]


_REGISTERED: list[Step] = []
_LAST: set[str] = set()


def register_step(
    kind: str,
    run: Callable[[CycleContext], dict[str, int]],
    *,
    after: str | None = None,
    last: bool = False,
) -> None:
    """Add a step after servicing's own (or right after the registered step `after`).

    A step registered with `last=True` (the notices) stays after every step registered without
    it, whatever the order the apps load in. Registering the same kind again replaces it (so a
    reloaded app does not run twice).
    """
    step = Step(kind, run)
    existing = [s.kind for s in _REGISTERED]
    if kind in existing:
        _REGISTERED[existing.index(kind)] = step
        return
    if last:
        _LAST.add(kind)
    if after is not None and after in existing:
        _REGISTERED.insert(existing.index(after) + 1, step)
    elif last:
        _REGISTERED.append(step)
    else:
        first_last = next((i for i, s in enumerate(_REGISTERED) if s.kind in _LAST), None)
        _REGISTERED.insert(len(_REGISTERED) if first_last is None else first_last, step)


def registered_steps() -> tuple[Step, ...]:
    return tuple(_REGISTERED)
