"""The two input frames — proposed contacts and the contact log — and their internal form.

Proposals (one row per proposed contact; columns in brackets may be left out). Text columns
may be given as the matching Polars `Enum` (`params.CHANNEL`, …; the zones as a list of an
Enum): the gate then reads their codes without converting text.

| column | type | meaning (the scalar field) |
|---|---|---|
| request_id | any | carried to the output |
| profile_code | str | `ContactRequest.profile_code` |
| party_id | any (as the log's) | `Party.party_id` |
| [role] | str (`Role`) | default debtor |
| [debt_ids] | list (as the log's debt_id) | `ContactRequest.debt_ids`; empty = every debt |
| channel, address | str | the contact point |
| [place], [is_workplace], [workplace_consent] | str, bool, bool | the contact point |
| purpose | str (`Purpose`) | |
| at | Datetime (any tz) | the moment of the contact |
| zones | list[str] | the candidate zones, as `zones.candidate_zones` gives them |
| [autodialled], [prerecorded], [artificial_voice] | bool | |
| [message_kind] | str | |
| [direct_consent_at] | Datetime | Reg F direct consent |
| [debtor_unreachable], [recontact_exception] | bool | |
| [refused_contact], [no_workplace_contact] | bool | what the person said |
| [inconvenient_places] | list[str] | |
| [inconvenient_times], [agreed_times] | list[`TIME_RANGE`] | start, end (Time), weekdays |
| [opt_out_here] | bool | an opt-out of this channel at this address or at every address |
| [opt_out_channel] | bool | an opt-out of this channel at any address (for `scope: channel`) |
| [consent_given_at], [consent_revoked_at] | Datetime | the point's automated-call consent |
| [holds] | list[struct `HOLD`] | the holds the request carries |

`TIME_RANGE.weekdays` is a bit mask, bit 0 = Monday … bit 6 = Sunday.

The contact log (one row per attempt and debt; an attempt about no debt has one row with a null
debt_id): attempt_id, party_id, channel, address, at, outcome (`AttemptOutcome`), and optionally
debt_id, direction (default outbound), direct_consent, artificial_voice, by, purpose. An
attempt's rows are best given together (as a query ordered by attempt returns them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from arrears.core.compliance.model import HoldKind
from arrears.core.compliance.vectorised.clock import ALL_WEEKDAYS_MASK, SECOND
from arrears.core.compliance.vectorised.log import as_code, as_micros
from arrears.core.compliance.vectorised.params import CHANNEL, PURPOSE, ROLE, Compiled, DType
from arrears.core.errors import ValidationError

TIME_RANGE = pl.Struct({"start": pl.Time, "end": pl.Time, "weekdays": pl.UInt8})


def hold_struct(debt: DType) -> pl.Struct:
    return pl.Struct(
        {
            "kind": pl.String,
            "start_on": pl.Date,
            "end_on": pl.Date,
            "review_on": pl.Date,
            "set_by": pl.String,
            "debt_ids": pl.List(debt),
            "petition_on": pl.Date,
            "prior_dismissals_12m": pl.Int32,
            "discharged_on": pl.Date,
            "breathing_space": pl.String,
        }
    )


HOLD = hold_struct(pl.String)
_STAMP = pl.Datetime("us", "UTC")

#: Optional proposal columns and their defaults (None: a null of the given type).
PROPOSAL_DEFAULTS: dict[str, tuple[Any, DType]] = {
    "role": ("debtor", pl.String),
    "place": (None, pl.String),
    "is_workplace": (False, pl.Boolean),
    "workplace_consent": (False, pl.Boolean),
    "autodialled": (False, pl.Boolean),
    "prerecorded": (False, pl.Boolean),
    "artificial_voice": (False, pl.Boolean),
    "message_kind": (None, pl.String),
    "direct_consent_at": (None, _STAMP),
    "debtor_unreachable": (False, pl.Boolean),
    "recontact_exception": (False, pl.Boolean),
    "refused_contact": (False, pl.Boolean),
    "no_workplace_contact": (False, pl.Boolean),
    "inconvenient_places": ([], pl.List(pl.String)),
    "inconvenient_times": ([], pl.List(TIME_RANGE)),
    "agreed_times": ([], pl.List(TIME_RANGE)),
    "opt_out_here": (False, pl.Boolean),
    "opt_out_channel": (False, pl.Boolean),
    "consent_given_at": (None, _STAMP),
    "consent_revoked_at": (None, _STAMP),
}
_PROPOSAL_REQUIRED = (
    "request_id",
    "profile_code",
    "party_id",
    "channel",
    "address",
    "purpose",
    "at",
    "zones",
)


def _require(frame: pl.DataFrame, names: tuple[str, ...], where: str) -> None:
    for name in names:
        if name not in frame.columns:
            raise ValidationError(f"{where}.{name}", "is required")


def _with_defaults(frame: pl.DataFrame, defaults: Mapping[str, tuple[Any, DType]]) -> pl.DataFrame:
    missing = [
        pl.lit(value, dtype=dtype).alias(name)
        for name, (value, dtype) in defaults.items()
        if name not in frame.columns
    ]
    return frame.with_columns(missing) if missing else frame


def _times(frame: pl.DataFrame, name: str) -> pl.Series:
    """list[struct{start, end, weekdays}] with times as microseconds after midnight."""
    if frame.is_empty():
        return pl.Series(name, [], dtype=pl.List(_RANGE))
    return frame.select(
        pl.col(name).list.eval(
            pl.struct(
                start=pl.element().struct.field("start").cast(pl.Int64) // 1000,
                end=pl.element().struct.field("end").cast(pl.Int64) // 1000,
                weekdays=pl.element().struct.field("weekdays").cast(pl.Int64),
            )
        )
    ).to_series()


_RANGE = pl.Struct({"start": pl.Int64, "end": pl.Int64, "weekdays": pl.Int64})


def zone_names(frame: pl.DataFrame) -> list[str]:
    """The zones the proposals name, and UTC (the day zone of a person with none): a list of
    Enum's own categories (so its codes are read as they are), else the names found."""
    dtype = frame.schema["zones"]
    inner = dtype.inner if isinstance(dtype, pl.List) else None
    if isinstance(inner, pl.Enum):
        names = inner.categories.to_list()
        return names if "UTC" in names else [*names, "UTC"]
    found = frame.get_column("zones").explode().drop_nulls().unique().to_list()
    return sorted({*found, "UTC"})


