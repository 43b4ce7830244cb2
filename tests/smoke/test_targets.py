import json
import os
import stat
from pathlib import Path

import pytest

from smoke.errors import TargetError
from smoke.targets import (
    endpoint_targets,
    load_outputs_file,
    load_stack,
    normalise_endpoint,
    select_deployments,
    targets_from_outputs,
    with_api_version,
)
from tests.smoke.fakes import outputs_doc


def test_every_deployment_is_a_target_candidates_included():
    doc = outputs_doc(localAuthDisabled=True, apiVersion="2025-06-01")
    doc["deployments"]["gpt-image-candidate"] = {"model": "gpt-image-2", "capacity": 3, "role": "candidate"}
    targets = targets_from_outputs(doc, "outputs.json")
    assert [(t.label, t.role, t.capacity, t.local_auth_disabled) for t in targets] == [
        ("dev/gpt-image", "stable", 9, True),
        ("dev/gpt-image-candidate", "candidate", 3, True),
    ]
    assert {t.api_version for t in targets} == {"2025-06-01"} and targets[
        0
    ].endpoint == "https://acct.openai.azure.com/"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "The stack outputs from {p} are not valid JSON (line 1, column 2)."),
        ("[]", "The stack outputs from {p} are not a JSON object."),
        (
            json.dumps({"deployments": {"a": {}}}),
            "The stack outputs from {p} have no 'endpoint' key; re-run `pulumi up` or fix the file.",
        ),
        (
            json.dumps({"endpoint": "https://a.openai.azure.com/"}),
            "The stack outputs from {p} have no 'deployments' key; re-run `pulumi up` or fix the file.",
        ),
        (
            json.dumps({"endpoint": "https://a.openai.azure.com/", "deployments": {}}),
            "The stack outputs from {p} list no deployments; nothing to smoke.",
        ),
        (
            json.dumps({"endpoint": "https://a.openai.azure.com/", "deployments": {"a": 1}}),
            "Deployment 'a' in the stack outputs from {p} is not a JSON object.",
        ),
        (
            json.dumps(
                {
                    "endpoint": "https://a.openai.azure.com/",
                    "deployments": {"a": {}},
                    "localAuthDisabled": "y",
                }
            ),
            "The 'localAuthDisabled' value in the stack outputs from {p} is not true/false.",
        ),
        (
            json.dumps({"endpoint": "http://a.openai.azure.com/", "deployments": {"a": {}}}),
            "Endpoint 'http://a.openai.azure.com/' uses plain http, which would send credentials in clear "
            "text; "
            "use https (plain http is only allowed to loopback).",
        ),
    ],
)
def test_malformed_outputs_files_are_one_sentence(tmp_path: Path, text, message):
    path = tmp_path / "outputs.json"
    path.write_text(text)
    with pytest.raises(TargetError) as info:
        load_outputs_file(path)
    assert str(info.value) == message.format(p=path)


def test_missing_outputs_file():
    with pytest.raises(
        TargetError, match=r"^Cannot read the outputs file '/nope.json': No such file or directory\.$"
    ):
        load_outputs_file(Path("/nope.json"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.openai.azure.com", "https://a.openai.azure.com/"),
        ("http://127.0.0.1:8443/accounts/dev", "http://127.0.0.1:8443/accounts/dev/"),
        ("http://localhost/", "http://localhost/"),
        ("http://[::1]:90/x/", "http://[::1]:90/x/"),
    ],
)
def test_endpoints_are_normalised_and_http_is_allowed_to_loopback(url, expected):
    assert normalise_endpoint(url) == expected


@pytest.mark.parametrize("url", ["http://10.0.0.1/", "ftp://a/", "a.openai.azure.com", "https://a/?x=1"])
def test_other_endpoints_are_refused(url):
    with pytest.raises(TargetError):
        normalise_endpoint(url)


def test_deployment_selection_narrows_and_rejects_unknown_names():
    targets = targets_from_outputs(outputs_doc(deployments={"a": {}, "b": {}}), "f")
    assert [t.deployment for t in select_deployments(targets, ["b"])] == ["b"]
    with pytest.raises(TargetError) as info:
        select_deployments(targets, ["c"])
    assert str(info.value) == "Deployment 'c' is not in the stack outputs; known deployments: a, b."
    assert {t.api_version for t in with_api_version(targets, "2026-01-01")} == {"2026-01-01"}


def test_endpoint_targets_need_a_deployment_and_deduplicate():
    assert [
        t.label for t in endpoint_targets("https://acct.openai.azure.com", ["x", "x", "y"], None, None)
    ] == [
        "acct/x",
        "acct/y",
    ]
    with pytest.raises(TargetError, match=r"^--endpoint needs at least one --deployment NAME\.$"):
        endpoint_targets("https://acct.openai.azure.com", [], None, None)


def _fake_pulumi(tmp_path: Path, script: str) -> None:
    exe = tmp_path / "pulumi"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)


def test_load_stack_runs_pulumi_stack_output(tmp_path, monkeypatch):
    doc = json.dumps(outputs_doc())
    (tmp_path / "out.json").write_text(doc)
    _fake_pulumi(tmp_path, f'echo "$@" > {tmp_path}/args\n/bin/cat {tmp_path}/out.json\n')
    monkeypatch.setenv("PATH", str(tmp_path))
    targets = load_stack("prod")
    assert (tmp_path / "args").read_text().strip() == "stack output --json --stack prod"
    assert [t.label for t in targets] == ["prod/gpt-image"]


@pytest.mark.parametrize(
    ("script", "message"),
    [
        (
            "echo 'error: no stack named prod found' >&2\nexit 255\n",
            "`pulumi stack output --stack prod` failed (error: no stack named prod found); check the stack "
            "name and "
            "login.",
        ),
        ("echo '{}'\n", "Stack 'prod' has no outputs; run `pulumi up --stack prod` first."),
    ],
)
def test_load_stack_failures(tmp_path, monkeypatch, script, message):
    _fake_pulumi(tmp_path, script)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TargetError) as info:
        load_stack("prod")
    assert str(info.value) == message


def test_load_stack_without_the_pulumi_cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TargetError) as info:
        load_stack("prod")
    assert str(info.value).startswith("The Pulumi CLI is not on PATH; install it or export the outputs")
    assert os.environ["PATH"] == str(tmp_path)
