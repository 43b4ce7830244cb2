"""imagegate's smoke suite: prove every deployed GPT-Image endpoint's generate and edit routes.

Library API (used by rollout; never imports click or pulumi):

    from smoke import run_smoke, SmokeOptions, load_outputs_file
    report = run_smoke(load_outputs_file(Path("outputs.json")), SmokeOptions(auth=ApiKeyAuth(key, "VAR")))
    report.passed

``SmokeOptions().retry`` is ``RetryPolicy()``: the check budget (``DEFAULT_BUDGET_S``) and the give-up
window (``give_up_after_s``, default ``DEFAULT_GIVE_UP_AFTER_S``) that ``smoke run --check-timeout`` /
``--give-up-after`` set; a caller that builds ``RetryPolicy(deadline_s=...)`` keeps the default window.

Heavy modules (httpx, Pillow, azure-identity) load lazily, so importing ``smoke`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "ApiKeyAuth",
    "EntraAuth",
    "SmokeError",
    "InputError",
    "SmokeInterrupted",
    "SmokeOptions",
    "SmokeReport",
    "CheckResult",
    "CheckStatus",
    "FailureKind",
    "RetryPolicy",
    "DEFAULT_BUDGET_S",
    "DEFAULT_GIVE_UP_AFTER_S",
    "GIVE_UP_MIN_ATTEMPTS",
    "Target",
    "endpoint_targets",
    "load_outputs_file",
    "load_stack",
    "run_smoke",
    "select_deployments",
    "LocalTokenCredential",
    "local_token",
    "key_from_env",
    "check_to_dict",
    "write_json",
    "plain_summary",
    "write_html",
    "write_junit",
    "targets_from_outputs",
    "totals_line",
    # prompt suites
    "Suite",
    "SuiteError",
    "default_suite",
    "load_suite",
    "run_suite",
    "suite_problems",
    "deployment_problems",
    "load_capabilities",
    "case_names",
    # reports other packages compose (rollout's page)
    "Column",
    "DeploymentLine",
    "PageHeader",
    "case_grid",
    "column_for",
    "latencies",
    "p95",
    "render_page",
    "report_to_dict",
    "smoke_markdown",
    "append_step_summary",
    "markdown_cell",
    "report_time",
    "run_link",
    "usage_of",
]

_WHERE = {
    "ApiKeyAuth": "smoke.auth",
    "EntraAuth": "smoke.auth",
    "SmokeError": "smoke.errors",
    "InputError": "smoke.errors",
    "SmokeInterrupted": "smoke.errors",
    "SmokeOptions": "smoke.runner",
    "run_smoke": "smoke.runner",
    "SmokeReport": "smoke.results",
    "CheckResult": "smoke.results",
    "CheckStatus": "smoke.results",
    "FailureKind": "smoke.results",
    "RetryPolicy": "smoke.retry",
    "DEFAULT_BUDGET_S": "smoke.retry",
    "DEFAULT_GIVE_UP_AFTER_S": "smoke.retry",
    "GIVE_UP_MIN_ATTEMPTS": "smoke.retry",
    "Target": "smoke.targets",
    "endpoint_targets": "smoke.targets",
    "load_outputs_file": "smoke.targets",
    "load_stack": "smoke.targets",
    "select_deployments": "smoke.targets",
    "LocalTokenCredential": "smoke.local_credential",
    "local_token": "smoke.local_credential",
    "key_from_env": "smoke.auth",
    "check_to_dict": "smoke.reports.json_report",
    "write_json": "smoke.reports.json_report",
    "plain_summary": "smoke.reports.summary",
    "write_html": "smoke.reports.html",
    "write_junit": "smoke.reports.junit",
    "targets_from_outputs": "smoke.targets",
    "totals_line": "smoke.reports.summary",
    "Suite": "smoke.suite",
    "SuiteError": "smoke.suite",
    "default_suite": "smoke.suite",
    "load_suite": "smoke.suite",
    "run_suite": "smoke.suite",
    "suite_problems": "smoke.suite",
    "deployment_problems": "smoke.suite",
    "load_capabilities": "smoke.suite",
    "case_names": "smoke.suite",
    "Column": "smoke.reports.cases",
    "case_grid": "smoke.reports.cases",
    "DeploymentLine": "smoke.reports.page",
    "PageHeader": "smoke.reports.page",
    "render_page": "smoke.reports.page",
    "column_for": "smoke.reports.html",
    "latencies": "smoke.reports.usage",
    "p95": "smoke.reports.usage",
    "usage_of": "smoke.reports.usage",
    "report_to_dict": "smoke.reports.json_report",
    "smoke_markdown": "smoke.reports.markdown",
    "append_step_summary": "smoke.reports.markdown",
    "markdown_cell": "smoke.reports.markdown",
    "run_link": "smoke.reports.markdown",
    "report_time": "smoke.reports.page",
}
# Names whose module attribute is spelled differently.
_ALIASES = {"render_page": "page", "markdown_cell": "cell", "report_time": "when"}

if TYPE_CHECKING:
    from smoke.auth import ApiKeyAuth, EntraAuth, key_from_env
    from smoke.errors import InputError, SmokeError, SmokeInterrupted
    from smoke.local_credential import LocalTokenCredential, local_token
    from smoke.reports.cases import Column, case_grid
    from smoke.reports.html import column_for, write_html
    from smoke.reports.json_report import check_to_dict, report_to_dict, write_json
    from smoke.reports.junit import write_junit
    from smoke.reports.markdown import append_step_summary, run_link, smoke_markdown
    from smoke.reports.markdown import cell as markdown_cell
    from smoke.reports.page import DeploymentLine, PageHeader
    from smoke.reports.page import page as render_page
    from smoke.reports.page import when as report_time
    from smoke.reports.summary import plain_summary, totals_line
    from smoke.reports.usage import latencies, p95, usage_of
    from smoke.results import CheckResult, CheckStatus, FailureKind, SmokeReport
    from smoke.retry import DEFAULT_BUDGET_S, DEFAULT_GIVE_UP_AFTER_S, GIVE_UP_MIN_ATTEMPTS, RetryPolicy
    from smoke.runner import SmokeOptions, run_smoke
    from smoke.suite import (
        Suite,
        SuiteError,
        case_names,
        default_suite,
        deployment_problems,
        load_capabilities,
        load_suite,
        run_suite,
        suite_problems,
    )
    from smoke.targets import (
        Target,
        endpoint_targets,
        load_outputs_file,
        load_stack,
        select_deployments,
        targets_from_outputs,
    )


def __getattr__(name: str) -> Any:
    # Lazy so `smoke --help` does not pay for the runner's imports.
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), _ALIASES.get(name, name))
    raise AttributeError(f"module 'smoke' has no attribute {name!r}")
