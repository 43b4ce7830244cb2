# ruff: noqa: E501  (the expected problem sentences are kept whole)
"""The config validator at its edges: each case is the minimal config plus one change, and the exact
sentences (or warnings) it must produce. Together with ``test_config_whole.py`` these hold every message,
default and boundary of ``infra.config`` in place; ``scripts/mutation`` checks that they would notice a
change (docs/mutation.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from catalog import DEFAULT_CATALOG_PATH, load_catalog
from infra.config import (
    ConfigError,
    StackFileError,
    load_stack_config,
    read_stack_file,
    resolve_stack_file,
    stack_name_of,
)
from infra.config_reader import Reader, show

TODAY = date(2026, 11, 25)
DEP = {
    "name": "gpt-image",
    "model": "gpt-image-1.5",
    "version": "2025-12-16",
    "sku": "GlobalStandard",
    "capacity": 1,
}
SUBNET = "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/v/subnets/pe"
MINIMAL = {"location": "eastus2", "deployments": [DEP]}

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "lists-as-scalars",
        {
            "account": {"ipRules": "10.0.0.1"},
            "contentFilter": {"blockTerms": "x"},
            "monitoring": {
                "alertEmails": "a@b.c",
                "budget": {"amount": 1, "startDate": "2026-12-01", "contactEmails": "a@b.c", "thresholds": 5},
            },
        },
        [
            "imagegate:account.ipRules: '10.0.0.1' is not a list; accepted: a list of IPv4 addresses or CIDR ranges.",
            "imagegate:contentFilter.blockTerms: 'x' is not a list; accepted: a list of terms.",
            "imagegate:monitoring.alertEmails: 'a@b.c' is not a list; accepted: a list of email addresses.",
            "imagegate:monitoring.budget.contactEmails: 'a@b.c' is not a list; accepted: a list of email addresses.",
            "imagegate:monitoring.budget.thresholds: 5 is not a list; accepted: a list of percentages.",
        ],
    ),
    (
        "no-deployments",
        {"deployments": None},
        ["imagegate:deployments: (missing) is required; accepted: a non-empty list of deployments."],
    ),
    (
        "empty-deployments",
        {"deployments": []},
        ["imagegate:deployments: [] is empty; accepted: a non-empty list of deployments."],
    ),
    (
        "terms-skip-non-strings",
        {"contentFilter": {"blockTerms": [3, "a", "a"]}},
        [
            "imagegate:contentFilter.blockTerms[2]: 'a' is listed twice; accepted: each term once.",
            "imagegate:contentFilter.blockTerms[0]: 3 is not a non-empty string; accepted: a term of 1-100 characters.",
        ],
    ),
    (
        "too-many-thresholds",
        {
            "monitoring": {
                "budget": {
                    "amount": 1,
                    "startDate": "2026-12-01",
                    "contactEmails": ["a@example.com"],
                    "thresholds": [1, 2, 3, 4, 5, 6],
                }
            }
        },
        [
            "imagegate:monitoring.budget.thresholds: [1, 2, 3, 4, 5, 6] has too many entries; accepted: at most 5 percentages (Azure's limit on budget notifications)."
        ],
    ),
    (
        "repeated-threshold",
        {
            "monitoring": {
                "budget": {
                    "amount": 1,
                    "startDate": "2026-12-01",
                    "contactEmails": ["a@example.com"],
                    "thresholds": [50, 50],
                }
            }
        },
        ["imagegate:monitoring.budget.thresholds[1]: 50 is listed twice; accepted: each percentage once."],
    ),
    (
        "budget-start-missing",
        {"monitoring": {"budget": {"amount": 1, "contactEmails": ["a@example.com"]}}},
        [
            "imagegate:monitoring.budget.startDate: (missing) is required; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
        ],
    ),
    (
        "budget-start-date-object",
        {
            "monitoring": {
                "budget": {"amount": 1, "startDate": date(2026, 12, 2), "contactEmails": ["a@example.com"]}
            }
        },
        [
            "imagegate:monitoring.budget.startDate: '2026-12-02' is not valid; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
        ],
    ),
    (
        "budget-start-too-early",
        {
            "monitoring": {
                "budget": {"amount": 1, "startDate": "2017-05-01", "contactEmails": ["a@example.com"]}
            }
        },
        [
            "imagegate:monitoring.budget.startDate: '2017-05-01' is out of range; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
        ],
    ),
    (
        "budget-start-too-late",
        {
            "monitoring": {
                "budget": {"amount": 1, "startDate": "2027-12-01", "contactEmails": ["a@example.com"]}
            }
        },
        [
            "imagegate:monitoring.budget.startDate: '2027-12-01' is out of range; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
        ],
    ),
    (
        "budget-start-number",
        {"monitoring": {"budget": {"amount": 1, "startDate": 20261201, "contactEmails": ["a@example.com"]}}},
        [
            "imagegate:monitoring.budget.startDate: 20261201 is not valid; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
        ],
    ),
    (
        "budget-start-in-words",
        {
            "monitoring": {
                "budget": {"amount": 1, "startDate": "December 2026", "contactEmails": ["a@example.com"]}
            }
        },
        [
            "imagegate:monitoring.budget.startDate: 'December 2026' is not valid; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01."
        ],
    ),
    (
        "ip-prefix-31",
        {"account": {"ipRules": ["203.0.113.0/31"]}},
        [
            "imagegate:account.ipRules[0]: '203.0.113.0/31' is not accepted by Azure IP rules; accepted: a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24."
        ],
    ),
    (
        "user-missing",
        {"access": {"openAiUsers": [None]}},
        [
            "imagegate:access.openAiUsers[0]: (missing) is required; accepted: an object with keys name, principalId, principalType.",
            "imagegate:access.openAiUsers[0].name: (missing) is required; accepted: 1-40 lowercase letters, digits or hyphens.",
            "imagegate:access.openAiUsers[0].principalId: (missing) is required; accepted: an Entra object id (a GUID).",
        ],
    ),
    (
        "long-value",
        {
            "namePrefix": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        },
        [
            "imagegate:namePrefix: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is not valid; accepted: 3-40 lowercase letters, digits or hyphens, starting with a letter."
        ],
    ),
    (
        "long-list-value",
        {
            "tags": [
                "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
            ]
        },
        [
            'imagegate:tags: ["xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "yyyyyyyyyyyyyyyyyyyyy... is not an object; accepted: an object of tag name -> string value.'
        ],
    ),
    (
        "no-choices",
        {
            "deployments": [
                {
                    "name": "Bad Name",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ],
            "activeDeployment": "other",
        },
        [
            "imagegate:deployments[0].name: 'Bad Name' is not valid; accepted: 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit.",
            "imagegate:activeDeployment: 'other' is not the name of a deployment; accepted: Bad Name.",
        ],
    ),
    (
        "candidate-name-too-long",
        {
            "deployments": [
                {
                    "name": "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ],
            "candidate": {
                "deployment": "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                "model": "gpt-image-2",
                "version": "2026-04-21",
                "capacity": 1,
            },
        },
        [
            "imagegate:candidate.deployment: 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd' gives the candidate name 'dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd-candidate', longer than 64 characters; accepted: a deployment whose name has at most 54 characters."
        ],
    ),
    (
        "retired-model",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1",
                    "version": "2025-04-15",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ]
        },
        [
            "imagegate:deployments[0].model: 'gpt-image-1' is retired and can no longer be deployed; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini."
        ],
    ),
    (
        "unknown-model",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "dall-e-3",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ]
        },
        [
            "imagegate:deployments[0].model: 'dall-e-3' is not a known model; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini."
        ],
    ),
    (
        "public-disabled",
        {"account": {"publicNetworkAccess": "Disabled"}},
        [
            "imagegate:account.publicNetworkAccess is Disabled and no privateEndpoint is set: nothing will be able to reach the account."
        ],
    ),
    (
        "candidate-of-unknown-model",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "dall-e-3",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ],
            "candidate": {"deployment": "gpt-image", "version": "2025-12-16"},
        },
        [
            "imagegate:deployments[0].model: 'dall-e-3' is not a known model; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
            "imagegate:candidate.model: 'dall-e-3' is not a known model; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
        ],
    ),
    (
        "candidate-of-retired-model",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1",
                    "version": "2025-04-15",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ],
            "candidate": {"deployment": "gpt-image", "version": "2025-12-16"},
        },
        [
            "imagegate:deployments[0].model: 'gpt-image-1' is retired and can no longer be deployed; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
            "imagegate:candidate.model: 'gpt-image-1' is retired and can no longer be deployed; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
        ],
    ),
    (
        "candidate-of-model-less",
        {
            "deployments": [
                {"name": "gpt-image", "version": "2025-12-16", "sku": "GlobalStandard", "capacity": 1}
            ],
            "candidate": {"deployment": "gpt-image", "version": "2025-12-16"},
        },
        [
            "imagegate:deployments[0].model: (missing) is required; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini."
        ],
    ),
    (
        "candidate-name-64",
        {
            "deployments": [
                {
                    "name": "dddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ],
            "candidate": {
                "deployment": "dddddddddddddddddddddddddddddddddddddddddddddddddddddd",
                "model": "gpt-image-2",
                "version": "2026-04-21",
                "capacity": 1,
            },
        },
        [],
    ),
    (
        "candidate-inherits",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 3,
                }
            ],
            "candidate": {"deployment": "gpt-image", "version": "2025-12-16"},
        },
        [
            "imagegate:candidate deploys gpt-image-1.5@2025-12-16, the version 'gpt-image' already runs; the rollout will compare a version with itself."
        ],
    ),
    ("candidate-empty", {"candidate": {}}, []),
    (
        "deployment-ends-candidate",
        {
            "deployments": [
                {
                    "name": "x-candidate",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ]
        },
        [
            "imagegate:deployments[0].name: 'x-candidate' ends with '-candidate', which is kept for rollout candidates; accepted: 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit, not ending in '-candidate'."
        ],
    ),
    (
        "deployment-twice",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                },
                {
                    "name": "GPT-IMAGE",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                },
            ]
        },
        [
            "imagegate:deployments[1].name: 'GPT-IMAGE' is used by another deployment; accepted: a name unique within the account."
        ],
    ),
    (
        "version-unknown",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1.5",
                    "version": "2020-01-01",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                }
            ]
        },
        [
            "imagegate:deployments[0].version: '2020-01-01' is not a known version of gpt-image-1.5; accepted: 2025-12-16."
        ],
    ),
    (
        "sku-not-in-region",
        {
            "location": "uaenorth",
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "DataZoneStandard",
                    "capacity": 1,
                }
            ],
        },
        [
            "imagegate:deployments[0].sku: 'DataZoneStandard' is not offered for gpt-image-1.5 in uaenorth; accepted: GlobalStandard in uaenorth; DataZoneStandard is offered in eastus2, westus3, polandcentral, swedencentral."
        ],
    ),
    (
        "capacity-above-quota",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 10,
                }
            ]
        },
        [
            "deployments of gpt-image-1.5 (GlobalStandard) ask for capacity 10 in eastus2, above the default quota of 9; check `usages` or request more quota before `pulumi up`."
        ],
    ),
    (
        "capacity-at-the-limit",
        {"deployments": [{**DEP, "capacity": 1000}]},
        [
            "deployments of gpt-image-1.5 (GlobalStandard) ask for capacity 1000 in eastus2, above the default quota of 9; check `usages` or request more quota before `pulumi up`."
        ],
    ),
    ("ip-prefix-30", {"account": {"ipRules": ["203.0.113.0/30"]}}, []),
    (
        "five-thresholds",
        {
            "monitoring": {
                "budget": {
                    "amount": 1,
                    "startDate": "2026-12-01",
                    "contactEmails": ["a@example.com"],
                    "thresholds": [10, 20, 30, 40, 50],
                }
            }
        },
        [],
    ),
    (
        "bad-contact-email",
        {
            "monitoring": {
                "budget": {
                    "amount": 1,
                    "startDate": "2026-12-01",
                    "contactEmails": ["ok@example.com", "nope"],
                }
            }
        },
        [
            "imagegate:monitoring.budget.contactEmails[1]: 'nope' is not valid; accepted: an email address such as ops@example.com."
        ],
    ),
    (
        "budget-start-earliest",
        {
            "monitoring": {
                "budget": {"amount": 1, "startDate": "2017-06-01", "contactEmails": ["a@example.com"]}
            }
        },
        [],
    ),
    (
        "budget-start-latest",
        {
            "monitoring": {
                "budget": {"amount": 1, "startDate": "2027-11-01", "contactEmails": ["a@example.com"]}
            }
        },
        [],
    ),
    (
        "deployment-entry-missing",
        {
            "deployments": [
                {
                    "name": "gpt-image",
                    "model": "gpt-image-1.5",
                    "version": "2025-12-16",
                    "sku": "GlobalStandard",
                    "capacity": 1,
                },
                None,
            ]
        },
        [
            "imagegate:deployments[1]: (missing) is required; accepted: an object with keys name, model, version, sku, capacity, versionUpgradeOption.",
            "imagegate:deployments[1].name: (missing) is required; accepted: 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit.",
            "imagegate:deployments[1].model: (missing) is required; accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
            "imagegate:deployments[1].capacity: (missing) is required; accepted: an integer from 1 to 1000.",
        ],
    ),
]


@pytest.mark.parametrize(("change", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_one_change_gives_exactly_these_sentences(change: dict[str, Any], expected: list[str]) -> None:
    values = {**MINIMAL, **change}
    try:
        config = load_stack_config(values, "dev", today=TODAY)
    except Exception as exc:  # ConfigError: compare its problems
        assert list(exc.problems) == expected
    else:
        assert list(config.warnings) == expected


def test_keys_may_carry_the_namespace_as_pulumi_writes_them() -> None:
    config = load_stack_config(
        {"imagegate:location": "westus3", "imagegate:deployments": [DEP]}, "dev", today=TODAY
    )
    assert config.location == "westus3"


def test_the_candidate_may_be_the_active_deployment_and_is_checked_in_the_stacks_region() -> None:
    candidate = {"deployment": "gpt-image", "model": "gpt-image-2", "version": "2026-04-21", "capacity": 1}
    config = load_stack_config(
        {**MINIMAL, "candidate": candidate, "activeDeployment": "gpt-image-candidate"}, "dev", today=TODAY
    )
    assert config.active_deployment == "gpt-image-candidate"
    assert config.candidate is not None and config.candidate.sku == "GlobalStandard"
    with pytest.raises(Exception) as raised:
        load_stack_config(
            {**MINIMAL, "location": "uaenorth", "candidate": {**candidate, "sku": "DataZoneStandard"}},
            "dev",
            today=TODAY,
        )
    assert any(p.startswith("imagegate:candidate.") for p in raised.value.problems)


def test_json_text_is_read_even_with_surrounding_whitespace() -> None:
    config = load_stack_config(
        {**MINIMAL, "tags": '  {"a": "b"}  ', "account": ' {"ipRules": ["203.0.113.0/24"]}'},
        "dev",
        today=TODAY,
    )
    assert config.tags == {"a": "b"} and config.account.ip_rules == ("203.0.113.0/24",)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "(missing)"),
        ("it's", '"it\'s"'),
        (5, "5"),
        (date(2026, 1, 1), '"2026-01-01"'),
        (["a" * 36, "b" * 36], '["' + "a" * 36 + '", "' + "b" * 36 + '"]'),
        (["a" * 37, "b" * 36], '["' + "a" * 37 + '", "' + "b" * 34 + "..."),
    ],
    ids=["missing", "string", "number", "date", "80-chars", "81-chars"],
)
def test_a_bad_value_is_shown_quoted_and_at_most_80_characters(value: object, shown: str) -> None:
    assert show(value) == shown


@pytest.mark.parametrize(
    ("low", "high", "low_open", "accepted"),
    [(0, 100, True, "a number above 0 up to 100"), (0.5, 2.5, False, "a number from 0.5 to 2.5")],
)
def test_number_ranges_are_written_as_people_write_them(low, high, low_open, accepted) -> None:
    r = Reader()
    r.number("x", "many", None, low=low, high=high, low_open=low_open)
    assert r.problems == [f"imagegate:x: 'many' is not a number; accepted: {accepted}."]


def test_the_stack_file_follows_from_the_stack_name_or_the_file_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "Pulumi.yaml").write_text("name: x\n")
    assert resolve_stack_file("dev", None) == ("dev", Path("Pulumi.dev.yaml"))
    assert resolve_stack_file(None, Path("Pulumi.dev.yaml")) == ("dev", Path("Pulumi.dev.yaml"))
    assert resolve_stack_file("other", Path("Pulumi.dev.yaml")) == ("other", Path("Pulumi.dev.yaml"))
    assert stack_name_of("Pulumi.team.prod.yml") == "team.prod" and stack_name_of("stack.yaml") is None
    for stack, config, message in [
        (None, None, "Name the stack with --stack NAME (or give --config Pulumi.<stack>.yaml)."),
        ("prod", None, "Pulumi.prod.yaml does not exist; run from the project folder or pass --config FILE."),
        (None, Path("nope.yaml"), "nope.yaml does not exist; check the --config path."),
        (
            None,
            Path("Pulumi.yaml"),
            "Cannot tell the stack from Pulumi.yaml (stack files are Pulumi.<stack>.yaml); add --stack NAME.",
        ),
    ]:
        with pytest.raises(StackFileError) as raised:
            resolve_stack_file(stack, config)
        assert str(raised.value) == message


def test_when_every_version_has_retired_the_config_points_at_live_models_elsewhere() -> None:
    candidate = {"deployment": "gpt-image", "model": "gpt-image-1.5"}
    with pytest.raises(ConfigError) as raised:
        load_stack_config({**MINIMAL, "candidate": candidate}, "dev", today=date(2031, 1, 1))
    assert raised.value.problems == [
        "imagegate:deployments[0].version: '2025-12-16' of gpt-image-1.5 retired on 2027-06-16; accepted: a live "
        "version of another model: gpt-image-2 2026-04-21, gpt-image-1-mini 2025-10-06.",
        "imagegate:candidate.version: (missing) is required; accepted: a version of gpt-image-1.5: (none).",
    ]


def test_when_no_model_in_the_catalog_is_live_the_config_says_so(tmp_path: Path) -> None:
    # A catalog as it stood before gpt-image-2: once gpt-image-1.5 retires there is nothing to move to.
    packaged = json.loads(Path(DEFAULT_CATALOG_PATH).read_text(encoding="utf-8"))
    for name in ("gpt-image-2", "gpt-image-1-mini"):
        del packaged["models"][name]
    older = tmp_path / "catalog.json"
    older.write_text(json.dumps(packaged), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_stack_config(MINIMAL, "dev", today=date(2027, 7, 1), catalog=load_catalog(older))
    assert raised.value.problems == [
        "imagegate:deployments[0].version: '2025-12-16' of gpt-image-1.5 retired on 2027-06-16; accepted: no "
        "live image model in the catalog."
    ]


def test_what_an_omitted_optional_key_becomes() -> None:
    config = load_stack_config(
        {
            **MINIMAL,
            "monitoring": {
                "budget": {"amount": 1, "startDate": "2026-12-01", "contactEmails": ["a@example.com"]}
            },
            "access": {"openAiUsers": [{"name": "a", "principalId": "22222222-2222-2222-2222-222222222222"}]},
            "account": {"privateEndpoint": {"subnetId": SUBNET}},
        },
        "dev",
        today=TODAY,
    )
    assert config.monitoring.budget is not None and config.monitoring.budget.thresholds == (80, 100)
    assert config.access.open_ai_users[0].principal_type == "ServicePrincipal"
    assert config.account.private_endpoint is not None
    assert (
        config.account.private_endpoint.subnet_id,
        config.account.private_endpoint.private_dns_zone_id,
    ) == (
        SUBNET,
        None,
    )


def test_a_candidate_retiring_soon_is_warned_about_like_a_deployment() -> None:
    candidate = {"deployment": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16"}
    config = load_stack_config({**MINIMAL, "candidate": candidate}, "dev", today=date(2027, 4, 1))
    assert config.warnings == (
        "imagegate:deployments[0].version: gpt-image-1.5 2025-12-16 retires on 2027-06-16 (76 days); plan a "
        "rollout to a newer version.",
        "imagegate:candidate.version: gpt-image-1.5 2025-12-16 retires on 2027-06-16 (76 days); plan a rollout "
        "to a newer version.",
        "imagegate:candidate deploys gpt-image-1.5@2025-12-16, the version 'gpt-image' already runs; the rollout "
        "will compare a version with itself.",
    )


def test_a_stack_file_that_is_not_yaml_names_the_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.dev.yaml"
    bad.write_text("config:\n  imagegate:location: [unclosed\n")
    with pytest.raises(ConfigError) as raised:
        read_stack_file(bad)
    assert raised.value.problems == [
        f"{bad} is not valid YAML (line 3, column 1: expected ',' or ']', but got '<stream end>'); fix the file."
    ]
