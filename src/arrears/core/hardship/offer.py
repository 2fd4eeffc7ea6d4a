"""One call for the shell: from an account and a statement to priced options and a choice.

offer = price_options(position=position, statement=statement)
offer.affordability.explanation   # how the affordable payment was reached
offer.options                     # every option, side by side
offer.recommendation.option       # the one to propose (None: refer to debt advice)
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.core.hardship.affordability import Affordability, assess_affordability
from arrears.core.hardship.assessment import FinancialStatement
from arrears.core.hardship.norms import SpendingNorms
from arrears.core.hardship.options import RepaymentOption, repayment_options
from arrears.core.hardship.policy import HardshipPolicy, bundled_hardship_policy
from arrears.core.hardship.position import AccountPosition
from arrears.core.hardship.recommend import Recommendation, recommend
from arrears.core.hardship.value import collection_value


@dataclass(frozen=True)
class HardshipOffer:
    affordability: Affordability
    options: tuple[RepaymentOption, ...]
    recommendation: Recommendation


def price_options(
    *,
    position: AccountPosition,
    statement: FinancialStatement,
    policy: HardshipPolicy | None = None,
    norms: SpendingNorms | None = None,
) -> HardshipOffer:
    """Assess, quote, price and recommend (policy and norms: the bundled ones if None)."""
    policy = policy or bundled_hardship_policy(position.jurisdiction)
    affordability = assess_affordability(statement, policy=policy.affordability, norms=norms)
    options = repayment_options(position, affordability, policy)
    baseline = collection_value(
        position.owed,
        discount_rate_percent=policy.discount_rate_percent,
        recovery_rate_percent=policy.recovery_rate_percent,
        recovery_lag_months=policy.recovery_lag_months,
        rounding=position.rounding,
    )
    choice = recommend(
        options,
        affordability,
        statement=statement,
        collection_value=baseline,
        contractual_instalment=position.contractual_instalment,
    )
    return HardshipOffer(affordability=affordability, options=options, recommendation=choice)
