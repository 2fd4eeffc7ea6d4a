"""The write stage's shortcuts give what the plain calls give.

`_write_outbox` reuses one unsaved case for every message's self-service link (the link must
still be signed for each message's own account), and `allocate` describes each distinct reason
once (the memo must give `describe`'s text for every reason and parameters).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils.translation import get_language

from arrears.collection.batch.actions import message_variables
from arrears.collection.batch.queues import _label
from arrears.collection.models import Case
from arrears.collection.services.scheduling import SELF_SERVICE_SALT
from arrears.core.collection.labels import describe

DAY = dt.date(2026, 11, 28)


def _row(account_id: int) -> dict[str, object]:
    return {
        "currency": "CNY",
        "full_name": "张三",
        "account_number": "6200001234",
        "past_due_minor": 123456,
        "days_past_due": 35,
        "account_id": account_id,
        "balance_minor": -5,
    }


def test_a_reused_case_signs_each_messages_link_for_its_own_account():
    case = Case()
    links = [message_variables(_row(a), day=DAY, case=case)["self_service_url"] for a in (7, 8)]
    alone = message_variables(_row(9), day=DAY)["self_service_url"]

    tokens = [link.rsplit("t=", 1)[1] for link in (*links, alone)]
    found = [signing.loads(t, salt=SELF_SERVICE_SALT)["a"] for t in tokens]
    assert found == [7, 8, 9]


def test_the_same_variables_with_or_without_a_reused_case():
    with_case = message_variables(_row(7), day=DAY, case=Case())
    without = message_variables(_row(7), day=DAY)

    assert (
        with_case.pop("self_service_url").split("t=")[0]
        == without.pop("self_service_url").split("t=")[0]
    )
    assert with_case == without


def test_a_remembered_label_is_the_described_one():
    labels: dict = {}
    cases = [
        ("assignment.allocated", {}),
        ("assignment.moved_owner_full", {"previous_owner": "3"}),
        ("assignment.moved_owner_full", {"previous_owner": "4"}),
        ("assignment.moved_owner_full", {"previous_owner": "3"}),
        ("assignment.allocated", {}),
    ]
    for key, params in cases:
        expected = describe(key, params, get_language() or "en")
        assert _label(key, params, labels) == expected
    assert len(labels) == 3
