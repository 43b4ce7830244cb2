"""The JSON and JUnit reports pinned in full, and each ``--json/--junit/--html FILE`` written to disk as
rendered: CI parses these files, so a renamed key, a lost attribute or an unwritten file breaks a
pipeline's test tab or a dashboard without any visible error."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from smoke.classify import hint_for
from smoke.reports.html import render_html, write_html
from smoke.reports.json_report import check_to_dict, report_to_dict, write_json
from smoke.reports.junit import junit_tree, write_junit
from smoke.reports.usage import catalog_prices
from smoke.results import FailureKind, ImageArtifact, RequestRecord
from tests.smoke.fakes import image_bytes, target
from tests.smoke.test_reports import REPORT

TARGET = target(source="prod", model="gpt-image-1.5", role="stable", capacity=6, local_auth_disabled=True)
EDIT = dataclasses.replace(
    REPORT.checks[1],
    target=TARGET,
    request=RequestRecord(
        "edit",
        {"size": "1024x1024", "n": 1},
        (ImageArtifact(0, "png", 64, 32, image_bytes(64, 32)),),
        image_bytes(64, 32, fmt="PNG"),
    ),
    expected={"outcome": "pass"},
)
HINT = hint_for(FailureKind.THROTTLED)
FILES = dataclasses.replace(REPORT, checks=(REPORT.checks[0], EDIT, REPORT.checks[2]))

JUNIT = f"""<testsuites name="imagegate smoke" tests="3" failures="1" skipped="1" time="3.000">
  <testsuite name="smoke.prod" tests="3" failures="1" skipped="1" errors="0">
    <testcase classname="smoke.prod.gpt-image" name="generate" time="1.234">
      <system-out>endpoint: https://acct.openai.azure.com/
request ids: req-1</system-out>
    </testcase>
    <testcase classname="smoke.prod.gpt-image" name="edit" time="1.000">
      <failure message="Rate limited [429]." type="throttled">Rate limited [429].
hint: {HINT}
attempts: 2; request ids: req-2, req-3</failure>
      <system-out>endpoint: https://acct.openai.azure.com/
request ids: req-2, req-3</system-out>
    </testcase>
    <testcase classname="smoke.prod.gpt-image" name="keyless" time="0.000">
      <skipped message="the stack outputs do not say localAuthDisabled" />
      <system-out>endpoint: https://acct.openai.azure.com/
request ids: -</system-out>
    </testcase>
  </testsuite>
