"""Auth that works: keys (either of the account's two), Entra tokens with both audiences, v1 bearer keys."""

from __future__ import annotations

import openai
import pytest

from tests.emulator.conftest import make_jwt


@pytest.mark.parametrize("audience", ["https://cognitiveservices.azure.com", "https://ai.azure.com"])
def test_entra_token_with_either_audience_is_accepted(azure, audience):
    calls = []

    def provider() -> str:
        calls.append(1)
        return make_jwt(aud=audience)

    client = azure("entra-only", azure_ad_token_provider=provider)
    assert client.images.generate(model="gpt-image", prompt="x").data
    assert calls


def test_second_account_key_works(azure):
    assert azure(api_key="contoso-key-2").images.generate(model="gpt-image", prompt="x").data


def test_v1_accepts_the_key_as_bearer(emu, http):
    client = openai.OpenAI(
        base_url=emu.endpoint("contoso") + "openai/v1/",
        api_key="contoso-key-1",
        http_client=http,
        max_retries=0,
    )
    assert client.images.generate(model="gpt-image", prompt="x").data
    assert emu.requests()[-1]["auth"] == "bearer"


def test_dated_route_refuses_a_key_sent_as_bearer(emu, http):
    response = http.post(
        emu.endpoint("contoso")
        + "openai/deployments/gpt-image/images/generations?api-version=2025-04-01-preview",
        headers={"authorization": "Bearer contoso-key-1"},
        json={"prompt": "x"},
    )
    assert response.status_code == 401
    assert "statusCode" in response.json()


def test_no_credentials_is_401(emu, http):
    response = http.post(
        emu.endpoint("contoso") + "openai/v1/images/generations", json={"model": "gpt-image", "prompt": "x"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "401"


def test_unknown_account_is_404(emu, http):
    response = http.post(emu.endpoint("nobody") + "openai/v1/images/generations", json={})
    assert response.status_code == 404
