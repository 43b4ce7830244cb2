"""The HTML report's totals as a reader sees them: one row per deployment with its counts, p95 latency,
usage tokens and the images' price at the list price the model catalog cites (labelled whose and when; no
column at all when no model has one), under the headings the page promises; what `write_html` saves is
that page, priced from the catalog."""

from __future__ import annotations

import functools
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from catalog import DEFAULT_CATALOG_PATH, load_catalog
from smoke.reports.html import render_html, write_html
from smoke.results import Attempt, CheckResult, CheckStatus, ImageArtifact, RequestRecord, SmokeReport
from tests.smoke.fakes import target

CATALOG = load_catalog(DEFAULT_CATALOG_PATH)
PRICES = {name: m.list_price for name, m in CATALOG.models.items() if m.list_price is not None}


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


@functools.cache
def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def image(width: int = 1024, height: int = 1024) -> ImageArtifact:
    return ImageArtifact(0, "png", width, height, png(width, height))


def report(quality: str = "low") -> SmokeReport:
    priced = target(deployment="gpt-image", model="gpt-image-1.5", version="2025-12-16")
    unknown = target(deployment="other")
    ok = Attempt(1, 100.0, 1.5, 200, "req-1", "ok")
    params = {"quality": quality, "size": "1024x1024"}
    return SmokeReport(
        started_at=100.0,
        finished_at=103.0,
        checks=(
            CheckResult(
                priced,
                "generate",
                CheckStatus.PASSED,
                attempts=(ok,),
                images=(image(),),
                details={"usage": {"input_tokens": 1000, "output_tokens": 2000}},
                request=RequestRecord("generate", params),
            ),
            CheckResult(
                priced,
                "edit",
                CheckStatus.PASSED,
                attempts=(ok,),
                images=(image(), image(1536, 1024)),
                request=RequestRecord("edit", params),
            ),
            CheckResult(unknown, "keyless", CheckStatus.SKIPPED, skip_reason="key auth is disabled"),
        ),
    )


def parsed(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.mark.parametrize("quality", ["low", "medium", "high"])
def test_the_totals_price_the_images_at_the_catalogs_list_price(quality: str) -> None:
    smoke = report(quality)
    page = parsed(render_html(smoke, prices=PRICES))
    labels = [smoke.checks[0].target.label, smoke.checks[2].target.label]
    per_image = CATALOG.models["gpt-image-1.5"].list_price.per_image[quality]  # type: ignore[union-attr]
    heading = ["deployment", "passed", "failed", "skipped", "p95 latency", "usage tokens"]
    assert page.rows == [
        [*heading, "est. price (OpenAI list, Dec 2026)"],
        [
            labels[0],
            "2",
            "0",
            "0",
            "1.50 s",
            "3,000",
            f"${2 * per_image:.3f} for 2 {quality} images; no list price for 1 image at 1536x1024 {quality}",
        ],
        [labels[1], "0", "0", "1", "-", "0", "no list price for ?"],
    ]
    assert page.headings == ["Deployments", "Cases"]
    assert "Failures first. Click an image for its full-size view." in page.text
    # A deployment whose model the outputs do not name is shown as such in the case grid.
    assert "?@?" in page.text


def test_the_catalog_cites_where_and_when_its_list_prices_were_read() -> None:
    low = {name: (p.per_image["low"], p.source, p.as_of) for name, p in PRICES.items()}
    assert low == {
        "gpt-image-1.5": (0.009, "https://openai.com/api/pricing/", "2026-12"),
        "gpt-image-2": (0.006, "https://openai.com/api/pricing/", "2026-12"),
    }


def test_no_list_price_means_no_price_column() -> None:
    page = parsed(render_html(report(), prices={}))
    assert page.rows[0] == ["deployment", "passed", "failed", "skipped", "p95 latency", "usage tokens"]
    assert all(len(row) == 6 for row in page.rows)


def test_write_html_prices_from_the_model_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMAGEGATE_CATALOG", raising=False)
    path = tmp_path / "report.html"
    write_html(report(), path)
    assert path.read_text("utf-8") == render_html(report(), prices=PRICES)
    assert "$0.018 for 2 low images;" in path.read_text("utf-8")
