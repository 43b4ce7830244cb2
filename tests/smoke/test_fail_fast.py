"""What cannot heal fails at once (one attempt, one line saying what to do); what can heal is retried until
the check's time budget runs out, however many attempts that takes. Against the real emulator."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from emulator.testing import running_emulator
from smoke import ApiKeyAuth, SmokeOptions, endpoint_targets, run_smoke
from smoke.cli import cli

KEY = "fail-fast-key-5c1d7e9a3b"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}


@pytest.fixture(scope="module")
def emu():
    with running_emulator(
        {"accounts": [{"subdomain": "dev", "keys": [KEY], "deployments": [{"name": "gpt-image", **MODEL}]}]}
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def clean(emu, monkeypatch):
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "SMOKE_CA_BUNDLE", "SMOKE_CHECK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    yield
    emu.clear_faults()


def run(emu, tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli,
        [
            "run",
            "--endpoint",
            emu.endpoint("dev"),
            "--deployment",
            "gpt-image",
            "--auth",
            "key",
            "--api-key-env",
            "FAIL_FAST_KEY",
            "--check",
            "generate",
            "--json",
            str(report),
            *args,
        ],
        env={"FAIL_FAST_KEY": KEY, **(env or {})},
    )
    return result, json.loads(report.read_text())["checks"][0] if report.exists() else None


def test_an_untrusted_certificate_is_one_attempt_and_names_the_fix(emu, tmp_path):
    result, check = run(emu, tmp_path)
    assert result.exit_code == 1, result.output
    assert [a["outcome"] for a in check["attempts"]] == ["tls_error"]
    assert check["failure"]["classification"] == "tls_error"
    assert "--ca-bundle" in check["failure"]["hint"] and "SSL_CERT_FILE" in check["failure"]["hint"]
    assert "hint: The endpoint's certificate is not trusted here; pass --ca-bundle FILE" in result.stdout


def test_the_fix_it_names_works_ssl_cert_file(emu, tmp_path):
    result, check = run(emu, tmp_path, env={"SSL_CERT_FILE": emu.ca_file})
    assert result.exit_code == 0, result.output
    assert check["status"] == "passed"


@pytest.mark.parametrize(
    ("fault", "args", "classification"),
    [
        ({"blocked": True}, [], "resource_blocked"),  # 403: the account is blocked
        ({"contentFilterOutput": True}, [], "content_filter"),
        ({}, ["--size", "123x45"], "bad_request"),
    ],
    ids=["403-blocked", "content-filter", "bad-request"],
)
def test_answers_that_cannot_heal_are_not_retried(emu, tmp_path, fault, args, classification):
    if fault:
        emu.set_fault("dev", "gpt-image", **fault)
    result, check = run(emu, tmp_path, "--ca-bundle", emu.ca_file, *args)
    assert result.exit_code == 1, result.output
    assert len(check["attempts"]) == 1, check["attempts"]
    assert check["failure"]["classification"] == classification


def test_a_wrong_key_401_is_one_attempt(emu, tmp_path):
    result, check = run(
        emu, tmp_path, "--ca-bundle", emu.ca_file, env={"FAIL_FAST_KEY": "wrong-key-0000000000"}
    )
    assert result.exit_code == 1
    assert [a["status"] for a in check["attempts"]] == [401]


def test_a_host_that_does_not_resolve_is_one_attempt():
    def no_such_host(request: httpx.Request) -> httpx.Response:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    targets = endpoint_targets("https://nope.openai.azure.com/", ["gpt-image"], None, None)
    with httpx.Client(transport=httpx.MockTransport(no_such_host)) as http:
        report = run_smoke(
            targets,
            SmokeOptions(checks=("generate",), auth=ApiKeyAuth(KEY, "K")),
            http=http,
            sleep=lambda s: pytest.fail("a DNS failure must not be retried"),
        )
    check = report.checks[0]
    assert [a.outcome for a in check.attempts] == ["dns_error"]
    assert check.failure is not None and "host name does not resolve" in check.failure.hint


def test_more_transient_failures_than_the_old_four_attempts_still_pass(emu, tmp_path):
    emu.set_fault("dev", "gpt-image", throttle={"count": 6, "retryAfterMs": 20})
    result, check = run(emu, tmp_path, "--ca-bundle", emu.ca_file)
    assert result.exit_code == 0, result.output
    assert [a["status"] for a in check["attempts"]] == [429] * 6 + [200]


def test_transient_failures_are_retried_until_the_budget_runs_out(emu, tmp_path):
    emu.set_fault("dev", "gpt-image", errorRate=1.0, errorStatus=503)
    started = time.monotonic()
    result, check = run(emu, tmp_path, "--ca-bundle", emu.ca_file, env={"SMOKE_CHECK_TIMEOUT": "2"})
    assert result.exit_code == 1
    assert check["failure"]["classification"] == "server_error"
    assert len(check["attempts"]) >= 3  # backoff 0.5, 1, ... within 2 s: attempts, not a fixed count
    assert time.monotonic() - started < 30  # bounded by the budget, not by the default 720 s