@dataclass(frozen=True)
class Rows:
    """The proposals in the gate's internal form (`_row`: the position given), split by use so
    that no step carries columns it does not read."""

    core: pl.DataFrame  # what every round reads; `_zl` / `_dzl`: candidate / day zone codes
    once: pl.DataFrame  # what only the time-independent rules read (round 0)
    holds: pl.DataFrame  # the rows with holds
    itimes: pl.DataFrame  # the rows with stated inconvenient times
    atimes: pl.DataFrame  # the rows with agreed times


def internal_proposals(
    frame: pl.DataFrame, compiled: Compiled, zones: list[str], now: dt.datetime
) -> Rows:
    """Check the proposals and give them the gate's internal columns (`_`-prefixed)."""
    where = "proposals"
    _require(frame, _PROPOSAL_REQUIRED, where)
    frame = _with_defaults(frame, PROPOSAL_DEFAULTS)
    if "debt_ids" not in frame.columns:
        frame = frame.with_columns(pl.lit([], pl.List(pl.String)).alias("debt_ids"))
    debt = frame.schema["debt_ids"]
    assert isinstance(debt, pl.List) and isinstance(debt.inner, pl.DataType)
    if "holds" not in frame.columns:
        frame = frame.with_columns(pl.lit([], pl.List(hold_struct(debt.inner))).alias("holds"))
    at = as_micros(frame, "at", where)
    if at.null_count():
        raise ValidationError(f"{where}.at", "is required on every row")
    earliest = at.min()
    if earliest is not None and int(earliest) < _micros(now):  # type: ignore[arg-type]
        raise ValidationError(
            f"{where}.at",
            "a contact cannot be made in the past: every `at` must be at or after now",
        )
    party = frame.get_column("party_id")
    n = frame.height
    codes = {
        "_pk": as_code(frame, "profile_code", pl.Enum(list(compiled.codes)), where),
        "_ch": as_code(frame, "channel", CHANNEL, where),
        "_pur": as_code(frame, "purpose", PURPOSE, where),
        "_role": as_code(frame, "role", ROLE, where),
    }
    zone_dtype = pl.List(pl.Enum(zones))
    zone_codes = frame.get_column("zones")
    if zone_codes.dtype != zone_dtype:
        zone_codes = zone_codes.cast(pl.List(pl.String)).cast(zone_dtype)
    known = zone_codes.list.len() > 0
    if zone_codes.null_count():
        raise ValidationError(f"{where}.zones", "is required: an empty list when none is known")
    if zone_codes.explode(empty_as_null=False, keep_nulls=False).null_count():
        raise ValidationError(f"{where}.zones", "a zone in the list is null")
    row = pl.Series("_row", range(n), dtype=pl.UInt32)
    core = pl.DataFrame(
        [
            row,
            *(codes[name].alias(name) for name in ("_pk", "_ch", "_pur", "_role")),
            party.alias("_party"),
            frame.get_column("address").cast(pl.String).alias("_addr"),
            at.alias("_at"),
            frame.get_column("debt_ids").alias("_debts"),
            as_micros(frame, "direct_consent_at", where).alias("_dc"),
            as_micros(frame, "consent_given_at", where).alias("_cg"),
            as_micros(frame, "consent_revoked_at", where).alias("_cr"),
            *(
                frame.get_column(name).alias(f"_{name}")
                for name in ("autodialled", "prerecorded", "artificial_voice")
            ),
            known.alias("_known"),
        ]
    )
    listed = zone_codes.list.eval(pl.element().to_physical().cast(pl.UInt16))
    utc = pl.lit([zones.index("UTC")], pl.List(pl.UInt16))
    core = core.with_columns(
        listed.alias("_zl"),
        pl.when(listed.list.len() > 0).then(listed).otherwise(utc).alias("_dzl"),
    )
    once = core.select("_row", "_pk", "_party", "_ch", "_pur", "_role").with_columns(
        frame.get_column(name).alias(alias)
        for name, alias in (
            ("place", "_place"),
            ("is_workplace", "_work"),
            ("workplace_consent", "_work_ok"),
            ("refused_contact", "_refused"),
            ("no_workplace_contact", "_no_work"),
            ("inconvenient_places", "_places"),
            ("opt_out_here", "_oo_here"),
            ("opt_out_channel", "_oo_channel"),
            ("debtor_unreachable", "_unreachable"),
            ("recontact_exception", "_recontact"),
        )
    )

    def subset(mask: pl.Series, **columns: pl.Series) -> pl.DataFrame:
        return pl.DataFrame(
            [row.filter(mask), *(c.filter(mask).alias(k) for k, c in columns.items())]
        )

    return Rows(
        core=core,
        once=once,
        holds=_holds(
            subset,
            frame.get_column("holds").list.len() > 0,
            _pk=codes["_pk"],
            _role=codes["_role"],
            _pur=codes["_pur"],
            _msg=frame.get_column("message_kind"),
            _debts=frame.get_column("debt_ids"),
            _holds=frame.get_column("holds"),
        ),
        itimes=_stated(row, frame, codes["_pk"], "inconvenient_times", "_itimes"),
        atimes=_stated(row, frame, codes["_pk"], "agreed_times", "_atimes"),
    )


