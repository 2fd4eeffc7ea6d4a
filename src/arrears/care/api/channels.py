"""Care desk API: channels."""

from ninja import Router

router = Router(tags=["care"])
