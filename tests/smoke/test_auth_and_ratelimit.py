from types import SimpleNamespace

import pytest

from smoke.auth import ApiKeyAuth, EntraAuth, key_from_env, redact
from smoke.errors import AuthConfigError
from smoke.ratelimit import RateLimiter, new_bucket, take


class Credential:
    def __init__(self, lifetime: float = 3600):
        self.calls = []
        self.lifetime = lifetime
        self.now = 1000.0

    def get_token(self, scope):
        self.calls.append(scope)
        return SimpleNamespace(token=f"tok-{len(self.calls)}", expires_on=self.now + self.lifetime)


def test_entra_token_is_cached_and_refreshed_before_expiry():
    cred = Credential()
    clock = {"t": 1000.0}
    auth = EntraAuth("https://ai.azure.com/.default", credential=cred, clock=lambda: clock["t"])
    assert auth.headers() == {"Authorization": "Bearer tok-1"}
    clock["t"] = 1000.0 + 3600 - 301
    assert auth.token() == "tok-1" and len(cred.calls) == 1
    clock["t"] = 1000.0 + 3600 - 299
    assert auth.token() == "tok-2"
    assert cred.calls == ["https://ai.azure.com/.default"] * 2
    assert auth.secrets() == ("tok-1", "tok-2")
    assert "tok" not in repr(auth)


def test_a_credential_failure_is_one_sentence():
    class Broken:
        def get_token(self, scope):
            raise RuntimeError(
                "DefaultAzureCredential failed to retrieve a token.\nAttempted credentials: ..."
            )

    with pytest.raises(AuthConfigError) as info:
        EntraAuth(credential=Broken()).token()
    assert str(info.value) == (
        "No Entra ID token for https://cognitiveservices.azure.com/.default (DefaultAzureCredential failed "
        "to "
        "retrieve a token.); run `az login`, set the AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET "
        "variables, or use --auth key."
    )


def test_key_comes_from_the_named_variable_only():
    assert key_from_env("MY_KEY", {"MY_KEY": " k1 "}) == "k1"
    auth = ApiKeyAuth("k1", "MY_KEY")
    assert auth.headers() == {"api-key": "k1"} and "k1" not in repr(auth) and "k1" not in auth.description


@pytest.mark.parametrize(
    ("var", "message"),
    [
        ("MY_KEY", "The API key variable $MY_KEY is not set or empty; export it or use Entra ID auth."),
        (
            "0123456789abcdef0123456789abcdef",
            "--api-key-env takes the NAME of an environment variable holding the key, not a key.",
        ),
        (
            "abcdef0123456789abcdef0123456789",
            "The API key variable named by --api-key-env is not set or empty; export it or use Entra ID "
            "auth.",
        ),
    ],
)
def test_key_variable_errors_never_echo_something_that_looks_like_a_key(var, message):
    with pytest.raises(AuthConfigError) as info:
        key_from_env(var, {})
    assert str(info.value) == message


def test_redact():
    assert redact("a secret and a token", ["secret", "token", ""]) == "a *** and a ***"


def test_token_bucket_allows_a_burst_then_paces():
    bucket = new_bucket(6, now=0.0)  # 6 RPM: six at once, then one every 10 s
    waits = []
    for _ in range(8):
        bucket, wait = take(bucket, now=0.0)
        waits.append(wait)
    assert waits[:6] == [0.0] * 6
    assert waits[6] == pytest.approx(10.0) and waits[7] == pytest.approx(20.0)


def test_rate_limiter_sleeps_per_deployment_and_ignores_unlimited():
    slept = []
    limiter = RateLimiter(clock=lambda: 0.0, sleep=slept.append)
    assert [limiter.acquire(("e", "a"), 1) for _ in range(2)] == [0.0, pytest.approx(60.0)]
    assert limiter.acquire(("e", "b"), 1) == 0.0
    assert limiter.acquire(("e", "c"), None) == 0.0
    assert slept == [pytest.approx(60.0)]
