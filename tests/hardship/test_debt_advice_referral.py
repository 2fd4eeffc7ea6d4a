"""Free debt advice is offered whenever a borrower reports difficulty, per jurisdiction, and the
bundled services say how far their phone numbers were checked (none is invented)."""

from __future__ import annotations

import pytest
import yaml

from arrears.core.errors import ValidationError
from arrears.hardship.choices import ContactCheck
from arrears.hardship.models import DebtAdviceService
from arrears.hardship.selectors import debt_advice_for_account, debt_advice_for_borrower
from arrears.hardship.services.content import load_debt_advice
from tests.factories import make_borrower
from tests.hardship.conftest import JOB_LOSS, NO_MEANS

pytestmark = pytest.mark.django_db

EXPECTED = {
    "UK": {"uk-moneyhelper", "uk-stepchange", "uk-national-debtline"},
    "US": {"us-nfcc", "us-cfpb"},
    "IE": {"ie-mabs"},
    "CN": {"cn-12378", "cn-12363", "cn-12348", "cn-lender-consumer-protection"},
}


def test_every_jurisdiction_has_its_free_debt_advice_with_how_it_was_checked():
    for jurisdiction, codes in EXPECTED.items():
        services = DebtAdviceService.objects.filter(jurisdiction=jurisdiction)
        assert {s.code for s in services} == codes, jurisdiction
    for service in DebtAdviceService.objects.all():
        assert service.contact_check in ContactCheck.values
        assert service.check_note, f"{service.code} says where its number was seen"
        if service.contact_check == ContactCheck.OFFICIAL:
            assert service.phone, service.code


def test_chinese_lines_say_they_are_not_debt_counselling_and_the_lenders_own_is_left_blank():
    for code in ("cn-12378", "cn-12363"):
        service = DebtAdviceService.objects.get(code=code)
        assert "not a debt-counselling service" in service.description_en
        assert "不是债务咨询服务" in service.description_zh
    own = DebtAdviceService.objects.get(code="cn-lender-consumer-protection")
    assert own.phone == "" and own.contact_check == ContactCheck.UNVERIFIED


def test_an_irish_number_we_could_not_confirm_is_marked_unverified():
    mabs = DebtAdviceService.objects.get(code="ie-mabs")
    assert mabs.contact_check == ContactCheck.UNVERIFIED
    assert "0761 07 2000" in mabs.check_note  # what the only source found says


def test_a_bad_contact_check_in_the_file_is_named_and_nothing_is_loaded(tmp_path):
    path = tmp_path / "debt_advice.yaml"
    entry = {
        "code": "xx-new",
        "jurisdiction": "UK",
        "name_en": "N",
        "name_zh": "N",
        "description_en": "D",
        "description_zh": "D",
        "contact_check": "probably",
    }
    path.write_text(yaml.safe_dump([entry]), encoding="utf-8")

    with pytest.raises(ValidationError) as refused:
        load_debt_advice(path=path)

    assert refused.value.field == "debt_advice[0].contact_check"
    assert not DebtAdviceService.objects.filter(code="xx-new").exists()


def test_a_borrower_who_reports_difficulty_in_an_assessment_is_shown_the_debt_advice(
    agent_api, recent_loan_in_arrears
):
    response = agent_api.post(f"/api/v1/accounts/{recent_loan_in_arrears.pk}/assessments", JOB_LOSS)

    assert response.status_code == 201, response.content
    advice = response.json()["debt_advice"]
    assert {s["code"] for s in advice} == EXPECTED["CN"]
    assert all(s["contact_check"] in ContactCheck.values for s in advice)


def test_the_priced_options_carry_the_debt_advice_even_when_nothing_fits(
    agent_api, recent_loan_in_arrears
):
    response = agent_api.post(
        f"/api/v1/accounts/{recent_loan_in_arrears.pk}/plan-options", NO_MEANS
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["recommendation"]["refer_to_debt_advice"] is True
    assert {s["code"] for s in body["debt_advice"]} == EXPECTED["CN"]
    assert {s["contact_check"] for s in body["debt_advice"]} <= set(ContactCheck.values)


def test_a_hardship_request_without_an_account_gets_the_advice_of_the_borrowers_country():
    # the service desk's hardship request may come before any account is named
    borrower = make_borrower(country="GB")
    assert {s.code for s in debt_advice_for_borrower(borrower)} == EXPECTED["UK"]


def test_an_accounts_debt_advice_follows_its_products_jurisdiction(recent_loan_in_arrears):
    assert {s.code for s in debt_advice_for_account(recent_loan_in_arrears)} == EXPECTED["CN"]
