"""The care desk in the Django admin, one module per area."""

from arrears.care.admin import answers, desk, line, tickets

__all__ = ["answers", "desk", "line", "tickets"]
