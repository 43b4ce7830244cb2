"""``imagegate smoke run --suite`` against the real emulator, as a CI job runs it, and its HTML report in a
real browser (Debian chromium, headless): every image decodes and is visible, no console errors, nothing
fetched; the screenshot is the one docs/reports.md shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from emulator.testing import RunningEmulator, running_emulator
from smoke.reports.schema import REPORT_SCHEMA
from tests.reports.chromium import render, screenshot_path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "prompt-suite.yaml"
KEY = "suite-key-4b1d9e77c2a04f5b8e21"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}
CONFIG = {
    "accounts": [
        {
            "subdomain": "shop",
            "keys": [KEY],
            # The team's custom blocklist: the example suite's refusal case relies on it (Azure and emulator).
            "blockTerms": ["CompetitorCo"],
            "deployments": [{"name": "gpt-image", **MODEL}, {"name": "gpt-image-candidate", **MODEL}],
        }
    ]
}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG) as running:
        yield running


@pytest.fixture
def outputs(emu: RunningEmulator, tmp_path: Path) -> Path:
    emu.clear_faults()
    deployments = {
        name: {
            "model": "gpt-image-1.5",
            "version": "2025-12-16",
            "sku": "GlobalStandard",
            "capacity": 1000,
            "role": role,
        }
        for name, role in (("gpt-image", "stable"), ("gpt-image-candidate", "candidate"))
    }
    doc = {
        "environment": "shop",
        "endpoint": emu.endpoint("shop"),
        "apiVersion": "2025-04-01-preview",
        "localAuthDisabled": False,
        "deployments": deployments,
    }
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(doc))
    return path


def smoke(emu: RunningEmulator, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "imagegate",
        "smoke",
        "run",
        "--ca-bundle",
        str(emu.ca_file),
        "--auth",
        "key",
        "--api-key-env",
        "SHOP_KEY",
        "--rpm-per-capacity-unit",
        "100",
        *args,
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "SHOP_KEY": KEY, **(env or {})},
        check=False,
    )


def test_the_example_suite_passes_and_its_report_renders_in_chromium(
    emu: RunningEmulator, outputs: Path, tmp_path: Path
) -> None:
    html, report, summary = tmp_path / "smoke.html", tmp_path / "smoke.json", tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    done = smoke(
        emu,
        "--outputs",
        str(outputs),
        "--suite",
        str(EXAMPLE),
        "--html",
        str(html),
        "--json",
        str(report),
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("PASSED: 14 checks, 12 passed, 0 failed, 2 skipped")
    doc = json.loads(report.read_text())
    jsonschema.validate(doc, REPORT_SCHEMA)
    assert [c["check"] for c in doc["checks"][:6]] == [
        "catalogue-shot",
        "homepage-banner",
        "sticker-pair",
        "room-window-sunset",
        "mug-on-pattern",
        "competitor-logo-refused",
    ]
    assert doc["usageTokens"] > 0 and all(c["requestIds"] for c in doc["checks"] if c["check"] != "keyless")
    step = summary.read_text()
    assert step.startswith("earlier step\n### imagegate smoke: PASSED\n") and "smoke.html" in step

    picture = screenshot_path(tmp_path, "smoke-report.png")
    shown = render(html, picture)
    assert picture.stat().st_size > 10_000
    assert shown.console_errors == [] and shown.failed_requests == []
    # Per deployment 6 outputs (5 cases, one of them n=2), plus once per case: the room, its mask
    # overlay and the two inputs of the pair.
    assert len(shown.images) == 2 * 6 + 4
    for image in shown.images:
        assert image["complete"] and image["naturalWidth"] > 0 and not image["external"], image
        assert image["width"] > 0 and image["height"] > 0 and image["visible"], image
    assert "PASSED" in shown.text and "Local emulator" in shown.text
    assert (
        "gpt-image-candidate (candidate): gpt-image-1.5@2025-12-16, GlobalStandard / capacity 1000"
        in shown.text
    )
    assert html.stat().st_size < 1_000_000


def test_a_suite_with_problems_is_refused_before_any_request(
    emu: RunningEmulator, outputs: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "cases:\n  - {id: x, route: generate, prompt: hi, params: {quality: ultra}}\n"
        "  - {id: y, route: edit, prompt: hi}\n"
    )
    before = len(emu.requests())
    done = smoke(emu, "--outputs", str(outputs), "--suite", str(bad))
    assert done.returncode == 2
    assert done.stderr == (
        f"Error: The prompt suite {bad} has 2 problems; fix them and run again:\n"
        "  - cases[0] (x).params.quality: 'ultra' is not accepted; accepted: low, medium, high, auto.\n"
        "  - cases[1] (y).image: (missing) is required for an edit; "
        "accepted: a path relative to the suite file.\n"
    )
    assert len(emu.requests()) == before


def test_options_the_suite_decides_are_refused_with_it(emu: RunningEmulator, outputs: Path) -> None:
    done = smoke(emu, "--outputs", str(outputs), "--suite", "default", "--quality", "high")
    assert done.returncode == 2
    assert done.stderr == (
        "Error: --quality does not apply with --suite: the suite sets each case's prompt and parameters; "
        "drop --quality or change the suite.\n"
    )
