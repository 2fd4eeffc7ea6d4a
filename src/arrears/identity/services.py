"""Every write of the identity app: issuing and revoking API tokens, setting up the roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import ValidationError
from arrears.identity.choices import Role
from arrears.identity.models import ApiToken, UserPreference

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Every secret starts with this, so a leaked one is easy to recognise (e.g. by secret scanners).
SECRET_PREFIX = "arr_"
#: How many characters of the secret are kept in clear, to tell tokens apart.
SHOWN_PREFIX_LENGTH = 12
#: `last_used_at` is refreshed at most this often, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

#: What a collector does: work the queue, record call outcomes, take promises, ask to escalate.
COLLECTOR_PERMISSIONS = (
    "collection.view_*",
    "collection.work_queue",
    "collection.add_contactoutcome",
    "collection.add_promise",
    "collection.add_escalation",
)
#: A collection supervisor also approves escalations, places cases with agencies, moves and
#: assigns cases, and sets up queues, collectors, agencies, dispositions and strategies.
COLLECTION_SUPERVISOR_PERMISSIONS = (
    *COLLECTOR_PERMISSIONS,
    "collection.approve_escalation",
    "collection.change_case",
    "collection.change_promise",
    "collection.add_placement",
    "collection.change_placement",
    "collection.add_workqueue",
    "collection.change_workqueue",
    "collection.add_collector",
    "collection.change_collector",
    "collection.add_agency",
    "collection.change_agency",
    "collection.add_disposition",
    "collection.change_disposition",
    "collection.add_strategy",
    "collection.change_strategy",
)

#: Hardship help an agent gives: take a financial statement, price and propose a plan, record
#: the borrower's acceptance; read articles and debt-advice services.
HARDSHIP_AGENT_PERMISSIONS = (
    "hardship.view_*",
    "hardship.add_assessment",
    "hardship.add_plan",
    "hardship.change_plan",
)

#: The permissions of each role, as `app_label.codename` patterns (`fnmatch`). Later apps
#: (compliance, collection, care …) add their own lines here.
#: A service agent works tickets, chats, calls and callbacks, and reads the knowledge base.
CARE_AGENT_PERMISSIONS = (
    "care.view_*",
    "care.add_ticket",
    "care.change_ticket",
    "care.add_ticketmessage",
    "care.add_phonecall",
    "care.add_callback",
    "care.change_callback",
    "care.change_chatsession",
)
#: A supervisor also edits the knowledge base and canned replies, the desk's queues,
#: calendars and SLA policies, and starts and ends incidents.
CARE_SUPERVISOR_PERMISSIONS = (
    *CARE_AGENT_PERMISSIONS,
    "care.add_knowledgearticle",
    "care.change_knowledgearticle",
    "care.delete_knowledgearticle",
    "care.add_cannedreply",
    "care.change_cannedreply",
    "care.add_incident",
    "care.change_incident",
    "care.add_carequeue",
    "care.change_carequeue",
    "care.add_careagent",
    "care.change_careagent",
    "care.add_deskcalendar",
    "care.change_deskcalendar",
    "care.add_slapolicyset",
    "care.change_slapolicyset",
)

ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.AGENT: (
        "servicing.view_*",
        "servicing.add_borrower",
        "servicing.add_contactpoint",
        "servicing.add_payment",
        "compliance.view_*",
        "compliance.check_contact",
        "compliance.add_optout",  # a STOP heard on the phone is recorded at once
        "compliance.add_contactattempt",
        *COLLECTOR_PERMISSIONS,
        *HARDSHIP_AGENT_PERMISSIONS,
        *CARE_AGENT_PERMISSIONS,
    ),
    Role.SUPERVISOR: (
        "servicing.view_*",
        "servicing.add_borrower",
        "servicing.add_contactpoint",
        "servicing.change_borrower",
        "servicing.change_contactpoint",
        "servicing.add_payment",
        "servicing.change_payment",  # reversing a payment
        "identity.view_apitoken",
        "compliance.view_*",
        "compliance.check_contact",
        "compliance.add_hold",
        "compliance.change_hold",  # lifting a hold
        "compliance.add_optout",
        "compliance.change_optout",  # resuming a channel the borrower asks to open again
        "compliance.add_automatedconsent",
        "compliance.change_automatedconsent",  # revoking a consent
        "compliance.add_contactattempt",
        "compliance.add_contactpreference",
        "compliance.change_contactpreference",
        "compliance.review_contacts",
        *COLLECTION_SUPERVISOR_PERMISSIONS,
        *HARDSHIP_AGENT_PERMISSIONS,
        *CARE_SUPERVISOR_PERMISSIONS,
    ),
    Role.COMPLIANCE: (
        "servicing.view_*",
        "identity.view_apitoken",
        "compliance.view_*",
        "compliance.check_contact",
        "compliance.add_hold",
        "compliance.change_hold",
        "compliance.add_optout",
        "compliance.change_optout",  # resuming a channel the borrower asks to open again
        "compliance.add_automatedconsent",
        "compliance.change_automatedconsent",
        "compliance.add_contactpreference",
        "compliance.change_contactpreference",
        "compliance.review_contacts",  # the compliance console and the audit trail
        "compliance.add_profileversion",  # editing a profile saves a new version
        "compliance.change_profileversion",  # making a version the active one
        "hardship.view_*",
        "care.view_*",  # complaints, their final responses and the desk's contact history
    ),
    Role.ADMIN: (
        "servicing.*",
        "identity.*",
        "auth.*",
        "compliance.*",
        "collection.*",
        "hardship.*",
        "care.*",
    ),
    Role.COLLECTOR: (
        "servicing.view_*",
        "servicing.add_payment",
        "compliance.view_*",
        "compliance.check_contact",
        "compliance.add_optout",
        "compliance.add_contactattempt",
        *COLLECTOR_PERMISSIONS,
        *HARDSHIP_AGENT_PERMISSIONS,
    ),
    Role.COLLECTION_SUPERVISOR: (
        "servicing.view_*",
        "servicing.add_payment",
        "compliance.view_*",
        "compliance.check_contact",
        "compliance.add_hold",
        "compliance.add_optout",
        "compliance.add_contactattempt",
        *COLLECTION_SUPERVISOR_PERMISSIONS,
        *HARDSHIP_AGENT_PERMISSIONS,
    ),
}


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a token's secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(*, user: User, name: str, clock: Clock | None = None) -> tuple[ApiToken, str]:
    """Create an API token for `user`; returns (token, secret).

    The secret is returned once and never stored: show it to the person now, it cannot be
    recovered later (issue a new token instead).
    """
    name = name.strip()
    if not name:
        raise ValidationError("name", _("give the token a name that says what it is for"))
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError("name", _("must be at most 100 characters"))
    if not user.pk:
        raise ValidationError("user", _("the owner must be a saved user"))
    if not user.is_active:
        raise ValidationError("user", _("the owner's user account is disabled"))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[:SHOWN_PREFIX_LENGTH],
            token_hash=hash_secret(secret),
            created_at=(clock or SystemClock()).now(),
        )
    return token, secret


def revoke_token(*, token: ApiToken, clock: Clock | None = None) -> ApiToken:
    """Stop a token working from now on. Revoking a revoked token keeps the first revocation."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = (clock or SystemClock()).now()
            token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(*, secret: str, clock: Clock | None = None) -> ApiToken | None:
    """The live token for a presented secret (its user loaded), or None.

    A revoked token or a disabled owner authenticates nobody. Records when the token was last
    used, at most once per `LAST_USED_RESOLUTION`.
    """
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = (clock or SystemClock()).now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def ensure_roles() -> dict[Role, Group]:
    """Create the role groups and grant each its permissions; safe to run any number of times.

    Permissions are only ever added, never taken away, so an administrator's extra grants
    survive. Run after `migrate` (the permissions must exist).
    """
    available = list(Permission.objects.select_related("content_type"))
    groups: dict[Role, Group] = {}
    with transaction.atomic():
        for role, patterns in ROLE_PERMISSIONS.items():
            group, _created_now = Group.objects.get_or_create(name=role.value)
            group.permissions.add(*_matching(available, patterns))
            groups[role] = group
    return groups


def _matching(permissions: Iterable[Permission], patterns: Iterable[str]) -> list[Permission]:
    patterns = tuple(patterns)
    return [
        permission
        for permission in permissions
        if any(
            fnmatchcase(f"{permission.content_type.app_label}.{permission.codename}", pattern)
            for pattern in patterns
        )
    ]


def grant_role(*, user: User, role: Role | str) -> None:
    """Put a user in a role's group (creating the roles first if needed)."""
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            "role",
            _("unknown role %(role)r; one of %(roles)s")
            % {"role": role, "roles": ", ".join(Role.values)},
        ) from None
    group = Group.objects.filter(name=role.value).first() or ensure_roles()[role]
    user.groups.add(group)


def remember_language(*, user: User, language: str) -> UserPreference:
    """Keep the console language a person chose, so every later sign-in opens in it."""
    preference, _created = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def remembered_language(*, user: User) -> str | None:
    """The language a person chose last time, or None if they never chose one."""
    return UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
