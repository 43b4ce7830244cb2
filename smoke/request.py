"""What a ``smoke`` command asks for, as frozen objects the library takes (no option dicts).

Each option group of the command line (smoke/cli_options.py) becomes one of these, field for field, and
every default lives here: the options show these values in --help and the library receives them typed.
The two retry defaults (the check budget, the give-up window) are ``smoke.retry``'s constants, so the
library's ``RetryPolicy()`` (what rollout's smoke gate builds) and ``smoke run`` cannot drift apart.
No click here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from smoke.retry import DEFAULT_BUDGET_S, DEFAULT_GIVE_UP_AFTER_S

AuthMode = Literal["entra", "key", "emulator"]
Quality = Literal["low", "medium", "high", "auto"]
OutputFormat = Literal["png", "jpeg", "webp"]
CheckName = Literal["generate", "edit", "keyless"]
GatewayAuthMode = Literal["key", "entra", "none"]
EditSource = Literal["fixture", "generated"]
OneOffKind = Literal["generate", "edit"]

DEFAULT_API_KEY_ENV = "AZURE_OPENAI_API_KEY"
DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class TargetSelection:
    """Which deployments: stacks' outputs, outputs files, or one endpoint with named deployments."""

    stacks: tuple[str, ...] = ()
    outputs_files: tuple[Path, ...] = ()
    endpoint: str | None = None
    deployments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Connection:
    """How to reach and authenticate to them."""

    auth: AuthMode = "entra"
    api_key_env: str = DEFAULT_API_KEY_ENV
    scope: str = DEFAULT_SCOPE
    api_version: str | None = None
    v1: bool = False
    ca_bundle: Path | None = None
    request_timeout: float = 120.0


@dataclass(frozen=True)
class ImageParams:
    """What image to ask for."""

    size: str = "1024x1024"
    quality: Quality = "low"
    output_format: OutputFormat = "png"
    n: int = 1


@dataclass(frozen=True)
class CheckSettings:
    """How `smoke run` checks."""

    local_auth_disabled: bool = False
    checks: tuple[CheckName, ...] = ()
    prompt: str | None = None
    prompt_file: Path | None = None
    edit_prompt: str | None = None
    edit_image: Path | None = None
    edit_mask: Path | None = None
    edit_source: EditSource = "fixture"
    max_outside_change: float | None = None


@dataclass(frozen=True)
class SuiteSettings:
    """A prompt suite to run instead of the built-in checks, and the catalog it is checked against."""

    suite: str | None = None  # a YAML path, or "default" for the shipped suite
    catalog: Path | None = None


@dataclass(frozen=True)
class Pacing:
    """How fast and how persistently."""

    concurrency: int = 16
    rpm: float | None = None
    # Learn, Azure OpenAI quotas and limits: 2 capacity units = 6 RPM for image models.
    rpm_per_capacity_unit: float = 3.0
    max_attempts: int | None = None  # None: no cap, the check_timeout budget decides
    check_timeout: float = DEFAULT_BUDGET_S  # six 120 s request timeouts
    not_found_wait: float = 0.0
    # A check that has seen only transient failures for this long stops with the evidence (smoke.retry).
    give_up_after: float = DEFAULT_GIVE_UP_AFTER_S


@dataclass(frozen=True)
class GatewaySettings:
    """How `smoke run` calls a stack's gateway aliases, and the failover check (docs/smoke.md)."""

    # key: the client subscription key as `api-key`, read from the variable named by gateway_key_env;
    # entra: a token the gateway validates (the --auth credential, --scope); none: check the accounts only.
    gateway_auth: GatewayAuthMode = "key"
    gateway_key_env: str | None = None
    failover: str | None = None  # the region of the member the operator has throttled
    failover_calls: int = 4


@dataclass(frozen=True)
class ReportPaths:
    """Where `smoke run`'s reports go (each optional)."""

    json_path: Path | None = None
    junit_path: Path | None = None
    html_path: Path | None = None
    summary_md: Path | None = None
    save_images: Path | None = None


@dataclass(frozen=True)
class SmokeRunRequest:
    """One `imagegate smoke run`."""

    targets: TargetSelection
    connection: Connection
    image: ImageParams
    checks: CheckSettings
    pacing: Pacing
    reports: ReportPaths
    suite: SuiteSettings = SuiteSettings()
    gateway: GatewaySettings = GatewaySettings()


@dataclass(frozen=True)
class OneOffRequest:
    """One `imagegate smoke generate` or `smoke edit`."""

    kind: OneOffKind
    targets: TargetSelection
    connection: Connection
    image: ImageParams
    prompt: str
    output: Path
    image_path: Path | None = None
    mask_path: Path | None = None
