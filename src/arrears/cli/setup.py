"""`arrears init` and `arrears serve`: make a database ready, and serve the web app."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from arrears.cli._runtime import _, handles_errors, print_json, stderr

INIT_EPILOG = """\
Example:

  arrears init --admin-password 'a long secret'

  ARREARS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/arrears arrears init --json
"""

SERVE_EPILOG = """\
Example:

  arrears serve --host 127.0.0.1 --port 8000

  arrears serve --asgi --port 8000
"""


def prepare_database(
    *, admin_username: str = "admin", admin_password: str | None = None, quiet: bool = False
) -> dict[str, Any]:
    """Migrate, load the bundled products, create the role groups; optionally an administrator.

    Safe to run again: every step leaves what is already there alone (a changed bundled product
    gets a new version; an existing admin user gets the new password).
    """
    from django.core.management import call_command
    from django.db import transaction

    from arrears.care.services.canned import load_bundled_canned_replies
    from arrears.care.services.desk import load_default_desk
    from arrears.care.services.knowledge import load_bundled_articles
    from arrears.collection.services import (
        load_bundled_strategies,
        load_default_work_queues,
        load_dispositions,
    )
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates
    from arrears.identity.services import ensure_roles
    from arrears.servicing.services.products import load_products

    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        products = load_products()
        load_profiles()  # the bundled compliance profiles, as editable versions
        load_templates()  # the bundled notice templates (checked by the content validator)
        load_dispositions()  # the standard call and contact results
        load_default_work_queues()  # the collection floor's queues, missing codes only
        load_bundled_strategies()  # the conventional ladder, active unless one is already
        load_bundled_articles()  # the care desk's knowledge base, missing articles only
        load_bundled_canned_replies()  # and its canned replies, missing codes only
        load_default_desk()  # the care desk: calendar, teams, queues, SLA policies
        roles = ensure_roles()
        admin = None
        if admin_password is not None:
            admin = ensure_user(username=admin_username, password=admin_password, role="admin")
    if not quiet:
        stderr.print(
            _("Database ready: %(products)d products, %(roles)d roles.")
            % {"products": len(products), "roles": len(roles)}
        )
    return {
        "ok": True,
        "products": sorted(p.code for p in products),
        "roles": sorted(str(role) for role in roles),
        "admin": admin.get_username() if admin else None,
    }


def ensure_user(*, username: str, password: str, role: str) -> Any:
    """A user with this password in the role's group; `admin` users are also superusers."""
    from django.contrib.auth import get_user_model

    from arrears.identity.services import grant_role

    if not password:
        from arrears.core.errors import ValidationError

        raise ValidationError("admin_password", _("must not be empty"))
    user_model = get_user_model()
    lookup: dict[str, Any] = {user_model.USERNAME_FIELD: username}
    user, _created = user_model._default_manager.get_or_create(**lookup)
    user.set_password(password)
    user.is_active = True
    user.is_staff = True
    user.is_superuser = role == "admin"
    user.save()
    grant_role(user=user, role=role)
    return user


@handles_errors
def init(
    admin_password: Annotated[
        str | None,
        typer.Option(help="Also create (or reset) the administrator with this password."),
    ] = None,
    admin_username: Annotated[str, typer.Option(help="The administrator's user name.")] = "admin",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Prepare the database: migrate, load the bundled products, create the role groups."""
    result = prepare_database(
        admin_username=admin_username, admin_password=admin_password, quiet=as_json
    )
    if as_json:
        print_json(result)


def run_server(host: str, port: int, *, asgi: bool = False) -> None:
    """Django's development server, without the auto-reloader (which would re-run the command);
    with `asgi`, uvicorn serving the ASGI app (web chat's event streams), static files too."""
    if asgi:
        import uvicorn
        from django.conf import settings
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from arrears.config.asgi import application

        # Django: under ASGI persistent connections should be off (each request has its own
        # thread, so a kept connection would outlive it)
        for database in settings.DATABASES.values():
            database["CONN_MAX_AGE"] = 0
        uvicorn.run(ASGIStaticFilesHandler(application), host=host, port=port, lifespan="off")
        return
    from django.core.management import call_command

    call_command("runserver", f"{host}:{port}", use_reloader=False)


@handles_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    asgi: Annotated[
        bool, typer.Option("--asgi", help="Serve with uvicorn (ASGI): needed for web chat.")
    ] = False,
) -> None:
    """Serve the web app (admin, REST API) with Django's built-in server, or uvicorn (--asgi)."""
    run_server(host, port, asgi=asgi)
