"""The browser-side defences: a content-security policy with no inline code on every page,
no framing, CSRF on every console and portal form post, and a session cookie scripts cannot read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[1] / "src" / "arrears"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pages():  # type: ignore[no-untyped-def]
    """(what, client, url) for the sign-in page, the console, the portal and the admin."""
    agent = make_staff_user("agent")
    borrower = make_borrower_login()
    root = get_user_model().objects.create_superuser(username="root", password="x")
    return [
        ("sign-in", Client(), "/login/"),
        ("console", signed_in(agent), "/console/"),
        ("console security", signed_in(agent), "/console/security/"),
        ("portal", signed_in(borrower), "/portal/"),
        ("admin sign-in", Client(), "/admin/login/"),
        ("admin", signed_in(root), "/admin/"),
        ("admin tokens", signed_in(root), reverse("admin:identity_apitoken_changelist")),
        ("admin templates", signed_in(root), reverse("admin:engagement_template_add")),
    ]


def test_every_kind_of_page_carries_a_content_security_policy_without_inline_code(pages):
    for what, client, url in pages:
        response = client.get(url)
        policy = response.headers.get("Content-Security-Policy", "")

        assert response.status_code == 200, what
        assert "script-src 'self'" in policy, what
        assert "style-src 'self'" in policy, what
        assert "frame-ancestors 'none'" in policy, what
        assert "'unsafe-inline'" not in policy, what
        assert "'unsafe-eval'" not in policy, what


def test_pages_cannot_be_framed_nor_sniffed(pages):
    for what, client, url in pages:
        response = client.get(url)

        assert response.headers.get("X-Frame-Options") == "DENY", what
        assert response.headers.get("X-Content-Type-Options") == "nosniff", what


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def without_comments(text: str) -> str:
    """The template with its comments blanked out (line numbers kept)."""
    return TEMPLATE_COMMENT.sub(lambda found: "\n" * found.group().count("\n"), text)


def test_no_template_of_ours_holds_inline_script_style_or_handlers():
    """The policy would block them in the browser; find them here, by file and line."""
    offences = []
    for template in sorted(SRC.glob("*/templates/**/*.html")):
        for number, line in enumerate(
            without_comments(template.read_text(encoding="utf-8")).splitlines(), 1
        ):
            for kind, pattern in (
                ("inline script", INLINE_SCRIPT),
                ("inline style", INLINE_STYLE),
                ("on* handler", HANDLER_ATTRIBUTE),
            ):
                if pattern.search(line):
                    offences.append(f"{template.relative_to(SRC)}:{number}: {kind}")

    assert offences == []


def test_console_and_portal_posts_without_the_csrf_token_are_refused():
    agent = make_staff_user("agent")
    borrower = make_borrower_login()
    console = Client(enforce_csrf_checks=True)
    console.force_login(agent)
    portal = Client(enforce_csrf_checks=True)
    portal.force_login(borrower)

    console_post = console.post(reverse("console:second-factor-start"))
    portal_post = portal.post(reverse("portal:home"))
    sign_out = console.post(reverse("logout"))

    assert console_post.status_code == 403
    assert portal_post.status_code == 403
    assert sign_out.status_code == 403
    assert b"CSRF" in console_post.content


def test_the_session_cookie_is_http_only_and_same_site():
    make_staff_user("agent", "li.agent")

    response = Client().post("/login/", {"username": "li.agent", "password": "pw"})
    cookie = response.cookies["sessionid"]

    assert response.status_code == 302
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert response.cookies["csrftoken"]["samesite"] == "Lax"


def test_the_sign_in_page_is_never_cached():
    response = Client().get("/login/")

    assert (
        "no-store" in response.headers["Cache-Control"]
        or "no-cache" in response.headers["Cache-Control"]
    )
