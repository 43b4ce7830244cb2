"""``<state-dir>/emulator.json``: where a running emulator is, so other shells find it by its folder.

Written once the server is serving, removed at a clean stop. It holds the base URL, the CA to trust, a
trust bundle (the public CAs plus the emulator's, for ``SSL_CERT_FILE``), the ARM subscription and the pid;
no keys. ``imagegate emulator env --state-dir DIR`` reads it (``emulator.control.find_emulator``).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from emulator.config import Settings

DISCOVERY_FILE = "emulator.json"
TRUST_FILE = "trust.pem"
DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def subscription_of(settings: Settings) -> str:
    raw = getattr(settings.config, "raw", {}) or {}
    arm = raw.get("arm") if isinstance(raw, dict) else None
    value = arm.get("subscriptionId") if isinstance(arm, dict) else None
    return value if isinstance(value, str) and value else DEFAULT_SUBSCRIPTION


def trust_bundle(ca_file: Path) -> Path:
    """The CAs this machine trusts plus the emulator's CA.

    ``SSL_CERT_FILE`` replaces a process's whole trust store; pointing it at the emulator's CA alone would
    break every other HTTPS call from the same shell (pip, real Azure).
    """
    bundle = ca_file.with_name(TRUST_FILE)
    public = _public_bundle(exclude=bundle)
    bundle.write_bytes(public.read_bytes().rstrip(b"\n") + b"\n" + ca_file.read_bytes())
    return bundle


def _public_bundle(exclude: Path) -> Path:
    """What this machine trusts now: a bundle already named in the environment (a proxy's CA may be in
    it), else OpenSSL's default file, else certifi's."""
    import ssl

    import certifi

    defaults = ssl.get_default_verify_paths()
    for candidate in (os.environ.get("SSL_CERT_FILE"), os.environ.get("REQUESTS_CA_BUNDLE"),
                      defaults.cafile, defaults.openssl_cafile):
        if candidate and Path(candidate).is_file() and Path(candidate).resolve() != exclude.resolve():
            return Path(candidate)
    return Path(certifi.where())


@dataclass(frozen=True)
class Discovery:
    state_dir: Path
    url: str
    ca_file: Path | None
    subscription_id: str
    rpm_per_capacity_unit: float = 1.0
    # Off loopback the admin API needs a token; the file's path is written, never the token.
    admin_token_file: Path | None = None

    @property
    def path(self) -> Path:
        return self.state_dir / DISCOVERY_FILE

    def write(self) -> None:
        ca = self.ca_file.resolve() if self.ca_file else None
        info = {
            "url": self.url,
            "ca": str(ca) if ca else None,
            "trust": str(trust_bundle(ca)) if ca else None,
            "subscriptionId": self.subscription_id,
            "rpmPerCapacityUnit": self.rpm_per_capacity_unit,
            "adminTokenFile": str(self.admin_token_file.resolve()) if self.admin_token_file else None,
            "pid": os.getpid(),
            "startedAt": time.time(),
        }
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.path)

    def remove(self) -> None:
        # Another emulator may have taken the folder since: remove only our own file.
        try:
            if json.loads(self.path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                self.path.unlink()
        except (OSError, ValueError):
            pass
