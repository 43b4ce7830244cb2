"""The rollout's evidence for the person who approves it: one self-contained HTML page and a Markdown
summary, built from the journal (steps, decision) and the smoke runs of this process (images).

The page says PASSED/FAILED, where and when; the decision and why; stable and candidate side by side for
every case of the suite, failures first; the step timeline; every other smoke step. A step whose images
are not in memory (a resumed run) is shown from the journal's record, without images.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from rollout.gates import SmokeEvidence
from rollout.journal import SUCCEEDED

TITLE = "imagegate rollout"


def _deployment_lines(journal: Mapping[str, Any], evidence: Sequence[SmokeEvidence]) -> tuple[Any, ...]:
    from smoke import DeploymentLine

    seen: dict[str, Any] = {}
    for item in evidence:
        for check in item.report.checks:
            t = check.target
            seen.setdefault(
                t.deployment, DeploymentLine(t.deployment, t.model, t.version, t.sku, t.capacity, t.role)
            )
    if seen:
        return tuple(seen.values())
    plan = journal["plan"]
    current, target = plan["current"], plan["target"]
    return (
        DeploymentLine(
            current["name"],
            current["model"],
            current["version"],
            current["sku"],
            current["capacity"],
            "stable",
        ),
        DeploymentLine(
            target["name"], target["model"], target["version"], target["sku"], target["capacity"], "target"
        ),
    )


def _smoke_events(journal: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [e for e in journal["events"] if "smoke" in e]


def _decision(journal: Mapping[str, Any], message: str) -> str:
    passed = journal["status"] == SUCCEEDED
    parts = [
        f'<div class="decision {"passed" if passed else "failed"}" id="decision">'
        f"<b>{escape(journal['status'])}</b>: {escape(message)}"
    ]
    reasons = [r for e in _smoke_events(journal) for r in (e["smoke"].get("gate") or {}).get("reasons", [])]
    notes = [n for e in _smoke_events(journal) for n in (e["smoke"].get("gate") or {}).get("notes", [])]
    failed = [e for e in _smoke_events(journal) if not e["smoke"].get("passed")]
    why = reasons or [f"{e['step']}: {e['smoke'].get('summary', '')}" for e in failed]
    if journal.get("failure") and not why:
        why = [str(journal["failure"])]
    if why:
        parts.append('<ul class="reasons">' + "".join(f"<li>{escape(r)}</li>" for r in why) + "</ul>")
    if notes:
        parts.append('<ul class="reasons">' + "".join(f"<li>note: {escape(n)}</li>" for n in notes) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


def _timeline(journal: Mapping[str, Any]) -> str:
    from smoke import report_time as when

    start = float(journal["startedAt"])
    rows = []
    for e in journal["events"]:
        status = str(e["status"])
        badge = (
            "passed"
            if status == "succeeded"
            else "failed"
            if status in ("failed", "interrupted")
            else "skipped"
        )
        at = float(e["at"])
        rows.append(
            f'<tr><td>{escape(when(at))}<div class="meta">+{at - start:.1f} s</div></td>'
            f"<td>{escape(str(e['phase']))}</td><td>{escape(str(e['step']))}</td>"
            f'<td><span class="badge {badge}">{escape(status)}</span></td>'
            f"<td>{escape(str(e.get('detail') or (e.get('smoke') or {}).get('summary') or ''))}</td></tr>"
        )
    return (
        '<table class="timeline"><thead><tr><th>when</th><th>phase</th><th>step</th><th>status</th>'
        f"<th>detail</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _comparison(event: Mapping[str, Any], item: SmokeEvidence) -> str:
    from smoke import case_grid, column_for

    assert item.baseline is not None
    stable = [c for c in item.report.checks if c.target.deployment == item.baseline]
    candidate = [c for c in item.report.checks if c.target.deployment == item.deployment]
    gate = event["smoke"].get("gate") or {}
    columns = []
    if stable:
        columns.append(column_for(stable[0].target, stable, f"stable: {item.baseline}"))
    if candidate:
        columns.append(column_for(candidate[0].target, candidate, f"candidate: {item.deployment}"))
    ratio = gate.get("latencyRatio")
    latency = (
        f"p95 latency: candidate {_seconds(gate.get('candidateP95Seconds'))}, stable "
        f"{_seconds(gate.get('stableP95Seconds'))}"
        + (f" (ratio {ratio:.2f}, allowed up to {gate.get('maxLatencyRatio'):g}x)" if ratio else "")
    )
    regressions = gate.get("regressions") or []
    shown = f"regressions: {', '.join(regressions)}" if regressions else "no case regressed"
    return (
        f'<h2 id="comparison">Candidate vs stable (step {escape(str(event["step"]))})</h2>'
        f'<p class="meta">{escape(shown)}; {escape(latency)}. '
        "Failures first; click an image for full size.</p>" + case_grid(columns)
    )


def _seconds(value: object) -> str:
    return f"{value:.2f} s" if isinstance(value, int | float) else "-"


def _single(event: Mapping[str, Any], item: SmokeEvidence | None) -> str:
    smoke = event["smoke"]
    title = f"Step {event['phase']}/{event['step']}: {smoke.get('deployment')} - {smoke.get('summary', '')}"
    if item is not None:
        from smoke import case_grid, column_for

        mine = [c for c in item.report.checks if c.target.deployment == item.deployment]
        body = case_grid([column_for(mine[0].target, mine)]) if mine else ""
    else:
        rows = "".join(
            f"<tr><td>{escape(str(c.get('check')))}</td><td>{escape(str(c.get('status')))}</td>"
            f"<td>{escape(str(c.get('message', '')))}</td></tr>"
            for c in smoke.get("checks", [])
        )
        body = (
            '<p class="meta">Images of this step are not kept in the journal (the run was resumed).</p>'
            f"<table><thead><tr><th>case</th><th>status</th><th>message</th></tr></thead><tbody>{rows}"
            "</tbody></table>"
        )
    opened = " open" if not smoke.get("passed") else ""
    return f"<details{opened}><summary>{escape(title)}</summary>{body}</details>"


def _traffic_events(journal: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [e for e in journal["events"] if "traffic" in e and e["status"] in ("succeeded", "failed")]


def _traffic(journal: Mapping[str, Any]) -> str:
    """A weighted canary's bake steps: one table per step (each member's requests, 429s, 5xx, p95) and
    the gate's decision with its numbers."""
    out = []
    for e in _traffic_events(journal):
        t = e["traffic"]
        rows = []
        sides = [("candidate (all)", t.get("candidate") or {}), ("stable (all)", t.get("stable") or {})]
        for name, f in [*((t.get("window") or {}).get("members") or {}).items(), *sides]:
            p95 = f.get("p95Ms")
            rows.append(
                f"<tr><td>{escape(str(name))}</td><td>{f.get('requests', 0)}</td>"
                f"<td>{f.get('throttled', 0)}</td>"
                f"<td>{f.get('serverErrors', 0)}</td><td>{'-' if p95 is None else f'{p95:.0f} ms'}</td></tr>"
            )
        badge = "passed" if e["status"] == "succeeded" else "failed"
        out.append(
            f"<h3>{escape(str(e['step']))}: candidates at {escape(str(t.get('percent')))}% "
            f'<span class="badge {badge}">{escape(str(t.get("verdict")))}</span></h3>'
            f"<p>{escape(str(t.get('summary') or ''))}</p>"
            "<table><thead><tr><th>member</th><th>requests</th><th>429</th><th>5xx</th><th>p95</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
        )
    return "".join(out)


