"""SLA policy versions in the database: checked on save, one in force, the bundled one loaded."""

from __future__ import annotations

import pytest

from arrears.care.models import SlaPolicySet
from arrears.care.selectors.sla import active_sla_book
from arrears.care.services.sla import (
    activate_sla_policies,
    load_bundled_sla_policies,
    save_sla_policies,
)
from arrears.core.care.sla_policy import Metric, Priority, TicketKind
from arrears.core.errors import ValidationError

pytestmark = pytest.mark.django_db

FAST_DESK = """
policies:
  - key: complaint
    kinds: [complaint]
    priorities: [low, normal, high, urgent]
    targets:
      first_reply: {within: 1h}
      final_response: {within: 20h}
    escalation:
      - {after: 0h, notify: head_office_complaints, move_to_queue: true}
  - key: everything_else
    kinds: [inquiry, dispute, hardship_request, callback]
    priorities: [low, normal, high, urgent]
    targets:
      first_reply: {within: 30m}
    escalation:
      - {after: 1h, notify: team_lead, raise_priority: true}
      - {after: 2h, notify: head_office_complaints}
"""


def test_the_bundled_policies_are_in_force_until_the_lender_saves_their_own():
    bundled = load_bundled_sla_policies()

    assert bundled is not None and bundled.is_active
    assert load_bundled_sla_policies() is None  # loading again adds nothing
    assert active_sla_book().policy_for(TicketKind.INQUIRY, Priority.NORMAL).key == "standard"

    save_sla_policies(version="2026-03", yaml_text=FAST_DESK, by=None)

    policy = active_sla_book().policy_for(TicketKind.INQUIRY, Priority.NORMAL)
    assert policy.key == "everything_else"
    assert policy.targets[Metric.FIRST_REPLY].within.total_seconds() == 1800
    assert policy.escalation[0].raise_priority and not policy.escalation[0].move_to_queue
    assert list(SlaPolicySet.objects.filter(is_active=True).values_list("version", flat=True)) == [
        "2026-03"
    ]


def test_a_lenders_own_version_stays_in_force_when_the_bundled_one_is_loaded():
    save_sla_policies(version="ours", yaml_text=FAST_DESK, by=None)

    load_bundled_sla_policies()

    assert SlaPolicySet.objects.get(is_active=True).version == "ours"


def test_bad_policies_name_the_field_and_write_nothing():
    bad = FAST_DESK.replace("within: 30m", "within: soon")

    with pytest.raises(ValidationError) as error:
        save_sla_policies(version="bad", yaml_text=bad, by=None)

    assert error.value.field == "policies[1].targets.first_reply.within"
    assert not SlaPolicySet.objects.exists()


def test_an_escalation_action_must_be_true_or_false():
    bad = FAST_DESK.replace("raise_priority: true", "raise_priority: maybe")

    with pytest.raises(ValidationError) as error:
        save_sla_policies(version="bad", yaml_text=bad, by=None)

    assert error.value.field == "policies[1].escalation[0].raise_priority"


def test_a_saved_version_is_never_rewritten():
    save_sla_policies(version="v1", yaml_text=FAST_DESK, by=None)
    other = FAST_DESK.replace("within: 30m", "within: 45m")

    with pytest.raises(ValidationError) as error:
        save_sla_policies(version="v1", yaml_text=other, by=None)

    assert error.value.field == "version"
    assert save_sla_policies(version="v1", yaml_text=FAST_DESK, by=None).yaml_text == FAST_DESK


def test_exactly_one_version_is_in_force():
    first = save_sla_policies(version="v1", yaml_text=FAST_DESK, by=None)
    save_sla_policies(version="v2", yaml_text=FAST_DESK + "\n", by=None)

    activate_sla_policies(version=first)

    assert list(SlaPolicySet.objects.filter(is_active=True).values_list("version", flat=True)) == [
        "v1"
    ]
