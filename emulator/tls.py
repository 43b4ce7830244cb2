"""Self-signed TLS for loopback: a throw-away CA and a server certificate for 127.0.0.1, localhost and ::1.

Made fresh at every start (the CA's private key never leaves memory); the CA certificate, server chain and
key are written to ``<dir>/tls/`` so clients can trust ``ca.pem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_tls_files(directory: Path, extra_hosts: tuple[str, ...] = ()) -> TlsFiles:
    folder = directory / "tls"
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="imagegate emulator")
    hosts = tuple(dict.fromkeys(HOSTS + extra_hosts))
    cert = ca.issue_cert(*hosts)
    files = TlsFiles(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    ca.cert_pem.write_to_path(str(files.ca_file))
    cert.private_key_pem.write_to_path(str(files.key_file))
    files.key_file.chmod(0o600)
    with files.cert_file.open("wb") as out:
        for blob in cert.cert_chain_pems:
            out.write(blob.bytes())
    return files
