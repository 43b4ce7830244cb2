"""The HTML report's totals as a reader sees them: one row per deployment with its counts, p95 latency,
usage tokens and the catalog's cited price (or a plain "no cited price"), under the headings the page
promises; what `write_html` saves is that page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from smoke.reports.html import render_html, write_html
from smoke.results import Attempt, CheckResult, CheckStatus, SmokeReport
from smoke.suite.capabilities import TokenPrice
from tests.smoke.fakes import target

PRICES = {"gpt-image-1.5": TokenPrice(5.0, 40.0, "USD", "https://example.test/pricing")}


class Page(HTMLParser):
    """The totals table's cells row by row, and every heading and paragraph text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in_totals = False
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "totals") in attrs:
            self._in_totals = True
        elif self._in_totals and tag == "tr":
            self.rows.append([])
        elif self._in_totals and tag in ("td", "th"):
            self._cell = []
        elif tag == "h2":
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_totals = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)


def report() -> SmokeReport:
    priced = target(deployment="gpt-image", model="gpt-image-1.5", version="2025-12-16")
    unknown = target(deployment="other")
    ok = Attempt(1, 100.0, 1.5, 200, "req-1", "ok")
    return SmokeReport(
        started_at=100.0,
        finished_at=103.0,
        checks=(
            CheckResult(
                priced,
                "generate",
                CheckStatus.PASSED,
                attempts=(ok,),
                details={"usage": {"input_tokens": 1000, "output_tokens": 2000}},
            ),
            CheckResult(unknown, "keyless", CheckStatus.SKIPPED, skip_reason="key auth is disabled"),
        ),
    )


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_the_totals_show_each_deployment_with_its_counts_latency_tokens_and_cited_price() -> None:
    smoke = report()
    page = parsed(render_html(smoke, prices=PRICES))
    labels = [c.target.label for c in smoke.checks]
    assert page.rows == [
        ["deployment", "passed", "failed", "skipped", "p95 latency", "usage tokens", "estimated price"],
        [
            labels[0],
            "1",
            "0",
            "0",
            "1.50 s",
            "3,000",
            "about 0.0850 USD (catalog price, source: https://example.test/pricing)",
        ],
        [labels[1], "0", "0", "1", "-", "0", "no cited price in the catalog"],
    ]
    assert page.headings == ["Deployments", "Cases"]
    assert "Failures first. Click an image for its full-size view." in page.text
    # A deployment whose model the outputs do not name is shown as such in the case grid.
    assert "?@?" in page.text


def test_write_html_saves_the_page_with_its_prices(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html(report(), path, prices=PRICES)
    assert path.read_text("utf-8") == render_html(report(), prices=PRICES)
