"""End to end: the ``smoke`` CLI against the real emulator on loopback (HTTPS with its private CA).

One emulator per module; faults are cleared after each test. Every output is scanned for the key and
the token. Reports are parsed back: JUnit with xml.etree, JSON against REPORT_SCHEMA, HTML decoded.
"""

from __future__ import annotations

import base64
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from click.testing import CliRunner
from PIL import Image

from emulator.testing import running_emulator
from smoke.cli import cli
from smoke.reports.schema import REPORT_SCHEMA

pytestmark = pytest.mark.slow

DEV_KEY = "dev-key-7f3a9c21e5b84d06a1c3"
PROD_KEY = "prod-key-2b8e6d4f0a1c3e5a7b9d"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}
CONFIG = {
    "accounts": [
        {
            "subdomain": "dev",
            "keys": [DEV_KEY],
            "blockTerms": ["forbiddenword"],
            "deployments": [{"name": "gpt-image", **MODEL}, {"name": "gpt-image-candidate", **MODEL}],
        },
        {
            "subdomain": "prod",
            "keys": [PROD_KEY],
            "disableLocalAuth": True,
            "deployments": [{"name": "gpt-image", **MODEL}],
        },
    ]
}


def jwt(exp_in: float = 3600, aud: str = "https://cognitiveservices.azure.com") -> str:
    def seg(doc: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    claims = {"aud": aud, "exp": int(time.time() + exp_in), "oid": "smoke-ci", "tid": "t"}
    return f"{seg({'alg': 'RS256', 'typ': 'JWT'})}.{seg(claims)}.c2lnbmF0dXJl"


@pytest.fixture(scope="module")
def emu():
    started = time.time()
    with running_emulator(CONFIG) as running:
        running.started = started
        yield running


@pytest.fixture(autouse=True)
def clean(emu, monkeypatch):
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    yield
    emu.clear_faults()


def write_outputs(
    tmp_path: Path,
    emu,
    subdomain: str,
    local_auth_disabled: bool,
    environment: str,
    api_version: str = "2025-04-01-preview",
) -> Path:
    doc = {
        "environment": environment,
        "location": "eastus2",
        "resourceGroupName": "rg",
        "accountName": subdomain,
        "endpoint": emu.endpoint(subdomain),
        "apiVersion": api_version,
        "localAuthDisabled": local_auth_disabled,
        "deployments": {"gpt-image": {"model": "gpt-image-1.5", "capacity": 1000, "role": "stable"}},
    }
    if subdomain == "dev":
        doc["deployments"]["gpt-image-candidate"] = {
            "model": "gpt-image-1.5",
            "capacity": 1000,
            "role": "candidate",
        }
    path = tmp_path / f"{environment}.json"
    path.write_text(json.dumps(doc))
    return path


def smoke(emu, *args: str, key: str | None = DEV_KEY):
    env = {"SMOKE_TEST_KEY": key} if key else {}
    auth = ["--auth", "key", "--api-key-env", "SMOKE_TEST_KEY"] if key else []
    return CliRunner().invoke(cli, [*args[:1], *auth, "--ca-bundle", emu.ca_file, *args[1:]], env=env)


def normalise(output: str) -> str:
    return re.sub(r"\d+\.\d\ds", "T", output)


def assert_no_secrets(texts: list[str], secrets: list[str]) -> None:
    for text in texts:
        for secret in secrets:
            assert secret not in text


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def test_every_check_passes_and_every_report_parses_back(emu, tmp_path):
    outputs = write_outputs(tmp_path, emu, "dev", False, "dev")
    report = {k: tmp_path / f"r.{k}" for k in ("json", "xml", "html")}
    result = smoke(
        emu,
        "run",
        "--outputs",
        str(outputs),
        "--json",
        str(report["json"]),
        "--junit",
        str(report["xml"]),
        "--html",
        str(report["html"]),
        "--save-images",
        str(tmp_path / "img"),
    )
    assert result.exit_code == 0, result.output
    stdout = normalise(result.stdout)
    assert stdout.endswith(
        "dev/gpt-image-candidate  keyless   skipped        -  0  localAuthDisabled is false: the "
        "account accepts API keys, so there is no keyless promise\n"
        "PASSED: 6 checks, 4 passed, 0 failed, 2 skipped\n"
    )
    assert "dev/gpt-image            generate  passed     T  1\n" in stdout
    assert "[dev/gpt-image] edit: passed (T, 1 attempt(s))" in normalise(result.stderr)

    doc = json.loads(report["json"].read_text())
    jsonschema.validate(doc, REPORT_SCHEMA)
    assert doc["passed"] is True and doc["counts"] == {"passed": 4, "failed": 0, "skipped": 2}
    edit = next(c for c in doc["checks"] if c["check"] == "edit")
    assert edit["images"] == [
        {"index": 0, "format": "png", "width": 1024, "height": 1024, "bytes": edit["images"][0]["bytes"]}
    ]
    assert 0 <= edit["details"]["changedOutsideMask"] <= 1 and edit["requestIds"]

    root = ET.parse(report["xml"]).getroot()
    cases = [
        (c.get("classname"), c.get("name"), [x.tag for x in c if x.tag != "system-out"])
        for c in root.iter("testcase")
    ]
    assert cases == [
        ("smoke.dev.gpt-image", "generate", []),
        ("smoke.dev.gpt-image", "edit", []),
        ("smoke.dev.gpt-image", "keyless", ["skipped"]),
        ("smoke.dev.gpt-image-candidate", "generate", []),
        ("smoke.dev.gpt-image-candidate", "edit", []),
        ("smoke.dev.gpt-image-candidate", "keyless", ["skipped"]),
    ]

    parser = _Images()
    html = report["html"].read_text()
    parser.feed(html)
    # Four outputs, plus the edit's input and its mask overlay shown once (the same for both columns).
    assert len(parser.sources) == 6 and "http" not in "".join(s[:5] for s in parser.sources)
    for src in parser.sources:
        prefix, b64 = src.split(",", 1)
        assert prefix == "data:image/jpeg;base64"
        assert Image.open(io.BytesIO(base64.b64decode(b64))).size == (1024, 1024)
    assert "A watercolor painting of a red lighthouse" in html

    saved = sorted(p.name for p in (tmp_path / "img").iterdir())
    assert saved == [
        "dev-gpt-image-candidate-edit-0.png",
        "dev-gpt-image-candidate-generate-0.png",
        "dev-gpt-image-edit-0.png",
        "dev-gpt-image-generate-0.png",
    ]
    assert_no_secrets([result.output, *(p.read_text() for p in report.values())], [DEV_KEY])


def test_entra_auth_and_keyless_pass_on_a_keyless_account(emu, tmp_path, monkeypatch):
    token = jwt()
    calls = []
    monkeypatch.setattr(
        "smoke.auth.make_credential",
        lambda: SimpleNamespace(
            get_token=lambda scope: (
                calls.append(scope) or SimpleNamespace(token=token, expires_on=time.time() + 3600)
            )
        ),
    )
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", PROD_KEY)  # a real key makes the keyless probe stronger
    outputs = write_outputs(tmp_path, emu, "prod", True, "prod")
    reports = {k: tmp_path / f"r.{k}" for k in ("json", "junit", "html")}
    report_args = [a for k, path in reports.items() for a in (f"--{k}", str(path))]
    scope = "https://ai.azure.com/.default"
    result = smoke(emu, "run", "--outputs", str(outputs), *report_args, "--v1", "--scope", scope, key=None)
    assert result.exit_code == 0, result.output
    assert normalise(result.stdout).endswith("PASSED: 3 checks, 3 passed, 0 failed, 0 skipped\n")
    doc = json.loads(reports["json"].read_text())
    assert doc["checks"][2]["details"] == {"refusedWith": "AuthenticationTypeDisabled"}
    assert calls == [scope]  # one token, cached across all requests
    assert_no_secrets([result.output, *(p.read_text() for p in reports.values())], [token, PROD_KEY])
    logged = json.dumps(emu.requests())
    assert PROD_KEY not in logged and token not in logged


@pytest.mark.parametrize(
    ("key", "finding"),
    [
        (DEV_KEY, "The account accepted an API key although the stack outputs say localAuthDisabled."),
        (
            None,
            "The account validated the API key instead of refusing key auth, so local auth is enabled "
            "although "
            "the stack outputs say localAuthDisabled (HTTP 401).",
        ),
    ],
    ids=["real-key-accepted", "probe-key-validated"],
)
def test_keyless_fails_when_the_account_still_takes_keys(emu, tmp_path, monkeypatch, key, finding):
    monkeypatch.setattr(
        "smoke.auth.make_credential",
        lambda: SimpleNamespace(
            get_token=lambda scope: SimpleNamespace(token=jwt(), expires_on=time.time() + 3600)
        ),
    )
    outputs = write_outputs(tmp_path, emu, "dev", True, "dev")
    result = smoke(
        emu, "run", "--outputs", str(outputs), "--deployment", "gpt-image", "--check", "keyless", key=key
    )
    assert result.exit_code == 1
    assert normalise(result.stdout) == (
        f"dev/gpt-image  keyless   FAILED     T  1  local_auth_enabled: {finding}\n"
        "               hint: The stack promises keyless (localAuthDisabled) but the account still "
        "evaluates API "
        "keys; set disableLocalAuth on the account and re-run `pulumi up`.\n"
        "FAILED: 1 check, 0 passed, 1 failed, 0 skipped\n"
    )


FAULTS = [
    ({"blocked": True}, [], "resource_blocked", 1),
    ({"errorRate": 1.0, "errorStatus": 503}, ["--max-attempts", "2"], "server_error", 2),
    ({"throttle": {"count": 50, "retryAfterMs": 20}}, ["--max-attempts", "3"], "throttled", 3),
    ({"notFoundForSeconds": 3600}, [], "deployment_not_found", 1),
    ({"contentFilterOutput": True}, [], "content_filter", 1),
    ({"hang": True, "hangSeconds": 30}, ["--request-timeout", "1", "--max-attempts", "1"], "timeout", 1),
]


@pytest.mark.parametrize(("fault", "args", "kind", "attempts"), FAULTS, ids=[f[2] for f in FAULTS])
def test_each_emulator_fault_is_classified(emu, tmp_path, fault, args, kind, attempts):
    emu.set_fault("dev", "gpt-image", **fault)
    outputs = write_outputs(tmp_path, emu, "dev", False, "dev")
    out = tmp_path / "r.json"
    result = smoke(
        emu,
        "run",
        "--outputs",
        str(outputs),
        "--deployment",
        "gpt-image",
        "--check",
        "generate",
        "--json",
        str(out),
        *args,
    )
    assert result.exit_code == 1, result.output
    check = json.loads(out.read_text())["checks"][0]
    assert check["failure"]["classification"] == kind
    assert len(check["attempts"]) == attempts
    assert "generate  FAILED" in result.stdout and f"{kind}: " in result.stdout


@pytest.mark.parametrize(
    ("args", "kind", "message"),
    [
        (
            ["--api-version", "2019-01-01"],
            "api_version_rejected",
            "The api-version was rejected (BadRequest: API version not supported).",
        ),
        (
            ["--prompt", "a forbiddenword lighthouse"],
            "content_filter",
            "The content filter blocked the prompt (content_policy_violation: Your request was rejected as "
            "a result "
            "of our safety system. Your prompt may contain text that is not allowed by our safety system.).",
        ),
    ],
)
def test_request_side_failures_are_classified(emu, tmp_path, args, kind, message):
    outputs = write_outputs(tmp_path, emu, "dev", False, "dev")
    out = tmp_path / "r.json"
    result = smoke(
        emu,
        "run",
        "--outputs",
        str(outputs),
        "--deployment",
        "gpt-image",
        "--check",
        "generate",
        "--json",
        str(out),
        *args,
    )
    assert result.exit_code == 1
    failure = json.loads(out.read_text())["checks"][0]["failure"]
    assert (failure["classification"], failure["message"]) == (kind, message)


def test_a_wrong_key_and_an_expired_token_are_auth_failures(emu, tmp_path, monkeypatch):
    outputs = write_outputs(tmp_path, emu, "dev", False, "dev")
    args = ["run", "--outputs", str(outputs), "--deployment", "gpt-image", "--check", "generate"]
    result = smoke(emu, *args, "--json", str(tmp_path / "r.json"), key="wrong-key-000000000000")
    assert result.exit_code == 1 and "auth: The API key was refused (401: Access denied" in result.stdout
    assert_no_secrets([result.output, (tmp_path / "r.json").read_text()], ["wrong-key-000000000000"])
    expired = jwt(exp_in=-10)
    monkeypatch.setattr(
        "smoke.auth.make_credential",
        lambda: SimpleNamespace(
            get_token=lambda scope: SimpleNamespace(token=expired, expires_on=time.time() + 3600)
        ),
    )
    result = smoke(emu, *args, key=None)
    assert result.exit_code == 1 and "auth: The access token was refused" in result.stdout
    assert expired not in result.output


def test_unknown_deployment_on_an_endpoint(emu):
    result = smoke(
        emu, "run", "--endpoint", emu.endpoint("dev"), "--deployment", "nope", "--check", "generate"
    )
    assert result.exit_code == 1
    assert "deployment_not_found: The deployment does not exist at this endpoint." in result.stdout


def test_a_429_storm_is_ridden_out_and_every_attempt_recorded(emu, tmp_path):
    emu.set_fault("dev", "gpt-image", throttle={"count": 3, "retryAfterMs": 50})
    outputs = write_outputs(tmp_path, emu, "dev", False, "dev")
    out = tmp_path / "r.json"
    result = smoke(
        emu,
        "run",
        "--outputs",
        str(outputs),
        "--deployment",
        "gpt-image",
        "--check",
        "generate",
        "--json",
        str(out),
        "--max-attempts",
        "5",
    )
    assert result.exit_code == 0, result.output
    attempts = json.loads(out.read_text())["checks"][0]["attempts"]
    assert [(a["status"], a["outcome"], a["waitSeconds"]) for a in attempts] == [
        (429, "throttled", 0.05),
        (429, "throttled", 0.05),
        (429, "throttled", 0.05),
        (200, "ok", 0.0),
    ]
    assert "attempt 1 throttled, retrying in 0.05s" in result.stderr


def test_a_fresh_deployment_404_is_waited_out(emu):
    from smoke import ApiKeyAuth, RetryPolicy, SmokeOptions, endpoint_targets, run_smoke

    emu.set_fault("dev", "gpt-image", notFoundForSeconds=time.time() - emu.started + 1.0)
    options = SmokeOptions(
        checks=("generate",),
        auth=ApiKeyAuth(DEV_KEY, "K"),
        ca_bundle=Path(emu.ca_file),
        retry=RetryPolicy(not_found_wait_s=20, not_found_interval_s=0.25),
    )
    report = run_smoke(endpoint_targets(emu.endpoint("dev"), ["gpt-image"], None, None), options)
    outcomes = [a.outcome for a in report.checks[0].attempts]
    assert report.passed and outcomes[-1] == "ok" and set(outcomes[:-1]) == {"deployment_not_found"}


def test_one_off_generate_and_edit_write_files(emu, tmp_path):
    out = tmp_path / "gen.png"
    result = smoke(
        emu,
        "generate",
        "--endpoint",
        emu.endpoint("dev"),
        "--deployment",
        "gpt-image",
        "--prompt",
        "a teapot",
        "--size",
        "1536x1024",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        rf"wrote {out} \(1536x1024 png, T last response, T in 1 attempt\(s\), request id \S+\)\n",
        normalise(result.stdout),
    )
    assert Image.open(out).size == (1536, 1024)
    edited = tmp_path / "edit.png"
    result = smoke(
        emu,
        "edit",
        "--endpoint",
        emu.endpoint("dev"),
        "--deployment",
        "gpt-image",
        "--image",
        str(out),
        "--mask",
        str(Path("smoke/fixtures/mask.png").resolve()),
        "--prompt",
        "add a lid",
        "--size",
        "1536x1024",
        "-o",
        str(edited),
    )
    assert result.exit_code == 0, result.output
    assert Image.open(edited).size == (1536, 1024)
    result = smoke(
        emu,
        "generate",
        "--endpoint",
        emu.endpoint("dev"),
        "--deployment",
        "gpt-image",
        "--prompt",
        "a forbiddenword",
        "-o",
        str(tmp_path / "x.png"),
    )
    assert result.exit_code == 1 and not (tmp_path / "x.png").exists()
    # Not retried (a blocked prompt cannot heal): one attempt.
    assert normalise(result.stdout).startswith(
        "generate failed on dev/gpt-image after T in 1 attempt(s): content_filter: The content filter blocked"
    )


def test_the_api_version_comes_from_the_outputs_unless_overridden(emu, tmp_path):
    outputs = write_outputs(tmp_path, emu, "dev", False, "dev", api_version="2019-01-01")
    args = ["run", "--outputs", str(outputs), "--deployment", "gpt-image", "--check", "generate"]
    result = smoke(emu, *args)
    assert result.exit_code == 1 and "api_version_rejected: The api-version was rejected" in result.stdout
    result = smoke(emu, *args, "--api-version", "2025-04-01-preview")
    assert result.exit_code == 0, result.output


def test_a_key_on_a_keyless_account_is_local_auth_disabled(emu, tmp_path):
    outputs = write_outputs(tmp_path, emu, "prod", True, "prod")
    result = smoke(emu, "run", "--outputs", str(outputs), "--check", "generate", key=PROD_KEY)
    assert result.exit_code == 1
    assert (
        "generate  FAILED" in result.stdout
        and "local_auth_disabled: The account refused API-key auth" in (result.stdout)
    )
    assert "run with Entra ID auth" in result.stdout and PROD_KEY not in result.output


def test_one_off_reports_the_wall_time_and_attempts_of_a_rate_limited_call(emu, tmp_path):
    # Two 429s asking for 0.6 s each: the last response is fast, but the call took over 1.2 s.
    emu.set_fault("dev", "gpt-image", throttle={"count": 2, "retryAfterMs": 600})
    try:
        out = tmp_path / "slow.png"
        result = smoke(
            emu,
            "generate",
            "--endpoint",
            emu.endpoint("dev"),
            "--deployment",
            "gpt-image",
            "--prompt",
            "a teapot",
            "-o",
            str(out),
        )
    finally:
        emu.clear_faults()
    assert result.exit_code == 0, result.output
    match = re.fullmatch(
        rf"wrote {out} \(1024x1024 png, \d+\.\d\ds last response, (\d+\.\d\d)s in 3 attempt\(s\), "
        r"request id \S+\)\n",
        result.stdout,
    )
    assert match is not None, result.stdout
    assert float(match[1]) >= 1.2


def test_a_wait_past_two_seconds_is_shown_with_what_why_and_how_long(emu, tmp_path):
    # One 429 asking for 2.5 s: CI logs get a line saying what waits, why, and for how long.
    emu.set_fault("dev", "gpt-image", throttle={"count": 1, "retryAfterMs": 2500})
    result = smoke(
        emu, "run", "--endpoint", emu.endpoint("dev"), "--deployment", "gpt-image", "--check", "generate"
    )
    assert result.exit_code == 0, result.output
    waits = [line for line in result.stderr.splitlines() if line.startswith("waiting ")]
    assert waits == [
        "waiting 2 s of up to 2.5 s for dev/gpt-image generate: rate limited (HTTP 429); the service asked "
        "for 2.5 s (answered 429 to 1 attempt in 0 s so far; giving up after 60 s of only failures, "
        "720 s check budget)"
    ]
