"""Benchmark the emulator's generate route: throughput, added latency and memory over many requests.

Starts the real server (``python -m emulator`` over HTTPS, one uvicorn worker), drives it with 16 concurrent
httpx clients asking for 1024x1024 low-quality PNGs, and prints requests/s, p50/p95 round-trip latency
(no latency injected), the server-side time per request, one unloaded client's round trip, and the
server's RSS at 0, 5k and 10k requests. Targets: >= 100 req/s, p50 < 10 ms, flat memory.
Then the same route with realistic payloads (``images: {realistic: true}``: photographic pictures of
real byte sizes, ~1.2 MB per low-quality 1024x1024 PNG): throughput, mean answer size and the ratio to the
flat run measured just before. Touches nothing outside a temp dir.

Example usage:

    .venv/bin/python benchmarks/bench_emulator.py [--requests 10000] [--clients 16] [--realistic-requests 300]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from pathlib import Path

import httpx

from emulator.testing import RunningEmulator, running_emulator

CONFIG = {
    "accounts": [
        {
            "subdomain": "bench",
            "keys": ["bench-key"],
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 10**8}
            ],
        }
    ],
    "requestLogSize": 1000,
}
BODY = {"size": "1024x1024", "quality": "low", "output_format": "png"}


def make_client(emu: RunningEmulator) -> httpx.Client:
    # httpx writes headers and body separately; without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per call.
    transport = httpx.HTTPTransport(
        verify=emu.verify, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    return httpx.Client(transport=transport, headers={"api-key": "bench-key"}, timeout=30)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="generate requests to send (10000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--prompts", type=int, default=64, help="distinct prompts cycled through")
    parser.add_argument(
        "--realistic-requests", type=int, default=300, help="requests in the realistic-payload run (300)"
    )
    args = parser.parse_args()

    with running_emulator(CONFIG) as emu:
        route = "openai/deployments/gpt-image/images/generations?api-version=2025-04-01-preview"
        url = emu.endpoint("bench") + route
        pid = emu.process.pid
        marks = {0: rss_mb(pid)}
        half = args.requests // 2
        counter = iter(range(args.requests))
        lock = threading.Lock()
        latencies: list[float] = []
        failures: list[int] = []

        def worker() -> None:
            with make_client(emu) as client:
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    started = time.perf_counter()
                    response = client.post(url, json={**BODY, "prompt": f"bench prompt {i % args.prompts}"})
                    elapsed = time.perf_counter() - started
                    with lock:
                        latencies.append(elapsed)
                        if response.status_code != 200:
                            failures.append(response.status_code)
                        if len(latencies) == half:
                            marks[half] = rss_mb(pid)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        marks[args.requests] = rss_mb(pid)
        # Server-side time per request (the emulator's own added latency, without client or queueing time).
        server_ms = sorted(r["durationMs"] for r in emu.requests())
        # One client alone: the round trip an unloaded emulator adds.
        solo: list[float] = []
        with make_client(emu) as client:
            for i in range(300):
                t0 = time.perf_counter()
                client.post(url, json={**BODY, "prompt": f"bench prompt {i % args.prompts}"})
                solo.append(time.perf_counter() - t0)

    ordered = sorted(latencies)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"requests: {len(latencies)}  clients: {args.clients}  failures: {len(failures)}")
    print(f"throughput: {len(latencies) / wall:.1f} req/s  (wall {wall:.1f} s)")
    print(
        f"round trip under load: p50 {statistics.median(ordered) * 1000:.1f} ms  p95 {p95 * 1000:.1f} ms"
        f"  (includes queueing behind {args.clients} clients on this machine)"
    )
    print(
        f"server-side per request (last {len(server_ms)}): p50 {statistics.median(server_ms):.2f} ms"
        f"  p95 {server_ms[int(len(server_ms) * 0.95) - 1]:.2f} ms"
    )
    solo.sort()
    print(
        f"round trip, one client alone: p50 {statistics.median(solo) * 1000:.2f} ms"
        f"  p95 {solo[284] * 1000:.2f} ms"
    )
    print("server RSS: " + "  ".join(f"{n} req: {mb:.1f} MB" for n, mb in sorted(marks.items())))
    flat_rate = len(latencies) / wall
    realistic_rate, mean_bytes, realistic_failures = realistic_run(args)
    print(
        f"realistic payloads: {realistic_rate:.1f} req/s over {args.realistic_requests} requests, "
        f"mean answer {mean_bytes / 1024 / 1024:.2f} MiB, {realistic_rate / flat_rate:.3f} x the flat run "
        f"({flat_rate:.1f} req/s), failures: {realistic_failures}"
    )
    return 1 if failures or realistic_failures else 0


def realistic_run(args: argparse.Namespace) -> tuple[float, float, int]:
    """Throughput with photographic pictures of real byte sizes; (req/s, mean answer bytes, failures)."""
    with running_emulator({**CONFIG, "images": {"realistic": True}}) as emu:
        route = "openai/deployments/gpt-image/images/generations?api-version=2025-04-01-preview"
        url = emu.endpoint("bench") + route
        counter = iter(range(args.realistic_requests))
        lock = threading.Lock()
        sizes: list[int] = []
        failures: list[int] = []

        def worker() -> None:
            with make_client(emu) as client:
                while True:
                    with lock:
                        i = next(counter, None)
                    if i is None:
                        return
                    response = client.post(url, json={**BODY, "prompt": f"bench prompt {i % args.prompts}"})
                    with lock:
                        sizes.append(len(response.content))
                        if response.status_code != 200:
                            failures.append(response.status_code)

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    return len(sizes) / wall, statistics.fmean(sizes), len(failures)


if __name__ == "__main__":
    raise SystemExit(main())
