"""Readers for the account, content filter, monitoring, access and tags sections of the stack config."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast, get_args

from infra.config_reader import MISSING, Reader

SUBDOMAIN_PATTERN = r"[a-z0-9][a-z0-9-]{0,62}[a-z0-9]"
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"
GUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
SUBNET_ID_PATTERN = (
    r"(?i)/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/"
    r"virtualNetworks/[^/]+/subnets/[^/]+"
)
DNS_ZONE_ID_PATTERN = (
    r"(?i)/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/privateDnsZones/[^/]+"
)
PRINCIPAL_TYPES = ("ServicePrincipal", "User", "Group", "ForeignGroup", "Device")
BASE_POLICIES = ("Microsoft.DefaultV2", "Microsoft.Default")
SeverityThreshold = Literal["Low", "Medium", "High"]
PublicNetworkAccess = Literal["Enabled", "Disabled"]
SEVERITIES: tuple[str, ...] = get_args(SeverityThreshold)
NETWORK_ACCESS: tuple[str, ...] = get_args(PublicNetworkAccess)
MAX_BUDGET_NOTIFICATIONS = 5
EARLIEST_BUDGET_START = date(2017, 6, 1)


@dataclass(frozen=True)
class PrivateEndpointConfig:
    subnet_id: str
    private_dns_zone_id: str | None


@dataclass(frozen=True)
class AccountConfig:
    custom_subdomain: str
    disable_local_auth: bool
    public_network_access: PublicNetworkAccess
    ip_rules: tuple[str, ...]
    private_endpoint: PrivateEndpointConfig | None


@dataclass(frozen=True)
class ContentFilterConfig:
    base_policy_name: str
    severity_threshold: SeverityThreshold
    block_terms: tuple[str, ...]


@dataclass(frozen=True)
class AlertThresholds:
    throttled_requests: int
    server_errors: int
    availability_percent: float
    latency_ms: int
    content_filter_rejections: int


@dataclass(frozen=True)
class BudgetConfig:
    amount: float
    start_date: date
    contact_emails: tuple[str, ...]
    thresholds: tuple[float, ...]


@dataclass(frozen=True)
class MonitoringConfig:
    retention_in_days: int
    alert_emails: tuple[str, ...]
    thresholds: AlertThresholds
    budget: BudgetConfig | None


@dataclass(frozen=True)
class OpenAiUser:
    name: str
    principal_id: str
    principal_type: str


@dataclass(frozen=True)
class AccessConfig:
    open_ai_users: tuple[OpenAiUser, ...]


DEFAULT_THRESHOLDS = AlertThresholds(
    throttled_requests=20,
    server_errors=10,
    availability_percent=99.0,
    latency_ms=60000,
    content_filter_rejections=50,
)


def read_account(r: Reader, value: Any, *, default_subdomain: str) -> AccountConfig:
    raw = r.section(
        "account",
        value,
        ("customSubdomain", "disableLocalAuth", "publicNetworkAccess", "ipRules", "privateEndpoint"),
    )
    subdomain = r.string(
        "account.customSubdomain",
        raw.get("customSubdomain", MISSING),
        default=default_subdomain,
        pattern=SUBDOMAIN_PATTERN,
        accepted="2-64 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
    )
    ip_rules = r.items("account.ipRules", raw.get("ipRules", MISSING), what="IPv4 addresses or CIDR ranges")
    pe_raw = raw.get("privateEndpoint", MISSING)
    private_endpoint = None
    if pe_raw is not MISSING and pe_raw is not None:
        pe = r.section("account.privateEndpoint", pe_raw, ("subnetId", "privateDnsZoneId"))
        zone = pe.get("privateDnsZoneId", MISSING)
        private_endpoint = PrivateEndpointConfig(
            subnet_id=r.string(
                "account.privateEndpoint.subnetId",
                pe.get("subnetId", MISSING),
                pattern=SUBNET_ID_PATTERN,
                accepted="a subnet resource id /subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>",
            ),
            private_dns_zone_id=None
            if zone is MISSING or zone is None
            else r.string(
                "account.privateEndpoint.privateDnsZoneId",
                zone,
                pattern=DNS_ZONE_ID_PATTERN,
                accepted="a private DNS zone resource id /subscriptions/.../privateDnsZones/<zone>",
            ),
        )
    return AccountConfig(
        custom_subdomain=subdomain,
        # Keyless is the safe default; dev opts in to keys explicitly.
        disable_local_auth=r.boolean("account.disableLocalAuth", raw.get("disableLocalAuth", MISSING), True),
        public_network_access=cast(
            PublicNetworkAccess,
            r.string(
                "account.publicNetworkAccess",
                raw.get("publicNetworkAccess", MISSING),
                default="Enabled",
                choices=NETWORK_ACCESS,
            ),
        ),
        ip_rules=tuple(r.each("account.ipRules", ip_rules, lambda p, v: _ip_rule(r, p, v))),
        private_endpoint=private_endpoint,
    )


def _ip_rule(r: Reader, path: str, value: Any) -> str:
    accepted = "a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24"
    if not isinstance(value, str):
        r.fail(path, value, "is not a string", accepted)
        return ""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        r.fail(path, value, "is not an IPv4 address or CIDR range", accepted)
        return value
    # Azure AI services IP rules take IPv4 only and reject /31 and /32 written as ranges.
    if network.version != 4 or ("/" in value and network.prefixlen > 30):
        r.fail(path, value, "is not accepted by Azure IP rules", accepted)
    return value


def read_content_filter(r: Reader, value: Any) -> ContentFilterConfig:
    raw = r.section("contentFilter", value, ("basePolicyName", "severityThreshold", "blockTerms"))
    terms = r.items("contentFilter.blockTerms", raw.get("blockTerms", MISSING), what="terms")
    seen: set[str] = set()
    for i, term in enumerate(terms):
        if not isinstance(term, str):
            continue
        # Each term is one blocklist item named after it, so a repeat would declare the same item twice.
        if term in seen:
            r.fail(f"contentFilter.blockTerms[{i}]", term, "is listed twice", "each term once")
        seen.add(term)
    return ContentFilterConfig(
        base_policy_name=r.string(
            "contentFilter.basePolicyName",
            raw.get("basePolicyName", MISSING),
            default="Microsoft.DefaultV2",
            choices=BASE_POLICIES,
        ),
        severity_threshold=cast(
            SeverityThreshold,
            r.string(
                "contentFilter.severityThreshold",
                raw.get("severityThreshold", MISSING),
                default="Medium",
                choices=SEVERITIES,
            ),
        ),
        block_terms=tuple(
            r.each(
                "contentFilter.blockTerms",
                terms,
                lambda p, v: r.string(p, v, pattern=r"(?s).{1,100}", accepted="a term of 1-100 characters"),
            )
        ),
    )


def read_monitoring(r: Reader, value: Any, *, today: date) -> MonitoringConfig:
    raw = r.section("monitoring", value, ("retentionInDays", "alertEmails", "thresholds", "budget"))
    emails = r.items("monitoring.alertEmails", raw.get("alertEmails", MISSING), what="email addresses")
    t = r.section(
        "monitoring.thresholds",
        raw.get("thresholds", MISSING),
        ("throttledRequests", "serverErrors", "availabilityPercent", "latencyMs", "contentFilterRejections"),
    )
    d = DEFAULT_THRESHOLDS
    thresholds = AlertThresholds(
        throttled_requests=r.integer(
            "monitoring.thresholds.throttledRequests",
            t.get("throttledRequests", MISSING),
            d.throttled_requests,
            low=1,
            high=100000,
        ),
        server_errors=r.integer(
            "monitoring.thresholds.serverErrors",
            t.get("serverErrors", MISSING),
            d.server_errors,
            low=1,
            high=100000,
        ),
        availability_percent=r.number(
            "monitoring.thresholds.availabilityPercent",
            t.get("availabilityPercent", MISSING),
            d.availability_percent,
            low=0,
            high=100,
            low_open=True,
        ),
        latency_ms=r.integer(
            "monitoring.thresholds.latencyMs",
            t.get("latencyMs", MISSING),
            d.latency_ms,
            low=1000,
            high=600000,
        ),
        content_filter_rejections=r.integer(
            "monitoring.thresholds.contentFilterRejections",
            t.get("contentFilterRejections", MISSING),
            d.content_filter_rejections,
            low=1,
            high=100000,
        ),
    )
    budget_raw = raw.get("budget", MISSING)
    return MonitoringConfig(
        retention_in_days=r.integer(
            "monitoring.retentionInDays", raw.get("retentionInDays", MISSING), 30, low=30, high=730
        ),
        alert_emails=tuple(r.each("monitoring.alertEmails", emails, lambda p, v: _email(r, p, v))),
        thresholds=thresholds,
        budget=None if budget_raw is MISSING or budget_raw is None else _budget(r, budget_raw, today),
    )


def _email(r: Reader, path: str, value: Any) -> str:
    return r.string(path, value, pattern=EMAIL_PATTERN, accepted="an email address such as ops@example.com")


def _budget(r: Reader, value: Any, today: date) -> BudgetConfig:
    raw = r.section("monitoring.budget", value, ("amount", "startDate", "contactEmails", "thresholds"))
    emails = r.items(
        "monitoring.budget.contactEmails",
        raw.get("contactEmails", MISSING),
        required=True,
        what="email addresses",
    )
    thresholds = r.items("monitoring.budget.thresholds", raw.get("thresholds", MISSING), what="percentages")
    if len(thresholds) > MAX_BUDGET_NOTIFICATIONS:
        r.fail(
            "monitoring.budget.thresholds",
            thresholds,
            "has too many entries",
            f"at most {MAX_BUDGET_NOTIFICATIONS} percentages (Azure's limit on budget notifications)",
        )
    for i, threshold in enumerate(thresholds):
        # Each percentage is one notification keyed by it: a repeat would silently collapse into one.
        if threshold in thresholds[:i]:
            r.fail(f"monitoring.budget.thresholds[{i}]", threshold, "is listed twice", "each percentage once")
    return BudgetConfig(
        amount=r.number(
            "monitoring.budget.amount",
            raw.get("amount", MISSING),
            None,
            low=0,
            high=10_000_000,
            low_open=True,
        ),
        start_date=_budget_start(r, "monitoring.budget.startDate", raw.get("startDate", MISSING), today),
        contact_emails=tuple(r.each("monitoring.budget.contactEmails", emails, lambda p, v: _email(r, p, v))),
        thresholds=tuple(
            r.each(
                "monitoring.budget.thresholds",
                thresholds or [80, 100],
                lambda p, v: r.number(p, v, None, low=0, high=1000, low_open=True),
            )
        ),
    )


def _budget_start(r: Reader, path: str, value: Any, today: date) -> date:
    # Azure's rules for a budget's start: first of a month, on or after 2017-06-01, at most 12 months ahead.
    # (A start in the past is only refused when the budget is created, so re-runs keep theirs.)
    latest = date(today.year + 1, today.month, 1)
    accepted = f"the first day of a month as YYYY-MM-01, from {EARLIEST_BUDGET_START} to {latest}"
    if isinstance(value, date):
        parsed: date | None = value
    elif isinstance(value, str):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None or parsed.day != 1:
        r.fail(
            path,
            value if not isinstance(value, date) else value.isoformat(),
            "is not valid" if value is not MISSING else "is required",
            accepted,
        )
        return EARLIEST_BUDGET_START
    if not EARLIEST_BUDGET_START <= parsed <= latest:
        r.fail(path, parsed.isoformat(), "is out of range", accepted)
    return parsed


def read_access(r: Reader, value: Any) -> AccessConfig:
    raw = r.section("access", value, ("openAiUsers",))
    users_raw = r.items("access.openAiUsers", raw.get("openAiUsers", MISSING), what="principals")
    users = r.each("access.openAiUsers", users_raw, lambda p, v: _user(r, p, v))
    seen_names: set[str] = set()
    seen_ids: set[str] = set()
    for i, user in enumerate(users):
        if user.name and user.name in seen_names:
            r.fail(f"access.openAiUsers[{i}].name", user.name, "is used twice", "a unique name per principal")
        if user.principal_id and user.principal_id.lower() in seen_ids:
            r.fail(
                f"access.openAiUsers[{i}].principalId",
                user.principal_id,
                "is listed twice",
                "each principal once",
            )
        seen_names.add(user.name)
        seen_ids.add(user.principal_id.lower())
    return AccessConfig(open_ai_users=tuple(users))


def _user(r: Reader, path: str, value: Any) -> OpenAiUser:
    raw = r.section(path, value, ("name", "principalId", "principalType"), required=True)
    return OpenAiUser(
        name=r.string(
            f"{path}.name",
            raw.get("name", MISSING),
            pattern=r"[a-z0-9][a-z0-9-]{0,39}",
            accepted="1-40 lowercase letters, digits or hyphens",
        ),
        principal_id=r.string(
            f"{path}.principalId",
            raw.get("principalId", MISSING),
            pattern=GUID_PATTERN,
            accepted="an Entra object id (a GUID)",
        ),
        principal_type=r.string(
            f"{path}.principalType",
            raw.get("principalType", MISSING),
            default="ServicePrincipal",
            choices=PRINCIPAL_TYPES,
        ),
    )


def read_tags(r: Reader, value: Any) -> dict[str, str]:
    raw = r.mapping("tags", value, "an object of tag name -> string value")
    tags: dict[str, str] = {}
    for key, tag_value in raw.items():
        if not isinstance(key, str) or not re.fullmatch(r"[^<>%&\\?/]{1,512}", key):
            r.fail(f"tags.{key}", key, "is not a valid tag name", "1-512 characters without < > % & \\ ? /")
            continue
        if isinstance(tag_value, bool):
            tag_value = str(tag_value).lower()
        elif isinstance(tag_value, int | float):
            tag_value = str(tag_value)
        if not isinstance(tag_value, str) or len(tag_value) > 256:
            r.fail(f"tags.{key}", tag_value, "is not a valid tag value", "a string of at most 256 characters")
            continue
        tags[key] = tag_value
    return tags
