"""The API Management policy of one alias's api, as XML text. Pure: config in, the same XML out.

Inbound: the alias's pool backend and a managed-identity token for Azure OpenAI (the accounts stay
keyless), plus ``validate-azure-ad-token`` when clients may come with Entra tokens. Backend: ``retry`` on
429 and 503 around ``forward-request`` with the body buffered (an edit is multipart: without the buffer a
retry would resend nothing) and the alias's timeout. On-error: when every member's breaker is open the
pool fails; the client gets 429 with the smallest Retry-After the gateway saw, not a bare 503 (the shape of
Azure-Samples/Apim-Samples PR #218), so the openai SDK backs off and retries as it does against one account.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from infra.gateway_config import AliasConfig, ClientAuthConfig

COGNITIVE_SERVICES_RESOURCE = "https://cognitiveservices.azure.com"
RETRY_CONDITION = "@(context.Response.StatusCode == 429 || context.Response.StatusCode == 503)"
# What the client is told to wait when the failed pool reported no Retry-After at all.
FALLBACK_RETRY_AFTER_S = 10


def pool_backend_id(alias: str) -> str:
    """The pool backend's id (also its resource name) for ``alias``."""
    return f"{alias}-pool"


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
    retry_after = f'@(context.Response.Headers.GetValueOrDefault("Retry-After","{FALLBACK_RETRY_AFTER_S}"))'
    on_error = (
        "<base />"
        '<return-response><set-status code="429" reason="Too Many Requests" />'
        f'<set-header name="Retry-After" exists-action="override"><value>{_text(retry_after)}</value>'
        "</set-header></return-response>"
    )
    return (
        "<policies>"
        f"<inbound>{''.join(inbound)}</inbound>"
        f"<backend>{backend}</backend>"
        "<outbound><base /></outbound>"
        f"<on-error>{on_error}</on-error>"
        "</policies>"
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
