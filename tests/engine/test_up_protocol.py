"""The engine's contract with ARM, on an in-memory ARM: the real program, applied, reapplied, pruned, stopped.

End-to-end runs against the real emulator live in test_up_emulator.py; these pin down what the engine
itself decides (what to PUT, in which order, one at a time, what to report) independent of the emulator.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from engine import ArmClient, ArmError, Identity, run_up
from infra.config import load_stack_config, read_stack_file
from tests.engine.fake_arm import BASE, FakeArm

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"


def stack_config(stack: str):
    return load_stack_config(read_stack_file(ROOT / f"Pulumi.{stack}.yaml"), stack)


def up(config, fake: FakeArm, **kwargs):
    with ArmClient(BASE, transport=fake.transport(), sleep=lambda _: None) as arm:
        return run_up(config, arm, identity=Identity(SUB), **kwargs)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_second_run_changes_nothing(stack: str) -> None:
    fake = FakeArm()
    config = stack_config(stack)
    first = up(config, fake)
    puts_after_first = sum(1 for method, _ in fake.calls if method == "PUT")
    second = up(config, fake)
    assert first.count("created") == len(first.changes) == puts_after_first
    assert second.count("unchanged") == len(second.changes) == len(first.changes)
    assert sum(1 for method, _ in fake.calls if method == "PUT") == puts_after_first
    assert second.outputs == first.outputs


def test_outputs_come_back_from_arm_including_the_endpoint() -> None:
    result = up(stack_config("dev"), FakeArm())
    assert result.outputs["endpoint"] == f"{BASE}/accounts/imagegate-dev-img/"
    assert result.outputs["deployments"] == {
        "gpt-image": {
            "model": "gpt-image-1.5",
            "version": "2025-12-16",
            "sku": "GlobalStandard",
            "capacity": 2,
            "role": "stable",
        }
    }
    assert "key" not in str(result.outputs).lower()


def test_a_changed_capacity_is_one_update_of_that_deployment() -> None:
    fake = FakeArm()
    config = stack_config("dev")
    up(config, fake)
    bigger = replace(config, deployments=(replace(config.deployments[0], capacity=3),))
    result = up(bigger, fake)
    assert [(c.action, c.kind, c.name) for c in result.changes if c.action != "unchanged"] == [
        ("updated", "cognitiveservices:Deployment", "gpt-image")
    ]
    assert result.outputs["deployments"]["gpt-image"]["capacity"] == 3


def test_a_deployment_removed_from_the_config_is_deleted_after_the_program() -> None:
    fake = FakeArm()
    config = stack_config("dev")
    second = replace(config.deployments[0], name="gpt-image-b")
    up(replace(config, deployments=(*config.deployments, second)), fake)
    result = up(config, fake)
    changed = [(c.action, c.name) for c in result.changes if c.action != "unchanged"]
    assert changed == [("deleted", "gpt-image-b")]
    assert not any(key.endswith("/deployments/gpt-image-b") for key in fake.resources)
    assert any(key.endswith("/deployments/gpt-image") for key in fake.resources)


def test_a_failure_stops_with_arms_message_and_leaves_earlier_resources_in_place() -> None:
    fake = FakeArm(scripted={("PUT", "/deployments/gpt-image"): [(400, "InsufficientQuota")]})
    applied: list[str] = []
    with pytest.raises(ArmError) as caught:
        up(stack_config("dev"), fake, on_change=lambda change: applied.append(change.kind))
    assert str(caught.value) == (
        "cognitiveservices:Deployment gpt-image: ARM answered 400 InsufficientQuota: "
        "scripted InsufficientQuota"
    )
    assert "cognitiveservices:Account" in applied and "cognitiveservices:RaiPolicy" in applied
    assert any(key.endswith("/accounts/imagegate-dev-img") for key in fake.resources)
    assert not any("/deployments/" in key for key in fake.resources)


def test_resources_are_applied_one_at_a_time_in_dependency_order() -> None:
    fake = FakeArm()
    active = 0
    overlaps = 0
    lock = threading.Lock()

    def slow(request: httpx.Request) -> httpx.Response:
        nonlocal active, overlaps
        with lock:
            active += 1
            overlaps += active > 1
        time.sleep(0.002)
        try:
            return fake.handle(request)
        finally:
            with lock:
                active -= 1

    config = stack_config("prod")
    with ArmClient(BASE, transport=httpx.MockTransport(slow)) as arm:
        result = run_up(replace(config, candidate=None), arm, identity=Identity(SUB))
    assert overlaps == 0
    order = [c.kind for c in result.changes]
    assert order.index("resources:ResourceGroup") < order.index("cognitiveservices:Account")
    assert order.index("cognitiveservices:Account") < order.index("cognitiveservices:RaiPolicy")
    assert order.index("cognitiveservices:RaiPolicy") < order.index("cognitiveservices:Deployment")
