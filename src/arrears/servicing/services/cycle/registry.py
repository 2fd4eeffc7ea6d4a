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


def register_step(
    kind: str, run: Callable[[CycleContext], dict[str, int]], *, after: str | None = None
) -> None:
    """Add a step after servicing's own (or right after the registered step `after`).

    Registering the same kind again replaces it (so a reloaded app does not run twice).
    """
    step = Step(kind, run)
    existing = [s.kind for s in _REGISTERED]
    if kind in existing:
        _REGISTERED[existing.index(kind)] = step
        return
    if after is not None and after in existing:
        _REGISTERED.insert(existing.index(after) + 1, step)
    else:
        _REGISTERED.append(step)


def registered_steps() -> tuple[Step, ...]:
    return tuple(_REGISTERED)
