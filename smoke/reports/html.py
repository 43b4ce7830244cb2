"""``--html FILE``: one self-contained page (inline CSS, base64 thumbnails) showing what every
deployment produced, with prompt, latency and verdict, so a reviewer sees the images themselves."""

from __future__ import annotations

import base64
import time
from html import escape
from pathlib import Path

from smoke.images import thumbnail
from smoke.results import CheckResult, SmokeReport

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.4rem;vertical-align:top;text-align:left}
.passed{color:#17612a}.failed{color:#a11}.skipped{color:#777}
img{max-width:256px;border:1px solid #ddd;display:block;margin-bottom:.3rem}
.hint{color:#555;font-size:.9em}
"""


def _cell_images(c: CheckResult) -> str:
    parts = []
    for img in c.images:
        b64 = base64.b64encode(thumbnail(img.data)).decode("ascii")
        alt = f"{c.check} image {img.index} from {c.target.label}"
        parts.append(
            f'<img src="data:image/jpeg;base64,{b64}" alt="{escape(alt)}" '
            f'title="{img.width}x{img.height} {img.format}">'
        )
    return "".join(parts) or "-"


def _row(c: CheckResult) -> str:
    latency = f"{c.latency_s:.2f} s" if c.latency_s is not None else "-"
    if c.failure is not None:
        verdict = (
            f"<b>{escape(c.failure.kind.value)}</b>: {escape(c.failure.message)}"
            f'<div class="hint">{escape(c.failure.hint)}</div>'
        )
    elif c.skip_reason:
        verdict = escape(c.skip_reason)
    else:
        verdict = escape(", ".join(f"{k}={v}" for k, v in c.details.items() if k != "usage")) or "ok"
    return (
        "<tr>"
        f"<td>{escape(c.target.source)}</td><td>{escape(c.target.deployment)}</td>"
        f'<td>{escape(c.check)}</td><td class="{c.status.value}">{c.status.value}</td>'
        f"<td>{latency}<br>{len(c.attempts)} attempt(s)</td>"
        f"<td>{escape(c.prompt or '-')}</td><td>{verdict}</td><td>{_cell_images(c)}</td>"
        "</tr>"
    )


def render_html(report: SmokeReport) -> str:
    counts = report.counts()
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(report.started_at))
    outcome = "PASSED" if report.passed else "FAILED"
    note = ""
    if report.interrupted is not None:
        outcome = "INTERRUPTED"
        of = f" of {report.planned}" if report.planned is not None else ""
        note = (
            f'<p class="failed">Interrupted by {escape(report.interrupted)}: '
            f"{len(report.checks)}{of} checks finished; only those are shown.</p>"
        )
    rows = "\n".join(_row(c) for c in report.checks)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>imagegate smoke report - {outcome}</title><style>{_CSS}</style></head><body>"
        f"<h1>imagegate smoke report: {outcome}</h1>"
        f"<p>{when} - {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped</p>"
        f"{note}<table><thead><tr><th>source</th><th>deployment</th><th>check</th><th>status</th><th>latency</th>"
        f"<th>prompt</th><th>verdict</th><th>images</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
        "</body></html>\n"
    )


def write_html(report: SmokeReport, path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")
