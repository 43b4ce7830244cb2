"""``imagegate emulator serve`` (also ``python -m emulator``): parse the command line, load the config, serve.

User errors are ``ConfigError`` (exit 2): under ``imagegate`` they reach ``imagegate.cli`` like every
command's; ``python -m emulator`` prints them as one line on stderr.

Example usage::

    imagegate emulator serve --port 8443 --state-dir .emulator
    imagegate emulator serve --print-config
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from emulator.config import Settings

EPILOG = """\
Example usage:
  imagegate emulator serve --port 8443 --state-dir .emulator
  imagegate emulator serve --no-tls --print-config

Then, in another shell, apply a stack to it:
  imagegate local up --stack dev --arm-endpoint <url> --ca-bundle <ca.pem>
"""


def build_parser(prog: str = "imagegate emulator serve") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local Azure OpenAI / Foundry emulator: the GPT-Image data plane (and ARM).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default)")
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="YAML or JSON file with accounts, deployments and faults"
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        type=Path,
        help="folder kept across restarts: the TLS CA and certificate (trust the CA once) and the saved "
        "accounts/deployments (default: a temp dir, nothing kept)",
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        metavar="FILE",
        help="model catalog JSON (default: $IMAGEGATE_CATALOG or the packaged catalog)",
    )
    parser.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="FILE",
        help="off loopback, the admin token to require (default: $IMAGEGATE_EMULATOR_ADMIN_TOKEN, else a new "
        "one written to <state dir>/admin-token)",
    )
    parser.add_argument("--no-tls", action="store_true", help="serve plain http instead of https")
    parser.add_argument(
        "--realistic-images",
        action="store_true",
        help="answer with photographic pictures of real byte sizes (megabytes); config: images.realistic",
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print the effective config as JSON and exit"
    )
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    from emulator.arm.settings import parse_arm_settings
    from emulator.config import DEFAULT_CONFIG, Settings, parse_config, read_config_file
    from emulator.errors import ConfigError

    raw = read_config_file(args.config) if args.config else DEFAULT_CONFIG
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a port number; use 0-65535.")
    if args.state_dir is not None and args.state_dir.exists() and not args.state_dir.is_dir():
        raise ConfigError(f"--state-dir {args.state_dir} is a file; give a folder (created if missing).")
    # The ARM part reads its section only when the server starts; check it now so --print-config does too.
    parse_arm_settings(raw.get("arm"))
    if args.realistic_images:
        images = raw.get("images")
        images = dict(images) if isinstance(images, dict) else {}
        raw = {**raw, "images": {**images, "realistic": True}}
    return Settings(
        config=parse_config(raw),
        host=args.host,
        port=args.port,
        tls=not args.no_tls,
        state_dir=args.state_dir,
        catalog_path=args.catalog,
        admin_token_file=args.admin_token_file,
    )


def describe(settings: Settings) -> dict[str, object]:
    from emulator.admintoken import is_loopback_bind
    from emulator.catalog import default_catalog_path, load_catalog

    """The effective configuration, keys redacted, as ``--print-config`` shows it."""
    catalog_path = settings.catalog_path or default_catalog_path()
    catalog = load_catalog(catalog_path)
    config = settings.config
    rpm_unit = config.rpm_per_capacity_unit or catalog.rpm_per_capacity_unit
    return {
        "host": settings.host,
        "port": settings.port,
        "tls": settings.tls,
        "stateDir": str(settings.state_dir) if settings.state_dir else None,
        "catalog": str(catalog_path),
        "models": sorted(catalog.models),
        "rpmPerCapacityUnit": rpm_unit,
        "acceptWebp": config.accept_webp,
        "apiVersions": list(config.api_versions) if config.api_versions else ">= 2025-04-01 (dated), v1",
        "maxImageBytes": config.max_image_bytes,
        "maxMaskBytes": config.max_mask_bytes,
        "requestLogSize": config.request_log_size,
        "faultSeed": config.fault_seed,
        "images": {"realistic": config.realistic_images},
        "adminApi": "open (loopback bind)"
        if is_loopback_bind(settings.host)
        else "needs the admin token (bound off loopback)",
        "limits": config.limits.to_json(),
        "accounts": [
            {
                "subdomain": a.subdomain,
                "keys": [f"<redacted {len(k)} chars>" for k in a.keys],
                "disableLocalAuth": a.local_auth_disabled,
                "blockTerms": len(a.block_terms),
                "region": a.region,
                "openAiUsers": list(a.openai_users) if a.openai_users is not None else None,
                "deployments": [
                    {
                        **{k: v for k, v in asdict(d).items() if k != "created_at"},
                        "rpm": max(1, int(d.capacity * rpm_unit)),
                    }
                    for d in a.deployments.values()
                ],
            }
            for a in config.accounts
        ],
        "faults": [{"subdomain": s, "deployment": d, "spec": f.to_json()} for s, d, f in config.faults],
    }


def serve_command(argv: list[str] | None = None, prog: str = "imagegate emulator serve") -> int:
    """Parse, load the config and serve; a config or listening error is raised as ``ConfigError`` (exit 2)."""
    args = build_parser(prog).parse_args(argv)
    from emulator.errors import ConfigError  # after parsing, so --help loads nothing of the server

    try:
        settings = settings_from_args(args)
    except OSError as exc:
        raise ConfigError(f"cannot read {exc.filename}: {exc.strerror}.") from exc
    if args.print_config:
        print(json.dumps(describe(settings), indent=2))
        return 0
    from emulator.server import serve

    try:
        return serve(settings)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}.") from exc


def main(argv: list[str] | None = None, prog: str = "python -m emulator") -> int:
    """``python -m emulator``, which cannot reach ``imagegate.cli``: its errors as one line and exit 2."""
    from emulator.errors import ConfigError

    try:
        return serve_command(argv, prog)
    except ConfigError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
