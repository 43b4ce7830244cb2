"""The local driver rewrites Pulumi.<stack>.yaml like `pulumi config set`: only what changed changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config import read_stack_file
from rollout.errors import DriverError
from rollout.stack_file import render_stack_file, write_stack_file

REPO = Path(__file__).resolve().parents[2]

ANNOTATED = """\
# Prod: keyless.
config:
  azure-native:location: westus3   # keep equal to imagegate:location
  imagegate:location: westus3
  # The deployment applications call.
  imagegate:deployments:
    - name: gpt-image   # stable name, never renamed
      model: gpt-image-1.5
      version: "2025-12-16"   # pinned by the rollout tool
      capacity: 6
  imagegate:activeDeployment: gpt-image
"""


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_an_unchanged_write_reproduces_the_shipped_stack_files(stack: str) -> None:
    path = REPO / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert render_stack_file(text, read_stack_file(path)) == text


def test_a_version_change_keeps_every_comment_and_touches_one_line(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(ANNOTATED)
    values = read_stack_file(path)
    values["deployments"][0]["version"] = "2026-03-10"
    write_stack_file(path, values, "prod")
    # The new version stays quoted: unquoted, YAML would read it back as a date.
    assert path.read_text() == ANNOTATED.replace('version: "2025-12-16"', 'version: "2026-03-10"')
    assert read_stack_file(path)["deployments"][0]["version"] == "2026-03-10"


def test_added_and_removed_keys_leave_other_namespaces_alone(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(ANNOTATED)
    values = read_stack_file(path)
    values["candidate"] = {"deployment": "gpt-image", "model": "gpt-image-1.5", "version": "2026-03-10"}
    write_stack_file(path, values, "prod")
    assert read_stack_file(path)["candidate"]["version"] == "2026-03-10"
    del values["candidate"]
    write_stack_file(path, values, "prod")
    assert path.read_text() == ANNOTATED


def test_a_broken_stack_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(DriverError, match=r"^The stack file is not valid YAML \(\w+\); fix it\.$"):
        render_stack_file("config: [unclosed\n", {})
