"""The preflight package's errors, one tree:

PreflightError        exit 2: preflight could not judge the stack (nothing was changed)
└── AzureQueryError   ARM could not be asked (auth, network, an unexpected answer)
"""

from __future__ import annotations


class PreflightError(Exception):
    """Base class for every error the preflight package raises on purpose."""

    exit_code = 2


class AzureQueryError(PreflightError):
    """A read-only ARM query failed; the message says which and what to do."""
