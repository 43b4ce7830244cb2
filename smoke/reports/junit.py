"""``--junit FILE``: one testcase per deployment x check, so CI test tabs show exactly what failed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from smoke.results import CheckResult, CheckStatus, SmokeReport


def junit_tree(report: SmokeReport) -> ET.ElementTree:
    counts = report.counts()
    root = ET.Element(
        "testsuites",
        name="imagegate smoke",
        tests=str(len(report.checks)),
        failures=str(counts["failed"]),
        skipped=str(counts["skipped"]),
        time=f"{report.finished_at - report.started_at:.3f}",
    )
    by_source: dict[str, list[CheckResult]] = {}
    for check in report.checks:
        by_source.setdefault(check.target.source, []).append(check)
    for source, checks in by_source.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"smoke.{source}",
            tests=str(len(checks)),
            failures=str(sum(c.status is CheckStatus.FAILED for c in checks)),
            skipped=str(sum(c.status is CheckStatus.SKIPPED for c in checks)),
            errors="0",
        )
        for c in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"smoke.{source}.{c.target.deployment}",
                name=c.check,
                time=f"{sum(a.latency_s for a in c.attempts):.3f}",
            )
            if c.failure is not None:
                node = ET.SubElement(case, "failure", message=c.failure.message, type=c.failure.kind.value)
                node.text = (
                    f"{c.failure.message}\nhint: {c.failure.hint}\n"
                    f"attempts: {len(c.attempts)}; request ids: {', '.join(c.request_ids) or '-'}"
                )
            elif c.status is CheckStatus.SKIPPED:
                ET.SubElement(case, "skipped", message=c.skip_reason or "skipped")
            if c.target.through_gateway:
                props = ET.SubElement(case, "properties")
                ET.SubElement(props, "property", name="servedRegion", value=c.served_region or "-")
            out = ET.SubElement(case, "system-out")
            out.text = f"endpoint: {c.target.endpoint}\nrequest ids: {', '.join(c.request_ids) or '-'}"
            if c.served_by:
                out.text += f"\n{c.served_by}"
    if report.interrupted is not None:
        # JUnit has no "interrupted"; a property keeps the fact next to the finished cases.
        props = ET.SubElement(root, "properties")
        ET.SubElement(props, "property", name="interrupted", value=report.interrupted)
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: SmokeReport, path: Path) -> None:
    junit_tree(report).write(path, encoding="utf-8", xml_declaration=True)
