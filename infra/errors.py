"""The infra package's errors, one tree:

InfraError         exit 2: nothing was changed
├── ConfigError    the stack config has problems (all of them, listed)
└── StackFileError --stack / --config do not name a stack config file
"""

from __future__ import annotations


class InfraError(Exception):
    """Base class for every error the infra package raises on purpose."""

    exit_code = 2


class ConfigError(InfraError):
    """The stack config is invalid; ``problems`` holds one sentence per problem."""

    def __init__(self, problems: list[str], stack: str = "", source: str = "") -> None:
        self.problems = list(problems)
        self.stack = stack
        # The file the user edits; by default the stack's own Pulumi.<stack>.yaml.
        self.source = source or f"Pulumi.{stack or '<stack>'}.yaml"
        where = f"stack '{stack}'" if stack else "the stack"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(
            f"The imagegate config of {where} has {count} problem{'s' if count != 1 else ''}; "
            f"fix them in {self.source}:\n{lines}"
        )


class StackFileError(InfraError):
    """``--stack`` / ``--config`` name no readable ``Pulumi.<stack>.yaml``; the message says which to give."""
