"""The run's results folder: `daily.parquet`, `accounts.parquet` and `summary.json`.

Everything but the timings (`summary.json`'s `seconds`) is the same, byte for byte, for the
same options and seed. Money is integer minor units.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from arrears.analytics.selectors.kpis import kpis
from arrears.core.sim import CHANNELS, BorrowerState
from arrears.core.sim.lab import LabRun
from arrears.demo.sim.book import Book
from arrears.servicing.models import Account

DAILY_SCHEMA = {
    "day": pl.Date,
    "collected_minor": pl.Int64,
    "payers": pl.Int64,
    **{f"contacts_{ch}": pl.Int64 for ch in CHANNELS},
    "calls_right_party": pl.Int64,
    "promises": pl.Int64,
    "promises_recorded": pl.Int64,
    "promises_in_app": pl.Int64,
    "promises_kept": pl.Int64,
    "promises_broken": pl.Int64,
    "hardship_told": pl.Int64,
    "complaints": pl.Int64,
    "opt_outs": pl.Int64,
    "plans_offered": pl.Int64,
    "plans_taken": pl.Int64,
    "rolled": pl.Int64,
    "cured": pl.Int64,
    "delinquent": pl.Int64,
}


@dataclasses.dataclass
class AccountSnapshot:
    """Each account's bucket, days past due and status, by position in the population."""

    bucket: list[str]
    days_past_due: np.ndarray
    status: list[str]

    @classmethod
    def read(cls, book: Book) -> AccountSnapshot:
        rows = {
            pk: (bucket, dpd, status)
            for pk, bucket, dpd, status in Account.objects.filter(
                pk__in=book.account_ids.tolist()
            ).values_list("pk", "bucket", "days_past_due", "status")
        }
        ordered = [rows[int(pk)] for pk in book.account_ids]
        return cls(
            [r[0] for r in ordered],
            np.array([r[1] for r in ordered], np.int64),
            [r[2] for r in ordered],
        )

    def moves_to(self, later: AccountSnapshot) -> dict[str, int]:
        """Rolled: into a later bucket with more days past due; cured: back to none."""
        before, after = self.days_past_due, later.days_past_due
        changed = np.array([a != b for a, b in zip(self.bucket, later.bucket, strict=True)])
        return {
            "rolled": int((changed & (after > before)).sum()),
            "cured": int(((before > 0) & (after == 0)).sum()),
            "delinquent": int((after > 0).sum()),
        }


def write_daily(rows: list[dict[str, Any]], out: Path) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=DAILY_SCHEMA, orient="row")
    frame.write_parquet(out / "daily.parquet", statistics=False)
    return frame


def write_accounts(state: BorrowerState, book: Book, out: Path) -> pl.DataFrame:
    accounts = Account.objects.in_bulk(book.account_ids.tolist())
    ordered = [accounts[int(pk)] for pk in book.account_ids]
    names = [s.name for s in state.params.segments]
    frame = pl.DataFrame(
        {
            "borrower": np.arange(state.size, dtype=np.int64),
            "account_number": [a.number for a in ordered],
            "segment": [names[int(s)] for s in state.segment],
            "kind": [a.kind for a in ordered],
            "status": [a.status for a in ordered],
            "bucket": [a.bucket for a in ordered],
            "days_past_due": np.array([a.days_past_due for a in ordered], np.int64),
            "balance_minor": state.balance_minor.astype(np.int64),
            "due_minor": state.due_minor.astype(np.int64),
            "paid_minor": state.paid_total_minor.astype(np.int64),
            "payment_events": state.payment_events.astype(np.int64),
            "on_plan": state.on_plan.astype(bool),
            "opted_out": [
                ",".join(c for c, off in zip(CHANNELS, row, strict=True) if off)
                for row in state.opted_out.tolist()
            ],
        }
    )
    frame.write_parquet(out / "accounts.parquet", statistics=False)
    return frame


def kpi_document(*, start_on: dt.date, end_on: dt.date, currency: str) -> dict[str, Any]:
    """The analytics KPIs of the simulated days, as plain JSON values."""
    found = kpis(start_on=start_on, end_on=end_on, currency=currency)
    document: dict[str, Any] = _plain(dataclasses.asdict(found))
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def write_summary(summary: dict[str, Any], out: Path) -> None:
    text = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True)
    (out / "summary.json").write_text(text + "\n", encoding="utf-8")


def write_lab_run(run: LabRun, out: Path) -> dict[str, Any]:
    """The lab's results as `arrears sim run` writes them: daily.parquet (the lab's daily
    table), accounts.parquet (each account's end state) and summary.json. Returns the summary
    as written (the per-day timings kept in `seconds.days`)."""
    out.mkdir(parents=True, exist_ok=True)
    run.daily.write_parquet(out / "daily.parquet", statistics=False)
    run.accounts.write_parquet(out / "accounts.parquet", statistics=False)
    last = run.options.start_on + dt.timedelta(days=run.options.days - 1)
    summary = {
        "ok": True,
        "engine": "lab",
        **run.summary,
        "period": {"first_day": run.options.start_on.isoformat(), "last_day": last.isoformat()},
    }
    write_summary(summary, out)
    return summary
