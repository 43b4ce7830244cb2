"""The imagegate policy pack: ``pulumi preview --policy-pack infra/policy``.

Constructing the PolicyPack starts the analyzer server and blocks, so this module only wires the plain
rules of ``rules.py`` (tested directly) into pulumi-policy.
"""

import sys
from pathlib import Path

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

# Pulumi runs this file from its own virtualenv, where the `infra` package is not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules import (  # noqa: E402
    StackResource,
    accounts_without_diagnostics,
    image_deployment_pinned,
    prod_account_keyless,
)


def _resource_check(rule):
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        for violation in rule(args.resource_type, args.props):
            report_violation(violation, args.urn)

    return validate


def _stack_check(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = [
        StackResource(
            type=r.resource_type,
            urn=r.urn,
            props=r.props,
            property_dependencies={k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
        )
        for r in args.resources
    ]
    for violation in accounts_without_diagnostics(resources):
        report_violation(violation, None)


PolicyPack(
    name="imagegate",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="prod-account-keyless",
            description="Production Foundry accounts disable key authentication.",
            validate=_resource_check(prod_account_keyless),
        ),
        ResourceValidationPolicy(
            name="image-deployment-pinned",
            description="Image deployments pin a model version and name an RAI policy.",
            validate=_resource_check(image_deployment_pinned),
        ),
        StackValidationPolicy(
            name="account-has-diagnostics",
            description="Every Foundry account has a diagnostic setting.",
            validate=_stack_check,
        ),
    ],
)
