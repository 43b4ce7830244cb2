"""The case grid as a reader of the report sees it: one row per case, one column per deployment, failures
first; the left cell says what was asked (route, prompt, parameters, expectations, input images and mask),
each other cell what that deployment did (verdict, failure and hint, measured values, output images,
latency, attempts, usage tokens, request ids). The grid is parsed into a small element tree, so each test
reads the cell it is about, the way a browser would show it."""

from __future__ import annotations

import io

from PIL import Image

from smoke.classify import failure
from smoke.reports.cases import Column, case_grid, result_cell
from smoke.results import (
    Attempt,
    CheckResult,
    CheckStatus,
    FailureKind,
    ImageArtifact,
    RequestRecord,
)
from tests.smoke.fakes import image_bytes, target
from tests.smoke.html_tree import Element, parse


def cell(result: CheckResult | None) -> Element:
    return parse(result_cell(result)).one("td")


def grid(*columns: Column) -> Element:
    return parse(case_grid(columns)).one("table")


def rows(table: Element) -> list[Element]:
    return table.one("tbody").all("tr")


def meta_lines(element: Element) -> list[str]:
    return [m.text() for m in element.all("div", "meta")]


def rgba_png(width: int, height: int, alpha: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, alpha)).save(out, format="PNG")
    return out.getvalue()


T = target(source="dev")
OK = Attempt(1, 100.0, 1.5, 200, "req-1", "ok")


def result(check: str, status: CheckStatus = CheckStatus.PASSED, **kw: object) -> CheckResult:
    return CheckResult(T, check, status, **kw)  # type: ignore[arg-type]


def failed(check: str, **kw: object) -> CheckResult:
    return result(check, CheckStatus.FAILED, failure=failure(FailureKind.SERVER_ERROR, "boom"), **kw)


# The verdict


def test_a_passed_cell_carries_the_passed_badge_and_class() -> None:
    td = cell(result("generate", attempts=(OK,)))
    assert td.classes() == ["passed"]
    badge = td.one("span", "badge")
    assert (badge.classes(), badge.text()) == (["badge", "passed"], "PASSED")


def test_a_failed_cell_names_the_failure_kind_its_message_and_the_hint() -> None:
    why = failure(FailureKind.THROTTLED, "Rate limited [429].")
    td = cell(result("edit", CheckStatus.FAILED, failure=why, attempts=(OK,)))
    assert td.classes() == ["failed"]
    assert td.one("span", "badge").text() == "FAILED"
    assert td.one("b").text() == "throttled"
    assert td.text().startswith(f"FAILED throttled: Rate limited [429].{why.hint}")
    assert td.one("div", "hint").text() == why.hint


def test_a_skipped_cell_says_why_it_was_skipped() -> None:
    td = cell(result("keyless", CheckStatus.SKIPPED, skip_reason="key auth is <disabled>"))
    assert td.classes() == ["skipped"]
    assert td.text().startswith("SKIPPED key auth is <disabled>")


def test_a_failure_is_shown_instead_of_a_skip_reason() -> None:
    td = cell(failed("edit", skip_reason="never shown"))
    assert "never shown" not in td.text()


def test_a_deployment_that_did_not_run_a_case_says_not_run() -> None:
    td = cell(None)
    assert (td.classes(), td.text()) == (["missing"], "not run")


# Latency, attempts, tokens and ids


def test_the_last_line_gives_latency_attempts_and_usage_tokens() -> None:
    throttled = Attempt(1, 100.0, 0.5, 429, "req-1", "throttled", 0.25)
    done = Attempt(2, 101.0, 12.345, 200, "req-2", "ok")
    usage = {"usage": {"total_tokens": 12345}}
    td = cell(result("generate", attempts=(throttled, done), details=usage))
    assert meta_lines(td)[-1] == "latency 12.35 s, 2 attempts (429 throttled \u2192 200 ok), 12,345 tokens"


