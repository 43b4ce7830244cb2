"""The step machine: runs a plan's steps in order, journals each one, and on failure runs the rollback
the plan prescribes for that step. Resumable: steps already journalled as succeeded are skipped.

Exit codes (the pipeline gates on them):
    0  the rollout succeeded
    1  the rollout failed and was rolled back cleanly: every rollback step succeeded and the stack file is
       byte for byte what it was before (or a preflight blocker stopped it before any change)
    2  usage error, nothing changed (raised before the runner starts)
    3  needs attention: a rollback or clean-up step failed, the stack file differs from before, or the run
       was interrupted; re-run to resume

An unexpected error inside a step (a bug, a file that vanished) is that step's failure, journalled with its
message; it never escapes as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lifecycle import interrupts
from lifecycle.interrupts import as_interrupted
from lifecycle.waits import SILENT, WaitListener
from rollout.backoff import BackoffPolicy, retry_conflicts
from rollout.errors import DriverError, JournalError, UsageError
from rollout.journal import (
    FAILED_BEFORE_CHANGE,
    FORWARD,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    ROLLBACK,
    ROLLED_BACK,
    ROLLING_BACK,
    SUCCEEDED,
    Journal,
)
from rollout.plan import Action, Plan, Step
from rollout.ports import Baker, Driver, Preflight, Smoker, apply
from rollout.stack_file import same_values

EXIT_OK = 0
EXIT_ROLLED_BACK = 1
EXIT_USAGE = 2
EXIT_NEEDS_ATTENTION = 3


@dataclass(frozen=True)
class RolloutResult:
    status: str
    exit_code: int
    message: str


def outputs_mismatches(
    outputs: Mapping[str, Any], expects: Mapping[str, tuple[str, str]], active: str | None
) -> list[str]:
    """How the stack outputs after ``up`` differ from what the step's config deploys (empty when they
    agree); ``expects`` and ``active`` are what the program's reader made of that config."""
    problems = []
    raw = outputs.get("deployments")
    deployed: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    for name, (model, version) in expects.items():
        got = deployed.get(name)
        if not isinstance(got, Mapping):
            problems.append(f"deployment {name} is missing from the stack outputs")
        elif (got.get("model"), str(got.get("version"))) != (model, version):
            problems.append(
                f"deployment {name} runs {got.get('model')}@{got.get('version')}, not {model}@{version}"
            )
    for name in sorted(set(deployed) - set(expects)):
        problems.append(f"deployment {name} is still in the stack outputs")
    if active and "activeDeployment" in outputs and outputs["activeDeployment"] != active:
        problems.append(f"activeDeployment is {outputs['activeDeployment']}, not {active}")
    return problems


def unexpected(exc: Exception) -> str:
    """One line for an error no step expects: its type and message, never a traceback."""
    text = " ".join(str(exc).split()) or "no message"
    return f"unexpected {type(exc).__name__}: {text[:300]}"


ABORT_REASON = "aborted by the operator (--abort)"


def interrupted_result(journal: Journal, step: str | None, exc: BaseException) -> RolloutResult:
    """What an interrupted run says: the signal, the step it stopped in (or after), how to go on."""
    signal_name = as_interrupted(exc).signal_name
    last = journal.events[-1] if journal.events else {}
    where = ""
    if step is not None:
        during = last.get("step") == step and last.get("status") == "interrupted"
        where = f" {'during' if during else 'after'} step '{step}'"
    return RolloutResult(
        journal.status,
        EXIT_NEEDS_ATTENTION,
        f"Interrupted by {signal_name}{where}; run the same command again to resume, "
        "or `imagegate rollout abort` to roll back.",
    )


