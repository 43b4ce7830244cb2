"""The rollout package's errors, one tree:

RolloutError          exit 2 unless said otherwise
├── UsageError        bad input or a state that forbids starting: nothing was changed (exit 2)
│   └── LockedError   another rollout for the same stack holds the lock
├── JournalError      the journal file cannot be read or written (exit 3: needs attention)
├── AttentionError    an unexpected error after the journal began: the run needs attention (exit 3)
└── DriverError       a config write, `up` or outputs read failed; ``code`` holds Azure's code when known
                      (exit 3)
    └── PulumiMissingError   the Automation API driver cannot find the Pulumi CLI
"""

from __future__ import annotations


class RolloutError(Exception):
    """Base class for every error the rollout package raises on purpose."""

    exit_code = 2


class UsageError(RolloutError):
    """The command cannot start as asked; the message says what to do instead."""


class LockedError(UsageError):
    """Another rollout for this stack is running."""


class JournalError(RolloutError):
    """The rollout journal is unreadable or cannot be written."""

    exit_code = 3


class AttentionError(RolloutError):
    """Something unexpected stopped the command after the journal began; ``rollout status`` says where."""

    exit_code = 3


class DriverError(RolloutError):
    """Changing or reading the stack failed. ``code`` is the Azure error code found in the output, if any."""

    exit_code = 3

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class PulumiMissingError(DriverError):
    """The Pulumi CLI is not installed or not on PATH."""
