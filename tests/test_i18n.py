"""The Chinese and English catalogues are complete and compile."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "src" / "arrears" / "locale"


def catalogue(lang: str):
    path = LOCALE / lang / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def test_chinese_catalogue_translates_every_string():
    """A `fuzzy` entry is makemessages' guess from a similar string, not a translation."""
    missing = [m.id for m in catalogue("zh_Hans") if m.id and (not m.string or m.fuzzy)]
    assert missing == []


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_catalogue_is_compiled(lang):
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1


def test_interface_speaks_chinese():
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("zh-hans"):
        assert gettext("Days past due") == "逾期天数"
