"""The analytics reads: `kpis(...)` → `Kpis` (docs/analytics.md)."""

from arrears.analytics.selectors.kpis import (
    ContactKpis,
    Kpis,
    PlanKpis,
    PromiseKpis,
    RollRow,
    kpis,
)

__all__ = ["ContactKpis", "Kpis", "PlanKpis", "PromiseKpis", "RollRow", "kpis"]
