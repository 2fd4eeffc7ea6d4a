"""The proposals frame `decide_in_bulk` takes: its columns, their types and defaults, and the
checks a row must pass before anything is read or written (errors name the row and field)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from arrears.compliance.services.requests import Proposal
from arrears.core import compliance as core
from arrears.core.errors import ValidationError

UTC = pl.Datetime("us", "UTC")
_REQUIRED = object()
#: The proposals frame: column → (type, default). Required columns have no default.
COLUMNS: dict[str, tuple[Any, Any]] = {
    "request_id": (pl.String, _REQUIRED),
    "borrower_id": (pl.Int64, _REQUIRED),
    "account_id": (pl.Int64, None),
    "party_role": (pl.String, core.Role.DEBTOR.value),
    "party_ref": (pl.String, None),
    "channel": (pl.String, _REQUIRED),
    "address": (pl.String, _REQUIRED),
    "purpose": (pl.String, _REQUIRED),
    "at": (UTC, None),
    "automated": (pl.Boolean, False),
    "prerecorded": (pl.Boolean, False),
    "artificial_voice": (pl.Boolean, False),
    "message_kind": (pl.String, None),
    "direct_consent_at": (UTC, None),
    "debtor_unreachable": (pl.Boolean, False),
    "recontact_exception": (pl.Boolean, False),
}
_MAX_ADDRESS = 200
_MAX_REQUEST_ID = 64


def as_frame(
    proposals: Sequence[Proposal] | pl.DataFrame, request_ids: Sequence[str] | None
) -> pl.DataFrame:
    if isinstance(proposals, pl.DataFrame):
        if request_ids is not None:
            raise ValidationError("request_ids", _("give the request ids as a column of the frame"))
        return proposals
    keys = list(request_ids) if request_ids is not None else [uuid.uuid4().hex for _p in proposals]
    if len(keys) != len(proposals):
        raise ValidationError("request_ids", _("give one request id per proposal"))
    rows = [
        {
            "request_id": key,
            "borrower_id": p.borrower.pk,
            "account_id": None if p.account is None else p.account.pk,
            "party_role": str(p.party_role),
            "party_ref": p.party_ref,
            "channel": str(p.channel),
            "address": p.address,
            "purpose": str(p.purpose),
            "at": p.at,
            "automated": p.autodialled,
            "prerecorded": p.prerecorded,
            "artificial_voice": p.artificial_voice,
            "message_kind": p.message_kind,
            "direct_consent_at": p.direct_consent_at,
            "debtor_unreachable": p.debtor_unreachable,
            "recontact_exception": p.recontact_exception,
        }
        for key, p in zip(keys, proposals, strict=True)
    ]
    return pl.DataFrame(rows, schema={k: t for k, (t, _d) in COLUMNS.items()}, orient="row")


def checked(frame: pl.DataFrame, now: dt.datetime) -> pl.DataFrame:
    """The proposals with every column present, typed and checked; errors name row and field."""
    for name, (_dtype, default) in COLUMNS.items():
        if name not in frame.columns:
            if default is _REQUIRED:
                raise ValidationError(f"proposals.{name}", _("is required"))
            frame = frame.with_columns(pl.lit(default, dtype=COLUMNS[name][0]).alias(name))
    frame = frame.select([_typed(frame, name, dtype) for name, (dtype, _d) in COLUMNS.items()])
    for name, (_dtype, default) in COLUMNS.items():
        if default is _REQUIRED:
            refuse(frame, pl.col(name).is_null(), name, _("is required"))
    frame = frame.with_columns(
        pl.col("address").str.strip_chars(),
        pl.col("at").fill_null(pl.lit(now, dtype=UTC)),
        pl.when(pl.col("message_kind") != "").then(pl.col("message_kind")),
        *(pl.col(name).fill_null(False) for name, (t, _d) in COLUMNS.items() if t == pl.Boolean),
    )
    keys = pl.col("request_id")
    refuse(
        frame,
        (keys.str.len_chars() == 0) | (keys.str.len_chars() > _MAX_REQUEST_ID),
        "request_id",
        _("give a request id of 1 to 64 characters"),
    )
    refuse(frame, keys.is_duplicated(), "request_id", _("appears more than once in the batch"))
    for name, enum in (("channel", core.Channel), ("purpose", core.Purpose)):
        _refuse_unknown(frame, name, enum)
    _refuse_unknown(frame, "party_role", core.Role)
    address = pl.col("address")
    refuse(
        frame,
        (address.str.len_chars() == 0) | (address.str.len_chars() > _MAX_ADDRESS),
        "address",
        _("give the number or address to contact"),
    )
    refuse(
        frame,
        pl.col("at") < pl.lit(now, dtype=UTC),
        "at",
        _("is before now: a contact cannot be made in the past"),
    )
    debtor = pl.col("party_role") == core.Role.DEBTOR.value
    given = pl.col("party_ref").str.strip_chars()
    return frame.with_columns(
        pl.when(given.is_not_null() & (given != ""))
        .then(given)
        .when(debtor)
        .then(pl.lit(""))
        .otherwise(address)
        .alias("party_ref")
    )


def _typed(frame: pl.DataFrame, name: str, dtype: Any) -> pl.Series:
    column = frame.get_column(name)
    if dtype == UTC:
        if column.dtype == pl.Null:
            return column.cast(UTC)
        if not isinstance(column.dtype, pl.Datetime) or column.dtype.time_zone is None:
            raise ValidationError(
                f"proposals.{name}", _("must be a timezone-aware Datetime column")
            )
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    try:
        return column.cast(dtype, strict=True)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
        raise ValidationError(
            f"proposals.{name}", _("must be a %(type)s column") % {"type": dtype}
        ) from None


def refuse(frame: pl.DataFrame, bad: pl.Expr, name: str, message: str) -> None:
    found = frame.select(bad.fill_null(False).arg_true().first()).item()
    if found is not None:
        raise ValidationError(f"proposals[{found}].{name}", message)


def _refuse_unknown(frame: pl.DataFrame, name: str, enum: Any) -> None:
    values = [m.value for m in enum]
    refuse(
        frame,
        ~pl.col(name).is_in(values),
        name,
        _("must be one of %(values)s") % {"values": ", ".join(values)},
    )
