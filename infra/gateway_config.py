"""The reader for ``gateway``: one API Management service in front of the stack's regions.

The service (SKU, publisher), how clients authenticate (a subscription key sent as ``api-key``, so the
openai SDK's ``AzureOpenAI`` works unchanged, and/or Entra tokens validated at the gateway) and the
**aliases**: the stable deployment names applications call, each a pool of (region, deployment) members
with priority and weight, a circuit breaker, a retry count, a forward timeout and the cap on the
Retry-After a client is told (``retryAfterCapSeconds``: Azure OpenAI's can be a day, and API Management's
``acceptRetryAfter`` has no cap, so the policy bounds what reaches the client). Checked against the
stack's regions (every member names a region and a deployment of it; one model and version per alias).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from infra.config_reader import MISSING, Reader, join
from infra.config_sections import EMAIL_PATTERN, GUID_PATTERN
from infra.deployments_config import DEPLOYMENT_NAME_PATTERN, DEPLOYMENT_NAME_RULE
from infra.regions_config import RegionConfig

Sku = Literal["BasicV2", "StandardV2", "Developer", "Basic", "Standard", "Premium"]
V2_SKUS = ("BasicV2", "StandardV2")
CLASSIC_SKUS = ("Developer", "Basic", "Standard", "Premium")
SKUS: tuple[str, ...] = (*V2_SKUS, *CLASSIC_SKUS)
# API Management service names: 1-50 letters, digits and hyphens, starting with a letter (azure-api.net host).
SERVICE_NAME_PATTERN = r"[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?"
MAX_POOL_MEMBERS = 30  # Learn, "Backends in API Management": a pool holds up to 30 backends
# Learn's forward-request reference: timeouts above 240 s "may not be honored by the underlying
# infrastructure", whatever the attribute says.
MAX_FORWARD_TIMEOUT_S = 240
STATUS_RANGE_RULE = 'status codes or ranges from 400 to 599 such as 429 or "500-599"'
GATEWAY_KEYS = ("name", "sku", "capacity", "publisherName", "publisherEmail", "clients", "aliases")
ALIAS_KEYS = ("name", "members", "circuitBreaker", "retryCount", "timeoutSeconds", "retryAfterCapSeconds")
# The longest wait the gateway passes on to a client (Retry-After, seconds): the openai SDK waits up to
# 120 s and gives up on a longer one, so a minute keeps clients retrying.
DEFAULT_RETRY_AFTER_CAP_S = 60
MAX_RETRY_AFTER_CAP_S = 86400
MEMBER_KEYS = ("region", "deployment", "priority", "weight")
BREAKER_KEYS = (
    "statusCodeRanges",
    "failureCount",
    "intervalSeconds",
    "tripDurationSeconds",
    "acceptRetryAfter",
)


@dataclass(frozen=True)
class StatusRange:
    low: int
    high: int


@dataclass(frozen=True)
class CircuitBreakerConfig:
    status_ranges: tuple[StatusRange, ...]
    failure_count: int
    interval_seconds: int
    trip_duration_seconds: int
    accept_retry_after: bool


@dataclass(frozen=True)
class PoolMember:
    region: str
    deployment: str
    priority: int
    weight: int


@dataclass(frozen=True)
class AliasConfig:
    name: str
    model: str
    version: str
    members: tuple[PoolMember, ...]
    circuit_breaker: CircuitBreakerConfig
    retry_count: int
    timeout_seconds: int
    retry_after_cap_seconds: int = DEFAULT_RETRY_AFTER_CAP_S


@dataclass(frozen=True)
class EntraClientConfig:
    tenant_id: str
    audiences: tuple[str, ...]


@dataclass(frozen=True)
class ClientAuthConfig:
    subscription_key: bool
    entra: EntraClientConfig | None


@dataclass(frozen=True)
class GatewayConfig:
    name: str
    sku: Sku
    capacity: int
    publisher_name: str
    publisher_email: str
    clients: ClientAuthConfig
    aliases: tuple[AliasConfig, ...]


DEFAULT_BREAKER = CircuitBreakerConfig(
    status_ranges=(StatusRange(429, 429), StatusRange(500, 599)),
    failure_count=1,
    interval_seconds=60,
    trip_duration_seconds=60,
    accept_retry_after=True,
)


def read_gateway(
    r: Reader, value: Any, regions: Sequence[RegionConfig], *, name_prefix: str, warnings: list[str]
) -> GatewayConfig | None:
    """The gateway, or None when the stack declares none. ``regions`` are the stack's (implicit or not)."""
    if value is MISSING or value is None:
        return None
    raw = r.section("gateway", value, GATEWAY_KEYS, required=True)
    name = r.string(
        "gateway.name",
        raw.get("name", MISSING),
        default=f"{name_prefix}-gw"[:50],
        pattern=SERVICE_NAME_PATTERN,
        accepted="1-50 letters, digits or hyphens, starting with a letter and not ending with a hyphen",
    )
    sku_value = raw.get("sku", MISSING)
    if sku_value == "Consumption":
        r.fail(
            "gateway.sku",
            sku_value,
            "has no circuit breaker, which the pools need",
            join(SKUS),
        )
        sku = "BasicV2"
    else:
        sku = r.string(
            "gateway.sku", sku_value, default="BasicV2", choices=SKUS, choice_issue="is not a known SKU"
        )
    if sku in CLASSIC_SKUS:
        warnings.append(
            f"imagegate:gateway.sku is {sku}: a classic tier takes about 45-75 minutes to provision "
            "(BasicV2 and StandardV2 take minutes)."
        )
    capacity = r.integer("gateway.capacity", raw.get("capacity", MISSING), 1, low=1, high=10)
    publisher_name = r.string("gateway.publisherName", raw.get("publisherName", MISSING))
    publisher_email = r.string(
        "gateway.publisherEmail",
        raw.get("publisherEmail", MISSING),
        pattern=EMAIL_PATTERN,
        accepted="an email address",
    )
    clients = _read_clients(r, raw.get("clients", MISSING))
    aliases = _read_aliases(r, raw.get("aliases", MISSING), regions)
    return GatewayConfig(
        name=name,
        sku=cast(Sku, sku if sku in SKUS else "BasicV2"),
        capacity=capacity,
        publisher_name=publisher_name,
        publisher_email=publisher_email,
        clients=clients,
        aliases=tuple(aliases),
    )


