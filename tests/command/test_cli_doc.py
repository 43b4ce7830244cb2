"""docs/cli.md's table of shared options, held against `--help` of every command it names: the flag is
there, with the table's variable (and no other) and the table's default; every variable a command's help
shows is in the table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagegate.cli import cli
from tests.command.commands import EVERY_COMMAND

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _cell(text: str) -> str:
    return text.strip().strip("`").replace("\\|", "|")


def table() -> list[dict[str, str]]:
    text = DOC.read_text()
    body = text.split("<!-- shared-options -->", 1)[1].split("<!-- /shared-options -->", 1)[0]
    rows = [line for line in body.strip().splitlines() if line.startswith("|")][2:]
    names = ("flag", "envvar", "old", "default", "commands")
    parsed = []
    for row in rows:
        cells = [c for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        parsed.append(dict(zip(names, (_cell(c) for c in cells), strict=True)))
    return parsed


ROWS = table()


def help_text(words: tuple[str, ...]) -> str:
    result = CliRunner().invoke(cli, [*words, "--help"], terminal_width=400)
    assert result.exit_code == 0, result.output
    return result.output


def option_entry(text: str, flag: str) -> str | None:
    """The help entry of ``flag`` (its line and continuation lines), whitespace folded."""
    lines = text.split("Options:", 1)[1].splitlines()
    for i, line in enumerate(lines):
        names = line.strip().split("  ", 1)[0]
        if re.search(rf"(^|[ ,]){re.escape(flag)}( |,|$)", names):
            entry = [line]
            for more in lines[i + 1 :]:
                if more.strip().startswith("-") or not more.startswith("   "):
                    break
                entry.append(more)
            return " ".join(" ".join(entry).split())
    return None


CASES = [
    (row["flag"].split()[0], row, tuple(words.split()))
    for row in ROWS
    for words in (w.strip() for w in row["commands"].split(","))
]


@pytest.mark.parametrize(
    "flag, row, words", CASES, ids=[f"{flag} in {' '.join(words)}" for flag, _, words in CASES]
)
def test_the_table_says_what_help_says(flag: str, row: dict[str, str], words: tuple[str, ...]) -> None:
    entry = option_entry(help_text(words), flag)
    assert entry is not None, f"imagegate {' '.join(words)} --help has no {flag}"
    extras = re.search(r"\[([^\[\]]*)\]$", entry)  # click's trailing [env var: ...; default: ...]
    parts = [p.strip() for p in extras.group(1).split(";")] if extras else []
    assert [p.removeprefix("env var: ") for p in parts if p.startswith("env var: ")] == (
        [row["envvar"]] if row["envvar"] else []
    )
    assert [p.removeprefix("default: ") for p in parts if p.startswith("default: ")] == (
        [row["default"]] if row["default"] else []
    )


@pytest.mark.parametrize("words", EVERY_COMMAND, ids=" ".join)
def test_every_variable_a_command_reads_is_in_the_table(words: tuple[str, ...]) -> None:
    text = " ".join(help_text(words).split())
    documented = {row["envvar"] for row in ROWS if row["envvar"]}
    assert set(re.findall(r"env var: ([A-Z0-9_]+)", text)) <= documented


def test_every_old_spelling_in_the_table_is_the_kits() -> None:
    from clikit.envvars import RENAMED

    in_table = {row["old"]: row["envvar"] for row in ROWS if row["old"]}
    assert in_table == {old: new for new, olds in RENAMED.items() for old in olds}


@pytest.mark.parametrize("words", EVERY_COMMAND, ids=" ".join)
def test_every_option_says_what_it_does(words: tuple[str, ...]) -> None:
    import click

    command: click.Command = cli
    for word in words:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), word)
        assert found is not None
        command = found
    silent = [p.opts[0] for p in command.params if isinstance(p, click.Option) and not p.help]
    assert silent == []
