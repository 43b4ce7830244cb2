"""The page every HTML report shares, as a browser reads it: one self-contained document that declares
its encoding, is titled by its verdict, shows a header with PASSED/FAILED, where and when it ran and how
long it took, the emulator banner only for the emulator, and the report's sections in order with nothing
added between them."""

from __future__ import annotations

import pytest

from smoke.reports.page import (
    CSS,
    EMULATOR_BANNER,
    SCRIPT,
    DeploymentLine,
    PageHeader,
    duration,
    header_html,
    page,
    when,
)
from tests.smoke.html_tree import Element, parse

STARTED = 1772323200.0  # 2026-03-01 00:00:00 UTC
STABLE = DeploymentLine("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 9, "stable")


def header(**kw: object) -> PageHeader:
    base: dict[str, object] = dict(
        title="imagegate smoke",
        passed=True,
        stack="dev",
        endpoint="https://acct.openai.azure.com/",
        deployments=(STABLE,),
        started_at=STARTED,
        finished_at=STARTED + 125.0,
        emulator=False,
    )
    return PageHeader(**{**base, **kw})  # type: ignore[arg-type]


def facts(top: Element) -> list[tuple[str, str]]:
    listed = top.one("dl")
    assert set(listed.layout()) <= {"dt", "dd"}
    terms = listed.elements()
    return [(dt.text(), dd.text()) for dt, dd in zip(terms[::2], terms[1::2], strict=True)]


# A deployment as the header lists it


def test_a_deployment_line_gives_role_model_version_sku_and_capacity() -> None:
    assert STABLE.text() == "gpt-image (stable): gpt-image-1.5@2025-12-16, GlobalStandard / capacity 9"


def test_a_deployment_line_marks_an_unknown_model_and_version_and_leaves_out_the_rest() -> None:
    assert DeploymentLine("other").text() == "other: ?@?"


def test_a_deployment_line_with_only_a_sku_or_only_a_capacity_shows_that_one() -> None:
    assert DeploymentLine("a", "m", sku="Standard").text() == "a: m@?, Standard"
    assert DeploymentLine("b", version="1", capacity=3).text() == "b: ?@1, capacity 3"


# When and how long


def test_times_are_given_in_utc_to_the_second() -> None:
    assert when(STARTED - 0.1) == "2026-02-28 23:59:59 UTC"
    assert when(STARTED) == "2026-03-01 00:00:00 UTC"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0, "0.0 s"), (3.04, "3.0 s"), (59.94, "59.9 s"), (60.0, "1 min 0 s"), (125.9, "2 min 5 s")],
)
def test_a_run_under_a_minute_takes_seconds_and_a_longer_one_minutes_and_seconds(
    seconds: float, shown: str
) -> None:
    assert duration(seconds) == shown


# The header


def test_the_header_says_passed_and_lists_where_when_and_how_long() -> None:
    top = parse(header_html(header(facts=(("suite", "nightly <1>"),)))).one("header")
    assert (top.attrs["id"], top.classes()) == ("verdict", ["verdict", "passed"])
    assert top.one("h1").text() == "PASSED \u2014 imagegate smoke"
    assert facts(top) == [
        ("stack", "dev"),
        ("endpoint", "https://acct.openai.azure.com/"),
        ("deployment", STABLE.text()),
        ("when", "2026-03-01 00:00:00 UTC"),
        ("took", "2 min 5 s"),
        ("suite", "nightly <1>"),
    ]


def test_a_failed_run_has_a_failed_header() -> None:
    top = parse(header_html(header(passed=False, title="rollout <dev>"))).one("header")
    assert top.classes() == ["verdict", "failed"]
    assert top.one("h1").text() == "FAILED \u2014 rollout <dev>"


def test_each_deployment_gets_a_line_of_its_own() -> None:
    other = DeploymentLine("candidate", role="candidate")
    top = parse(header_html(header(deployments=(STABLE, other)))).one("header")
    assert [v for k, v in facts(top) if k == "deployment"] == [STABLE.text(), "candidate (candidate): ?@?"]


def test_a_clock_that_stepped_back_shows_no_negative_duration() -> None:
    top = parse(header_html(header(finished_at=STARTED - 5.0))).one("header")
    assert dict(facts(top))["took"] == "0.0 s"


def test_only_an_emulator_run_gets_the_banner_after_the_header() -> None:
    assert parse(header_html(header())).layout() == ["header.verdict.passed"]
    top = parse(header_html(header(emulator=True)))
    assert top.layout() == ["header.verdict.passed", "div.banner"]
    shown = top.elements()
    banner = shown[1]
    assert (banner.classes(), banner.attrs["role"]) == (["banner"], "alert")
    assert banner.attrs["id"] == "emulator-banner"
    assert banner.text() == EMULATOR_BANNER


# The whole page


def document(h: PageHeader, sections: list[str]) -> Element:
    (html,) = [e for e in parse(page(h, sections)).elements() if e.tag == "html"]
    return html


def test_the_page_is_titled_by_its_verdict_and_declares_language_and_encoding() -> None:
    html = document(header(passed=False, title="a <b>"), ["<p>x</p>"])
    assert html.attrs["lang"] == "en"
    head = html.one("head")
    assert head.layout() == ["meta", "meta", "link", "title", "style"]
    assert head.one("title").text() == "FAILED - a <b>"
    assert [m.attrs for m in head.all("meta")] == [
        {"charset": "utf-8"},
        {"name": "viewport", "content": "width=device-width,initial-scale=1"},
    ]
    assert document(header(), []).one("title").text() == "PASSED - imagegate smoke"


def test_the_page_starts_with_the_html5_doctype() -> None:
    assert page(header(), []).startswith("<!DOCTYPE html>\n<html")


def test_the_page_asks_for_nothing_not_even_a_favicon() -> None:
    html = document(header(), [])
    assert [(e.attrs.get("rel"), e.attrs.get("href")) for e in html.all("link")] == [("icon", "data:,")]


def test_the_page_carries_its_own_style_and_script() -> None:
    html = document(header(), [])
    assert html.one("style").text() == CSS
    assert html.one("script").text() == SCRIPT


def test_the_body_is_the_header_then_the_sections_in_order_with_nothing_added() -> None:
    sections = ["<h2>One</h2>", "<p>two &amp; three</p>"]
    body = document(header(emulator=True), sections).one("body")
    assert [e.tag for e in body.elements()] == ["header", "div", "main", "script"]
    assert [c for c in body.children if isinstance(c, str)] == []
    main = body.one("main")
    assert [(e.tag, e.text()) for e in main.elements()] == [("h2", "One"), ("p", "two & three")]
    assert [c for c in main.children if isinstance(c, str)] == ["\n", "\n", "\n"]


def test_nothing_but_the_document_is_outside_it() -> None:
    top = parse(page(header(), ["<p>x</p>"]))
    assert [e.tag for e in top.elements()] == ["html"]
    assert [c for c in top.children if isinstance(c, str)] == ["\n", "\n"]
    html = top.one("html")
    assert [e.tag for e in html.elements()] == ["head", "body"]
    assert [c for c in html.children if isinstance(c, str)] == []
