"""The strategy condition language: parsed and type-checked, never `eval`.

`parse_expression(text, field=...)` reads a condition such as
``days_past_due between 1 and 30 and balance >= 5000`` into an `Expression`; one tree has two
back ends that agree row for row: `evaluate(expression, facts)` for one account and
`to_polars(expression)` for a whole facts frame. The grammar is in `parser`, the null rule in
`scalar`; docs/strategies.md is the user's guide.
"""

from arrears.core.strategy.expressions.frame import to_polars
from arrears.core.strategy.expressions.parser import ALIASES, parse_expression, suggestion
from arrears.core.strategy.expressions.scalar import Facts, evaluate, fact_value
from arrears.core.strategy.expressions.tree import Expression, FactRef, Literal, Node

__all__ = [
    "ALIASES",
    "Expression",
    "FactRef",
    "Facts",
    "Literal",
    "Node",
    "evaluate",
    "fact_value",
    "parse_expression",
    "suggestion",
    "to_polars",
]
