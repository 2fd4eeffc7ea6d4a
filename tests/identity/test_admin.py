"""API tokens in the admin: the secret is shown once, on issue; tokens are revoked, not deleted."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.identity.models import ApiToken
from arrears.identity.services import authenticate_token, issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


def test_issuing_a_token_shows_its_secret_once(superuser_client):
    owner = get_user_model().objects.create_user(username="gateway")

    response = superuser_client.post(
        reverse("admin:identity_apitoken_add"), {"user": owner.pk, "name": "payment gateway"}
    )

    assert response.status_code == 200
    secret = response.context["secret"]
    token = ApiToken.objects.get()
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert authenticate_token(secret=secret) == token
    assert token.user == owner
    changelist = superuser_client.get(reverse("admin:identity_apitoken_changelist"))
    detail = superuser_client.get(reverse("admin:identity_apitoken_change", args=[token.pk]))
    assert secret not in changelist.content.decode() + detail.content.decode()


def test_tokens_are_revoked_from_the_list_and_never_deleted(superuser_client):
    owner = get_user_model().objects.create_user(username="gateway")
    token, secret = issue_token(user=owner, name="dialler")

    response = superuser_client.post(
        reverse("admin:identity_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    delete = superuser_client.post(
        reverse("admin:identity_apitoken_delete", args=[token.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert authenticate_token(secret=secret) is None
    assert delete.status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_a_token_cannot_be_issued_to_a_disabled_user(superuser_client):
    owner = get_user_model().objects.create_user(username="leaver", is_active=False)

    response = superuser_client.post(
        reverse("admin:identity_apitoken_add"), {"user": owner.pk, "name": "old"}
    )

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()
