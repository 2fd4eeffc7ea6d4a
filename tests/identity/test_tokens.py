"""API tokens: the secret is shown once and stored only as a digest; revoked means dead."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from arrears.identity.choices import Role
from arrears.identity.models import ApiToken
from arrears.identity.services import (
    authenticate_token,
    ensure_roles,
    grant_role,
    issue_token,
    revoke_token,
)

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2025, 1, 15, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def user():  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user(username="gateway")


def test_only_the_digest_of_a_token_s_secret_is_stored(user):
    token, secret = issue_token(user=user, name="payment gateway", clock=FixedClock(NOON))

    stored = ApiToken.objects.get()
    assert secret.startswith("arr_") and len(secret) > 40
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.name, stored.prefix, stored.token_hash}
    assert secret.startswith(stored.prefix)
    assert (stored.user, stored.created_at, stored.last_used_at) == (user, NOON, None)
    assert str(token) == f"payment gateway ({stored.prefix}…)"


def test_every_token_has_its_own_secret(user):
    secrets = {issue_token(user=user, name=f"t{n}")[1] for n in range(5)}

    assert len(secrets) == 5


def test_a_secret_authenticates_its_token_and_records_its_use_once_a_minute(user):
    token, secret = issue_token(user=user, name="dialler")
    clock = FixedClock(NOON)

    assert authenticate_token(secret=secret, clock=clock) == token
    clock.advance(dt.timedelta(seconds=30))
    authenticate_token(secret=secret, clock=clock)
    assert ApiToken.objects.get().last_used_at == NOON
    clock.advance(dt.timedelta(seconds=31))
    authenticate_token(secret=secret, clock=clock)
    assert ApiToken.objects.get().last_used_at == NOON + dt.timedelta(seconds=61)


@pytest.mark.parametrize("presented", ["", "arr_wrong", "not-even-ours", "arr_" + "x" * 500])
def test_a_wrong_secret_authenticates_nobody(user, presented):
    issue_token(user=user, name="dialler")

    assert authenticate_token(secret=presented) is None


def test_a_revoked_token_authenticates_nobody_and_keeps_its_first_revocation(user):
    token, secret = issue_token(user=user, name="dialler")
    clock = FixedClock(NOON)

    revoke_token(token=token, clock=clock)
    clock.advance(dt.timedelta(days=1))
    again = revoke_token(token=token, clock=clock)

    assert authenticate_token(secret=secret) is None
    assert again.revoked_at == NOON
    assert not again.is_active


def test_a_disabled_user_s_token_authenticates_nobody(user):
    _token, secret = issue_token(user=user, name="dialler")
    user.is_active = False
    user.save()

    assert authenticate_token(secret=secret) is None


@pytest.mark.parametrize(("name", "field"), [("   ", "name"), ("x" * 101, "name")])
def test_a_token_needs_a_short_name(user, name, field):
    with pytest.raises(ValidationError) as error:
        issue_token(user=user, name=name)

    assert error.value.field == field
    assert not ApiToken.objects.exists()


def test_a_disabled_user_is_issued_no_token(user):
    user.is_active = False
    user.save()

    with pytest.raises(ValidationError) as error:
        issue_token(user=user, name="dialler")

    assert error.value.field == "user"


def test_roles_are_groups_with_model_permissions_and_can_be_ensured_again():
    ensure_roles()
    ensure_roles()

    groups = {group.name: group for group in Group.objects.all()}
    assert set(groups) == {
        "agent",
        "supervisor",
        "compliance",
        "admin",
        "collector",
        "collection_supervisor",
    }

    def may(role: str, permission: str) -> bool:
        app_label, codename = permission.split(".")
        return (
            groups[role]
            .permissions.filter(content_type__app_label=app_label, codename=codename)
            .exists()
        )

    assert may("agent", "servicing.view_account") and may("agent", "servicing.add_payment")
    assert not may("agent", "servicing.change_payment")
    assert may("supervisor", "servicing.change_payment")
    assert may("compliance", "servicing.view_journalentry")
    assert not may("compliance", "servicing.add_payment")
    assert may("admin", "identity.add_apitoken") and may("admin", "servicing.change_product")
    # the care desk: agents answer tickets, supervisors run the desk, compliance reads it
    assert may("agent", "care.add_ticketmessage") and may("agent", "care.view_ticket")
    assert not may("agent", "care.change_slapolicyset")
    assert may("supervisor", "care.change_slapolicyset") and may("supervisor", "care.add_incident")
    assert may("compliance", "care.view_ticket") and not may("compliance", "care.change_ticket")


def test_ensuring_roles_keeps_permissions_an_administrator_added():
    groups = ensure_roles()
    extra = groups[Role.COMPLIANCE].permissions.model.objects.get(codename="add_borrower")
    groups[Role.COMPLIANCE].permissions.add(extra)

    ensure_roles()

    assert groups[Role.COMPLIANCE].permissions.filter(pk=extra.pk).exists()


def test_a_user_is_granted_a_role_by_name(user):
    grant_role(user=user, role="compliance")

    assert user.has_perm("servicing.view_account")
    assert not user.has_perm("servicing.add_payment")
    with pytest.raises(ValidationError) as error:
        grant_role(user=user, role="janitor")
    assert error.value.field == "role"
