"""From the strategy's answers to the actions of the night: keys, addresses, moments, templates.

For every case whose step is due today, one action row: its idempotency key
(`collection:{case}:{step}:{date}`, the step's repeat number after a `#` for a repeating step),
the address on the step's channel — SMS: the first valid mobile; e-mail: the borrower's
address, else the first valid e-mail contact point; in-app: the borrower's inbox; letter: the
postal address; call: the first valid phone (primary first) — the template, and the moment of
the contact: the day after the business date (the night runs once the date has closed) at
`ARREARS_COLLECTION_CONTACT_HOUR` in the borrower's time zone — a call at the hour the borrower
is most likely to answer (`timing`) — and never before now.

What happens to each row before anything is written:

- a contact (message, call, or a letter the strategy does not ask a supervisor to approve) is
  put to the compliance gate (`gate`);
- a step that needs a supervisor's approval waits for it (`awaiting_approval`);
- a legal review or an agency placement without approval is `scheduled` for a person;
- a contact with no address on its channel, or a message with no active template for the
  borrower's language, is `skipped`, with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence

import polars as pl

from arrears.collection.batch import texts
from arrears.collection.batch.reading import ShardFrames
from arrears.collection.batch.timing import call_moments
from arrears.collection.choices import ActionKind, ActionStatus
from arrears.core.strategy import Strategy as StrategyDocument
from arrears.engagement.choices import NoticeKind

#: Actions that contact the borrower (and so pass the compliance gate).
CONTACTS = (
    ActionKind.MESSAGE,
    ActionKind.CALL,
    ActionKind.WARNING_LETTER,
    ActionKind.LAWYERS_LETTER,
)
#: Actions whose words come from a template.
TEMPLATED = (ActionKind.MESSAGE, ActionKind.WARNING_LETTER, ActionKind.LAWYERS_LETTER)
GATE = "gate"  # a provisional status: the gate decides
_MAX_REQUEST_ID = 64
_PHONES = ("mobile", "home", "work")


def action_key(case_id: int, step: str, day: dt.date, repeat: int | None) -> str:
    """The idempotency key of the action a step schedules for a case on a business date."""
    part = step if repeat is None else f"{step}#{repeat}"
    return f"collection:{case_id}:{part}:{day.isoformat()}"


def request_id(key: str) -> str:
    """The gate's request id for an action: its key, or a digest of a key too long for it."""
    if len(key) <= _MAX_REQUEST_ID:
        return key
    return "collection:" + hashlib.sha256(key.encode()).hexdigest()[: _MAX_REQUEST_ID - 11]


def repeating_steps(strategy: StrategyDocument) -> set[tuple[str, str]]:
    """(path, step) of every repeating step."""
    return {
        (path.id, step.id)
        for path in strategy.paths.values()
        for step in path.steps
        if step.repeats
    }


def addresses(frames: ShardFrames) -> pl.DataFrame:
    """Each borrower's address on every channel (null: none), as the channels reach them."""
    points = frames.points
    first = {
        kind: points.filter(pl.col("kind").is_in(list(kinds)))
        .group_by("borrower_id", maintain_order=True)
        .agg(pl.col("value").first().alias(name))
        for kind, kinds, name in (
            ("sms", ("mobile",), "_sms"),
            ("call", _PHONES, "_call"),
            ("email", ("email",), "_email"),
        )
    }
    borrowers = frames.borrowers
    for frame in first.values():
        borrowers = borrowers.join(frame, on="borrower_id", how="left")
    postal = pl.concat_str(
        [
            pl.col(c).replace("", None)
            for c in ("address_line", "city", "region", "postal_code", "country")
        ],
        separator=", ",
        ignore_nulls=True,
    ).str.slice(0, 200)
    return borrowers.select(
        "borrower_id",
        pl.col("_sms").alias("address_sms"),
        pl.col("_call").alias("address_call"),
        pl.when(pl.col("email") != "")
        .then(pl.col("email"))
        .otherwise(pl.col("_email"))
        .alias("address_email"),
        pl.when(pl.col("has_user"))
        .then(pl.lit("borrower:") + pl.col("reference"))
        .alias("address_in_app"),
        pl.when(pl.col("address_line") != "").then(postal).alias("address_letter"),
        "time_zone",
        "full_name",
    )


