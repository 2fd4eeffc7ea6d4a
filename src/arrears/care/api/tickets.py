"""Care desk API: tickets."""

from ninja import Router

router = Router(tags=["care"])