def _read_clients(r: Reader, value: Any) -> ClientAuthConfig:
    raw = r.section("gateway.clients", value, ("subscriptionKey", "entra"))
    key = r.boolean("gateway.clients.subscriptionKey", raw.get("subscriptionKey", MISSING), True)
    entra = None
    entra_raw = raw.get("entra", MISSING)
    if entra_raw is not MISSING and entra_raw is not None:
        e = r.section("gateway.clients.entra", entra_raw, ("tenantId", "audiences"))
        audiences = r.items(
            "gateway.clients.entra.audiences", e.get("audiences", MISSING), what="token audiences"
        )
        for i, audience in enumerate(audiences):
            r.string(
                f"gateway.clients.entra.audiences[{i}]", audience, accepted="an audience such as api://<app>"
            )
        entra = EntraClientConfig(
            tenant_id=r.string(
                "gateway.clients.entra.tenantId",
                e.get("tenantId", MISSING),
                pattern=GUID_PATTERN,
                accepted="the tenant's GUID",
            ),
            audiences=tuple(a for a in audiences if isinstance(a, str) and a.strip())
            or ("https://cognitiveservices.azure.com",),
        )
    if not key and entra is None:
        r.fail(
            "gateway.clients",
            value,
            "lets no client in",
            "subscriptionKey: true, an entra section, or both",
        )
    return ClientAuthConfig(subscription_key=key, entra=entra)


def _read_aliases(r: Reader, value: Any, regions: Sequence[RegionConfig]) -> list[AliasConfig]:
    entries = r.items("gateway.aliases", value, required=True, what="aliases")
    by_location = {region.location: region for region in regions}
    aliases: list[AliasConfig] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        path = f"gateway.aliases[{i}]"
        raw = r.section(path, entry, ALIAS_KEYS, required=True)
        name = r.string(
            f"{path}.name",
            raw.get("name", MISSING),
            pattern=DEPLOYMENT_NAME_PATTERN,
            accepted=DEPLOYMENT_NAME_RULE,
        )
        if name and name in seen:
            r.fail(f"{path}.name", name, "is used by another alias", "a name of its own for each alias")
        seen.add(name)
        members, models = _read_members(r, path, raw.get("members", MISSING), by_location)
        # One model per alias; versions may differ while a rollout's candidates share the pool.
        if len({m for m, _ in models}) > 1:
            r.fail(
                f"{path}.members",
                sorted({f"{m}@{v}" for m, v in models}),
                "mix models",
                "members that deploy one model (an alias answers as one model; versions may differ "
                "while a rollout shifts traffic)",
            )
        # The first member's: a traffic rollout lists the stable members first until they leave the pool.
        model, version = models[0] if models else ("", "")
        aliases.append(
            AliasConfig(
                name=name,
                model=model,
                version=version,
                members=tuple(members),
                circuit_breaker=_read_breaker(
                    r, f"{path}.circuitBreaker", raw.get("circuitBreaker", MISSING)
                ),
                retry_count=r.integer(
                    f"{path}.retryCount", raw.get("retryCount", MISSING), 2, low=0, high=10
                ),
                timeout_seconds=_read_timeout(
                    r, f"{path}.timeoutSeconds", raw.get("timeoutSeconds", MISSING)
                ),
                retry_after_cap_seconds=r.integer(
                    f"{path}.retryAfterCapSeconds",
                    raw.get("retryAfterCapSeconds", MISSING),
                    DEFAULT_RETRY_AFTER_CAP_S,
                    low=1,
                    high=MAX_RETRY_AFTER_CAP_S,
                ),
            )
        )
    return aliases


