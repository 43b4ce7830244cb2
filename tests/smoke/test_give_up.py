"""A check that sees only failures stops in bounded time with what it saw, and a dead endpoint is named:
against the real emulator (and a port nothing listens on), through `smoke run` and the library."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from emulator.testing import running_emulator
from smoke import ApiKeyAuth, RetryPolicy, SmokeOptions, endpoint_targets, run_smoke
from smoke.cli import cli

KEY = "give-up-key-8a2f61c0d9"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}
# Backoff shrunk so twelve attempts take well under a second; the rule is the one smoke runs by default.
FAST = {"backoff_initial_s": 0.02, "backoff_max_s": 0.05}


@pytest.fixture(scope="module")
def emu():
    with running_emulator(
        {"accounts": [{"subdomain": "dev", "keys": [KEY], "deployments": [{"name": "gpt-image", **MODEL}]}]}
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def clean(emu, monkeypatch):
    for name in ("SMOKE_CHECK_TIMEOUT", "IMAGEGATE_GIVE_UP_AFTER", "SMOKE_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    yield
    emu.clear_faults()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but never listened on: connecting is refused, and nobody else can take it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def smoke_run(endpoint: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli,
        [
            "run", "--endpoint", endpoint, "--deployment", "gpt-image", "--auth", "key",
            "--api-key-env", "GIVE_UP_KEY", "--check", "generate", "--json", str(report), *args,
        ],
        env={"GIVE_UP_KEY": KEY, **(env or {})},
    )
    return result, json.loads(report.read_text())["checks"][0] if report.exists() else None


def test_an_always_503_deployment_stops_at_the_window_with_the_evidence(emu):
    emu.set_fault("dev", "gpt-image", errorRate=1.0, errorStatus=503)
    policy = RetryPolicy(give_up_after_s=1.0, **FAST)
    targets = endpoint_targets(emu.endpoint("dev"), ["gpt-image"], None, None)
    options = SmokeOptions(
        checks=("generate",), auth=ApiKeyAuth(KEY, "K"), ca_bundle=Path(emu.ca_file), retry=policy
    )
    check = run_smoke(targets, options).checks[0]
    attempts = len(check.attempts)
    assert [a.status for a in check.attempts] == [503] * attempts
    assert attempts >= policy.give_up_min_attempts
    assert check.failure is not None and check.failure.kind.value == "server_error"
    assert re.fullmatch(
        rf"Gave up: answered 503 to all {attempts} attempts in \d+ s, only failures for at least "
        r"--give-up-after 1 s \(of the 720 s check budget\)\. The service returned HTTP 503.*",
        check.failure.message,
    ), check.failure.message


def test_give_up_after_and_its_variable_bound_an_always_throttled_check(emu, tmp_path):
    # 429s asking for 50 ms: only failures, fast. --check-timeout 60 only bounds the test on old code.
    emu.set_fault("dev", "gpt-image", throttle={"count": 100_000, "retryAfterMs": 50})
    for args, env in ((["--give-up-after", "1"], {}), ([], {"IMAGEGATE_GIVE_UP_AFTER": "1"})):
        result, check = smoke_run(
            emu.endpoint("dev"), tmp_path, "--ca-bundle", emu.ca_file, "--check-timeout", "60", *args, env=env
        )
        assert result.exit_code == 1, result.output
        attempts = len(check["attempts"])
        assert check["failure"]["classification"] == "throttled"
        assert check["failure"]["message"].startswith(
            f"Gave up: answered 429 to all {attempts} attempts in 1 s, only failures for at least "
            "--give-up-after 1 s (of the 60 s check budget). Rate limited after every retry"
        )
        assert "one that sees only failures stops after 1 s" in result.stderr


def test_a_bad_give_up_after_is_a_usage_error(emu, tmp_path):
    result, check = smoke_run(emu.endpoint("dev"), tmp_path, "--give-up-after", "0")
    assert result.exit_code == 2 and check is None
    assert "Invalid value for '--give-up-after'" in result.output


def test_the_default_window_is_shown_in_help():
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert re.search(r"--give-up-after SECONDS\s+Stop a check that has seen only", result.output)
    option_help = result.output.split("--give-up-after", 1)[1].split("--json")[0]
    assert "default: 60.0" in " ".join(option_help.split())


def test_nothing_listening_on_loopback_stops_within_the_grace_with_one_sentence(closed_port, tmp_path):
    # --check-timeout 30 only bounds the test where the grace is missing (the default budget is 720 s).
    result, check = smoke_run(f"https://127.0.0.1:{closed_port}/", tmp_path, "--check-timeout", "30")
    assert result.exit_code == 1, result.output
    sentence = f"nothing listens on 127.0.0.1:{closed_port}; is the emulator running?"
    assert check["failure"]["message"] == sentence
    assert f"connection_error: {sentence}" in result.stdout
    # Backoff 0.5, 1, 2 s fits in the 5 s grace, the next 4 s does not: four attempts, all refused.
    assert [a["outcome"] for a in check["attempts"]] == ["connection_error"] * len(check["attempts"])
    assert 2 <= len(check["attempts"]) <= 4
    retries = [line for line in result.stderr.splitlines() if "retrying in" in line]
    assert retries and all(f"connection_error (127.0.0.1:{closed_port})" in line for line in retries)


def test_a_refused_connection_elsewhere_is_retried_and_names_host_and_port():
    def refused(request: httpx.Request) -> httpx.Response:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as exc:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request) from exc

    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    targets = endpoint_targets("https://acct.openai.azure.com/", ["gpt-image"], None, None)
    with httpx.Client(transport=httpx.MockTransport(refused)) as http:
        report = run_smoke(
            targets,
            SmokeOptions(checks=("generate",), auth=ApiKeyAuth(KEY, "K")),
            http=http,
            sleep=sleep,
            clock=lambda: clock[0],
        )
    check = report.checks[0]
    assert check.failure is not None
    # Past the 5 s loopback grace, until the default window: twelve or more attempts over 60 s.
    assert len(check.attempts) >= 12 and clock[0] >= 60
    assert check.failure.message.startswith(
        f"Gave up: could not connect to acct.openai.azure.com:443 on all {len(check.attempts)} attempts in "
    )
    assert check.failure.message.endswith(
        "Could not connect to acct.openai.azure.com:443 (ConnectError: [Errno 111] Connection refused)."
    )
