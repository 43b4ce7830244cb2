"""``--html FILE``: one self-contained page showing what every deployment did with every case.

Header (PASSED/FAILED, stack, endpoint, each deployment's model@version and sku/capacity, when, how long,
an emulator banner), totals per deployment (results, p95 latency, usage tokens, and the images' estimated
price at the list price the model catalog cites, labelled with whose and when; no column when no
deployment's model has one), then the case grid with failures first (``smoke.reports.cases``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from catalog import ListPrice
from smoke.reports.cases import Column, case_grid
from smoke.reports.page import DeploymentLine, PageHeader, page
from smoke.reports.usage import catalog_prices, estimate, latencies, p95, price_heading, usage_of
from smoke.results import CheckResult, CheckStatus, SmokeReport
from smoke.targets import Target

TITLE = "imagegate smoke"


def deployment_line(target: Target) -> DeploymentLine:
    return DeploymentLine(
        target.deployment, target.model, target.version, target.sku, target.capacity, target.role
    )


def by_target(report: SmokeReport) -> dict[Target, list[CheckResult]]:
    grouped: dict[Target, list[CheckResult]] = {}
    for check in report.checks:
        grouped.setdefault(check.target, []).append(check)
    return grouped


def column_for(target: Target, results: Sequence[CheckResult], title: str | None = None) -> Column:
    model = f"{target.model or '?'}@{target.version or '?'}"
    return Column(title or target.label, model, {r.check: r for r in results})


def totals_table(groups: Mapping[Target, Sequence[CheckResult]], prices: Mapping[str, ListPrice]) -> str:
    """One row per deployment; the price column only when some deployment's model has a list price."""
    priced = {t: prices[t.model] for t in groups if t.model is not None and t.model in prices}
    rows = []
    for target, results in groups.items():
        counts = {s: sum(r.status is s for r in results) for s in CheckStatus}
        slow = p95(latencies(results))
        usage = usage_of(results)
        price = priced.get(target)
        cost = estimate(results, price).text() if price else f"no list price for {target.model or '?'}"
        rows.append(
            "<tr>"
            f"<td>{escape(target.label)}</td>"
            f"<td>{counts[CheckStatus.PASSED]}</td><td>{counts[CheckStatus.FAILED]}</td>"
            f"<td>{counts[CheckStatus.SKIPPED]}</td>"
            f"<td>{f'{slow:.2f} s' if slow is not None else '-'}</td>"
            f"<td>{usage.total_tokens:,}</td>"
            + (f"<td>{escape(cost)}</td>" if priced else "")
            + "</tr>"
        )
    heading = f"<th>{escape(price_heading(list(priced.values())))}</th>" if priced else ""
    return (
        '<table class="totals"><thead><tr><th>deployment</th><th>passed</th><th>failed</th><th>skipped</th>'
        f"<th>p95 latency</th><th>usage tokens</th>{heading}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def report_header(
    report: SmokeReport, title: str, passed: bool, facts: Sequence[tuple[str, str]] = ()
) -> PageHeader:
    targets = list(dict.fromkeys(c.target for c in report.checks))
    return PageHeader(
        title=title,
        passed=passed,
        stack=", ".join(dict.fromkeys(t.source for t in targets)) or "-",
        endpoint=", ".join(dict.fromkeys(t.endpoint for t in targets)) or "-",
        deployments=tuple(deployment_line(t) for t in targets),
        started_at=report.started_at,
        finished_at=report.finished_at,
        emulator=any(t.on_loopback for t in targets),
        facts=tuple(facts),
    )


def render_html(
    report: SmokeReport,
    *,
    suite_name: str | None = None,
    prices: Mapping[str, ListPrice] | None = None,
) -> str:
    """The page; ``prices`` (model -> list price) adds the estimated-price column, none leaves it out."""
    groups = by_target(report)
    counts = report.counts()
    facts = [
        ("suite", suite_name or "built-in checks"),
        ("results", f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"),
        ("usage tokens", f"{report.usage_tokens:,} in total"),
    ]
    if report.interrupted is not None:
        of = f" of {report.planned}" if report.planned is not None else ""
        finished = f"by {report.interrupted}: {len(report.checks)}{of} checks finished; only those are shown"
        facts.append(("interrupted", finished))
    header = report_header(report, TITLE, report.passed, facts)
    sections = [
        "<h2>Deployments</h2>",
        totals_table(groups, prices or {}),
        "<h2>Cases</h2>",
        '<p class="meta">Failures first. Click an image for its full-size view.</p>',
        case_grid([column_for(t, results) for t, results in groups.items()]),
    ]
    return page(header, sections)


def write_html(
    report: SmokeReport,
    path: Path,
    *,
    suite_name: str | None = None,
    prices: Mapping[str, ListPrice] | None = None,
) -> None:
    """Write the page; ``prices`` default to the model catalog's list prices (``catalog_prices``)."""
    chosen = catalog_prices() if prices is None else prices
    path.write_text(render_html(report, suite_name=suite_name, prices=chosen), encoding="utf-8")
