"""Collection strategies as data (催收策略): segments, treatment paths, champion/challenger.

A strategy is a versioned YAML document (`document`): segments over account, borrower and case
facts (`facts`) in a small condition language (`expressions`), treatment paths of ordered
steps, and a stable seeded split of accounts between paths (`split`). `evaluate` decides one
account and says why; `evaluate_frame` decides a whole Polars frame of accounts the same way.

Pure Python and Polars: no Django, no clock (`as_of` is passed in). See docs/strategies.md.
"""

from arrears.core.strategy.document import (
    Action,
    Approval,
    Arm,
    BackOff,
    Names,
    Segment,
    Step,
    Strategy,
    TreatmentPath,
    bundled_strategy_codes,
    bundled_strategy_text,
    load_bundled_strategy,
    load_strategy,
    parse_strategy,
    read_strategy,
)
from arrears.core.strategy.evaluate import Check, Evaluation, evaluate
from arrears.core.strategy.expressions import Expression, parse_expression, to_polars
from arrears.core.strategy.facts import (
    FACTS,
    MINOR_EXPONENT,
    AccountFacts,
    Fact,
    FactType,
    account_facts,
    facts_frame,
    facts_schema,
)
from arrears.core.strategy.outcomes import Outcome
from arrears.core.strategy.vectorised import OUTPUT_SCHEMA, evaluate_frame, facts_read

__all__ = [
    "FACTS",
    "MINOR_EXPONENT",
    "OUTPUT_SCHEMA",
    "AccountFacts",
    "Action",
    "Approval",
    "Arm",
    "BackOff",
    "Check",
    "Evaluation",
    "Expression",
    "Fact",
    "FactType",
    "Names",
    "Outcome",
    "Segment",
    "Step",
    "Strategy",
    "TreatmentPath",
    "account_facts",
    "bundled_strategy_codes",
    "bundled_strategy_text",
    "evaluate",
    "evaluate_frame",
    "facts_frame",
    "facts_read",
    "facts_schema",
    "load_bundled_strategy",
    "load_strategy",
    "parse_expression",
    "parse_strategy",
    "read_strategy",
    "to_polars",
]
