"""Self-signed TLS for loopback: a CA and a server certificate for 127.0.0.1, localhost and ::1.

Without ``--state-dir`` both are made fresh at every start and the CA's private key never leaves memory.
With ``--state-dir`` the CA (certificate and 0600 key) and the server certificate are kept in
``<dir>/tls/`` and reused on the next start, so a user trusts ``ca.pem`` once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

from emulator.errors import ConfigError

HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path

    @property
    def ca_key_file(self) -> Path:
        return self.ca_file.with_name("ca-key.pem")


def make_tls_files(directory: Path, *, keep: bool = False) -> TlsFiles:
    """Write (or with ``keep``, reuse) the CA and server certificate under ``<directory>/tls/``."""
    folder = directory / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    kept = (files.ca_file, files.ca_key_file, files.cert_file, files.key_file)
    if keep and all(path.is_file() for path in kept):
        return files
    ca = _load_ca(files) if keep and files.ca_file.is_file() and files.ca_key_file.is_file() else None
    if ca is None:
        ca = trustme.CA(organization_name="imagegate emulator")
        ca.cert_pem.write_to_path(str(files.ca_file))
        if keep:
            ca.private_key_pem.write_to_path(str(files.ca_key_file))
            files.ca_key_file.chmod(0o600)
    cert = ca.issue_cert(*HOSTS)
    cert.private_key_pem.write_to_path(str(files.key_file))
    files.key_file.chmod(0o600)
    with files.cert_file.open("wb") as out:
        for blob in cert.cert_chain_pems:
            out.write(blob.bytes())
    return files


def _load_ca(files: TlsFiles) -> trustme.CA:
    try:
        return trustme.CA.from_pem(files.ca_file.read_bytes(), files.ca_key_file.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"The saved CA in {files.ca_file.parent} cannot be read; delete that folder to make a new one."
        ) from exc
