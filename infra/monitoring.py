"""``imagegate:monitoring:Monitoring``: Log Analytics workspace, the account's diagnostic setting, an
action group, the metric alerts of :mod:`infra.alerts`, and the optional monthly budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import consumption, monitor
from pulumi_azure_native import operationalinsights as oi

from infra.alerts import METRIC_NAMESPACE, alert_specs
from infra.config_sections import BudgetConfig, MonitoringConfig
from infra.naming import ResourceNames


@dataclass(frozen=True)
class MonitoringArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    account_id: pulumi.Input[str]
    subscription_id: pulumi.Input[str]
    names: ResourceNames
    settings: MonitoringConfig
    tags: Mapping[str, str]


class Monitoring(pulumi.ComponentResource):
    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("imagegate:monitoring:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        names, settings = args.names, args.settings
        self.workspace = oi.Workspace(
            f"{name}-workspace",
            workspace_name=names.workspace,
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku=oi.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=settings.retention_in_days,
            tags=dict(args.tags),
            opts=child,
        )
        self.diagnostic_setting = account_diagnostics(
            f"{name}-diagnostics", names.diagnostic_setting, args.account_id, self.workspace.id, child
        )
        self.action_group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=names.action_group,
            resource_group_name=args.resource_group_name,
            location="Global",
            group_short_name=names.action_group_short,
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{index}", email_address=email, use_common_alert_schema=True
                )
                for index, email in enumerate(settings.alert_emails)
            ],
            tags=dict(args.tags),
            opts=child,
        )
        self.alerts = account_alerts(
            name, names, args.resource_group_name, args.account_id, settings, self.action_group.id,
            args.tags, child,
        )
        self.budget = (
            self._budget(name, args, settings.budget, child) if settings.budget is not None else None
        )
        self.register_outputs({"workspaceId": self.workspace.id, "actionGroupId": self.action_group.id})

    @staticmethod
    def _budget(
        name: str, args: MonitoringArgs, budget: BudgetConfig, opts: pulumi.ResourceOptions
    ) -> consumption.Budget:
        scope = pulumi.Output.concat(
            "/subscriptions/", args.subscription_id, "/resourceGroups/", args.resource_group_name
        )
        return consumption.Budget(
            f"{name}-budget",
            budget_name=args.names.budget,
            scope=scope,
            amount=budget.amount,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(
                start_date=f"{budget.start_date.isoformat()}T00:00:00Z"
            ),
            notifications={
                f"actual-greater-than-{threshold:g}-percent": consumption.NotificationArgs(
                    enabled=True,
                    operator="GreaterThan",
                    threshold=threshold,
                    threshold_type="Actual",
                    contact_emails=list(budget.contact_emails),
                )
                for threshold in budget.thresholds
            },
            opts=opts,
        )


def account_diagnostics(
    name: str, setting_name: str, resource_id: pulumi.Input[str], workspace_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> monitor.DiagnosticSetting:
    """Every log and metric of ``resource_id`` (an account, the gateway) to the stack's workspace."""
    return monitor.DiagnosticSetting(
        name,
        name=setting_name,
        resource_uri=resource_id,
        workspace_id=workspace_id,
        logs=[monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)],
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)],
        opts=opts,
    )


def account_alerts(
    name: str,
    names: ResourceNames,
    resource_group_name: pulumi.Input[str],
    account_id: pulumi.Input[str],
    settings: MonitoringConfig,
    action_group_id: pulumi.Input[str],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> dict[str, monitor.MetricAlert]:
    """The metric alerts of :mod:`infra.alerts` on one account, paging ``action_group_id``."""
    return {
        spec.key: monitor.MetricAlert(
            f"{name}-{spec.key}",
            rule_name=names.alert(spec.key),
            resource_group_name=resource_group_name,
            location="global",
            description=spec.description,
            severity=spec.severity,
            enabled=True,
            auto_mitigate=True,
            scopes=[account_id],
            window_size=spec.window_size,
            evaluation_frequency=spec.evaluation_frequency,
            criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                all_of=[
                    monitor.MetricCriteriaArgs(
                        criterion_type="StaticThresholdCriterion",
                        name=spec.key,
                        metric_name=spec.metric_name,
                        metric_namespace=METRIC_NAMESPACE,
                        operator=spec.operator,
                        threshold=spec.threshold,
                        time_aggregation=spec.time_aggregation,
                        dimensions=[
                            monitor.MetricDimensionArgs(name=dim, operator="Include", values=list(values))
                            for dim, values in spec.dimensions
                        ],
                    )
                ],
            ),
            actions=[monitor.MetricAlertActionArgs(action_group_id=action_group_id)],
            tags=dict(tags),
            opts=opts,
        )
        for spec in alert_specs(settings.thresholds)
    }
