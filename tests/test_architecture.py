"""House rules that keep the design honest."""

import pkgutil
import subprocess
import sys

import arrears.core


def test_core_never_imports_django():
    """Importing every core module in a fresh interpreter loads no Django module."""
    modules = [m.name for m in pkgutil.walk_packages(arrears.core.__path__, "arrears.core.")]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules\n"
        "             if m == 'django' or m.startswith(('django.', 'ninja')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert modules, "no core modules found"
    assert result.stdout.strip() == ""


def test_the_home_page_asks_a_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
