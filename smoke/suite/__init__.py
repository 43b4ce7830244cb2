"""Prompt suites: a team's proven prompts and what must keep holding, run on every target deployment.

``load_suite(path)`` reads and checks a YAML file (every problem listed at once), ``suite_problems`` checks
it against each target's model in the catalog, ``run_suite`` runs it and returns a ``SmokeReport``.
"""

from smoke.suite.capabilities import (
    deployment_problems,
    load_capabilities,
    suite_problems,
)
from smoke.suite.loader import SuiteError, default_suite, load_suite, parse_suite
from smoke.suite.model import Case, Expect, Outcome, Suite
from smoke.suite.runner import case_names, run_suite

__all__ = [
    "Case",
    "Expect",
    "Outcome",
    "Suite",
    "SuiteError",
    "case_names",
    "default_suite",
    "deployment_problems",
    "load_capabilities",
    "load_suite",
    "parse_suite",
    "run_suite",
    "suite_problems",
]
