"""``infra/__main__.py`` as Pulumi runs it: config from ``imagegate:`` strings, exports, and a bad config
stopping the run with every problem before anything is declared."""

from __future__ import annotations

import json
import runpy
from typing import Any

import pulumi
import pytest

from engine.mock_runtime import evaluate
from engine.recording import AzureMocks, RecordingMonitor
from tests.infra.conftest import stack_values


def _as_pulumi_strings(values: dict[str, Any]) -> dict[str, str]:
    return {f"imagegate:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def _run_main(
    values: dict[str, Any], stack: str, monkeypatch, mocks: AzureMocks | None = None
) -> tuple[AzureMocks, dict[str, Any]]:
    """``infra/__main__.py`` exactly as Pulumi runs it: config as strings, exports on the root stack."""
    mocks = mocks or AzureMocks()
    outputs = evaluate(
        lambda: runpy.run_module("infra.__main__", run_name="__main__"),
        mocks,
        stack=stack,
        monitor=RecordingMonitor(mocks),
        config=_as_pulumi_strings(values),
    )
    return mocks, outputs


def test_main_exports_the_contract_outputs(monkeypatch):
    mocks, outputs = _run_main(stack_values("prod"), "prod", monkeypatch)
    assert outputs["localAuthDisabled"] is True
    assert outputs["deployments"]["gpt-image"]["capacity"] == 6
    assert outputs["endpoint"] == "https://imagegate-prod-img.openai.azure.com/"
    assert any(r.type == "azure-native:cognitiveservices:Account" for r in mocks.resources)


def test_invalid_config_stops_before_anything_is_declared(monkeypatch):
    values = stack_values("dev")
    values["deployments"][0]["capacity"] = 0
    values["typo"] = 1
    with pytest.raises(pulumi.RunError) as raised:
        _run_main(values, "dev", monkeypatch)
    message = str(raised.value)
    assert "has 2 problems" in message
    assert "imagegate:deployments[0].capacity: 0 is out of range" in message
    # Pulumi hands every value over as a string, so the message shows '1'.
    assert "imagegate:typo: '1' is not a known key" in message
    assert "Traceback" not in message


def test_invalid_config_declares_nothing(monkeypatch):
    values = stack_values("dev")
    values["location"] = "mars"
    mocks = AzureMocks()
    with pytest.raises(pulumi.RunError):
        _run_main(values, "dev", monkeypatch, mocks)
    assert mocks.resources == []
    assert mocks.calls == []


def test_warnings_are_logged_and_do_not_stop_the_run(monkeypatch):
    values = stack_values("dev")
    values["deployments"][0]["capacity"] = 10
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *args, **kwargs: warned.append(message))
    mocks, outputs = _run_main(values, "dev", monkeypatch)
    assert warned == [
        "deployments of gpt-image-1.5 (GlobalStandard) ask for capacity 10 in eastus2, above the default "
        "quota of 9; check `usages` or request more quota before `pulumi up`."
    ]
    assert outputs["deployments"]["gpt-image"]["capacity"] == 10


def test_missing_model_catalog_is_one_sentence_not_a_traceback(monkeypatch, tmp_path):
    missing = tmp_path / "nope.json"
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(missing))
    mocks = AzureMocks()
    with pytest.raises(pulumi.RunError) as raised:
        _run_main(stack_values("dev"), "dev", monkeypatch, mocks)
    assert str(raised.value) == f"Model catalog {missing} does not exist; check IMAGEGATE_CATALOG."
    assert mocks.resources == []


def test_a_provider_location_other_than_the_stacks_stops_the_program(monkeypatch):
    mocks = AzureMocks()
    with pytest.raises(pulumi.RunError) as raised:
        evaluate(
            lambda: runpy.run_module("infra.__main__", run_name="__main__"),
            mocks,
            stack="dev",
            monitor=RecordingMonitor(mocks),
            config={**_as_pulumi_strings(stack_values("dev")), "azure-native:location": "westus3"},
        )
    assert (
        "azure-native:location: 'westus3' is not the region of imagegate:location ('eastus2'); "
        "set both to the same region." in str(raised.value)
    )
    assert mocks.resources == []
