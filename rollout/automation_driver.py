"""The real driver: the Pulumi Automation API over the repository's own project and stack.

Config is read from ``Pulumi.<stack>.yaml`` (secrets stay encrypted there, so they never reach the rollout
journal) and written with ``set_config`` / ``set_all_config`` using path keys, once the program's reader has
accepted the new values; a rollback's last write puts the file's original text back (its secrets still
encrypted for the same stack). ``up`` runs the program through the Pulumi CLI, which must be installed
(``pulumi.automation`` drives it as a subprocess).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lifecycle.waits import SILENT, WaitListener
from rollout.config_paths import RemoveKey, SetValue, config_changes
from rollout.errors import DriverError, PulumiMissingError
from rollout.failure_text import error_code, error_line
from rollout.stack_file import check_stack_values, read_stack_text, read_stack_values, restore_stack_text

PULUMI_MISSING = (
    "The Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/) and log in, "
    "or run the rollout against the emulator with --driver local."
)


class AutomationDriver:
    name = "pulumi"

    def __init__(
        self,
        stack: str,
        work_dir: Path,
        *,
        on_output: Callable[[str], None] = print,
        env_vars: Mapping[str, str] | None = None,
        waits: WaitListener = SILENT,
    ) -> None:
        if shutil.which("pulumi") is None:
            raise PulumiMissingError(PULUMI_MISSING)
        # Imported here so the rest of the rollout (and --dry-run) works without loading Pulumi's SDK.
        from pulumi import automation as auto

        self._auto = auto
        self.stack_name = stack
        self.work_dir = Path(work_dir)
        self.config_file = self.work_dir / f"Pulumi.{stack}.yaml"
        self.on_output = on_output
        self.waits = waits
        try:
            self._stack = auto.select_stack(
                stack_name=stack,
                work_dir=str(self.work_dir),
                opts=auto.LocalWorkspaceOptions(env_vars=dict(env_vars or {})),
            )
        except FileNotFoundError as exc:
            raise PulumiMissingError(PULUMI_MISSING) from exc
        except auto.errors.StackNotFoundError as exc:
            raise DriverError(
                f"Pulumi has no stack '{stack}' in {self.work_dir}; "
                f"create it with `pulumi stack init {stack}`."
            ) from exc
        except auto.errors.CommandError as exc:
            raise self._error(exc, f"selecting stack '{stack}'") from exc

    def read_config(self) -> dict[str, Any]:
        return read_stack_values(self.config_file)

    def read_text(self) -> str:
        return read_stack_text(self.config_file)

    def restore_text(self, text: str) -> None:
        restore_stack_text(self.config_file, text)

    def write_config(self, values: Mapping[str, Any]) -> None:
        check_stack_values(values, self.stack_name)
        changes = config_changes(self.read_config(), values)
        ConfigValue = self._auto.ConfigValue
        path_sets = {c.key: ConfigValue(value=c.value) for c in changes if isinstance(c, SetValue) and c.path}
        try:
            for change in changes:
                if isinstance(change, RemoveKey):
                    self._stack.remove_config(change.key)
                elif not change.path:
                    self._stack.set_config(change.key, ConfigValue(value=change.value))
            if path_sets:
                # One command for every leaf, so the file never holds half of a new deployment entry.
                self._stack.set_all_config(path_sets, path=True)
        except self._auto.errors.CommandError as exc:
            raise self._error(exc, "writing the stack config") from exc

    def up(self) -> dict[str, Any]:
        # Without --verbose `up` prints nothing for minutes; the wait line says what runs and for how long.
        why = "Azure is applying the changes (a deployment takes minutes)"
        try:
            with self.waits.waiting(f"pulumi up of stack {self.stack_name}", why):
                result = self._stack.up(on_output=self.on_output, color="never")
        except self._auto.errors.CommandError as exc:
            raise self._error(exc, "running `pulumi up`") from exc
        return {key: output.value for key, output in result.outputs.items()}

    def outputs(self) -> dict[str, Any]:
        try:
            return {key: output.value for key, output in self._stack.outputs().items()}
        except self._auto.errors.CommandError as exc:
            raise self._error(exc, "reading the stack outputs") from exc

    @staticmethod
    def _error(exc: Exception, doing: str) -> DriverError:
        text = str(exc)
        return DriverError(
            f"Pulumi failed while {doing}: {error_line(text, 'no error output')}", code=error_code(text)
        )
