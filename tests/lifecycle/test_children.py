"""Children that cannot outlive their parent: real processes, real signals, checked through /proc."""

from __future__ import annotations

import os
import signal
import sys
import textwrap

from lifecycle import children
from tests.lifecycle.procs import Lines, alive, cleanup, group_members, start, wait_until

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(120)"]


def parent_script(body: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(body)]


def test_a_child_dies_with_its_parent_even_when_the_parent_is_sigkilled() -> None:
    parent = start(
        parent_script(
            f"""
            import sys, time
            from lifecycle import children
            child = children.spawn({SLEEPER!r}, stdout=sys.stdout)
            print("child", child.pid, flush=True)
            time.sleep(120)
            """
        )
    )
    try:
        lines = Lines(parent.stdout)
        child = int(lines.wait_for(lambda line: line.startswith("child ")).split()[1])
        lines.wait_for(lambda line: line == "up\n")
        assert os.getpgid(child) == child != os.getpgid(parent.pid)  # its own group: no terminal Ctrl-C
        parent.send_signal(signal.SIGKILL)  # no handler of the parent's runs
        parent.wait(timeout=10)
        wait_until(lambda: not alive(child), 10, "the child's exit after its parent was killed")
    finally:
        cleanup(parent)


def test_stop_ends_the_whole_group_grandchildren_included() -> None:
    script = (
        f"import subprocess; p = subprocess.Popen({SLEEPER!r}); "
        "print('grandchild', p.pid, flush=True); p.wait()"
    )
    child = children.spawn([sys.executable, "-c", script], stdout=-1, text=True)
    try:
        lines = Lines(child.stdout)
        grandchild = int(lines.wait_for(lambda line: line.startswith("grandchild ")).split()[1])
        lines.wait_for(lambda line: line == "up\n")
        assert set(group_members(child.pid)) == {child.pid, grandchild}
        assert children.stop(child, grace_s=2) == -signal.SIGTERM
        wait_until(lambda: not alive(grandchild), 10, "the grandchild's exit")
        assert group_members(child.pid) == []
    finally:
        children.stop(child, grace_s=0.1)


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('up', flush=True); time.sleep(60)"
    )
    child = children.spawn([sys.executable, "-c", stubborn], stdout=-1, text=True)
    Lines(child.stdout).wait_for(lambda line: line == "up\n")
    assert children.stop(child, grace_s=0.2) == -signal.SIGKILL


def test_run_streams_lines_and_returns_what_subprocess_run_would() -> None:
    seen: list[tuple[str, str]] = []
    script = "import sys; print('out 1'); print('err 1', file=sys.stderr); print('out 2'); sys.exit(3)"
    done = children.run(
        [sys.executable, "-c", script], timeout_s=30, on_line=lambda name, line: seen.append((name, line))
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, "out 1\nout 2\n", "err 1\n")
    assert sorted(seen) == [("stderr", "err 1"), ("stdout", "out 1"), ("stdout", "out 2")]
