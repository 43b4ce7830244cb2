"""Watching real processes from a test: lines as events, children and process groups through /proc.

Every wait is bounded and polls an observable fact (a line printed, a pid gone, a socket open); no sleeps
stand in for events.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO


class Lines:
    """A process's output read on a thread, so a test can wait for a line with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no such line within the timeout; seen:\n" + "".join(self.seen))
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("the stream ended first; seen:\n" + "".join(self.seen))
            self.seen.append(line)
            if wanted(line):
                return line

    def rest(self, timeout: float = 30.0) -> str:
        """Everything until the stream ends."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
        return "".join(self.seen)


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def group_members(pgid: int) -> list[int]:
    """Live processes whose process group is ``pgid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_until(fact: Callable[[], object], timeout: float = 30.0, what: str = "the condition") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fact()
        if value:
            return value
        time.sleep(0.05)  # polling an OS fact that has no event to wait on
    raise AssertionError(f"{what} did not happen within {timeout:g} s")


def child_running(pid: int, needle: str, timeout: float = 60.0) -> int:
    """The pid of ``pid``'s child whose command line contains ``needle``, once it exists."""

    def find() -> int | None:
        return next((c for c in children_of(pid) if needle in cmdline(c)), None)

    return int(wait_until(find, timeout, f"a child running {needle!r}"))  # type: ignore[arg-type]


def connected_to(pid: int, port: int) -> bool:
    """True when ``pid`` holds an established TCP connection to 127.0.0.1:``port``."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return False
    want = f"0100007F:{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == want and fields[3] == "01" and fields[9] in inodes:
            return True
    return False


def start(command: list[str], **kw: object) -> subprocess.Popen[str]:
    """A process in its own session (as a terminal would run it), output piped as text."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **kw.pop("env", {})},  # type: ignore[dict-item]
        **kw,
    )


def cleanup(proc: subprocess.Popen[str]) -> None:
    """Whatever a failed test left: the process's whole session group."""
    for pid in group_members(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)
