"""The hardship API: priced options, assessments, plans, articles and debt advice."""

from __future__ import annotations

import copy

import pytest

from arrears.hardship.choices import PlanStatus
from arrears.hardship.models import Assessment, Plan
from tests.api.conftest import assert_problem
from tests.hardship.conftest import JOB_LOSS, NO_MEANS

pytestmark = pytest.mark.django_db


def options_of(api, account, statement):  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/accounts/{account.pk}/plan-options", statement)
    assert response.status_code == 200, response.content
    return response.json()


def test_plan_options_are_priced_side_by_side_with_the_recommendation_and_why(
    agent_api, recent_loan_in_arrears
):
    body = options_of(agent_api, recent_loan_in_arrears, JOB_LOSS)

    recommended = [o for o in body["options"] if o["recommended"]]
    assert len(recommended) == 1
    best = recommended[0]
    assert body["recommendation"]["option_id"] == best["id"]
    assert best["fits"] and best["kind"] == "holiday_then_reamortise"
    assert {"best_expected_value", "fits_affordability"} <= {
        r["key"] for r in body["recommendation"]["reasons"]
    }
    assert all(r["text"]["en"] and r["text"]["zh"] for r in body["recommendation"]["reasons"])
    # every option carries its exact schedule, totals and value, amounts as decimal strings
    for option in body["options"]:
        rows = option["schedule"]
        assert len(rows) == option["months"]
        paid = sum(int(row["payment"].replace(".", "")) for row in rows)
        assert paid == option["total_payment"]["minor"]
        assert isinstance(option["expected_value"]["amount"], str)
    # the affordability is explained line by line, and free debt advice is offered
    keys = [line["key"] for line in body["affordability"]["explanation"]]
    assert "disposable_income" in keys and "affordable_payment" in keys
    assert body["debt_advice_jurisdiction"] == "CN"
    assert "cn-12378" in {service["code"] for service in body["debt_advice"]}
    # pricing stores nothing
    assert not Assessment.objects.exists() and not Plan.objects.exists()


def test_an_unaffordable_option_is_never_recommended_through_the_api(
    agent_api, recent_loan_in_arrears
):
    body = options_of(agent_api, recent_loan_in_arrears, NO_MEANS)

    assert body["options"], "the options are still shown, priced"
    assert not any(option["fits"] for option in body["options"])
    assert not any(option["recommended"] for option in body["options"])
    assert body["recommendation"]["option_id"] is None
    assert body["recommendation"]["refer_to_debt_advice"] is True
    reasons = {r["key"] for r in body["recommendation"]["reasons"]}
    assert {"no_affordable_option", "refer_to_debt_advice"} <= reasons
    assert body["debt_advice"], "free debt advice is offered whenever difficulty is reported"


def test_an_option_that_does_not_fit_cannot_be_proposed_as_a_plan(
    agent_api, recent_loan_in_arrears
):
    response = agent_api.post(f"/api/v1/accounts/{recent_loan_in_arrears.pk}/assessments", NO_MEANS)
    assert response.status_code == 201, response.content
    options = options_of(agent_api, recent_loan_in_arrears, NO_MEANS)["options"]

    refused = agent_api.post(
        "/api/v1/plans",
        {
            "account_id": recent_loan_in_arrears.pk,
            "assessment_id": response.json()["id"],
            "option_id": options[0]["id"],
        },
    )

    assert_problem(refused, 422, field="option")
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda s: s["expenses"].append({"category": "casino", "amount": "10.00"}),
            "expenses[3].category",
        ),
        (lambda s: s.update(currency="USD"), "currency"),
        (
            lambda s: s["incomes"].__setitem__(0, {"source": "wages", "amount": "-5"}),
            "incomes[0].amount",
        ),
        (
            lambda s: s["incomes"].__setitem__(0, {"source": "wages", "amount": 1800.5}),
            "incomes[0].amount",
        ),
        (lambda s: s.update(region="ATLANTIS"), "region"),
    ],
    ids=["unknown category", "currency", "negative", "float", "region"],
)
def test_bad_assessment_input_is_refused_naming_the_field_and_nothing_is_written(
    agent_api, recent_loan_in_arrears, change, field
):
    statement = copy.deepcopy(JOB_LOSS)
    change(statement)

    response = agent_api.post(
        f"/api/v1/accounts/{recent_loan_in_arrears.pk}/assessments", statement
    )

    assert_problem(response, 422, field=field)
    assert not Assessment.objects.exists()


