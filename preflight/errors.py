"""The preflight package's errors, one tree:

PreflightError
└── AzureQueryError   ARM could not be asked (auth, network, an unexpected answer)
"""

from __future__ import annotations


class PreflightError(Exception):
    """Base class for every error the preflight package raises on purpose."""


class AzureQueryError(PreflightError):
    """A read-only ARM query failed; the message says which and what to do."""
