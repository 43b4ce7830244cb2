"""Running a suite through a fake Azure (httpx.MockTransport): what is sent, and each case's verdict."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from smoke import ApiKeyAuth, SmokeOptions, run_smoke
from smoke.results import CheckStatus, FailureKind
from smoke.suite import default_suite, load_suite, run_suite
from smoke.suite.verdicts import case_verdict
from tests.smoke.fakes import KEY, FakeService, error, multipart_parts, success_body, target

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prompt-suite.yaml"
OPTIONS = SmokeOptions(auth=ApiKeyAuth(KEY, "K"), rpm=10_000)
BLOCKED = error(
    400,
    "content_policy_violation",
    "Your request was rejected as a result of our safety system.",
)


def _sent(request) -> dict:
    if request.headers["content-type"].startswith("application/json"):
        return {"json": json.loads(request.content)}
    parts = multipart_parts(request)
    return {
        name: value if ctype.startswith("image/") else value.decode()
        for name, (ctype, value) in parts.items()
    }


def test_the_default_suite_sends_exactly_the_built_in_checks_requests() -> None:
    built_in, suite = FakeService(), FakeService()
    run_smoke([target()], OPTIONS, http=built_in.client(), sleep=lambda s: None)
    report = run_suite([target()], default_suite(), OPTIONS, http=suite.client(), sleep=lambda s: None)
    assert [c.check for c in report.checks] == ["generate", "edit", "keyless"]
    assert [_sent(r) for r in suite.requests] == [_sent(r) for r in built_in.requests]
    assert len(suite.requests) == 2  # the keyless probe is skipped: these outputs do not say keyless


def test_every_example_case_sends_its_own_parameters_and_inputs() -> None:
    fake = FakeService()
    suite = load_suite(EXAMPLE)
    # The refusal case is the last one: the fake blocks it like a custom blocklist does.
    service = _BlockOn("CompetitorCo", fake)
    report = run_suite([target()], suite, OPTIONS, http=service.client(), sleep=lambda s: None)
    statuses = {c.check: c.status for c in report.checks}
    # The fake answers every edit with a flat picture, which changes the whole room outside the window.
    assert statuses == {c.id: CheckStatus.PASSED for c in suite.cases} | {
        "room-window-sunset": CheckStatus.FAILED,
        "keyless": CheckStatus.SKIPPED,
    }
    window_result = next(c for c in report.checks if c.check == "room-window-sunset")
    assert window_result.failure is not None and window_result.failure.message.startswith(
        "the edit changed 100.0% of the image outside the mask, above the threshold of 5.0%"
    )
    banner = _sent(fake.requests[1])["json"]
    assert banner == {
        "prompt": "A wide banner of a cosy living room in autumn light, warm colours, no text.",
        "size": "1536x1024",
        "quality": "low",
        "n": 1,
        "output_format": "jpeg",
        "output_compression": 80,
    }
    window = multipart_parts(fake.requests[3])
    assert window["input_fidelity"] == ("text/plain", b"high") and window["mask"][0] == "image/png"
    pair = fake.requests[4].content
    assert pair.count(b'name="image[]"') == 2 and b'name="mask"' not in pair
    refused = next(c for c in report.checks if c.check == "competitor-logo-refused")
    assert refused.details["refusedWith"] == "content_policy_violation"
    assert refused.attempts[-1].ids == (("apim-request-id", "req-err"),)
    assert report.usage_tokens == sum(c.usage_tokens or 0 for c in report.checks) > 0


class _BlockOn:
    """The fake service, refusing prompts that contain ``term`` as Azure's blocklists do."""

    def __init__(self, term: str, inner: FakeService) -> None:
        self.term, self.inner = term, inner

    def __call__(self, request):
        if self.term.encode() in request.content:
            self.inner.queue.appendleft(BLOCKED)
        return self.inner(request)

    def client(self):
        import httpx

        return httpx.Client(transport=httpx.MockTransport(self))


def _case(tmp_path: Path, body: str):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(body))
    return load_suite(path).cases[0]


def test_an_expected_refusal_that_returns_images_fails_as_not_refused(tmp_path: Path) -> None:
    case = _case(tmp_path, "cases: [{id: r, route: generate, prompt: x, expect: {outcome: content_filter}}]")
    verdict = case_verdict(case, 200, json.dumps(success_body(2)).encode(), 0.2)
    assert verdict.failure is not None and verdict.failure.kind is FailureKind.NOT_REFUSED
    assert verdict.failure.message == (
        "Expected the content filter to refuse this prompt, but the deployment answered "
        "HTTP 200 with 2 images."
    )
    other = case_verdict(case, 503, json.dumps({"error": {"code": "x", "message": "busy"}}).encode(), 0.2)
    assert other.failure is not None and other.failure.kind is FailureKind.SERVER_ERROR


def test_a_correct_answer_over_the_latency_budget_fails_and_keeps_what_was_measured(tmp_path: Path) -> None:
    case = _case(tmp_path, "cases: [{id: g, route: generate, prompt: x, expect: {max_latency_seconds: 1}}]")
    body = json.dumps(success_body()).encode()
    slow = case_verdict(case, 200, body, 2.5)
    assert slow.failure is not None and slow.failure.kind is FailureKind.OVER_LATENCY_BUDGET
    assert slow.failure.message == "The answer took 2.50 s, over the case's budget of 1 s."
    assert slow.details["size"] == "1024x1024" and len(slow.images) == 1
    assert case_verdict(case, 200, body, 0.5).passed


def test_the_wrong_format_or_count_is_measured_against_the_expectation(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        "cases: [{id: g, route: generate, prompt: x, params: {n: 2, output_format: jpeg}, "
        "expect: {count: 2}}]",
    )
    verdict = case_verdict(case, 200, json.dumps(success_body(1, fmt="jpeg")).encode(), 0.1)
    assert verdict.failure is not None and verdict.failure.message == "'data' has 1 items, expected 2"
