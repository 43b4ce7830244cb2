"""Faults that change timing, end to end: fixed latency and hanging answers (client time-outs)."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.slow


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


def test_throttle_and_hang_rates_split_the_requests_as_asked(client, emu):
    # 30 % 429s and 20 % hangs: the mix smoke's time budget is sized for (benchmarks/bench_retry.py).
    emu.set_fault(
        "contoso",
        "gpt-image",
        throttleRate=0.3,
        hangRate=0.2,
        hangSeconds=60,
        throttle={"count": 0, "retryAfterMs": 50},
    )
    quick = client.with_options(timeout=0.3, max_retries=0)
    outcomes = {"ok": 0, "429": 0, "timeout": 0}
    try:
        for n in range(60):
            try:
                quick.images.generate(model="gpt-image", prompt=f"mix {n}")
                outcomes["ok"] += 1
            except openai.RateLimitError as exc:
                assert exc.response.headers["retry-after-ms"] == "50"
                outcomes["429"] += 1
            except openai.APITimeoutError:
                outcomes["timeout"] += 1
    finally:
        emu.clear_faults()  # releases the hung requests
    # Binomial(60, p) stays within these bounds with probability > 0.999 for p = 0.3, 0.2, 0.5.
    assert 6 <= outcomes["429"] <= 32, outcomes
    assert 2 <= outcomes["timeout"] <= 25, outcomes
    assert 14 <= outcomes["ok"] <= 46, outcomes


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"throttleRate": 0.8, "hangRate": 0.3}, "Faults 'throttleRate' + 'hangRate' are shares of the same"),
        ({"hangRate": 2}, "Fault 'hangRate' must be a number from 0 to 1, not 2."),
    ],
)
def test_bad_rates_are_refused_with_one_sentence(emu, spec, message):
    import httpx

    with httpx.Client(verify=emu.verify) as http:
        answer = http.put(f"{emu.base_url}_emulator/faults/contoso/gpt-image", json=spec)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(message)
