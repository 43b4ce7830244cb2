"""``--state-dir``: the CA is kept across restarts (trusted once) and so is the data-plane state."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx
import pytest
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from emulator.accounts import DeploymentSpec
from emulator.catalog import load_catalog
from emulator.config import Settings, parse_config
from emulator.errors import ConfigError
from emulator.snapshot import FILE_NAME
from emulator.state import EmulatorState
from emulator.testing import running_emulator
from emulator.tls import make_tls_files
from tests.emulator.conftest import CONFIG, make_jwt

SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"
GEN = "openai/deployments/{}/images/generations?api-version=2025-04-01-preview"


def make_state(folder: Path | None, raw: dict = CONFIG) -> EmulatorState:
    return EmulatorState.create(Settings(config=parse_config(raw), state_dir=folder), load_catalog())


def test_a_restart_keeps_accounts_deployments_and_registered_parts(tmp_path):
    first = make_state(tmp_path)
    added = DeploymentSpec("later", "gpt-image-2", "2026-04-21", capacity=7, created_at=1234.5)
    first.registry.upsert_deployment("contoso", added)
    first.registry.delete_deployment("contoso", "tiny")
    first.on_snapshot("arm", lambda: {"resourceGroups": ["rg-1"]}, lambda value: None)
    assert first.save_state()
    assert (tmp_path / FILE_NAME).stat().st_mode & 0o777 == 0o600  # it holds account keys

    second = make_state(tmp_path)
    deployments = second.registry.get("contoso").deployments
    assert deployments["later"] == added  # created_at too, for the notFoundForSeconds fault
    assert "tiny" not in deployments
    assert second.registry.get("entra-only") == first.registry.get("entra-only")
    loaded: list[object] = []
    second.on_snapshot("arm", lambda: {}, loaded.append)  # registered after the read: loaded at once
    assert loaded == [{"resourceGroups": ["rg-1"]}]


def test_save_only_when_changed_and_reset_goes_back_to_the_config(tmp_path):
    state = make_state(tmp_path)
    assert state.save_state(only_if_changed=True)
    assert not state.save_state(only_if_changed=True)
    state.registry.delete_account("contoso")
    assert state.save_state(only_if_changed=True)
    state.reset()
    assert make_state(tmp_path).registry.get("contoso") is not None


def test_a_changed_config_starts_from_the_config_with_a_note(tmp_path, capsys):
    state = make_state(tmp_path)
    state.registry.delete_account("contoso")
    state.save_state()
    assert make_state(tmp_path, {**CONFIG, "rpmPerCapacityUnit": 2}).registry.get("contoso") is not None
    assert capsys.readouterr().err == (
        f"note: the config changed since {tmp_path / FILE_NAME} was saved; starting from the config.\n"
    )


@pytest.mark.parametrize("text", ["{not json", '{"version": 99}', None])
def test_an_unreadable_saved_state_is_a_one_sentence_config_error(tmp_path, text):
    if text is None:
        state = make_state(tmp_path)
        state.save_state()
        saved = json.loads((tmp_path / FILE_NAME).read_text())
        saved["parts"]["dataplane"] = {"accounts": [{"subdomain": "x"}]}
        text = json.dumps(saved)
    (tmp_path / FILE_NAME).write_text(text)
    with pytest.raises(ConfigError, match=r"delete it to start from the config\.$"):
        make_state(tmp_path)


def test_without_a_state_dir_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not make_state(None).save_state()
    assert list(tmp_path.iterdir()) == []


def test_the_ca_is_kept_and_reused_with_keep(tmp_path):
    first = make_tls_files(tmp_path, keep=True)
    ca, cert = first.ca_file.read_bytes(), first.cert_file.read_bytes()
    assert first.ca_key_file.stat().st_mode & 0o777 == 0o600
    first.cert_file.unlink()  # a lost server certificate is issued again by the same CA
    again = make_tls_files(tmp_path, keep=True)
    assert again.ca_file.read_bytes() == ca and again.cert_file.read_bytes() != cert
    ssl.create_default_context(cafile=str(again.ca_file))  # still a loadable CA
    fresh = make_tls_files(tmp_path / "scratch")
    assert not fresh.ca_key_file.exists()  # without a state dir the CA key stays in memory


def test_restart_with_the_same_state_dir_keeps_the_ca_and_what_arm_created(tmp_path):
    pytest.importorskip("emulator.arm")
    config = {
        "accounts": [],
        "arm": {"subscriptionId": SUBSCRIPTION, "lroDelaySeconds": 0.05, "resourceGroups": ["rg"]},
    }
    with running_emulator(config, state_dir=tmp_path) as emu:
        ca = Path(emu.ca_file).read_bytes()
        credential = _Credential()
        with CognitiveServicesManagementClient(
            credential, SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file
        ) as mgmt:
            body = {
                "location": "eastus2",
                "kind": "AIServices",
                "sku": {"name": "S0"},
                "properties": {"customSubDomainName": "kept-img"},
            }
            mgmt.accounts.begin_create("rg", "kept", body).result()
            deployment = {
                "sku": {"name": "GlobalStandard", "capacity": 2},
                "properties": {
                    "model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"}
                },
            }
            mgmt.deployments.begin_create_or_update("rg", "kept", "gpt-image", deployment).result()
            key = mgmt.accounts.list_keys("rg", "kept").key1
    # The block above stopped the emulator with SIGTERM: the state was saved on the way out.
    with running_emulator(config, state_dir=tmp_path) as emu:
        assert Path(emu.ca_file).read_bytes() == ca
        with httpx.Client(verify=emu.verify, timeout=30) as http:
            answer = http.post(
                emu.endpoint("kept-img") + GEN.format("gpt-image"),
                headers={"api-key": key},
                json={"prompt": "still here", "quality": "low"},
            )
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-ratelimit-limit-requests"] == "6"  # capacity 2 x 3 RPM per unit


class _Credential:
    def get_token(self, *scopes: str, **_: object):  # noqa: ANN201 - azure-core's AccessToken shape
        from azure.core.credentials import AccessToken

        return AccessToken(make_jwt(aud="https://management.azure.com/"), 2**31)
