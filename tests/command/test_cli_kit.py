"""The command-line kit as a user meets it: one variable per shared option (the old spelling still works,
with a warning naming the new one; a flag beats both), and one mapping from errors to exit codes for every
command, under `imagegate` and the `smoke` console script alike."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog import CatalogError
from emulator.control import ControlError
from emulator.errors import ConfigError as EmulatorConfigError
from emulator.testing import EmulatorStartError
from engine.errors import ArmError, EngineError, EngineUsageError
from imagegate.cli import cli, main, smoke_main
from infra.errors import ConfigError, InfraError, StackFileError
from preflight.errors import AzureQueryError, PreflightError
from rollout.errors import DriverError, JournalError, LockedError, RolloutError, UsageError
from smoke.errors import AuthConfigError, InputError, SmokeError, TargetError
from tests.smoke.fakes import outputs_doc

ROOT = Path(__file__).resolve().parents[2]
KIT_VARIABLES = (
    "IMAGEGATE_CA_BUNDLE", "SMOKE_CA_BUNDLE", "IMAGEGATE_AUTH", "SMOKE_AUTH",
    "IMAGEGATE_SCOPE", "SMOKE_SCOPE",
    "AZURE_SUBSCRIPTION_ID", "IMAGEGATE_SUBSCRIPTION_ID", "IMAGEGATE_CHECK_TIMEOUT", "SMOKE_CHECK_TIMEOUT",
    "IMAGEGATE_NOT_FOUND_WAIT", "IMAGEGATE_RPM_PER_CAPACITY_UNIT", "SMOKE_RPM_PER_CAPACITY_UNIT",
    "IMAGEGATE_ARM_ENDPOINT", "IMAGEGATE_CATALOG", "SMOKE_TEST_KEY",
)


def warning(old: str, new: str) -> str:
    return f"warning: {old} is deprecated; set {new} instead (the old name goes in the next release).\n"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(outputs_doc()))
    env_ca, flag_ca = tmp_path / "env-ca.pem", tmp_path / "flag-ca.pem"
    env_ca.write_text("not a certificate\n")
    flag_ca.write_text("not a certificate either\n")
    return {"outputs": outputs, "env_ca": env_ca, "flag_ca": flag_ca}


def not_pem(path: Path) -> str:
    return f"Error: Cannot load the CA bundle '{path}'; pass a readable PEM file.\n"


# (environment, extra flags, stderr) for `imagegate smoke run --outputs FILE --auth key`, which stops with
# one sentence before any request: what it names shows which value won.
CA_BUNDLE_CASES = {
    "new variable": ({"IMAGEGATE_CA_BUNDLE": "{env_ca}"}, [], not_pem(Path("{env_ca}"))),
    "old variable, with a warning": (
        {"SMOKE_CA_BUNDLE": "{env_ca}"},
        [],
        warning("SMOKE_CA_BUNDLE", "IMAGEGATE_CA_BUNDLE") + not_pem(Path("{env_ca}")),
    ),
    "the new one beats the old, silently": (
        {"IMAGEGATE_CA_BUNDLE": "{flag_ca}", "SMOKE_CA_BUNDLE": "{env_ca}"},
        [],
        not_pem(Path("{flag_ca}")),
    ),
    "the flag beats the variable": (
        {"IMAGEGATE_CA_BUNDLE": "{env_ca}"}, ["--ca-bundle", "{flag_ca}"], not_pem(Path("{flag_ca}"))
    ),
    "the flag beats the old variable, with no warning": (
        {"SMOKE_CA_BUNDLE": "{env_ca}"}, ["--ca-bundle", "{flag_ca}"], not_pem(Path("{flag_ca}"))
    ),
}


@pytest.mark.parametrize("case", list(CA_BUNDLE_CASES))
def test_the_ca_bundle_variable_new_old_and_flag(files: dict[str, Path], case: str) -> None:
    env, flags, expected = CA_BUNDLE_CASES[case]
    fill = {k: str(v) for k, v in files.items()}
    result = CliRunner().invoke(
        cli,
        ["smoke", "run", "--outputs", fill["outputs"], "--auth", "key", *(f.format(**fill) for f in flags)],
        env={**{k: v.format(**fill) for k, v in env.items()}, "AZURE_OPENAI_API_KEY": "k"},
    )
    assert (result.exit_code, result.stderr) == (2, expected.format(**fill))


NO_KEY = "Error: The API key variable $SMOKE_TEST_KEY is not set or empty; export it or use Entra ID auth.\n"
AUTH_CASES = {
    "new variable": ({"IMAGEGATE_AUTH": "key"}, [], NO_KEY),
    "old variable, with a warning": (
        {"SMOKE_AUTH": "key"}, [], warning("SMOKE_AUTH", "IMAGEGATE_AUTH") + NO_KEY
    ),
    "the flag beats the variable": ({"IMAGEGATE_AUTH": "emulator"}, ["--auth", "key"], NO_KEY),
    "a bad value names the new variable": (
        {"SMOKE_AUTH": "password"},
        [],
        warning("SMOKE_AUTH", "IMAGEGATE_AUTH")
        + "Usage: imagegate smoke run [OPTIONS]\nTry 'imagegate smoke run --help' for help.\n\n"
        "Error: Invalid value for '--auth' (env var: 'IMAGEGATE_AUTH'): 'password' is not one of 'entra', "
        "'key', 'emulator'.\n",
    ),
}


@pytest.mark.parametrize("case", list(AUTH_CASES))
def test_the_auth_variable_new_old_and_flag(files: dict[str, Path], case: str) -> None:
    env, flags, expected = AUTH_CASES[case]
    result = CliRunner().invoke(
        cli, ["smoke", "run", "--outputs", str(files["outputs"]), "--api-key-env", "SMOKE_TEST_KEY", *flags],
        env=env, prog_name="imagegate",
    )
    assert (result.exit_code, result.stderr) == (2, expected)


SAY_WHAT = "Error: Say what to check: --stack NAME, --outputs FILE, or --endpoint URL --deployment NAME.\n"
BAD_BUDGET = (
    "Usage: imagegate smoke run [OPTIONS]\nTry 'imagegate smoke run --help' for help.\n\n"
    "Error: Invalid value for '--check-timeout' (env var: 'IMAGEGATE_CHECK_TIMEOUT'): 0.0 is not in the "
    "range x>=1.\n"
)
BUDGET_CASES = {
    "new variable is read": ({"IMAGEGATE_CHECK_TIMEOUT": "0"}, [], BAD_BUDGET),
    "old variable is read, with a warning": (
        {"SMOKE_CHECK_TIMEOUT": "0"},
        [],
        warning("SMOKE_CHECK_TIMEOUT", "IMAGEGATE_CHECK_TIMEOUT") + BAD_BUDGET,
    ),
    "the flag beats the variable": ({"IMAGEGATE_CHECK_TIMEOUT": "0"}, ["--check-timeout", "5"], SAY_WHAT),
    "the flag beats the old variable": ({"SMOKE_CHECK_TIMEOUT": "0"}, ["--check-timeout", "5"], SAY_WHAT),
}


@pytest.mark.parametrize("case", list(BUDGET_CASES))
def test_the_check_timeout_variable_new_old_and_flag(case: str) -> None:
    env, flags, expected = BUDGET_CASES[case]
    result = CliRunner().invoke(cli, ["smoke", "run", *flags], env=env, prog_name="imagegate")
    assert (result.exit_code, result.stderr) == (2, expected)


# Every renamed variable, through the command that takes it: what value the command receives and what it
# says on stderr. (words, option's parameter, new name, old name, value, the value the command receives)
RENAMED_CASES = [
    (("smoke", "run"), "ca_bundle", "IMAGEGATE_CA_BUNDLE", "SMOKE_CA_BUNDLE", "{ca}", Path("{ca}")),
    (("preflight",), "ca_bundle", "IMAGEGATE_CA_BUNDLE", "SMOKE_CA_BUNDLE", "{ca}", Path("{ca}")),
    (("local", "up"), "ca_bundle", "IMAGEGATE_CA_BUNDLE", "SMOKE_CA_BUNDLE", "{ca}", Path("{ca}")),
    (("preflight",), "subscription_id", "AZURE_SUBSCRIPTION_ID", "IMAGEGATE_SUBSCRIPTION_ID", "s-1", "s-1"),
    (("local", "up"), "subscription_id", "AZURE_SUBSCRIPTION_ID", "IMAGEGATE_SUBSCRIPTION_ID", "s-1", "s-1"),
    (("rollout", "run"), "subscription_id", "AZURE_SUBSCRIPTION_ID", "IMAGEGATE_SUBSCRIPTION_ID", "s", "s"),
    (("smoke", "run"), "auth", "IMAGEGATE_AUTH", "SMOKE_AUTH", "emulator", "emulator"),
    (("rollout", "run"), "auth", "IMAGEGATE_AUTH", "SMOKE_AUTH", "key", "key"),
    (("smoke", "run"), "scope", "IMAGEGATE_SCOPE", "SMOKE_SCOPE", "api://x/.default", "api://x/.default"),
    (("smoke", "run"), "check_timeout", "IMAGEGATE_CHECK_TIMEOUT", "SMOKE_CHECK_TIMEOUT", "30", 30.0),
    (("rollout", "run"), "check_timeout", "IMAGEGATE_CHECK_TIMEOUT", "SMOKE_CHECK_TIMEOUT", "30", 30.0),
    (
        ("smoke", "run"), "rpm_per_capacity_unit", "IMAGEGATE_RPM_PER_CAPACITY_UNIT",
        "SMOKE_RPM_PER_CAPACITY_UNIT", "60", 60.0,
    ),
]


def _command(words: tuple[str, ...]):
    import click

    command: click.Command = cli
    for word in words:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), word)
        assert found is not None
        command = found
    return command


def _parsed(words: tuple[str, ...], args: list[str]) -> dict:
    """The values click hands the command, parsed from ``args`` and the environment as a run would."""
    command = _command(words)
    required = ["--arm-endpoint", "https://127.0.0.1:9/"] if words == ("local", "up") else []
    with command.make_context(" ".join(words), [*required, *args]) as ctx:
        return dict(ctx.params)


@pytest.mark.parametrize("spelling", ["new", "old", "flag"])
@pytest.mark.parametrize(
    "words, param, new, old, value, received",
    RENAMED_CASES,
    ids=[f"{c[3]} {' '.join(c[0])}" for c in RENAMED_CASES],
)
def test_every_renamed_variable_new_old_and_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    words: tuple[str, ...], param: str, new: str, old: str, value: str, received: object, spelling: str,
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("pem\n")
    value = value.format(ca=ca)
    received = Path(str(received).format(ca=ca)) if isinstance(received, Path) else received
    flag = "--" + param.replace("_", "-")
    if spelling == "flag":
        monkeypatch.setenv(old, "ignored" if param != "ca_bundle" else str(ca) + ".missing")
        params = _parsed(words, [flag, value])
    else:
        monkeypatch.setenv(new if spelling == "new" else old, value)
        params = _parsed(words, [])
    assert params[param] == received
    assert capsys.readouterr().err == (warning(old, new) if spelling == "old" else "")


@pytest.mark.parametrize(
    "flags, env, deadline, not_found",
    [
        ([], {}, 720.0, 0.0),
        (["--check-timeout", "90", "--not-found-wait", "30"], {}, 90.0, 30.0),
        ([], {"IMAGEGATE_CHECK_TIMEOUT": "60", "IMAGEGATE_NOT_FOUND_WAIT": "5"}, 60.0, 5.0),
        (["--check-timeout", "45"], {"SMOKE_CHECK_TIMEOUT": "60"}, 45.0, 0.0),
    ],
)
def test_rollout_run_hands_its_time_budgets_to_the_smoke_steps(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: list[str], env: dict[str, str], deadline: float,
    not_found: float,
) -> None:
    import rollout.execute

    seen = []
    monkeypatch.setattr(rollout.execute, "run_rollout", lambda request: seen.append(request) or 0)
    result = CliRunner().invoke(
        cli, ["rollout", "run", "--stack", "dev", "--to", "gpt-image-1.5@2026-03-10", "--auth", "emulator",
              *flags], env=env,
    )
    assert result.exit_code == 0, result.output
    # The smoke gate the rollout builds from that request: smoke's own retry policy, with these budgets.
    retry = rollout.execute._smoker(seen[0]).options.retry
    assert (retry.deadline_s, retry.not_found_wait_s) == (deadline, not_found)


# --- one mapping from errors to exit codes -------------------------------------------------------------

ERRORS = [
    (SmokeError("smoke says no."), 2),
    (TargetError("no such deployment."), 2),
    (AuthConfigError("no key."), 2),
    (InputError("bad prompt file."), 2),
    (PreflightError("preflight says no."), 2),
    (AzureQueryError("ARM could not be asked."), 2),
    (RolloutError("rollout says no."), 2),
    (UsageError("name the stack."), 2),
    (LockedError("another rollout holds the lock."), 2),
    (JournalError("the journal is unreadable."), 3),
    (DriverError("up failed."), 3),
    (EngineError("the engine failed."), 1),
    (EngineUsageError("bad engine input."), 2),
    (ArmError(409, "Conflict", "busy", "Deployment d"), 1),
    (InfraError("infra says no."), 2),
    (StackFileError("no Pulumi.qa.yaml."), 2),
    (ConfigError(["imagegate:location: (missing) is required"], "qa"), 2),
    (CatalogError("the catalog is malformed."), 2),
    (EmulatorConfigError("the emulator config is wrong."), 2),
    (EmulatorStartError("the emulator did not start."), 2),
    (ControlError("no emulator at .emulator."), 2),
]


def _raise(exc: BaseException):
    def raiser(*args: object, **kwargs: object):
        raise exc

    return raiser


# A function each command calls first, where an error or a Ctrl-C can come from; the words that run it.
COMMANDS = {
    "preflight": ("infra.config", "resolve_stack_file", ["preflight", "--stack", "qa"]),
    "rollout plan": ("rollout.execute", "_stack_and_config", ["rollout", "plan", "--stack", "qa"]),
    "rollout status": ("rollout.execute", "_stack_and_config", ["rollout", "status", "--stack", "qa"]),
    "local up": ("engine.cli", "resolve_stack", ["local", "up", "--stack", "qa", "--arm-endpoint", "https://x/"]),
    "demo": ("engine.demo", "run_demo", ["demo"]),
    "emulator reset": ("emulator.commands", "_control", ["emulator", "reset"]),
    "emulator serve": ("emulator.cli", "serve_command", ["emulator", "serve"]),
    "smoke run": ("smoke.cli", "_targets", ["smoke", "run", "--outputs", "o.json"]),
}


@pytest.mark.parametrize("error, code", ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_error_class_has_one_exit_code_under_every_command(
    monkeypatch: pytest.MonkeyPatch, command: str, error: Exception, code: int
) -> None:
    module, name, words = COMMANDS[command]
    monkeypatch.setattr(sys.modules[module] if module in sys.modules else __import__(module, fromlist=["_"]),
                        name, _raise(error))
    result = CliRunner().invoke(cli, words)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", f"Error: {error}\n")


@pytest.mark.parametrize("error, code", ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
def test_the_smoke_console_script_maps_errors_the_same_way(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception, code: int
) -> None:
    import smoke.cli

    monkeypatch.setattr(smoke.cli, "_targets", _raise(error))
    assert smoke_main(["run", "--outputs", "o.json"]) == code
    assert capsys.readouterr().err == f"Error: {error}\n"


def test_an_error_of_no_package_is_a_bug_and_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import infra.config

    monkeypatch.setattr(infra.config, "resolve_stack_file", _raise(ValueError("a bug")))
    with pytest.raises(ValueError, match="a bug"):
        main(["preflight", "--stack", "qa"])


def test_a_rollout_says_an_unexpected_error_in_one_sentence_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    import rollout.execute

    monkeypatch.setattr(rollout.execute, "_stack_and_config", _raise(ValueError("a bug")))
    result = CliRunner().invoke(cli, ["rollout", "plan", "--stack", "qa"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", "Error: unexpected ValueError: a bug before the rollout began; nothing was changed.\n"
    )


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ctrl_c_is_130_under_every_command(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    from lifecycle import interrupts

    # The commands that own slow teardowns leave with os._exit after their own message; in-process that
    # would end the test run, so here it leaves as SystemExit with the same code.
    monkeypatch.setattr(interrupts, "exit_now", lambda code: sys.exit(code))
    module, name, words = COMMANDS[command]
    monkeypatch.setattr(__import__(module, fromlist=["_"]), name, _raise(KeyboardInterrupt()))
    result = CliRunner().invoke(cli, words)
    interrupts.reset()
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "program",
    [
        [sys.executable, "-m", "imagegate", "preflight"],
        [sys.executable, str(ROOT / "scripts" / "preflight.py")],
        [sys.executable, str(ROOT / "scripts" / "rollout.py"), "--dry-run"],
    ],
    ids=["imagegate preflight", "scripts/preflight.py", "scripts/rollout.py --dry-run"],
)
def test_the_shims_end_in_the_same_place(tmp_path: Path, program: list[str]) -> None:
    import subprocess

    done = subprocess.run(
        [*program, "--stack", "qa"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    note = (
        "note: `rollout.py --dry-run` is now `imagegate rollout plan`; "
        "the old spelling goes in the next release.\n"
    )
    expected = "Error: Pulumi.qa.yaml does not exist; run from the project folder or pass --config FILE.\n"
    assert done.returncode == 2
    assert done.stderr.removeprefix(note) == expected
