"""Issue 12, finding 1 (the store) and 6 (state dir): a saved state that cannot be served is refused at start.

Each variant of a real ``state.json`` is broken one way and must be refused with the sentence that names
the file, leaving the file as it was. Every variant goes through what the command runs before it binds a
port (the settings, the state, the app that loads each saved part); a few, one per kind of damage, go
through the real command, which must exit 2 with that one line, no traceback, and never serve. Before the
fix 3 of 18 such variants started and then answered 500, and one exited with a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.app import create_app
from emulator.catalog import load_catalog
from emulator.cli import build_parser, settings_from_args
from emulator.errors import ConfigError
from emulator.state import EmulatorState
from emulator.testing import running_emulator

SUB = "11111111-2222-3333-4444-555555555555"
RG = "rg-state"
CONFIG: dict[str, Any] = {
    "accounts": [
        {
            "subdomain": "local",
            "keys": ["local-key-1"],
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 10}
            ],
        }
    ],
    "arm": {"subscriptionId": SUB, "resourceGroups": [RG], "lroDelaySeconds": 0},
}
ACCOUNT = f"subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/acct"
Q = "?api-version=2025-06-01"


def _jwt() -> str:
    import base64

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'aud': 'https://management.azure.com/', 'exp': 4102444800})}."


@pytest.fixture(scope="module")
def saved_state(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real state.json holding an ARM account, a deployment, a generic resource and a soft delete."""
    folder = tmp_path_factory.mktemp("saved")
    with running_emulator(CONFIG, tls=False, state_dir=folder) as emu:
        with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {_jwt()}"}) as arm:
            account = {
                "location": "eastus2",
                "kind": "AIServices",
                "sku": {"name": "S0"},
                "properties": {"customSubDomainName": "acct-sub"},
            }
            assert arm.put(ACCOUNT + Q, json=account).status_code in (200, 201)
            deployment = {
                "sku": {"name": "GlobalStandard", "capacity": 2},
                "properties": {
                    "model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"}
                },
            }
            assert arm.put(ACCOUNT + "/deployments/img" + Q, json=deployment).status_code in (200, 201)
            gone = ACCOUNT.replace("/acct", "/gone")
            assert arm.put(
                gone + Q, json={**account, "properties": {"customSubDomainName": "gone-sub"}}
            ).status_code in (200, 201)
            assert arm.delete(gone + Q).status_code in (200, 202, 204)
            generic = f"subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Insights/actionGroups/ops"
            assert arm.put(generic + "?api-version=2023-01-01", json={"location": "global"}).status_code in (
                200,
                201,
            )
    saved = json.loads((folder / "state.json").read_text())
    assert saved["parts"]["arm"]["accounts"] and saved["parts"]["arm"]["deletedAccounts"]
    return saved


