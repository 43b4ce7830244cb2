"""A weighted canary through the gateway, end to end: `imagegate rollout run` on the three-region pool stack
with the local driver and the emulator (its API Management gateway and Azure Monitor metrics), while a
client load calls the alias with the openai SDK (its default retries) in a background thread."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from azure.mgmt.apimanagement import ApiManagementClient
from openai import AzureOpenAI, OpenAIError

from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main as imagegate_main
from rollout.local_driver import LocalDriver
from tests.emulator.arm.conftest import UnsignedCredential
from tests.rollout.conftest import NEW_VERSION, override_catalog_data, up_in_this_process

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
SUBDOMAINS = ("imagegate-pool-eus2", "imagegate-pool-wus3", "imagegate-pool-swc")
OLD_VERSION = "2025-12-16"


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, Path]]:
    # One emulator per test: its metrics are minute cells, and a window must not count another test's.
    catalog = tmp_path_factory.mktemp("catalog") / "catalog.json"
    catalog.write_text(json.dumps({**override_catalog_data(), "rpmPerCapacityUnit": 600}))
    settings = {"accounts": [], "faultSeed": 7, "arm": {"lroDelaySeconds": 0.02}}
    with running_emulator(settings, catalog=catalog) as emu:
        yield emu, catalog


@pytest.fixture
def stack(
    emulator: tuple[RunningEmulator, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    emu, catalog = emulator
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    monkeypatch.setenv("IMAGEGATE_CONFLICT_WAIT", "0.01")
    emu.clear_faults()
    shutil.copy(REPO / "Pulumi.yaml", tmp_path)
    config = tmp_path / "Pulumi.pool.yaml"
    shutil.copy(REPO / "examples" / "stacks" / "Pulumi.pool.yaml", config)
    driver = LocalDriver("pool", config, emu.base_url, ca_bundle=emu.ca_file, on_output=lambda line: None)
    up_in_this_process(driver)
    return {"emu": emu, "config": config, "driver": driver, "original": config.read_text(), "dir": tmp_path}


class Load:
    """Clients calling the alias as an application does, counting the requests that finally failed."""

    def __init__(self, emu: RunningEmulator, outputs: dict[str, Any], threads: int = 3) -> None:
        with ApiManagementClient(
            UnsignedCredential(), SUB, base_url=emu.base_url, connection_verify=emu.ca_file
        ) as apim:
            key = str(
                apim.subscription.list_secrets(
                    outputs["resourceGroupName"], "imagegate-pool-gw", "imagegate-clients"
                ).primary_key
            )
        self.endpoint, self.key, self.emu = outputs["gateway"]["endpoint"], key, emu
        self.stop = threading.Event()
        self.ok = 0
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        client = AzureOpenAI(
            azure_endpoint=self.endpoint,
            api_key=self.key,
            api_version="2025-04-01-preview",
            http_client=httpx.Client(verify=self.emu.verify, timeout=60),
        )
        while not self.stop.is_set():
            try:
                client.images.generate(model="gpt-image", prompt="a red dot", quality="low", size="1024x1024")
                with self.lock:
                    self.ok += 1
            except OpenAIError as exc:
                with self.lock:
                    self.failures.append(f"{type(exc).__name__}: {exc}"[:200])

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=90)


def rollout(stack: dict[str, Any], *args: str) -> int:
    emu = stack["emu"]
    return imagegate_main(
        [
            "rollout",
            "run",
            "--config",
            str(stack["config"]),
            "--driver",
            "local",
            "--arm-endpoint",
            emu.base_url,
            "--ca-bundle",
            str(emu.ca_file),
            "--to",
            f"gpt-image-1.5@{NEW_VERSION}",
            "--skip-preflight",
            "--json",
            str(stack["dir"] / "rollout.json"),
            "--html",
            str(stack["dir"] / "rollout.html"),
            *args,
        ]
    )


def test_plan_shows_the_schedule_and_the_quota_each_region_needs(
    stack: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code = imagegate_main(
        ["rollout", "plan", "--config", str(stack["config"]), "--to", f"gpt-image-1.5@{NEW_VERSION}"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "(weighted-canary)" in out
    assert "traffic: alias gpt-image, weights 10,50,100 of 3600 requests a minute" in out
    # The quota plan splits the load over every member by weight (priority ignored: an upper bound).
    assert "10%   144 rpm, 1 units        108 rpm, 1 units        108 rpm, 1 units" in out
    assert "100%  1224 rpm, 3 units       1188 rpm, 2 units       1188 rpm, 2 units" in out
    assert "shift-10: alias gpt-image: the candidates take 10% of the traffic" in out
    assert stack["config"].read_text() == stack["original"]


def test_weighted_canary_upgrades_every_region_with_no_failed_client_request(stack: dict[str, Any]) -> None:
    outputs = stack["driver"].outputs()
    with Load(stack["emu"], outputs) as load:
        code = rollout(stack, "--weights", "10,50,100", "--bake-requests", "5")
    assert load.failures == []
    assert load.ok > 0
    assert code == 0
    report = json.loads((stack["dir"] / "rollout.json").read_text())
    assert [d["step"] for d in report["trafficDecisions"]] == ["bake-10", "bake-50"]
    assert all(d["verdict"] == "pass" for d in report["trafficDecisions"])
    values = yaml.safe_load(stack["config"].read_text())["config"]
    original = yaml.safe_load(stack["original"])["config"]
    assert [r["deployments"][0]["version"] for r in values["imagegate:regions"]] == [NEW_VERSION] * 3
    assert all("candidate" not in r for r in values["imagegate:regions"])
    # The pool is back as it was: the same members with their own weights, now serving the new version.
    assert values["imagegate:gateway"] == original["imagegate:gateway"]
    after = stack["driver"].outputs()["gateway"]["aliases"]["gpt-image"]
    assert (after["version"], [m["deployment"] for m in after["members"]]) == (NEW_VERSION, ["gpt-image"] * 3)


def test_a_candidate_failing_a_fifth_of_requests_is_rolled_back_at_its_first_weight(
    stack: dict[str, Any],
) -> None:
    emu = stack["emu"]
    journal = stack["dir"] / ".imagegate" / "pool" / "rollout-journal.json"
    smoked = threading.Event()

    def fault_after_smoke() -> None:
        # Today's smoke retries a 5xx; the fault starts once every candidate passed it, so the traffic
        # gate is what catches it.
        for _ in range(3000):
            try:
                events = json.loads(journal.read_text())["events"]
            except (OSError, ValueError, KeyError):
                events = []
            done = {e["step"] for e in events if e["status"] == "succeeded"}
            if {f"smoke-candidate-{r}" for r in ("eastus2", "westus3", "swedencentral")} <= done:
                for subdomain in SUBDOMAINS:
                    emu.set_fault(subdomain, "gpt-image-candidate", errorRate=0.2)
                smoked.set()
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=fault_after_smoke, daemon=True)
    outputs = stack["driver"].outputs()
    with Load(emu, outputs) as load:
        watcher.start()
        code = rollout(stack, "--weights", "30,100", "--bake-requests", "10")
    watcher.join(timeout=5)
    assert smoked.is_set()
    assert code == 1
    assert load.failures == []
    report = json.loads((stack["dir"] / "rollout.json").read_text())
    assert report["failedStep"] == "bake-30"
    decision = report["trafficDecisions"][0]
    assert decision["verdict"] == "fail"
    assert decision["summary"].startswith("traffic gate failed at 30%: candidate 5xx rate ")
    assert "exceeds stable 0.0%" in decision["summary"]
    assert decision["candidate"]["serverErrors"] > 0
    html = (stack["dir"] / "rollout.html").read_text()
    assert "bake-30: candidates at 30%" in html
    assert stack["config"].read_text() == stack["original"]
    after = stack["driver"].outputs()["gateway"]["aliases"]["gpt-image"]
    assert (after["version"], [m["deployment"] for m in after["members"]]) == (OLD_VERSION, ["gpt-image"] * 3)
