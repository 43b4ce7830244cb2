"""Faults that change timing, end to end: fixed latency and hanging answers (client time-outs)."""

from __future__ import annotations

import openai
import pytest


def durations(emu) -> list[float]:
    return [r["durationMs"] for r in emu.requests() if r["deployment"] == "gpt-image"]


def test_latency_is_added_to_every_answer(client, emu):
    emu.set_fault("contoso", "gpt-image", latencyMs=250)
    assert client.images.generate(model="gpt-image", prompt="slow").data
    assert durations(emu)[-1] >= 250
    emu.clear_faults("contoso", "gpt-image")
    assert client.images.generate(model="gpt-image", prompt="fast").data
    assert durations(emu)[-1] < 250


def test_a_hang_makes_the_client_time_out_until_faults_are_cleared(client, emu):
    emu.set_fault("contoso", "gpt-image", hang=True, hangSeconds=60)
    with pytest.raises(openai.APITimeoutError):
        client.with_options(timeout=0.5).images.generate(model="gpt-image", prompt="hang")
    emu.clear_faults()  # releases the hung request at once
    assert client.images.generate(model="gpt-image", prompt="after").data
    assert emu.health()["status"] == "ok"


def test_a_hang_ends_after_hang_seconds_with_a_normal_answer(client, emu):
    emu.set_fault("contoso", "gpt-image", hang=True, hangSeconds=0.3)
    assert client.images.generate(model="gpt-image", prompt="wait").data
    assert durations(emu)[-1] >= 300
