"""Preflight's reports (table, JSON, JUnit) and how Azure's answers and failures are read."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace as NS
from xml.etree import ElementTree as ET

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    DeserializationError,
    HttpResponseError,
    ServiceRequestError,
)

from preflight.azure import AzureQueryError, fetch_view
from preflight.checks import (
    DeletedAccount,
    ExistingDeployment,
    Finding,
    OfferedModel,
    PlannedDeployment,
    PreflightPlan,
    Usage,
    render_table,
    report_json,
    report_junit,
)

PLAN = PreflightPlan("prod", "westus3", "rg-prod", "acct", "acct",
                     (PlannedDeployment("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 6),))
FINDINGS = [
    Finding("", "soft-deleted", "ok", "No soft-deleted account holds the name acct."),
    Finding("gpt-image", "quota", "blocker", "needs 6, free 4."),
    Finding("gpt-image", "retirement", "warning", "retires soon."),
]


def test_the_table_aligns_columns_and_names_the_account_row() -> None:
    assert render_table(FINDINGS).splitlines() == [
        "deployment  check         verdict  detail",
        "(account)   soft-deleted  OK       No soft-deleted account holds the name acct.",
        "gpt-image   quota         BLOCKER  needs 6, free 4.",
        "gpt-image   retirement    WARNING  retires soon.",
    ]


def test_json_says_whether_up_can_go_ahead() -> None:
    data = report_json(PLAN, FINDINGS)
    assert (data["canProceed"], data["blockers"], data["warnings"]) == (False, 1, 1)
    assert data["findings"][0] == {"deployment": None, "check": "soft-deleted", "severity": "ok",
                                   "message": "No soft-deleted account holds the name acct."}


def test_junit_fails_exactly_the_blockers() -> None:
    suite = ET.fromstring(report_junit(PLAN, FINDINGS).split("?>", 1)[1])
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == ["quota"]
    assert suite[2].find("system-out").text == "warning: retires soon."


class FakeClient:
    """The slice of CognitiveServicesManagementClient preflight reads, shaped like the SDK's models."""

    def __init__(self, fail: Exception | None = None, deployments_error: Exception | None = None) -> None:
        model = NS(name="gpt-image-1.5", version="2025-12-16", skus=[NS(name="GlobalStandard")],
                   deprecation=NS(inference="2027-06-16T00:00:00Z"))
        self.models = NS(list=lambda location: self._maybe_fail([NS(model=model), NS(model=None)]))
        self.usages = NS(list=lambda location: [NS(name=NS(value="OpenAI.GlobalStandard.gpt-image-1.5"),
                                                   current_value=2.0, limit=9.0)])
        deployment = NS(name="gpt-image", sku=NS(name="GlobalStandard", capacity=2),
                        properties=NS(model=NS(name="gpt-image-1.5", version="2025-12-16")))

        def list_deployments(group: str, account: str) -> list[NS]:
            if deployments_error is not None:
                raise deployments_error
            return [deployment]

        self.deployments = NS(list=list_deployments)
        deleted = NS(name="old", location="westus3", properties=NS(custom_sub_domain_name="old-sub"),
                     id="/subscriptions/s/resourceGroups/rg-old/providers/Microsoft.CognitiveServices/accounts/old")
        self.deleted_accounts = NS(list=lambda: [deleted])
        self._fail = fail

    def _maybe_fail(self, value: list[NS]) -> list[NS]:
        if self._fail is not None:
            raise self._fail
        return value


def test_the_view_reads_the_sdk_models_into_plain_data() -> None:
    view = fetch_view(FakeClient(), PLAN)
    offered = OfferedModel("gpt-image-1.5", "2025-12-16", ("GlobalStandard",), date(2027, 6, 16))
    assert view.offered == (offered,)
    assert view.usages == (Usage("OpenAI.GlobalStandard.gpt-image-1.5", 2.0, 9.0),)
    existing = ExistingDeployment("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 2)
    assert view.existing == (existing,)
    assert view.deleted_accounts == (DeletedAccount("old", "westus3", "rg-old", "old-sub"),)


def test_an_account_not_created_yet_means_no_existing_deployments() -> None:
    missing = HttpResponseError(message="ResourceNotFound")
    missing.status_code = 404
    assert fetch_view(FakeClient(deployments_error=missing), PLAN).existing == ()


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ClientAuthenticationError("no az login"),
         "Azure refused the credentials (no az login); run `az login` or set AZURE_* variables."),
        (ServiceRequestError("refused"), "Cannot reach Azure Resource Manager (refused)."),
        (DeserializationError("Unable to deserialize response data."),
         "The answer of Azure Resource Manager could not be read by azure-mgmt-cognitiveservices "
         "(Unable to deserialize response data.); check --arm-endpoint points at ARM."),
    ],
)
def test_azure_failures_are_one_sentence(error: Exception, message: str) -> None:
    with pytest.raises(AzureQueryError) as caught:
        fetch_view(FakeClient(fail=error), PLAN)
    assert str(caught.value) == message