def test_one_attempt_is_counted_in_the_singular_and_tokens_are_left_out_when_unknown() -> None:
    td = cell(result("generate", attempts=(OK,)))
    assert meta_lines(td)[-1] == "latency 1.50 s, 1 attempt (200 ok)"


def test_an_attempt_that_got_no_answer_shows_a_dash_for_its_status() -> None:
    refused = Attempt(1, 100.0, 0.01, None, None, "connection_error")
    td = cell(result("generate", CheckStatus.FAILED, attempts=(refused,)))
    assert meta_lines(td)[-1] == "latency 0.01 s, 1 attempt (- connection_error)"


def test_a_check_that_sent_no_request_has_no_latency_and_no_ids() -> None:
    td = cell(failed("edit"))
    assert td.layout() == ["span.badge.failed", " ", "b", ": boom", "div.hint", "div.meta"]
    assert meta_lines(td)[-1] == "latency -, no request"


def test_the_ids_shown_are_those_azure_returned_to_the_last_attempt() -> None:
    first = Attempt(1, 100.0, 0.5, 500, "req-1", "server_error", ids=(("apim-request-id", "first"),))
    last = Attempt(
        2, 101.0, 0.5, 200, "req-2", "ok", ids=(("apim-request-id", "a<b>"), ("x-ms-region", "East US"))
    )
    ids = cell(result("generate", attempts=(first, last))).one("div", "ids")
    assert ids.text() == "apim-request-id: a<b>\nx-ms-region: East US"
    assert [s.text() for s in ids.all("span", "mono")] == ["a<b>", "East US"]


def test_without_returned_ids_the_last_request_id_is_shown() -> None:
    first = Attempt(1, 100.0, 0.5, 500, "req-1", "server_error")
    last = Attempt(2, 101.0, 0.5, 200, "req-2", "ok")
    ids = cell(result("generate", attempts=(first, last))).one("div", "ids")
    assert ids.text() == "request id: req-2"
    assert ids.one("span", "mono").text() == "req-2"


def test_returned_ids_are_preferred_to_the_request_id() -> None:
    last = Attempt(1, 100.0, 0.5, 200, "req-1", "ok", ids=(("x-request-id", "xr-1"),))
    assert cell(result("generate", attempts=(last,))).one("div", "ids").text() == "x-request-id: xr-1"


def test_attempts_without_any_id_show_no_ids() -> None:
    silent = Attempt(1, 100.0, 0.5, None, None, "timeout")
    assert cell(result("generate", CheckStatus.FAILED, attempts=(silent,))).all("div", "ids") == []


# Measured values and images


def test_measured_values_are_labelled_in_a_fixed_order_with_fractions_as_percentages() -> None:
    details = {
        "usage": {"total_tokens": 10},
        "changedOutsideMask": 0.004,
        "count": 2,
        "changedInsideMask": 0.42,
        "size": "1024x1024",
        "format": "png",
        "note": "not a measured value",
    }
    td = cell(result("edit", attempts=(OK,), details=details))
    assert meta_lines(td)[0] == (
        "measured: format png, size 1024x1024, images 2, changed inside mask 42.0%, changed outside mask 0.4%"
    )


def test_a_refusal_and_the_edit_input_are_shown_as_measured() -> None:
    details = {"refusedWith": "content_filter", "baseImage": "a <generated> image"}
    td = cell(result("refused", attempts=(OK,), details=details))
    assert meta_lines(td)[0] == "measured: refused with content_filter, edit input a <generated> image"


def test_a_fraction_that_is_not_a_number_is_shown_as_given() -> None:
    td = cell(result("edit", attempts=(OK,), details={"changedInsideMask": "n/a"}))
    assert meta_lines(td)[0] == "measured: changed inside mask n/a"


def test_a_cell_without_measured_values_has_no_measured_line() -> None:
    td = cell(result("generate", attempts=(OK,), details={"note": "x"}))
    assert [line for line in meta_lines(td) if line.startswith("measured")] == []


