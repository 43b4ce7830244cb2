"""A stand-in for the Pulumi CLI, installed on PATH as ``pulumi`` by the tests.

It records every argv (one JSON line each in $FAKE_PULUMI_LOG) and answers the commands
``pulumi.automation`` runs for select / config / up / outputs, keeping config in the real
``Pulumi.<stack>.yaml`` of its working directory. ``up`` derives outputs from that config;
$FAKE_PULUMI_CONFLICTS names a file holding how many ``up`` calls should fail with RequestConflict first.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import yaml

VERSION = "v3.272.0"
HISTORY = [
    {
        "kind": "update",
        "startTime": "2026-11-25T10:00:00.000Z",
        "endTime": "2026-11-25T10:00:05.000Z",
        "message": "",
        "environment": {},
        "config": {},
        "result": "succeeded",
        "version": 1,
        "resourceChanges": {"same": 1},
    }
]


def stack_of(args: list[str]) -> str:
    return args[args.index("--stack") + 1]


def config_file(stack: str) -> Path:
    return Path.cwd() / f"Pulumi.{stack}.yaml"


def load(stack: str) -> dict:
    return yaml.safe_load(config_file(stack).read_text()) or {}


def save(stack: str, document: dict) -> None:
    config_file(stack).write_text(yaml.safe_dump(document, sort_keys=False))


def parse_path(key: str) -> list:
    head = re.match(r"^[^.\[]+", key)[0]
    parts: list = [head]
    for match in re.finditer(r'\.([^.\[]+)|\[(\d+)\]|\["([^"]+)"\]', key[len(head) :]):
        if match[1] is not None:
            parts.append(match[1])
        elif match[2] is not None:
            parts.append(int(match[2]))
        else:
            parts.append(match[3])
    return parts


def typed(value: str):
    if value in ("true", "false"):
        return value == "true"
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def set_value(config: dict, key: str, value: str, path: bool) -> None:
    if not path:
        config[key] = value
        return
    parts = parse_path(key)
    node = config
    for part, following in zip(parts, parts[1:], strict=False):
        empty = [] if isinstance(following, int) else {}
        if isinstance(node, list):
            while len(node) <= part:
                node.append(None)
            node[part] = node[part] if node[part] is not None else empty
        else:
            node.setdefault(part, empty)
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        while len(node) <= last:
            node.append(None)
    node[last] = typed(value)


def outputs(stack: str) -> dict:
    state = Path.cwd() / ".fake-pulumi" / f"{stack}.json"
    return json.loads(state.read_text()) if state.exists() else {}


def up(stack: str) -> int:
    conflicts = os.environ.get("FAKE_PULUMI_CONFLICTS")
    if conflicts and Path(conflicts).exists() and int(Path(conflicts).read_text() or 0) > 0:
        Path(conflicts).write_text(str(int(Path(conflicts).read_text()) - 1))
        print(f"Updating ({stack}):")
        print(
            "error: azure-native:cognitiveservices:Deployment resource failed: "
            'Status=409 Code="RequestConflict" '
            'Message="Another operation is being performed on the parent resource."',
            file=sys.stderr,
        )
        return 255
    config = {
        k.split(":", 1)[1]: v for k, v in load(stack).get("config", {}).items() if k.startswith("imagegate:")
    }
    # As `pulumi up` runs the program: the stack read by the program's own reader, defaults resolved.
    from infra.config import load_stack_config

    model = load_stack_config(config, stack)
    deployments = {
        d.name: {"model": d.model, "version": d.version, "sku": d.sku, "capacity": d.capacity, "role": d.role}
        for d in model.image_deployments
    }
    result = {
        "environment": model.environment,
        "endpoint": "https://fake.openai.azure.com/",
        "deployments": deployments,
        "activeDeployment": model.active_deployment,
    }
    state = Path.cwd() / ".fake-pulumi" / f"{stack}.json"
    state.parent.mkdir(exist_ok=True)
    state.write_text(json.dumps(result))
    print(f"Updating ({stack}):")
    print("Resources:\n    1 unchanged")
    return 0


def main(argv: list[str]) -> int:
    if os.environ.get("FAKE_PULUMI_LOG"):
        with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
            log.write(json.dumps(argv) + "\n")
    args = [a for a in argv if a != "--non-interactive"]
    if args == ["version"]:
        print(VERSION)
        return 0
    if args[:2] == ["stack", "select"]:
        if not config_file(stack_of(args)).exists():
            print(f"error: no stack named '{stack_of(args)}' found", file=sys.stderr)
            return 255
        return 0
    if args[:2] == ["config", "set"]:
        stack = stack_of(args)
        document = load(stack)
        path = "--path" in args
        key = [a for a in args[2 : args.index("--")] if not a.startswith("--") and a != stack][0]
        set_value(document.setdefault("config", {}), key, args[args.index("--") + 1], path)
        save(stack, document)
        return 0
    if args[:2] == ["config", "set-all"]:
        stack = stack_of(args)
        document = load(stack)
        path = "--path" in args
        for i, arg in enumerate(args):
            if arg in ("--plaintext", "--secret"):
                key, _, value = args[i + 1].partition("=")
                set_value(document.setdefault("config", {}), key, value, path)
        save(stack, document)
        return 0
    if args[:2] == ["config", "rm"]:
        stack = stack_of(args)
        document = load(stack)
        document.get("config", {}).pop(args[2], None)
        save(stack, document)
        return 0
    if args[0] == "up":
        return up(stack_of(args))
    if args[:2] == ["stack", "output"]:
        print(json.dumps(outputs(stack_of(args))))
        return 0
    if args[:2] == ["stack", "history"]:
        print(json.dumps(HISTORY))
        return 0
    print(f"fake pulumi: unsupported command {args}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