def plan_actions(
    answers: pl.DataFrame,
    facts: pl.DataFrame,
    frames: ShardFrames,
    *,
    strategy: StrategyDocument,
    day: dt.date,
    now: dt.datetime,
    contact_hour: int,
    lender_zone: str,
    templates: Mapping[tuple[str, str, str], int],
    everyone: Sequence[float],
    call_hours: tuple[int, int],
) -> pl.DataFrame:
    """One row per action due today: what, where, when, and — for those that need no gate —
    its status and reason already."""
    due = answers.filter(pl.col("outcome").is_in(["due", "repeat_due"]))
    if due.is_empty():
        return _empty_plan()
    repeats = pl.DataFrame(
        sorted(repeating_steps(strategy)), schema={"arm": pl.String, "step": pl.String},
        orient="row",
    ).with_columns(pl.lit(True).alias("_repeats"))  # fmt: skip
    counts = frames.step_counts.select("case_id", "step", "times")
    rows = (
        due.join(repeats, on=["arm", "step"], how="left")
        .join(counts, on=["case_id", "step"], how="left")
        .join(
            facts.select(
                "case_id",
                "borrower_id",
                "language",
                "currency",
                "balance_minor",
                "past_due_minor",
                "bucket",
                "days_past_due",
                "case_stage",
                "hardship",
                "vulnerable",
            ),
            on="case_id",
            how="left",
        )
        .join(frames.accounts.select("account_id", "account_number"), on="account_id", how="left")
        .join(addresses(frames), on="borrower_id", how="left")
    )
    keyed = _keys(rows, day)
    located = keyed.with_columns(
        pl.when(pl.col("action") == ActionKind.CALL)
        .then(pl.col("address_call"))
        .when(pl.col("channel") == "sms")
        .then(pl.col("address_sms"))
        .when(pl.col("channel") == "email")
        .then(pl.col("address_email"))
        .when(pl.col("channel") == "in_app")
        .then(pl.col("address_in_app"))
        .when(pl.col("channel") == "letter")
        .then(pl.col("address_letter"))
        .otherwise(None)
        .alias("address"),
        pl.when(pl.col("action") == ActionKind.CALL)
        .then(pl.lit("call"))
        .otherwise(pl.col("channel"))
        .alias("channel"),
    )
    with_template = _with_templates(located, templates)
    timed = with_template.with_columns(
        contact_moments(with_template, day=day, hour=contact_hour, now=now, lender_zone=lender_zone)
    )
    calling = timed.filter(pl.col("kind") == ActionKind.CALL)
    best = call_moments(
        calling.select("borrower_id", "time_zone"),
        frames.calls,
        everyone,
        day=day,
        now=now,
        hours=call_hours,
        lender_zone=lender_zone,
    ).rename({"at": "_call_at"})
    timed = timed.join(best, on="borrower_id", how="left").with_columns(
        pl.when(pl.col("kind") == ActionKind.CALL)
        .then(pl.col("_call_at"))
        .otherwise(pl.col("at"))
        .alias("at"),
        pl.when(pl.col("kind") == ActionKind.CALL)
        .then(pl.col("answer_rate"))
        .otherwise(None)
        .alias("answer_rate"),
    )
    return _decided(timed).select(PLAN_COLUMNS)


PLAN_COLUMNS = (
    "key", "request_id", "case_id", "account_id", "borrower_id", "account_number", "full_name",
    "step", "kind", "channel", "template", "template_id", "address", "language", "status",
    "reason", "needs_approval", "at", "currency", "balance_minor", "past_due_minor", "bucket",
    "days_past_due", "case_stage", "hardship", "vulnerable", "time_zone", "answer_rate",
)  # fmt: skip


