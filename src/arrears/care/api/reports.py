"""Care desk API: reports."""

from ninja import Router

router = Router(tags=["care"])
