"""ASGI entry point: what web chat's event stream needs (`arrears serve --asgi`, or
`uvicorn arrears.config.asgi:application`). A WSGI server would hold one worker per open
stream; under ASGI an open chat costs a coroutine."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.config.settings.dev")
application = get_asgi_application()
