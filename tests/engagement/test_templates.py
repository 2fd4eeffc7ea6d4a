"""Templates: rendered in a sandbox, formatted per language, checked before they are saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.engagement.choices import NoticeChannel, NoticeKind
from arrears.engagement.models import Template
from arrears.engagement.rendering import format_day, format_money, render_text
from arrears.engagement.services import load_templates, preview_template, save_template
from arrears.engagement.services.templates import KIND_VARIABLES, bundled_templates


def test_amounts_and_dates_are_formatted_the_chinese_and_the_english_way():
    amount = Money(Decimal("1234.56"), "CNY")
    assert format_money(amount, "zh-hans") == "¥1,234.56"
    assert format_money(amount, "en") == "CN¥1,234.56"
    assert format_money(Money(Decimal("99.5"), "USD"), "en") == "US$99.50"
    assert format_money(123456, "zh-hans", "CNY") == "¥1,234.56"  # minor units
    assert format_day(dt.date(2026, 12, 5), "zh-hans") == "2026年12月5日"
    assert format_day(dt.date(2026, 12, 5), "en") == "5 December 2026"


def test_template_filters_format_per_language():
    values = {"amount": Money(Decimal("1234.56"), "CNY"), "due_on": dt.date(2026, 12, 5)}
    source = "{{ amount|money }} / {{ due_on|date }}"
    assert (
        render_text(source, values, language="zh-hans", field="body") == "¥1,234.56 / 2026年12月5日"
    )
    assert (
        render_text(source, values, language="en", field="body") == "CN¥1,234.56 / 5 December 2026"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ amount.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_the_sandbox_refuses_access_to_python_internals(source):
    with pytest.raises(ValidationError) as refused:
        render_text(source, {"amount": Money(1, "CNY")}, language="en", field="body")
    assert refused.value.field == "body"


def test_an_unknown_variable_is_an_error_not_an_empty_string():
    with pytest.raises(ValidationError) as refused:
        render_text("Dear {{ borower_name }}", {}, language="en", field="subject")
    assert refused.value.field == "subject" and "borower_name" in refused.value.reason


@pytest.mark.parametrize("source", ["Due {{ effective_on|date }}", "Pay {{ amout|money }}"])
def test_an_unknown_variable_through_a_filter_is_named_not_a_crash(source):
    name = source.split("{{ ")[1].split("|")[0]
    with pytest.raises(ValidationError) as raised:
        render_text(source, {}, language="en", field="body")
    assert raised.value.field == "body"
    assert name in str(raised.value)


def test_html_email_is_escaped_and_text_is_not():
    values = {"name": "<b>Tom & Jerry</b>"}
    assert render_text("{{ name }}", values, language="en", field="body") == "<b>Tom & Jerry</b>"
    assert (
        render_text("{{ name }}", values, language="en", html=True, field="html_body")
        == "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"
    )


def test_a_template_with_a_threat_is_refused_on_save_naming_the_field(db):
    with pytest.raises(ValidationError) as refused:
        save_template(
            kind=NoticeKind.DUE_REMINDER,
            channel=NoticeChannel.SMS,
            language="en",
            body="Pay {{ amount|money }} or we will call the police. Reply STOP to opt out.",
        )
    assert refused.value.field == "body"
    assert "content.threat" in refused.value.reason and "call the police" in refused.value.reason
    assert not Template.objects.exists()


def test_a_chinese_subject_with_a_threat_is_refused_naming_the_subject(db):
    with pytest.raises(ValidationError) as refused:
        save_template(
            kind=NoticeKind.DUE_REMINDER,
            channel=NoticeChannel.EMAIL,
            language="zh-hans",
            subject="再不还款就报警",
            body="应还{{ amount|money }}。回复TD退订",
        )
    assert refused.value.field == "subject" and "content.threat" in refused.value.reason


@pytest.mark.parametrize(
    ("channel", "language", "body"),
    [
        ("sms", "zh-hans", "您本期应还{{ amount|money }}，{{ due_on|date }}到期。"),
        ("sms", "en", "{{ amount|money }} is due on {{ due_on|date }}."),
        ("email", "en", "{{ amount|money }} is due on {{ due_on|date }}."),
    ],
)
def test_an_electronic_message_without_an_opt_out_is_refused(db, channel, language, body):
    with pytest.raises(ValidationError) as refused:
        save_template(kind="due_reminder", channel=channel, language=language, body=body)
    assert refused.value.field == "body" and "content.opt_out_missing" in refused.value.reason


def test_a_letter_needs_no_opt_out_and_saving_again_makes_a_new_active_version(db):
    first = save_template(
        kind="due_reminder", channel="letter", language="en", body="{{ amount|money }} is due."
    )
    second = save_template(
        kind="due_reminder", channel="letter", language="en", body="{{ amount|money }} falls due."
    )
    first.refresh_from_db()
    assert (first.version, first.is_active) == (1, False)
    assert (second.version, second.is_active) == (2, True)


def test_a_template_using_a_variable_its_notice_does_not_have_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        save_template(
            kind="terms_change", channel="letter", language="en", body="Pay {{ amount|money }}"
        )
    assert refused.value.field == "body" and "amount" in refused.value.reason


def test_every_notice_kind_has_a_template_for_every_channel_and_language(db):
    from arrears.compliance.services import load_profiles

    load_profiles()
    loaded = load_templates()
    assert len(loaded) == len(NoticeKind.values) * len(NoticeChannel.values) * 2
    assert {(t["kind"], t["channel"], t["language"]) for t in bundled_templates()} == {
        (k, c, lang)
        for k in KIND_VARIABLES
        for c in NoticeChannel.values
        for lang in ("zh-hans", "en")
    }
    # loading again changes nothing
    assert load_templates() == []
    preview = preview_template(
        Template.objects.get(kind="statement_ready", channel="sms", language="en")
    )
    assert "balance CN¥8,650.00, minimum payment CN¥865.00, due 5 December 2026" in preview.body


def test_the_admin_form_shows_a_finding_on_the_field(db):
    from arrears.engagement.admin import TemplateForm

    form = TemplateForm(
        data={
            "kind": "due_reminder",
            "channel": "sms",
            "language": "zh-hans",
            "subject": "",
            "body": "您本期应还{{ amount|money }}，否则上门找你。回复TD退订",
            "html_body": "",
            "is_active": "on",
        }
    )
    assert not form.is_valid()
    assert "content.threat" in form.errors["body"][0]
