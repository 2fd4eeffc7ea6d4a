"""Let hypothesis-jsonschema 0.23 (under schemathesis 3.x) run on Hypothesis ≥ 6.16x.

hypothesis-jsonschema draws object properties with the old private protocol
`while elements.more(): ...` of `hypothesis.internal.conjecture.utils.many`; newer Hypothesis
replaced it with `with many(...) as elements: for _ in elements:`. This gives the object that
hypothesis-jsonschema uses a `more()` built on the new protocol, for hypothesis-jsonschema
alone (Hypothesis itself is untouched). Remove it once the two released versions agree.
"""

from __future__ import annotations

import types
from collections.abc import Iterator

from hypothesis.internal.conjecture import utils as conjecture_utils


class _ManyWithMore(conjecture_utils.many):  # type: ignore[misc]
    _elements: Iterator[None] | None = None

    def more(self) -> bool:
        if self._elements is None:
            self.__enter__()
            self._elements = iter(self)
        try:
            next(self._elements)
        except StopIteration:
            self._closed = True
            return False
        return True


def install() -> None:
    from hypothesis_jsonschema import _from_schema

    if hasattr(conjecture_utils.many, "more") or getattr(_from_schema.cu, "patched", False):
        return
    patched = types.ModuleType(conjecture_utils.__name__)
    patched.__dict__.update(vars(conjecture_utils))
    patched.many = _ManyWithMore  # type: ignore[attr-defined]
    patched.patched = True  # type: ignore[attr-defined]
    _from_schema.cu = patched
