"""One real emulator per test session (``python -m emulator`` over HTTPS), reset after every test."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable, Iterator

import httpx
import openai
import pytest
from PIL import Image

from emulator.testing import RunningEmulator, running_emulator

API_VERSION = "2025-04-01-preview"
KEY = "contoso-key-1"
CONFIG = {
    "rpmPerCapacityUnit": 1,
    "faultSeed": 7,
    "accounts": [
        {
            "subdomain": "contoso",
            "keys": [KEY, "contoso-key-2"],
            "blockTerms": ["forbidden-word"],
            "region": "swedencentral",
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000},
                {"name": "img two", "model": "gpt-image-2", "version": "2026-04-21", "capacity": 1000},
                {"name": "tiny", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 5},
                {"name": "chat", "model": "gpt-4o", "version": "2024-11-20", "capacity": 10},
            ],
        },
        {
            "subdomain": "entra-only",
            "keys": ["entra-key"],
            "disableLocalAuth": True,
            "openAiUsers": ["allowed-oid"],
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000},
            ],
        },
    ],
}


def make_jwt(
    aud: str = "https://cognitiveservices.azure.com", exp_in: float = 3600, oid: str = "allowed-oid"
) -> str:
    """An unsigned JWT (alg none): the emulator reads claims but does not check signatures."""

    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"aud": aud, "exp": int(time.time() + exp_in), "oid": oid, "iss": "https://sts.windows.net/t/"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def decode_image(b64: str) -> Image.Image:
    image = Image.open(io.BytesIO(base64.b64decode(b64)))
    image.load()
    return image


@pytest.fixture(scope="session")
def session_emulator() -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG) as emu:
        yield emu


@pytest.fixture
def emu(session_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    session_emulator.reset()
    yield session_emulator
    session_emulator.reset()


@pytest.fixture
def http(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(verify=emu.verify, timeout=30) as client:
        yield client


@pytest.fixture
def azure(emu: RunningEmulator, http: httpx.Client) -> Callable[..., openai.AzureOpenAI]:
    def make(subdomain: str = "contoso", **kwargs: object) -> openai.AzureOpenAI:
        kwargs.setdefault("max_retries", 0)
        if "azure_ad_token_provider" not in kwargs and "azure_ad_token" not in kwargs:
            kwargs.setdefault("api_key", KEY)
        return openai.AzureOpenAI(
            azure_endpoint=emu.endpoint(subdomain), api_version=API_VERSION, http_client=http, **kwargs
        )

    return make


@pytest.fixture
def client(azure: Callable[..., openai.AzureOpenAI]) -> openai.AzureOpenAI:
    return azure()


@pytest.fixture
def v1_client(emu: RunningEmulator, http: httpx.Client) -> openai.OpenAI:
    """The plain openai SDK on the v1 surface, where images stream (2025-04-01-preview has no stream)."""
    return openai.OpenAI(
        base_url=emu.endpoint("contoso") + "openai/v1/", api_key=KEY, http_client=http, max_retries=0
    )
