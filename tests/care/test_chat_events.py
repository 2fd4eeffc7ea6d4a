"""The event-stream encoding: whatever a borrower or agent types arrives as one event, intact."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from arrears.care.chat_views import sse


def parse_events(text: str) -> list[dict[str, object]]:
    """A strict reader: any line break Python knows ends a line (stricter than the SSE spec)."""
    events: list[dict[str, object]] = []
    fields: dict[str, object] = {}
    for line in [*text.splitlines(), ""]:
        if not line:
            if fields:
                events.append(fields)
            fields = {}
            continue
        name, _sep, value = line.partition(":")
        fields[name] = value.removeprefix(" ")
    return events


@given(body=st.text(), message_id=st.integers(min_value=1, max_value=2**62))
def test_any_message_text_arrives_as_one_event_with_its_id(body: str, message_id: int) -> None:
    data = {"id": message_id, "from": "borrower", "body": body, "at": "2025-01-15T02:00:00+00:00"}

    events = parse_events(sse(data, event="message", event_id=message_id))

    assert len(events) == 1
    assert events[0]["id"] == str(message_id) and events[0]["event"] == "message"
    assert json.loads(str(events[0]["data"])) == data


def test_the_ended_event_carries_no_id_so_a_reconnect_resumes_after_the_last_message() -> None:
    events = parse_events(sse({"status": "ended"}, event="ended"))

    assert events == [{"event": "ended", "data": '{"status": "ended"}'}]
