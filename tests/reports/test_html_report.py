"""The HTML reports as a parser sees them: one self-contained document, every case and deployment present,
what servers said escaped, failures first, the emulator banner only for a loopback endpoint."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from smoke import ApiKeyAuth, SmokeOptions
from smoke.reports.html import render_html
from smoke.reports.markdown import smoke_markdown
from smoke.reports.usage import catalog_prices
from smoke.suite import load_suite, run_suite
from tests.smoke.fakes import KEY, FakeService, error, target

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "prompt-suite.yaml"
HOSTILE = '<script>alert("pwned")</script> | `rm` &'


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.scripts += tag == "script"

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def rows(self) -> list[str]:
        return [str(a["data-case"]) for t, a in self.tags if t == "tr" and "data-case" in a]


def report_for(endpoint: str = "https://acct.openai.azure.com/"):
    fake = FakeService()
    # The first answer of the run is a server error whose message carries markup.
    fake.queue.append(error(500, "InternalServerError", HOSTILE))
    fake.queue.append(error(500, "InternalServerError", HOSTILE))
    stable = target(
        endpoint=endpoint,
        model="gpt-image-1.5",
        version="2025-12-16",
        sku="GlobalStandard",
        capacity=9,
        role="stable",
    )
    options = replace(SmokeOptions(auth=ApiKeyAuth(KEY, "K"), rpm=10_000, concurrency=1))
    options = replace(options, retry=replace(options.retry, max_attempts=2, backoff_initial_s=0.0))
    return run_suite([stable], load_suite(EXAMPLE), options, http=fake.client(), sleep=lambda s: None)


@pytest.fixture(scope="module")
def parsed() -> tuple[str, Page]:
    html = render_html(report_for(), suite_name="home-goods-shop", prices=catalog_prices())
    page = Page()
    page.feed(html)
    page.close()
    return html, page


def test_every_case_appears_once_with_failures_first(parsed: tuple[str, Page]) -> None:
    _, page = parsed
    rows = page.rows()
    suite = load_suite(EXAMPLE)
    assert sorted(rows) == sorted([c.id for c in suite.cases] + ["keyless"])
    assert rows[0] == "catalogue-shot"  # the case that got the 500s
    text = " ".join(page.text)
    assert (
        "FAILED" in text
        and "gpt-image (stable): gpt-image-1.5@2025-12-16, GlobalStandard / capacity 9" in text
    )


def test_server_text_is_escaped_and_the_page_loads_nothing(parsed: tuple[str, Page]) -> None:
    html, page = parsed
    assert "<script>alert" not in html
    assert HOSTILE in "".join(page.text)  # shown to the reader as text
    assert page.scripts == 1  # only the page's own click-to-zoom script
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:"), (tag, name, value)


def test_request_ids_and_usage_are_in_the_page(parsed: tuple[str, Page]) -> None:
    html, page = parsed
    text = " ".join(page.text)
    assert "apim-request-id:" in text and "req-err" in text
    assert "usage tokens" in text and "est. price (OpenAI list, Dec 2026)" in text


def test_the_emulator_banner_shows_only_for_a_loopback_endpoint() -> None:
    azure = render_html(report_for())
    local = render_html(report_for("https://127.0.0.1:8443/accounts/dev/"))
    assert 'id="emulator-banner"' not in azure
    assert 'id="emulator-banner"' in local and "not from Azure" in local


def test_the_markdown_summary_keeps_server_text_out_of_the_table() -> None:
    report = report_for()
    text = smoke_markdown(report, "smoke.html", env={})
    assert text.splitlines()[0] == "### imagegate smoke: FAILED"
    assert "<script>" not in text
    assert (
        "| dev/gpt-image | gpt-image-1.5@2025-12-16 | ❌ failed "
        "| catalogue-shot, room-window-sunset, competitor-logo-refused |"
    ) in text
    assert text.rstrip().endswith("HTML report: `smoke.html`")
