"""Words for the stable keys the core returns (reasons, states), in English and Chinese.

The core never builds sentences in a language: it returns a key and its parameters, and each
part keeps a table `{key: {"en": ..., "zh": ...}}`. `say` turns a key into words; a parameter
named in `code_params` whose value has its own `"<name>.<value>"` entry (a channel, a status…)
is shown by that entry's words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

Table = Mapping[str, Mapping[str, str]]


def say(
    table: Table,
    key: str,
    params: Mapping[str, object] | None = None,
    language: str = "en",
    *,
    code_params: Collection[str] = (),
) -> str:
    """The key in words, in `language` ("en" or "zh…"); an unknown key is shown as is."""
    entry = table.get(key)
    if entry is None:
        return key
    lang = "zh" if language.lower().startswith("zh") else "en"
    words = {
        name: _word(table, name, str(value), lang, code_params)
        for name, value in (params or {}).items()
    }
    try:
        return entry[lang].format(**words)
    except KeyError:
        return entry[lang]


def _word(table: Table, name: str, value: str, lang: str, code_params: Collection[str]) -> str:
    if name in code_params and f"{name}.{value}" in table:
        return table[f"{name}.{value}"][lang]
    return value
