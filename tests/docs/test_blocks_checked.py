"""Blocks that never run still hold: every block has a known kind, yaml/json parse, and each ``sh azure``
block is valid bash whose ``imagegate`` commands and options exist (asked of the click command itself)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess

import click
import pytest
import yaml

from imagegate.cli import cli
from tests.docs.blocks import KINDS, REPO, blocks, doc_files

ALL = [b for path in doc_files() for b in blocks(path)]


def test_docs_have_runnable_blocks_and_no_unmarked_ones() -> None:
    unknown = [f"{b.where} ```{b.kind}" for b in ALL if b.kind not in KINDS]
    assert unknown == []
    assert sum(b.kind == "sh" for b in ALL) >= 8 and sum(b.kind == "sh azure" for b in ALL) >= 5


@pytest.mark.parametrize("block", [b for b in ALL if b.kind in ("yaml", "json")], ids=lambda b: b.where)
def test_yaml_and_json_blocks_parse(block) -> None:
    parsed = json.loads(block.source) if block.kind == "json" else yaml.safe_load(block.source)
    assert parsed is not None


def _commands(source: str) -> list[list[str]]:
    """Each `imagegate ...` command of a shell block, as words (comments, pipes and `&&` split off)."""
    found = []
    joined = source.replace("\\\n", " ")
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        current: list[str] = []
        for word in [*words, ";"]:
            if word in (";", "&&", "||", "|", "&") or word.endswith(";"):
                if word.endswith(";") and word != ";":
                    current.append(word[:-1])
                if current and "imagegate" in current:
                    found.append(current[current.index("imagegate") :])
                current = []
            else:
                current.append(word)
    return found


def check_command(words: list[str]) -> None:
    """Raise AssertionError unless every subcommand and option in ``words`` exists."""
    command: click.Command = cli
    ctx = click.Context(cli)
    rest = words[1:]
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(ctx, rest[0])
        assert sub is not None, f"no command `{' '.join(words[: len(words) - len(rest) + 1])}`"
        command, rest = sub, rest[1:]
    if command.name == "serve":
        from emulator.cli import build_parser

        known = {opt for action in build_parser()._actions for opt in action.option_strings}
    else:
        # command.params, not get_params(ctx): that would cache a help option built for a bare context
        # on the command object, and `-h` would stop working for later callers in this process.
        known = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]}
        known |= set(command.context_settings.get("help_option_names", ["--help"]))
    for word in rest:
        if word.startswith("-") and word != "-":
            option = word.split("=", 1)[0]
            assert option in known, f"`{' '.join(words)}`: {option} is not an option of {command.name}"


@pytest.mark.parametrize("block", [b for b in ALL if b.kind.startswith("sh")], ids=lambda b: b.where)
def test_shell_blocks_are_bash_and_name_real_commands(block) -> None:
    syntax = subprocess.run(["bash", "-n"], input=block.source, capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, f"{block.where}: {syntax.stderr}"
    commands = _commands(block.source)
    for words in commands:
        check_command(words)


@pytest.mark.parametrize(
    "words, problem",
    [
        (["imagegate", "smoke", "runn"], "no command"),
        (["imagegate", "rollout", "run", "--dry-run"], "--dry-run is not an option"),
        (["imagegate", "emulator", "serve", "--portt", "1"], "--portt is not an option"),
    ],
)
def test_the_checker_refuses_what_does_not_exist(words: list[str], problem: str) -> None:
    with pytest.raises(AssertionError, match=problem):
        check_command(words)


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: p.name)
def test_links_stay_in_the_repository(path) -> None:
    """The repository is self-contained: a relative link never leaves it, and one to a file here exists
    (the docs other branches add are linked before they land, so only docs/*.md may be missing)."""
    root = REPO.resolve()
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        resolved = (path.parent / target).resolve()
        assert resolved.is_relative_to(root), f"{path.name}: {target} points outside the repository"
        if resolved.parent != root / "docs" or resolved.suffix != ".md":
            assert resolved.exists(), f"{path.name}: {target} does not exist"
