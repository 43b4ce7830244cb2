"""Budgets are held to the vendored Microsoft.Consumption 2024-08-01 spec.

The emulator serves budgets generically; the spec decides what it accepts (required category, amount,
time grain and period; the time grain enum; a date-time start) as ARM does, before any state changes.
"""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.arm.conftest import SUBSCRIPTION

API = "2024-08-01"
BUDGETS = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Consumption/budgets"


def _body(**properties: object) -> dict[str, object]:
    base: dict[str, object] = {
        "category": "Cost",
        "amount": 100,
        "timeGrain": "Monthly",
        "timePeriod": {"startDate": "2026-12-01T00:00:00Z"},
        "notifications": {
            "actual80": {
                "enabled": True,
                "operator": "GreaterThan",
                "threshold": 80,
                "contactEmails": ["a@example.com"],
            }
        },
    }
    base.update(properties)
    return {"properties": base}


def test_a_budget_the_spec_accepts_is_created_and_read_back(http: httpx.Client):
    created = http.put(f"{BUDGETS}/monthly-ok", params={"api-version": API}, json=_body())
    read = http.get(f"{BUDGETS}/monthly-ok", params={"api-version": API})

    assert created.status_code == 201
    assert read.json()["properties"]["timeGrain"] == "Monthly"
    assert http.delete(f"{BUDGETS}/monthly-ok", params={"api-version": API}).status_code == 200


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"timeGrain": "Weekly"}, "Weekly"),
        ({"timePeriod": {"startDate": "2026-12-01"}}, "date-time"),
        ({"category": "Usage"}, "Usage"),
        (
            {"notifications": {"n": {"enabled": True, "operator": "GreaterThan", "threshold": 80}}},
            "contactEmails",
        ),
    ],
    ids=["time-grain", "plain-date", "category", "no-contact-emails"],
)
def test_a_budget_the_spec_refuses_is_400_invalid_request_content(http: httpx.Client, change, named):
    answer = http.put(f"{BUDGETS}/refused", params={"api-version": API}, json=_body(**change))

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequestContent"
    assert named in answer.json()["error"]["message"]
    assert http.get(f"{BUDGETS}/refused", params={"api-version": API}).status_code == 404
