"""Every write of the engagement app: one function per use case (keyword-only, atomic).

- `templates`: `save_template` (checked by the content validator first), `activate_template`,
  `load_templates` (the bundled set), `render_template`, `preview_template`, `check_template`;
- `preferences`: `set_notice_preference`;
- `notices`: `run_notices` (the nightly notices → outbox rows);
- `collection_messages`: `queue_collection_message` (one collection message → one outbox row,
  under the caller's idempotency key), `cancel_collection_messages`, `message_address`.
"""

from arrears.engagement.services.collection_messages import (
    cancel_collection_messages,
    message_address,
    queue_collection_message,
)
from arrears.engagement.services.notices import NoticeRun, run_notices
from arrears.engagement.services.preferences import set_notice_preference
from arrears.engagement.services.templates import (
    activate_template,
    check_template,
    load_templates,
    preview_template,
    render_template,
    save_template,
)

__all__ = [
    "NoticeRun",
    "activate_template",
    "cancel_collection_messages",
    "check_template",
    "load_templates",
    "message_address",
    "preview_template",
    "queue_collection_message",
    "render_template",
    "run_notices",
    "save_template",
    "set_notice_preference",
]
