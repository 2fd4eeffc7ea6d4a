"""Case allocation (分案): which agent or agency works each case.

`assign_cases` deals a batch of cases to owners (agents or agencies) by documented rules:

1. **Eligibility.** An owner may take a case when it is available, has every skill the case needs
   (language, hardship-trained, legal …), is under its case capacity (`max_open_cases`, counting
   the cases it holds outside this batch) and stays within its balance cap (`max_balance_share`
   of the batch's total balance — the usual cap on an agency's share of a placement).
2. **Sticky owner.** A case stays with its current owner while that owner is eligible; it moves
   only when the owner is unavailable, over capacity or cap, or lacks a skill the case now needs.
3. **Balanced deal.** The other cases go, largest first (by balance, or by expected value with
   `Method.EV_BALANCED`; ties by case id), each to the eligible owner with the least load per
   unit of `weight` so far in this batch (balance-weighted round-robin); ties go to the owner with
   fewer cases, then the smaller id.
4. **Unassignable** cases are reported with the reason: no owner has the skills, the skilled
   owners are unavailable, they are full, or their balance caps are reached.

The result depends only on the input's content (not its order), so a rerun deals the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from arrears.core.errors import ValidationError
from arrears.core.money import Money


class OwnerKind(StrEnum):
    AGENT = "agent"  # 催收员
    AGENCY = "agency"  # 委外机构


class Method(StrEnum):
    BALANCE_ROUND_ROBIN = "balance_round_robin"  # even out the balance each owner works
    EV_BALANCED = "ev_balanced"  # even out the expected value of the contacts


@dataclass(frozen=True)
class Owner:
    owner_id: str
    kind: OwnerKind = OwnerKind.AGENT
    skills: frozenset[str] = frozenset()
    available: bool = True
    max_open_cases: int | None = None
    open_cases: int = 0  # cases held outside this batch
    max_balance_share: Decimal | None = None  # of the batch's total balance, 0–1
    weight: Decimal = Decimal(1)  # a larger weight takes proportionally more

    def __post_init__(self) -> None:
        if not self.owner_id:
            raise ValidationError("owner_id", "is required")
        if self.max_open_cases is not None and self.max_open_cases < 0:
            raise ValidationError(f"owners.{self.owner_id}.max_open_cases", "cannot be negative")
        if self.open_cases < 0:
            raise ValidationError(f"owners.{self.owner_id}.open_cases", "cannot be negative")
        share = self.max_balance_share
        if share is not None and not Decimal(0) <= share <= Decimal(1):
            raise ValidationError(f"owners.{self.owner_id}.max_balance_share", "must be 0–1")
        if not self.weight > 0:
            raise ValidationError(f"owners.{self.owner_id}.weight", "must be more than zero")


@dataclass(frozen=True)
class CaseToAssign:
    case_id: str
    balance: Money
    skills_needed: frozenset[str] = frozenset()
    current_owner: str | None = None
    expected_value: Money | None = None  # needed for Method.EV_BALANCED


@dataclass(frozen=True, slots=True)
class Assignment:
    case_id: str
    owner_id: str
    reason: str  # a key of `labels.LABELS`
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Unassigned:
    case_id: str
    reason: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OwnerLoad:
    owner_id: str
    cases: int  # assigned in this batch
    open_cases: int  # in this batch and outside it
    balance: Money  # assigned in this batch


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    loads: Mapping[str, OwnerLoad]

    def owner_of(self, case_id: str) -> str | None:
        return next((a.owner_id for a in self.assignments if a.case_id == case_id), None)


def assign_cases(
    cases: Iterable[CaseToAssign],
    owners: Iterable[Owner],
    *,
    method: Method = Method.BALANCE_ROUND_ROBIN,
    currency: str = "CNY",
) -> AssignmentResult:
    """Deal `cases` to `owners` (see the module's rules); every case is assigned or reported."""
    batch = _cases(cases, currency, method)
    pool = _owners(owners)
    book = _Book(pool, sum(c.balance.minor for c in batch), method)
    order = sorted(batch, key=lambda c: (-book.measure(c), c.case_id))
    placed: dict[str, Assignment] = {}
    for case in order:
        owner = pool.get(case.current_owner or "")
        if owner is not None and book.refusal(owner, case) is None:
            book.take(owner, case)
            placed[case.case_id] = Assignment(case.case_id, owner.owner_id, "assignment.kept")
    unassigned = []
    for case in order:
        if case.case_id in placed:
            continue
        eligible = [o for o in pool.values() if book.refusal(o, case) is None]
        if not eligible:
            unassigned.append(_why_not(case, pool, book))
            continue
        owner = min(eligible, key=book.priority)
        book.take(owner, case)
        placed[case.case_id] = _allocated(case, owner, pool, book)
    return AssignmentResult(
        assignments=tuple(placed[c.case_id] for c in order if c.case_id in placed),
        unassigned=tuple(unassigned),
        loads=book.loads(currency),
    )


class _Book:
    """What each owner has taken so far in the batch."""

    def __init__(self, pool: Mapping[str, Owner], total_minor: int, method: Method) -> None:
        self.method = method
        self.cases = dict.fromkeys(pool, 0)
        self.balance = dict.fromkeys(pool, 0)
        self.load = dict.fromkeys(pool, 0)
        self.pool = pool
        self.caps = {
            o.owner_id: int(Fraction(o.max_balance_share) * total_minor)
            for o in pool.values()
            if o.max_balance_share is not None
        }

    def measure(self, case: CaseToAssign) -> int:
        if self.method is Method.EV_BALANCED and case.expected_value is not None:
            return max(case.expected_value.minor, 0)
        return case.balance.minor

    def refusal(self, owner: Owner, case: CaseToAssign) -> str | None:
        """Why `owner` cannot take `case` now, or None."""
        if not case.skills_needed <= owner.skills:
            return "skills"
        if not owner.available:
            return "unavailable"
        held = owner.open_cases + self.cases[owner.owner_id]
        if owner.max_open_cases is not None and held >= owner.max_open_cases:
            return "capacity"
        cap = self.caps.get(owner.owner_id)
        if cap is not None and self.balance[owner.owner_id] + case.balance.minor > cap:
            return "balance_cap"
        return None

    def take(self, owner: Owner, case: CaseToAssign) -> None:
        self.cases[owner.owner_id] += 1
        self.balance[owner.owner_id] += case.balance.minor
        self.load[owner.owner_id] += self.measure(case)

    def priority(self, owner: Owner) -> tuple[Fraction, int, str]:
        held = owner.open_cases + self.cases[owner.owner_id]
        return Fraction(self.load[owner.owner_id]) / Fraction(owner.weight), held, owner.owner_id

    def loads(self, currency: str) -> dict[str, OwnerLoad]:
        return {
            owner_id: OwnerLoad(
                owner_id,
                self.cases[owner_id],
                owner.open_cases + self.cases[owner_id],
                Money.from_minor(self.balance[owner_id], currency),
            )
            for owner_id, owner in sorted(self.pool.items())
        }


_MOVED = {
    "skills": "assignment.moved_owner_lacks_skills",
    "unavailable": "assignment.moved_owner_unavailable",
    "capacity": "assignment.moved_owner_full",
    "balance_cap": "assignment.moved_owner_cap",
}
_UNASSIGNED = {
    "skills": "assignment.no_owner_with_skills",
    "unavailable": "assignment.owners_unavailable",
    "capacity": "assignment.capacity_full",
    "balance_cap": "assignment.balance_cap_reached",
}


def _allocated(
    case: CaseToAssign, owner: Owner, pool: Mapping[str, Owner], book: _Book
) -> Assignment:
    previous = pool.get(case.current_owner or "")
    if previous is None:
        return Assignment(case.case_id, owner.owner_id, "assignment.allocated")
    why = book.refusal(previous, case) or "capacity"
    return Assignment(
        case.case_id, owner.owner_id, _MOVED[why], {"previous_owner": previous.owner_id}
    )


def _why_not(case: CaseToAssign, pool: Mapping[str, Owner], book: _Book) -> Unassigned:
    """The furthest any owner got: skills, then availability, then capacity, then the cap."""
    stages = ("skills", "unavailable", "capacity", "balance_cap")
    refusals = [book.refusal(o, case) for o in pool.values()]
    furthest = max((stages.index(r) for r in refusals if r is not None), default=0)
    params = {"skills": ", ".join(sorted(case.skills_needed)) or "-"}
    return Unassigned(case.case_id, _UNASSIGNED[stages[furthest]], params)


def _cases(cases: Iterable[CaseToAssign], currency: str, method: Method) -> list[CaseToAssign]:
    batch = list(cases)
    seen: set[str] = set()
    for case in batch:
        where = f"cases.{case.case_id}"
        if case.case_id in seen:
            raise ValidationError(where, "appears twice")
        seen.add(case.case_id)
        if case.balance.currency != currency or case.balance.is_negative():
            raise ValidationError(f"{where}.balance", f"must be an amount in {currency}")
        if method is Method.EV_BALANCED:
            ev = case.expected_value
            if ev is None or ev.currency != currency:
                raise ValidationError(f"{where}.expected_value", f"is needed, in {currency}")
    return batch


def _owners(owners: Iterable[Owner]) -> dict[str, Owner]:
    pool: dict[str, Owner] = {}
    for owner in owners:
        if owner.owner_id in pool:
            raise ValidationError(f"owners.{owner.owner_id}", "appears twice")
        pool[owner.owner_id] = owner
    return dict(sorted(pool.items()))
