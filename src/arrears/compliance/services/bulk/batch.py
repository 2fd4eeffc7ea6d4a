"""A batch being decided: its rows, what was read for them, and the decisions written.

Rows go in parts of whole borrowers (independent: a decision counts only its own borrower's
new permits), and in waves within a part (a borrower's first proposal, then their second …);
each wave is decided by the vectorised gate and explained row by row by the scalar rules, over
the row's own history, and its decisions and permits are written in bulk (`rows`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from arrears.common.bulk import among
from arrears.compliance.services.bulk.answers import RuleAnswers
from arrears.compliance.services.bulk.log import ContactLog, read_log
from arrears.compliance.services.bulk.rows import (
    RuleTexts,
    decision_row,
    json_text,
    permit_row,
    write_decisions,
    write_permits,
)
from arrears.compliance.services.bulk.vectorised import Vectorised
from arrears.compliance.services.gate import permit_lifetime
from arrears.compliance.services.profiles import ActiveProfile, active_profile, active_texts
from arrears.compliance.services.requests import (
    Contact,
    Person,
    Records,
    history_days,
    load_records,
    pending_attempt,
    request_for,
)
from arrears.core import compliance as core
from arrears.core.compliance.jurisdictions import profile_code_for
from arrears.core.compliance.wire import check_document
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Product
from arrears.servicing.services.products import product_terms

logger = logging.getLogger(__name__)

#: Rows decided by the scalar rules and written together.
CHUNK = 2000
#: Rows decided together by the vectorised gate (whole borrowers; bounds the memory in use).
PART = 20_000
_STEP = dt.timedelta(minutes=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    """What one proposal got: its decision, its permit (if any), and the gate's answer."""

    decision_id: int
    permit_id: str | None
    allowed: bool
    denied: list[str]
    next_permitted_at: dt.datetime | None


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One proposal to decide: its contact, its profile, and since when its history counts."""

    index: int
    request_id: str
    contact: Contact
    active: ActiveProfile
    code: str
    since: dt.datetime


class Batch:
    """The proposals not decided yet and everything the gate reads about them."""

    def __init__(
        self, rows: list[Row], records: dict[int, Records], log: ContactLog, now: dt.datetime
    ) -> None:
        self.rows = rows
        self.records = records
        self.log = log
        self.now = now
        self.profiles = {row.code: row.active.profile for row in rows}
        self.answers = RuleAnswers()
        self.rule_texts = RuleTexts()

    @classmethod
    def load(
        cls, frame: pl.DataFrame, fresh: list[int], people: dict[int, Person], *, now: dt.datetime
    ) -> Batch:
        """Read everything the gate needs for the `fresh` rows of `frame` (a fixed number of
        queries: accounts, products, profiles, five for the records, the log, the permits)."""
        chosen = frame[fresh]
        accounts = _accounts(chosen, fresh)
        texts = active_texts()
        actives: dict[str, ActiveProfile] = {}
        rows: list[Row] = []
        columns = chosen.columns
        for index, values in zip(fresh, chosen.iter_rows(), strict=True):
            row = dict(zip(columns, values, strict=True))
            person = people[row["borrower_id"]]
            account = accounts.get(row["account_id"]) if row["account_id"] is not None else None
            code = account.code if account is not None else _country_code(person.country, index)
            active = actives.get(code)
            if active is None:
                active = actives[code] = active_profile(code, texts=texts)
            contact = _contact(row, person, account)
            since = now - dt.timedelta(days=history_days(active.profile))
            rows.append(Row(index, row["request_id"], contact, active, code, since))
        earliest = min(row.contact.at for row in rows)
        records = load_records(
            {pk: people[pk] for pk in {row.contact.borrower_id for row in rows}},
            earliest_at=earliest,
        )
        since = min(row.since for row in rows)
        log = read_log([row.contact for row in rows], since=since, now=now)
        return cls(rows, records, log, now)

    def parts(self) -> Iterator[list[Row]]:
        """The rows in parts of about `PART` rows, all of a borrower's rows in one part: parts
        are independent (a decision counts only its own borrower's permits among the new ones),
        so each is decided on its own and the memory in use stays bounded."""
        part_of: dict[int, list[Row]] = {}
        parts: list[list[Row]] = []
        for row in self.rows:
            found = part_of.get(row.contact.borrower_id)
            if found is None:
                if not parts or len(parts[-1]) >= PART:
                    parts.append([])
                found = part_of[row.contact.borrower_id] = parts[-1]
            found.append(row)
        yield from parts

    def decide(self, wave: list[Row], *, issue_permits: bool) -> Iterator[tuple[int, Answer]]:
        """Decide one wave: the vectorised gate for all, the scalar rules for each row's reasons."""
        requests = [self.request(row) for row in wave]
        histories = [self.log.own_history(row.contact, row.since) for row in wave]
        fast = Vectorised.of(
            requests, log=self.log, profiles=self.profiles, now=self.now, with_ends=issue_permits
        )
        issued: list[tuple[int, core.Attempt]] = []
        for start in range(0, len(wave), CHUNK):
            logged = [
                self._logged(wave[i], requests[i], histories[i], fast, i, ends=issue_permits)
                for i in range(start, min(start + CHUNK, len(wave)))
            ]
            yield from self._write(logged, issue_permits=issue_permits, issued=issued)
        self.log.add_issued(issued)  # counted by the next waves

    def request(self, row: Row) -> core.ContactRequest:
        return request_for(
            row.contact,
            records=self.records[row.contact.borrower_id],
            request_id=row.request_id,
            profile_code=row.code,
        )

    def _logged(
        self,
        row: Row,
        request: core.ContactRequest,
        history: core.ContactHistory,
        fast: Vectorised,
        position: int,
        *,
        ends: bool,
    ) -> _Decided:
        """The decision with every rule's answer (the scalar rules' reasons) and, `ends`, the
        end of its permit when allowed."""
        profile = row.active.profile
        results = self.answers.evaluate(request, history, profile)
        denied = [r.rule_id for r in results if r.denied]
        alone = self.log.shared_view_differs(row.contact, history, row.since)
        if not alone and fast.denied[position] != denied:
            logger.warning(
                "bulk gate: the vectorised and the scalar gate disagree on %s (%s, %s)",
                request.request_id,
                fast.denied[position],
                denied,
            )
            alone = True
        if alone:
            answer = core.decide(request, history, profile, now=self.now)
            issuing = answer.allowed and ends
            until = _scalar_valid_until(request, history, profile) if issuing else None
        else:
            answer = core.Decision(
                request_id=request.request_id,
                allowed=not denied,
                rules=results,
                next_permitted_at=request.at if not denied else fast.next_at[position],
                at=request.at,
                evaluated_at=self.now,
                profile_code=profile.code,
                profile_version="+".join(profile.layers),
            )
            until = fast.valid_until[position]
        return _Decided(row, request, history, answer, until)

    def _write(
        self,
        logged: list[_Decided],
        *,
        issue_permits: bool,
        issued: list[tuple[int, core.Attempt]],
    ) -> Iterator[tuple[int, Answer]]:
        ids = write_decisions([self._decision_row(entry) for entry in logged])
        permits: dict[str, str] = {}
        rows = []
        for entry in logged:
            answer, contact = entry.answer, entry.row.contact
            if answer.allowed and issue_permits:
                assert entry.valid_until is not None
                row = permit_row(ids[answer.request_id], contact, answer, entry.valid_until)
                rows.append(row)
                permits[answer.request_id] = str(row[0])
                issued.append((contact.borrower_id, _as_pending(contact, answer)))
        write_permits(rows)
        for entry in logged:
            answer = entry.answer
            yield (
                entry.row.index,
                Answer(
                    ids[answer.request_id],
                    permits.get(answer.request_id),
                    answer.allowed,
                    [r.rule_id for r in answer.denials],
                    answer.next_permitted_at,
                ),
            )

    def _decision_row(self, entry: _Decided) -> tuple[Any, ...]:
        """The decision as `request_permit` logs it (`gate._log`)."""
        snapshot = check_document(
            entry.request, entry.history, now=self.now, house_rules=entry.row.active.house_rules
        )
        return decision_row(
            entry.row.contact,
            entry.answer,
            self.rule_texts.of(entry.answer.rules),
            json_text(snapshot),
        )


def waves(rows: list[Row]) -> list[list[Row]]:
    """The rows in waves: each borrower's first proposal, then each one's second …"""
    seen: dict[int, int] = defaultdict(int)
    waves: list[list[Row]] = []
    for row in rows:
        rank = seen[row.contact.borrower_id]
        seen[row.contact.borrower_id] += 1
        if rank == len(waves):
            waves.append([])
        waves[rank].append(row)
    return waves


@dataclasses.dataclass(frozen=True, slots=True)
class _Decided:
    row: Row
    request: core.ContactRequest
    history: core.ContactHistory
    answer: core.Decision
    valid_until: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class _Account:
    borrower_id: int
    number: str
    code: str


def _accounts(frame: pl.DataFrame, fresh: list[int]) -> dict[int, _Account]:
    """The accounts named (two queries: accounts, their products), each checked to be the
    borrower's; the profile of an account is its product's jurisdiction."""
    wanted = frame.get_column("account_id").drop_nulls().unique().to_list()
    if not wanted:
        return {}
    rows = list(
        Account.objects.filter(among("pk", wanted)).values_list(
            "pk", "borrower_id", "number", "product_id"
        )
    )
    products = {p.pk: p for p in Product.objects.filter(among("pk", {r[3] for r in rows}))}
    codes = {pk: profile_code_for(product_terms(p).jurisdiction) for pk, p in products.items()}
    found = {
        pk: _Account(borrower, number, codes[product]) for pk, borrower, number, product in rows
    }
    for position, (account_id, borrower_id) in enumerate(
        frame.select("account_id", "borrower_id").iter_rows()
    ):
        if account_id is None:
            continue
        account = found.get(account_id)
        if account is None:
            raise ValidationError(
                f"proposals[{fresh[position]}].account_id", _("there is no such account")
            )
        if account.borrower_id != borrower_id:
            raise ValidationError(
                f"proposals[{fresh[position]}].account_id",
                _("account %(number)s is not the borrower's") % {"number": account.number},
            )
    return found


def _country_code(country: str, index: int) -> str:
    try:
        return profile_code_for(country, field="borrower.country")
    except ValidationError as error:
        raise ValidationError(f"proposals[{index}].{error.field}", error.reason) from None


def _contact(row: dict[str, Any], person: Person, account: _Account | None) -> Contact:
    return Contact(
        borrower_id=person.pk,
        reference=person.reference,
        account_id=row["account_id"],
        account_number=None if account is None else account.number,
        channel=core.Channel(row["channel"]),
        address=row["address"],
        purpose=core.Purpose(row["purpose"]),
        at=row["at"],
        party_role=core.Role(row["party_role"]),
        party_ref=row["party_ref"],
        autodialled=row["automated"],
        prerecorded=row["prerecorded"],
        artificial_voice=row["artificial_voice"],
        message_kind=row["message_kind"],
        direct_consent_at=row["direct_consent_at"],
        debtor_unreachable=row["debtor_unreachable"],
        recontact_exception=row["recontact_exception"],
    )


def _as_pending(contact: Contact, answer: core.Decision) -> core.Attempt:
    """The permit just issued, as the next proposals of the same borrower count it."""
    return pending_attempt(
        (
            None,
            answer.at,
            contact.channel.value,
            contact.address,
            contact.party_ref,
            contact.account_number,
            contact.purpose.value,
        ),
        reference=contact.reference,
    )


def _scalar_valid_until(
    request: core.ContactRequest, history: core.ContactHistory, profile: core.Profile
) -> dt.datetime:
    """The permit's end as `gate._valid_until` finds it: its lifetime, or the first whole
    minute a rule would refuse."""
    end = request.at + permit_lifetime()
    moment = request.at.replace(second=0, microsecond=0) + _STEP
    while moment < end:
        later = dataclasses.replace(request, at=moment)
        if any(r.denied for r in core.evaluate(later, history, profile)):
            return moment
        moment += _STEP
    return end
