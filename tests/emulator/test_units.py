"""Pure pieces: catalog reader, config parser, fault specs and draws, JWT reading, image determinism."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from emulator.auth import check_token, decode_jwt
from emulator.catalog import load_catalog, parse_catalog
from emulator.config import parse_config
from emulator.errors import ConfigError, EmulatorError
from emulator.faults import FaultStore, parse_fault_spec
from emulator.imaging import Picture, generate
from emulator.multipart import Limits, Part, split_parts
from emulator.validation import parse_image_request


def test_catalog_override_by_environment(tmp_path, monkeypatch):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps(
            {
                "rpmPerCapacityUnit": 3,
                "models": {
                    "m": {
                        "operations": ["imageGeneration"],
                        "sizes": ["auto"],
                        "qualities": ["low"],
                        "outputFormats": ["png"],
                    }
                },
            }
        )
    )
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    loaded = load_catalog()
    assert loaded.rpm_per_capacity_unit == 3 and list(loaded.models) == ["m"]


def test_catalog_errors_say_what_to_fix(tmp_path):
    with pytest.raises(ConfigError, match="has no 'models' object"):
        parse_catalog({})
    with pytest.raises(ConfigError, match="missing.json does not exist; check IMAGEGATE_CATALOG"):
        load_catalog(tmp_path / "missing.json")


def test_webp_can_be_switched_off():
    rules = load_catalog().model("gpt-image-1.5")
    assert (
        parse_image_request({"prompt": "x", "output_format": "webp"}, rules, edit=False).output_format
        == "webp"
    )
    with pytest.raises(EmulatorError) as caught:
        parse_image_request({"prompt": "x", "output_format": "webp"}, rules, edit=False, accept_webp=False)
    assert caught.value.param == "output_format"


def test_form_scalars_are_read_from_text():
    rules = load_catalog().model("gpt-image-1.5")
    request = parse_image_request(
        {"prompt": "x", "n": "2", "stream": "true", "input_fidelity": "high"},
        rules,
        edit=True,
        from_form=True,
    )
    assert (request.n, request.stream, request.input_fidelity) == (2, True, "high")


def test_config_reports_every_problem_at_once():
    with pytest.raises(ConfigError) as caught:
        parse_config({"rpmPerCapacityUnit": -1, "acceptWebp": "yes", "accounts": [{"subdomain": "UP"}]})
    message = caught.value.message
    assert "rpmPerCapacityUnit" in message and "acceptWebp" in message and "subdomain" in message


def test_config_reads_faults_and_principals():
    config = parse_config(
        {
            "accounts": [
                {
                    "subdomain": "a",
                    "openAiUsers": [{"principalId": "p1"}, "p2"],
                    "deployments": [{"name": "d", "model": "m", "faults": {"hang": True}}],
                }
            ]
        }
    )
    assert config.accounts[0].openai_users == ("p1", "p2")
    assert config.faults[0][2].hang is True


@pytest.mark.parametrize("spec", [{"bogus": 1}, {"errorStatus": 404}, {"throttle": 3}, {"hang": "yes"}, []])
def test_bad_fault_specs_are_refused(spec):
    with pytest.raises(EmulatorError) as caught:
        parse_fault_spec(spec)
    assert caught.value.status == 400


def test_fault_draws_follow_the_spec():
    store = FaultStore(seed=1, clock=lambda: 1000.0)
    store.set(
        "a",
        "d",
        parse_fault_spec(
            {"latencyMs": 100, "latencyJitterMs": 50, "throttle": {"count": 2}, "notFoundForSeconds": 30}
        ),
    )
    assert store.draw("a", "d", created_at=990.0).error.code == "DeploymentNotFound"
    outcomes = [store.draw("a", "d", created_at=0.0) for _ in range(3)]
    assert [o.throttle_ms for o in outcomes] == [1000, 1000, None]
    assert all(0.05 <= o.delay <= 0.15 for o in outcomes)
    store.set("a", "d", parse_fault_spec({"errorRate": 0.5}))
    errors = sum(store.draw("a", "d", 0.0).error is not None for _ in range(400))
    assert 140 < errors < 260


def _jwt(claims: dict) -> str:
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'none'})}.{enc(claims)}."


def test_jwt_claims_are_read_and_checked():
    claims = decode_jwt(_jwt({"aud": ["https://ai.azure.com/"], "exp": 2000}))
    assert claims is not None
    assert check_token(claims, now=1000) and not check_token(claims, now=3000)
    assert decode_jwt("a.b") is None and decode_jwt("!!.@@.x") is None


def test_pictures_are_deterministic_and_differ_by_deployment():
    one = generate(Picture("d1", "p", 0, 256, 256))
    assert one == generate(Picture("d1", "p", 0, 256, 256))
    assert one != generate(Picture("d2", "p", 0, 256, 256))
    assert Image.open(io.BytesIO(generate(Picture("d", "p", 0, 320, 240, "webp", 80)))).size == (320, 240)


def _png_bytes(size: tuple[int, int], mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


SMALL = _png_bytes((1, 1))


@pytest.mark.parametrize(
    "parts, param, code",
    [
        (
            [Part("image", data=_png_bytes((64, 64), "RGB") * 2, content_type="image/png")],
            "image",
            "file_too_large",
        ),
        (
            [
                Part("image", data=SMALL, content_type="image/png"),
                Part("mask", data=_png_bytes((300, 300)) + b"x" * 1000, content_type="image/png"),
            ],
            "mask",
            "file_too_large",
        ),
        ([Part("image", text="not a file")], "image", "invalid_type"),
        ([Part("prompt", text="x")], "image", "missing_required_parameter"),
        ([Part("extra", data=SMALL, content_type="image/png")], "extra", "unknown_parameter"),
        (
            [Part("image", data=SMALL, content_type="image/png"), Part("mask", text="x")],
            "mask",
            "invalid_type",
        ),
    ],
    ids=["image-too-large", "mask-too-large", "image-as-text", "no-image", "unknown-file", "mask-as-text"],
)
def test_edit_parts_limits(parts, param, code):
    with pytest.raises(EmulatorError) as caught:
        split_parts(parts, Limits(max_image_bytes=len(SMALL) + 10, max_mask_bytes=len(SMALL) + 10))
    assert (caught.value.status, caught.value.param, caught.value.code) == (400, param, code)


def test_webp_input_refused_when_webp_is_off():
    part = Part("image", data=_png_bytes((1, 1)), content_type="image/webp")
    with pytest.raises(EmulatorError) as caught:
        split_parts([part], Limits(10**6, 10**6, accept_webp=False))
    assert caught.value.message.endswith("Supported file formats are 'image/jpeg' and 'image/png'.")