class Runner:
    def __init__(
        self,
        journal: Journal,
        driver: Driver,
        smoker: Smoker,
        preflight: Preflight,
        *,
        policy: BackoffPolicy | None = None,
        sleep: Callable[[float], None] = interrupts.sleep,
        waits: WaitListener = SILENT,
        log: Callable[[str], None] = print,
        after_step: Callable[[Step], None] | None = None,
        baker: Baker | None = None,
    ) -> None:
        self.journal = journal
        self.plan: Plan = journal.plan
        self.driver = driver
        self.smoker = smoker
        self.preflight = preflight
        self.policy = policy or BackoffPolicy()
        self.sleep = sleep
        self.waits = waits
        self.log = log
        # Called after each journalled step; the seam tests use to stop a run between two steps.
        self.after_step = after_step
        self.current_step: str | None = None  # the step running now (named when the run is interrupted)
        self.baker = baker  # a weighted canary's bake steps (rollout.bake); None for other plans
        self._traffic: dict[str, Any] | None = None  # what the last bake step measured, for its event

    def abort(self) -> None:
        """Switch an interrupted rollout to its rollback (``--abort``); from the rollback phase, go on."""
        if self.journal.phase == ROLLBACK:
            return
        last = self.journal.last_started(FORWARD) or "preflight"
        known = {s.name: s for s in self.plan.steps}
        if last not in known:
            raise JournalError(
                f"The rollout journal {self.journal.path} names a step '{last}' its plan does not have; "
                "see `imagegate rollout status`, put the stack file back from the journal's "
                "plan.originalText if needed, then move the journal away."
            )
        if known[last].cleanup:
            raise UsageError(
                f"The upgrade of stack '{self.plan.stack}' already holds and only clean-up is left; "
                f"re-run `imagegate rollout run` without abort to finish it (journal {self.journal.path})."
            )
        self.journal.start_rollback(last, ABORT_REASON)

    def run(self) -> RolloutResult:
        if self.journal.phase == FORWARD:
            self.journal.finish(IN_PROGRESS)
            result = self._forward()
            if result is not None:
                return result
        self.journal.finish(ROLLING_BACK)
        return self._rollback()

    def _forward(self) -> RolloutResult | None:
        done = self.journal.completed(FORWARD)
        steps = self.plan.steps
        for number, step in enumerate(steps):
            if step.name in done:
                continue
            error = self._execute(step, f"[{number}/{len(steps) - 1}]")
            if error is None:
                continue
            if step.action is Action.PREFLIGHT:
                # The error itself is in the step's FAILED line and the journal: said once, not again here.
                self.journal.finish(FAILED_BEFORE_CHANGE, error)
                return RolloutResult(
                    FAILED_BEFORE_CHANGE,
                    EXIT_ROLLED_BACK,
                    "Preflight blocked the rollout before any change (its findings are above).",
                )
            if step.cleanup:
                note = f"{self.plan.target_label} is live but clean-up step '{step.name}' failed"
                self.journal.finish(NEEDS_ATTENTION, f"{note}: {error}")
                shown = note + " (see above); re-run the command to finish."
                return RolloutResult(NEEDS_ATTENTION, EXIT_NEEDS_ATTENTION, shown)
            self.journal.start_rollback(step.name, error)
            self.log(f"Step '{step.name}' failed; rolling back.")
            return None
        note = f"Stack '{self.plan.stack}' now serves {self.plan.target_label} as {self.plan.active_after}."
        self.journal.finish(SUCCEEDED, note)
        return RolloutResult(SUCCEEDED, EXIT_OK, note)

    def _rollback(self) -> RolloutResult:
        failed = self.journal.failed_step or "preflight"
        steps = self.plan.rollbacks.get(failed, ())
        done = self.journal.completed(ROLLBACK)
        for number, step in enumerate(steps):
            if step.name in done:
                continue
            error = self._execute(step, f"[rollback {number + 1}/{len(steps)}]")
            if error is not None:
                note = (
                    f"Rollback step '{step.name}' failed (see above) after '{failed}' failed; "
                    f"check deployment {self.plan.current.name} by hand, "
                    "then re-run to continue the rollback."
                )
                self.journal.finish(NEEDS_ATTENTION, note.replace("(see above)", f"({error})"))
                return RolloutResult(NEEDS_ATTENTION, EXIT_NEEDS_ATTENTION, note)
        different = self._file_differs()
        if different is not None:
            note = (
                f"Every rollback step after '{failed}' succeeded, but {different}; "
                f"check deployment {self.plan.current.name} and the stack file by hand "
                "(the journal's plan.originalText holds the file as it was), then re-run to continue."
            )
            self.journal.finish(NEEDS_ATTENTION, note)
            return RolloutResult(NEEDS_ATTENTION, EXIT_NEEDS_ATTENTION, note)
        reason = self.journal.data.get("failure")
        # An operator's --abort is not a failure of the step it interrupted.
        what = f"at step '{failed}'" if reason == ABORT_REASON else f"after step '{failed}' failed"
        serves = f"{self.plan.current.name} serves {self.plan.current.model}@{self.plan.current.version}."
        # The failure was printed on the step's FAILED line; the closing line names the step, not the error.
        shown = f" ({reason})" if reason == ABORT_REASON else ""
        self.journal.finish(ROLLED_BACK, f"Rolled back {what} ({reason}); {serves}")
        return RolloutResult(ROLLED_BACK, EXIT_ROLLED_BACK, f"Rolled back {what}{shown}; {serves}")

    def _edited_by_hand(self) -> str | None:
        """Why the next write must not happen: the stack's values are neither the original ones nor those
        of any step of the plan, so someone edited them meanwhile (a rollback would silently undo that)."""
        if self.plan.original_text is None:
            return None  # planned without a file (tests of the step machine): nothing to compare
        try:
            values = self.driver.read_config()
        except DriverError as exc:
            return str(exc)
        steps = [*self.plan.steps, *(s for steps in self.plan.rollbacks.values() for s in steps)]
        known = [self.plan.original, *(s.config for s in steps if s.config is not None)]
        if any(same_values(values, k) for k in known):
            return None
        return (
            "the stack file's imagegate: values were edited during the rollout (they match no step of its "
            "plan), and the rollout does not overwrite an edit: undo it (the journal's plan.originalText "
            "holds the file as it was) and re-run"
        )

    def _file_differs(self) -> str | None:
        """Why the stack file is not byte for byte what it was before the rollout, or None when it is."""
        original = self.plan.original_text
        if original is None:
            return None
        try:
            now = self.driver.read_text()
        except DriverError as exc:
            return f"the stack file cannot be read back ({exc})"
        except Exception as exc:  # noqa: BLE001 - exit 1 is only for a file known to be the same
            return f"the stack file cannot be read back ({unexpected(exc)})"
        return None if now == original else "the stack file differs from before the rollout"

    def _execute(self, step: Step, label: str) -> str | None:
        """Run one step; journal it; return None on success or a one-line reason on failure."""
        self.log(f"{label} {step.name}: {step.description} ...")
        self.journal.record(step.name, "started")
        self.current_step = step.name
        self._traffic = None
        try:
            error, smoke, preflight = self._dispatch(step)
        except Exception as exc:  # noqa: BLE001 - a bug in a step is that step's failure, never a traceback
            error, smoke, preflight = unexpected(exc), None, None
        except KeyboardInterrupt as exc:
            # Truthful: the step began and did not finish; a re-run runs it again from the start.
            self.journal.record(step.name, "interrupted", detail=as_interrupted(exc).signal_name)
            raise
        if error is None:
            skipped = preflight is not None and preflight.get("report", {}).get("skipped")
            self.journal.record(
                step.name,
                "succeeded",
                detail="skipped (--skip-preflight)" if skipped else None,
                smoke=smoke,
                preflight=preflight,
                traffic=self._traffic,
            )
            self.log(f"{label} {step.name}: {'skipped' if skipped else 'ok'}")
            if self._traffic is not None:
                self.log(f"  {self._traffic.get('summary')}")
        else:
            self.journal.record(
                step.name, "failed", detail=error, smoke=smoke, preflight=preflight, traffic=self._traffic
            )
            self.log(f"{label} {step.name}: FAILED - {error}")
        if self.after_step is not None:
            self.after_step(step)
        return error

    def _dispatch(self, step: Step) -> tuple[str | None, dict[str, Any] | None, dict[str, Any] | None]:
        """Run a step: (failure reason or None, smoke outcome, preflight outcome) for the journal."""
        if step.action is Action.PREFLIGHT:
            first_apply = next(s for s in self.plan.steps if s.action is Action.APPLY)
            assert first_apply.config is not None
            verdict = self.preflight.check(first_apply.config, self.plan.stack)
            error = None if verdict.ok else "; ".join(verdict.blockers) or "preflight failed"
            return error, None, verdict.to_dict()
        if step.action is Action.APPLY:
            assert step.config is not None
            config = step.config
            original = self.plan.original_text if step.restore else None
            edited = self._edited_by_hand()
            if edited is not None:
                return edited, None, None

            def on_retry(exc: DriverError, delay: float, attempt: int) -> None:
                self.log(f"  {exc.code}: retrying in {delay:g} s (retry {attempt} of {self.policy.retries})")
                self.journal.record(step.name, "retrying", detail=f"{exc.code}: {exc}")

            def pause(delay: float) -> None:
                why = "409 RequestConflict: another operation on the account is running"
                with self.waits.waiting(f"step {step.name}", why, delay):
                    self.sleep(delay)

            def write_and_up() -> dict[str, Any]:
                if original is not None:
                    # Undoing everything: the file's own bytes, not a render of its values.
                    self.driver.restore_text(original)
                    return self.driver.up()
                return apply(self.driver, config)

            try:
                outputs = retry_conflicts(write_and_up, self.policy, pause, on_retry)
            except DriverError as exc:
                return str(exc), None, None
            if step.expects is None:  # a plan journalled by an imagegate that did not record it
                return None, None, None
            problems = outputs_mismatches(outputs, step.expects, step.active)
            return ("; ".join(problems) if problems else None), None, None
        assert step.deployment is not None
        try:
            outputs = self.driver.outputs()
        except DriverError as exc:
            return str(exc), None, None
        if step.action is Action.BAKE:
            if self.baker is None or step.baseline is None or step.percent is None:
                return "this run has no traffic gate for a bake step", None, None
            baked = self.baker.bake(outputs, step.deployment, step.baseline, step.percent)
            self._traffic = {**dict(baked.detail), "summary": baked.summary}
            return (None if baked.passed else baked.summary), None, None
        if step.region is not None:
            from rollout.bake import regional_outputs

            names = [step.deployment, *([step.baseline] if step.baseline else [])]
            outputs = regional_outputs(outputs, step.region, *names)
        outcome = self.smoker.smoke(outputs, step.deployment, baseline=step.baseline)
        error = None if outcome.passed else f"smoke failed on {step.deployment}: {outcome.summary}"
        return error, outcome.to_dict(), None
