"""Entry point Pulumi runs (``main: infra/``): read and validate the ``imagegate:`` config, build, export.

A config problem stops the run before any resource is declared, with every problem listed.
"""

import pulumi

from catalog import CatalogError
from infra.config import load_stack_config
from infra.errors import InfraError
from infra.program import build
from infra.pulumi_config import read_provider_config, read_pulumi_config

try:
    config = load_stack_config(read_pulumi_config(), pulumi.get_stack(), outside=read_provider_config())
except (InfraError, CatalogError) as error:
    # RunError prints the message alone: a bad config or model catalog is the user's to fix, not a traceback.
    raise pulumi.RunError(str(error)) from None

for warning in config.warnings:
    pulumi.log.warn(warning)

for key, value in build(config).items():
    pulumi.export(key, value)
