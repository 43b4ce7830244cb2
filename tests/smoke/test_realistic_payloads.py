"""The smoke suite and its reports at real image sizes: the emulator's images.realistic setting on.

Real GPT-image answers carry megabytes of base64 per image; these runs make sure the client, the checks,
the saved files and the reports hold up at that size (the HTML report must still inline thumbnails only).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from emulator.testing import RunningEmulator, running_emulator
from smoke.cli import cli
from tests.smoke.test_emulator_e2e import CONFIG, DEV_KEY, write_outputs

MB = 1024 * 1024


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({**CONFIG, "images": {"realistic": True}}) as running:
        yield running


@pytest.fixture(scope="module")
def run(emu: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    folder = tmp_path_factory.mktemp("realistic")
    outputs = write_outputs(folder, emu, "dev", False, "dev")
    args = ["run", "--auth", "key", "--api-key-env", "SMOKE_TEST_KEY", "--ca-bundle", str(emu.ca_file)]
    args += ["--outputs", str(outputs), "--deployment", "gpt-image", "--json", str(folder / "r.json")]
    args += ["--html", str(folder / "r.html"), "--save-images", str(folder / "img")]
    result = CliRunner().invoke(cli, args, env={"SMOKE_TEST_KEY": DEV_KEY})
    return result, folder


def test_smoke_run_passes_on_megabyte_images_and_saves_them_whole(run):
    result, folder = run
    assert result.exit_code == 0, result.output
    saved = {p.name: p.stat().st_size for p in (folder / "img").iterdir()}
    assert set(saved) == {"dev-gpt-image-generate-0.png", "dev-gpt-image-edit-0.png"}
    assert saved["dev-gpt-image-generate-0.png"] > MB
    # The edit keeps the smoke suite's own (flat) source outside the mask, so it is smaller.
    assert saved["dev-gpt-image-edit-0.png"] > 50 * 1024


def test_reports_record_real_byte_sizes_and_the_html_stays_thumbnail_sized(run):
    _, folder = run
    doc = json.loads((folder / "r.json").read_text())
    sizes = {check["check"]: image["bytes"] for check in doc["checks"] for image in check.get("images", [])}
    assert sizes["generate"] > MB and sizes["edit"] > 50 * 1024
    assert (folder / "r.html").stat().st_size < 300 * 1024  # thumbnails, not the megabytes themselves
