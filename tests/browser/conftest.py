"""Playwright driving Debian's Chromium against a live server of the real application.

Each test gets a fresh browser context (its own cookies and language) on a session-wide
browser. Screenshots of the main screens go to test-artifacts/screenshots/ (kept by CI).
Without /usr/bin/chromium (`make browser` or `.ci/run` installs it) the browser tests are
skipped with that reason, never silently passed.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

#: Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
#: itself (setting up data) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ARREARS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: run `make browser` (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@contextmanager
def watched_page(
    browser: Any, site: str, *, timeout: int = 30_000, accept_dialogs: bool = False
) -> Iterator[Any]:
    """A new page in its own context, whose relative URLs go to `site`; the test fails if the
    page raised a script error or broke the content-security policy. With `accept_dialogs`,
    every confirm() is answered yes."""
    context = browser.new_context(base_url=site, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    if accept_dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert not errors, f"the page raised script errors or CSP violations: {errors}"


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A new page in its own context, whose relative URLs go to the live server."""
    with watched_page(browser, live_server.url) as page:
        yield page


@pytest.fixture
def asgi_site(shared_test_connection: None) -> Iterator[str]:
    """uvicorn serving the ASGI application with its static files on a free port, as
    `arrears serve --asgi` serves it: for pages that read an async view (the chat's event
    stream), which pytest-django's WSGI live server cannot serve. Needs the `shared_test_connection`
    fixture (`from tests.care.chat_fixtures import *`)."""
    import uvicorn
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application
    from django.urls import get_resolver

    get_resolver().url_patterns  # import every view now  # noqa: B018
    application = ASGIStaticFilesHandler(get_asgi_application())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application, lifespan="off", log_level="warning", timeout_graceful_shutdown=2
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(1200):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.05)
    assert server.started, "the ASGI server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def phone_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page the size of a phone (the portal must be readable on one)."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact; returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, username: str, password: str = "pw") -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=sign-in-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
