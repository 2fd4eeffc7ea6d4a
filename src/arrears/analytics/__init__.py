"""Analytics: the KPIs of the post-loan book, computed from the platform's own records.

No tables of its own: every figure is read from servicing, compliance, collection, hardship and
care, so the same report works on simulated and on real portfolios (docs/analytics.md).
"""
