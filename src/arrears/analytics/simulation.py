"""Strategy comparisons in the lender's words: labels, verdicts and table cells for a
`core.sim.compare.Comparison`, and the console's quick simulation of a strategy change.

`arrears sim compare` (the CLI and its HTML report) and the console's strategies page both show
comparisons; the words live here, below both.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from arrears.core.money import minor_units
from arrears.core.sim import bundled_behaviour
from arrears.core.sim.compare import Comparison, MetricComparison, Verdict, compare
from arrears.core.sim.lab import LabOptions, LabRun, run_lab
from arrears.core.strategy.document import Strategy

MONEY = frozenset({"net_minor", "collected_minor", "cost_minor", "money_per_contact"})
RATES = frozenset({"cure_rate", "roll_forward_rate", "promises_kept_rate"})


def metric_label(metric: str) -> str:
    labels = {
        "net_minor": _("Net money collected"),
        "collected_minor": _("Money collected"),
        "cost_minor": _("Cost of contacts"),
        "contacts": _("Contacts"),
        "money_per_contact": _("Money per contact"),
        "complaints": _("Complaints"),
        "complaints_per_1000": _("Complaints per 1,000 accounts"),
        "cure_rate": _("Cure rate"),
        "roll_forward_rate": _("Roll-forward rate"),
        "plans_taken": _("Plans taken"),
        "promises_kept_rate": _("Promise-kept rate"),
        "breaches": _("Compliance breaches"),
    }
    return labels.get(metric, metric)


def metric_definition(metric: str) -> str:
    definitions = {
        "net_minor": _("Money collected minus the cost of the contacts, per run."),
        "collected_minor": _("Everything the borrowers paid during the run."),
        "cost_minor": _("What the contacts cost, from the per-channel cost table."),
        "contacts": _(
            "Contacts delivered on every channel: calls, texts, e-mails, in-app, letters."
        ),
        "money_per_contact": _("Money collected divided by the contacts delivered."),
        "complaints": _("Complaints the borrowers made during the run."),
        "complaints_per_1000": _("Complaints per 1,000 accounts in the portfolio."),
        "cure_rate": _(
            "Of the accounts past due on the first day, the share that are current at the end."
        ),
        "roll_forward_rate": _(
            "Of the accounts past due on the first day, the share in a later bucket at the end."
        ),
        "plans_taken": _("Repayment plans the borrowers took."),
        "promises_kept_rate": _("Of the promises to pay that fell due, the share kept."),
        "breaches": _("Contacts delivered without an allowing compliance decision (must be 0)."),
    }
    return definitions.get(metric, "")


def verdict_label(verdict: Verdict) -> str:
    return {
        Verdict.B_BETTER: _("B better"),
        Verdict.A_BETTER: _("A better"),
        Verdict.NO_CLEAR_DIFFERENCE: _("No clear difference"),
        Verdict.TOO_FEW_RUNS: _("Too few runs"),
    }[verdict]


def _number(metric: str, value: float, currency: str, *, signed: bool = False) -> str:
    sign = "+" if signed and value != 0 else ""
    value = value or 0.0  # no "-0"
    if metric in MONEY:
        exponent = minor_units(currency)
        major = Decimal(repr(value)).scaleb(-exponent)
        return f"{major:{sign},.{exponent}f}"
    if metric in RATES:
        text = f"{100 * value:{sign},.1f}"
        if signed:
            return pgettext("percentage points", "%(value)s pts") % {"value": text}
        return f"{text}%"
    if metric == "complaints_per_1000":
        return f"{value:{sign},.2f}"
    return f"{value:{sign},.1f}"


def comparison_rows(comparison: Comparison, currency: str) -> list[dict[str, str]]:
    """The comparison as text cells, one row per metric: metric, A, B, difference, interval,
    change (relative, with its interval) and verdict."""
    level = f"{comparison.level:.0%}"
    return [_table_row(row, currency, level) for row in comparison.metrics]


def _table_row(row: MetricComparison, currency: str, level: str) -> dict[str, str]:
    def text(value: float | None, *, signed: bool = False) -> str:
        return "—" if value is None else _number(row.metric, value, currency, signed=signed)

    def percent(value: float) -> str:
        return f"{100 * value:+.1f}%"

    interval = "—"
    if row.difference_interval is not None:
        low, high = row.difference_interval
        interval = f"[{text(low, signed=True)}, {text(high, signed=True)}]"
    change = "—" if row.relative is None else percent(row.relative)
    if row.relative_interval is not None:
        change += f" [{percent(row.relative_interval[0])}, {percent(row.relative_interval[1])}]"
    label = metric_label(row.metric)
    if row.metric in MONEY:
        label = f"{label} ({currency})"
    return {
        "metric": row.metric,
        "label": label,
        "a": text(row.mean_a),
        "b": text(row.mean_b),
        "difference": text(row.difference, signed=True),
        "interval": interval,
        "change": change,
        "verdict": verdict_label(row.verdict),
        "verdict_code": row.verdict.value,
        "level": level,
    }


def column_titles(level: str) -> dict[str, str]:
    return {
        "label": _("Metric"),
        "a": _("A (mean per run)"),
        "b": _("B (mean per run)"),
        "difference": _("B − A"),
        "interval": _("%(level)s interval") % {"level": level},
        "change": _("Change (Σ B / Σ A − 1)"),
        "verdict": _("Verdict"),
    }


# --- the console's quick simulation -----------------------------------------------------------

#: A quick simulation's size (`settings.ARREARS_STRATEGY_SIMULATION` may change it): answered
#: within a request, about 10–20 s on two cores. A decision deserves `arrears sim compare`.
QUICK = {"seeds": 3, "borrowers": 600, "days": 40}
BORROWERS_PER_COLLECTOR, CALLS_PER_COLLECTOR = 500, 80  # as `arrears sim compare`'s default


@dataclass(frozen=True, kw_only=True)
class StrategySimulation:
    """The live strategy against a changed one in the lab, and the size of the runs."""

    live: Strategy
    changed: Strategy
    comparison: Comparison
    seeds: int
    borrowers: int
    days: int

    def rows(self, currency: str = "CNY") -> list[dict[str, str]]:
        return comparison_rows(self.comparison, currency)


def simulate_strategy_text(*, yaml_text: str) -> StrategySimulation:
    """What the edited strategy would do against the one in force, on simulated borrowers.
    Raises `ValidationError` naming the field or line of a mistake in the text; writes nothing."""
    from django.conf import settings

    from arrears.collection.batch.evaluation import active_strategy
    from arrears.collection.services.strategies import check_strategy_text

    changed = check_strategy_text(text=yaml_text)
    size = {**QUICK, **getattr(settings, "ARREARS_STRATEGY_SIMULATION", {})}
    live = active_strategy().document
    comparison = simulate_strategy_change(live=live, changed=changed, **size)
    return StrategySimulation(live=live, changed=changed, comparison=comparison, **size)


def simulate_strategy_change(
    *,
    live: Strategy,
    changed: Strategy,
    seeds: int,
    borrowers: int,
    days: int,
) -> Comparison:
    """The live strategy (A) against a changed one (B) in the lab, paired by seed, with the
    bundled borrower behaviour: what the change would do to money, contacts, complaints and
    borrowers before it goes live. Nothing is written."""
    behaviour = bundled_behaviour()

    def run(strategy: Strategy, seed: int, arm: str) -> LabRun:
        return run_lab(
            LabOptions(
                strategy=strategy, params=behaviour, borrowers=borrowers, days=days, seed=seed,
                agents=max(1, borrowers // BORROWERS_PER_COLLECTOR),
                calls_per_agent=CALLS_PER_COLLECTOR, label=arm,
            )
        )  # fmt: skip

    pairs = [(run(live, seed, "A"), run(changed, seed, "B")) for seed in range(1, seeds + 1)]
    return compare(pairs, resamples=2_000)
