"""The smoke library's error classes.

Every error a user can cause (bad flags, a malformed outputs file, a missing key variable) is a
``SmokeError`` whose message is one sentence saying what to do; it carries exit code 2.
A check that *runs* and fails is not an exception: it is a failed ``CheckResult``.

    SmokeError
     +-- TargetError      outputs / stack / endpoint / deployment selection problems
     +-- AuthConfigError  no usable credential or key variable
     +-- InputError       unreadable prompt, image or mask files; conflicting options

    SmokeInterrupted (a ``lifecycle.interrupts.Interrupted``, so a KeyboardInterrupt): the run was
    stopped by SIGINT/SIGTERM; ``report`` holds the checks that finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lifecycle.interrupts import Interrupted

if TYPE_CHECKING:
    from smoke.results import SmokeReport


class SmokeError(Exception):
    """Base class: a problem with the smoke run's input, reported before any request is sent (exit 2)."""

    exit_code = 2


class TargetError(SmokeError):
    """The targets could not be determined (outputs file, stack, endpoint or deployment names)."""


class AuthConfigError(SmokeError):
    """No usable credential: a missing key variable or an unavailable Entra ID credential."""


class InputError(SmokeError):
    """An input file (prompt, image, mask) or a combination of options is not usable."""


class SmokeInterrupted(Interrupted):
    """SIGINT/SIGTERM stopped ``run_smoke``; ``report`` (marked interrupted) holds what finished."""

    def __init__(self, signum: int, report: SmokeReport) -> None:
        super().__init__(signum)
        self.report = report
