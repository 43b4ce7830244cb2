"""The routes the admin token guards, and the ways an outsider may spell their paths (issue 22).

Shared by the in-process tests of the guard (test_admin_token_paths_in_process.py), the tests against a
real emulator bound off loopback (test_admin_token_paths.py) and the hostile-path fuzz
(test_fuzz_routes.py). A helper module, not a test module: nothing here asserts.

``same_route_variants`` are spellings the routers read as the route itself (doubled inner and trailing
slashes; for ARM also other case and percent-encoded letters or slashes): the guard must refuse each one
without the token and let it through with it. ``other_spellings`` may read as another path (dot segments,
an encoded ``?`` or ``#``, a leading ``//``, a case change in the admin API): without the token none may
get a guarded answer.
"""

from __future__ import annotations

from typing import Any

SUB = "11111111-2222-3333-4444-555555555555"
RG = "rg-guard"
ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/acct"
Q = "?api-version=2025-06-01"
TOKEN = "admin-token-for-the-path-tests-0123456789"
CONFIG: dict[str, Any] = {
    "accounts": [{"subdomain": "local", "keys": ["local-key-1"], "deployments": []}],
    "arm": {"subscriptionId": SUB, "lroDelaySeconds": 0, "resourceGroups": [RG]},
}
ACCOUNT_BODY: dict[str, Any] = {
    "location": "eastus2",
    "kind": "AIServices",
    "sku": {"name": "S0"},
    "properties": {"customSubDomainName": "acct-guard", "publicNetworkAccess": "Enabled"},
}

# Every guarded admin route (emulator/admin.py, emulator/arm/routes.py), with a body it accepts.
ADMIN_ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/_emulator/health", None),  # guarded in full; without the token a bare {"status": "ok"}
    ("POST", "/_emulator/reset", None),
    ("GET", "/_emulator/requests", None),
    ("GET", "/_emulator/faults", None),
    ("DELETE", "/_emulator/faults", None),
    ("PUT", "/_emulator/faults/local/gpt-image", {"errorRate": 0}),
    ("DELETE", "/_emulator/faults/local/gpt-image", None),
    ("GET", "/_emulator/arm/releases", None),
    ("POST", "/_emulator/arm/releases", {"model": "gpt-image-1.5", "version": "2026-03-10"}),
    ("DELETE", "/_emulator/arm/releases", None),
    ("GET", "/_emulator/arm/resources", None),
    ("GET", "/_emulator/arm/quota", None),
    ("PUT", "/_emulator/arm/quota", {"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": 10}}),
    ("POST", "/_emulator/arm/reset", None),
    ("GET", "/_emulator/arm/faults", None),
    ("PUT", "/_emulator/arm/faults", {"account": "local", "requestConflicts": 0}),
    ("DELETE", "/_emulator/arm/faults", None),
]
# The ARM actions that hand out or change the account keys.
KEY_ROUTES: list[tuple[str, str, Any]] = [
    ("POST", ACCOUNT + "/listKeys", None),
    ("POST", ACCOUNT + "/regenerateKey", {"keyName": "Key1"}),
]
GUARDED = ADMIN_ROUTES + KEY_ROUTES


def slash_variants(path: str) -> list[str]:
    """``path`` with a slash doubled at each inner boundary, trailing slashes, and every slash doubled."""
    parts = path.strip("/").split("/")
    doubled = ["/" + "/".join(parts[:i]) + "//" + "/".join(parts[i:]) for i in range(1, len(parts))]
    return [
        *doubled,
        path + "/",
        path + "//",
        "/" + "//".join(parts) + "/",
    ]


def arm_spellings(path: str) -> list[str]:
    """The ARM route in other case and with letters or a slash percent-encoded: ARM reads each as it."""
    head, action = path.rsplit("/", 1)
    return [
        path.lower(),
        head + "/" + action.upper(),
        head.replace("/accounts/", "/ACCOUNTS/") + "/" + action,
        head.replace("Microsoft.CognitiveServices", "microsoft.cognitiveservices") + "/" + action,
        head + "%2F" + action,
        head + "/" + "%" + format(ord(action[0]), "02X") + action[1:],
        head.replace("/providers/", "/%70roviders/") + "/" + action,
        head.replace("/accounts/", "/accounts%2F") + "/" + action,
    ]


def same_route_variants(path: str) -> list[str]:
    """Spellings the emulator's routers read as ``path`` itself."""
    found = slash_variants(path)
    if path.startswith("/subscriptions/"):
        found += arm_spellings(path) + [s + "/" for s in arm_spellings(path)]
    return found


def other_spellings(path: str) -> list[str]:
    """Spellings that may read as another path; none may get a guarded answer without the token."""
    head, last = path.rsplit("/", 1)
    found = [
        head + "/./" + last,
        head + "/x/../" + last,
        path + "/.",
        path + "/..",
        head + "/%2e/" + last,
        head + "/%2E%2E/" + last,
        path + "%3F",
        path + "%23",
        path + "%00",
        path + "%20",
        path.upper(),
        path.replace("_emulator", "%5Femulator"),
        path.replace("_emulator", "_EMULATOR"),
        "/" + path,  # a leading // (the routers match from the first /)
        "/." + path,
        "/x/.." + path,
    ]
    return [s for s in dict.fromkeys(found) if s != path]
