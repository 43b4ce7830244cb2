"""End to end through a gateway: `imagegate local up` of the three-region pool stack against the real
emulator, then `imagegate smoke run --outputs ...` as a user types it: every alias through the gateway
with the client subscription key (from ARM's `listSecrets`, into the smoke process's environment only),
every member directly, the served region in every report, and the failover check with one member
throttled by the emulator's fault (set by the test: smoke never talks to the emulator's admin routes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from azure.mgmt.apimanagement import ApiManagementClient

from emulator.testing import RunningEmulator, running_emulator
from smoke.reports.schema import REPORT_SCHEMA
from tests.emulator.arm.conftest import UnsignedCredential

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
POOL_STACK = ROOT / "examples" / "stacks" / "Pulumi.pool.yaml"
SUB = "00000000-0000-0000-0000-000000000000"
KEY_ENV = "IMAGEGATE_TEST_GATEWAY_KEY"
ALIAS = "pool-gateway/gpt-image"
MEMBERS = ("pool/gpt-image", "imagegate-pool-wus3/gpt-image", "imagegate-pool-swc/gpt-image")


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}, "rpmPerCapacityUnit": 100}) as running:
        yield running


@pytest.fixture(scope="module")
def outputs(emu: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pool") / "outputs.json"
    done = imagegate(
        "local", "up", "--config", str(POOL_STACK), "--outputs", str(path),
        "--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def key(emu: RunningEmulator, outputs: Path) -> str:
    with ApiManagementClient(
        UnsignedCredential(), SUB, base_url=emu.base_url, connection_verify=emu.ca_file
    ) as apim:
        secrets = apim.subscription.list_secrets(
            "rg-imagegate-pool", "imagegate-pool-gw", "imagegate-clients"
        )
        return str(secrets.primary_key)


def imagegate(*args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEGATE_")}
    if key is not None:
        env[KEY_ENV] = key
    return subprocess.run(
        [sys.executable, "-m", "imagegate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def smoke(
    emu: RunningEmulator, outputs: Path, key: str | None, *more: str
) -> subprocess.CompletedProcess[str]:
    return imagegate(
        "smoke", "run", "--outputs", str(outputs), "--auth", "emulator", "--ca-bundle", str(emu.ca_file),
        "--rpm-per-capacity-unit", "100", *more, key=key,
    )  # fmt: skip


def summary(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [" ".join(line.split()) for line in done.stdout.splitlines()]


def test_the_alias_and_every_member_pass_and_every_report_says_which_region_served(
    emu: RunningEmulator, outputs: Path, key: str, tmp_path: Path
) -> None:
    json_path, junit_path, html_path = tmp_path / "smoke.json", tmp_path / "smoke.xml", tmp_path / "r.html"
    done = smoke(
        emu, outputs, key, "--gateway-key-env", KEY_ENV,
        "--json", str(json_path), "--junit", str(junit_path), "--html", str(html_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = summary(done)
    doc = json.loads(json_path.read_text())
    jsonschema.validate(doc, REPORT_SCHEMA)
    by = {(c["target"]["source"] + "/" + c["target"]["deployment"], c["check"]): c for c in doc["checks"]}
    assert sorted({label for label, _ in by}) == sorted([ALIAS, *MEMBERS])
    for check in ("generate", "edit"):
        region = by[(ALIAS, check)]["servedRegion"]
        assert region in ("eastus2", "westus3")  # the priority-1 members
        assert by[(ALIAS, check)]["status"] == "passed"
        assert f"{ALIAS} {check} passed" in " ".join(lines)
        assert any(line.startswith(f"{ALIAS} {check} passed") and line.endswith(f"served by {region}")
                   for line in lines)  # fmt: skip
        for member in MEMBERS:
            assert by[(member, check)]["status"] == "passed"
            assert "servedRegion" not in by[(member, check)]
    alias = by[(ALIAS, "generate")]["target"]
    assert alias["via"] == "gateway" and alias["endpoint"] == f"{emu.base_url}gateways/imagegate-pool-gw/"
    assert [m["region"] for m in alias["members"]] == ["eastus2", "westus3", "swedencentral"]
    assert [by[(m, "generate")]["target"]["region"] for m in MEMBERS] == [
        "eastus2",
        "westus3",
        "swedencentral",
    ]
    assert by[(ALIAS, "keyless")]["skipReason"] == (
        "a gateway alias takes the client's key by design; the keyless promise is each member's"
    )
    assert lines[-1] == f"PASSED: {len(doc['checks'])} checks, {doc['counts']['passed']} passed, 0 failed, " \
        f"{doc['counts']['skipped']} skipped"  # fmt: skip
    cases = {(c.get("classname"), c.get("name")): c for c in ET.parse(junit_path).getroot().iter("testcase")}
    generate = cases[("smoke.pool-gateway.gpt-image", "generate")]
    [prop] = generate.iter("property")
    assert (prop.get("name"), prop.get("value")) == ("servedRegion", by[(ALIAS, "generate")]["servedRegion"])
    assert f"served by {prop.get('value')}" in (generate.findtext("system-out") or "")
    assert not list(cases[("smoke.imagegate-pool-wus3.gpt-image", "generate")].iter("property"))
    html = html_path.read_text()
    assert f'<div class="meta region">served by {by[(ALIAS, "edit")]["servedRegion"]}</div>' in html
    for text in (done.stdout, done.stderr, json_path.read_text(), junit_path.read_text(), html):
        assert key not in text
    assert key not in outputs.read_text()


def test_without_the_key_variable_the_run_says_how_to_give_it_before_any_request(
    emu: RunningEmulator, outputs: Path, key: str
) -> None:
    done = smoke(emu, outputs, None)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: The stack outputs have a gateway (alias gpt-image); pass --gateway-key-env NAME, the "
        "variable holding the client subscription key, or --gateway-auth entra, or --gateway-auth none."
    )
    unset = smoke(emu, outputs, None, "--gateway-key-env", KEY_ENV)
    assert unset.returncode == 2
    assert unset.stderr.strip().splitlines()[-1] == (
        f"Error: The gateway key variable ${KEY_ENV} is not set or empty; export it or use Entra ID auth."
    )
    region = smoke(emu, outputs, key, "--gateway-key-env", KEY_ENV, "--failover", "northeurope")
    assert region.returncode == 2
    assert region.stderr.strip().splitlines()[-1] == (
        "Error: --failover northeurope: no alias has a member in that region; the members' regions are "
        "eastus2, swedencentral, westus3."
    )


def test_a_wrong_key_fails_the_alias_checks_as_auth_and_the_members_still_pass(
    emu: RunningEmulator, outputs: Path, key: str, tmp_path: Path
) -> None:
    json_path = tmp_path / "smoke.json"
    done = smoke(
        emu, outputs, "not-the-key", "--gateway-key-env", KEY_ENV, "--check", "generate",
        "--json", str(json_path),
    )  # fmt: skip
    assert done.returncode == 1
    checks = {c["target"]["source"]: c for c in json.loads(json_path.read_text())["checks"]}
    assert checks["pool-gateway"]["status"] == "failed"
    assert checks["pool-gateway"]["failure"]["classification"] == "auth"
    assert checks["pool-gateway"]["failure"]["status"] == 401
    assert [checks[s]["status"] for s in ("pool", "imagegate-pool-wus3", "imagegate-pool-swc")] == [
        "passed"
    ] * 3


def fault(emu: RunningEmulator, *args: str) -> None:
    done = imagegate("emulator", "fault", *args, "--url", emu.base_url, "--ca-bundle", str(emu.ca_file))
    assert done.returncode == 0, done.stderr


def test_the_failover_check_passes_with_one_member_throttled_and_no_call_served_by_it(
    emu: RunningEmulator, outputs: Path, key: str, tmp_path: Path
) -> None:
    json_path = tmp_path / "smoke.json"
    fault(emu, "set", "imagegate-pool-eus2/gpt-image", "--throttle", "1000", "--retry-after-ms", "30000")
    try:
        done = smoke(
            emu, outputs, key, "--gateway-key-env", KEY_ENV, "--failover", "eastus2",
            "--failover-calls", "6", "--json", str(json_path),
        )  # fmt: skip
    finally:
        emu.clear_faults()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == (
        "smoke run: 4 deployment(s) (1 through the gateway) x 3 check(s) (generate, edit, keyless); each "
        "check may take up to 720 s, retries included (one that sees only failures stops after 60 s); then "
        "the failover check on pool-gateway/gpt-image with the eastus2 member throttled (6 calls each)"
    )
    doc = json.loads(json_path.read_text())
    [check] = [c for c in doc["checks"] if c["check"] == "failover"]
    assert check["status"] == "passed" and check["target"]["source"] == "pool-gateway"
    assert check["details"]["throttledStatus"] == 429 and check["details"]["failedCalls"] == 0
    served = check["details"]["servedRegions"]
    assert sum(served.values()) == 6 and "eastus2" not in served
    # The probe (a direct 429 from the throttled member), then six single attempts through the alias.
    assert [a["status"] for a in check["attempts"]] == [429] + [200] * 6
    regions = [a["ids"]["x-ms-region"] for a in check["attempts"]]
    assert regions[0] == "eastus2" and "eastus2" not in regions[1:]
    assert check["servedRegion"] == regions[-1]
    counts = ", ".join(f"{r} x{n}" for r, n in served.items())
    assert f"{ALIAS} failover passed" in " ".join(summary(done))
    assert any(
        line.endswith(f"eastus2 throttled (429); 6 of 6 calls served, by {counts}") for line in summary(done)
    )
    skipped = [c for c in doc["checks"] if c["target"]["source"] == "pool"]
    assert {c["status"] for c in skipped} == {"skipped"}
    assert skipped[0]["skipReason"] == "--failover eastus2: this member is throttled for the failover check"


def test_the_failover_check_fails_when_the_member_is_not_throttled(
    emu: RunningEmulator, outputs: Path, key: str, tmp_path: Path
) -> None:
    json_path = tmp_path / "smoke.json"
    done = smoke(
        emu, outputs, key, "--gateway-key-env", KEY_ENV, "--failover", "westus3", "--check", "generate",
        "--json", str(json_path),
    )  # fmt: skip
    assert done.returncode == 1
    [check] = [c for c in json.loads(json_path.read_text())["checks"] if c["check"] == "failover"]
    assert check["failure"]["classification"] == "failover_failed"
    assert check["failure"]["message"] == (
        f"The westus3 member (gpt-image at {emu.endpoint('imagegate-pool-wus3')}) answered 200 to a direct "
        "call, not 429: it is not throttled, so the failover check would prove nothing."
    )


def test_the_failover_check_fails_when_the_alias_stops_serving(
    emu: RunningEmulator, outputs: Path, key: str, tmp_path: Path
) -> None:
    json_path = tmp_path / "smoke.json"
    for account in ("imagegate-pool-eus2", "imagegate-pool-wus3", "imagegate-pool-swc"):
        fault(emu, "set", f"{account}/gpt-image", "--throttle", "1000", "--retry-after-ms", "30000")
    try:
        done = smoke(
            emu, outputs, key, "--gateway-key-env", KEY_ENV, "--failover", "eastus2", "--check", "keyless",
            "--failover-calls", "2", "--json", str(json_path),
        )  # fmt: skip
    finally:
        emu.clear_faults()
    assert done.returncode == 1
    [check] = [c for c in json.loads(json_path.read_text())["checks"] if c["check"] == "failover"]
    assert check["failure"]["classification"] == "failover_failed"
    message = check["failure"]["message"]
    assert message.startswith(
        "2 of 2 calls through alias gpt-image went wrong while eastus2 was throttled: "
        "call 1 (generate) failed: throttled: "
    )
    assert "; call 2 (edit) failed: throttled: " in message
    assert check["details"]["failedCalls"] == 2 and [a["status"] for a in check["attempts"]] == [429] * 3


def test_gateway_auth_none_checks_only_the_accounts(
    emu: RunningEmulator, outputs: Path, tmp_path: Path
) -> None:
    json_path = tmp_path / "smoke.json"
    done = smoke(
        emu, outputs, None, "--gateway-auth", "none", "--check", "generate", "--json", str(json_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sources = [c["target"]["source"] for c in json.loads(json_path.read_text())["checks"]]
    assert sources == ["pool", "imagegate-pool-wus3", "imagegate-pool-swc"]


def test_an_entra_only_gateway_takes_the_local_token_through_gateway_auth_entra(tmp_path: Path) -> None:
    """`clients.entra` for the local engine's tenant and no subscription key: --gateway-auth entra sends
    the --auth credential's token (the emulator's unsigned one) and the gateway validates it."""
    stack = tmp_path / "Pulumi.pool.yaml"
    stack.write_text(
        POOL_STACK.read_text().replace(
            "subscriptionKey: true",
            "subscriptionKey: false\n      entra:\n        tenantId: 00000000-0000-0000-0000-0000000000aa",
        )
    )
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}, "rpmPerCapacityUnit": 100}) as emu:
        outputs = tmp_path / "outputs.json"
        up = imagegate(
            "local", "up", "--config", str(stack), "--outputs", str(outputs),
            "--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file),
        )  # fmt: skip
        assert up.returncode == 0, up.stderr
        json_path = tmp_path / "smoke.json"
        done = smoke(
            emu, outputs, None, "--gateway-auth", "entra", "--check", "generate", "--json", str(json_path)
        )
        assert done.returncode == 0, done.stdout + done.stderr
        [alias] = [c for c in json.loads(json_path.read_text())["checks"] if c["target"].get("via")]
        assert alias["status"] == "passed" and alias["servedRegion"] in ("eastus2", "westus3")
        keyed = smoke(emu, outputs, "any", "--gateway-key-env", KEY_ENV, "--check", "generate")
        assert keyed.returncode == 1  # the gateway takes no key: the alias check fails as auth
        assert f"{ALIAS} generate FAILED" in " ".join(summary(keyed))
