"""Domain errors: typed, with a message a person can act on and the field it concerns."""

from __future__ import annotations


class ArrearsError(Exception):
    """Base of every domain error; the API maps these to 4xx problem details."""

    status = 400
    code = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ArrearsError):
    """Bad input: names the field (a dotted path for nested data) and why."""

    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFound(ArrearsError):
    status = 404
    code = "not_found"


class Conflict(ArrearsError):
    """The request is well-formed but clashes with the current state (e.g. reused key)."""

    status = 409
    code = "conflict"
