"""Replay issue 12's hostile request classes against a real emulator and print what they cost.

Starts ``python -m emulator`` over HTTPS with the default limits and a descriptor soft limit of 1024 (as in
the issue's probe), then for each class sends a few requests and prints: requests, 5xx answers, answers
by status, and the median/max time to refuse, with the ratio to a baseline (an ordinary 400, a bad
``size``, measured in the same run). Then it opens 1,000 idle half-sent TLS connections and measures
``/_emulator/health`` latency under that load against the unloaded baseline, and how long the server
takes to close the idle connections (the header timeout). Last, the server's peak RSS (VmHWM from /proc)
against the 512 MB budget. Touches nothing outside a temp dir; every connection goes to 127.0.0.1.

Example usage:

    .venv/bin/python benchmarks/bench_reliability.py [--repeat 5] [--idle 1000]
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import resource
import socket
import ssl
import statistics
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from emulator.testing import RunningEmulator, running_emulator

KEY = "bench-key"
SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-bench"
ACCOUNTS = f"subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts"
Q = "?api-version=2025-06-01"
GEN = "accounts/bench/openai/deployments/gpt-image/images/generations?api-version=2025-04-01-preview"
V1_GEN = "accounts/bench/openai/v1/images/generations"
EDIT = "accounts/bench/openai/deployments/gpt-image/images/edits?api-version=2025-04-01-preview"
CONFIG: dict[str, Any] = {
    "accounts": [
        {
            "subdomain": "bench",
            "keys": [KEY],
            "disableLocalAuth": False,
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 10**8}
            ],
        }
    ],
    "arm": {"resourceGroups": [RG], "lroDelaySeconds": 0, "strictAuth": True},
}
RSS_BUDGET_MB = 512
DEEP = "[" * 100_000 + "]" * 100_000


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(claims: str) -> str:
    return f"{b64(b'{}')}.{b64(claims.encode())}."


ARM_OK = {
    "Authorization": "Bearer " + jwt(json.dumps({"aud": "https://management.azure.com/", "exp": 4102444800}))
}
JSON = {"content-type": "application/json"}


def png(size: tuple[int, int], mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Attack:
    name: str
    send: Callable[[httpx.Client], httpx.Response]
    statuses: Counter[str] = field(default_factory=Counter)
    times_ms: list[float] = field(default_factory=list)
    peak_mb: float = 0.0  # the server's peak RSS once this class was replayed


def attacks() -> list[Attack]:
    small, huge = png((64, 64)), png((7000, 7000), mode="1")
    deep_claims = jwt('{"aud": "https://management.azure.com/", "x": ' + "[" * 4000 + "]" * 4000 + "}")
    forever = jwt('{"aud": "https://cognitiveservices.azure.com", "exp": 1e308, "oid": "o"}')
    forever_arm = jwt('{"aud": "https://management.azure.com/", "exp": 1e308}')
    key = {"api-key": KEY}

    def post(
        path: str, body: str | bytes, headers: dict[str, str]
    ) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.post(path, content=body, headers=headers)

    def put(
        path: str, body: str | bytes, headers: dict[str, str]
    ) -> Callable[[httpx.Client], httpx.Response]:
        return lambda c: c.put(path, content=body, headers=headers)

    account = f"{ACCOUNTS}/poison{Q}"
    multipart = [("image[]", (f"{i}.png", huge, "image/png")) for i in range(16)]
    return [
        Attack(
            "baseline: bad size (ordinary 400)", post(GEN, '{"prompt": "a", "size": "7x7"}', {**key, **JSON})
        ),
        Attack(
            "ARM PUT with NaN",
            put(account, '{"location": "eastus2", "tags": {"x": NaN}}', {**ARM_OK, **JSON}),
        ),
        Attack(
            "ARM PUT with Infinity",
            put(account, '{"location": "eastus2", "tags": {"x": Infinity}}', {**ARM_OK, **JSON}),
        ),
        Attack("ARM PUT with a lone surrogate", put(account, '{"location": "\\ud800"}', {**ARM_OK, **JSON})),
        Attack("generate body 100,000 deep", post(GEN, '{"prompt": ' + DEEP + "}", {**key, **JSON})),
        Attack("v1 generate body 100,000 deep", post(V1_GEN, DEEP, {**key, **JSON})),
        Attack("ARM body 100,000 deep", put(account, DEEP, {**ARM_OK, **JSON})),
        Attack("admin faults body 100,000 deep", put("_emulator/faults/bench/gpt-image", DEEP, JSON)),
        Attack("admin arm/quota body 100,000 deep", put("_emulator/arm/quota", DEEP, JSON)),
        Attack("admin arm/faults body 100,000 deep", put("_emulator/arm/faults", DEEP, JSON)),
        Attack(
            "JWT claims 4,000 deep (data plane)",
            post(GEN, '{"prompt": "a"}', {"Authorization": f"Bearer {deep_claims}", **JSON}),
        ),
        Attack(
            "JWT claims 4,000 deep (ARM)",
            lambda c: c.get(f"{ACCOUNTS}{Q}", headers={"Authorization": f"Bearer {deep_claims}"}),
        ),
        Attack(
            "JWT exp 1e308 (data plane)",
            post(GEN, '{"prompt": "a"}', {"Authorization": f"Bearer {forever}", **JSON}),
        ),
        Attack(
            "JWT exp 1e308 (ARM strictAuth)",
            lambda c: c.get(f"{ACCOUNTS}{Q}", headers={"Authorization": f"Bearer {forever_arm}"}),
        ),
        Attack("lone surrogate in a prompt", post(GEN, '{"prompt": "\\ud800"}', {**key, **JSON})),
        Attack("generate as text/plain", post(GEN, '{"prompt": "a"}', {**key, "content-type": "text/plain"})),
        Attack("generate without content type", post(GEN, b'{"prompt": "a"}', key)),
        Attack(
            "two masks",
            lambda c: c.post(
                EDIT,
                headers=key,
                data={"prompt": "x"},
                files=[
                    ("image", ("a.png", small, "image/png")),
                    ("mask", ("m.png", small, "image/png")),
                    ("mask", ("n.png", small, "image/png")),
                ],
            ),
        ),
        Attack(
            "16 images of 7000x7000",
            lambda c: c.post(EDIT, headers=key, data={"prompt": "x"}, files=multipart),
        ),
        Attack(
            "broken multipart",
            post(
                EDIT,
                b'--b\r\nContent-Disposition: form-data; name="image"\r\n\r\n\x89PNG',
                {**key, "content-type": "multipart/form-data; boundary=b"},
            ),
        ),
        Attack(
            "ARM body of 20 MB",
            put(account, b'{"location": "' + b"x" * (20 * 1024 * 1024) + b'"}', {**ARM_OK, **JSON}),
        ),
        Attack(
            "multipart body of 100 MB",
            post(
                EDIT, b"x" * (100 * 1024 * 1024), {**key, "content-type": "multipart/form-data; boundary=b"}
            ),
        ),
        Attack("admin body of 20 MB", put("_emulator/arm/quota", b" " * (20 * 1024 * 1024), JSON)),
    ]


def replay(client: httpx.Client, attack: Attack, repeat: int) -> None:
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            status = str(attack.send(client).status_code)
        except httpx.TransportError as exc:  # a refused oversized upload may be cut off mid-send
            status = f"closed ({type(exc).__name__})"
        attack.times_ms.append((time.perf_counter() - started) * 1000)
        attack.statuses[status] += 1


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def health_ms(client: httpx.Client, times: int) -> list[float]:
    """Round trips of /_emulator/health; raises when one is not answered."""
    result = []
    for _ in range(times):
        started = time.perf_counter()
        client.get("_emulator/health").raise_for_status()
        result.append((time.perf_counter() - started) * 1000)
    return result


def idle_load(emu: RunningEmulator, idle: int, client: httpx.Client) -> None:
    port = int(emu.base_url.rstrip("/").rsplit(":", 1)[1])
    context = ssl.create_default_context(cafile=emu.ca_file)
    fresh = httpx.Client(  # a new TCP + TLS connection per probe: shows accept() keeps working
        base_url=client.base_url,
        verify=emu.verify,
        timeout=10,
        limits=httpx.Limits(max_keepalive_connections=0),
    )
    baseline, fresh_baseline = health_ms(client, 20), health_ms(fresh, 20)
    opened = time.perf_counter()
    with ExitStack() as stack:
        sockets = []
        for _ in range(idle):
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock = stack.enter_context(context.wrap_socket(raw, server_hostname="127.0.0.1"))
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: x\r\n")  # headers never end
            sockets.append(sock)
        open_s = time.perf_counter() - opened
        loaded, fresh_loaded = health_ms(client, 20), health_ms(fresh, 20)
        # The server closes each half-sent connection at the header timeout; wait for all, bounded.
        started = time.perf_counter()
        still_open = 0
        for sock in sockets:
            sock.settimeout(max(0.1, 30 - (time.perf_counter() - started)))
            try:
                still_open += sock.recv(1) != b""
            except TimeoutError:
                still_open += 1
            except (ssl.SSLError, OSError):
                pass  # reset by the server: closed
        closed_after = time.perf_counter() - started
    fresh.close()
    print(f"\nidle half-sent TLS connections: {idle} opened in {open_s:.1f} s")
    for label, before, after in (
        ("kept-alive", baseline, loaded),
        ("new connection", fresh_baseline, fresh_loaded),
    ):
        p50_before, p50_after = statistics.median(before), statistics.median(after)
        print(
            f"  health ({label}) p50 unloaded {p50_before:.1f} ms, under load {p50_after:.1f} ms "
            f"(x{p50_after / p50_before:.2f}), max {max(after):.1f} ms, {len(after)}/20 answered"
        )
    print(
        f"  server closed all idle connections within {closed_after:.1f} s of the health probe "
        f"(header timeout 10 s); still open after: {still_open}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="requests per class (5)")
    parser.add_argument("--idle", type=int, default=1000, help="idle connections to hold open (1000)")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # The emulator inherits a soft limit of 1024, as in the probe; this process needs room for
    # its own idle sockets, so it raises its limit again once the emulator has started.
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    with ExitStack() as stack:
        emu = stack.enter_context(running_emulator(CONFIG))
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))
        client = stack.enter_context(httpx.Client(base_url=emu.base_url, verify=emu.verify, timeout=60))
        table = attacks()
        for attack in table:
            replay(client, attack, args.repeat)
            attack.peak_mb = peak_rss_mb(emu.process.pid)
        baseline = statistics.median(table[0].times_ms)
        total = sum(sum(a.statuses.values()) for a in table)
        errors = sum(n for a in table for s, n in a.statuses.items() if s.startswith("5"))
        print(
            f"{'class':44} {'sent':>4} {'5xx':>4}  {'answers':28} {'p50 ms':>8} {'max ms':>8} {'x base':>7}"
        )
        for attack in table:
            fives = sum(n for s, n in attack.statuses.items() if s.startswith("5"))
            answers = ", ".join(f"{s}x{n}" for s, n in sorted(attack.statuses.items()))
            p50 = statistics.median(attack.times_ms)
            print(
                f"{attack.name:44} {sum(attack.statuses.values()):>4} {fives:>4}  {answers:28} "
                f"{p50:8.1f} {max(attack.times_ms):8.1f} {p50 / baseline:7.1f} {attack.peak_mb:8.0f}"
            )
        print(f"\nrequests: {total}, 5xx: {errors}")
        idle_load(emu, args.idle, client)
        print(f"  emulator descriptor limit at start: soft 1024 (this process: soft {soft}, hard {hard})")
        peak = peak_rss_mb(emu.process.pid)
        share = peak / RSS_BUDGET_MB
        print(f"\npeak RSS of the emulator: {peak:.0f} MB (budget {RSS_BUDGET_MB} MB, {share:.0%})")
        return 0 if errors == 0 and peak < RSS_BUDGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
