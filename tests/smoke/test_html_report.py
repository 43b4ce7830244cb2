"""The HTML report read the way a browser reads it: text from the server (a failure message carries
whatever the service answered), from the stack outputs or from a suite must come out as text, never as
markup, wherever the page shows it. Each field gets hostile text of its own - a made-up element and an
event-handler attribute - so a failure names the field that lost its escaping, whatever the layout."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from smoke.classify import failure
from smoke.reports.html import render_html
from smoke.results import Attempt, CheckResult, CheckStatus, FailureKind, ImageArtifact, SmokeReport
from tests.smoke.fakes import image_bytes, target


def hostile(field: str) -> str:
    return f'<xss-{field} onclick="x">{field} & "quoted" \'text\'</xss-{field}>'


FIELDS = ("source", "deployment", "prompt", "message", "skip", "detail")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:
            self.text.append(data)


def _report() -> SmokeReport:
    t = target(source=hostile("source"), deployment=hostile("deployment"))
    ok = Attempt(1, 100.0, 1.5, 200, "req-1", "ok")
    return SmokeReport(
        started_at=100.0,
        finished_at=103.0,
        checks=(
            CheckResult(
                t,
                "generate",
                CheckStatus.PASSED,
                attempts=(ok,),
                prompt=hostile("prompt"),
                images=(ImageArtifact(0, "png", 64, 32, image_bytes(64, 32)),),
                details={"note": hostile("detail")},
            ),
            CheckResult(
                t,
                "edit",
                CheckStatus.FAILED,
                failure(FailureKind.SERVER_ERROR, hostile("message")),
                attempts=(ok, ok),
            ),
            CheckResult(t, "keyless", CheckStatus.SKIPPED, skip_reason=hostile("skip")),
        ),
    )


@pytest.fixture(scope="module")
def page() -> _Page:
    parsed = _Page()
    parsed.feed(render_html(_report()))
    parsed.close()
    return parsed


def test_no_server_text_becomes_an_element_or_an_attribute(page: _Page) -> None:
    assert [tag for tag, _ in page.tags if tag.startswith("xss-")] == []
    assert [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")] == []


@pytest.mark.parametrize("field", [f for f in FIELDS if f != "detail"])
def test_each_text_is_shown_literally(page: _Page, field: str) -> None:
    assert hostile(field) in "".join(page.text)
