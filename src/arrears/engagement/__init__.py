"""Engagement: notices, templates, the outbox and the channel adapters (email, SMS, letters,
in-app). For now only the adapters' base: nothing leaves without a compliance permit."""
