"""Mutation testing of imagegate's core logic with mutmut, one group of modules at a time.

Each group in ``[tool.imagegate.mutation]`` (pyproject.toml) names the modules to mutate and the tests that
judge them; mutmut runs in ``mutants/<group>/`` with a config made from that group alone, so a module's
mutants only ever meet its own tests. Then every mutant that was not killed is printed with its diff line,
marked when docs/mutation.md lists it as equivalent, and the last line is ``mutation: K/N killed``.

Touches only ``mutants/`` (git-ignored). Exit 0 when at least 90% are killed in every group and every
survivor is documented as equivalent, 1 otherwise, 2 on a usage error or when mutmut itself fails.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "mutants"
DOC = ROOT / "docs" / "mutation.md"
GOAL = 0.90
# Files the tests read from the repository root, besides the packages and tests/ (the suite loader's tests
# read examples/prompt-suite.yaml and its images).
ROOT_FILES = ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "examples")
# mutmut's exit codes per mutant (mutmut/stats.py); a timeout means the mutant made a test hang: caught.
KILLED_STATUSES = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass(frozen=True)
class Group:
    name: str
    mutate: tuple[str, ...]
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Survivor:
    group: str
    mutant: str  # mutmut's name, e.g. smoke.checks.x_edit_verdict__mutmut_12
    status: str  # survived, no tests, suspicious
    module: str  # smoke/checks.py
    function: str  # edit_verdict, or Class.method
    change: str  # the mutated line, stripped


@dataclass(frozen=True)
class Equivalent:
    module: str
    function: str
    change: str


def load_groups() -> list[Group]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return [
        Group(g["name"], tuple(g["mutate"]), tuple(g["tests"]))
        for g in config["tool"]["imagegate"]["mutation"]["groups"]
    ]


def _children(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"takes a whole number of 1 or more, not {text!r}")
    return int(text)


def _toml_list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(group: Group) -> Path:
    """mutants/<group>/: the packages the group mutates and the tests, linked; a pyproject of its own."""
    where = WORK / group.name
    where.mkdir(parents=True, exist_ok=True)
    packages = sorted({path.split("/", 1)[0] for path in group.mutate})
    for name in [*packages, "tests", *ROOT_FILES]:
        link = where / name
        # A work dir copied from another worktree links to that worktree's code: point it back here.
        if link.is_symlink() and link.readlink() != ROOT / name:
            link.unlink()
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    pytest_config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["pytest"]
    ini = pytest_config["ini_options"]
    # -p no:xdist and no:cacheprovider: mutmut runs each mutant in a forked process of its own.
    text = (
        "# Written by scripts/mutation for one group; edit [tool.imagegate.mutation] in pyproject.toml.\n"
        # mutmut re-tests only mutants of changed functions; a changed test must re-test them all.
        f"# tests digest: {_tests_digest(group)}\n"
        "[tool.pytest.ini_options]\n"
        f"markers = {_toml_list(ini.get('markers', []))}\n\n"
        "[tool.mutmut]\n"
        f"source_paths = {_toml_list(packages)}\n"
        f"only_mutate = {_toml_list(group.mutate)}\n"
        f"also_copy = {_toml_list(ROOT_FILES)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly"]\n'
        # Each mutant's tests run in a child forked from a server that has collected the tests but run
        # none: a child forked after Pulumi's mock runtime has run would inherit its half-state and spin.
        'process_isolation = "forkserver"\n'
        f"pytest_add_cli_args_test_selection = {_toml_list(group.tests)}\n"
    )
    config_file = where / "pyproject.toml"
    if not config_file.exists() or config_file.read_text("utf-8") != text:
        config_file.write_text(text, "utf-8")
        # A changed group (modules or tests) starts from scratch; mutmut's cache is keyed to the old one.
        shutil.rmtree(where / "mutants", ignore_errors=True)
    return where


def _tests_digest(group: Group) -> str:
    files: set[Path] = set()
    for pattern in group.tests:
        target = ROOT / pattern
        files |= set(target.rglob("*.py")) if target.is_dir() else {target}
    files |= set((ROOT / "tests").rglob("conftest.py")) | set((ROOT / "tests").rglob("fakes.py"))
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def mutmut(where: Path, *args: str, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Third-party pytest plugins are not loaded: the selected tests need none, and loading them for every
    # mutant costs a quarter of the per-mutant time.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("MUTANT_UNDER_TEST", None)
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True, check=False)
    if log is not None:
        log.write_text(done.stdout + done.stderr, "utf-8")
    return done


def run_group(group: Group, children: int, run_mutants: bool) -> tuple[dict[str, int], list[Survivor]]:
    # A report reads the last results as they are; preparing would discard them if a test changed since.
    where = prepare(group) if run_mutants else WORK / group.name
    log = WORK / f"{group.name}.log"
    if not run_mutants:
        if not (where / "mutants" / "mutmut-stats.json").exists():
            raise SystemExit(f"error: group {group.name} has no results yet; run without --report-only.")
        run = subprocess.CompletedProcess([], 0, "", "")
    else:
        run = mutmut(where, "run", "--max-children", str(children), log=log)
    if run.returncode != 0:
        tail = "\n".join(_printable(run.stdout + run.stderr).splitlines()[-15:])
        raise SystemExit(f"error: mutmut failed in group {group.name} (full log: {log}):\n{tail}")
    mutmut(where, "export-cicd-stats")
    stats = json.loads((where / "mutants" / "mutmut-cicd-stats.json").read_text("utf-8"))
    found = []
    for line in mutmut(where, "results").stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and status not in KILLED_STATUSES and status != "skipped":
            found.append((name, status))
    diffs = _diffs(where, [name for name, _ in found])
    return stats, [_describe(group, name, status, diffs[name]) for name, status in found]


def _diffs(where: Path, names: list[str]) -> dict[str, str]:
    """Each mutant's diff, read in this process (one ``mutmut show`` per mutant costs a second each)."""
    from mutmut.configuration import reset_config
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    here = Path.cwd()
    os.chdir(where)
    reset_config()
    try:
        return {name: get_diff_for_mutant(name) for name in names}
    finally:
        os.chdir(here)
        reset_config()


