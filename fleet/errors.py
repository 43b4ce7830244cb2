"""The fleet package's errors, one tree:

FleetError         the fleet cannot be planned or run as asked (exit 2: nothing was run)
└── FleetInputError the fleet file, a stack file or --to has problems (all of them, listed)
"""

from __future__ import annotations

EXIT_USAGE = 2


class FleetError(Exception):
    """Base class for every error the fleet package raises on purpose; carries its exit code."""

    exit_code = EXIT_USAGE


class FleetInputError(FleetError):
    """Bad input found before anything ran; ``problems`` holds one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"The fleet has {count} problem{'s' if count != 1 else ''}; nothing was run:\n{lines}"
        )
