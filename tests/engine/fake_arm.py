"""An in-memory ARM behind ``httpx.MockTransport``, for the engine's own protocol tests.

It speaks just enough ARM to drive every branch of the engine's client: PUT/GET/DELETE/list by resource
id, ``listKeys``, the three long-running-operation styles (``Azure-AsyncOperation``, ``Location``,
``provisioningState``) and scripted error answers. End-to-end tests use the real emulator instead.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

BASE = "https://arm.test"


@dataclass
class FakeArm:
    lro: str = "none"  # none | async | location | state
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    # (method, path suffix) -> list of (status, error code) answered before the real one.
    scripted: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)
    polls: Counter[str] = field(default_factory=Counter)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append((request.method, path))
        if path.startswith("/operations/"):
            return self._operation(path)
        for (method, suffix), answers in self.scripted.items():
            if request.method == method and path.endswith(suffix) and answers:
                status, code = answers.pop(0)
                return httpx.Response(status, json={"error": {"code": code, "message": f"scripted {code}"}})
        if request.method == "POST" and path.endswith("/listKeys"):
            return httpx.Response(200, json={"key1": "fake-key-1", "key2": "fake-key-2"})
        if request.method == "PUT":
            return self._put(path, json.loads(request.content))
        if request.method == "DELETE":
            if self.resources.pop(path.lower(), None) is None:
                return httpx.Response(204)
            return httpx.Response(200)
        found = self.resources.get(path.lower())
        if found is not None:
            if self.lro == "state":
                self.polls[path.lower()] += 1
                if self.polls[path.lower()] >= 2:
                    found["properties"]["provisioningState"] = "Succeeded"
            return httpx.Response(200, json=found)
        children = [r for key, r in self.resources.items() if key.rsplit("/", 1)[0] == path.lower()]
        if children or path.endswith("/deployments"):
            return httpx.Response(200, json={"value": children})
        error = {"code": "ResourceNotFound", "message": f"{path} not found"}
        return httpx.Response(404, json={"error": error})

    def _put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        created = path.lower() not in self.resources
        stored = {**body, "id": path, "name": path.rsplit("/", 1)[-1]}
        properties = dict(stored.get("properties") or {})
        if "/accounts/" in path and path.count("/") == 8:
            sub = properties.get("customSubDomainName", "x")
            properties["endpoint"] = f"https://{sub}.cognitiveservices.azure.com/"
            properties["endpoints"] = {"OpenAI Language Model Instance API": f"{BASE}/accounts/{sub}/"}
        properties["provisioningState"] = "Succeeded" if self.lro == "none" else "Creating"
        stored["properties"] = properties
        self.resources[path.lower()] = stored
        status = 201 if created else 200
        if self.lro == "async":
            headers = {"Azure-AsyncOperation": f"{BASE}/operations{path}", "Retry-After": "0"}
            return httpx.Response(status, json=stored, headers=headers)
        if self.lro == "location":
            return httpx.Response(202, headers={"Location": f"{BASE}/operations{path}", "Retry-After": "0"})
        if self.lro == "state":
            self.polls[path.lower()] = 0
        return httpx.Response(status, json=stored)

    def _operation(self, path: str) -> httpx.Response:
        target = path.removeprefix("/operations").lower()
        self.polls[target] += 1
        done = self.polls[target] >= 2
        if done:
            self.resources[target]["properties"]["provisioningState"] = "Succeeded"
        if self.lro == "async":
            return httpx.Response(200, json={"status": "Succeeded" if done else "InProgress"})
        if not done:
            return httpx.Response(202)
        return httpx.Response(200, json=self.resources[target])
