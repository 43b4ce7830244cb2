"""Read the ``imagegate:`` config the way a running Pulumi program sees it: every value a string, objects
and lists as JSON text (``infra.config`` parses them). Unknown ``imagegate:`` keys are passed through so
validation can name them."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from infra.config import NAMESPACE, PROVIDER_LOCATION_KEY, TOP_LEVEL_KEYS


def read_pulumi_config(namespace: str = NAMESPACE) -> dict[str, Any]:
    prefix = f"{namespace}:"
    present = {*runtime_config.CONFIG.get(), *runtime_config.get_config_env()}
    keys = list(TOP_LEVEL_KEYS) + sorted(k[len(prefix) :] for k in present if k.startswith(prefix))
    config = pulumi.Config(namespace)
    values: dict[str, Any] = {}
    for key in dict.fromkeys(keys):
        value = config.get(key)
        if value is not None:
            values[key] = value
    return values


def read_provider_config() -> dict[str, Any]:
    """The provider's keys ``load_stack_config`` checks (``outside``): ``azure-native:location``."""
    namespace, _, key = PROVIDER_LOCATION_KEY.partition(":")
    value = pulumi.Config(namespace).get(key)
    return {} if value is None else {PROVIDER_LOCATION_KEY: value}
