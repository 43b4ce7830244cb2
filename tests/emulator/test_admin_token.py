"""Issue 12, finding 2: bound off loopback, the admin API and ARM listKeys need the admin token.

"Off loopback" is decided by the bind address, not by the peer: the emulator here binds 0.0.0.0 and the
test still connects through 127.0.0.1, which must not open the admin API.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator.admintoken import is_loopback_bind
from emulator.testing import ADMIN_TOKEN_HEADER, running_emulator
from tests.emulator.arm.conftest import CONFIG as ARM_CONFIG
from tests.emulator.arm.conftest import RG, SUBSCRIPTION, account_body, make_jwt

ADMIN_ROUTES = [
    ("POST", "reset"),
    ("GET", "requests"),
    ("GET", "faults"),
    ("DELETE", "faults"),
    ("PUT", "faults/local/gpt-image"),
    ("GET", "arm/resources"),
    ("GET", "arm/quota"),
    ("PUT", "arm/faults"),
    ("POST", "arm/reset"),
]
ACCOUNT = (
    f"subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/acct"
)
Q = "?api-version=2025-06-01"
CONFIG = {**ARM_CONFIG, "accounts": [{"subdomain": "local", "keys": ["local-key-1"], "deployments": []}]}


@pytest.mark.slow
def test_off_loopback_the_admin_api_needs_the_token_and_the_start_warns(tmp_path: Path) -> None:
    with running_emulator(CONFIG, state_dir=tmp_path, extra_args=("--host", "0.0.0.0")) as emu:
        assert emu.admin_token is not None
        token_file = tmp_path / "admin-token"
        assert token_file.read_text().strip() == emu.admin_token
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
        with httpx.Client(verify=emu.verify, timeout=10, base_url=emu.base_url) as client:
            assert emu.base_url.startswith("https://127.0.0.1:")
            for method, route in ADMIN_ROUTES:
                for given in ({}, {ADMIN_TOKEN_HEADER: "wrong-token-wrong-token"}):
                    answer = client.request(method, f"_emulator/{route}", json={}, headers=given)
                    assert answer.status_code == 401, (method, route)
                    assert answer.json()["error"]["code"] == "AdminTokenRequired"
            # Health answers for liveness probes, but tells a stranger nothing else.
            assert client.get("_emulator/health").json() == {"status": "ok"}
            full = client.get("_emulator/health", headers={ADMIN_TOKEN_HEADER: emu.admin_token}).json()
            assert full["accounts"] == ["local"]
            assert emu.requests() == []  # with the token (RunningEmulator sends it) it works

            # listKeys with an unsigned (forgeable) JWT is 403 without the admin token.
            arm = {"Authorization": f"Bearer {make_jwt()}"}
            assert client.put(ACCOUNT + Q, json=account_body("acct-sub"), headers=arm).status_code in (
                200,
                201,
            )
            refused = client.post(ACCOUNT + "/listKeys" + Q, headers=arm)
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "AuthorizationFailed"
            assert "key1" not in refused.text
            allowed = client.post(
                ACCOUNT + "/listKeys" + Q, headers={**arm, ADMIN_TOKEN_HEADER: emu.admin_token}
            )
            assert allowed.status_code == 200 and allowed.json()["key1"]
            regenerate = client.post(ACCOUNT + "/regenerateKey" + Q, json={"keyName": "Key1"}, headers=arm)
            assert regenerate.status_code == 403


@pytest.mark.slow
def test_the_start_warns_and_the_ready_line_names_the_token_file_not_the_token(tmp_path: Path) -> None:
    token_file = tmp_path / "given-token"
    token_file.write_text("given-admin-token-0123456789\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulator",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-tls",
            "--admin-token-file",
            str(token_file),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None and process.stdout is not None
        warning = process.stderr.readline()
        ready = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert warning.startswith("warning: listening on 0.0.0.0, reachable from the network;")
    assert str(token_file) in warning
    assert ready.rstrip().endswith(f"admin-token={token_file}")
    assert "given-admin-token" not in ready + warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_binds_keep_the_admin_api_open(host: str) -> None:
    assert is_loopback_bind(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "emulator.example.com", ""])
def test_other_binds_need_the_token(host: str) -> None:
    assert not is_loopback_bind(host)


def test_loopback_needs_no_token(tmp_path: Path) -> None:
    with running_emulator(None, state_dir=tmp_path) as emu:
        assert emu.admin_token is None
        assert not (tmp_path / "admin-token").exists()
        with httpx.Client(verify=emu.verify, timeout=10) as client:
            assert client.get(emu.base_url + "_emulator/requests").status_code == 200
