"""How the emulator reads a request's path: one reading, shared by the routers and by every guard.

A guard that matched the raw text while a router read the segments would let a request the guard did not
recognise reach the route it protects: ``.../accounts/acct//listKeys`` was read as ``listKeys`` by the ARM
router but not by the admin-token rule, and handed out the keys. So both read a path through this module:

- ``request_path(scope)``: the path the routers match, ASGI's ``scope["path"]``. The server has
  percent-decoded it once (``%2F`` is a ``/`` and ``%2e`` a ``.`` here); nothing decodes it again.
- ``segments(path)``: its non-empty pieces between slashes. A doubled, leading or trailing slash reads
  as one ``/``. Dot segments (``.``, ``..``) are names like any other and are never resolved: a client
  resolves them before sending (RFC 3986, section 5.2.4), so one that arrives is a name, which ARM then
  refuses or does not find.

Case is left as sent; each reader compares case-insensitively where Azure does (ARM's keywords and types).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def request_path(scope: Mapping[str, Any]) -> str:
    """The decoded path of an HTTP request, as the routers match it."""
    path: str = scope["path"]
    return path


def segments(path: str) -> tuple[str, ...]:
    """The path's segments, empty ones dropped: ``/a//b/`` and ``a/b`` are ``("a", "b")``."""
    return tuple(part for part in path.split("/") if part)