def _read_members(
    r: Reader, path: str, value: Any, by_location: dict[str, RegionConfig]
) -> tuple[list[PoolMember], list[tuple[str, str]]]:
    entries = r.items(f"{path}.members", value, required=True, what="pool members (region, deployment)")
    if len(entries) > MAX_POOL_MEMBERS:
        r.fail(f"{path}.members", f"{len(entries)} members", "is too many", f"at most {MAX_POOL_MEMBERS}")
    members: list[PoolMember] = []
    models: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for j, entry in enumerate(entries):
        mpath = f"{path}.members[{j}]"
        raw = r.section(mpath, entry, MEMBER_KEYS, required=True)
        region_name = r.string(
            f"{mpath}.region",
            raw.get("region", MISSING),
            choices=sorted(by_location) or None,
            choice_issue="is not a region of the stack",
        )
        region = by_location.get(region_name)
        names = [d.name for d in region.deployments] if region else []
        deployment = r.string(
            f"{mpath}.deployment",
            raw.get("deployment", MISSING),
            choices=names if region else None,
            choice_issue=f"is not a deployment in {region_name}",
        )
        if (region_name, deployment) in seen:
            r.fail(mpath, f"{region_name}/{deployment}", "is listed twice", "each member once")
        seen.add((region_name, deployment))
        if region is not None:
            for d in region.deployments:
                if d.name == deployment:
                    models.append((d.model, d.version))
        members.append(
            PoolMember(
                region=region_name,
                deployment=deployment,
                priority=r.integer(f"{mpath}.priority", raw.get("priority", MISSING), 1, low=1, high=100),
                weight=r.integer(f"{mpath}.weight", raw.get("weight", MISSING), 1, low=1, high=1000),
            )
        )
    return members, models


def _read_breaker(r: Reader, path: str, value: Any) -> CircuitBreakerConfig:
    raw = r.section(path, value, BREAKER_KEYS)
    d = DEFAULT_BREAKER
    ranges_raw = raw.get("statusCodeRanges", MISSING)
    ranges = d.status_ranges
    if ranges_raw is not MISSING and ranges_raw is not None:
        items = r.items(f"{path}.statusCodeRanges", ranges_raw, required=True, what=STATUS_RANGE_RULE)
        parsed = [_status_range(r, f"{path}.statusCodeRanges[{k}]", item) for k, item in enumerate(items)]
        ranges = tuple(p for p in parsed if p is not None) or d.status_ranges
    return CircuitBreakerConfig(
        status_ranges=ranges,
        failure_count=r.integer(
            f"{path}.failureCount", raw.get("failureCount", MISSING), d.failure_count, low=1, high=10000
        ),
        interval_seconds=r.integer(
            f"{path}.intervalSeconds",
            raw.get("intervalSeconds", MISSING),
            d.interval_seconds,
            low=1,
            high=86400,
        ),
        trip_duration_seconds=r.integer(
            f"{path}.tripDurationSeconds",
            raw.get("tripDurationSeconds", MISSING),
            d.trip_duration_seconds,
            low=1,
            high=86400,
        ),
        accept_retry_after=r.boolean(
            f"{path}.acceptRetryAfter", raw.get("acceptRetryAfter", MISSING), d.accept_retry_after
        ),
    )


def _status_range(r: Reader, path: str, value: Any) -> StatusRange | None:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    low_text, _, high_text = text.partition("-")
    if low_text.isdigit() and (high_text.isdigit() or not high_text):
        low, high = int(low_text), int(high_text or low_text)
        if 400 <= low <= high <= 599:
            return StatusRange(low, high)
    r.fail(path, value, "is not a status code range", STATUS_RANGE_RULE)
    return None


def _read_timeout(r: Reader, path: str, value: Any) -> int:
    if value is not MISSING and value is not None and not isinstance(value, bool):
        number = value if isinstance(value, int) else None
        if number is not None and number > MAX_FORWARD_TIMEOUT_S:
            r.fail(
                path,
                value,
                "is above 240 seconds, which API Management may not honor (Learn, forward-request)",
                f"an integer from 1 to {MAX_FORWARD_TIMEOUT_S}; stream or lower the quality of slow images",
            )
            return MAX_FORWARD_TIMEOUT_S
    return r.integer(path, value, 120, low=1, high=MAX_FORWARD_TIMEOUT_S)
