"""Active plans as servicing arrangements: the plan's due dates drive the account's ageing.

Registered with servicing's arrangement hook (`servicing.services.arrangements`) from
`HardshipConfig.ready()`. For each account with an active plan whose jurisdiction lets the plan
drive ageing (`PlanAgeing.PLAN`, data/plan_rules.yaml), ageing sees the arrears the plan was
agreed for stopped on the day it started, and the plan's instalments — with what is still unpaid
of each, matched from the payments received so far (`matching.match_payments`, the same rule as
the nightly review) — in place of the contract's later dues.

Every account with an active plan is *under an arrangement*, also where the jurisdiction keeps
the contract's dates driving ageing (`PlanAgeing.CONTRACT`: no `Arrangement` is returned for
it, so it ages on its contract): while the plan is kept it is charged no late fee (servicing's
cycle) and gets the plan's instalment reminders instead of the contract's (engagement's notices).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from arrears.hardship import selectors
from arrears.hardship.choices import PlanAgeing
from arrears.servicing.services.arrangements import Arrangement, register_arrangement_source

SOURCE_NAME = "hardship_plans"


class PlansAsArrangements:
    """The `ArrangementSource` servicing's ageing consults."""

    def accounts_under_arrangement(self, as_of: dt.date) -> Collection[int]:
        """Every account with an active plan, whichever drives its ageing: none of them is
        charged a late fee or sent the contract's due reminders while the plan is kept."""
        return selectors.accounts_with_active_plan(as_of=as_of)

    def arrangements(
        self, account_ids: Collection[int], as_of: dt.date
    ) -> Mapping[int, Arrangement]:
        found: dict[int, Arrangement] = {}
        for plan, standings in selectors.plan_standings_in_bulk(account_ids, as_of=as_of):
            if plan.ageing != PlanAgeing.PLAN or plan.activated_on is None:
                continue
            found[plan.account_id] = Arrangement(
                starts_on=plan.activated_on,
                dues=tuple((s.due_on, s.unpaid_minor) for s in standings if s.unpaid_minor > 0),
            )
        return found


def register_plans_as_arrangements() -> None:
    register_arrangement_source(SOURCE_NAME, PlansAsArrangements())
