"""Suite-wide plugins and guards: Microsoft's specs judge every emulator answer (tests/spec_plugin.py), test
ids must be the same in every process, or pytest-xdist refuses to run, and the slow end-to-end modules
are handed out first, so no worker starts one of them while the other has run out of work."""

from __future__ import annotations

import re

import pytest

pytest_plugins = ["tests.spec_plugin"]

_ADDRESS = re.compile(r"at 0x[0-9a-f]+")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: modules stay together
    unstable = [item.nodeid for item in items if _ADDRESS.search(item.nodeid)]
    if unstable:
        raise pytest.UsageError(
            "these test ids hold a memory address, so they differ between processes (pytest-xdist "
            "refuses them); give the parameter a repr or pass ids=: " + ", ".join(unstable[:5])
        )
