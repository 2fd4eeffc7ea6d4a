"""The template admin previews what is being typed, before it is saved, and checks it."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from arrears.engagement.models import Template

pytestmark = pytest.mark.django_db

PREVIEW_URL = "admin:engagement_template_preview"
REMINDER = {
    "kind": "due_reminder",
    "channel": "sms",
    "language": "zh-hans",
    "subject": "",
    "body": "您本期应还{{ amount|money }}，{{ due_on|date }}到期。回复TD退订",
    "html_body": "",
}


def signed_in(*, is_staff: bool = True, perms: tuple[str, ...] = (), superuser: bool = False):  # type: ignore[no-untyped-def]
    users = get_user_model().objects
    if superuser:
        user = users.create_superuser(username="root", password="x")
    else:
        name = f"staff-{'-'.join(perms) or 'none'}-{is_staff}"
        user = users.create_user(username=name, password="x", is_staff=is_staff)
        user.user_permissions.add(*(Permission.objects.get(codename=p) for p in perms))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(profiles) -> Client:  # type: ignore[no-untyped-def]
    """A superuser in the admin; the compliance profiles are loaded for the content validator."""
    return signed_in(superuser=True)


def preview(client: Client, **change: str) -> tuple[int, str]:
    response = client.post(reverse(PREVIEW_URL), {**REMINDER, **change})
    return response.status_code, html.unescape(response.content.decode())


def test_the_preview_renders_the_amount_and_date_the_chinese_way(editor):
    status, page = preview(editor)

    assert status == 200
    assert "您本期应还¥1,234.56，2026年12月5日到期。回复TD退订" in page
    assert "the template can be saved" in page
    assert not Template.objects.exists()  # a preview saves nothing


def test_the_preview_renders_the_amount_and_date_the_english_way(editor):
    status, page = preview(
        editor,
        language="en",
        body="{{ amount|money }} is due on {{ due_on|date }}. Reply STOP to opt out.",
    )

    assert status == 200
    assert "CN¥1,234.56 is due on 5 December 2026. Reply STOP to opt out." in page


def test_a_forbidden_phrase_shows_the_validator_s_finding(editor):
    status, page = preview(
        editor,
        language="en",
        body="Pay {{ amount|money }} or we will call the police. Reply STOP to opt out.",
    )

    assert status == 200
    assert "Saving would be refused: body:" in page
    assert "content.threat" in page and "“call the police”" in page
    assert "Pay CN¥1,234.56 or we will call the police." in page  # still rendered, to be fixed


def test_every_finding_is_listed_with_its_part(editor):
    _status, page = preview(
        editor,
        channel="email",
        subject="再不还款就报警",
        body="应还{{ amount|money }}",  # no opt-out either
    )

    findings = re.findall(r"<li><strong>(.*?)</strong> · (content\.[a-z_]+)", page)
    assert ("subject", "content.threat") in findings
    assert ("body (text)", "content.opt_out_missing") in findings


def test_an_html_body_is_shown_in_a_sandboxed_frame_with_values_escaped(editor):
    _status, page = preview(
        editor,
        channel="email",
        language="en",
        subject="Payment due",
        body="{{ amount|money }} is due. Unsubscribe: reply STOP.",
        html_body="<p>Dear {{ borrower_name }}, <b>{{ amount|money }}</b> is due.</p>"
        "<p>Reply STOP to unsubscribe.</p>",
    )

    assert '<iframe sandbox srcdoc="<p>Dear Alex Smith, <b>CN¥1,234.56</b> is due.</p>' in page


def test_a_template_that_does_not_render_says_which_field(editor):
    status, page = preview(editor, body="{{ effective_on }} 回复TD退订")

    assert status == 200
    assert "The template cannot be rendered: body:" in page and "effective_on" in page


def test_a_preview_without_a_kind_asks_for_one(editor):
    status, page = preview(editor, kind="")

    assert status == 200
    assert "Choose a kind, a channel and a language" in page


def test_the_change_form_carries_the_live_preview(editor):
    page = editor.get(reverse("admin:engagement_template_add")).content.decode()

    assert 'id="template-live-preview"' in page
    assert f'data-url="{reverse(PREVIEW_URL)}"' in page


def test_the_preview_is_for_staff_who_may_edit_templates(profiles):
    url = reverse(PREVIEW_URL)

    anonymous = Client().post(url, REMINDER)
    not_staff = signed_in(is_staff=False).post(url, REMINDER)

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert not_staff.status_code == 302 and "/login/" in not_staff["Location"]


def test_staff_without_the_right_to_edit_templates_cannot_preview(profiles):
    url = reverse(PREVIEW_URL)

    assert signed_in(perms=("view_template",)).post(url, REMINDER).status_code == 403
    assert signed_in(perms=("change_template",)).get(url).status_code == 405
