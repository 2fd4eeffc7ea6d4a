"""The collection notices ship in Chinese and English on every channel, and pass the content
validator: an opt-out on SMS and e-mail, no threats, no court or lawyer impersonation."""

from __future__ import annotations

import pytest

from arrears.engagement.models import Template
from arrears.engagement.services.templates import check_template

pytestmark = pytest.mark.django_db
KINDS = ["collection_reminder", "self_service_link", "warning_letter", "lawyers_letter"]


def test_collection_templates_pass_the_content_validator(db):
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()  # every template is checked before it is saved

    for kind in KINDS:
        found = Template.objects.filter(kind=kind, is_active=True)
        assert {(t.channel, t.language) for t in found} == {
            (channel, language)
            for channel in ("sms", "email", "in_app", "letter")
            for language in ("zh-hans", "en")
        }
        for template in found:
            rendered = check_template(template)
            if template.channel == "letter" and template.language == "zh-hans":
                assert "律师函" not in rendered.body and "律师事务所" not in rendered.body
