"""Test ids made of plain characters, for tables whose values hold bytes, newlines or quotes.

mutmut hands the ids of the tests that reach a function back to pytest on its command line; an id with
escaped bytes or backslashes is not found again there, and the mutant would count as killed by a crash.
"""

from __future__ import annotations

import re


def plain(value: object) -> str:
    """``value``'s text reduced to lower-case letters, digits and dashes, at most 48 characters."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")[:48] or "empty"
