"""The fleet summary: one page saying what every stack of the plan now serves, built from the plan and
the per-stack artifact folders (``fleet-stack-<stack>/``: ``rollout.json``, ``smoke.json``,
``rollout-exit-code``, the stack file as the rollout left it). The workflow's last job and ``imagegate fleet
run`` both call :func:`collect` then :func:`render_markdown` / :func:`render_html`; rendering is pure.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleet.errors import FleetInputError
from infra.config import ConfigError, load_stack_file
from smoke import markdown_cell

ARTIFACT_PREFIX = "fleet-stack-"
ROLLOUT_JSON = "rollout.json"
SMOKE_JSON = "smoke.json"
EXIT_CODE_FILE = "rollout-exit-code"

# The rollout journal's final statuses (docs/rollout.md) as the page words them.
VERDICTS = {
    "succeeded": "succeeded",
    "rolled-back": "rolled back",
    "failed-before-change": "stopped before any change",
    "needs-attention": "needs attention",
    "in-progress": "interrupted",
    "rolling-back": "interrupted",
}
GOOD = {"succeeded", "unchanged"}


@dataclass(frozen=True)
class StackRow:
    wave: str
    stack: str
    environment: str
    github_environment: str
    before: str
    after: str
    verdict: str
    detail: str
    seconds: float | None
    smoke: str
    artifact: str | None


@dataclass(frozen=True)
class Summary:
    target: str | None
    rows: tuple[StackRow, ...]
    run_url: str | None

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.verdict] = counts.get(row.verdict, 0) + 1
        return counts


def artifact_name(stack: str) -> str:
    return f"{ARTIFACT_PREFIX}{stack}"


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FleetInputError([f"{path} cannot be read as JSON ({exc}); check the file."]) from None


def collect(plan: Mapping[str, Any], artifacts: Path, run_url: str | None = None) -> Summary:
    """Every stack of the plan with what its artifact folder (if any) says happened to it."""
    rows = []
    for wave in plan["waves"]:
        for stack in wave["stacks"]:
            rows.append(_row(wave["name"], stack, artifacts / artifact_name(stack["stack"])))
    return Summary(target=plan.get("target"), rows=tuple(rows), run_url=run_url)


def _row(wave: str, stack: Mapping[str, Any], folder: Path) -> StackRow:
    name, before = stack["stack"], stack["current"]
    rollout = _optional_json(folder / ROLLOUT_JSON)
    smoke = _optional_json(folder / SMOKE_JSON)
    exit_code = _exit_code(folder / EXIT_CODE_FILE)
    after = _served_by(folder / f"Pulumi.{name}.yaml", name) or before
    seconds = None
    detail = ""
    if rollout is not None:
        verdict = VERDICTS.get(str(rollout.get("status")), str(rollout.get("status")))
        detail = str(rollout.get("message") or "")
        times = [e["at"] for e in rollout.get("events", ()) if isinstance(e.get("at"), int | float)]
        seconds = max(times) - min(times) if times else None
    elif stack.get("change") == "nothing":
        verdict, detail = "unchanged", f"already serves {before}"
    elif exit_code is not None or folder.is_dir():
        verdict = "failed"
        detail = (
            f"the rollout command exited {exit_code} before writing its report"
            if exit_code is not None
            else "the job ended before the rollout ran"
        )
    else:
        verdict, detail = "not started", "an earlier wave failed, or the run was cancelled"
    return StackRow(
        wave=wave,
        stack=name,
        environment=stack["environment"],
        github_environment=stack["githubEnvironment"],
        before=before,
        after=after,
        verdict=verdict,
        detail=detail,
        seconds=seconds,
        smoke=_smoke_text(smoke),
        artifact=artifact_name(name) if folder.is_dir() else None,
    )


def _optional_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    value = read_json(path)
    return value if isinstance(value, dict) else None


def _exit_code(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _served_by(path: Path, stack: str) -> str | None:
    """The active deployment's model@version in the stack file the rollout left, read by the stack model."""
    if not path.is_file():
        return None
    try:
        config = load_stack_file(path, stack)
    except ConfigError:
        return None
    active = next(d for d in config.image_deployments if d.name == config.active_deployment)
    return f"{active.model}@{active.version}"


def _smoke_text(smoke: Mapping[str, Any] | None) -> str:
    if smoke is None:
        return ""
    counts = smoke.get("counts") or {}
    shown = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    return f"{'passed' if smoke.get('passed') else 'failed'}" + (f" ({shown})" if shown else "")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = round(seconds)
    return f"{whole // 60} min {whole % 60} s" if whole >= 60 else f"{whole} s"


def headline(summary: Summary) -> str:
    counts = ", ".join(f"{n} {verdict}" for verdict, n in summary.counts().items())
    return f"{len(summary.rows)} stacks: {counts}."


COLUMNS = ("wave", "stack", "environment", "before", "after", "verdict", "time", "smoke after", "links")


def _cells(row: StackRow) -> list[str]:
    return [
        row.wave,
        row.stack,
        row.environment,
        row.before,
        row.after,
        row.verdict,
        duration(row.seconds),
        row.smoke,
    ]


def render_markdown(summary: Summary) -> str:
    """The page as ``$GITHUB_STEP_SUMMARY`` gets it (GitHub-flavoured Markdown)."""
    title = f"to {summary.target}" if summary.target else "(no target)"
    lines = [
        f"## Fleet rollout {markdown_cell(title)}",
        "",
        headline(summary),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in summary.rows:
        cells = [markdown_cell(c) for c in _cells(row)]
        verdict = f"**{cells[5]}**" if row.verdict not in GOOD else cells[5]
        cells[5] = verdict + (f": {markdown_cell(row.detail)}" if row.detail else "")
        link = f"`{markdown_cell(row.artifact)}`" if row.artifact else ""
        if row.artifact and summary.run_url:
            link = f"[{markdown_cell(row.artifact)}]({summary.run_url})"
        lines.append("| " + " | ".join([*cells, link]) + " |")
    return "\n".join(lines) + "\n"


_STYLE = """body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.good{background:#e6f4ea}
.bad{background:#fce8e6}.idle{background:#f1f3f4}"""


def render_html(summary: Summary) -> str:
    """The same page as a standalone HTML file (the workflow uploads it as an artifact)."""
    e = html.escape
    title = f"Fleet rollout to {summary.target}" if summary.target else "Fleet rollout"
    head = "".join(f"<th>{e(c)}</th>" for c in COLUMNS)
    body = []
    for row in summary.rows:
        kind = "good" if row.verdict in GOOD else "idle" if row.verdict == "not started" else "bad"
        cells = [e(c) for c in _cells(row)]
        cells[5] = f"<strong>{cells[5]}</strong>" + (f"<br>{e(row.detail)}" if row.detail else "")
        link = e(row.artifact or "")
        if row.artifact and summary.run_url:
            link = f'<a href="{e(summary.run_url)}">{link}</a>'
        tds = "".join(f"<td>{c}</td>" for c in [*cells, link])
        body.append(f'<tr class="{kind}" data-stack="{e(row.stack)}">{tds}</tr>')
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{e(title)}</h1><p>{e(headline(summary))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n"
    )


def write_summary(
    summary: Summary, *, html_path: Path | None, markdown_path: Path | None, env: Mapping[str, str]
) -> list[Path]:
    """Write the page's files; append the Markdown to ``$GITHUB_STEP_SUMMARY`` when it is set."""
    written = []
    markdown = render_markdown(summary)
    for path, text in ((html_path, render_html(summary)), (markdown_path, markdown)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    step_summary = env.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
        written.append(Path(step_summary))
    return written
