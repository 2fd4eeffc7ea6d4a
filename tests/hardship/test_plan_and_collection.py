"""Done when: the system follows a plan to completion or back to collection. While a plan is
kept the collection night leaves the account alone (segment `on_plan`, no treatment); once it
breaks, the next night treats the account on its contract again, with the plan's history kept."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.collection.batch import run_collection_night
from arrears.collection.models import Case, CollectionAction
from arrears.core.clock import FixedClock
from arrears.hardship.choices import PlanEventKind, PlanStatus
from arrears.hardship.services import review_plans
from tests.hardship.conftest import set_up_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(products):  # type: ignore[no-untyped-def]
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()


def night(day: dt.date) -> None:
    """The collection night for `day`, half past midnight in Shanghai after it closed."""
    run_collection_night(
        business_date=day,
        clock=FixedClock(dt.datetime.combine(day, dt.time(16, 30), tzinfo=dt.UTC)),
    )


def test_collection_pauses_while_the_plan_is_kept_and_resumes_when_it_breaks(
    world, loan_in_arrears, clock
):
    # given a loan 45 days past due whose borrower agreed a plan on 1 April
    plan = set_up_plan(loan_in_arrears, clock)

    # when the collection night runs while the plan is kept
    night(dt.date(2025, 4, 2))

    # then the account's case takes no treatment: the plan's own reminders apply
    case = Case.objects.get(account=loan_in_arrears)
    assert case.segment == "on_plan"
    assert not CollectionAction.objects.filter(case=case).exists()

    # when the first paying instalment is missed and its grace days run out
    first = plan.instalments.filter(amount_minor__gt=0).order_by("number").first()
    broken_on = first.due_on + dt.timedelta(days=plan.grace_days + 1)
    review_plans(on=broken_on, clock=clock)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.BROKEN and plan.broken_on == broken_on
    night(broken_on)

    # then collection takes the account back that night, and the plan's history is kept
    case.refresh_from_db()
    assert case.segment not in ("on_plan", "")
    assert case.path
    assert plan.events.filter(kind=PlanEventKind.BROKEN).count() == 1
    assert plan.instalments.count() == len(plan.schedule)