def _holds(
    subset: Callable[..., pl.DataFrame], mask: pl.Series, **columns: pl.Series
) -> pl.DataFrame:
    """The rows with holds; every hold names a known kind and a start."""
    found = subset(mask, **columns)
    holds = found.get_column("_holds").explode()
    kinds = set(holds.struct.field("kind").drop_nulls().unique().to_list())
    unknown = sorted(kinds - {k.value for k in HoldKind})
    if unknown:
        raise ValidationError(
            "proposals.holds.kind",
            f"unknown value(s) {unknown}; use one of {[k.value for k in HoldKind]}",
        )
    if holds.struct.field("kind").null_count() or holds.struct.field("start_on").null_count():
        raise ValidationError("proposals.holds", "every hold needs a kind and a start_on")
    return found


def _stated(
    row: pl.Series, frame: pl.DataFrame, profile: pl.Series, name: str, alias: str
) -> pl.DataFrame:
    """The rows with stated times (`name`), their profile and the times in microseconds."""
    mask = frame.get_column(name).list.len() > 0
    times = _times(frame.select(name).filter(mask), name)
    weekdays = times.explode().struct.field("weekdays")
    if ((weekdays < 1) | (weekdays > ALL_WEEKDAYS_MASK)).any() or weekdays.null_count():
        raise ValidationError(
            f"proposals.{name}.weekdays", "must be a bit mask of weekdays, 1 (Monday) … 127"
        )
    return pl.DataFrame([row.filter(mask), profile.filter(mask).alias("_pk"), times.alias(alias)])


def zones_of(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """The frame's rows × their zones (`_zl` or `_dzl`, never empty): `_z`, and `_k` its order.
    Every row's first zone is read in place; only the few with more are exploded."""
    count = pl.col(column).list.len()
    first = frame.with_columns(
        pl.col(column).list.first().alias("_z"), pl.lit(0, pl.UInt32).alias("_k")
    )
    more = frame.filter(count > 1)
    if more.is_empty():
        return first.drop(column)
    rest = (
        more.with_columns(
            pl.col(column).list.slice(1).alias("_z"),
            pl.int_ranges(1, count, dtype=pl.UInt32).alias("_k"),
        )
        .explode(["_z", "_k"], empty_as_null=False, keep_nulls=False)
        .with_columns(pl.col("_z").cast(pl.UInt16))
    )
    return pl.concat([first, rest]).drop(column)


def _micros(at: dt.datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("now", "must be a timezone-aware instant")
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * SECOND + delta.microseconds


__all__ = [
    "HOLD",
    "TIME_RANGE",
    "Rows",
    "hold_struct",
    "internal_proposals",
    "zone_names",
    "zones_of",
]
