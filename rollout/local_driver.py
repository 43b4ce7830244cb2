"""The local driver: the same rollout against the emulator, through the local engine.

Config changes edit ``Pulumi.<stack>.yaml`` (as ``pulumi config set`` would); ``up`` runs
``imagegate local up`` (the local emulation of ``pulumi up``) as a subprocess and reads the outputs
JSON it writes. Nothing here talks to ARM directly.

The engine runs as a ``lifecycle.children`` child: in its own process group, stopped with it when the
rollout is interrupted, and sent SIGTERM by the kernel if the rollout dies (SIGKILL), so it never outlives
the rollout. Its wait lines (``up: waiting ...``) are passed on as they come, verbose or not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lifecycle import children
from rollout.errors import DriverError
from rollout.failure_text import error_code, error_line
from rollout.stack_file import read_stack_text, read_stack_values, restore_stack_text, write_stack_file

ENGINE_TIMEOUT_S = 600


class LocalDriver:
    name = "local"

    def __init__(
        self,
        stack: str,
        config_file: Path,
        arm_endpoint: str,
        *,
        ca_bundle: str | None = None,
        outputs_file: Path | None = None,
        on_output: Callable[[str], None] = print,
        on_progress: Callable[[str], None] | None = None,
        python: str = sys.executable,
    ) -> None:
        self.stack = stack
        self.config_file = Path(config_file)
        self.arm_endpoint = arm_endpoint
        self.ca_bundle = ca_bundle
        self.outputs_file = (
            outputs_file or self.config_file.resolve().parent / ".imagegate" / stack / "outputs.json"
        )
        self.on_output = on_output
        self.on_progress = on_progress or (lambda line: None)
        self.python = python

    def read_config(self) -> dict[str, Any]:
        return read_stack_values(self.config_file)

    def write_config(self, values: Mapping[str, Any]) -> None:
        write_stack_file(self.config_file, values, self.stack)

    def read_text(self) -> str:
        return read_stack_text(self.config_file)

    def restore_text(self, text: str) -> None:
        restore_stack_text(self.config_file, text)

    def engine_arguments(self) -> list[str]:
        """What ``up`` runs after ``python -m imagegate``."""
        arguments = [
            "local",
            "up",
            "--stack",
            self.stack,
            "--config",
            str(self.config_file),
            "--arm-endpoint",
            self.arm_endpoint,
            "--outputs",
            str(self.outputs_file),
            "--quiet",
        ]
        if self.ca_bundle:
            arguments += ["--ca-bundle", self.ca_bundle]
        return arguments

    def up(self) -> dict[str, Any]:
        command = [self.python, "-m", "imagegate", *self.engine_arguments()]

        def on_line(stream: str, line: str) -> None:
            if stream == "stdout":
                self.on_output(line)
            elif line.startswith("up: waiting"):
                self.on_progress("  " + line)

        try:
            proc = children.run(
                command,
                timeout_s=ENGINE_TIMEOUT_S,
                on_line=on_line,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DriverError(f"The local engine did not finish: {exc}.") from exc
        if proc.returncode != 0:
            text = proc.stderr + proc.stdout
            raise DriverError(
                f"The local engine failed: {error_line(text, f'exit {proc.returncode}')}",
                code=error_code(text),
            )
        return self.outputs()

    def outputs(self) -> dict[str, Any]:
        try:
            return json.loads(self.outputs_file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DriverError(
                f"No stack outputs at {self.outputs_file}; the local engine has not run yet."
            ) from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise DriverError(f"Cannot read the stack outputs {self.outputs_file}: {exc}.") from exc
