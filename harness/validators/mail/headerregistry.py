"""The ``email`` package's header registry, made cheaper for a server that parses the same headers all day.

:class:`email.headerregistry.HeaderRegistry` builds a new class (``type(...)``, an ABC) for every
header it parses, then parses the value. :class:`SharedHeaderRegistry` builds each header class
once per name, and keeps the parsed headers of short values (a part's ``Content-Type``, ``From``,
``MIME-Version``, the ``X-MSS-*`` headers: the same values come again from message to message) in a
table bounded by the characters of its values: a parsed header holds its parse tree, ~0.8 kB per
character of its value, so :data:`SHARED_CHARS` keeps the table under ~13 MB whatever the messages.
A parsed header is immutable (a ``str`` with its parse tree and defects) and depends only on its
name and value: sharing it changes nothing but the time (issue 18: most of the MSSanté operator's
CPU per message was this parsing). Used by :mod:`.mime` and by the MSSanté simulator's
IMAP store (pymap's :class:`~pymap.mime.parsed.ParsedHeaders`).
"""

from __future__ import annotations

from email.headerregistry import BaseHeader, HeaderRegistry
from typing import Any

__all__ = ["SHARED_CHARS", "SHARED_VALUE", "SharedHeaderRegistry"]

#: values up to this many characters are shared between messages, at most this many characters of them
SHARED_VALUE = 256
SHARED_CHARS = 16384


class SharedHeaderRegistry(HeaderRegistry):
    """A :class:`~email.headerregistry.HeaderRegistry` that builds each header class once and shares short
    parsed values (bounded: the table starts again when its values reach :data:`SHARED_CHARS` characters).
    Thread-safe under the GIL (dict reads and writes; the character count is approximate under races)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._classes: dict[str, type[BaseHeader]] = {}
        self._values: dict[tuple[str, str], BaseHeader] = {}
        self._chars = 0

    def map_to_type(self, name: str, cls: type[Any]) -> None:
        super().map_to_type(name, cls)
        self._classes.pop(name.lower(), None)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > SHARED_VALUE:
            return self[name](name, value)
        key = (name, value)
        found = self._values.get(key)
        if found is None:
            found = self[name](name, value)
            if self._chars + len(value) > SHARED_CHARS:
                self._values.clear()
                self._chars = 0
            self._values[key] = found
            self._chars += len(value)
        return found
