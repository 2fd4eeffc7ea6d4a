"""Care desk API: answers."""

from ninja import Router

router = Router(tags=["care"])
