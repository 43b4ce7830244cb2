"""`imagegate emulator env|fault|reset|release` against a real emulator process, as a user drives them:
the commands as real processes (env, eval in bash) or through the `imagegate` entry point, the official
openai and azure-mgmt SDKs as the judges of what they set up."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.control import local_arm_token
from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SUB = "00000000-0000-0000-0000-000000000000"
ARM = "api-version=2025-06-01"
CONFIG = {
    "rpmPerCapacityUnit": 60,
    "accounts": [
        {
            "subdomain": "local",
            "keys": ["local-key-1", "local-key-2"],
            "deployments": [{"name": "gpt-image", "model": "gpt-image-1.5", "capacity": 10}],
        }
    ],
    "arm": {"resourceGroups": ["rg"], "lroDelaySeconds": 0},
}


@pytest.fixture(scope="module")
def emu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG, state_dir=tmp_path_factory.mktemp("emu")) as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(emu: RunningEmulator) -> Iterator[None]:
    yield
    emu.reset()


def _arm(emu: RunningEmulator, method: str, path: str, body: object = None) -> httpx.Response:
    with httpx.Client(verify=emu.verify, timeout=10) as client:
        return client.request(
            method,
            f"{emu.base_url}{path.lstrip('/')}{'&' if '?' in path else '?'}{ARM}",
            json=body,
            headers={"authorization": f"Bearer {local_arm_token()}"},
        )


def _account(emu: RunningEmulator, name: str, *, keyless: bool = False) -> None:
    body = {
        "location": "eastus2",
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "properties": {"customSubDomainName": name, "disableLocalAuth": keyless},
    }
    assert _arm(
        emu,
        "PUT",
        f"subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/{name}",
        body,
    ).status_code in (200, 201)
    deployment = {
        "sku": {"name": "GlobalStandard", "capacity": 1},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"}},
    }
    assert _arm(
        emu,
        "PUT",
        f"subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.CognitiveServices/"
        f"accounts/{name}/deployments/gpt-image",
        deployment,
    ).status_code in (200, 201)


def _env(emu: RunningEmulator, *extra: str) -> dict[str, str]:
    done = subprocess.run(
        [str(BIN / "imagegate"), "emulator", "env", "--state-dir", str(emu.state_dir), *extra],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    values = {}
    for line in done.stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name] = shlex.split(value)[0]
    return values


def test_the_emulator_says_where_it_is_in_its_state_dir(emu: RunningEmulator) -> None:
    info = json.loads((emu.state_dir / "emulator.json").read_text())
    assert info["url"] == emu.base_url and Path(info["ca"]).read_bytes() == Path(emu.ca_file).read_bytes()
    trust = Path(info["trust"]).read_bytes()
    assert trust.endswith(Path(emu.ca_file).read_bytes()) and trust.count(b"BEGIN CERTIFICATE") > 50
    assert "key" not in json.dumps(info).lower() or "local-key" not in json.dumps(info)
    assert info["rpmPerCapacityUnit"] == 60


def test_after_one_eval_the_openai_sdk_and_smoke_reach_the_account(
    emu: RunningEmulator, tmp_path: Path
) -> None:
    _account(emu, "acct-env")
    _account(emu, "acct-keyless", keyless=True)
    values = _env(emu)
    assert values["IMAGEGATE_ARM_ENDPOINT"] == emu.base_url and values["IMAGEGATE_AUTH"] == "emulator"
    assert values["IMAGEGATE_ROLLOUT_DRIVER"] == "local" and values["IMAGEGATE_RPM_PER_CAPACITY_UNIT"] == "60"
    assert values["AZURE_OPENAI_ENDPOINT"] == emu.endpoint("acct-env")
    keys = _arm(
        emu,
        "POST",
        f"subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.CognitiveServices/"
        "accounts/acct-env/listKeys",
    ).json()
    assert values["AZURE_OPENAI_API_KEY"] == keys["key1"] == values["IMAGEGATE_API_KEY_ACCT_ENV"]
    assert "IMAGEGATE_API_KEY_ACCT_KEYLESS" not in values and "IMAGEGATE_ENDPOINT_ACCT_KEYLESS" in values
    assert values["IMAGEGATE_ENDPOINT_LOCAL"] == emu.endpoint("local")
    # The official SDK, configured by nothing but the evaluated environment.
    script = (
        'eval "$(imagegate emulator env --state-dir "$DIR")"\n'
        "python - <<'EOF'\n"
        "from openai import AzureOpenAI\n"
        "r = AzureOpenAI().images.generate(model='gpt-image', prompt='a lighthouse', quality='low')\n"
        "print(len(r.data))\n"
        "EOF\n"
        'imagegate smoke run --endpoint "$AZURE_OPENAI_ENDPOINT" --deployment gpt-image --check generate\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMOKE_", "AZURE_OPENAI", "IMAGEGATE_"))}
    env |= {"DIR": str(emu.state_dir), "PATH": f"{BIN}{os.pathsep}{env['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{script}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == "1" and "PASSED" in done.stdout
    assert keys["key1"] not in done.stdout + done.stderr


def test_env_unset_and_account_choice(emu: RunningEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    _account(emu, "acct-a")
    assert _env(emu, "--account", "local")["AZURE_OPENAI_ENDPOINT"] == emu.endpoint("local")
    assert main(["emulator", "env", "--unset"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("unset IMAGEGATE_ARM_ENDPOINT ") and "AZURE_OPENAI_API_KEY" in out
    assert main(["emulator", "env", "--state-dir", str(emu.state_dir), "--account", "nope"]) == 2
    assert capsys.readouterr().err == ("Error: The emulator has no account 'nope'; it has: acct-a, local.\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["fault", "set", "nodeployment", "--throttle", "1"],
            "Error: Invalid value for TARGET: 'nodeployment' is not ACCOUNT/DEPLOYMENT, "
            "e.g. imagegate-dev/gpt-image.",
        ),
        (
            ["fault", "set", "local/gpt-image"],
            "Error: Say which fault, e.g. --throttle 3, --latency-ms 2000 or "
            "--error-rate 0.3; `fault clear` removes faults.",
        ),
        (
            ["fault", "set", "local/gpt-image", "--spec", "{bad"],
            "Error: Invalid value for --spec: is not JSON; e.g. --spec '{\"errorRate\": 0.5}'.",
        ),
        (
            ["fault", "set", "local/gpt-image", "--spec", '{"nope": 1}'],
            "Error: The emulator refused the request (400): Unknown fault key(s) nope; known keys: blocked, "
            "contentFilterOutput, errorRate, errorStatus, hang, hangRate, hangSeconds, latencyJitterMs, "
            "latencyMs, notFoundForSeconds, throttle, throttleRate.",
        ),
        (
            ["fault", "set", "ghost/gpt-image", "--blocked"],
            "Error: The emulator refused the request (404): "
            "No account with subdomain 'ghost'; create it first.",
        ),
        (
            ["release", "dall-e-3@2026-01-01"],
            "Error: The emulator refused the request (400): Model 'dall-e-3' is not in the emulator's "
            "catalog, which holds the facts ARM does not give (sizes, SKUs, regions); release a version "
            "of one of: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
        ),
        (
            ["release", "gpt-image-1.5@latest"],
            "Error: The emulator refused the request (400): Version 'latest' is not a date such as "
            "2026-03-10, as Azure's versions are.",
        ),
        (
            ["release", "gpt-image-1.5"],
            "Error: Invalid value for MODEL@VERSION: 'gpt-image-1.5' is not MODEL@VERSION, e.g. "
            "gpt-image-1.5@2026-03-10.",
        ),
        (["release"], "Error: Give MODEL@VERSION (e.g. gpt-image-1.5@2026-03-10), or --list."),
    ],
)
def test_bad_input_is_one_sentence_exit_2(
    emu: RunningEmulator, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["emulator", *args, "--state-dir", str(emu.state_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == message
    assert emu.admin("GET", "faults").json()["faults"] == []


def test_no_emulator_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "reset", "--state-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"Error: No running emulator found in {tmp_path} (no emulator.json); start one with "
        f"`imagegate emulator serve --state-dir {tmp_path}`, or pass --url and --ca-bundle.\n"
    )
    assert main(["emulator", "fault", "list", "--url", "https://127.0.0.1:9/"]) == 2
    assert "Cannot reach the emulator at https://127.0.0.1:9/; is it running" in capsys.readouterr().err


def test_fault_set_list_clear_drive_the_data_plane(
    emu: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--url", emu.base_url, "--ca-bundle", str(emu.ca_file)]
    assert (
        main(
            [
                "emulator",
                "fault",
                "set",
                "local/gpt-image",
                "--throttle",
                "1",
                "--retry-after-ms",
                "250",
                *where,
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == (
        'fault set on local/gpt-image: {"throttle": {"count": 1, "retryAfterMs": 250}}\n'
    )
    import openai

    client = openai.AzureOpenAI(
        azure_endpoint=emu.endpoint("local"),
        api_key="local-key-1",
        api_version="2025-04-01-preview",
        max_retries=0,
        http_client=httpx.Client(verify=emu.verify),
    )
    with pytest.raises(openai.RateLimitError):
        client.images.generate(model="gpt-image", prompt="x", quality="low")
    assert main(["emulator", "fault", "list", *where]) == 0
    assert capsys.readouterr().out == 'local/gpt-image: {"throttle": {"count": 1, "retryAfterMs": 250}}\n'
    assert main(["emulator", "fault", "conflicts", "acct-x", "2", *where]) == 0
    assert emu.admin("GET", "arm/faults").json() == {"requestConflicts": {"acct-x": 2}}
    assert main(["emulator", "fault", "clear", *where]) == 0
    assert emu.admin("GET", "faults").json()["faults"] == []
    assert emu.admin("GET", "arm/faults").json() == {"requestConflicts": {}}


def test_fault_set_on_a_deployment_the_emulator_does_not_know_warns_naming_those_it_knows(
    emu: RunningEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--url", emu.base_url, "--ca-bundle", str(emu.ca_file)]
    assert main(["emulator", "fault", "set", "local/gpt-imag", "--throttle", "1", *where]) == 0
    captured = capsys.readouterr()
    assert captured.out == 'fault set on local/gpt-imag: {"throttle": {"count": 1, "retryAfterMs": 1000}}\n'
    assert captured.err == (
        "warning: local has no deployment 'gpt-imag', so the fault waits until one is created under that "
        "name; its deployments: local/gpt-image.\n"
    )
    # Armed all the same: a candidate's fault can be set before the rollout creates it.
    assert [f["deployment"] for f in emu.admin("GET", "faults").json()["faults"]] == ["gpt-imag"]
    assert main(["emulator", "fault", "set", "local/gpt-image", "--throttle", "1", *where]) == 0
    assert capsys.readouterr().err == ""


def test_release_is_offered_by_arm_deployable_and_withdrawn_by_reset(emu: RunningEmulator) -> None:
    from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

    from smoke import LocalTokenCredential

    assert (
        main(
            [
                "emulator",
                "release",
                "gpt-image-1.5@2026-03-10",
                "--retires",
                "2027-09-10",
                "--state-dir",
                str(emu.state_dir),
            ]
        )
        == 0
    )
    mgmt = CognitiveServicesManagementClient(
        LocalTokenCredential(), SUB, base_url=emu.base_url.rstrip("/"), connection_verify=str(emu.ca_file)
    )
    offered = {(m.model.name, m.model.version): m for m in mgmt.models.list("eastus2")}
    assert ("gpt-image-1.5", "2026-03-10") in offered and ("gpt-image-1.5", "2025-12-16") in offered
    assert str(offered[("gpt-image-1.5", "2026-03-10")].model.deprecation.inference).startswith("2027-09-10")
    _account(emu, "acct-rel")
    deployment = {
        "sku": {"name": "GlobalStandard", "capacity": 1},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2026-03-10"}},
    }
    path = (
        f"subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.CognitiveServices/"
        "accounts/acct-rel/deployments/new"
    )
    assert _arm(emu, "PUT", path, deployment).status_code in (200, 201)
    assert main(["emulator", "reset", "--state-dir", str(emu.state_dir)]) == 0
    assert ("gpt-image-1.5", "2026-03-10") not in {
        (m.model.name, m.model.version) for m in mgmt.models.list("eastus2")
    }


def test_a_release_survives_a_restart_with_the_state_dir(tmp_path: Path) -> None:
    with running_emulator(CONFIG, state_dir=tmp_path) as first:
        assert main(["emulator", "release", "gpt-image-2@2026-09-01", "--state-dir", str(tmp_path)]) == 0
        first.admin("GET", "health")
    assert not (tmp_path / "emulator.json").exists()  # removed at the clean stop
    with running_emulator(CONFIG, state_dir=tmp_path) as second:
        releases = second.admin("GET", "arm/releases").json()["releases"]
    assert releases == [
        {"model": "gpt-image-2", "version": "2026-09-01", "retirementDate": None, "default": False}
    ]
