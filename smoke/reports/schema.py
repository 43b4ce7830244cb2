"""The JSON Schema (draft 2020-12) of the ``--json`` report; CI consumers can validate against it."""

from __future__ import annotations

_NULLABLE_STR = {"type": ["string", "null"]}
_CLASSIFICATIONS = [
    "auth",
    "local_auth_disabled",
    "deployment_not_found",
    "api_version_rejected",
    "throttled",
    "content_filter",
    "resource_blocked",
    "server_error",
    "timeout",
    "connection_error",
    "tls_error",
    "dns_error",
    "bad_request",
    "invalid_response",
    "local_auth_enabled",
    "not_refused",
    "over_latency_budget",
    "failover_failed",
]

REPORT_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "imagegate smoke report",
    "type": "object",
    "required": ["schemaVersion", "passed", "startedAt", "finishedAt", "counts", "checks"],
    "additionalProperties": False,
    "properties": {
        "schemaVersion": {"const": 1},
        "passed": {"type": "boolean"},
        "interrupted": {"enum": ["SIGINT", "SIGTERM"]},
        "plannedChecks": {"type": "integer", "minimum": 0},
        "startedAt": {"type": "number"},
        "finishedAt": {"type": "number"},
        "usageTokens": {"type": "integer", "minimum": 0},
        "counts": {
            "type": "object",
            "required": ["passed", "failed", "skipped"],
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
        "checks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "target",
                    "check",
                    "status",
                    "latencySeconds",
                    "requestIds",
                    "failure",
                    "attempts",
                    "images",
                    "details",
                    "prompt",
                    "skipReason",
                ],
                "additionalProperties": False,
                "properties": {
                    "target": {
                        "type": "object",
                        "required": ["source", "endpoint", "deployment", "apiVersion", "localAuthDisabled"],
                        "properties": {
                            "source": {"type": "string"},
                            "endpoint": {"type": "string", "pattern": "^https?://"},
                            "deployment": {"type": "string"},
                            "apiVersion": {"type": "string"},
                            "model": _NULLABLE_STR,
                            "role": _NULLABLE_STR,
                            "capacity": {"type": ["integer", "null"]},
                            "localAuthDisabled": {"type": ["boolean", "null"]},
                            # A gateway alias (docs/smoke.md): via, its members; a pool member: region.
                            "via": {"const": "gateway"},
                            "region": {"type": "string"},
                            "members": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["region", "endpoint", "deployment"],
                                    "properties": {
                                        "region": {"type": "string"},
                                        "endpoint": {"type": "string"},
                                        "deployment": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                    # Gateway targets only: the x-ms-region of the deciding answer.
                    "servedRegion": _NULLABLE_STR,
                    # A built-in check (generate, edit, keyless, failover) or a prompt-suite case id.
                    "check": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
                    "request": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["route", "params", "inputs", "mask"],
                                "properties": {
                                    "route": {"enum": ["generate", "edit"]},
                                    "params": {"type": "object"},
                                    "inputs": {"type": "array"},
                                    "mask": {"type": "boolean"},
                                },
                            },
                        ]
                    },
                    "expected": {"type": "object"},
                    "usageTokens": {"type": ["integer", "null"], "minimum": 0},
                    "status": {"enum": ["passed", "failed", "skipped"]},
                    "latencySeconds": {"type": ["number", "null"], "minimum": 0},
                    "requestIds": {"type": "array", "items": {"type": "string"}},
                    "prompt": _NULLABLE_STR,
                    "skipReason": _NULLABLE_STR,
                    "failure": {
                        "oneOf": [
                            {"type": "null"},
                            {
                                "type": "object",
                                "required": ["classification", "message", "hint"],
                                "properties": {
                                    "classification": {"enum": _CLASSIFICATIONS},
                                    "message": {"type": "string", "minLength": 1},
                                    "hint": {"type": "string", "minLength": 1},
                                    "status": {"type": ["integer", "null"]},
                                    "code": _NULLABLE_STR,
                                },
                            },
                        ]
                    },
                    "attempts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "number",
                                "startedAt",
                                "latencySeconds",
                                "status",
                                "requestId",
                                "outcome",
                                "waitSeconds",
                            ],
                            "properties": {
                                "number": {"type": "integer", "minimum": 1},
                                "startedAt": {"type": "number"},
                                "latencySeconds": {"type": "number", "minimum": 0},
                                "status": {"type": ["integer", "null"]},
                                "requestId": _NULLABLE_STR,
                                "outcome": {"enum": ["ok", *_CLASSIFICATIONS]},
                                "waitSeconds": {"type": "number", "minimum": 0},
                                "ids": {"type": "object", "additionalProperties": {"type": "string"}},
                            },
                        },
                    },
                    "images": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["index", "format", "width", "height", "bytes"],
                            "properties": {
                                "format": {"enum": ["png", "jpeg", "webp"]},
                                "width": {"type": "integer", "minimum": 1},
                                "height": {"type": "integer", "minimum": 1},
                            },
                        },
                    },
                    "details": {"type": "object"},
                },
            },
        },
    },
}
