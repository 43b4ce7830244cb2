"""The fenced code blocks of README.md and docs/*.md, found with sybil's Markdown lexer.

Kinds (the fence's info string): ``sh`` runs against an emulator, ``sh azure`` needs real Azure and is only
checked (bash -n, commands and options exist), ``python`` runs against an emulator, ``text``/``yaml``/``json``
never run (yaml and json are parsed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sybil import Document
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

REPO = Path(__file__).resolve().parents[2]
KINDS = ("sh", "sh azure", "python", "text", "yaml", "json")
_LEXER = RawFencedCodeBlockLexer(info_pattern=re.compile(r"(?P<info>[^\n]*)\n"))


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    kind: str
    source: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    document = Document(text, str(path))
    found = []
    for region in _LEXER(document):
        info = str(region.lexemes["info"]).strip()
        line = text.count("\n", 0, region.start) + 1
        found.append(Block(path, line, info, str(region.lexemes["source"])))
    return found
