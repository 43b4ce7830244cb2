"""The terminal summary and progress lines. Plain text is pure (tested exactly); the rich table and
live display are used only when the output is a terminal, and rich is imported only then."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from lifecycle.waits import PlainWaitLog, Wait, describe
from smoke.results import CheckResult, CheckStatus, FailureKind, SmokeReport
from smoke.runner import ProgressEvent


def _latency(c: CheckResult) -> str:
    return f"{c.latency_s:.2f}s" if c.latency_s is not None else "-"


def _detail(c: CheckResult) -> str:
    served = f" ({c.served_by})" if c.served_by and c.check != "failover" else ""
    if c.failure is not None:
        return f"{c.failure.kind.value}: {c.failure.message}{served}"
    if c.skip_reason:
        return c.skip_reason
    return c.served_by or ""


def totals_line(report: SmokeReport) -> str:
    n = report.counts()
    verdict = "PASSED" if report.passed else "FAILED"
    counts = f"{n['passed']} passed, {n['failed']} failed, {n['skipped']} skipped"
    total = len(report.checks)
    if report.interrupted is not None:
        of = f" of {report.planned}" if report.planned is not None else ""
        return f"INTERRUPTED by {report.interrupted}: {total}{of} checks finished, {counts}"
    return f"{verdict}: {total} check{'' if total == 1 else 's'}, {counts}"


def plain_summary(report: SmokeReport) -> str:
    """Fixed-width table, one line per check plus a hint line under each failure."""
    width = max([len(c.target.label) for c in report.checks] + [6])
    # Suite case ids are longer than the built-in check names; keep the columns aligned for both.
    check_width = max([len(c.check) for c in report.checks] + [8])
    lines = []
    for c in report.checks:
        status = c.status.value.upper() if c.status is CheckStatus.FAILED else c.status.value
        cells = f"{c.check:<{check_width}}  {status:<7}  {_latency(c):>7}  {len(c.attempts)}"
        line = f"{c.target.label:<{width}}  {cells}  {_detail(c)}"
        lines.append(line.rstrip())
        if c.failure is not None:
            lines.append(f"{'':<{width}}  hint: {c.failure.hint}")
    lines.append(totals_line(report))
    return "\n".join(lines) + "\n"


def progress_line(event: ProgressEvent) -> str | None:
    label = f"[{event.target.label}] {event.check}"
    if event.phase == "attempt" and event.attempt and event.attempt.wait_s > 0:
        a = event.attempt
        # A connection error names where it could not connect (an outputs file may point at a dead port).
        where = f" ({event.target.address})" if a.outcome == FailureKind.CONNECTION.value else ""
        return f"{label}: attempt {a.number} {a.outcome}{where}, retrying in {a.wait_s:.2f}s"
    if event.phase == "done" and event.result is not None:
        r = event.result
        tail = f" - {_detail(r)}" if _detail(r) else ""
        return f"{label}: {r.status.value} ({_latency(r)}, {len(r.attempts)} attempt(s)){tail}"
    return None


class PlainProgress:
    """Progress as plain lines (CI logs); thread-safe because targets run on worker threads.

    Also the run's wait listener: a wait past 2 s gets a line, and another every 10 s (lifecycle.waits).
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._waits = PlainWaitLog(stream)

    def waiting(self, what: str, why: str, limit_s: float | None = None) -> Any:
        return self._waits.waiting(what, why, limit_s)

    def __call__(self, event: ProgressEvent) -> None:
        line = progress_line(event)
        if line:
            with self._lock:
                self._stream.write(line + "\n")
                self._stream.flush()

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class RichProgress:
    """A live table of deployment x check states on a terminal; a check that waits shows what it waits
    for, and the seconds tick (the table is re-rendered on every refresh)."""

    def __init__(self, labels: list[str], checks: tuple[str, ...], console: Any) -> None:
        from rich.live import Live

        self._labels = labels
        self._checks = checks
        self._state: dict[tuple[str, str], str] = {(t, c): "waiting" for t in labels for c in checks}
        self._waits: dict[str, Wait] = {}  # "label check" -> the wait in progress
        self._lock = threading.Lock()
        self._live = Live(self, console=console, refresh_per_second=4, transient=True)

    def __rich__(self) -> Any:
        return self._render()

    @contextmanager
    def waiting(self, what: str, why: str, limit_s: float | None = None) -> Iterator[None]:
        with self._lock:
            self._waits[what] = Wait(what, why, limit_s, time.monotonic())
        try:
            yield
        finally:
            with self._lock:
                self._waits.pop(what, None)

    def _render(self) -> Any:
        from rich.table import Table

        table = Table(title="imagegate smoke", show_lines=False)
        table.add_column("deployment")
        for check in self._checks:
            table.add_column(check)
        now = time.monotonic()
        for label in self._labels:
            cells = []
            for check in self._checks:
                wait = self._waits.get(f"{label} {check}")
                if wait is not None and now - wait.started_at >= 2.0:
                    cells.append(f"[yellow]{describe(wait, now)}[/]")
                else:
                    cells.append(self._state[(label, check)])
            table.add_row(label, *cells)
        return table

    def __call__(self, event: ProgressEvent) -> None:
        key = (event.target.label, event.check)
        with self._lock:
            if event.phase == "start":
                self._state[key] = "[cyan]running[/]"
            elif event.phase == "attempt" and event.attempt and event.attempt.wait_s > 0:
                self._state[key] = f"[yellow]retry {event.attempt.number} ({event.attempt.outcome})[/]"
            elif event.phase == "done" and event.result is not None:
                colour = {"passed": "green", "failed": "red", "skipped": "dim"}[event.result.status.value]
                self._state[key] = f"[{colour}]{event.result.status.value}[/]"
        self._live.refresh()

    def __enter__(self) -> RichProgress:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)


def rich_summary(report: SmokeReport, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="imagegate smoke summary")
    for col in ("deployment", "check", "status", "latency", "attempts", "detail"):
        table.add_column(col)
    for c in report.checks:
        colour = {"passed": "green", "failed": "red", "skipped": "dim"}[c.status.value]
        # Text, not markup: server messages may contain [brackets].
        detail = Text(_detail(c))
        if c.failure:
            detail.append(f"\nhint: {c.failure.hint}", style="dim")
        table.add_row(
            c.target.label,
            c.check,
            f"[{colour}]{c.status.value}[/]",
            _latency(c),
            str(len(c.attempts)),
            detail,
        )
    console.print(table)
    console.print(totals_line(report), style="green" if report.passed else "red", markup=False)
