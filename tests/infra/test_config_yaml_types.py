# ruff: noqa: E501  (the expected problem sentences are kept whole)
"""The stack file as YAML types it: an unquoted ``2026-12-01`` arrives as a date and ``1:`` as an integer key,
not as strings. Each is read from a real ``Pulumi.<stack>.yaml`` the way `imagegate` reads it, and gives the
same config (or the same sentences) as its quoted form."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from infra.config import ConfigError, load_stack_config, read_stack_file
from tests.infra.test_config_edges import TODAY

STACK = """\
config:
  imagegate:location: eastus2
  imagegate:deployments:
    - name: gpt-image
      model: gpt-image-1.5
      version: "2025-12-16"
      sku: GlobalStandard
      capacity: 1
"""


def load(tmp_path: Path, extra: str):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(STACK + extra, encoding="utf-8")
    return load_stack_config(read_stack_file(path), "dev", today=TODAY)


def test_an_unquoted_budget_start_is_a_date_and_is_accepted(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        "  imagegate:monitoring:\n"
        "    budget:\n"
        "      amount: 100\n"
        "      startDate: 2026-12-01\n"
        "      contactEmails: [ops@example.com]\n",
    )
    assert config.monitoring.budget is not None
    assert config.monitoring.budget.start_date == date(2026, 12, 1)


def test_an_unquoted_budget_start_on_another_day_is_refused_as_written(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load(
            tmp_path,
            "  imagegate:monitoring:\n"
            "    budget: {amount: 100, startDate: 2026-12-15, contactEmails: [ops@example.com]}\n",
        )
    assert raised.value.problems == [
        "imagegate:monitoring.budget.startDate: '2026-12-15' is not valid; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
    ]


def test_a_number_as_a_key_is_reported_with_the_misspelled_keys_beside_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, "  imagegate:account:\n    ipRule: 203.0.113.7\n    1: true\n    disableLocalAuth: true\n")
    assert raised.value.problems == [
        "imagegate:account.1: true is not a known key; accepted: customSubdomain, disableLocalAuth, publicNetworkAccess, ipRules, privateEndpoint.",
        "imagegate:account.ipRule: '203.0.113.7' is not a known key; accepted: customSubdomain, disableLocalAuth, publicNetworkAccess, ipRules, privateEndpoint.",
    ]
