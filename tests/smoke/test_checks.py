import base64
import io
import json

import pytest
from PIL import Image

from smoke.checks import Expectation, edit_verdict, images_verdict, keyless_verdict
from smoke.images import fixture_bytes
from smoke.results import FailureKind
from tests.smoke.fakes import image_bytes, success_body

EXPECT = Expectation(n=1, size="1024x1024", output_format="png")


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def test_a_valid_response_passes_and_keeps_the_image_and_usage():
    verdict = images_verdict(200, body(success_body()), EXPECT)
    assert verdict.passed
    assert [(i.format, i.width, i.height) for i in verdict.images] == [("png", 1024, 1024)]
    assert verdict.details["usage"]["total_tokens"] == 282


def _with(**changes):
    doc = success_body()
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("status", "raw", "expect", "message"),
    [
        (200, b"not json", EXPECT, "the 200 response body is not JSON"),
        (200, body({"created": 1}), EXPECT, "the response has no 'data' list"),
        (200, body(success_body(n=2)), EXPECT, "'data' has 2 items, expected 1"),
        (200, body(_with(data=[{"b64_json": "@@@"}])), EXPECT, "data[0].b64_json is not valid base64"),
        (200, body(_with(data=[{"url": "https://x"}])), EXPECT, "data[0] has no b64_json"),
        (
            200,
            body(_with(data=[{"b64_json": base64.b64encode(b"hello").decode()}])),
            EXPECT,
            "data[0] does not decode to an image",
        ),
        (200, body(success_body(fmt="jpeg")), EXPECT, "data[0] is jpeg, expected png"),
        (200, body(success_body(size="1024x1536")), EXPECT, "data[0] is 1024x1536, expected 1024x1024"),
        (200, body(_with(usage=None)), EXPECT, "the response has no 'usage' object"),
        (
            200,
            body(_with(usage={"input_tokens": 1, "output_tokens": 2, "total_tokens": 9})),
            EXPECT,
            "usage.total_tokens is not input_tokens + output_tokens",
        ),
        (
            200,
            body(_with(usage={"input_tokens": -1, "output_tokens": 2, "total_tokens": 1})),
            EXPECT,
            "usage.input_tokens is -1, not a non-negative integer",
        ),
        (202, body(success_body()), EXPECT, "expected HTTP 200, got 202"),
    ],
)
def test_every_way_a_2xx_can_be_wrong_is_invalid_response(status, raw, expect, message):
    verdict = images_verdict(status, raw, expect)
    assert verdict.failure is not None
    assert (verdict.failure.kind, verdict.failure.message) == (FailureKind.INVALID_RESPONSE, message)


def test_size_auto_accepts_any_size_and_n_is_counted():
    verdict = images_verdict(200, body(success_body(n=3, size="1536x1024")), Expectation(3, "auto", "png"))
    assert verdict.passed and len(verdict.images) == 3


def test_an_error_status_is_classified():
    verdict = images_verdict(429, b'{"error":{"code":"429","message":"slow down"}}', EXPECT)
    assert verdict.failure.kind is FailureKind.THROTTLED


def _edit_body(result: bytes) -> bytes:
    return body(_with(data=[{"b64_json": base64.b64encode(result).decode()}]))


def _paint_centre(base: bytes) -> bytes:
    img = Image.open(io.BytesIO(base)).convert("RGB")
    img.paste((255, 0, 255), (384, 384, 640, 640))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_edit_reports_change_inside_and_outside_the_mask():
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(200, _edit_body(_paint_centre(base)), EXPECT, base, mask)
    assert verdict.passed
    assert verdict.details["changedInsideMask"] > 0.9
    assert verdict.details["changedOutsideMask"] < 0.01


def test_edit_threshold_is_off_by_default_and_fails_a_full_repaint_when_set():
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    repaint = _edit_body(image_bytes(colour=(0, 0, 0)))
    assert edit_verdict(200, repaint, EXPECT, base, mask).passed
    verdict = edit_verdict(200, repaint, EXPECT, base, mask, max_outside_change=0.2)
    assert verdict.failure.kind is FailureKind.INVALID_RESPONSE
    assert verdict.failure.message.startswith("the edit changed 100.0% of the image outside the mask")


def _repaint_outside(base: bytes, mask: bytes) -> bytes:
    """Everything outside the mask's transparent pixels painted over; the editable area left as it was."""
    original = Image.open(io.BytesIO(base)).convert("RGB")
    editable = Image.open(io.BytesIO(mask)).getchannel("A").point(lambda v: 255 if v == 0 else 0)
    out = Image.new("RGB", original.size, (255, 0, 255))
    out.paste(original, (0, 0), editable)
    buffer = io.BytesIO()
    out.save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_edit_that_keeps_the_outside_passes_the_threshold_however_much_it_changed_inside():
    # The masked area is repainted completely (100% inside) and nothing else: the threshold is about
    # the outside only, so this edit passes even with a threshold of zero.
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(200, _edit_body(_paint_centre(base)), EXPECT, base, mask, max_outside_change=0.0)
    assert verdict.passed, verdict.failure
    assert verdict.details["changedInsideMask"] == 1.0
    assert verdict.details["changedOutsideMask"] == 0.0


def test_an_edit_that_repaints_the_outside_fails_although_the_inside_is_untouched():
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(200, _edit_body(_repaint_outside(base, mask)), EXPECT, base, mask, 0.2)
    assert verdict.failure is not None
    assert verdict.failure.kind is FailureKind.INVALID_RESPONSE
    assert verdict.failure.message == (
        "the edit changed 100.0% of the image outside the mask, above the threshold of 20.0%"
    )
    assert verdict.details["changedInsideMask"] < 0.01
    assert verdict.details["changedOutsideMask"] == 1.0
    assert len(verdict.images) == 1


def test_an_edit_exactly_at_the_threshold_passes():
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(200, _edit_body(_repaint_outside(base, mask)), EXPECT, base, mask, 1.0)
    assert verdict.passed


def test_an_edit_response_that_is_not_an_image_fails_before_any_comparison():
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(200, b"not json", EXPECT, base, mask, 0.2)
    assert verdict.failure is not None and verdict.failure.message == "the 200 response body is not JSON"


@pytest.mark.parametrize(
    ("status", "raw", "passed", "kind"),
    [
        (
            403,
            b'{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is '
            b'disabled"}}',
            True,
            None,
        ),
        (200, body(success_body()), False, FailureKind.KEYLESS_VIOLATED),
        (
            401,
            b'{"error":{"code":"401","message":"Access denied due to invalid subscription key"}}',
            False,
            FailureKind.KEYLESS_VIOLATED,
        ),
        (
            404,
            b'{"error":{"code":"DeploymentNotFound","message":"no"}}',
            False,
            FailureKind.DEPLOYMENT_NOT_FOUND,
        ),
    ],
)
def test_keyless_passes_only_when_key_auth_itself_is_refused(status, raw, passed, kind):
    verdict = keyless_verdict(status, raw)
    assert verdict.passed is passed
    assert (verdict.failure.kind if verdict.failure else None) is kind
