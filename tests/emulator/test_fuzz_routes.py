"""Issue 12: property-based fuzz of every route with the hostile classes; any 5xx fails.

Classes: bodies nested up to 120,000 deep, non-finite numbers (NaN, Infinity, 1e999), lone surrogates,
invalid UTF-8, oversized bodies, broken multipart, hostile JWTs (deep, huge, non-JSON, NaN exp) and bad
names in paths. Examples are bounded and derandomized, so the run is short and the same every time.
After each test the ARM store must still read (nothing invalid was stored).

Issue 22: every route the admin token guards, spelt in hostile ways (doubled, leading and trailing
slashes, encoded slashes, case changes, percent-encoded letters, dot segments), sent byte for byte to an
emulator bound off loopback: without the token none gets a guarded answer, and none a 5xx.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.testing import ADMIN_TOKEN_HEADER, RunningEmulator, running_emulator
from tests.emulator import pathvariants
from tests.emulator.rawhttp import send

KEY = "local-key-1"
SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-fuzz"
CS = f"subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts"
CONFIG: dict[str, Any] = {
    "accounts": [
        {
            "subdomain": "local",
            "keys": [KEY],
            "deployments": [
                {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 10_000}
            ],
        }
    ],
    "arm": {"resourceGroups": [RG], "lroDelaySeconds": 0},
}
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- hostile JSON text -------------------------------------------------------------------------------
plain_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
).map(lambda v: json.dumps(v).encode())
deep_json = st.integers(min_value=60, max_value=120_000).map(lambda d: ("[" * d + "]" * d).encode())
deep_object = st.integers(min_value=60, max_value=50_000).map(
    lambda d: ('{"a":' * d + "1" + "}" * d).encode()
)
non_finite = st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e400"]).map(
    lambda n: f'{{"prompt": "a cat", "n": {n}, "location": "eastus2", "tags": {{"x": {n}}}}}'.encode()
)
surrogate = st.sampled_from(["\\ud800", "\\udfff", "a\\ud83d", "\\udc00\\ud800"]).map(
    lambda s: f'{{"prompt": "{s}", "location": "eastus2", "tags": {{"{s}": "{s}"}}}}'.encode()
)
bad_utf8 = st.sampled_from([b"\xff", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80"]).map(
    lambda b: b'{"prompt": "' + b + b'", "location": "eastus2"}'
)
huge = st.integers(min_value=1, max_value=6).map(
    lambda mb: b'{"prompt": "' + b"x" * (mb * 1024 * 1024) + b'"}'
)
HOSTILE_JSON = st.one_of(
    plain_json, deep_json, deep_object, non_finite, surrogate, bad_utf8, huge, st.binary(max_size=200)
)

# --- hostile bearer tokens -------------------------------------------------------------------------
claims_text = st.one_of(
    st.integers(min_value=100, max_value=6000).map(
        lambda d: '{"aud": "https://management.azure.com/", "x": ' + "[" * d + "]" * d + "}"
    ),
    st.sampled_from(["NaN", "1e308", "1e999", "-1", '"tomorrow"', "true"]).map(
        lambda e: f'{{"aud": "https://cognitiveservices.azure.com", "exp": {e}, "oid": "o"}}'
    ),
    st.just('{"oid": "\\ud800", "exp": 9999999999}'),
    st.integers(min_value=10_000, max_value=40_000).map(lambda n: '{"a": "' + "x" * n + '"}'),
)
HOSTILE_TOKEN = st.one_of(
    claims_text.map(lambda c: f"{b64(b'{}')}.{b64(c.encode())}."),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=100),
    st.binary(max_size=60).map(lambda b: f"{b64(b)}.{b64(b)}.{b64(b)}"),
)

# --- bad names in paths --------------------------------------------------------------------------
BAD_NAME = st.one_of(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["..", ".", "%2e%2e", "a/b", "x" * 300, "\u0000", "\ud800", "名前", " ", "-", "_"]),
).map(lambda s: quote(s.encode("utf-8", "surrogatepass"), safe=""))


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(CONFIG, tls=False) as running:
        yield running


@pytest.fixture(scope="module")
def client(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, timeout=60) as http:
        yield http
    # Whatever was sent, the ARM store still reads and health answers.
    with httpx.Client(base_url=emu.base_url, timeout=60) as http:
        arm = {"Authorization": f"Bearer {b64(b'{}')}.{b64(json.dumps({'exp': 4102444800}).encode())}."}
        # A fuzzed DELETE may have removed the group, and ARM refuses its re-creation without a location.
        group = f"subscriptions/{SUB}/resourceGroups/{RG}?api-version=2024-03-01"
        assert http.put(group, json={"location": "eastus2"}, headers=arm).status_code in (200, 201)
        assert http.get(f"{CS}?api-version=2025-06-01", headers=arm).status_code == 200
        assert http.get("_emulator/arm/resources").status_code == 200


def arm_token() -> dict[str, str]:
    return {"Authorization": f"Bearer {b64(b'{}')}.{b64(json.dumps({'exp': 4102444800}).encode())}."}


def never_5xx(answer: httpx.Response) -> None:
    assert answer.status_code < 500, (
        f"{answer.request.method} {answer.request.url.path}: {answer.status_code} {answer.text[:300]}"
    )


DATA_ROUTES = [
    "accounts/local/openai/deployments/gpt-image/images/generations?api-version=2025-04-01-preview",
    "accounts/local/openai/v1/images/generations",
]
EDIT_ROUTES = [
    "accounts/local/openai/deployments/gpt-image/images/edits?api-version=2025-04-01-preview",
    "accounts/local/openai/v1/images/edits",
]
ARM_RESOURCES = [
    f"{CS}/fuzz",
    f"{CS}/fuzz/deployments/d",
    f"{CS}/fuzz/raiPolicies/p",
    f"{CS}/fuzz/projects/p",
    f"subscriptions/{SUB}/resourceGroups/{RG}",
    f"subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Insights/actionGroups/g",
]
ADMIN_BODY_ROUTES = [
    ("PUT", "_emulator/faults/local/gpt-image"),
    ("PUT", "_emulator/arm/quota"),
    ("PUT", "_emulator/arm/faults"),
]


@FUZZ
@given(
    route=st.sampled_from(DATA_ROUTES),
    body=HOSTILE_JSON,
    content_type=st.sampled_from(["application/json", "text/plain", ""]),
)
def test_generate_never_5xx(client: httpx.Client, route: str, body: bytes, content_type: str) -> None:
    headers = {"api-key": KEY, **({"content-type": content_type} if content_type else {})}
    never_5xx(client.post(route, content=body, headers=headers))


@FUZZ
@given(route=st.sampled_from(DATA_ROUTES + EDIT_ROUTES), token=HOSTILE_TOKEN)
def test_data_plane_bearer_tokens_never_5xx(client: httpx.Client, route: str, token: str) -> None:
    never_5xx(
        client.post(
            route,
            json={"prompt": "a cat", "model": "gpt-image"},
            headers={"Authorization": f"Bearer {token}"},
        )
    )


@st.composite
def broken_multipart(draw: st.DrawFn) -> tuple[bytes, str]:
    boundary = draw(st.sampled_from(["b", "x" * 70, "", "--", "a b"]))
    parts = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["image", "image[]", "mask", "prompt", "n", "\u00e9", ""]),
                st.binary(max_size=300),
                st.sampled_from(["image/png", "image/jpeg", "text/plain", "", "image/png; x=\u00ff"]),
            ),
            max_size=50,
        )
    )
    head = '--{b}\r\nContent-Disposition: form-data; name="{n}"; filename="f"\r\nContent-Type: {t}\r\n\r\n'
    body = b"".join(head.format(b=boundary, n=n, t=t).encode() + data + b"\r\n" for n, data, t in parts)
    body += draw(st.sampled_from([f"--{boundary}--\r\n".encode(), b"", b"--", b"\r\n\r\n"]))
    cut = draw(st.integers(min_value=0, max_value=len(body)))
    return body[:cut] if draw(st.booleans()) else body, f"multipart/form-data; boundary={boundary}"


@FUZZ
@given(route=st.sampled_from(EDIT_ROUTES), multipart=broken_multipart())
def test_edit_with_broken_multipart_never_5xx(
    client: httpx.Client, route: str, multipart: tuple[bytes, str]
) -> None:
    body, content_type = multipart
    never_5xx(client.post(route, content=body, headers={"api-key": KEY, "content-type": content_type}))


@FUZZ
@given(
    resource=st.sampled_from(ARM_RESOURCES),
    method=st.sampled_from(["PUT", "PATCH", "POST", "GET", "DELETE"]),
    body=HOSTILE_JSON,
)
def test_arm_bodies_never_5xx(client: httpx.Client, resource: str, method: str, body: bytes) -> None:
    url = f"{resource}?api-version=2025-06-01"
    never_5xx(
        client.request(method, url, content=body, headers={**arm_token(), "content-type": "application/json"})
    )
    if method in ("PUT", "PATCH"):
        never_5xx(client.get(url, headers=arm_token()))  # whatever was accepted still reads


@FUZZ
@given(
    name=BAD_NAME,
    kind=st.sampled_from(
        [
            "accounts/{n}",
            "accounts/fuzz/deployments/{n}",
            "accounts/fuzz/raiPolicies/{n}",
            "accounts/{n}/listKeys",
        ]
    ),
    method=st.sampled_from(["PUT", "GET", "DELETE", "POST"]),
)
def test_arm_bad_names_never_5xx(client: httpx.Client, name: str, kind: str, method: str) -> None:
    body = {
        "location": "eastus2",
        "kind": "AIServices",
        "sku": {"name": "S0"},
        "properties": {"customSubDomainName": "fuzz-x"},
    }
    url = f"{CS.rsplit('/accounts', 1)[0]}/{kind.format(n=name)}?api-version=2025-06-01"
    never_5xx(client.request(method, url, json=body, headers=arm_token()))


@FUZZ
@given(token=HOSTILE_TOKEN, resource=st.sampled_from(ARM_RESOURCES + [f"{CS}/fuzz/listKeys"]))
def test_arm_bearer_tokens_never_5xx(client: httpx.Client, token: str, resource: str) -> None:
    never_5xx(client.get(f"{resource}?api-version=2025-06-01", headers={"Authorization": f"Bearer {token}"}))


@FUZZ
@given(route=st.sampled_from(ADMIN_BODY_ROUTES), body=HOSTILE_JSON)
def test_admin_bodies_never_5xx(client: httpx.Client, route: tuple[str, str], body: bytes) -> None:
    method, path = route
    never_5xx(client.request(method, path, content=body))


@FUZZ
@given(subdomain=BAD_NAME, deployment=BAD_NAME, method=st.sampled_from(["PUT", "DELETE"]))
def test_admin_fault_names_never_5xx(
    client: httpx.Client, subdomain: str, deployment: str, method: str
) -> None:
    never_5xx(client.request(method, f"_emulator/faults/{subdomain}/{deployment}", json={"errorRate": 0}))


# --- hostile spellings of the guarded routes, off loopback (issue 22) ---------------------------------
PATHS = settings(FUZZ, max_examples=300)


@st.composite
def hostile_spelling(draw: st.DrawFn) -> tuple[str, str, Any, str]:
    """(method, route, body, the route spelt in a hostile way): segment by segment, as a client may."""
    # Half the examples are the key actions: two routes among nineteen, and the ones that hand out keys.
    pick = st.sampled_from(pathvariants.KEY_ROUTES) | st.sampled_from(pathvariants.ADMIN_ROUTES)
    method, route, body = draw(pick)
    parts = route.strip("/").split("/")
    dot_at = draw(st.none() | st.integers(min_value=0, max_value=len(parts) - 1))
    out = ""
    for index, part in enumerate(parts):
        out += draw(st.sampled_from(["/"] * 6 + ["//", "///", "%2F", "%2f"]))
        if index == dot_at:
            out += draw(st.sampled_from([".", "..", "%2e", "%2E%2e", "x/..", "x/%2e%2e"])) + "/"
        case = draw(st.sampled_from(["as-is", "as-is", "upper", "lower", "swap"]))
        part = {"upper": part.upper(), "lower": part.lower(), "swap": part.swapcase()}.get(case, part)
        encoded = draw(st.lists(st.booleans(), min_size=len(part), max_size=len(part)))
        out += "".join(
            f"%{ord(c):02X}" if flip and draw(st.booleans()) else f"%{ord(c):02x}" if flip else c
            for c, flip in zip(part, encoded, strict=True)
        )
    out += draw(st.sampled_from(["", "", "/", "//", "/.", "/..", "%2F", "%3F", "%23", "%00"]))
    if not out.startswith("/"):
        out = "/" + out  # an encoded first slash is no path: the request line needs one
    return method, route, body, out


@pytest.fixture(scope="module")
def guarded_emu() -> Iterator[RunningEmulator]:
    with running_emulator(pathvariants.CONFIG, tls=False, extra_args=("--host", "0.0.0.0")) as running:
        assert running.admin_token is not None
        account = pathvariants.ACCOUNT + pathvariants.Q
        created = send(running.base_url, "PUT", account, headers=arm_token(), body=pathvariants.ACCOUNT_BODY)
        assert created.status in (200, 201), created.text
        yield running


def guarded_keys(emu: RunningEmulator) -> dict[str, str]:
    assert emu.admin_token is not None
    target = pathvariants.ACCOUNT + "/listKeys" + pathvariants.Q
    answer = send(emu.base_url, "POST", target, headers={**arm_token(), ADMIN_TOKEN_HEADER: emu.admin_token})
    assert answer.status == 200, answer.text
    keys: dict[str, str] = answer.json()
    return keys


@PATHS
@given(spelt=hostile_spelling())
def test_no_spelling_of_a_guarded_route_gets_a_guarded_answer_without_the_token(
    guarded_emu: RunningEmulator, spelt: tuple[str, str, Any, str]
) -> None:
    method, route, body, target = spelt
    keys = guarded_keys(guarded_emu)
    answer = send(guarded_emu.base_url, method, target + pathvariants.Q, headers=arm_token(), body=body)
    where = f"{method} {target}: {answer.status} {answer.text[:200]}"
    assert answer.status < 500, where
    if route == "/_emulator/health" and answer.status == 200:
        assert answer.json() == {"status": "ok"}, where  # the bare liveness answer, no more
    else:
        assert 400 <= answer.status < 500, where
    assert keys["key1"] not in answer.text and keys["key2"] not in answer.text, where
    assert guarded_keys(guarded_emu) == keys, where  # no regenerateKey got through


@PATHS
@given(spelt=hostile_spelling().filter(lambda s: s[1].startswith("/subscriptions/")))
def test_no_spelling_of_a_key_action_is_a_5xx_with_the_token(
    guarded_emu: RunningEmulator, spelt: tuple[str, str, Any, str]
) -> None:
    method, _, body, target = spelt
    assert guarded_emu.admin_token is not None
    headers = {**arm_token(), ADMIN_TOKEN_HEADER: guarded_emu.admin_token}
    answer = send(guarded_emu.base_url, method, target + pathvariants.Q, headers=headers, body=body)
    assert answer.status < 500, f"{method} {target}: {answer.status} {answer.text[:200]}"
