"""``imagegate:monitoring:AccountMonitoring``: the diagnostic setting and metric alerts of one more regional
account, into the workspace and action group the stack's :class:`~infra.monitoring.Monitoring` made."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from infra.config_sections import MonitoringConfig
from infra.monitoring import account_alerts, account_diagnostics
from infra.naming import ResourceNames


@dataclass(frozen=True)
class AccountMonitoringArgs:
    resource_group_name: pulumi.Input[str]
    account_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    action_group_id: pulumi.Input[str]
    names: ResourceNames  # the region's names (its account's alerts and diagnostic setting)
    settings: MonitoringConfig
    tags: Mapping[str, str]


class AccountMonitoring(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: AccountMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("imagegate:monitoring:AccountMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.diagnostic_setting = account_diagnostics(
            f"{name}-diagnostics", args.names.diagnostic_setting, args.account_id, args.workspace_id, child
        )
        self.alerts = account_alerts(
            name,
            args.names,
            args.resource_group_name,
            args.account_id,
            args.settings,
            args.action_group_id,
            args.tags,
            child,
        )
        self.register_outputs({"diagnosticSetting": self.diagnostic_setting.name})