</testsuites>"""


def test_the_junit_report_in_full() -> None:
    assert ET.tostring(junit_tree(FILES).getroot(), encoding="unicode") == JUNIT


def test_junit_groups_testsuites_by_source() -> None:
    other = dataclasses.replace(REPORT.checks[0], target=target(source="dev"))
    root = junit_tree(dataclasses.replace(REPORT, checks=(*REPORT.checks, other))).getroot()
    assert [(s.get("name"), s.get("tests"), s.get("failures"), s.get("skipped")) for s in root] == [
        ("smoke.prod", "3", "1", "1"),
        ("smoke.dev", "1", "0", "0"),
    ]


def test_a_check_in_the_json_report_in_full() -> None:
    assert check_to_dict(EDIT) == {
        "target": {
            "source": "prod",
            "endpoint": "https://acct.openai.azure.com/",
            "deployment": "gpt-image",
            "apiVersion": "2025-04-01-preview",
            "model": "gpt-image-1.5",
            "role": "stable",
            "capacity": 6,
            "localAuthDisabled": True,
        },
        "check": "edit",
        "request": {
            "route": "edit",
            "params": {"size": "1024x1024", "n": 1},
            "inputs": [{"index": 0, "format": "png", "width": 64, "height": 32}],
            "mask": True,
        },
        "expected": {"outcome": "pass"},
        "usageTokens": None,
        "status": "failed",
        "latencySeconds": 0.5,
        "requestIds": ["req-2", "req-3"],
        "prompt": None,
        "failure": {
            "classification": "throttled",
            "message": "Rate limited [429].",
            "hint": "The deployment stayed rate-limited after every retry; raise its capacity, lower "
            "--concurrency, or run again later.",
            "status": None,
            "code": None,
        },
        "skipReason": None,
        "attempts": [
            {
                "number": 1,
                "startedAt": 100.0,
                "latencySeconds": 0.5,
                "status": 429,
                "requestId": "req-2",
                "outcome": "throttled",
                "waitSeconds": 0.25,
                "ids": {},
            },
            {
                "number": 2,
                "startedAt": 101.0,
                "latencySeconds": 0.5,
                "status": 429,
                "requestId": "req-3",
                "outcome": "throttled",
                "waitSeconds": 0.0,
                "ids": {},
            },
        ],
        "images": [],
        "details": {},
    }
    no_mask = dataclasses.replace(EDIT, request=RequestRecord("generate"))
    assert check_to_dict(no_mask)["request"] == {
        "route": "generate",
        "params": {},
        "inputs": [],
        "mask": False,
    }
    generate = check_to_dict(REPORT.checks[0])
    assert generate["request"] is None
    assert generate["images"] == [
        {
            "index": 0,
            "format": "png",
            "width": 64,
            "height": 32,
            "bytes": len(REPORT.checks[0].images[0].data),
        }
    ]
    assert check_to_dict(REPORT.checks[2])["skipReason"] == "the stack outputs do not say localAuthDisabled"


def test_the_json_report_header() -> None:
    doc = report_to_dict(FILES)
    assert {k: v for k, v in doc.items() if k != "checks"} == {
        "schemaVersion": 1,
        "passed": False,
        "startedAt": 100.0,
        "finishedAt": 103.0,
        "counts": {"passed": 1, "failed": 1, "skipped": 1},
        "usageTokens": FILES.usage_tokens,
    }
    assert len(doc["checks"]) == 3


def test_each_report_file_holds_what_was_rendered(tmp_path: Path) -> None:
    write_json(FILES, tmp_path / "r.json")
    assert (tmp_path / "r.json").read_text("utf-8") == json.dumps(report_to_dict(FILES), indent=2) + "\n"
    write_junit(FILES, tmp_path / "r.xml")
    assert (tmp_path / "r.xml").read_text("utf-8") == "<?xml version='1.0' encoding='utf-8'?>\n" + JUNIT
    write_html(FILES, tmp_path / "r.html", suite_name="nightly")
    priced = render_html(FILES, suite_name="nightly", prices=catalog_prices())
    assert (tmp_path / "r.html").read_text("utf-8") == priced
    assert "nightly" in render_html(FILES, suite_name="nightly")


class _Page(HTMLParser):
    """The header's facts (dt/dd pairs), the heading and every table cell, as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts: list[str] = []
        self.cells: list[str] = []
        self.heading = ""
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th", "dt", "dd", "h1"):
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._text is None:
            return
        text = "".join(self._text)
        if tag in ("td", "th"):
            self.cells.append(text)
        elif tag in ("dt", "dd"):
            self.facts.append(text)
        elif tag == "h1":
            self.heading = text
        self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def test_the_html_header_and_totals_say_what_ran_and_how_it_went() -> None:
    full = target(
        source="prod",
        model="gpt-image-1.5",
        version="2025-12-16",
        sku="GlobalStandard",
        capacity=6,
        role="stable",
    )
    bare = target(source="dev", deployment="other")
    checks = (
        *(dataclasses.replace(c, target=full) for c in FILES.checks),
        dataclasses.replace(REPORT.checks[0], target=bare),
    )
    page = _Page()
    page.feed(render_html(dataclasses.replace(FILES, checks=checks), suite_name="nightly"))
    assert page.heading == "FAILED \u2014 imagegate smoke"
    assert page.facts == [
        "stack",
        "prod, dev",
        "endpoint",
        "https://acct.openai.azure.com/",
        "deployment",
        "gpt-image (stable): gpt-image-1.5@2025-12-16, GlobalStandard / capacity 6",
        "deployment",
        "other: ?@?",
        "when",
        "1970-01-01 00:01:40 UTC",
        "took",
        "3.0 s",
        "suite",
        "nightly",
        "results",
        "2 passed, 1 failed, 1 skipped",
        "usage tokens",
        "0 in total",
    ]
    assert page.cells[:18] == [
        "deployment",
        "passed",
        "failed",
        "skipped",
        "p95 latency",
        "usage tokens",
        "prod/gpt-image",
        "1",
        "1",
        "1",
        "1.23 s",
        "0",
        "dev/other",
        "1",
        "0",
        "0",
        "1.23 s",
        "0",
    ]
    passing = _Page()
    passing.feed(render_html(dataclasses.replace(REPORT, checks=REPORT.checks[:1])))
    assert passing.heading == "PASSED \u2014 imagegate smoke"
    assert passing.facts[-6:] == [
        "suite",
        "built-in checks",
        "results",
        "1 passed, 0 failed, 0 skipped",
        "usage tokens",
        "0 in total",
    ]