def test_each_output_image_is_inlined_at_its_size_with_a_caption() -> None:
    images = (
        ImageArtifact(0, "png", 64, 32, image_bytes(64, 32)),
        ImageArtifact(1, "jpeg", 48, 48, image_bytes(48, 48, "JPEG")),
    )
    td = cell(result("generate", attempts=(OK,), images=images))
    figures = td.all("figure")
    assert [f.one("figcaption").text() for f in figures] == ["output 1 (64x32 png)", "output 2 (48x48 jpeg)"]
    shown = [f.one("img").attrs for f in figures]
    assert [(a["width"], a["height"], a["alt"]) for a in shown] == [
        ("64", "32", "output 1 (64x32 png)"),
        ("48", "48", "output 2 (48x48 jpeg)"),
    ]
    assert all(str(a["src"]).startswith("data:image/jpeg;base64,") for a in shown)
    # Eager, so that a printed or saved report holds every image, not only those scrolled to.
    assert [a["loading"] for a in shown] == ["eager", "eager"]


# What was asked


def edit_request(**kw: object) -> RequestRecord:
    inputs = (ImageArtifact(0, "png", 64, 32, image_bytes(64, 32)),)
    return RequestRecord("edit", **{"inputs": inputs, **kw})  # type: ignore[arg-type]


def asked(*results: CheckResult) -> Element:
    """The left cell of the one row of a grid with a column per result."""
    columns = [Column(f"d{i}", "m", {r.check: r}) for i, r in enumerate(results)]
    (row,) = rows(grid(*columns))
    return row.elements()[0]


def test_the_case_cell_names_the_case_and_is_a_link_target() -> None:
    left = asked(result("room-window", attempts=(OK,)))
    name = left.one("div", "case-id")
    assert (name.text(), name.attrs["id"]) == ("room-window", "case-room-window")


def test_the_case_cell_gives_route_prompt_parameters_and_expectations() -> None:
    request = RequestRecord("generate", params={"size": "1024x1536", "quality": "<low>"})
    expected = {"outcome": "image", "format": "png", "max_outside_mask_change": 0.05}
    left = asked(result("shot", prompt="a <b>lamp</b>", request=request, expected=expected, attempts=(OK,)))
    assert meta_lines(left) == [
        "route generate",
        "expected: outcome image, format png, max_outside_mask_change 5.0%",
    ]
    assert left.layout() == ["div.case-id", "div.meta", "div.prompt", "div.params", "div.meta"]
    assert left.all("div", "meta")[0].one("b").text() == "generate"
    assert left.one("div", "prompt").text() == "a <b>lamp</b>"
    params = left.one("div", "params")
    assert params.layout() == ["code", "code"]
    assert [c.text() for c in params.all("code")] == ["size=1024x1536", "quality=<low>"]


def test_an_expectation_that_is_not_a_fraction_is_shown_as_written() -> None:
    left = asked(result("slow", expected={"max_latency_s": 12.5}, attempts=(OK,)))
    assert meta_lines(left) == ["expected: max_latency_s 12.5"]


def test_a_request_without_parameters_has_no_parameter_chips() -> None:
    left = asked(result("plain", request=RequestRecord("generate"), attempts=(OK,)))
    assert left.all("div", "params") == []


def test_a_built_in_check_is_explained_in_words() -> None:
    left = asked(result("keyless", CheckStatus.SKIPPED))
    assert meta_lines(left) == [
        "A request with an API key must be refused as key auth (the account is keyless)."
    ]


def test_a_check_that_is_neither_a_request_nor_built_in_has_only_its_name() -> None:
    left = asked(result("custom", attempts=(OK,)))
    assert [e.classes() for e in left.elements()] == [["case-id"]]


