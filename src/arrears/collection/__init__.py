"""Collection: cases, strategies, contact outcomes, promises to pay, escalation, work queues."""
