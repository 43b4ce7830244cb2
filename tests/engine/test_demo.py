"""`scripts/demo` end to end as a user runs it, and its driver's handling of the account key."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from engine import demo
from engine.arm_client import ArmClient
from imagegate.cli import main as imagegate_main

ROOT = Path(__file__).resolve().parents[2]


def copy_dev_config(tmp_path: Path) -> Path:
    # A copy, so the demo writes its outputs under tmp_path/.imagegate, not into the working tree.
    config = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(ROOT / "Pulumi.dev.yaml", config)
    return config


@pytest.mark.slow
def test_scripts_demo_applies_dev_runs_smoke_and_points_at_the_html_report(tmp_path: Path) -> None:
    config, reports = copy_dev_config(tmp_path), tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMAGEGATE_", "AZURE_"))}
    result = subprocess.run(
        [str(ROOT / "scripts" / "demo"), "--config", str(config), "--reports", str(reports)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "  + created   cognitiveservices:Deployment       gpt-image" in lines
    assert "PASSED: 3 checks, 2 passed, 0 failed, 1 skipped" in lines
    assert f"demo: HTML report: {reports / 'smoke.html'}" in lines
    assert lines[-1].endswith("smoke exit code 0")
    assert (reports / "smoke.html").read_text().lstrip().lower().startswith("<!doctype html")
    suite = ET.parse(reports / "smoke.xml").getroot()
    assert suite.iter("testcase")
    outputs = json.loads((tmp_path / ".imagegate" / "demo" / "dev" / "outputs.json").read_text())
    assert outputs["deployments"]["gpt-image"]["capacity"] == 2
    assert not (tmp_path / ".imagegate" / "dev").exists()  # the hand-driven flow's folder
    # The emulator is stopped: its URL no longer answers and its scratch folder (CA included) is gone.
    started = next(line for line in lines if line.startswith("demo: emulator at "))
    url, ca = started.removeprefix("demo: emulator at ").removesuffix(")").split(" (CA ")
    assert not Path(ca).exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "_emulator/health", verify=False, timeout=2)


def test_the_key_reaches_smoke_only_through_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, object] = {}

    def fake_smoke(command: list[str], env: dict[str, str]) -> int:
        seen["command"], seen["key"] = command, env.get(demo.KEY_ENV)
        return 1

    monkeypatch.setattr(demo, "_run_smoke_child", fake_smoke)
    code = demo.run_demo("dev", copy_dev_config(tmp_path), tmp_path / "reports")
    assert code == 1  # smoke's exit code is the demo's
    key = seen["key"]
    assert isinstance(key, str) and len(key) >= 16
    command = seen["command"]
    assert isinstance(command, list) and key not in " ".join(command)
    run = command[command.index("run"):]
    reports = (tmp_path / "reports").resolve()
    assert run == [
        "run",
        "--outputs", str(tmp_path / ".imagegate" / "demo" / "dev" / "outputs.json"),
        "--ca-bundle", run[4],
        "--auth", "key",
        "--api-key-env", demo.KEY_ENV,
        "--html", str(reports / "smoke.html"),
        "--junit", str(reports / "smoke.xml"),
        "--json", str(reports / "smoke.json"),
    ]
    assert run[4].endswith("ca.pem")
    printed = capsys.readouterr()
    assert key not in printed.out + printed.err


def test_the_demo_keeps_to_its_own_folder_and_leaves_the_hand_driven_flows_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What `imagegate local up --stack dev` and a rollout left: outputs pointing at the user's emulator, and
    # a journal. The demo's emulator is gone when it ends; its outputs must not replace these.
    hand = tmp_path / ".imagegate" / "dev"
    hand.mkdir(parents=True)
    (hand / "outputs.json").write_text('{"endpoint": "https://127.0.0.1:8443/accounts/imagegate-dev-img/"}\n')
    (hand / "rollout-journal.json").write_text('{"status": "succeeded"}\n')
    before = {path.name: path.read_bytes() for path in hand.iterdir()}
    smoked: list[str] = []
    monkeypatch.setattr(demo, "_run_smoke_child", lambda command, env: smoked.append(command[-1]) or 0)

    assert demo.run_demo("dev", copy_dev_config(tmp_path), tmp_path / "reports") == 0

    assert {path.name: path.read_bytes() for path in hand.iterdir()} == before
    own = json.loads((tmp_path / ".imagegate" / "demo" / "dev" / "outputs.json").read_text())
    assert own["endpoint"] != json.loads(before["outputs.json"])["endpoint"]  # the demo's own emulator
    assert smoked  # smoke ran, on the demo's outputs


@pytest.mark.slow
def test_a_keyless_stack_runs_smoke_with_tokens_and_never_asks_for_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "Pulumi.prod.yaml"
    shutil.copy(ROOT / "Pulumi.prod.yaml", config)
    posts: list[str] = []
    real_post = ArmClient.post

    def recording_post(self, path: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        posts.append(path)
        return real_post(self, path, *args, **kwargs)

    monkeypatch.setattr(ArmClient, "post", recording_post)
    monkeypatch.setattr(demo, "_run_smoke_child", lambda *a, **k: pytest.fail("no subprocess"))

    code = demo.run_demo("prod", config, tmp_path / "reports")

    out = capsys.readouterr().out
    assert code == 0, out
    assert not [p for p in posts if p.lower().endswith("/listkeys")]  # listKeys fails on keyless accounts
    assert "PASSED: 3 checks, 3 passed, 0 failed, 0 skipped" in out.splitlines()
    assert "prod/gpt-image  keyless   passed" in out
    reports = tmp_path / "reports"
    assert json.loads((reports / "smoke.json").read_text())["passed"] is True
    assert ET.parse(reports / "smoke.xml").getroot().iter("testcase")
    assert f"demo: HTML report: {(reports / 'smoke.html').resolve()}" in out.splitlines()


def test_config_alone_names_the_stack_and_errors_name_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "Pulumi.qa.yaml"
    config.write_text((ROOT / "Pulumi.dev.yaml").read_text().replace("capacity: 2", "capacity: -3"))
    assert imagegate_main(["demo", "--config", str(config), "--reports", str(tmp_path / "r")]) == 2
    assert f"stack 'qa' has 1 problem; fix them in {config}:" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()  # stopped before anything was made


def test_an_unusable_reports_folder_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder")
    assert imagegate_main(["demo", "--config", str(copy_dev_config(tmp_path)), "--reports", str(taken)]) == 2
    assert capsys.readouterr().err == (
        f"Error: Cannot create the reports folder {taken} (File exists); choose another --reports.\n"
    )
