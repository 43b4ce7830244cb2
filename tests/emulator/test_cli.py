"""``python -m emulator``: the ready line, --print-config, --no-tls, config errors, clean stop on signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from emulator.cli import main
from emulator.testing import running_emulator
from tests.lifecycle.procs import Lines, cleanup, connected_to, start, wait_until


def test_print_config_describes_accounts_without_keys(tmp_path, capsys):
    config = tmp_path / "emu.yaml"
    config.write_text(
        "rpmPerCapacityUnit: 3\nmaxImageBytes: 1000000\nrequestLogSize: 50\nfaultSeed: 7\n"
        "accounts:\n  - subdomain: acme\n    keys: [super-secret-key]\n    openAiUsers: [oid-1]\n"
        "    deployments:\n"
        "      - {name: gpt-image, model: gpt-image-1.5, version: '2025-12-16', capacity: 2}\n"
    )
    assert main(["--config", str(config), "--print-config"]) == 0
    out = capsys.readouterr().out
    assert "super-secret-key" not in out
    described = json.loads(out)
    assert described["accounts"][0]["subdomain"] == "acme"
    assert described["accounts"][0]["deployments"][0]["rpm"] == 6
    assert described["accounts"][0]["openAiUsers"] == ["oid-1"]
    assert (described["maxImageBytes"], described["maxMaskBytes"]) == (1000000, 4 * 1024 * 1024)
    assert (described["requestLogSize"], described["faultSeed"]) == (50, 7)


@pytest.mark.parametrize(
    "text, message",
    [
        ("accounts: 3", "error: The emulator config has problems: 'accounts' must be a list.\n"),
        (
            "accounts:\n  - subdomain: Bad_Name\n",
            "error: The emulator config has problems: "
            "accounts[0].subdomain must be lower-case letters, digits "
            "and '-', not 'Bad_Name'.\n",
        ),
        (
            "accounts:\n  - subdomain: a\n    deployments: [{name: d, model: m, capacity: 0}]\n",
            "error: The emulator config has problems: accounts[0].deployments[0].capacity must be a positive "
            "integer, not 0.\n",
        ),
        (
            "accounts:\n  - subdomain: a\n    deployments: [{name: d, model: m, faults: {errorRate: 2}}]\n",
            "error: The emulator config has problems: "
            "accounts[0].deployments[0].faults: Fault 'errorRate' must be "
            "a number from 0 to 1, not 2.\n",
        ),
        ("{nope", None),
    ],
)
def test_bad_config_exits_2_with_one_line(tmp_path, capsys, text, message):
    config = tmp_path / "emu.yaml"
    config.write_text(text)
    assert main(["--config", str(config), "--print-config"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    if message:
        assert err == message


def test_missing_config_file_exits_2(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "nope.yaml")]) == 2
    assert "Cannot read the config file" in capsys.readouterr().err


def test_plain_http_with_no_tls():
    with running_emulator(tls=False) as emu:
        assert emu.base_url.startswith("http://127.0.0.1:") and emu.ca_file is None
        assert httpx.get(emu.base_url + "_emulator/health").json()["status"] == "ok"


def test_https_ca_file_is_written_to_the_state_dir(tmp_path):
    with running_emulator(state_dir=tmp_path) as emu:
        assert Path(emu.ca_file) == tmp_path / "tls" / "ca.pem"
        assert httpx.get(emu.base_url + "_emulator/health", verify=emu.verify).status_code == 200


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ready_line_then_clean_exit_with_the_signal_code(tmp_path, sig):
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--no-tls", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("imagegate emulator ready url=http://127.0.0.1:") and line.endswith("/ ca=-\n")
        process.send_signal(sig)
        assert process.wait(timeout=10) == 128 + sig
        assert process.stdout.read() == ""
        assert process.stderr.read() == f"imagegate emulator stopped by {signal.Signals(sig).name}\n"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_help_teaches_usage_and_names_up_without_importing_the_engine():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "Example usage:" in done.stdout
    assert "imagegate local up --stack dev" in done.stdout
    assert "--state-dir DIR" in done.stdout
    imported = done.stderr  # -X importtime lists every module imported
    assert "engine" not in imported and "pulumi" not in imported


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "accounts:\n  - subdomian: a\n",
            "error: The emulator config has problems: accounts[0].subdomian is not a known key (known: "
            "subdomain, keys, disableLocalAuth, openAiUsers, blockTerms, region, deployments); "
            "accounts[0].subdomain is required.\n",
        ),
        (
            "accounts:\n  - subdomain: a\n    deployments: [{name: d, model: m, capacty: 3}]\n",
            "error: The emulator config has problems: accounts[0].deployments[0].capacty is not a known key "
            "(known: name, model, version, sku, capacity, faults).\n",
        ),
        (
            "acounts: []\n",
            "error: The emulator config has problems: acounts is not a known top-level key (known: accounts, "
            "rpmPerCapacityUnit, apiVersions, acceptWebp, maxImageBytes, maxMaskBytes, requestLogSize, "
            "faultSeed, arm, limits, images).\n",
        ),
        (
            "arm: {lroDelaySecs: 1}\n",
            "error: arm.lroDelaySecs is not a known key; use subscriptionId, tenantId, lroDelaySeconds, "
            "strictAuth, resourceGroups, quota, availability.\n",
        ),
        (
            "arm: {lroDelaySeconds: fast}\n",  # --print-config checks the ARM section the server would refuse
            "error: arm.lroDelaySeconds is 'fast'; use a number of seconds between 0 and 600.\n",
        ),
    ],
)
def test_misspelt_keys_and_bad_arm_settings_exit_2(tmp_path, capsys, text, message):
    config = tmp_path / "emu.yaml"
    config.write_text(text)
    assert main(["--config", str(config), "--print-config"]) == 2
    assert capsys.readouterr().err == message


def test_a_state_dir_that_is_a_file_exits_2(tmp_path, capsys):
    taken = tmp_path / "state"
    taken.write_text("not a folder")
    assert main(["--state-dir", str(taken)]) == 2
    expected = f"error: --state-dir {taken} is a file; give a folder (created if missing).\n"
    assert capsys.readouterr().err == expected


def test_a_signal_stops_the_emulator_promptly_with_a_request_hanging(tmp_path):
    config = tmp_path / "hang.json"
    config.write_text(json.dumps({"accounts": [{"subdomain": "local", "keys": ["k"], "deployments": [
        {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 100,
         "faults": {"hang": True, "hangSeconds": 300}}
    ]}]}))
    process = start([sys.executable, "-m", "emulator", "--no-tls", "--config", str(config)])
    try:
        ready = Lines(process.stdout).wait_for(lambda line: line.startswith("imagegate emulator ready"))
        url = ready.split()[3].removeprefix("url=")
        answered = threading.Event()

        def hang() -> None:
            try:
                httpx.post(
                    f"{url}accounts/local/openai/deployments/gpt-image/images/generations"
                    "?api-version=2025-04-01-preview",
                    json={"prompt": "wait"}, headers={"api-key": "k"}, timeout=60,
                )
            except httpx.HTTPError:
                pass
            answered.set()

        threading.Thread(target=hang, daemon=True).start()
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        wait_until(lambda: connected_to(os.getpid(), port), 10, "the hanging request's connection")
        process.send_signal(signal.SIGTERM)
        # The 300 s hang does not hold the stop: at most a second of grace for open connections.
        assert process.wait(timeout=10) == 143
        assert answered.wait(10)
        assert Lines(process.stderr).rest() == "imagegate emulator stopped by SIGTERM\n"
    finally:
        cleanup(process)


def test_realistic_images_flag_and_config_key_show_in_print_config(tmp_path, capsys):
    config = tmp_path / "emulator.yaml"
    config.write_text("images: {realistic: false}\n", encoding="utf-8")
    assert main(["--config", str(config), "--print-config"]) == 0
    assert json.loads(capsys.readouterr().out)["images"] == {"realistic": False}
    assert main(["--config", str(config), "--realistic-images", "--print-config"]) == 0
    assert json.loads(capsys.readouterr().out)["images"] == {"realistic": True}


def test_a_bad_images_section_is_one_clear_sentence_and_exit_2(tmp_path, capsys):
    config = tmp_path / "emulator.yaml"
    config.write_text("images: {realistic: sometimes}\n", encoding="utf-8")
    assert main(["--config", str(config), "--print-config"]) == 2
    assert "images.realistic must be true or false, not 'sometimes'" in capsys.readouterr().err
