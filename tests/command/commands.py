"""Every `imagegate` command and group, as the words a user types (shared by the tests of tests/command)."""

from __future__ import annotations

EVERY_COMMAND = [
    ("smoke",), ("smoke", "run"), ("smoke", "generate"), ("smoke", "edit"),
    ("preflight",),
    ("rollout",), ("rollout", "plan"), ("rollout", "run"), ("rollout", "abort"), ("rollout", "status"),
    ("emulator",), ("emulator", "env"), ("emulator", "reset"), ("emulator", "release"),
    ("emulator", "fault"), ("emulator", "fault", "set"), ("emulator", "fault", "clear"),
    ("emulator", "fault", "list"), ("emulator", "fault", "conflicts"),
    ("local",), ("local", "up"), ("local", "preview"), ("local", "destroy"),
    ("fleet",), ("fleet", "plan"), ("fleet", "run"), ("fleet", "summary"),
    ("demo",),
]
