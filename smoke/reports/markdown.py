"""The short Markdown summary for ``$GITHUB_STEP_SUMMARY``: pass/fail per deployment and where the full
HTML report is. Text from servers is reduced to one line and stripped of Markdown table syntax."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from smoke.reports.usage import latencies, p95, usage_of
from smoke.results import CheckResult, CheckStatus, SmokeReport

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def cell(text: str, limit: int = 160) -> str:
    """One table cell: a single line, no pipes or backticks, HTML special characters escaped."""
    flat = " ".join(str(text).split()).replace("|", "/").replace("`", "'")
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def run_link(html_name: str | None, env: Mapping[str, str]) -> str | None:
    """Where the HTML report can be found: the workflow run's artifacts in Actions, else its file name."""
    server, repo, run = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
    if html_name and server and repo and run:
        url = f"{server}/{repo}/actions/runs/{run}"
        return f"HTML report `{cell(html_name)}`: in the artifacts of [this run]({url})"
    return f"HTML report: `{cell(html_name)}`" if html_name else None


def deployment_rows(groups: Mapping[str, Sequence[CheckResult]]) -> list[str]:
    rows = [
        "| deployment | model | result | failed cases | p95 latency | usage tokens |",
        "|---|---|---|---|---|---|",
    ]
    for label, results in groups.items():
        target = results[0].target
        failed = [r.check for r in results if r.status is CheckStatus.FAILED]
        slow = p95(latencies(results))
        model = f"{target.model or '?'}@{target.version or '?'}"
        rows.append(
            f"| {cell(label)} | {cell(model)} "
            f"| {'❌ failed' if failed else '✅ passed'} | {cell(', '.join(failed)) or '-'} "
            f"| {f'{slow:.2f} s' if slow is not None else '-'} | {usage_of(results).total_tokens:,} |"
        )
    return rows


def smoke_markdown(
    report: SmokeReport, html_name: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    env = os.environ if env is None else env
    groups: dict[str, list[CheckResult]] = {}
    for check in report.checks:
        groups.setdefault(check.target.label, []).append(check)
    counts = report.counts()
    lines = [
        f"### imagegate smoke: {'PASSED' if report.passed else 'FAILED'}",
        "",
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped; "
        f"{report.usage_tokens:,} usage tokens.",
        "",
        *deployment_rows(groups),
    ]
    if any(c.target.on_loopback for c in report.checks):
        lines += ["", "> Local emulator (loopback endpoint), not Azure."]
    link = run_link(html_name, env)
    if link:
        lines += ["", link]
    return "\n".join(lines) + "\n"


def append_step_summary(markdown: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Append to ``$GITHUB_STEP_SUMMARY`` when it is set (GitHub Actions); returns the file written."""
    env = os.environ if env is None else env
    target = env.get(STEP_SUMMARY_ENV)
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(markdown + "\n")
    return path
