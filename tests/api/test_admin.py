"""The servicing admin: every page loads; the ledger cannot be edited; product terms are checked."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.servicing.models import (
    Account,
    Borrower,
    BucketChange,
    CardCharge,
    CycleRun,
    JournalEntry,
    JournalLine,
    Obligation,
    Payment,
    Product,
    Statement,
)
from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.card_payments import take_card_payment
from arrears.servicing.services.cycle import run_cycle
from arrears.servicing.services.payments import post_payment
from tests.factories import cny, make_card_account, make_loan_account
from tests.portal.money_fixtures import scripted_card_provider

pytestmark = pytest.mark.django_db

READ_ONLY = [
    JournalEntry, JournalLine, Payment, CardCharge, Statement, Obligation, BucketChange, CycleRun,
]  # fmt: skip


@pytest.fixture
def superuser_client():  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def book(db):  # type: ignore[no-untyped-def]
    """A little of everything: a late loan with a payment, a card with a statement and a card
    payment declined in the portal."""
    loan = make_loan_account()
    card = make_card_account()
    post_purchase(account=card, amount=cny("300.00"), on=dt.date(2025, 1, 20), idempotency_key="p")
    run_cycle(through=dt.date(2025, 2, 6))
    age_account(account=loan, as_of=dt.date(2025, 3, 20))
    post_payment(
        account=loan, amount=cny("50.00"), received_on=dt.date(2025, 3, 20), idempotency_key="k"
    )
    provider = scripted_card_provider()
    provider.decline(loan.number, "card_expired")
    take_card_payment(
        account=loan, amount=cny("20.00"), card_number="6222020012345678", idempotency_key="c"
    )
    provider.reset()
    return {"loan": loan, "card": card}


def admin_url(model, view: str, *args: object) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_page_loads_for_a_superuser(superuser_client, book):
    models = [m for m in admin.site._registry if m._meta.app_label in {"servicing", "identity"}]
    assert set(READ_ONLY) <= set(models)

    for model in models:
        changelist = superuser_client.get(admin_url(model, "changelist"))
        assert changelist.status_code == 200, model
        row = model.objects.first()
        if row is not None:
            detail = superuser_client.get(admin_url(model, "change", row.pk))
            assert detail.status_code == 200, model


def test_the_accounts_are_searched_by_number_and_borrower(superuser_client, book):
    loan = book["loan"]
    by_number = superuser_client.get(admin_url(Account, "changelist"), {"q": loan.number})
    by_borrower = superuser_client.get(
        admin_url(Account, "changelist"), {"q": loan.borrower.reference}
    )

    assert by_number.context["cl"].result_count == 1
    assert by_borrower.context["cl"].result_count == 1


@pytest.mark.parametrize("model", READ_ONLY)
def test_the_ledger_and_what_derives_from_it_cannot_be_added_changed_or_deleted(
    superuser_client, book, model
):
    row = model.objects.first()
    assert row is not None, model

    assert superuser_client.get(admin_url(model, "add")).status_code == 403
    assert superuser_client.post(admin_url(model, "add"), {}).status_code == 403
    assert superuser_client.post(admin_url(model, "change", row.pk), {}).status_code == 403
    assert (
        superuser_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code
        == 403
    )
    assert model.objects.filter(pk=row.pk).exists()


def test_an_account_s_derived_figures_cannot_be_edited(superuser_client, book):
    loan = book["loan"]
    days_past_due = Account.objects.get(pk=loan.pk).days_past_due

    superuser_client.post(
        admin_url(Account, "change", loan.pk), {"days_past_due": 0, "bucket": "current"}
    )

    assert Account.objects.get(pk=loan.pk).days_past_due == days_past_due > 0
    assert superuser_client.get(admin_url(Account, "add")).status_code == 403


def product_form(product: Product, terms: object) -> dict[str, object]:
    return {
        "code": product.code,
        "kind": product.kind,
        "name_en": product.name_en,
        "name_zh": product.name_zh,
        "currency": product.currency,
        "terms": json.dumps(terms),
        "is_active": "on",
    }


def test_bad_product_terms_are_refused_naming_the_field(superuser_client, products):
    product = products["cn_consumer_loan"]
    terms = {**product.terms, "late_fee": "-5.00"}

    response = superuser_client.post(
        admin_url(Product, "change", product.pk), product_form(product, terms)
    )

    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors
    assert "terms" in errors and errors["terms"][0].startswith("late_fee:")
    assert Product.objects.get(pk=product.pk).terms == product.terms


def test_changed_product_terms_are_saved_normalised_as_a_new_version(superuser_client, products):
    product = products["cn_consumer_loan"]
    terms = {**product.terms, "late_fee": "66"}

    response = superuser_client.post(
        admin_url(Product, "change", product.pk), product_form(product, terms)
    )

    assert response.status_code == 302
    saved = Product.objects.get(pk=product.pk)
    assert saved.terms["late_fee"] == "66.00"
    assert saved.version == product.version + 1


def test_a_borrower_s_phone_is_checked_in_the_admin(superuser_client):
    form = {
        "reference": "B-ADM-1",
        "full_name": "王五",
        "preferred_language": "zh-hans",
        "country": "CN",
        "contact_points-TOTAL_FORMS": "1",
        "contact_points-INITIAL_FORMS": "0",
        "contact_points-0-kind": "mobile",
        "contact_points-0-value": "12345",
    }

    refused = superuser_client.post(admin_url(Borrower, "add"), form)
    accepted = superuser_client.post(
        admin_url(Borrower, "add"), {**form, "contact_points-0-value": "138 0013 8000"}
    )

    assert refused.status_code == 200
    assert accepted.status_code == 302, accepted.context["adminform"].form.errors or [
        f.errors for f in accepted.context["inline_admin_formsets"][0].formset.forms
    ]
    borrower = Borrower.objects.get()
    assert borrower.contact_points.get().value == "+8613800138000"
