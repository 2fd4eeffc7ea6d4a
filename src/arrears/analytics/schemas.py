"""The KPI report as a document: what GET /api/v1/reports/kpis returns and what
`arrears report kpis --json` prints (one schema serialises both). Money is `MoneyOut`; rates
are decimal strings (never floats) or null when there was nothing to measure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from arrears.analytics.selectors import Kpis
from arrears.common.schemas import MoneyOut


class KpiFilters(Schema):
    """`?from=2026-01-01&to=2026-02-01&product=cn_consumer_loan&strategy_arm=ladder`"""

    model_config = ConfigDict(populate_by_name=True)

    start_on: dt.date = Field(alias="from", description="first business day of the period")
    end_on: dt.date = Field(alias="to", description="the day after the last (exclusive)")
    product: str | None = Field(None, max_length=40, description="a product's code")
    strategy_arm: str | None = Field(
        None, max_length=120, description="a collection path, or `strategy code:path`"
    )
    currency: str | None = Field(None, min_length=3, max_length=3, description="ISO 4217 code")


class RollRowOut(Schema):
    from_bucket: str
    accounts: int
    to_accounts: dict[str, int]
    to_shares: dict[str, Decimal] = Field(description="sums to exactly 1")


class PromisesOut(Schema):
    fell_due: int
    kept: int
    partly_kept: int
    broken: int
    pending: int = Field(description="fell due, still inside the grace days")
    kept_rate: Decimal | None
    partly_kept_rate: Decimal | None


class ContactsOut(Schema):
    attempts: int
    attempts_by_channel: dict[str, int]
    call_attempts: int
    right_party_calls: int
    right_party_contact_rate: Decimal | None
    contacts_per_account: Decimal | None
    cost: MoneyOut
    cost_by_channel: dict[str, MoneyOut]
    cost_per_unit_collected: Decimal | None


class PlansOut(Schema):
    accounts_on_plans: int
    share_on_plans: Decimal | None
    completed: int
    broken: int
    completion_rate: Decimal | None


class KpisOut(Schema):
    period_from: dt.date
    period_to: dt.date = Field(description="the day after the last")
    currency: str
    product: str | None
    strategy_arm: str | None
    accounts: int
    accounts_at_start: int
    accounts_in_collection: int
    roll_rates: list[RollRowOut]
    delinquent_at_start: int
    cured: int
    cure_rate: Decimal | None
    past_due_at_start: MoneyOut
    collected_from_delinquent: MoneyOut
    liquidation_rate: Decimal | None
    collected: MoneyOut
    promises: PromisesOut
    contacts: ContactsOut
    complaints: int
    complaints_per_1000_accounts: Decimal | None
    plans: PlansOut
    compliance_blocks: int
    blocks_by_rule: dict[str, int]

    @classmethod
    def of(cls, found: Kpis) -> KpisOut:
        """The document of a report (money in the report's currency)."""

        def money(minor: int) -> MoneyOut:
            return MoneyOut.from_minor(minor, found.currency)

        contacts = found.contacts
        return cls(
            period_from=found.start_on,
            period_to=found.end_on,
            currency=found.currency,
            product=found.product,
            strategy_arm=found.strategy_arm,
            accounts=found.accounts,
            accounts_at_start=found.accounts_at_start,
            accounts_in_collection=found.accounts_in_collection,
            roll_rates=[RollRowOut.model_validate(row) for row in found.roll_rates],
            delinquent_at_start=found.delinquent_at_start,
            cured=found.cured,
            cure_rate=found.cure_rate,
            past_due_at_start=money(found.past_due_at_start_minor),
            collected_from_delinquent=money(found.collected_from_delinquent_minor),
            liquidation_rate=found.liquidation_rate,
            collected=money(found.collected_minor),
            promises=PromisesOut.model_validate(found.promises),
            contacts=ContactsOut(
                attempts=contacts.attempts,
                attempts_by_channel=contacts.attempts_by_channel,
                call_attempts=contacts.call_attempts,
                right_party_calls=contacts.right_party_calls,
                right_party_contact_rate=contacts.right_party_contact_rate,
                contacts_per_account=contacts.contacts_per_account,
                cost=money(contacts.cost_minor),
                cost_by_channel={k: money(v) for k, v in contacts.cost_by_channel_minor.items()},
                cost_per_unit_collected=contacts.cost_per_unit_collected,
            ),
            complaints=found.complaints,
            complaints_per_1000_accounts=found.complaints_per_1000_accounts,
            plans=PlansOut.model_validate(found.plans),
            compliance_blocks=found.compliance_blocks,
            blocks_by_rule=found.blocks_by_rule,
        )
