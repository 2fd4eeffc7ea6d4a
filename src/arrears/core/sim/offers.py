"""Repayment-plan offers as the behaviour model meets them, shared by both engines.

A contact offers a plan when its template carries one (options, a self-service link, an
offer) or when a collector calls a borrower who has told the lender of hardship. The model
takes it with the segment's uptake, higher when the instalment fits what the borrower can pay;
the database engine then asks the real hardship services for the plan (`demo.sim.plans`).
"""

from __future__ import annotations

import numpy as np

#: Templates that carry a repayment-plan offer (a self-service link to set one up, or options).
PLAN_TEMPLATES = frozenset({"hardship_options", "self_service_link", "plan_offer"})
#: The plan offered by default, and the longest a hardship offer is stretched to.
PLAN_MONTHS, PLAN_MONTHS_LONGEST = 12, 36


def offered_instalment(
    balance_minor: np.ndarray, ability_minor: np.ndarray, hardship_known: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The monthly instalment offered and whether the borrower can pay it. A borrower who told
    us of hardship has shown a financial statement: the offer is cut to what they can pay,
    down to a plan of PLAN_MONTHS_LONGEST months; otherwise it is the balance over
    PLAN_MONTHS."""
    balance = np.asarray(balance_minor, np.int64)
    ability = np.asarray(ability_minor, np.int64)
    standard = -(-balance // PLAN_MONTHS)
    longest = -(-balance // PLAN_MONTHS_LONGEST)
    fitted = np.maximum(np.minimum(standard, ability), longest)
    chosen = np.where(np.asarray(hardship_known, bool), fitted, standard)
    instalment = np.maximum(chosen, 1).astype(np.int64)
    return instalment, instalment <= ability
