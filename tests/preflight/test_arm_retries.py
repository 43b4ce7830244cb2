"""``--arm-retries`` / ``make_client(retries=)``: how often preflight asks ARM again after a failed
connection, counted at a real loopback listener that hangs up on every connection."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from azure.core.credentials import AccessToken

from infra.naming import resource_names
from preflight.azure import AzureQueryError, fetch_view, make_client
from preflight.checks import plan_from_config
from tests.infra.conftest import stack_config


class _Token:
    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        return AccessToken("token", 2**31)


@pytest.fixture
def hang_up() -> Iterator[tuple[str, list[int]]]:
    """An address on 127.0.0.1 (port chosen by the OS) that accepts and closes every connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.getsockname()[1]}/", accepted
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


@pytest.mark.parametrize("retries", [0, 1], ids=["no-retry", "one-retry"])
def test_arm_retries_bound_the_attempts_at_an_endpoint_that_hangs_up(hang_up, retries: int) -> None:
    url, accepted = hang_up
    config = stack_config("dev")
    plan = plan_from_config(config, resource_names(config).account)
    client = make_client("00000000-0000-0000-0000-000000000000", _Token(), arm_endpoint=url, retries=retries)
    with pytest.raises(AzureQueryError):
        fetch_view(client, plan)
    assert len(accepted) == retries + 1