def render_rollout_html(
    journal: Mapping[str, Any],
    message: str,
    evidence: Mapping[str, SmokeEvidence],
    *,
    finished_at: float | None = None,
    suite_name: str | None = None,
) -> str:
    from smoke import PageHeader, render_page, usage_of

    items = list(evidence.values())
    targets = [c.target for item in items for c in item.report.checks]
    plan = journal["plan"]
    facts = [
        ("rollout", f"{plan['current']['model']}@{plan['current']['version']} -> {journal['target']}"),
        ("strategy", str(journal["strategy"])),
        ("status", str(journal["status"])),
        ("suite", suite_name or "built-in checks"),
        ("usage tokens", f"{sum(usage_of(i.report.checks).total_tokens for i in items):,} in total"),
    ]
    header = PageHeader(
        title=f"{TITLE} {journal['stack']}",
        passed=journal["status"] == SUCCEEDED,
        stack=str(journal["stack"]),
        endpoint=", ".join(dict.fromkeys(t.endpoint for t in targets)) or "-",
        deployments=_deployment_lines(journal, items),
        started_at=float(journal["startedAt"]),
        finished_at=finished_at or float(journal["updatedAt"]),
        emulator=any(t.on_loopback for t in targets),
        facts=tuple(facts),
    )
    sections = ["<h2>Decision</h2>", _decision(journal, message)]
    others = []
    for event in _smoke_events(journal):
        item = evidence.get(str(event["smoke"].get("runId")))
        if item is not None and item.baseline is not None:
            sections.append(_comparison(event, item))
        else:
            others.append(_single(event, item))
    if _traffic_events(journal):
        sections += ["<h2>Traffic by step</h2>", _traffic(journal)]
    sections += ["<h2>Steps</h2>", _timeline(journal)]
    if others:
        sections += ["<h2>Other smoke steps</h2>", *others]
    return render_page(header, sections)


def write_rollout_html(path: Path, html: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def rollout_markdown(
    journal: Mapping[str, Any],
    message: str,
    html_name: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The short summary for ``$GITHUB_STEP_SUMMARY`` and the pull request body."""
    import os

    from smoke import markdown_cell as cell
    from smoke import run_link

    plan = journal["plan"]
    verdict = "PASSED" if journal["status"] == SUCCEEDED else "FAILED"
    before = f"{plan['current']['model']}@{plan['current']['version']}"
    lines = [
        f"### {TITLE} {cell(str(journal['stack']))}: {cell(before)} -> {cell(journal['target'])}: {verdict}",
        "",
        f"**{cell(str(journal['status']))}**: {cell(message, 400)}",
        "",
        "| step | deployment | result | summary |",
        "|---|---|---|---|",
    ]
    for e in _smoke_events(journal):
        smoke = e["smoke"]
        who = smoke.get("deployment", "")
        if smoke.get("baseline"):
            who = f"{who} vs {smoke['baseline']}"
        lines.append(
            f"| {cell(str(e['step']))} | {cell(who)} | {'✅ passed' if smoke.get('passed') else '❌ failed'} "
            f"| {cell(str(smoke.get('summary', '')), 300)} |"
        )
    for e in _traffic_events(journal):
        t = e["traffic"]
        result = "✅ passed" if e["status"] == "succeeded" else "❌ failed"
        lines.append(
            f"| {cell(str(e['step']))} | candidates at {t.get('percent')}% | {result} "
            f"| {cell(str(t.get('summary', '')), 300)} |"
        )
    link = run_link(html_name, os.environ if env is None else env)
    if link:
        lines += ["", link]
    return "\n".join(lines) + "\n"