def test_an_agent_takes_the_statement_proposes_the_recommended_plan_and_records_the_yes(
    agent_api, recent_loan_in_arrears
):
    taken = agent_api.post(
        f"/api/v1/accounts/{recent_loan_in_arrears.pk}/assessments",
        {**JOB_LOSS, "notes": "on a call"},
    )
    assert taken.status_code == 201, taken.content
    assessment = taken.json()
    assert assessment["affordability"]["affordable_payment"]["amount"] == "0.00"
    assert assessment["explanation"][-1]["text"]["zh"]
    recommended = options_of(agent_api, recent_loan_in_arrears, JOB_LOSS)["recommendation"][
        "option_id"
    ]

    proposed = agent_api.post(
        "/api/v1/plans",
        {
            "account_id": recent_loan_in_arrears.pk,
            "assessment_id": assessment["id"],
            "option_id": recommended,
        },
    )
    assert proposed.status_code == 201, proposed.content
    plan = proposed.json()
    assert plan["status"] == "proposed" and plan["recommended"]
    assert plan["terms_text"]["en"].startswith("Repayment plan:")
    assert plan["terms_text"]["zh"]

    stale = agent_api.post(
        f"/api/v1/plans/{plan['id']}/accept",
        {"via": "agent", "language": "zh-hans", "terms_digest": "0" * 64},
    )
    assert_problem(stale, 409)

    accepted = agent_api.post(
        f"/api/v1/plans/{plan['id']}/accept",
        {
            "via": "agent",
            "language": "zh-hans",
            "terms_digest": plan["terms_digest"],
        },
    )
    assert accepted.status_code == 200, accepted.content
    shown = accepted.json()
    assert shown["accepted_via"] == "agent"
    assert shown["terms_shown"] == plan["terms_text"]["zh"]
    assert shown["status"] == PlanStatus.ACTIVE  # it starts today
    assert len(shown["instalments"]) == len(plan["schedule"])

    read = agent_api.get(f"/api/v1/plans/{plan['id']}")
    assert read.status_code == 200
    assert [e["kind"] for e in read.json()["events"]][:2] == ["proposed", "accepted"]


def test_articles_come_in_both_languages(agent_api):
    english = agent_api.get("/api/v1/articles", lang="en").json()
    chinese = agent_api.get("/api/v1/articles", lang="zh-hans").json()

    topics = {"budgeting", "credit_cards", "late_fees", "autopay", "missed_payments", "rights"}
    assert {a["topic"] for a in english} == topics
    assert [a["slug"] for a in english] == [a["slug"] for a in chinese]
    for en, zh in zip(english, chinese, strict=True):
        assert en["language"] == "en" and zh["language"] == "zh-hans"
        assert en["title"] != zh["title"] and en["body"] != zh["body"]
        assert any("\u4e00" <= char <= "\u9fff" for char in zh["body"])
        assert not any("\u4e00" <= char <= "\u9fff" for char in en["title"])


def test_debt_advice_is_listed_per_jurisdiction(agent_api):
    uk = agent_api.get("/api/v1/debt-advice", jurisdiction="GB").json()
    china = agent_api.get("/api/v1/debt-advice", jurisdiction="CN", lang="zh-hans").json()

    assert {"uk-moneyhelper", "uk-stepchange", "uk-national-debtline"} <= {s["code"] for s in uk}
    assert all(s["jurisdiction"] == "UK" and s["is_free"] for s in uk)
    assert any(s["phone"] == "12378" for s in china)
    assert any("热线" in s["name"] for s in china)
    assert_problem(agent_api.get("/api/v1/debt-advice", jurisdiction="ZZ"), 422, "jurisdiction")


def test_a_caller_without_a_hardship_role_is_refused(api_as, recent_loan_in_arrears):
    nobody = api_as(None)
    response = nobody.post(f"/api/v1/accounts/{recent_loan_in_arrears.pk}/plan-options", JOB_LOSS)
    assert_problem(response, 403)


def test_the_recommendation_is_the_same_as_the_service_gives(agent_api, recent_loan_in_arrears):
    from django.utils import timezone

    from arrears.core.hardship.assessment import parse_statement
    from arrears.hardship.services import price_options

    body = options_of(agent_api, recent_loan_in_arrears, JOB_LOSS)
    priced = price_options(
        account=recent_loan_in_arrears,
        statement=parse_statement(JOB_LOSS),
        as_of=timezone.localdate(),
    )
    assert priced.recommended is not None
    assert body["recommendation"]["option_id"] == priced.recommended.id


def test_reading_a_plan_costs_the_same_queries_whatever_its_length(
    agent_api, recent_loan_in_arrears
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    taken = agent_api.post(f"/api/v1/accounts/{recent_loan_in_arrears.pk}/assessments", JOB_LOSS)
    body = options_of(agent_api, recent_loan_in_arrears, JOB_LOSS)
    by_length = sorted((o for o in body["options"] if o["fits"]), key=lambda o: o["months"])
    counts = []
    for option in (by_length[0], by_length[-1]):
        Plan.objects.all().delete()
        plan = agent_api.post(
            "/api/v1/plans",
            {
                "account_id": recent_loan_in_arrears.pk,
                "assessment_id": taken.json()["id"],
                "option_id": option["id"],
            },
        ).json()
        agent_api.post(f"/api/v1/plans/{plan['id']}/accept", {"via": "agent", "language": "en"})
        with CaptureQueriesContext(connection) as queries:
            assert agent_api.get(f"/api/v1/plans/{plan['id']}").status_code == 200
        counts.append(len(queries))
    assert by_length[0]["months"] < by_length[-1]["months"]
    assert counts[0] == counts[1]
