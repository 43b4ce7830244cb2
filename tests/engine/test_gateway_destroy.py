"""`imagegate local destroy` of the pool stack removes the gateway and every regional account, and a new
`up` can reuse every name."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.apimanagement import ApiManagementClient

from emulator.testing import running_emulator
from tests.emulator.arm.conftest import UnsignedCredential
from tests.engine.test_gateway_up import POOL_STACK, RG, SERVICE, SUB, imagegate


@pytest.mark.slow
def test_destroy_removes_the_gateway_and_up_recreates_it(tmp_path: Path) -> None:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}}) as emu:
        where = ["--config", str(POOL_STACK), "--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file)]
        assert imagegate("local", "up", *where, "--outputs", str(tmp_path / "o.json")).returncode == 0
        gone = imagegate("local", "destroy", *where)
        assert gone.returncode == 0, gone.stderr
        for kind, name in (
            ("apimanagement:ApiManagementService", SERVICE),
            ("apimanagement:Backend", "gpt-image-pool"),
            ("cognitiveservices:Account", "imagegate-pool-wus3"),
            ("cognitiveservices:Account", "imagegate-pool-swc"),
        ):
            assert any(
                kind in line and line.endswith(f" {name}") and "deleted" in line
                for line in gone.stdout.splitlines()
            ), (kind, name, gone.stdout)
        with ApiManagementClient(
            UnsignedCredential(), SUB, base_url=emu.base_url, connection_verify=emu.ca_file
        ) as apim:
            with pytest.raises(ResourceNotFoundError):
                apim.api_management_service.get(RG, SERVICE)
        again = imagegate("local", "up", *where, "--outputs", str(tmp_path / "o2.json"))
        assert again.returncode == 0, again.stderr
