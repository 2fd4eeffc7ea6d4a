"""Who may open what: every console and portal page, for every role, a borrower and a visitor.

The pages are read from the URL resolver, so a page added later is covered without touching
this file. For each page and each person:
- a visitor who is not signed in is sent to sign in;
- a console page (guarded by `staff_page`, which records `required_permissions`) opens for a
  staff role holding those permissions and is refused (403) to every other role and to
  borrowers — before any object is looked up, so a wrong role learns nothing from 404s;
- a portal page (guarded by `borrower_page`, marked `borrower_only`) opens for a borrower and
  is refused to every staff role; a borrower never reaches another borrower's records;
- the staff API refuses a borrower's signed-in session.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from arrears.care.models import CareAgent
from arrears.collection.models import Collector
from arrears.compliance.models import PersonalDataAccess
from arrears.identity.choices import Role
from arrears.identity.selectors import is_staff_member
from tests.factories import make_borrower, make_borrower_login, make_loan_account, make_staff_user

pytestmark = pytest.mark.django_db

BORROWER = "borrower"
ANONYMOUS = "anonymous"
PEOPLE = [*Role.values, BORROWER, ANONYMOUS]
#: An id no object has: a refused role must get 403 before the page would look it up (404).
MISSING_ID = 987654321
#: The path arguments filled with the world's records (others get MISSING_ID or "missing").
NAMED = {"account_id", "case_id", "borrower_id", "ticket_id", "reference"}


@dataclass(frozen=True)
class Page:
    name: str  # "console:account"
    route: str
    callback: Any
    arguments: tuple[tuple[str, Any], ...]  # (argument name, converter)

    @property
    def area(self) -> str:
        return self.name.split(":", 1)[0]


def _walk(patterns: list[Any], namespace: str, prefix: str) -> Iterator[Page]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            yield Page(
                name=f"{namespace}:{entry.name}",
                route=prefix + str(entry.pattern),
                callback=entry.callback,
                arguments=tuple(converters.items()),
            )


def console_and_portal_pages() -> list[Page]:
    """Every named route under the console and portal namespaces, as the resolver has them."""
    pages: list[Page] = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace in {"console", "portal"}:
            pages.extend(_walk(entry.url_patterns, entry.namespace, str(entry.pattern)))
    return pages


@dataclass
class World:
    """One borrower's records (a loan, its case, a ticket) and another borrower's login."""

    borrower: Any
    account: Any
    case: Any
    ticket: Any
    other_login: Any

    def value_for(self, argument: str, converter: Any, *, own: bool = True) -> Any:
        """The path argument: the id/reference of this borrower's record it names, or a miss."""
        named = {
            "account_id": self.account.pk,
            "case_id": self.case.pk,
            "borrower_id": self.borrower.pk,
            "ticket_id": self.ticket.pk,
            "reference": self.ticket.reference,
        }
        assert set(named) == NAMED
        if argument in named:
            return named[argument]
        return MISSING_ID if isinstance(converter, IntConverter) else "missing"

    def url(self, page: Page) -> str:
        kwargs = {name: self.value_for(name, converter) for name, converter in page.arguments}
        return reverse(page.name, kwargs=kwargs)


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    from arrears.care.services.tickets import open_ticket
    from tests.factories import make_collection_case

    borrower = make_borrower(full_name="王芳")
    make_borrower_login(borrower, "wang.fang")
    account = make_loan_account(borrower=borrower)
    case = make_collection_case(account)
    ticket = open_ticket(
        kind="inquiry",
        subject="When is my next payment due?",
        origin="portal",
        borrower=borrower,
        accounts=[account],
    )
    other_login = make_borrower_login(make_borrower(full_name="李雷"), "li.lei")
    return World(borrower, account, case, ticket, other_login)


def person(who: str) -> tuple[Client, Any]:
    """A client signed in as `who` (a role, the world's borrower, or nobody) and their user."""
    from django.contrib.auth import get_user_model

    client = Client(raise_request_exception=False)  # a crash is listed with the page, as a 500
    if who == ANONYMOUS:
        return client, None
    if who == BORROWER:
        user = get_user_model().objects.get(username="wang.fang")
    else:  # a staff member set up to work: a collector's and a service agent's profile
        user = make_staff_user(who, f"matrix.{who}")
        Collector.objects.create(user=user)
        CareAgent.objects.create(user=user)
    client.force_login(user)
    return client, user