def _empty_plan() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {name: pl.String() for name in PLAN_COLUMNS}
    for name in ("case_id", "account_id", "borrower_id", "template_id", "balance_minor",
                 "past_due_minor", "days_past_due"):  # fmt: skip
        schema[name] = pl.Int64()
    for name in ("needs_approval", "hardship", "vulnerable"):
        schema[name] = pl.Boolean()
    schema["at"] = pl.Datetime("us", "UTC")
    schema["answer_rate"] = pl.Float64()
    return pl.DataFrame(schema=schema)


def _keys(rows: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    repeat = pl.when(pl.col("_repeats").fill_null(False)).then(pl.col("times").fill_null(0) + 1)
    keys = [
        action_key(case_id, step, day, number)
        for case_id, step, number in rows.select("case_id", "step", repeat.alias("n")).iter_rows()
    ]
    return rows.with_columns(
        pl.Series("key", keys, dtype=pl.String),
        pl.Series("request_id", [request_id(k) for k in keys], dtype=pl.String),
        pl.col("action").alias("kind"),
        pl.col("approval").fill_null(False).alias("needs_approval"),
    )


def _with_templates(
    rows: pl.DataFrame, templates: Mapping[tuple[str, str, str], int]
) -> pl.DataFrame:
    known = pl.DataFrame(
        [(t, c, lang, pk) for (t, c, lang), pk in templates.items() if t in NoticeKind.values],
        schema={"template": pl.String, "channel": pl.String, "language": pl.String,
                "template_id": pl.Int64},
        orient="row",
    )  # fmt: skip
    return rows.join(known, on=["template", "channel", "language"], how="left")


def contact_moments(
    rows: pl.DataFrame, *, day: dt.date, hour: int, now: dt.datetime, lender_zone: str
) -> pl.Expr:
    """`hour` o'clock on the day after `day` in each row's time zone (the lender's when the
    borrower's is unknown), as UTC, and never before `now`."""
    zones = sorted({z for z in rows["time_zone"].unique().to_list() if z and _is_zone(z)})
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(hour))
    moments: dict[str, dt.datetime] = {
        zone: local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)
        for zone in [*zones, lender_zone]
    }
    at = pl.col("time_zone").replace_strict(
        {z: m for z, m in moments.items() if z != lender_zone},
        default=moments[lender_zone],
        return_dtype=pl.Datetime("us", "UTC"),
    )
    return pl.max_horizontal(at, pl.lit(now, dtype=pl.Datetime("us", "UTC"))).alias("at")


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _decided(rows: pl.DataFrame) -> pl.DataFrame:
    """The status of each row that needs no gate, and its reason (`GATE`: the gate decides)."""
    kind = pl.col("kind")
    flagged = rows.with_columns(
        (kind.is_in(list(CONTACTS)) & pl.col("address").is_null()).alias("_no_address"),
        (kind.is_in(list(TEMPLATED)) & pl.col("template_id").is_null()).alias("_no_template"),
    )
    status = (
        pl.when(pl.col("needs_approval"))
        .then(pl.lit(ActionStatus.AWAITING_APPROVAL.value))
        .when(pl.col("_no_address") | pl.col("_no_template"))
        .then(pl.lit(ActionStatus.SKIPPED.value))
        .when(kind.is_in(list(CONTACTS)))
        .then(pl.lit(GATE))
        .otherwise(pl.lit(ActionStatus.SCHEDULED.value))
    )
    with_status = flagged.with_columns(
        status.alias("status"),
        pl.col("template").fill_null(""),
        pl.col("channel").fill_null(""),
    )
    reason = pl.struct(
        "reason", "channel", "template", "language", "status", "_no_address", "_no_template"
    ).map_elements(_reason_of, return_dtype=pl.String)
    return with_status.with_columns(reason.alias("reason"))


def _reason_of(row: Mapping[str, object]) -> str:
    reason = str(row["reason"])
    if row["status"] == ActionStatus.AWAITING_APPROVAL:
        return texts.awaiting_approval(reason)
    if row["_no_address"]:
        return texts.skipped(reason, texts.no_address(str(row["channel"])))
    if row["_no_template"]:
        why = texts.no_template(str(row["template"]), str(row["channel"]), str(row["language"]))
        return texts.skipped(reason, why)
    return reason
