"""The verdicts' edges, value for value: the 2xx boundary, what a passing verdict keeps, and the exact
failure a keyless check reports. A report, a JUnit file and a pipeline gate all read these fields."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from smoke.checks import Expectation, Verdict, edit_verdict, images_verdict, keyless_verdict, usage_problem
from smoke.classify import hint_for
from smoke.images import fixture_bytes
from smoke.results import Failure, FailureKind
from tests.smoke.fakes import success_body
from tests.smoke.test_checks import _edit_body, _repaint_outside

EXPECT = Expectation()
KEYLESS_HINT = (
    "The stack promises keyless (localAuthDisabled) but the account still evaluates API keys; "
    "set disableLocalAuth on the account and re-run `pulumi up`."
)


def _body(doc: object) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize("status", [199, 300, 302, 404, 500])
def test_a_status_outside_2xx_is_classified_not_judged_as_an_image(status: int) -> None:
    verdict = images_verdict(status, _body(success_body()), EXPECT)
    assert verdict.failure is not None
    assert verdict.failure.kind is not FailureKind.INVALID_RESPONSE
    assert verdict.failure.status == status
    assert verdict.images == ()


@pytest.mark.parametrize("status", [201, 204, 299])
def test_a_2xx_other_than_200_is_an_invalid_response(status: int) -> None:
    verdict = images_verdict(status, _body(success_body()), EXPECT)
    assert verdict.failure == Failure(
        FailureKind.INVALID_RESPONSE,
        f"expected HTTP 200, got {status}",
        hint_for(FailureKind.INVALID_RESPONSE),
    )


@pytest.mark.parametrize("item", ["a string", 7, None, {"b64_json": ""}, {"b64_json": 5}])
def test_an_item_without_a_base64_string_has_no_b64_json(item: object) -> None:
    doc = success_body()
    doc["data"] = [item]
    verdict = images_verdict(200, _body(doc), EXPECT)
    assert verdict.failure is not None and verdict.failure.message == "data[0] has no b64_json"


def test_a_passing_verdict_keeps_every_image_with_its_index_and_the_usage() -> None:
    doc = success_body(n=2)
    verdict = images_verdict(200, _body(doc), Expectation(n=2))
    assert verdict.passed
    assert [(i.index, i.format, i.width, i.height) for i in verdict.images] == [
        (0, "png", 1024, 1024),
        (1, "png", 1024, 1024),
    ]
    assert verdict.images[1].data == base64.b64decode(doc["data"][1]["b64_json"])
    assert verdict.details == {"usage": doc["usage"]}


@pytest.mark.parametrize(
    ("usage", "problem"),
    [
        ({"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}, None),
        ({"input_tokens": 0, "output_tokens": 1, "total_tokens": 1}, None),
        ({"input_tokens": 1, "output_tokens": 0, "total_tokens": 1},
         "usage.output_tokens is 0 for a response that carries images"),
        ({"input_tokens": True, "output_tokens": 1, "total_tokens": 2},
         "usage.input_tokens is True, not a non-negative integer"),
        ({"input_tokens": 1, "output_tokens": "2", "total_tokens": 3},
         "usage.output_tokens is '2', not a non-negative integer"),
        ({"input_tokens": 1, "output_tokens": 2}, "usage.total_tokens is None, not a non-negative integer"),
        ([1, 2, 3], "the response has no 'usage' object"),
    ],
)
def test_usage_problems_are_named_exactly(usage: object, problem: str | None) -> None:
    assert usage_problem(usage) == problem


def test_an_edit_reports_both_shares_rounded_to_four_places_and_keeps_its_image() -> None:
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(200, _edit_body(_repaint_outside(base, mask)), EXPECT, base, mask)
    assert verdict.passed
    assert verdict.details["changedInsideMask"] == 0.0007  # 3 of 4096 pixels: 0.000732...
    assert verdict.details["changedOutsideMask"] == 1.0
    assert set(verdict.details) == {"usage", "changedInsideMask", "changedOutsideMask"}
    assert [(i.index, i.width, i.height) for i in verdict.images] == [(0, 1024, 1024)]


def test_an_edit_that_fails_its_image_check_is_returned_as_that_failure() -> None:
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    verdict = edit_verdict(429, b'{"error":{"code":"429","message":"slow down"}}', EXPECT, base, mask, 0.2)
    assert verdict.failure is not None and verdict.failure.kind is FailureKind.THROTTLED
    assert "changedOutsideMask" not in verdict.details


def test_keyless_passes_with_the_code_that_refused_the_key() -> None:
    refused = b'{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is off"}}'
    expected = Verdict(None, details={"refusedWith": "AuthenticationTypeDisabled"})
    assert keyless_verdict(403, refused) == expected


@pytest.mark.parametrize("status", [200, 201, 299])
def test_keyless_fails_when_the_key_was_accepted(status: int) -> None:
    assert keyless_verdict(status, _body(success_body())) == Verdict(
        Failure(
            FailureKind.KEYLESS_VIOLATED,
            "The account accepted an API key although the stack outputs say localAuthDisabled.",
            KEYLESS_HINT,
            status,
        )
    )


def test_keyless_fails_when_the_key_was_evaluated_and_refused_as_a_bad_key() -> None:
    bad_key = b'{"error":{"code":"401","message":"Access denied due to invalid subscription key"}}'
    assert keyless_verdict(401, bad_key) == Verdict(
        Failure(
            FailureKind.KEYLESS_VIOLATED,
            "The account validated the API key instead of refusing key auth, so local auth is enabled "
            "although the stack outputs say localAuthDisabled (HTTP 401).",
            KEYLESS_HINT,
            401,
            "401",
        )
    )


def test_keyless_reports_any_other_answer_as_classified() -> None:
    verdict = keyless_verdict(503, b'{"error":{"code":"ServiceUnavailable","message":"busy"}}')
    assert verdict.failure is not None
    assert (verdict.failure.kind, verdict.failure.status) == (FailureKind.SERVER_ERROR, 503)


def test_the_outside_share_is_rounded_to_four_places() -> None:
    base, mask = fixture_bytes("base.png"), fixture_bytes("mask.png")
    img = Image.open(io.BytesIO(base)).convert("RGB")
    img.paste((255, 0, 255), (368, 368, 656, 656))  # the masked square and a 16-pixel rim around it
    out = io.BytesIO()
    img.save(out, format="PNG")
    verdict = edit_verdict(200, _edit_body(out.getvalue()), EXPECT, base, mask)
    assert verdict.details["changedOutsideMask"] == 0.0177  # 1088 of 61440 pixels: 0.017708...
    assert verdict.details["changedInsideMask"] == 1.0


def test_a_300_to_a_keyless_probe_is_not_an_accepted_key() -> None:
    verdict = keyless_verdict(300, _body(success_body()))
    assert verdict.failure is not None and verdict.failure.kind is FailureKind.BAD_REQUEST


def test_keyless_refused_by_message_alone_names_the_status() -> None:
    refused = b'{"error":{"message":"Key based authentication is disabled for this resource."}}'
    assert keyless_verdict(401, refused) == Verdict(None, details={"refusedWith": "401"})
