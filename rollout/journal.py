"""The rollout journal: one JSON file per stack that records the plan, the original config and every step.

Written atomically (temp file + ``os.replace``) after each event, so a crash at any moment leaves either the
old or the new journal, never half of one. A lock file held with ``flock`` for the whole run refuses a second
rollout of the same stack; the OS releases it when the process dies, which is how a re-run tells an
interrupted rollout (resume or roll back) from a running one (refuse).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rollout.errors import JournalError, LockedError
from rollout.plan import Plan

JOURNAL_NAME = "rollout-journal.json"
LOCK_NAME = "rollout.lock"
SCHEMA_VERSION = 1

IN_PROGRESS = "in-progress"
ROLLING_BACK = "rolling-back"
SUCCEEDED = "succeeded"
ROLLED_BACK = "rolled-back"
NEEDS_ATTENTION = "needs-attention"
FAILED_BEFORE_CHANGE = "failed-before-change"
UNFINISHED = frozenset({IN_PROGRESS, ROLLING_BACK, NEEDS_ATTENTION})

FORWARD = "forward"
ROLLBACK = "rollback"


def default_journal_dir(config_path: Path, stack: str) -> Path:
    """``.imagegate/<stack>/`` next to ``Pulumi.<stack>.yaml``."""
    return config_path.resolve().parent / ".imagegate" / stack


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=False, default=str)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise JournalError(f"Cannot write the rollout journal {path}: {exc.strerror or exc}.") from exc


def cannot_act(path: Path, what: str) -> str:
    """The one sentence for a journal no command can act on: which file, and the way out (docs/rollout.md,
    "A journal imagegate cannot read")."""
    return (
        f"The rollout journal {path} {what}, so imagegate cannot resume or roll it back; check the stack "
        "by hand (`imagegate local preview` or `pulumi preview`), put Pulumi.<stack>.yaml back from the "
        "journal's plan.originalText if a rollout changed it, then move the journal away to start over."
    )


class StackLock:
    """An exclusive, non-blocking ``flock`` on ``<dir>/rollout.lock``, released on close or process death."""

    def __init__(self, directory: Path, stack: str) -> None:
        self.path = directory / LOCK_NAME
        self.stack = stack
        self._fd: int | None = None

    def acquire(self) -> StackLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            holder = self.path.read_text(encoding="utf-8").strip() or "another process"
            raise LockedError(
                f"A rollout for stack '{self.stack}' is already in progress ({holder}); "
                "wait for it to finish."
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> StackLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class Journal:
    """The journal of one rollout; every mutation is saved at once."""

    def __init__(self, path: Path, data: dict[str, Any], clock: Any = time.time) -> None:
        self.path = path
        self.data = data
        self._clock = clock

    @classmethod
    def load(cls, directory: Path) -> Journal | None:
        path = directory / JOURNAL_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise JournalError(
                f"The rollout journal {path} cannot be read ({str(exc)[:120]}); "
                "inspect it, then move it away to start over."
            ) from exc
        except RecursionError:
            raise JournalError(
                f"The rollout journal {path} is nested too deeply to be a journal; move it away."
            ) from None
        if not isinstance(data, dict) or data.get("schemaVersion") != SCHEMA_VERSION or "plan" not in data:
            raise JournalError(cannot_act(path, "has an unknown format"))
        journal = cls(path, data)
        try:
            journal.plan  # noqa: B018 - parsed once here, so a damaged plan is refused before any step
            for key in ("status", "phase", "events", "runs", "startedAt"):
                data[key]  # noqa: B018
            if not isinstance(data["events"], list) or not isinstance(data["runs"], list):
                raise TypeError("events and runs must be lists")
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise JournalError(cannot_act(path, f"is damaged ({type(exc).__name__}: {exc})")) from None
        return journal

    @classmethod
    def begin(cls, directory: Path, plan: Plan, clock: Any = time.time) -> Journal:
        """Start a new journal, archiving a finished one that is in the way."""
        path = directory / JOURNAL_NAME
        previous = cls.load(directory) if path.exists() else None
        if previous is not None:
            # Named by when the old rollout started, so the history of a stack's rollouts reads in order.
            path.replace(directory / f"rollout-journal.{int(previous.data['startedAt'] * 1000)}.json")
        now = clock()
        journal = cls(
            path,
            {
                "schemaVersion": SCHEMA_VERSION,
                "stack": plan.stack,
                "target": plan.target_label,
                "deployment": plan.current.name,
                "strategy": str(plan.strategy),
                "status": IN_PROGRESS,
                "phase": FORWARD,
                "failedStep": None,
                "failure": None,
                "startedAt": now,
                "updatedAt": now,
                "runs": [],
                "events": [],
                "plan": plan.to_dict(),
            },
            clock,
        )
        journal.save()
        return journal

    def save(self) -> None:
        self.data["updatedAt"] = self._clock()
        write_json_atomic(self.path, self.data)

    @property
    def plan(self) -> Plan:
        return Plan.from_dict(self.data["plan"])

    @property
    def status(self) -> str:
        return str(self.data["status"])

    @property
    def phase(self) -> str:
        return str(self.data["phase"])

    @property
    def failed_step(self) -> str | None:
        return self.data.get("failedStep")

    @property
    def events(self) -> list[dict[str, Any]]:
        return list(self.data["events"])

    def note_run(self, resumed: bool) -> None:
        self.data["runs"].append({"pid": os.getpid(), "startedAt": self._clock(), "resumed": resumed})
        self.save()

    def end_run(self, exit_code: int, message: str, *, interrupted: bool = False) -> None:
        """Close the current run's entry; a run with no end in the journal was killed."""
        run = self.data["runs"][-1] if self.data["runs"] else {}
        run.update(endedAt=self._clock(), exitCode=exit_code, outcome=message)
        if interrupted:
            run["interrupted"] = True
        self.save()

    def record(
        self,
        step: str,
        status: str,
        detail: str | None = None,
        smoke: Mapping[str, Any] | None = None,
        preflight: Mapping[str, Any] | None = None,
        traffic: Mapping[str, Any] | None = None,
    ) -> None:
        event: dict[str, Any] = {"at": self._clock(), "phase": self.phase, "step": step, "status": status}
        if detail:
            event["detail"] = detail
        if smoke is not None:
            event["smoke"] = dict(smoke)
        if preflight is not None:
            event["preflight"] = dict(preflight)
        if traffic is not None:
            event["traffic"] = dict(traffic)  # a bake step's window figures and gate decision
        self.data["events"].append(event)
        self.save()

    def completed(self, phase: str) -> set[str]:
        return {e["step"] for e in self.data["events"] if e["phase"] == phase and e["status"] == "succeeded"}

    def last_started(self, phase: str) -> str | None:
        started = [e["step"] for e in self.data["events"] if e["phase"] == phase and e["status"] == "started"]
        return started[-1] if started else None

    def start_rollback(self, failed_step: str, reason: str) -> None:
        self.data.update(phase=ROLLBACK, status=ROLLING_BACK, failedStep=failed_step, failure=reason)
        self.save()

    def finish(self, status: str, note: str | None = None) -> None:
        self.data["status"] = status
        if note:
            self.data["outcome"] = note
        self.save()
