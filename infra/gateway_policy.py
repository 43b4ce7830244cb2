"""The API Management policy of one alias's api, as XML text. Pure: config in, the same XML out.

Inbound: the alias's pool backend and a managed-identity token for Azure OpenAI (the accounts stay
keyless), plus ``validate-azure-ad-token`` when clients may come with Entra tokens. Backend: ``retry`` on
429 and 503 around ``forward-request`` with the body buffered (an edit is multipart: without the buffer a
retry would resend nothing) and the alias's timeout. On-error: when every member's breaker is open the
pool fails; the client gets 429 with the smallest Retry-After the gateway saw, not a bare 503 (the shape of
Azure-Samples/Apim-Samples PR #218), so the openai SDK backs off and retries as it does against one account.

The Retry-After cap: Azure OpenAI may ask for a wait of up to a day, and the openai SDK gives up at once on
a wait over 120 s. API Management's ``acceptRetryAfter`` bounds nothing (it trips the member's breaker for
as long as the account says), and no policy runs between the backend's answer and the breaker, so the cap
bounds what the *client* is told: outbound and on-error rewrite ``Retry-After`` with
:func:`capped_retry_after` (a C# 7 policy expression: ``int.TryParse`` and ``Math.Min`` are in Learn's
list of types allowed in policy expressions), and outbound drops ``retry-after-ms``, which the SDK would
read first.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from infra.gateway_config import AliasConfig, ClientAuthConfig

COGNITIVE_SERVICES_RESOURCE = "https://cognitiveservices.azure.com"
RETRY_CONDITION = "@(context.Response.StatusCode == 429 || context.Response.StatusCode == 503)"
# What the client is told to wait when the failed pool reported no Retry-After at all.
FALLBACK_RETRY_AFTER_S = 10
HAS_RETRY_AFTER = '@(context.Response.Headers.ContainsKey("Retry-After"))'


def pool_backend_id(alias: str) -> str:
    """The pool backend's id (also its resource name) for ``alias``."""
    return f"{alias}-pool"


def capped_retry_after(cap_seconds: int, fallback_seconds: int = FALLBACK_RETRY_AFTER_S) -> str:
    """The policy expression for ``Retry-After``: the last response's value (``fallback_seconds`` when it
    has none) bounded by ``cap_seconds``; a value that is not a number of seconds becomes the cap."""
    return (
        "@(int.TryParse(context.Response.Headers.GetValueOrDefault("
        f'"Retry-After","{fallback_seconds}"), out var seconds) '
        f'? Math.Min(seconds, {cap_seconds}).ToString() : "{cap_seconds}")'
    )


def policy_xml(alias: AliasConfig, clients: ClientAuthConfig) -> str:
    """The policy document (well-formed XML, sent as format ``xml``) for the api that serves ``alias``."""
    pool = quoteattr(pool_backend_id(alias.name))
    inbound = ["<base />"]
    if clients.entra is not None:
        audiences = "".join(f"<audience>{_text(a)}</audience>" for a in clients.entra.audiences)
        inbound.append(
            f"<validate-azure-ad-token tenant-id={quoteattr(clients.entra.tenant_id)}>"
            f"<audiences>{audiences}</audiences></validate-azure-ad-token>"
        )
    inbound += [
        f"<set-backend-service backend-id={pool} />",
        f"<authentication-managed-identity resource={quoteattr(COGNITIVE_SERVICES_RESOURCE)} />",
    ]
    forward = f'<forward-request buffer-request-body="true" timeout="{alias.timeout_seconds}" />'
    if alias.retry_count > 0:
        backend = (
            f'<retry count="{alias.retry_count}" interval="0" first-fast-retry="true" '
            f"condition={quoteattr(RETRY_CONDITION)}>"
            f"<set-backend-service backend-id={pool} />{forward}</retry>"
        )
    else:
        backend = forward
    retry_after = capped_retry_after(alias.retry_after_cap_seconds)
    capped = (
        f'<set-header name="Retry-After" exists-action="override"><value>{_text(retry_after)}</value>'
        "</set-header>"
    )
    outbound = (
        "<base />"
        '<set-header name="retry-after-ms" exists-action="delete" />'
        f"<choose><when condition={quoteattr(HAS_RETRY_AFTER)}>{capped}</when></choose>"
    )
    on_error = (
        "<base />"
        f'<return-response><set-status code="429" reason="Too Many Requests" />{capped}</return-response>'
    )
    return (
        "<policies>"
        f"<inbound>{''.join(inbound)}</inbound>"
        f"<backend>{backend}</backend>"
        f"<outbound>{outbound}</outbound>"
        f"<on-error>{on_error}</on-error>"
        "</policies>"
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
