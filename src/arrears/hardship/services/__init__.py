"""Every write of the hardship app: one function per use case (keyword-only, atomic).

- `assessments`: `take_assessment` (the financial statement and its affordability, as taken);
- `options`: `price_options` (reads only: the account's options priced, and the recommendation);
- `plans`: `propose_plan`, `accept_plan`, `activate_plan`, `cancel_plan`;
- `ledger_terms`: a plan's terms on the ledger through servicing's services (its interest as
  scheduled, the contract's suspended, fees waived, a settlement's discount), on activation
  and when the plan ends;
- `review`: `review_plans` (the nightly step), `queue_plan_reminders`;
- `content`: `load_articles`, `load_debt_advice` (the bundled education and referral data).
"""

from arrears.hardship.services.assessments import take_assessment
from arrears.hardship.services.content import load_articles, load_debt_advice
from arrears.hardship.services.options import PricedOptions, price_options
from arrears.hardship.services.plans import accept_plan, activate_plan, cancel_plan, propose_plan
from arrears.hardship.services.review import queue_plan_reminders, review_plans

__all__ = [
    "PricedOptions",
    "accept_plan",
    "activate_plan",
    "cancel_plan",
    "load_articles",
    "load_debt_advice",
    "price_options",
    "propose_plan",
    "queue_plan_reminders",
    "review_plans",
    "take_assessment",
]