def _printable(text: str) -> str:
    # mutmut draws a spinner with carriage returns; keep the last state of each line.
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.splitlines())


def _describe(group: Group, name: str, status: str, text: str) -> Survivor:
    diff = text.splitlines()
    module = next((line[4:].strip() for line in diff if line.startswith("+++ ")), "?")
    added = [line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:].strip() for line in diff if line.startswith("-") and not line.startswith("---")]
    change = " / ".join(added) if added else "(deleted) " + " / ".join(removed)
    mangled = name.rsplit(".", 1)[-1].split("__mutmut_")[0]
    function = mangled[2:] if mangled.startswith("x_") else mangled.lstrip("xǁ").replace("ǁ", ".")
    return Survivor(group.name, name, status, module, function, change)


def documented_equivalents() -> list[Equivalent]:
    """Rows of the equivalent-mutant table in docs/mutation.md: | `module` | `function` | `change` | why |.

    Module and function may be globs (``infra/config*.py``, ``*``); a change written ``re:<regex>`` stands
    for every mutated line the regex matches in full (one reason for a whole family of mutants)."""
    if not DOC.exists():
        return []
    rows = []
    for line in DOC.read_text("utf-8").splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) >= 4 and cells[0].startswith("`") and cells[2].startswith("`"):
            rows.append(Equivalent(cells[0].strip("`"), cells[1].strip("`"), _unquote(cells[2])))
    return rows


def _unquote(cell: str) -> str:
    return re.sub(r"^`+ ?| ?`+$", "", cell).replace("\\|", "|")


def _matches(e: Equivalent, s: Survivor) -> bool:
    if not (fnmatch.fnmatchcase(s.module, e.module) and fnmatch.fnmatchcase(s.function, e.function)):
        return False
    if e.change.startswith("re:"):
        return re.fullmatch(e.change[3:], s.change) is not None
    return e.change == s.change


def is_documented(s: Survivor, equivalents: list[Equivalent]) -> bool:
    return any(_matches(e, s) for e in equivalents)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", help="run only these groups (default: all)")
    parser.add_argument(
        "--max-children", type=_children, default=2, help="mutants tested at once (default 2)"
    )
    parser.add_argument("--fresh", action="store_true", help="forget earlier results and test every mutant")
    parser.add_argument("--report-only", action="store_true",
                        help="test nothing; report the results of the last run against docs/mutation.md")
    args = parser.parse_args(argv)
    groups = load_groups()
    unknown = sorted(set(args.groups) - {g.name for g in groups})
    if unknown:
        names = ", ".join(g.name for g in groups)
        parser.error(f"no mutation group {', '.join(unknown)}; the groups are {names}")
    groups = [g for g in groups if not args.groups or g.name in args.groups]
    if args.fresh:
        for group in groups:
            shutil.rmtree(WORK / group.name, ignore_errors=True)
    started = time.monotonic()
    killed = total = 0
    below: list[str] = []  # groups under the goal: each group must reach it, not only the total
    survivors: list[Survivor] = []
    for group in groups:
        group_started = time.monotonic()
        stats, found = run_group(group, args.max_children, not args.report_only)
        group_killed = stats["total"] - stats["skipped"] - len(found)
        group_total = stats["total"] - stats["skipped"]
        killed += group_killed
        total += group_total
        survivors += found
        took = time.monotonic() - group_started
        share = group_killed / group_total if group_total else 0.0
        if share < GOAL:
            below.append(group.name)
        print(f"{group.name}: {group_killed}/{group_total} killed ({share:.1%}) in {took:.0f} s", flush=True)
    equivalents = documented_equivalents()
    undocumented = [s for s in survivors if not is_documented(s, equivalents)]
    if survivors:
        print("\nsurvivors (module  function  mutated line):")
        for s in survivors:
            mark = "equivalent" if s not in undocumented else "NOT DOCUMENTED"
            print(f"  [{mark}] {s.module}  {s.function}  {s.change}   ({s.mutant}: {s.status})")
    print(f"\n{len(survivors)} survivors, {len(survivors) - len(undocumented)} documented as equivalent in "
          f"{DOC.relative_to(ROOT)}; {time.monotonic() - started:.0f} s")
    if below:
        print(f"under {GOAL:.0%} killed: {', '.join(below)}")
    print(f"mutation: {killed}/{total} killed ({killed / total if total else 0:.1%})")
    return 0 if total and not below and not undocumented else 1


if __name__ == "__main__":
    raise SystemExit(main())
