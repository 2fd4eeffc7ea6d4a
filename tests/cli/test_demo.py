"""`arrears demo-data` and `arrears demo`: the same seed gives the same database, row for row.

Each run gets a fresh SQLite file and runs the real `arrears` entry point in a subprocess, as
`make demo` does. The digest covers every row of the tables the demo writes, except the
columns Django stamps with the wall clock (`auto_now_add`: borrower and payment `created_at`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

TABLES = (
    "servicing_borrower",
    "servicing_contactpoint",
    "servicing_account",
    "servicing_obligation",
    "servicing_journalentry",
    "servicing_journalline",
    "servicing_payment",
    "servicing_paymentapplication",
    "servicing_statement",
    "servicing_bucketchange",
    "demo_demoportfolio",
    "demo_demoprofile",
)
WALL_CLOCK_COLUMNS = {"created_at"}


def arrears(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ARREARS_DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "arrears.config.settings.dev",
        "ARREARS_HOME": str(database.parent),
    }
    return subprocess.run(
        [sys.executable, "-c", "from arrears.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )


def digest(database: Path) -> tuple[dict[str, str], dict[str, int]]:
    """A SHA-256 of each table's rows (so a failure names the table), and the row counts."""
    digests: dict[str, str] = {}
    counts: dict[str, int] = {}
    with sqlite3.connect(database) as connection:
        for table in TABLES:
            columns = [
                row[1]
                for row in connection.execute(f"PRAGMA table_info({table})")
                if row[1] not in WALL_CLOCK_COLUMNS
            ]
            rows = connection.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"
            ).fetchall()
            counts[table] = len(rows)
            payload = json.dumps([columns, rows], ensure_ascii=False).encode()
            digests[table] = hashlib.sha256(payload).hexdigest()
    return digests, counts


def build(tmp_path: Path, name: str, seed: int) -> Path:
    database = tmp_path / name / "arrears.sqlite3"
    database.parent.mkdir()
    arrears(database, "init")
    arrears(
        database,
        "demo-data",
        "--borrowers",
        "50",
        "--seed",
        str(seed),
        "--start",
        "2026-01-01",
        "--json",
    )
    return database


def test_demo_data_with_the_same_seed_is_identical_in_two_fresh_databases(tmp_path):
    first, first_counts = digest(build(tmp_path, "a", seed=7))
    second, second_counts = digest(build(tmp_path, "b", seed=7))
    other, _counts = digest(build(tmp_path, "c", seed=8))

    assert first_counts["servicing_borrower"] == 50 and first_counts["demo_demoprofile"] == 50
    assert first_counts["servicing_account"] >= 50 and first_counts["servicing_journalentry"] > 0
    assert first_counts == second_counts
    assert first == second
    assert other != first


def test_demo_data_people_are_plausible(tmp_path):
    import phonenumbers

    database = build(tmp_path, "a", seed=7)
    with sqlite3.connect(database) as connection:
        phones = [
            v
            for (v,) in connection.execute(
                "SELECT value FROM servicing_contactpoint WHERE kind = 'mobile'"
            )
        ]
        zones = {z for (z,) in connection.execute("SELECT time_zone FROM servicing_borrower")}
        countries = {c for (c,) in connection.execute("SELECT country FROM servicing_borrower")}
        behaviours = {b for (b,) in connection.execute("SELECT behaviour FROM demo_demoprofile")}
        kinds = {k for (k,) in connection.execute("SELECT kind FROM servicing_account")}

    assert len(phones) == 50
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)
    assert countries == {"CN", "US", "GB"}
    assert "Asia/Shanghai" in zones and "Europe/London" in zones
    assert len(zones) >= 4
    assert kinds == {"card", "loan"}
    assert len(behaviours) >= 4


def test_demo_replay_is_deterministic_and_reports_buckets(tmp_path):
    runs = []
    for name in ("a", "b"):
        database = tmp_path / name / "arrears.sqlite3"
        database.parent.mkdir()
        result = arrears(
            database,
            "demo",
            "--borrowers",
            "30",
            "--days",
            "40",
            "--seed",
            "3",
            "--no-serve",
            "--json",
        )
        runs.append((json.loads(result.stdout), digest(database)))

    (summary, (first, counts)), (_summary, (second, _counts)) = runs
    assert first == second
    assert summary["replay"]["days"] == 40
    assert summary["replay"]["behaviour"]["payments"] > 0
    assert summary["replay"]["behaviour"]["purchases"] > 0
    assert counts["servicing_payment"] == summary["replay"]["behaviour"]["payments"]
    assert {login["username"]: login["role"] for login in summary["logins"]} == {
        "admin": "admin",
        "supervisor": "supervisor",
        "agent": "agent",
        "compliance": "compliance",
        "borrower": "borrower",
        "borrower.en": "borrower",
    }
    with sqlite3.connect(tmp_path / "a" / "arrears.sqlite3") as connection:
        # the portal logins belong to one borrower each; the agent and supervisor work queues
        (linked,) = connection.execute(
            "SELECT COUNT(*) FROM servicing_borrower WHERE user_id IS NOT NULL"
        ).fetchone()
        (queue_seats,) = connection.execute(
            "SELECT COUNT(*) FROM collection_collector_queues"
        ).fetchone()
    assert linked == 2
    assert queue_seats == 2 * 5  # two collectors, the five default queues each
    assert sum(line["accounts"] for line in summary["buckets"]) == counts["servicing_account"]


def test_a_database_that_was_never_initialised_says_to_run_init(tmp_path):
    database = tmp_path / "arrears.sqlite3"
    env = {**os.environ, "ARREARS_DATABASE_URL": f"sqlite:///{database}", "ARREARS_LANGUAGE": "en"}
    result = subprocess.run(
        [sys.executable, "-c", "from arrears.cli import main; main()", "account", "show", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "arrears init" in result.stderr and "Traceback" not in result.stderr
