"""The recommended option: the affordable one worth most to the lender, with the reasons.

Only options whose every instalment fits what the borrower can pay are ranked; a plan the
borrower cannot keep is never recommended, however much it would be worth. Among the rest the
highest expected value wins; a tie (to the cent) goes to the option that costs the borrower
less in total, then to the shorter one. When nothing fits, nothing is recommended and the
reasons say what to do instead: refer the borrower to free debt advice and review a settlement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arrears.core.hardship.affordability import Affordability
from arrears.core.hardship.assessment import FinancialStatement
from arrears.core.hardship.explain import Param, Reason
from arrears.core.hardship.options import RepaymentOption
from arrears.core.money import Money


@dataclass(frozen=True)
class Recommendation:
    option: RepaymentOption | None
    reasons: tuple[Reason, ...]
    ranked: tuple[RepaymentOption, ...]  # the affordable options, best first
    collection_value: Money | None = None  # what the lender expects without a plan

    @property
    def refer_to_debt_advice(self) -> bool:
        return self.option is None


def _rank_key(option: RepaymentOption) -> tuple[object, ...]:
    return (-option.expected_value.amount, option.total_payment.amount, option.months, option.id)


def recommend(
    options: Sequence[RepaymentOption],
    affordability: Affordability,
    *,
    statement: FinancialStatement | None = None,
    collection_value: Money | None = None,
    contractual_instalment: Money | None = None,
) -> Recommendation:
    """Pick the affordable option with the best expected value and say why.

    `statement` adds the situation (vulnerability, a temporary difficulty), `collection_value`
    the comparison with no plan, and `contractual_instalment` a note when the borrower can in
    fact keep to the contract.
    """
    ranked = tuple(sorted((o for o in options if o.fits), key=_rank_key))
    reasons: list[Reason] = []
    if statement is not None:
        reasons.extend(_situation_reasons(statement))
    if contractual_instalment is not None and contractual_instalment <= (
        affordability.affordable_payment
    ):
        reasons.append(
            Reason(
                "contract_affordable",
                {
                    "contractual_instalment": contractual_instalment,
                    "affordable": affordability.affordable_payment,
                },
            )
        )
    if not ranked:
        reasons.extend(_nothing_fits(options, affordability))
        return Recommendation(None, tuple(reasons), ranked, collection_value)
    best = ranked[0]
    reasons.append(
        Reason(
            "best_expected_value",
            {"option": best.id, "kind": best.kind, "expected_value": best.expected_value},
        )
    )
    reasons.append(_fits(best, affordability))
    if len(ranked) > 1:
        reasons.append(_against_next(best, ranked[1]))
    unaffordable = sum(1 for o in options if not o.fits)
    if unaffordable:
        reasons.append(Reason("not_affordable_left_out", {"count": unaffordable}))
    if collection_value is not None:
        key = (
            "above_collection_value"
            if best.expected_value > collection_value
            else ("below_collection_value")
        )
        reasons.append(
            Reason(
                key,
                {
                    "collection_value": collection_value,
                    "difference": best.expected_value - collection_value,
                },
            )
        )
    if best.re_age_after_payments is not None:
        reasons.append(Reason("re_age_after", {"payments": best.re_age_after_payments}))
    reasons.append(Reason("debt_advice_available"))
    return Recommendation(best, tuple(reasons), ranked, collection_value)


def _fits(best: RepaymentOption, affordability: Affordability) -> Reason:
    """Every instalment fits; the tightest month shows by how much."""
    margins = [
        affordability.allowance(row.number) - row.payment
        for row in best.schedule.instalments
        if not row.payment.is_zero()
    ]
    params: dict[str, Param] = {
        "max_payment": best.max_payment,
        "affordable": affordability.affordable_payment,
        "smallest_margin": min(margins, key=lambda m: m.amount, default=best.max_payment),
    }
    if affordability.affordable_after_recovery is not None:
        params["affordable_after_recovery"] = affordability.affordable_after_recovery
    return Reason("fits_affordability", params)


def _against_next(best: RepaymentOption, runner_up: RepaymentOption) -> Reason:
    if best.expected_value == runner_up.expected_value:
        return Reason(
            "tie_broken_by_lower_cost",
            {
                "other": runner_up.id,
                "total_payment": best.total_payment,
                "other_total_payment": runner_up.total_payment,
            },
        )
    return Reason(
        "ahead_of_next",
        {
            "other": runner_up.id,
            "other_expected_value": runner_up.expected_value,
            "difference": best.expected_value - runner_up.expected_value,
        },
    )


def _nothing_fits(options: Sequence[RepaymentOption], affordability: Affordability) -> list[Reason]:
    lowest = min((o.max_payment for o in options), key=lambda m: m.amount, default=None)
    params: dict[str, Param] = {
        "count": len(options),
        "affordable": affordability.affordable_payment,
    }
    if lowest is not None:
        params["lowest_instalment"] = lowest
    return [
        Reason("no_affordable_option", params),
        Reason("refer_to_debt_advice"),
        Reason("settlement_review"),
    ]


def _situation_reasons(statement: FinancialStatement) -> list[Reason]:
    reasons = []
    if statement.needs_trained_staff:
        flags = ", ".join(sorted(statement.vulnerabilities))
        reasons.append(Reason("route_to_trained_staff", {"flags": flags}))
    if statement.temporary:
        months = statement.expected_recovery_months
        reasons.append(Reason("difficulty_is_temporary", {"months": months} if months else {}))
    return reasons
