"""Hardship help, the pure part (还款困难帮扶): affordability, priced options, a recommendation.

    statement  = parse_statement(json.load(file))                        # assessment.py
    position   = position_from_terms(terms, principal=…, interest=…, …)  # position.py
    offer      = price_options(position=position, statement=statement)   # offer.py
    offer.affordability.explanation  → how the affordable payment was reached
    offer.options                    → every option with its schedule, totals, fit and value
    offer.recommendation             → the affordable option worth most to the lender, and why

Everything people read comes back as keys with parameters; `labels.label` renders them in
English or Chinese. See docs/hardship.md for the arithmetic and the policy file.
"""

from arrears.core.hardship.affordability import Affordability, assess_affordability
from arrears.core.hardship.assessment import FinancialStatement, parse_statement
from arrears.core.hardship.budget import Budget, plan_budget
from arrears.core.hardship.offer import HardshipOffer, price_options
from arrears.core.hardship.options import RepaymentOption, repayment_options
from arrears.core.hardship.policy import HardshipPolicy, OptionKind, bundled_hardship_policy
from arrears.core.hardship.position import AccountPosition, position_from_terms
from arrears.core.hardship.recommend import Recommendation, recommend

__all__ = [
    "AccountPosition",
    "Affordability",
    "Budget",
    "FinancialStatement",
    "HardshipOffer",
    "HardshipPolicy",
    "OptionKind",
    "Recommendation",
    "RepaymentOption",
    "assess_affordability",
    "bundled_hardship_policy",
    "parse_statement",
    "plan_budget",
    "position_from_terms",
    "price_options",
    "recommend",
    "repayment_options",
]
