"""``imagegate fleet run``: the fleet plan against the emulator, for local and test use (GitHub Actions is
the scheduler in production). Waves in order; the stacks of a wave concurrently, up to the wave's
``maxParallel`` (capped by ``--max-parallel``), each with the real ``imagegate rollout run`` and then
``imagegate smoke run`` as child processes; the next wave starts only when every stack of this one
succeeded. Each stack's files go where the workflow's artifacts go (``<out>/fleet-stack-<stack>/``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from fleet.plan import FleetPlan, StackPlan, WavePlan
from fleet.summary import EXIT_CODE_FILE, ROLLOUT_JSON, SMOKE_JSON, artifact_name
from lifecycle import children

EXIT_INTERRUPTED = 130
JOB_SUMMARY = "job-summary.md"


@dataclass(frozen=True)
class RunSettings:
    project: Path
    out: Path
    max_parallel: int | None
    rollout_args: tuple[str, ...]
    smoke_args: tuple[str, ...]
    env: Mapping[str, str]
    say: Callable[[str], None]


@dataclass(frozen=True)
class StackResult:
    stack: str
    rollout_exit: int
    smoke_exit: int | None

    @property
    def ok(self) -> bool:
        return self.rollout_exit == 0 and self.smoke_exit in (0, None)


@dataclass(frozen=True)
class FleetResult:
    results: tuple[StackResult, ...]
    waves_run: tuple[str, ...]
    stopped_before: str | None
    interrupted: bool

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(r.ok for r in self.results) and self.stopped_before is None


def _imagegate(*words: str) -> list[str]:
    # -P: the project folder (the child's cwd) must not shadow the installed packages.
    return [sys.executable, "-P", "-m", "imagegate", *words]


class _Children:
    """The child processes running now, so an interrupt can be passed on to each."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: set[children.ChildProcess] = set()
        self.stopping = threading.Event()

    def run(self, command: Sequence[str], log: Path, cwd: Path, env: Mapping[str, str]) -> int:
        if self.stopping.is_set():
            return EXIT_INTERRUPTED
        with open(log, "w", encoding="utf-8") as out:
            process = children.spawn(
                command, cwd=cwd, env=dict(env), stdout=out, stderr=out, stdin=subprocess.DEVNULL
            )
            with self.lock:
                self.running.add(process)
            try:
                return process.wait()
            finally:
                with self.lock:
                    self.running.discard(process)

    def interrupt(self) -> None:
        """SIGINT each child's group: a rollout journals the interruption and exits 3."""
        self.stopping.set()
        with self.lock:
            for process in self.running:
                try:
                    os.killpg(process.pid, signal.SIGINT)
                except (ProcessLookupError, PermissionError):
                    pass


def run_stack(stack: StackPlan, settings: RunSettings, kids: _Children) -> StackResult:
    """One stack: the rollout, its exit code, the stack file it left, then smoke on what it serves."""
    folder = settings.out / artifact_name(stack.stack)
    folder.mkdir(parents=True, exist_ok=True)
    stack_file = settings.project / f"Pulumi.{stack.stack}.yaml"
    # Each stack's commands write their own job summary, as each job of the workflow has its own page.
    env = {**settings.env, "GITHUB_STEP_SUMMARY": str(folder / JOB_SUMMARY)}
    rollout = _imagegate(
        "rollout",
        "run",
        "--config",
        str(stack_file),
        "--to",
        str(stack.target),
        "--json",
        str(folder / ROLLOUT_JSON),
        *settings.rollout_args,
    )
    code = kids.run(rollout, folder / "rollout.log", settings.project, env)
    (folder / EXIT_CODE_FILE).write_text(f"{code}\n", encoding="utf-8")
    shutil.copyfile(stack_file, folder / stack_file.name)
    smoke_code = None
    if not kids.stopping.is_set():
        # The local engine's outputs of the stack (docs/emulator.md): what it serves now.
        outputs = settings.project / ".imagegate" / stack.stack / "outputs.json"
        smoke = _imagegate(
            "smoke",
            "run",
            "--outputs",
            str(outputs),
            "--json",
            str(folder / SMOKE_JSON),
            *settings.smoke_args,
        )
        smoke_code = kids.run(smoke, folder / "smoke.log", settings.project, env)
    result = StackResult(stack.stack, code, smoke_code)
    settings.say(
        f"  {stack.stack}: rollout exit {code}"
        + (f", smoke exit {smoke_code}" if smoke_code is not None else "")
        + (" - ok" if result.ok else " - FAILED")
    )
    return result


def run_wave(wave: WavePlan, settings: RunSettings, kids: _Children) -> list[StackResult]:
    width = min(wave.max_parallel, settings.max_parallel or wave.max_parallel)
    stacks = wave.to_roll
    settings.say(f"wave {wave.index} '{wave.name}': {len(stacks)} stack(s), up to {width} at a time")
    results: list[StackResult] = []
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix=f"fleet-{wave.name}") as pool:
        pending: set[Future[StackResult]] = {pool.submit(run_stack, s, settings, kids) for s in stacks}
        try:
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                results.extend(f.result() for f in done)
        except KeyboardInterrupt:
            kids.interrupt()
            for future in pending:
                future.cancel()
            results.extend(f.result() for f in pending if not f.cancelled())
            raise
    return sorted(results, key=lambda r: [s.stack for s in stacks].index(r.stack))


def run_fleet(plan: FleetPlan, settings: RunSettings) -> FleetResult:
    """Every wave in order until one has a failing stack; an interrupt stops the running children."""
    kids = _Children()
    results: list[StackResult] = []
    waves_run: list[str] = []
    for position, wave in enumerate(plan.waves):
        try:
            wave_results = run_wave(wave, settings, kids)
        except KeyboardInterrupt:
            return FleetResult(tuple(results), tuple(waves_run), None, True)
        results.extend(wave_results)
        waves_run.append(wave.name)
        failed = [r.stack for r in wave_results if not r.ok]
        later = plan.waves[position + 1 :]
        if failed and later:
            settings.say(
                f"wave '{wave.name}' failed ({', '.join(failed)}): wave '{later[0].name}' and "
                "later ones are not started."
            )
            return FleetResult(tuple(results), tuple(waves_run), later[0].name, False)
    return FleetResult(tuple(results), tuple(waves_run), None, False)
