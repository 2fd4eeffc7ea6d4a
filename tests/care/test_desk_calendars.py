"""Desk calendars in the database, the default desk `arrears init` loads, and their admin."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.care.admin.desk import opening_preview
from arrears.care.models import CareQueue, DeskCalendar, Incident, SlaPolicySet, Team
from arrears.care.services.calendars import hours_for, save_calendar
from arrears.care.services.desk import load_default_desk
from arrears.core.errors import ValidationError
from tests.care.desk_fixtures import *  # noqa: F403
from tests.care.desk_fixtures import WEEKDAYS_ONLY, beijing

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


def test_a_calendar_with_a_bad_period_names_the_field_and_writes_nothing():
    hours = {**WEEKDAYS_ONLY, "weekly": {"mon": ["09:00-25:00"]}}

    with pytest.raises(ValidationError) as error:
        save_calendar(code="bad", name_en="Bad", name_zh="坏", hours=hours)

    assert error.value.field.startswith("hours.weekly.mon")
    assert not DeskCalendar.objects.exists()


def test_a_calendar_without_a_zone_names_the_zone():
    with pytest.raises(ValidationError) as error:
        save_calendar(code="bad", name_en="Bad", name_zh="坏", hours={"weekly": {}})

    assert error.value.field == "hours.zone"


def test_the_default_desk_loads_once_and_keeps_the_lenders_edits():
    first = load_default_desk()
    Team.objects.filter(code="head_office_complaints").update(notify_address="ho@lender.example")
    CareQueue.objects.filter(code="general_en").update(name_en="English line")

    again = load_default_desk()

    assert first == {"calendars": 1, "teams": 6, "queues": 5, "sla_versions": 1}
    assert again == {"calendars": 0, "teams": 0, "queues": 0, "sla_versions": 0}
    assert Team.objects.get(code="head_office_complaints").notify_address == "ho@lender.example"
    assert CareQueue.objects.get(code="general_en").name_en == "English line"
    assert CareQueue.objects.get(code="complaints").team.code == "head_office_complaints"
    assert SlaPolicySet.objects.get(is_active=True).version.startswith("bundled-")


def test_the_default_desk_is_open_mornings_and_afternoons_and_saturday_morning(default_desk):
    hours = hours_for(CareQueue.objects.get(code="general_zh"), now=beijing(2026, 3, 9))

    assert hours.is_open(beijing(2026, 3, 9, 9))
    assert not hours.is_open(beijing(2026, 3, 9, 12, 30))  # lunch
    assert hours.is_open(beijing(2026, 3, 9, 13, 30))
    assert hours.is_open(beijing(2026, 3, 7, 11, 59))  # Saturday morning
    assert not hours.is_open(beijing(2026, 3, 7, 13, 30))
    assert not hours.is_open(beijing(2026, 10, 1, 10))  # National Day


def test_hours_for_a_queue_close_the_desk_during_an_outage(default_desk):
    queue = CareQueue.objects.get(code="general_zh")
    Incident.objects.create(title_en="Down", title_zh="故障", notice_en="x", notice_zh="x",
                            started_at=beijing(2026, 3, 9, 10),
                            ended_at=beijing(2026, 3, 9, 11))  # fmt: skip

    hours = hours_for(queue, now=beijing(2026, 3, 9, 12))

    assert not hours.is_open(beijing(2026, 3, 9, 10, 30))
    assert hours.next_open(beijing(2026, 3, 9, 10, 30)) == beijing(2026, 3, 9, 11)


def test_the_preview_shows_a_tiaoxiu_saturday_with_mondays_hours(default_desk):
    calendar = DeskCalendar.objects.get(code="cn_desk")

    preview = opening_preview(calendar, start=beijing(2026, 10, 7, 8))

    assert "2026-10-10" in preview
    row = preview.split("2026-10-10")[1].split("</tr>")[0]
    assert "09:00-12:00, 13:30-18:00" in row


def test_the_admin_shows_a_bad_calendar_on_its_hours_field(superuser_client):
    hours = json.dumps({"zone": "Mars/Olympus", "weekly": {"mon": ["09:00-17:00"]}})

    response = superuser_client.post(
        reverse("admin:care_deskcalendar_add"),
        {"code": "mars", "name_en": "Mars", "name_zh": "火星", "hours": hours},
    )

    assert response.status_code == 200
    assert "Mars/Olympus" in str(response.context["adminform"].form.errors["hours"])
    assert not DeskCalendar.objects.exists()


def test_the_admin_saves_a_good_calendar_and_previews_it(superuser_client, default_desk):
    response = superuser_client.post(
        reverse("admin:care_deskcalendar_add"),
        {"code": "bj", "name_en": "Beijing", "name_zh": "北京", "hours": json.dumps(WEEKDAYS_ONLY)},
    )

    assert response.status_code == 302
    calendar = DeskCalendar.objects.get(code="bj")
    page = superuser_client.get(reverse("admin:care_deskcalendar_change", args=[calendar.pk]))
    assert page.status_code == 200
    assert "13:30-18:00" in page.content.decode()


def test_the_admin_refuses_bad_sla_policies_on_the_yaml_field(superuser_client):
    response = superuser_client.post(
        reverse("admin:care_slapolicyset_add"),
        {"version": "v9", "yaml_text": "policies: []"},
    )

    assert response.status_code == 200
    assert "policies" in str(response.context["adminform"].form.errors["yaml_text"])
    assert not SlaPolicySet.objects.exists()


def test_the_admin_activate_action_puts_one_version_in_force(superuser_client, default_desk):
    from arrears.care.services.sla import save_sla_policies

    text = SlaPolicySet.objects.get(is_active=True).yaml_text
    ours = save_sla_policies(version="ours", yaml_text=text + "\n", by=None, activate=False)

    superuser_client.post(
        reverse("admin:care_slapolicyset_changelist"),
        {"action": "activate_selected", "_selected_action": [ours.pk]},
    )

    assert SlaPolicySet.objects.get(is_active=True).version == "ours"


@pytest.mark.parametrize("model", ["team", "carequeue", "careagent", "deskcalendar",
                                   "slapolicyset"])  # fmt: skip
def test_every_desk_admin_page_loads(superuser_client, default_desk, model):
    assert superuser_client.get(reverse(f"admin:care_{model}_changelist")).status_code == 200
    assert superuser_client.get(reverse(f"admin:care_{model}_add")).status_code == 200
