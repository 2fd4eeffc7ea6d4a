"""The strategy's facts (`core.strategy.facts`) for a shard's open cases, from the shard frames.

One frame in, one frame out, no per-account Python: joins and column expressions. The same
function builds the facts of one account for `arrears strategy explain` and the per-account
path, so the facts a strategy sees never depend on which path asked.

What each fact is made of (docs/collection.md, "The nightly batch"):

- `balance` — principal, interest and fees owed, less a credit held, plus after charge-off the
  loss still to recover; `past_due`, `days_past_due` and `bucket` — the account's ageing;
- `promise_status` — the newest promise not cancelled (`partly_kept` counts as broken: the
  treatment resumes); `broken_promises` — those broken in this case;
- `right_party_contacts_30d` — conversations with the borrower in the last 30 days (the
  contact log's `conversation` outcome, as the borrower);
- `days_since_last_contact` — from the latest attempt in the log, any channel, by local date;
- `engaged_recently` — a payment, a promise taken, an inbound contact or a plan in the
  back-off window (`ARREARS_COLLECTION_BACK_OFF_DAYS`, default 7 days, the day included);
- `has_valid_phone` / `has_valid_email` — a contact point of the kind not marked invalid;
- `hardship`, `vulnerable` — flagged on the case, or known to the hardship app (a claim in an
  assessment, a vulnerability); `on_plan` — a hardship plan accepted or in force.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from arrears.collection.batch.reading import ShardFrames
from arrears.core.strategy.facts import MINOR_EXPONENT, facts_schema

PHONE_KINDS = ("mobile", "home", "work")


def facts_of_cases(
    frames: ShardFrames,
    cases: pl.DataFrame,
    products: pl.DataFrame,
    *,
    day: dt.date,
    time_zone: str,
    back_off_days: int,
) -> pl.DataFrame:
    """One row of facts per open case in `cases` (columns: `facts_schema()` + case_id)."""
    window_start = day - dt.timedelta(days=back_off_days - 1)
    accounts = frames.accounts.join(products, on="product_id", how="left")
    borrowers = frames.borrowers.select(
        "borrower_id",
        pl.when(pl.col("notice_language") != "")
        .then(pl.col("notice_language"))
        .otherwise(pl.col("preferred_language"))
        .alias("language"),
    )
    reach = frames.points.group_by("borrower_id").agg(
        pl.col("kind").is_in(PHONE_KINDS).any().alias("has_valid_phone"),
        (pl.col("kind") == "email").any().alias("has_valid_email"),
    )
    promises = _promise_facts(frames.promises, cases, window_start)
    contacts = frames.contacts.select(
        "borrower_id",
        "rpc_recent",
        "inbound_recent",
        pl.col("last_contact_at").dt.convert_time_zone(time_zone).dt.date().alias("_last_seen"),
    )
    joined = (
        cases.select(
            "case_id",
            "account_id",
            "stage",
            "opened_on",
            "risk_score",
            "hardship",
            "vulnerable",
            "no_answer_streak",
            "last_step",
            "last_step_on",
        )
        .join(accounts, on="account_id", how="inner")
        .join(borrowers, on="borrower_id", how="left")
        .join(reach, on="borrower_id", how="left")
        .join(promises, on="account_id", how="left")
        .join(contacts, on="borrower_id", how="left")
        .join(frames.payments, on="account_id", how="left")
        .join(frames.dispositions, on="case_id", how="left")
        .join(
            frames.disputes.with_columns(pl.lit(True).alias("_dispute")),
            on="account_id",
            how="left",
        )
        .join(frames.hardship, on="account_id", how="left")
        .with_columns(
            pl.col("on_plan").fill_null(False),
            (pl.col("hardship") | pl.col("hardship_claimed").fill_null(False)).alias("hardship"),
            (pl.col("vulnerable") | pl.col("vulnerable_now").fill_null(False)).alias("vulnerable"),
        )
    )
    facts = joined.select(
        "case_id",
        "account_id",
        "borrower_id",
        "product",
        pl.col("account_kind").alias("product_kind"),
        "currency",
        "days_past_due",
        "bucket",
        "balance_minor",
        "past_due_minor",
        "risk_score",
        pl.col("stage").alias("case_stage"),
        _days_since(day, "opened_on").alias("days_in_case"),
        pl.col("promise_status").fill_null("none"),
        pl.col("broken_promises").fill_null(0),
        pl.col("last_disposition").fill_null(""),
        "no_answer_streak",
        pl.col("rpc_recent").fill_null(0).alias("right_party_contacts_30d"),
        _days_since(day, "_last_seen").alias("days_since_last_contact"),
        (
            pl.col("last_paid_on").is_not_null()
            | pl.col("promised_recently").fill_null(False)
            | (pl.col("inbound_recent").fill_null(0) > 0)
            | pl.col("on_plan")
        ).alias("engaged_recently"),
        "hardship",
        "vulnerable",
        pl.col("_dispute").fill_null(False).alias("dispute_open"),
        "on_plan",
        pl.col("language").fill_null("zh-hans"),
        "jurisdiction",
        pl.col("has_valid_phone").fill_null(False),
        pl.col("has_valid_email").fill_null(False),
        pl.col("last_step").fill_null(""),
        _days_since(day, "last_step_on").alias("days_since_last_step"),
        pl.col(MINOR_EXPONENT),
    )
    schema = {"case_id": pl.Int64(), **facts_schema()}
    return facts.select(pl.col(name).cast(dtype) for name, dtype in schema.items()).sort(
        "account_id"
    )


def _days_since(day: dt.date, column: str) -> pl.Expr:
    return (pl.lit(day) - pl.col(column)).dt.total_days()


def _promise_facts(
    promises: pl.DataFrame, cases: pl.DataFrame, window_start: dt.date
) -> pl.DataFrame:
    """Per account: the newest promise's status, broken promises in the open case, and whether
    one was taken in the back-off window."""
    broken = pl.col("status").is_in(["broken", "partly_kept"])
    in_case = promises.join(cases.select("account_id", "case_id"), on="account_id", how="left",
                            suffix="_open")  # fmt: skip
    return in_case.group_by("account_id").agg(
        pl.col("status").last().replace({"partly_kept": "broken"}).alias("promise_status"),
        (broken & (pl.col("case_id") == pl.col("case_id_open"))).sum().alias("broken_promises"),
        (pl.col("taken_at").dt.date() >= window_start).any().alias("promised_recently"),
    )
