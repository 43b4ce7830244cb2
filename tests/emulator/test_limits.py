"""Issue 12, finding 5: every limit is a config key with a safe default, and Azure's error body when hit.

One emulator runs with tight limits so each can be crossed with a small request; the defaults are checked
through ``--print-config`` and with the memory attack from the issue (16 images of 7000x7000 pixels).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from emulator.cli import main
from emulator.limits import RequestLimits
from emulator.testing import RunningEmulator, running_emulator

KEY = "local-key-1"
GEN = "openai/deployments/gpt-image/images/generations?api-version=2025-04-01-preview"
EDIT = "openai/deployments/gpt-image/images/edits?api-version=2025-04-01-preview"
SUB = "00000000-0000-0000-0000-000000000000"
GENERIC = (
    f"subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ops"
    "?api-version=2023-01-01"
)
TIGHT = {
    "jsonMaxBytes": 2000,
    "jsonMaxDepth": 4,
    "armMaxBodyBytes": 3000,
    "adminMaxBodyBytes": 500,
    "jwtMaxBytes": 600,
    "jwtMaxDepth": 2,
    "multipartMaxParts": 6,
    "multipartMaxBytes": 200_000,
    "maxPixelsPerRequest": 10_000,
}
CONFIG: dict[str, Any] = {
    "accounts": [
        {
            "subdomain": "local",
            "keys": [KEY],
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}
            ],
        }
    ],
    "arm": {"resourceGroups": ["rg"]},
    "limits": TIGHT,
}


def png(size: tuple[int, int], mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def jwt(claims: str) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{b64(b'{}')}.{b64(claims.encode())}."


@pytest.fixture(scope="module")
def tight() -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG, tls=False) as emu:
        yield emu


@pytest.fixture
def http(tight: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tight.endpoint("local"), timeout=30, headers={"api-key": KEY}) as client:
        yield client


def test_json_size_and_depth(http: httpx.Client) -> None:
    big = http.post(GEN, json={"prompt": "x" * 3000})
    assert big.status_code == 413 and big.json()["error"]["code"] == "RequestEntityTooLarge"
    deep = http.post(GEN, json={"prompt": "a cat", "user": [[["x"]]]})  # 4 levels with the body: still fine
    assert deep.status_code != 500 and "nested" not in deep.text
    deeper = http.post(GEN, json={"prompt": "a cat", "user": [[[["x"]]]]})
    assert deeper.status_code == 400
    assert "nested deeper than 4 levels" in deeper.json()["error"]["message"]


def test_multipart_parts_size_and_pixels(http: httpx.Client) -> None:
    small = png((64, 64))
    fields = {f"f{i}": "x" for i in range(6)}
    too_many = http.post(EDIT, data={"prompt": "x", **fields}, files={"image": ("a.png", small, "image/png")})
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_multipart"
    too_big = http.post(EDIT, data={"prompt": "x"}, files={"image": ("a.png", b"\0" * 300_000, "image/png")})
    assert too_big.status_code == 413
    two = [("image[]", ("a.png", small, "image/png"))] * 2  # 8,192 pixels: within 10,000
    assert http.post(EDIT, data={"prompt": "x"}, files=two).status_code == 200
    three = [("image[]", ("a.png", small, "image/png"))] * 3  # 12,288 pixels
    refused = http.post(EDIT, data={"prompt": "x"}, files=three)
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "image_too_large",
        "message": "Invalid 'image': the images and mask hold more than 10000 pixels in all; send fewer or "
        "smaller images.",
        "param": "image",
        "type": "invalid_request_error",
    }


def test_arm_admin_and_jwt_limits(tight: RunningEmulator) -> None:
    with httpx.Client(base_url=tight.base_url, timeout=30) as client:
        arm = {"Authorization": "Bearer " + jwt(json.dumps({"aud": "x"}))}
        big = client.put(GENERIC, json={"location": "global", "tags": {"x": "y" * 4000}}, headers=arm)
        assert big.status_code == 413 and big.json()["error"]["code"] == "RequestEntityTooLarge"
        admin = client.put("_emulator/arm/quota", content=json.dumps({"eastus2": {"x" * 600: 1}}))
        assert admin.status_code == 413
        long_token = {"Authorization": f"Bearer {jwt(json.dumps({'a': 'x' * 600}))}"}
        assert client.get(GENERIC, headers=long_token).json()["error"]["code"] == "InvalidAuthenticationToken"
        nested = {"Authorization": f"Bearer {jwt(json.dumps({'a': {'b': {'c': 1}}}))}"}
        answer = client.get(GENERIC, headers=nested)
        assert (
            answer.status_code == 401 and "nested deeper than 2 levels" in answer.json()["error"]["message"]
        )


def test_print_config_shows_every_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "emulator.json"
    config.write_text(json.dumps({"limits": {"maxConnections": 64}}))
    assert main(["--config", str(config), "--print-config"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["limits"] == {**RequestLimits().to_json(), "maxConnections": 64}
    assert shown["adminApi"] == "open (loopback bind)"


@pytest.mark.parametrize(
    "limits, message",
    [
        (
            {"headerTimeoutSeconds": 30},
            "limits.headerTimeoutSeconds is 30; use a number of seconds from 0.1 to 10.",
        ),
        ({"jsonMaxDepth": 0}, "limits.jsonMaxDepth is 0; use a whole number from 1 to 1.09951e+12."),
        ({"maxPixels": 1}, "limits.maxPixels is not a known key; use "),
    ],
)
def test_bad_limits_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limits: dict[str, Any], message: str
) -> None:
    config = tmp_path / "emulator.json"
    config.write_text(json.dumps({"limits": limits}))
    assert main(["--config", str(config), "--print-config"]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.slow
def test_sixteen_huge_images_are_refused_from_their_headers_within_the_memory_budget(tmp_path: Path) -> None:
    """The issue's attack: 16 parts of 7000x7000 (0.76 MB on the wire) took RSS to 1.6 GB."""
    huge = png((7000, 7000), mode="1")
    config = {**CONFIG, "limits": {}}
    with running_emulator(config, tls=False, state_dir=tmp_path) as emu:
        with httpx.Client(base_url=emu.endpoint("local"), timeout=60, headers={"api-key": KEY}) as client:
            files = [("image[]", (f"{i}.png", huge, "image/png")) for i in range(16)]
            answer = client.post(EDIT, data={"prompt": "x"}, files=files)
        assert answer.status_code == 400 and answer.json()["error"]["code"] in (
            "image_too_large",
            "invalid_image",
        )
        peak_kb = int(
            next(
                line.split()[1]
                for line in Path(f"/proc/{emu.process.pid}/status").read_text().splitlines()
                if line.startswith("VmHWM:")
            )
        )
        assert peak_kb < 512 * 1024, f"peak RSS {peak_kb} kB"
