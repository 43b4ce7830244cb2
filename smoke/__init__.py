"""imagegate's smoke suite: prove every deployed GPT-Image endpoint's generate and edit routes.

Library API (used by rollout; never imports click or pulumi):

    from smoke import run_smoke, SmokeOptions, load_outputs_file
    report = run_smoke(load_outputs_file(Path("outputs.json")), SmokeOptions(auth=ApiKeyAuth(key, "VAR")))
    report.passed

Heavy modules (httpx, Pillow, azure-identity) load lazily, so importing ``smoke`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "ApiKeyAuth",
    "EntraAuth",
    "SmokeError",
    "SmokeOptions",
    "SmokeReport",
    "CheckResult",
    "CheckStatus",
    "FailureKind",
    "RetryPolicy",
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
    "report_to_dict",
    "write_json",
    "totals_line",
    "plain_summary",
    "write_html",
    "write_junit",
    "targets_from_outputs",
]

_WHERE = {
    "ApiKeyAuth": "smoke.auth",
    "EntraAuth": "smoke.auth",
    "SmokeError": "smoke.errors",
    "SmokeOptions": "smoke.runner",
    "run_smoke": "smoke.runner",
    "SmokeReport": "smoke.results",
    "CheckResult": "smoke.results",
    "CheckStatus": "smoke.results",
    "FailureKind": "smoke.results",
    "RetryPolicy": "smoke.retry",
    "Target": "smoke.targets",
    "endpoint_targets": "smoke.targets",
    "load_outputs_file": "smoke.targets",
    "load_stack": "smoke.targets",
    "select_deployments": "smoke.targets",
    "LocalTokenCredential": "smoke.local_credential",
    "local_token": "smoke.local_credential",
    "key_from_env": "smoke.auth",
    "check_to_dict": "smoke.reports.json_report",
    "report_to_dict": "smoke.reports.json_report",
    "write_json": "smoke.reports.json_report",
    "totals_line": "smoke.reports.summary",
    "plain_summary": "smoke.reports.summary",
    "write_html": "smoke.reports.html",
    "write_junit": "smoke.reports.junit",
    "targets_from_outputs": "smoke.targets",
}

if TYPE_CHECKING:
    from smoke.auth import ApiKeyAuth, EntraAuth, key_from_env
    from smoke.errors import SmokeError
    from smoke.local_credential import LocalTokenCredential, local_token
    from smoke.reports.html import write_html
    from smoke.reports.json_report import check_to_dict, report_to_dict, write_json
    from smoke.reports.junit import write_junit
    from smoke.reports.summary import plain_summary, totals_line
    from smoke.results import CheckResult, CheckStatus, FailureKind, SmokeReport
    from smoke.retry import RetryPolicy
    from smoke.runner import SmokeOptions, run_smoke
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

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'smoke' has no attribute {name!r}")
