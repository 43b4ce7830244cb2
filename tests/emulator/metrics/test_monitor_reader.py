"""rollout.monitor_metrics against the emulator: the window figures a rollout's gate reads, per deployment."""

from __future__ import annotations

from collections import Counter

import pytest

from rollout.metrics_gate import judge_traffic
from rollout.monitor_metrics import MetricsReadError, make_monitor_client, read_window
from tests.emulator.arm.conftest import RG, SUBSCRIPTION, UnsignedCredential
from tests.emulator.metrics.conftest import send, window


def test_the_reader_gives_requests_429s_5xx_and_p95_per_deployment(served, emu):
    assert send(served, emu, "stable", 4) == Counter({200: 4})
    emu.set_fault("metrics-img", "stable", errorRate=1, errorStatus=503)
    assert send(served, emu, "stable", 1) == Counter({503: 1})
    emu.clear_faults()
    emu.set_fault("metrics-img", "candidate", throttle={"count": 2, "retryAfterMs": 10})
    assert send(served, emu, "candidate", 3) == Counter({429: 2, 200: 1})

    client = make_monitor_client(
        SUBSCRIPTION, UnsignedCredential(), arm_endpoint=emu.base_url, ca_bundle=emu.ca_file, retries=0
    )
    with client:
        figures = read_window(client, served.id, *window())
    assert sorted(figures) == ["candidate", "stable"]
    stable, candidate = figures["stable"], figures["candidate"]
    assert (stable.requests, stable.throttled, stable.server_errors) == (5, 0, 1)
    assert (candidate.requests, candidate.throttled, candidate.server_errors) == (3, 2, 0)
    assert stable.p95_ms is not None and stable.p95_ms >= 0
    assert candidate.p95_ms is not None

    decision = judge_traffic(candidate, stable)
    assert decision.verdict == "not-enough-traffic"
    assert decision.reasons == (
        "candidate served 3 requests in the window, fewer than the 20 the gate needs",
        "stable served 5 requests in the window, fewer than the 20 the gate needs",
    )


def test_a_refused_query_is_one_sentence_naming_the_account(emu, served):
    client = make_monitor_client(
        SUBSCRIPTION, UnsignedCredential(), arm_endpoint=emu.base_url, ca_bundle=emu.ca_file, retries=0
    )
    missing = served.id.replace("acct-metrics", "acct-gone")
    with client, pytest.raises(MetricsReadError) as caught:
        read_window(client, missing, *window())
    assert str(caught.value).startswith(f"Azure Monitor refused the metrics query for {missing}: ")
    assert RG in str(caught.value)
