"""Every command explains itself with an example."""

from __future__ import annotations

import pytest

COMMANDS = [
    [],
    ["init"],
    ["serve"],
    ["demo-data"],
    ["demo"],
    ["cycle"],
    ["import"],
    ["quote"],
    ["account"],
    ["account", "show"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "arrears")
def test_every_help_page_has_an_example(cli, command):
    result = cli(*command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
