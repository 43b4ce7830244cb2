"""Benchmark the emulator's API Management gateway against calling an account directly.

Starts the real server, builds three regional accounts behind a gateway over ARM with the official clients
(the same build as tests/emulator/apim), then prints, all from one run:
1. the gateway's added latency: p50 of sequential generate calls through the gateway minus p50 of the same
   calls straight to one account (goal: at most 5 ms), and the ratio of the two p50s;
2. a saturating load on a three-region pool whose deployments each allow R requests a minute: the share of
   the summed limit 3R served (goal: at least 95 %), whether any 429 reached the client before every member
   was throttled, and the Retry-After of the first 429 against the smallest one left on the members;
3. with one member answering 429 to everything and another 503, the failed client requests (goal: 0).

Example usage:

    .venv/bin/python benchmarks/bench_gateway.py [--calls 200] [--rpm 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from azure.mgmt.apimanagement import ApiManagementClient
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.testing import RunningEmulator, running_emulator  # noqa: E402
from tests.emulator.apim.conftest import build_gateway  # noqa: E402
from tests.emulator.arm.conftest import CONFIG, RG, SUBSCRIPTION, UnsignedCredential, make_jwt  # noqa: E402

DATA_API = "2025-04-01-preview"
BODY = {"prompt": "a lighthouse", "size": "1024x1024", "quality": "low"}


def setup(emu: RunningEmulator) -> dict[str, Any]:
    cred = UnsignedCredential()
    with (
        ApiManagementClient(cred, SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file) as apim,
        CognitiveServicesManagementClient(
            cred, SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file
        ) as cs,
        httpx.Client(base_url=emu.base_url, verify=emu.verify, timeout=30,
                     headers={"Authorization": f"Bearer {make_jwt()}"}) as http,
    ):
        gw = build_gateway(cs, apim, http)
        gw["direct_key"] = cs.accounts.list_keys(RG, "acct-east").key1
    return gw


def p50(client: httpx.Client, url: str, headers: dict[str, str], calls: int) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        answer = client.post(url, params={"api-version": DATA_API}, headers=headers, json=BODY)
        times.append(time.perf_counter() - start)
        assert answer.status_code == 200, answer.text
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rpm", type=int, default=20, help="requests a minute each deployment allows")
    args = parser.parse_args()
    config = {**CONFIG, "rpmPerCapacityUnit": 100, "arm": {**CONFIG["arm"], "lroDelaySeconds": 0.05}}
    with running_emulator(config) as emu, httpx.Client(verify=emu.verify, timeout=60) as client:
        gw = setup(emu)
        gateway_url = f"{gw['url']}/openai/deployments/images/images/generations"
        direct_url = f"{emu.endpoint('east-img')}openai/deployments/gpt-image/images/generations"
        p50(client, direct_url, {"api-key": gw["direct_key"]}, 10)  # warm both paths
        p50(client, gateway_url, {"api-key": gw["key"]}, 10)
        direct = p50(client, direct_url, {"api-key": gw["direct_key"]}, args.calls)
        through = p50(client, gateway_url, {"api-key": gw["key"]}, args.calls)
        print(f"added latency: direct p50 {direct:.2f} ms, gateway p50 {through:.2f} ms, "
              f"added {through - direct:.2f} ms (goal <= 5), ratio {through / direct:.2f}")

        # One member 429, another 503 to everything: no client request may fail.
        emu.set_fault("east-img", "gpt-image", throttle_rate=1.0)
        emu.set_fault("west-img", "gpt-image", error_rate=1.0, error_status=503)
        failed = sum(
            client.post(gateway_url, params={"api-version": DATA_API}, headers={"api-key": gw["key"]},
                        json=BODY).status_code != 200
            for _ in range(args.calls)
        )
        print(f"one member 429, one 503: {failed} failed client requests of {args.calls} (goal 0)")

        # Saturation: each deployment allows --rpm a minute (capacity 3 x rpmPerCapacityUnit).
        emu.reset()
        unit = args.rpm / 3
    config["rpmPerCapacityUnit"] = unit
    with running_emulator(config) as emu, httpx.Client(verify=emu.verify, timeout=60) as client:
        gw = setup(emu)
        gateway_url = f"{gw['url']}/openai/deployments/images/images/generations"
        limit = 3 * args.rpm
        served, first_429, retry_after = 0, None, None
        for i in range(limit + 10):
            answer = client.post(
                gateway_url, params={"api-version": DATA_API}, headers={"api-key": gw["key"]}, json=BODY
            )
            if answer.status_code == 200:
                served += 1
            elif answer.status_code == 429 and first_429 is None:
                first_429, retry_after = i, answer.headers.get("retry-after")
        early = first_429 is not None and first_429 < served
        share = 100 * served / limit
        print(f"saturation: served {served} of the summed limit {limit} ({share:.1f} %, goal >= 95), "
              f"first 429 at request {first_429} (429 before every member was throttled: {early}), "
              f"its Retry-After {retry_after} s")


if __name__ == "__main__":
    main()