def test_an_edit_shows_its_input_images_and_the_mask_over_the_first() -> None:
    second = ImageArtifact(1, "png", 16, 16, image_bytes(16, 16))
    first = edit_request().inputs[0]
    request = edit_request(inputs=(first, second), mask=rgba_png(64, 32, 0))
    left = asked(result("edit", request=request, attempts=(OK,)))
    figures = left.all("figure")
    captions = [f.one("figcaption").text() for f in figures]
    assert captions == ["input 1 (64x32)", "input 2 (16x16)", "mask (tinted = editable)"]
    sizes = [(f.one("img").attrs["width"], f.one("img").attrs["height"]) for f in figures]
    assert sizes == [("64", "32"), ("16", "16"), ("64", "32")]


def test_an_edit_without_a_mask_shows_only_its_inputs() -> None:
    left = asked(result("edit", request=edit_request(), attempts=(OK,)))
    assert [f.one("figcaption").text() for f in left.all("figure")] == ["input 1 (64x32)"]


def test_the_case_cell_is_described_from_the_first_column_that_ran_the_case() -> None:
    left = asked(result("shot", prompt="from the first", attempts=(OK,)), result("shot", prompt="second"))
    assert left.one("div", "prompt").text() == "from the first"


# The grid


def test_the_grid_has_a_case_column_and_one_headed_column_per_deployment() -> None:
    stable = Column("dev/stable <1>", "gpt-image-1@2025-04-15", {"generate": result("generate")})
    candidate = Column("dev/candidate", "gpt-image-1.5@2025-12-16", {"generate": result("generate")})
    head_row = grid(stable, candidate).one("thead").one("tr")
    assert head_row.layout() == ["th", "th", "th"]
    head = head_row.all("th")
    assert [th.children[0] for th in head] == ["case", "dev/stable <1>", "dev/candidate"]
    subtitles = [th.one("div", "meta").text() for th in head[1:]]
    assert subtitles == ["gpt-image-1@2025-04-15", "gpt-image-1.5@2025-12-16"]
    assert grid(stable).classes() == ["cases"]


def test_failing_rows_come_first_and_otherwise_keep_the_order_they_ran_in() -> None:
    stable = Column("stable", "", {n: result(n) for n in ("a", "b", "c", "d")})
    candidate = Column(
        "candidate", "", {"a": result("a"), "b": result("b"), "c": failed("c"), "e": result("e")}
    )
    stable_fails = Column("stable", "", {**stable.results, "b": failed("b")})
    table = grid(stable_fails, candidate)
    assert [r.attrs["data-case"] for r in rows(table)] == ["b", "c", "a", "d", "e"]
    assert table.one("tbody").layout() == ["tr.failed", "tr.failed", "tr.ok", "tr.ok", "tr.ok"]


def test_a_grid_without_failures_keeps_the_suite_order() -> None:
    table = grid(Column("stable", "", {n: result(n) for n in ("z", "a", "m")}))
    assert [r.attrs["data-case"] for r in rows(table)] == ["z", "a", "m"]


def test_a_row_holds_each_deployments_cell_and_not_run_where_it_did_not_run() -> None:
    stable = Column("stable", "", {"shot": result("shot", prompt="the stable's prompt")})
    candidate = Column("candidate", "", {"extra": failed("extra", prompt="the candidate's prompt")})
    extra, shot = rows(grid(stable, candidate))
    assert extra.layout() == ["td", "td.missing", "td.failed"]
    assert extra.elements()[0].one("div", "prompt").text() == "the candidate's prompt"
    assert shot.layout() == ["td", "td.passed", "td.missing"]


def test_a_case_name_with_markup_stays_text_in_the_row_and_its_link_target() -> None:
    name = 'a"b<c>'
    (row,) = rows(grid(Column("stable", "", {name: result(name)})))
    assert row.attrs["data-case"] == name
    case_id = row.one("div", "case-id")
    assert (case_id.text(), case_id.attrs["id"]) == (name, f"case-{name}")
