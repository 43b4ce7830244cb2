"""A local version rollout gated by the team's prompt suite: the real rollout command, the local engine
applying the real program to the emulator, the suite run on the stable and the candidate side by side.
A regression injected on the candidate (the emulator filters its output) stops the rollout and rolls it
back, and the evidence page shows why - checked in a real browser where chromium is installed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main as imagegate_main
from rollout.local_driver import LocalDriver
from tests.reports.chromium import CHROMIUM, render, screenshot_path
from tests.rollout.conftest import NEW_VERSION, up_in_this_process

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "prompt-suite.yaml"
SUBDOMAIN = "imagegate-dev-img"
TARGET = f"gpt-image-1.5@{NEW_VERSION}"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, Path]]:
    from tests.rollout.conftest import override_catalog_data

    catalog = tmp_path_factory.mktemp("catalog") / "catalog.json"
    catalog.write_text(json.dumps({**override_catalog_data(), "rpmPerCapacityUnit": 600}))
    with running_emulator({"accounts": []}, catalog=catalog) as emu:
        yield emu, catalog


@pytest.fixture
def stack(
    emulator: tuple[RunningEmulator, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    emu, catalog = emulator
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    emu.clear_faults()
    shutil.copy(REPO / "Pulumi.yaml", tmp_path)
    doc = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    # The team's blocklist, which the suite's refusal case relies on (a custom blocklist on the account).
    doc["config"]["imagegate:contentFilter"]["blockTerms"] = ["CompetitorCo"]
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(yaml.safe_dump(doc, sort_keys=False))
    driver = LocalDriver("dev", config, emu.base_url, ca_bundle=emu.ca_file, on_output=lambda line: None)
    up_in_this_process(driver)
    return {"emu": emu, "config": config, "driver": driver, "dir": tmp_path}


def rollout(stack: dict[str, Any], *args: str) -> int:
    emu = stack["emu"]
    return imagegate_main(
        [
            "rollout", "run", "--config", str(stack["config"]), "--driver", "local",
            "--arm-endpoint", emu.base_url, "--ca-bundle", emu.ca_file, "--conflict-wait", "0.1",
            "--skip-preflight", "--to", TARGET, "--suite", str(EXAMPLE), *args,
        ]
    )  # fmt: skip


class Rows(HTMLParser):
    """The case rows of each case grid, in order, with the badges of their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.grids: list[list[tuple[str, list[str]]]] = []
        self.ids: list[str] = []
        self.in_grid = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("class") == "cases":
            self.grids.append([])
            self.in_grid = True
        elif tag == "tr" and "data-case" in a and self.in_grid:
            self.grids[-1].append((str(a["data-case"]), []))
        elif tag == "span" and str(a.get("class", "")).startswith("badge ") and self.in_grid:
            self.grids[-1][-1][1].append(str(a["class"]).split()[1])
        if a.get("id"):
            self.ids.append(str(a["id"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_grid = False


def test_a_regression_on_the_candidate_stops_the_rollout_with_the_evidence(
    stack: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = stack["emu"]
    step_summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    # The new version's output filter refuses what the current one draws: every image the suite asks for.
    emu.set_fault(SUBDOMAIN, "gpt-image-candidate", contentFilterOutput=True)
    html, summary, report = tmp_path / "rollout.html", tmp_path / "summary.md", tmp_path / "rollout.json"
    code = rollout(stack, "--html", str(html), "--summary-md", str(summary), "--json", str(report))
    out = capsys.readouterr().out
    assert code == 1, out
    assert "[2/5] smoke-candidate: FAILED - smoke failed on gpt-image-candidate: gpt-image-candidate " in out
    assert (
        "regressed against gpt-image: the candidate fails 5 cases the stable passes: "
        "catalogue-shot (content_filter), homepage-banner (content_filter), sticker-pair (content_filter), "
        "room-window-sunset (content_filter), mug-on-pattern (content_filter)" in out
    )

    # Rolled back: the stack serves the old version and the candidate is gone.
    deployments = stack["driver"].outputs()["deployments"]
    assert set(deployments) == {"gpt-image"} and deployments["gpt-image"]["version"] == "2025-12-16"
    data = json.loads(report.read_text())
    assert data["status"] == "rolled-back" and data["failedStep"] == "smoke-candidate"
    gate = data["smokeReports"][0]["gate"]
    assert gate["passed"] is False and data["smokeReports"][0]["baseline"] == "gpt-image"
    assert gate["regressions"] == [
        "catalogue-shot", "homepage-banner", "sticker-pair", "room-window-sunset", "mug-on-pattern",
    ]  # fmt: skip

    page = html.read_text()
    rows = Rows()
    rows.feed(page)
    assert {"verdict", "emulator-banner", "decision", "comparison"} <= set(rows.ids)
    comparison = rows.grids[0]
    # Failures first: the five regressed cases, then the refusal and the keyless check that both pass.
    assert [name for name, _ in comparison][:5] == gate["regressions"]
    assert all(badges == ["passed", "failed"] for _, badges in comparison[:5])
    assert dict(comparison)["competitor-logo-refused"] == ["passed", "passed"]
    assert "FAILED &mdash; imagegate rollout dev" in page
    assert "The content filter blocked the generated image (contentFilter:" in page
    assert "rollback-remove-candidate" in page and "apim-request-id" in page

    text = summary.read_text()
    assert text.startswith(f"### imagegate rollout dev: gpt-image-1.5@2025-12-16 -> {TARGET}: FAILED\n")
    assert "| smoke-candidate | gpt-image-candidate vs gpt-image | ❌ failed |" in text
    assert step_summary.read_text() == text + "\n"

    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent; the browser half of this test needs `apt-get install -y chromium`"
        )
    shown = render(html, screenshot_path(tmp_path, "rollout-report.png"))
    assert shown.console_errors == [] and shown.failed_requests == []
    assert shown.images and all(
        i["complete"] and i["naturalWidth"] > 0 and i["width"] > 0 and i["height"] > 0 and i["visible"]
        for i in shown.images
    )
    assert "Local emulator" in shown.text and "regressions: catalogue-shot" in shown.text


def test_a_candidate_that_keeps_every_case_is_promoted_side_by_side(
    stack: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "rollout.html"
    code = rollout(stack, "--html", str(html), "--max-latency-ratio", "3")
    out = capsys.readouterr().out
    assert code == 0, out
    assert (
        "  suite: home-goods-shop (6 cases) on the candidate and on gpt-image; gate: no case regresses, "
        in out
    )
    assert "gpt-image-candidate passes every case gpt-image passes; p95 latency " in out
    assert stack["driver"].outputs()["deployments"]["gpt-image"]["version"] == NEW_VERSION
    rows = Rows()
    rows.feed(html.read_text())
    # The comparison (stable | candidate), then smoke-stable after promotion (one column).
    assert all(badges in (["passed", "passed"], ["skipped", "skipped"]) for _, badges in rows.grids[0]), (
        rows.grids
    )
    assert len(rows.grids) == 2 and all(b in (["passed"], ["skipped"]) for _, b in rows.grids[1])
    assert "PASSED &mdash; imagegate rollout dev" in html.read_text()


def test_a_suite_the_target_model_cannot_serve_changes_nothing(
    stack: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text("cases:\n  - {id: square, route: generate, prompt: x, params: {size: 1000x1000}}\n")
    before = stack["config"].read_text()
    code = imagegate_main(
        [
            "rollout",
            "plan",
            "--config",
            str(stack["config"]),
            "--to",
            "gpt-image-2@2026-04-21",
            "--suite",
            str(suite),
        ]
    )
    assert code == 2
    assert capsys.readouterr().err == (
        f"Error: The prompt suite {suite} asks for what the models cannot do; nothing was changed:\n"
        "  - case square: deployment gpt-image runs gpt-image-1.5, which the catalog says does not support "
        "size '1000x1000' (not a size it supports); accepted: 1024x1024, 1536x1024, 1024x1536, auto.\n"
        "  - case square: deployment gpt-image-2 runs gpt-image-2, which the catalog says does not support "
        "size '1000x1000' (both edges must be multiples of 16); accepted: auto, or a custom WIDTHxHEIGHT.\n"
    )
    assert stack["config"].read_text() == before