def visit(client: Client, url: str) -> Any:
    """GET the page; a page that only takes POST (405) is posted to, empty, instead."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


def is_sign_in_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)


def may_open(page: Page, user: Any) -> bool:
    if page.area == "console":
        permissions = page.callback.required_permissions
        return is_staff_member(user) and user.has_perms(permissions)
    return not is_staff_member(user)  # a borrower's own login


def test_every_console_and_portal_page_is_guarded():
    pages = console_and_portal_pages()
    unguarded = [
        page.name
        for page in pages
        if not (
            (page.area == "console" and hasattr(page.callback, "required_permissions"))
            or (page.area == "portal" and getattr(page.callback, "borrower_only", False))
        )
    ]
    csrf_exempt = [page.name for page in pages if getattr(page.callback, "csrf_exempt", False)]

    assert {"console:home", "console:security", "portal:home"} <= {p.name for p in pages}
    assert unguarded == [], "pages without staff_page / borrower_page"
    assert csrf_exempt == [], "console and portal pages must keep CSRF protection"


@pytest.mark.parametrize("who", PEOPLE)
def test_each_person_opens_exactly_the_pages_their_role_allows(who, world):
    client, user = person(who)
    problems: list[str] = []

    for page in console_and_portal_pages():
        url = world.url(page)
        response = visit(client, url)
        if who == ANONYMOUS:
            if not is_sign_in_redirect(response):
                problems.append(f"{page.name} {url}: {response.status_code}, not sent to sign in")
            continue
        if response.status_code >= 500:
            problems.append(f"{page.name} {url}: server error {response.status_code}")
            continue
        allowed = may_open(page, user)
        if allowed and (response.status_code == 403 or is_sign_in_redirect(response)):
            problems.append(f"{page.name} {url}: refused ({response.status_code}) but allowed")
        if not allowed and response.status_code != 403:
            problems.append(f"{page.name} {url}: {response.status_code}, expected 403")

    assert not problems, f"{who}:\n" + "\n".join(problems)
    if who == BORROWER:  # the portal shows a borrower their own data: no audit record
        assert not PersonalDataAccess.objects.exists()


def test_a_borrower_never_reaches_another_borrowers_records(world):
    client = Client()
    client.force_login(world.other_login)
    problems = []

    for page in console_and_portal_pages():
        if page.area != "portal" or not any(name in NAMED for name, _c in page.arguments):
            continue
        url = world.url(page)  # ids and references of wang.fang's records
        response = visit(client, url)
        if response.status_code == 302:  # e.g. back to a form: where it leads must refuse too
            response = client.get(response["Location"])
        if response.status_code not in (403, 404):
            problems.append(f"{page.name} {url}: {response.status_code}")
        elif world.borrower.full_name in response.content.decode():
            problems.append(f"{page.name} {url}: shows the other borrower's name")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("who", "page_name", "opens"),
    [
        ("compliance", "console:my-work", False),
        ("collector", "console:tickets", False),
        ("compliance", "console:compliance", True),
        ("agent", "console:my-work", True),
        ("collector", "console:security", True),
        ("compliance", "console:security", True),
        (BORROWER, "console:home", False),
        (BORROWER, "console:security", False),
        ("admin", "portal:home", False),
        ("agent", "portal:home", False),
    ],
)
def test_roles_are_refused_what_they_must_not_see(who, page_name, opens, world):
    client, _user = person(who)

    response = client.get(reverse(page_name))

    assert (response.status_code != 403) is opens
    if not opens:
        assert 'data-testid="refusal"' in response.content.decode() or page_name.startswith(
            "portal:"
        )


#: Staff API operations a borrower's session must not call: (method, path, valid input). The
#: input is valid so that the refusal, not the input check, is what answers.
STAFF_API: list[tuple[str, str, dict[str, Any]]] = [
    ("get", "/api/v1/borrowers", {}),
    ("get", "/api/v1/borrowers/{borrower_id}", {}),
    ("get", "/api/v1/accounts", {}),
    ("get", "/api/v1/accounts/{account_id}", {}),
    ("get", "/api/v1/accounts/{account_id}/decisions", {}),
    ("get", "/api/v1/accounts/{account_id}/cases", {}),
    ("get", "/api/v1/cases/{case_id}", {}),
    ("get", "/api/v1/collection/queue", {}),
    ("get", "/api/v1/escalations", {}),
    ("get", "/api/v1/care/tickets", {}),
    ("get", "/api/v1/care/tickets/{reference}", {}),
    ("get", "/api/v1/reports/kpis?from=2025-01-01&to=2025-02-01", {}),
    ("get", "/api/v1/care/kb/drafts", {}),
    (
        "post",
        "/api/v1/borrowers/{borrower_id}/holds",
        {"kind": "dispute", "start_on": "2025-01-15", "reason": "I dispute this debt"},
    ),
    (
        "post",
        "/api/v1/accounts/{account_id}/outcomes",
        {"disposition": "no_answer", "number": "+8613800138000"},
    ),
    ("post", "/api/v1/collection/queue/take-next", {}),
    ("post", "/api/v1/care/tickets/{reference}/notes", {"body": "a note about myself"}),
]


@pytest.mark.parametrize(("method", "path", "payload"), STAFF_API)
def test_a_borrowers_session_cannot_call_the_staff_api(method, path, payload, world):
    url = path.format(
        borrower_id=world.borrower.pk,
        account_id=world.account.pk,
        case_id=world.case.pk,
        reference=world.ticket.reference,
    )
    borrower, _user = person(BORROWER)
    visitor = Client()

    if method == "get":
        own_records, anonymous = borrower.get(url), visitor.get(url)
    else:
        own_records = borrower.post(url, payload, content_type="application/json")
        anonymous = visitor.post(url, payload, content_type="application/json")

    assert own_records.status_code == 403, own_records.content
    assert anonymous.status_code == 401
