"""Rollout reports for pipelines: the journal as a JSON document and as JUnit XML (one test case per step).

Pure: built from the journal's data; smoke reports are embedded as they were recorded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any


def step_results(journal: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The last verdict of each (phase, step), in the order the steps first ran."""
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for event in journal["events"]:
        if event["status"] in ("started", "retrying"):
            continue
        results[(event["phase"], event["step"])] = event
    return list(results.values())


def report_dict(journal: Mapping[str, Any], exit_code: int, message: str) -> dict[str, Any]:
    return {
        "stack": journal["stack"],
        "target": journal["target"],
        "deployment": journal["deployment"],
        "strategy": journal["strategy"],
        "status": journal["status"],
        "exitCode": exit_code,
        "message": message,
        "failedStep": journal.get("failedStep"),
        "steps": step_results(journal),
        "smokeReports": [e["smoke"] for e in journal["events"] if "smoke" in e],
        # A weighted canary's bake steps: each window's figures per member and the gate's sentence.
        "trafficDecisions": [
            {"step": e["step"], "status": e["status"], **e["traffic"]}
            for e in journal["events"]
            if "traffic" in e
        ],
        "events": journal["events"],
    }


def junit_xml(journal: Mapping[str, Any]) -> str:
    steps = step_results(journal)
    failures = sum(1 for s in steps if s["status"] != "succeeded")
    suite = ET.Element(
        "testsuite",
        name=f"rollout {journal['stack']} -> {journal['target']}",
        tests=str(len(steps)),
        failures=str(failures),
        errors="0",
    )
    for step in steps:
        case = ET.SubElement(
            suite, "testcase", classname=f"rollout.{journal['stack']}.{step['phase']}", name=step["step"]
        )
        if step["status"] != "succeeded":
            node = ET.SubElement(case, "failure", message=step.get("detail") or step["status"])
            node.text = step.get("detail") or step["status"]
        smoke = step.get("smoke")
        if smoke:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                [
                    smoke["summary"],
                    *(
                        f"{c['check']}: {c['status']} {c.get('message', '')}".rstrip()
                        for c in smoke.get("checks", ())
                    ),
                ]
            )
    suites = ET.Element("testsuites")
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
