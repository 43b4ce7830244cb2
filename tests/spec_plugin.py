"""Pytest plugin: Microsoft's specs judge every answer the emulator sends while the suite runs.

Each worker points ``IMAGEGATE_EMULATOR_RECORD`` at its own file before any emulator starts (real
processes inherit it, in-process apps read it in ``create_app``). After each test's last fixture is torn
down, an autouse fixture judges every answer written since the previous test finished (so answers sent
while a module or session fixture was set up count for the first test using it); a violation fails that
test, naming the answer and what the spec says. Totals are printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.recorder import ENV
from emulator.specs.judge import Exchange, SpecJudge

STATS_ENV = "IMAGEGATE_SPEC_STATS_DIR"
_state: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    scratch = Path(tempfile.mkdtemp(prefix=f"imagegate-spec-{worker}-"))
    _state["scratch"] = scratch
    _state["record"] = scratch / "answers.jsonl"
    _state["record"].touch()
    os.environ[ENV] = str(_state["record"])
    if STATS_ENV not in os.environ:  # the controller (or a run without xdist) owns the totals
        stats = Path(tempfile.mkdtemp(prefix="imagegate-spec-stats-"))
        os.environ[STATS_ENV] = str(stats)
        _state["stats_owner"] = stats
    _state["counts"] = Counter()
    _state["operations"] = set()


def pytest_unconfigure(config: pytest.Config) -> None:
    stats_dir = Path(os.environ.get(STATS_ENV, ""))
    if stats_dir.is_dir() and _state.get("counts") is not None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        summary = {"counts": dict(_state["counts"]), "operations": sorted(_state["operations"])}
        (stats_dir / f"{worker}.json").write_text(json.dumps(summary))
    scratch = _state.get("scratch")
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


def _judge() -> SpecJudge:
    judge = _state.get("judge")
    if judge is None:
        judge = _state["judge"] = SpecJudge()
    return judge


def judge_records(lines: list[str]) -> list[str]:
    """Judge recorded answers; return one message per violating answer."""
    failures = []
    for line in lines:
        if not line.strip():
            continue
        record = json.loads(line)
        exchange = Exchange(
            method=record["method"],
            path=record["path"],
            query=record["query"],
            status=record["status"],
            headers=record["headers"],
            body=record["body"],
            content_type=record["contentType"],
        )
        verdict = _judge().judge(exchange)
        counts = _state.setdefault("counts", Counter())
        if not verdict.judged:
            counts["unjudged"] += 1
            continue
        counts["judged"] += 1
        assert verdict.operation is not None
        _state.setdefault("operations", set()).add(verdict.operation.operation_id)
        if not verdict.ok:
            counts["violations"] += 1
            failures.append(
                f"{record['method']} {record['path']} -> {record['status']}:\n    "
                + "\n    ".join(verdict.violations)
            )
    return failures


@pytest.fixture(autouse=True)
def _spec_judged_answers(request: pytest.FixtureRequest) -> Iterator[None]:
    record: Path = _state["record"]
    yield
    # From where the last test stopped: answers sent while a module or session fixture was being set up
    # belong to the first test that used it.
    start = _state.get("offset", 0)
    with record.open("rb") as handle:
        handle.seek(start)
        data = handle.read()
    data = data[: data.rfind(b"\n") + 1]  # a line another process is still writing waits for the next test
    _state["offset"] = start + len(data)
    if request.node.get_closest_marker("spec_unjudged"):
        return
    lines = data.decode().splitlines()
    failures = judge_records(lines)
    if failures:
        pytest.fail(
            "The emulator sent answers Microsoft's spec refuses:\n" + "\n".join(failures[:10]), pytrace=False
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    stats = _state.get("stats_owner")
    if stats is None:
        return
    counts: Counter[str] = Counter()
    operations: set[str] = set()
    for file in Path(stats).glob("*.json"):
        data = json.loads(file.read_text())
        counts.update(data["counts"])
        operations.update(data["operations"])
    if os.environ.get("PYTEST_XDIST_WORKER") is None and _state.get("counts"):
        counts.update(_state["counts"])
        operations.update(_state["operations"])
    terminalreporter.write_line(
        f"spec judge: {counts['judged']} answers validated against {len(operations)} operations, "
        f"{counts['violations']} violations, {counts['unjudged']} answers outside the vendored specs"
    )
