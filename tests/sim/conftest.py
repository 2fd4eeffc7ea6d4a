"""Running `arrears sim` in-process, and a small simulation in the test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

STRATEGY = (
    Path(__file__).resolve().parents[2]
    / "src/arrears/core/data/strategies/conventional-ladder.yaml"
)


@pytest.fixture
def run_cli():  # type: ignore[no-untyped-def]
    from arrears.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)
