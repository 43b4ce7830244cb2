"""The admin API under /_emulator/ (not Azure): health, reset, the request log and fault errors."""

from __future__ import annotations

import httpx

from tests.emulator.conftest import API_VERSION, KEY

GEN = "openai/deployments/tiny/images/generations?api-version=" + API_VERSION


def test_health_lists_the_accounts(emu):
    health = emu.health()
    assert health["status"] == "ok" and health["baseUrl"] == emu.base_url
    assert health["accounts"] == ["contoso", "entra-only"]


def test_reset_clears_faults_request_log_and_rate_windows(emu, http):
    def post() -> httpx.Response:
        return http.post(emu.endpoint("contoso") + GEN, headers={"api-key": KEY}, json={"prompt": "x"})

    assert [post().status_code for _ in range(6)][-1] == 429  # tiny: 5 per minute
    emu.set_fault("contoso", "gpt-image", blocked=True)
    emu.reset()
    assert emu.admin("GET", "faults").json() == {"faults": []}
    assert emu.requests() == []
    assert post().headers["x-ratelimit-remaining-requests"] == "4"
    record = emu.requests()[-1]
    assert (record["status"], record["deployment"], record["operation"], record["auth"]) == (
        200,
        "tiny",
        "imageGeneration",
        "api-key",
    )


def test_fault_errors_say_what_to_fix(emu, http):
    url = emu.base_url + "_emulator/faults/"
    unknown = http.put(url + "nobody/gpt-image", json={"blocked": True})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "AccountNotFound")
    bad = http.put(url + "contoso/gpt-image", content=b"{nope")
    assert bad.status_code == 400 and "not valid JSON" in bad.json()["error"]["message"]
    wrong = http.put(url + "contoso/gpt-image", json={"errorRate": 2})
    assert wrong.json()["error"]["message"] == "Fault 'errorRate' must be a number from 0 to 1, not 2."
