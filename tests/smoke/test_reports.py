import io
import json
import xml.etree.ElementTree as ET

import jsonschema
from rich.console import Console

from smoke.classify import failure
from smoke.reports.html import render_html
from smoke.reports.json_report import report_to_dict
from smoke.reports.junit import junit_tree
from smoke.reports.schema import REPORT_SCHEMA
from smoke.reports.summary import PlainProgress, RichProgress, plain_summary, rich_summary
from smoke.results import Attempt, CheckResult, CheckStatus, FailureKind, ImageArtifact, SmokeReport
from smoke.runner import ProgressEvent
from tests.smoke.fakes import image_bytes, target

T = target(source="prod")
OK = Attempt(1, 100.0, 1.234, 200, "req-1", "ok")
THROTTLED = Attempt(1, 100.0, 0.5, 429, "req-2", "throttled", 0.25)
FAILED = Attempt(2, 101.0, 0.5, 429, "req-3", "throttled")
REPORT = SmokeReport(
    started_at=100.0,
    finished_at=103.0,
    checks=(
        CheckResult(
            T,
            "generate",
            CheckStatus.PASSED,
            attempts=(OK,),
            prompt="a <b>lighthouse</b>",
            images=(ImageArtifact(0, "png", 64, 32, image_bytes(64, 32)),),
        ),
        CheckResult(
            T,
            "edit",
            CheckStatus.FAILED,
            failure(FailureKind.THROTTLED, "Rate limited [429]."),
            attempts=(THROTTLED, FAILED),
        ),
        CheckResult(
            T, "keyless", CheckStatus.SKIPPED, skip_reason="the stack outputs do not say localAuthDisabled"
        ),
    ),
)


def test_plain_summary_is_exact():
    assert plain_summary(REPORT) == (
        "prod/gpt-image  generate  passed     1.23s  1\n"
        "prod/gpt-image  edit      FAILED     0.50s  2  throttled: Rate limited [429].\n"
        "                hint: The deployment stayed rate-limited after every retry; raise its capacity, "
        "lower --concurrency, or run again later.\n"
        "prod/gpt-image  keyless   skipped        -  0  the stack outputs do not say localAuthDisabled\n"
        "FAILED: 3 checks, 1 passed, 1 failed, 1 skipped\n"
    )


def test_json_report_matches_the_schema_and_records_attempts():
    doc = json.loads(json.dumps(report_to_dict(REPORT)))
    jsonschema.validate(doc, REPORT_SCHEMA)
    assert doc["checks"][1]["attempts"][0] == {
        "number": 1,
        "startedAt": 100.0,
        "latencySeconds": 0.5,
        "status": 429,
        "requestId": "req-2",
        "outcome": "throttled",
        "waitSeconds": 0.25,
        "ids": {},
    }
    assert doc["checks"][1]["requestIds"] == ["req-2", "req-3"]
    assert doc["checks"][1]["failure"]["classification"] == "throttled"


def test_junit_has_one_testcase_per_check_with_failure_and_skip():
    root = ET.fromstring(ET.tostring(junit_tree(REPORT).getroot()))
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "1", "1")
    failure_node = root.find(".//testcase[@name='edit']/failure")
    assert failure_node.get("type") == "throttled" and failure_node.get("message") == "Rate limited [429]."
    assert "request ids: req-2, req-3" in failure_node.text
    assert root.find(".//testcase[@name='keyless']/skipped") is not None


def test_html_escapes_text_and_inlines_images():
    html = render_html(REPORT)
    assert "a &lt;b&gt;lighthouse&lt;/b&gt;" in html and "<b>lighthouse" not in html
    assert html.count('src="data:image/jpeg;base64,') == 1 and "FAILED" in html


def test_rich_summary_prints_server_text_literally():
    out = io.StringIO()
    rich_summary(REPORT, Console(file=out, force_terminal=True, width=200, color_system=None))
    assert "Rate limited [429]." in out.getvalue() and "FAILED: 3 checks" in out.getvalue()


def test_progress_displays_take_every_event():
    events = [
        ProgressEvent(T, "edit", "start"),
        ProgressEvent(T, "edit", "attempt", attempt=THROTTLED),
        ProgressEvent(T, "edit", "done", result=REPORT.checks[1]),
    ]
    plain = io.StringIO()
    with PlainProgress(plain) as progress:
        for event in events:
            progress(event)
    assert plain.getvalue() == (
        "[prod/gpt-image] edit: attempt 1 throttled, retrying in 0.25s\n"
        "[prod/gpt-image] edit: failed (0.50s, 2 attempt(s)) - throttled: Rate limited [429].\n"
    )
    console_out = io.StringIO()
    console = Console(file=console_out, force_terminal=True, width=120, color_system=None)
    with RichProgress(["prod/gpt-image"], ("generate", "edit"), console) as live:
        for event in events:
            live(event)
        assert live._state[("prod/gpt-image", "edit")] == "[red]failed[/]"
