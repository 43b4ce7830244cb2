"""The rollout's prompt suite and its evidence: load and check the suite before any change, and write the
HTML page and the Markdown summary (``--summary-md``, ``$GITHUB_STEP_SUMMARY``) after the run.

A suite that does not fit the current or the target model (a size, quality or route the catalog says the
model does not support) is a usage error before the journal begins, so nothing changes.
"""

from __future__ import annotations

import time
from typing import Any

from infra.config import candidate_name
from rollout.errors import UsageError
from rollout.gates import LibrarySmoker
from rollout.html_report import render_rollout_html, rollout_markdown, write_rollout_html
from rollout.journal import Journal
from rollout.plan import Plan, Strategy
from rollout.request import RolloutRequest


def smoked_deployments(plan: Plan) -> dict[str, str]:
    """Deployment name -> model for every deployment a smoke step of ``plan`` runs the suite on."""
    new_name = (
        candidate_name(plan.current.name) if plan.strategy is Strategy.IN_PLACE_VERSION else plan.target.name
    )
    return {plan.current.name: plan.current.model, new_name: plan.target.model}


def read_suite(request: RolloutRequest) -> Any:
    """The ``--suite`` file as a ``smoke.Suite`` (every problem of the file listed), or None."""
    if request.suite is None:
        return None
    from smoke import SmokeError, load_suite

    try:
        return load_suite(request.suite)
    except SmokeError as exc:
        raise UsageError(str(exc)) from exc


def load_rollout_suite(request: RolloutRequest, plan: Plan) -> Any:
    """The ``--suite`` checked against both models of ``plan``, or None for the built-in checks."""
    suite = read_suite(request)
    if suite is None:
        return None
    from smoke import SmokeError, deployment_problems, load_capabilities

    try:
        capabilities_of = load_capabilities(request.catalog)
    except SmokeError as exc:
        raise UsageError(str(exc)) from exc
    problems = [
        p
        for deployment, model in smoked_deployments(plan).items()
        for p in deployment_problems(suite, deployment, model, capabilities_of)
    ]
    if problems:
        raise UsageError(
            f"The prompt suite {request.suite} asks for what the models cannot do; nothing was changed:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    return suite


def check_report_paths(request: RolloutRequest, check: Any) -> None:
    check(request.html_path, "HTML")
    check(request.summary_md, "Markdown summary")


def write_evidence(request: RolloutRequest, journal: Journal, message: str, smoker: Any) -> None:
    """``--html`` and ``--summary-md`` (and ``$GITHUB_STEP_SUMMARY`` when set) after a run."""
    from smoke import append_step_summary

    evidence = smoker.evidence if isinstance(smoker, LibrarySmoker) else {}
    suite_name = smoker.suite.name if isinstance(smoker, LibrarySmoker) and smoker.suite else None
    if request.html_path is not None:
        html = render_rollout_html(
            journal.data, message, evidence, finished_at=time.time(), suite_name=suite_name
        )
        write_rollout_html(request.html_path, html)
    markdown = rollout_markdown(journal.data, message, request.html_path.name if request.html_path else None)
    if request.summary_md is not None:
        request.summary_md.parent.mkdir(parents=True, exist_ok=True)
        request.summary_md.write_text(markdown, encoding="utf-8")
    append_step_summary(markdown)
