"""Which queue a ticket goes to and which agent takes it (skills, languages, capacity)."""

from __future__ import annotations

from arrears.care.models import CareQueue, Ticket


def queue_for(ticket: Ticket) -> CareQueue | None:
    """The first active queue (in order) that takes the ticket's kind and language; a queue
    with no kinds or languages listed takes any."""
    for queue in CareQueue.objects.filter(is_active=True).order_by("sort_order", "code"):
        if queue.kinds and ticket.kind not in queue.kinds:
            continue
        if queue.languages and ticket.language not in queue.languages:
            continue
        return queue
    return None
