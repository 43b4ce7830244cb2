"""The report files as their readers see them: a JUnit consumer (CI test tabs), a JSON consumer, a browser.

Each test parses the serialised output (XML text, JSON text, HTML text) the way a CI step would, and
pins the optional parts -- interrupted runs, missing skip reasons, missing request ids, the emulator
banner -- that the happy-path tests in test_reports.py never reach.
"""

import json
import re
import xml.etree.ElementTree as ET

from catalog import ListPrice
from smoke.classify import failure
from smoke.reports.html import render_html, totals_table
from smoke.reports.json_report import report_to_dict
from smoke.reports.junit import junit_tree
from smoke.results import Attempt, CheckResult, CheckStatus, FailureKind, SmokeReport
from tests.smoke.fakes import target

T = target(source="prod")
OK = Attempt(1, 100.0, 0.25, 200, "req-1", "ok")
PASSED = CheckResult(T, "generate", CheckStatus.PASSED, attempts=(OK,))
# A failure that never reached the server: no attempt, so no request id to quote.
UNREACHED = CheckResult(T, "edit", CheckStatus.FAILED, failure(FailureKind.CONNECTION, "Connection refused."))
SKIPPED_NO_REASON = CheckResult(T, "keyless", CheckStatus.SKIPPED)


def _report(*checks: CheckResult, interrupted: str | None = None, planned: int | None = None) -> SmokeReport:
    return SmokeReport(100.0, 101.5, checks, interrupted=interrupted, planned=planned)


def _junit(report: SmokeReport) -> ET.Element:
    # Round-trip through text: what a CI reader gets is the file, not our tree.
    tree = junit_tree(report).getroot()
    assert tree is not None
    return ET.fromstring(ET.tostring(tree, encoding="unicode"))


def _json(report: SmokeReport) -> dict:
    return json.loads(json.dumps(report_to_dict(report)))


def test_junit_interrupted_run_carries_the_signal_as_a_suite_property():
    root = _junit(_report(PASSED, interrupted="SIGINT", planned=4))
    props = root.findall("./properties/property")
    assert [(p.get("name"), p.get("value")) for p in props] == [("interrupted", "SIGINT")]


def test_junit_complete_run_has_no_properties():
    root = _junit(_report(PASSED))
    assert root.find("properties") is None and root.find(".//property") is None


def test_junit_skip_without_a_reason_still_says_skipped():
    root = _junit(_report(SKIPPED_NO_REASON))
    assert root.find(".//testcase[@name='keyless']/skipped").get("message") == "skipped"


def test_junit_failure_without_request_ids_shows_a_dash():
    root = _junit(_report(UNREACHED))
    text = root.find(".//testcase[@name='edit']/failure").text
    assert text.splitlines()[-1] == "attempts: 0; request ids: -"
    assert root.find(".//testcase[@name='edit']/system-out").text.splitlines()[-1] == "request ids: -"


def test_json_interrupted_run_names_the_signal_and_the_planned_count():
    doc = _json(_report(PASSED, interrupted="SIGTERM", planned=5))
    assert (doc["interrupted"], doc["plannedChecks"]) == ("SIGTERM", 5)
    assert doc["passed"] is False and len(doc["checks"]) == 1


def test_json_interrupted_run_without_a_plan_omits_planned_checks():
    doc = _json(_report(PASSED, interrupted="SIGINT"))
    assert doc["interrupted"] == "SIGINT" and "plannedChecks" not in doc


def test_json_complete_run_has_neither_optional_field():
    doc = _json(_report(PASSED, planned=1))
    assert "interrupted" not in doc and "plannedChecks" not in doc


def _facts(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))


def test_html_interrupted_fact_says_how_many_of_the_planned_checks_finished():
    facts = _facts(render_html(_report(PASSED, interrupted="SIGINT", planned=5)))
    assert facts["interrupted"] == "by SIGINT: 1 of 5 checks finished; only those are shown"


def test_html_interrupted_fact_without_a_plan_gives_the_finished_count_alone():
    facts = _facts(render_html(_report(PASSED, interrupted="SIGINT")))
    assert facts["interrupted"] == "by SIGINT: 1 checks finished; only those are shown"


def test_html_complete_run_has_no_interrupted_fact():
    assert "interrupted" not in _facts(render_html(_report(PASSED, planned=1)))


def test_html_header_joins_endpoints_and_dashes_an_empty_report():
    other = target(source="prod", endpoint="https://other.openai.azure.com/", deployment="b")
    facts = _facts(render_html(_report(PASSED, CheckResult(other, "generate", CheckStatus.PASSED))))
    assert facts["endpoint"] == "https://acct.openai.azure.com/, https://other.openai.azure.com/"
    empty = _facts(render_html(_report()))
    assert (empty["stack"], empty["endpoint"]) == ("-", "-")


def test_html_shows_the_emulator_banner_only_for_a_loopback_endpoint():
    local = target(endpoint="http://127.0.0.1:8080/")
    assert 'id="emulator-banner"' in render_html(_report(CheckResult(local, "generate", CheckStatus.PASSED)))
    assert 'id="emulator-banner"' not in render_html(_report(PASSED))


def test_html_sections_are_headed_and_explained():
    html = render_html(_report(PASSED))
    # The page puts one section per line inside <main>: the headings and the note are whole lines.
    main = html.split("<main>\n", 1)[1].split("\n</main>", 1)[0].split("\n")
    assert main[0] == "<h2>Deployments</h2>"
    assert main[1] == totals_table({T: [PASSED]}, {})
    assert main[2] == "<h2>Cases</h2>"
    assert main[3] == '<p class="meta">Failures first. Click an image for its full-size view.</p>'


def test_totals_table_is_exact_for_two_deployments():
    other = target(source="prod", deployment="b")
    groups = {T: [PASSED], other: [CheckResult(other, "generate", CheckStatus.SKIPPED)]}
    assert totals_table(groups, {}) == (
        '<table class="totals"><thead><tr><th>deployment</th><th>passed</th><th>failed</th><th>skipped</th>'
        "<th>p95 latency</th><th>usage tokens</th></tr></thead><tbody>"
        "<tr><td>prod/gpt-image</td><td>1</td><td>0</td><td>0</td><td>0.25 s</td><td>0</td></tr>"
        "<tr><td>prod/b</td><td>0</td><td>0</td><td>1</td><td>-</td><td>0</td></tr>"
        "</tbody></table>"
    )


def test_totals_table_prices_only_the_models_with_a_list_price():
    priced = target(source="prod", deployment="p", model="gpt-image-1.5")
    unpriced = target(source="prod", deployment="u", model="gpt-image-1")
    price = ListPrice(
        "OpenAI", "https://openai.com/api/pricing/", "2026-12", "USD", "1024x1024", {"low": 0.009}
    )
    groups = {priced: [CheckResult(priced, "keyless", CheckStatus.SKIPPED)], unpriced: []}
    assert totals_table(groups, {"gpt-image-1.5": price}) == (
        '<table class="totals"><thead><tr><th>deployment</th><th>passed</th><th>failed</th><th>skipped</th>'
        "<th>p95 latency</th><th>usage tokens</th><th>est. price (OpenAI list, Dec 2026)</th></tr></thead>"
        "<tbody><tr><td>prod/p</td><td>0</td><td>0</td><td>1</td><td>-</td><td>0</td>"
        "<td>$0.000 (no images made)</td></tr>"
        "<tr><td>prod/u</td><td>0</td><td>0</td><td>0</td><td>-</td><td>0</td>"
        "<td>no list price for gpt-image-1</td></tr>"
        "</tbody></table>"
    )
