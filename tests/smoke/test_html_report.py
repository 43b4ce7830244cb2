"""The HTML report read the way a browser reads it: server text (failure messages carry whatever the
service answered) must come out as text, never as markup, in every cell that shows it."""

from __future__ import annotations

from html.parser import HTMLParser

from smoke.classify import failure
from smoke.reports.html import render_html
from smoke.results import Attempt, CheckResult, CheckStatus, FailureKind, ImageArtifact, SmokeReport
from tests.smoke.fakes import image_bytes, target

# Each field gets its own hostile text, so a test failure names the cell that lost its escaping.
HOSTILE = {
    "source": '<i id="source">prod</i>',
    "deployment": 'img"<b onmouseover=x>',
    "prompt": "a <script>alert('prompt')</script> lighthouse",
    "message": "Server said <script>alert('message')</script> & left",
    "skip": "<img src=x onerror=alert('skip')>",
    "detail": "<u>detail</u>",
}
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "p", "table", "thead", "tbody", "tr",
                "th", "td", "b", "div", "br", "img"}


class _Page(HTMLParser):
    """Tags, attributes and per-cell text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _report() -> SmokeReport:
    t = target(source=HOSTILE["source"], deployment=HOSTILE["deployment"])
    ok = Attempt(1, 100.0, 1.5, 200, "req-1", "ok")
    return SmokeReport(
        started_at=100.0,
        finished_at=103.0,
        checks=(
            CheckResult(t, "generate", CheckStatus.PASSED, attempts=(ok,), prompt=HOSTILE["prompt"],
                        images=(ImageArtifact(0, "png", 64, 32, image_bytes(64, 32)),),
                        details={"note": HOSTILE["detail"], "usage": {"total_tokens": 3}}),
            CheckResult(t, "edit", CheckStatus.FAILED, failure(FailureKind.SERVER_ERROR, HOSTILE["message"]),
                        attempts=(ok, ok)),
            CheckResult(t, "keyless", CheckStatus.SKIPPED, skip_reason=HOSTILE["skip"]),
        ),
    )


def _page() -> _Page:
    page = _Page()
    page.feed(render_html(_report()))
    page.close()
    return page


def test_server_text_never_becomes_markup():
    page = _page()
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    # No attribute other than the report's own: a broken-out quote would add e.g. onmouseover.
    assert {name for _, attrs in page.tags for name in attrs} <= {"lang", "charset", "class", "src", "alt",
                                                                    "title"}


def test_every_cell_shows_the_text_literally():
    rows = [row for row in _page().rows if row]
    assert len(rows) == 3
    generate, edit, keyless = rows
    for row in rows:
        assert row[0] == HOSTILE["source"] and row[1] == HOSTILE["deployment"]
    assert generate[2:6] == ["generate", "passed", "1.50 s1 attempt(s)", HOSTILE["prompt"]]
    assert generate[6] == f"note={HOSTILE['detail']}"
    assert edit[3] == "failed" and edit[4] == "1.50 s2 attempt(s)" and edit[5] == "-"
    assert edit[6].startswith(f"server_error: {HOSTILE['message']}")
    assert keyless[3] == "skipped" and keyless[4] == "-0 attempt(s)" and keyless[6] == HOSTILE["skip"]
    assert keyless[7] == "-"


def test_the_image_alt_text_keeps_its_quotes_inside_the_attribute():
    images = [attrs for tag, attrs in _page().tags if tag == "img"]
    assert len(images) == 1
    assert images[0]["alt"] == f"generate image 0 from {HOSTILE['source']}/{HOSTILE['deployment']}"
    assert images[0]["title"] == "64x32 png"
    assert (images[0]["src"] or "").startswith("data:image/jpeg;base64,/9j/")


def test_the_heading_and_counts_say_what_happened():
    html = render_html(_report())
    assert "<title>imagegate smoke report - FAILED</title>" in html
    assert "<h1>imagegate smoke report: FAILED</h1>" in html
    assert "<p>1970-01-01 00:01:40 UTC - 1 passed, 1 failed, 1 skipped</p>" in html
    passing = SmokeReport(100.0, 101.0, _report().checks[:1])
    assert "<h1>imagegate smoke report: PASSED</h1>" in render_html(passing)