def _arm(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["parts"]["arm"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a value at a dotted path ("parts.arm.accounts.0.keys"); list indexes are numbers."""

    def change(doc: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = doc
        for key in head:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = doc
        for key in head:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[last]

    return change


# Either raw bytes (given the valid text) or a change to the parsed document.
TEXT_VARIANTS: dict[str, Callable[[str], bytes]] = {
    "empty": lambda text: b"",
    "truncated": lambda text: text[: len(text) // 2].encode(),
    "binary garbage": lambda text: bytes(range(256)),
    "invalid UTF-8": lambda text: text.replace('"S0"', '"S\xff"').encode("latin-1"),
    "a JSON array": lambda text: b"[1, 2, 3]",
    "NaN in a tag": lambda text: text.replace('"location": "global"', '"location": NaN', 1).encode(),
    "1e400": lambda text: text.replace('"capacity": 2', '"capacity": 1e400', 1).encode(),
    "lone surrogate": lambda text: text.replace('"acct-sub"', '"\\ud800"', 1).encode(),
    "nested 100000 deep": lambda text: text.replace(
        '"location": "global"', '"x": ' + "[" * 100_000 + "]" * 100_000, 1
    ).encode(),
}
DOC_VARIANTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "version 2": _set("version", 2),
    "no version": _drop("version"),
    "no configDigest": _drop("configDigest"),
    "no parts": _drop("parts"),
    "parts a list": _set("parts", []),
    "no dataplane part": _drop("parts.dataplane"),
    "no arm part": _drop("parts.arm"),
    "an unknown part": _set("parts.zzz", {}),
    "dataplane accounts a string": _set("parts.dataplane.accounts", "local"),
    "capacity a word": _set("parts.dataplane.accounts.0.deployments.0.capacity", "many"),
    "keys a number": _set("parts.arm.accounts.0.keys", 5),
    "an account id that is no ARM id": _set("parts.arm.accounts.0.id", "not-an-id"),
    "a deployment that is a string": _set("parts.arm.accounts.0.deployments", {"img": "GlobalStandard"}),
    "a deployment sku that is a string": _set("parts.arm.accounts.0.deployments.img.sku", "GlobalStandard"),
    "properties a string": _set("parts.arm.accounts.0.resource.properties", "x"),
    "quota limits a list": _set("parts.arm.quota", {"eastus2": [1, 2]}),
    "resource groups a list": _set("parts.arm.resourceGroups", []),
    "a deleted account without its dates": _drop("parts.arm.deletedAccounts.0.deletionDate"),
    "a generic resource that is a number": lambda doc: _arm(doc)["generic"].update({"x": 5}),
}


def _arguments(folder: Path) -> list[str]:
    config = folder.parent / "config.json"
    config.write_text(json.dumps(CONFIG))
    return ["--no-tls", "--port", "0", "--config", str(config), "--state-dir", str(folder)]


def _start(folder: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "emulator", *_arguments(folder)]
    # A refused start ends at once; a start that wrongly serves is stopped by the timeout and fails.
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def _refusal_in_process(folder: Path) -> str:
    """What ``serve`` does before it binds: settings, state (the data plane's part), app (ARM's part)."""
    settings = settings_from_args(build_parser("python -m emulator").parse_args(_arguments(folder)))
    with pytest.raises(ConfigError) as refused:
        create_app(settings, state=EmulatorState.create(settings, load_catalog(settings.catalog_path)))
    return refused.value.message


def _assert_refused(folder: Path, *, real_process: bool) -> None:
    state = folder / "state.json"
    before = state.read_bytes() if state.is_file() else None
    if real_process:
        try:
            result = _start(folder)
        except subprocess.TimeoutExpired:
            pytest.fail("the emulator served a corrupt state instead of refusing it")
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stdout == ""  # never ready
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "Traceback" not in result.stderr
        message = lines[0].removeprefix("error: ")
    else:
        message = _refusal_in_process(folder)
    assert message.startswith(f"The saved state {state} ")
    assert message.endswith("; delete it to start from the config.")
    if before is not None:
        assert state.read_bytes() == before  # nothing changed


# One variant per kind of damage also runs as the real command (each start is a new interpreter).
THROUGH_THE_COMMAND = {"truncated", "nested 100000 deep", "version 2", "a deployment that is a string"}


@pytest.mark.parametrize("name", list(TEXT_VARIANTS))
def test_a_corrupt_state_file_is_refused(saved_state: dict[str, Any], tmp_path: Path, name: str) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "state.json").write_bytes(TEXT_VARIANTS[name](json.dumps(saved_state, indent=1)))
    _assert_refused(folder, real_process=name in THROUGH_THE_COMMAND)


@pytest.mark.parametrize("name", list(DOC_VARIANTS))
def test_a_state_file_of_the_wrong_shape_is_refused(
    saved_state: dict[str, Any], tmp_path: Path, name: str
) -> None:
    doc = json.loads(json.dumps(saved_state))
    DOC_VARIANTS[name](doc)
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "state.json").write_text(json.dumps(doc))
    _assert_refused(folder, real_process=name in THROUGH_THE_COMMAND)


def test_a_state_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    (folder / "state.json").mkdir(parents=True)
    _assert_refused(folder, real_process=True)


def test_the_untouched_state_starts(saved_state: dict[str, Any], tmp_path: Path) -> None:
    """The control: the same file, unbroken, is served (so the refusals above are about the damage)."""
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "state.json").write_text(json.dumps(saved_state))
    with running_emulator(CONFIG, tls=False, state_dir=folder) as emu:
        with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {_jwt()}"}) as arm:
            assert arm.get(ACCOUNT + "/deployments/img" + Q).json()["sku"]["capacity"] == 2
