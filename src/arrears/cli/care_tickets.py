"""`arrears care …` commands: tickets (registered on the care app by `register`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to `arrears care`."""
