"""Care desk API: line."""

from ninja import Router

router = Router(tags=["care"])
