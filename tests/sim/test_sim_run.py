"""`arrears sim run`: simulated borrowers driving the real cycle, gate, queues and ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

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


def _fresh_database() -> None:
    call_command("flush", interactive=False, verbosity=0)


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


def test_a_simulation_pays_through_the_ledger_contacts_only_with_a_permit_and_repeats_for_a_seed(
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

    _fresh_database()
    _run(tmp_path / "b", seed=7)
    assert _comparable(tmp_path / "a") == _comparable(tmp_path / "b")

    _fresh_database()
    _run(tmp_path / "c", seed=8)
    assert _comparable(tmp_path / "a")[1] != _comparable(tmp_path / "c")[1]
