"""`arrears sim run`: simulated borrowers driving the real cycle, gate, queues and ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from arrears.cli.setup import prepare_database
from arrears.compliance.models import ContactAttempt
from arrears.demo.sim import SimOptions, run_simulation
from arrears.servicing.models import Borrower, Payment
from tests.sim.conftest import STRATEGY

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = {"borrowers": 24, "days": 4, "agents": 1, "calls_per_agent": 8}


def _run(out: Path, seed: int) -> dict:
    prepare_database(quiet=True)
    return run_simulation(SimOptions(strategy=STRATEGY, seed=seed, out=out, **SMALL))


def _comparable(out: Path) -> tuple[bytes, bytes, dict]:
    summary = json.loads((out / "summary.json").read_text())
    summary.pop("seconds")
    return (out / "daily.parquet").read_bytes(), (out / "accounts.parquet").read_bytes(), summary


def _contacts_all_permitted() -> None:
    attempts = ContactAttempt.objects.filter(direction="outbound").select_related(
        "permit__decision"
    )
    assert attempts.exists()
    for attempt in attempts:
        assert attempt.permit is not None, attempt
        assert attempt.permit.decision.allowed, attempt
        assert attempt.permit.borrower_id == attempt.borrower_id
        assert attempt.permit.channel == attempt.channel


def test_a_simulation_pays_through_the_ledger_and_contacts_only_with_a_permit(
    tmp_path,
):
    first = _run(tmp_path / "a", seed=7)

    # what the borrowers paid is what the ledger received, to the fen
    paid = sum(
        Payment.objects.filter(idempotency_key__startswith="sim:pay:").values_list(
            "amount_minor", flat=True
        )
    )
    assert first["payments"]["ledger_minor"] == first["payments"]["simulated_minor"] == paid
    assert first["totals"]["collected_minor"] == paid
    assert first["kpis"]["collected_minor"] == paid
    # the engine contacted the book, and never without the gate's allowing decision
    assert first["totals"]["contacts_call"] > 0
    _contacts_all_permitted()
    assert Borrower.objects.count() == SMALL["borrowers"]
    for name in ("daily.parquet", "accounts.parquet", "summary.json"):
        assert (tmp_path / "a" / name).is_file()
    assert len(first["seconds"]["days"]) == SMALL["days"]


def _cli_run(out: Path, seed: int) -> None:
    """`arrears sim run` as a person runs it: a fresh process and its own SQLite file."""
    env = {k: v for k, v in os.environ.items() if k != "ARREARS_DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="arrears.config.settings.dev", ARREARS_HOME=str(out.parent))
    subprocess.run(
        [sys.executable, "-c", "from arrears.cli import main; main()", "sim", "run",
         "--borrowers", str(SMALL["borrowers"]), "--days", str(SMALL["days"]),
         "--agents", str(SMALL["agents"]), "--calls-per-agent", str(SMALL["calls_per_agent"]),
         "--strategy", str(STRATEGY), "--seed", str(seed), "--out", str(out), "--json"],
        env=env, capture_output=True, text=True, timeout=900, check=True,
    )  # fmt: skip


def test_the_same_seed_gives_the_same_results_file_for_file_and_another_seed_differs(tmp_path):
    _cli_run(tmp_path / "a", seed=7)
    _cli_run(tmp_path / "b", seed=7)
    _cli_run(tmp_path / "c", seed=8)

    assert _comparable(tmp_path / "a") == _comparable(tmp_path / "b")
    assert _comparable(tmp_path / "a")[1] != _comparable(tmp_path / "c")[1]
