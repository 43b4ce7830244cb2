"""The targets of stack outputs with a `gateway` (docs/smoke.md, "Through the gateway"): every alias as an
app calls it, every member directly; without `gateway`, exactly the plain targets."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from smoke.errors import TargetError
from smoke.targets import load_outputs_file, stack_targets, targets_from_outputs

GW = "https://imagegate-pool-gw.azure-api.net/"
EUS2 = "https://imagegate-pool-eus2.openai.azure.com/"
WUS3 = "https://imagegate-pool-wus3.openai.azure.com/"
OUTPUTS = {
    "environment": "pool",
    "endpoint": EUS2,
    "apiVersion": "2025-04-01-preview",
    "localAuthDisabled": True,
    "deployments": {"gpt-image": {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 2}},
    "gateway": {
        "endpoint": GW.rstrip("/"),
        "apiVersion": "2025-04-01-preview",
        "aliases": {
            "gpt-image": {
                "model": "gpt-image-1.5",
                "version": "2025-12-16",
                "members": [
                    {"region": "eastus2", "account": "imagegate-pool-eus2", "endpoint": EUS2,
                     "deployment": "gpt-image", "priority": 1, "weight": 1},
                    {"region": "westus3", "account": "imagegate-pool-wus3", "endpoint": WUS3,
                     "deployment": "gpt-image", "priority": 2, "weight": 1},
                ],
            }
        },
    },
}  # fmt: skip


def test_the_alias_the_deployment_and_the_other_member_each_become_one_target() -> None:
    alias, first, other = stack_targets(OUTPUTS, "outputs.json")
    assert (alias.label, alias.endpoint, alias.deployment, alias.via) == (
        "pool-gateway/gpt-image",
        GW,
        "gpt-image",
        "gateway",
    )
    assert alias.members == (("eastus2", EUS2, "gpt-image"), ("westus3", WUS3, "gpt-image"))
    assert (alias.model, alias.version, alias.local_auth_disabled) == ("gpt-image-1.5", "2025-12-16", None)
    # The first region's deployment is the eastus2 member: one target, gaining its region.
    assert (first.label, first.region, first.capacity, first.via) == (
        "pool/gpt-image",
        "eastus2",
        2,
        "direct",
    )
    assert (other.label, other.endpoint, other.region, other.local_auth_disabled) == (
        "imagegate-pool-wus3/gpt-image",
        WUS3,
        "westus3",
        True,
    )


def test_outputs_without_a_gateway_give_exactly_the_plain_targets(tmp_path: Path) -> None:
    plain = {k: v for k, v in OUTPUTS.items() if k != "gateway"}
    assert stack_targets(plain, "outputs.json") == targets_from_outputs(plain, "outputs.json")
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(plain))
    assert load_outputs_file(path) == targets_from_outputs(plain, str(path))
    path.write_text(json.dumps(OUTPUTS))
    assert load_outputs_file(path, with_gateway=False) == targets_from_outputs(OUTPUTS, str(path))
    assert len(load_outputs_file(path)) == 3


def _broken(change) -> dict:
    doc = copy.deepcopy(OUTPUTS)
    change(doc["gateway"])
    return doc


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda g: g.update(aliases={}), "The gateway in the stack outputs from o.json lists no aliases; "
         "nothing to smoke."),
        (lambda g: g.pop("endpoint"), "The gateway in the stack outputs from o.json has no 'endpoint' "
         "string."),
        (lambda g: g.update(endpoint="http://gw.example.com"), "Endpoint 'http://gw.example.com' uses plain "
         "http, which would send credentials in clear text; use https (plain http is only allowed to "
         "loopback)."),
        (lambda g: g["aliases"]["gpt-image"].update(members=[]), "Alias 'gpt-image' in the stack outputs "
         "from o.json lists no members."),
        (lambda g: g["aliases"]["gpt-image"]["members"][1].pop("region"), "A member of alias 'gpt-image' in "
         "the stack outputs from o.json has no 'region' string."),
    ],
)  # fmt: skip
def test_a_malformed_gateway_is_one_sentence_before_any_request(change, message: str) -> None:
    with pytest.raises(TargetError) as refused:
        stack_targets(_broken(change), "o.json")
    assert str(refused.value) == message
    assert refused.value.exit_code == 2


def test_a_gateway_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(TargetError) as refused:
        stack_targets({**OUTPUTS, "gateway": []}, "o.json")
    assert str(refused.value) == "The 'gateway' value in the stack outputs from o.json is not a JSON object."


@pytest.fixture
def no_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request was sent")

    monkeypatch.setattr("smoke.client.ImageClient._send", refuse)
    monkeypatch.setattr("smoke.auth.make_credential", refuse)


@pytest.mark.usefixtures("no_requests")
@pytest.mark.parametrize(
    "gateway, args, message",
    [
        (
            False,
            ["--failover", "eastus2"],
            "Error: --failover checks a gateway alias, but no target goes through "
            "a gateway; pass the outputs of a stack with a `gateway` (and not --gateway-auth none).",
        ),
        (
            True,
            ["--failover", "eastus2", "--gateway-auth", "none"],
            "Error: --failover checks a gateway alias, "
            "but no target goes through a gateway; pass the outputs of a stack with a `gateway` (and not "
            "--gateway-auth none).",
        ),
        (
            True,
            ["--gateway-auth", "entra", "--gateway-key-env", "K"],
            "Error: --gateway-key-env is the key for --gateway-auth key; drop it or --gateway-auth entra.",
        ),
        (
            True,
            ["--gateway-key-env", "sk-1234abcd"],
            "Error: --gateway-key-env takes the NAME of an environment variable holding the key, not a key.",
        ),
        (
            True,
            ["--gateway-key-env", "K", "--suite", "default", "--failover", "westus3"],
            "Error: --failover does not apply with --suite; run the failover check on its own.",
        ),
    ],
)
def test_gateway_options_that_cannot_work_are_one_sentence_and_exit_2(
    tmp_path: Path, gateway: bool, args: list[str], message: str
) -> None:
    from click.testing import CliRunner

    from imagegate.cli import cli

    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(OUTPUTS if gateway else {k: v for k, v in OUTPUTS.items() if k != "gateway"}))
    env = {"K": "the-client-key", "IMAGEGATE_AUTH": "emulator"}
    done = CliRunner().invoke(cli, ["smoke", "run", "--outputs", str(path), *args], env=env)
    assert (done.exit_code, done.output.strip().splitlines()[-1]) == (2, message)
    assert "the-client-key" not in done.output and "sk-1234abcd" not in done.output
