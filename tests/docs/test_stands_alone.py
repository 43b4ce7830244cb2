"""The product stands alone: no tracked file (code, docs, comments, workflows, tests) cites the project's
private working notes or a folder outside the repository; cite the public source (Learn page, spec path,
GitHub issue) instead."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Spelled in pieces so this file does not match itself.
OUTSIDE = re.compile("|".join(re.escape(p) for p in ("DESIGN" + ".md", "AZURE" + "_FACTS", "STYLE" + ".md",
                                                      "../" + "shared")))


def _tracked() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in listed.decode().split("\0") if name]


def citations(root: Path, paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files (images, fixtures) hold no citations; a file deleted in the work tree
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_no_tracked_file_cites_notes_outside_the_repository():
    assert citations(ROOT, _tracked()) == []


def test_the_check_finds_each_kind_of_citation(tmp_path):
    cited = tmp_path / "module.py"
    cited.write_text(
        '"""Bodies follow ' + "AZURE" + '_FACTS section 2."""\n'
        "# see " + "DESIGN" + ".md, " + "STYLE" + ".md and " + "../" + "shared/notes\n"
        "# Learn, Azure OpenAI quotas and limits\n"
    )
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert citations(tmp_path, [cited, tmp_path / "image.png"]) == [
        "module.py:1: \"\"\"Bodies follow " + "AZURE" + "_FACTS section 2.\"\"\"",
        "module.py:2: # see " + "DESIGN" + ".md, " + "STYLE" + ".md and " + "../" + "shared/notes",
    ]
