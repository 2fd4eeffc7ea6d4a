"""'I'm having trouble paying' in the portal: the borrower's own statement, the priced options
side by side with the recommended one marked, accepting a plan, the budget planner, guides and
free debt advice — and nobody reaches another borrower's statement or plan."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from arrears.hardship.models import Assessment, Plan
from arrears.hardship.selectors import active_plan_for
from tests.factories import make_borrower_login, make_staff_user
from tests.portal.help_fixtures import borrower_client, loan, loan_in_arrears, statement_form

__all__ = ["borrower_client", "loan"]

URL = reverse("portal:trouble-paying")


def options_url(client: Client, loan) -> str:  # type: ignore[no-untyped-def]
    response = client.post(URL, statement_form(loan))
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def test_the_page_asks_for_the_statement_and_shows_guides_and_free_debt_advice(borrower_client):
    response = borrower_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your financial statement" in page
    assert "Rent or mortgage" in page
    assert "Free, independent debt advice" in page
    assert "12348" in page  # China's free legal-advice line: the borrower is in Shanghai
    assert "Budget planner" in page or "budget planner" in page


def test_a_borrower_fills_in_the_statement_and_sees_the_priced_options(borrower_client, loan):
    url = options_url(borrower_client, loan)
    assessment = Assessment.objects.get(borrower=loan.borrower)
    assert assessment.source == "borrower"
    assert assessment.income_minor == 180000
    page = borrower_client.get(url).content.decode()
    assert "Your options" in page
    assert 'data-testid="recommended"' in page
    assert "Why we recommend it" in page
    assert "Payment holiday" in page
    assert "Every option side by side" in page
    assert "options are more than you can afford" in page  # shown apart, marked


def test_accepting_the_recommended_plan_makes_it_active_and_pauses_collection(
    borrower_client, loan
):
    url = options_url(borrower_client, loan)
    page = borrower_client.get(url).content.decode()
    recommended = re.search(
        r'data-testid="recommended".*?name="option" value="([^"]+)"', page, re.S
    )
    assert recommended is not None
    response = borrower_client.post(url + "apply/", {"option": recommended.group(1)})
    plan = Plan.objects.get(account=loan)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:plan", args=[plan.pk])
    assert plan.status == "active"
    assert plan.accepted_via == "portal"
    assert plan.terms_language == "en"
    assert plan.option_id == recommended.group(1)
    assert active_plan_for(loan) == plan  # collection reads this and pauses its treatment
    shown = borrower_client.get(response["Location"]).content.decode()
    assert "Your plan" in shown and "What you pay and when" in shown


def test_an_option_that_does_not_fit_is_refused_and_no_plan_is_made(borrower_client, loan):
    url = options_url(borrower_client, loan)
    response = borrower_client.post(url + "apply/", {"option": "no_such_option"}, follow=True)
    assert "is not one of the options priced" in response.content.decode()
    assert not Plan.objects.exists()


def test_a_bad_statement_names_the_field_and_stores_nothing(borrower_client, loan):
    response = borrower_client.post(
        URL,
        statement_form(
            loan, adults="0", expense_housing="-5", temporary="on", expected_recovery_months=""
        ),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_adults-error"' in page
    assert 'id="id_expense_housing-error"' in page
    assert 'id="id_expected_recovery_months-error"' in page
    assert not Assessment.objects.exists()


def test_too_many_decimals_are_refused_next_to_the_field(borrower_client, loan):
    response = borrower_client.post(URL, statement_form(loan, income_benefits="1800.123"))
    assert response.status_code == 422
    assert 'id="id_income_benefits-error"' in response.content.decode()
    assert not Assessment.objects.exists()


def test_another_borrowers_account_statement_or_plan_is_not_found(borrower_client, loan):
    other = loan_in_arrears()
    other_client = Client()
    other_client.force_login(make_borrower_login(other.borrower))
    other_url = options_url(other_client, other)
    assessment = Assessment.objects.get(borrower=other.borrower)
    # the first borrower tries the other's statement, and their own statement on the other's loan
    assert borrower_client.get(other_url).status_code == 404
    mine = options_url(borrower_client, loan)
    mine_id = int(mine.rstrip("/").split("/")[-2])
    foreign = reverse("portal:plan-options", args=[mine_id, other.pk])
    assert borrower_client.get(foreign).status_code == 404
    refused = borrower_client.post(
        reverse("portal:apply-plan", args=[assessment.pk, other.pk]), {"option": "x"}
    )
    assert refused.status_code == 404
    # choosing the account of someone else in the form is refused by name
    response = borrower_client.post(URL, statement_form(other))
    assert response.status_code == 422
    assert 'id="id_account-error"' in response.content.decode()
    page = other_client.get(other_url).content.decode()
    option = re.search(r'name="option" value="([^"]+)"', page)
    assert option is not None
    other_client.post(other_url + "apply/", {"option": option.group(1)})
    plan = Plan.objects.get(account=other)
    assert borrower_client.get(reverse("portal:plan", args=[plan.pk])).status_code == 404


def test_staff_and_strangers_cannot_open_the_page(db):
    staff = Client()
    staff.force_login(make_staff_user("agent"))
    assert staff.get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_budget_planner_flags_the_month_the_borrower_runs_short(borrower_client):
    response = borrower_client.post(
        reverse("portal:budget"),
        {
            "income": "6000",
            "essentials": "4000",
            "other_spending": "500",
            "debt_payments": "1200",
            "savings": "500",
            "months": "6",
            "one_off_month": "3",
            "one_off_label": "school fee",
            "one_off_amount": "2000",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Month by month" in page
    assert "You would run short in month 3" in page


def test_the_budget_planner_names_a_bad_field(borrower_client):
    response = borrower_client.post(reverse("portal:budget"), {"months": "99", "income": "x"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_months-error"' in page and 'id="id_income-error"' in page


def test_the_page_reads_in_chinese(borrower_client):
    borrower_client.cookies["django_language"] = "zh-hans"
    page = borrower_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "还款遇到困难" in page


def test_the_page_keeps_to_its_query_budget(borrower_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        assert borrower_client.get(URL).status_code == 200
