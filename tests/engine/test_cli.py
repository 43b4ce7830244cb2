"""`imagegate local up`'s usage errors: exit 2 and one clear message, before any ARM call."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagegate.cli import main as imagegate_main

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    return imagegate_main(["local", "up", *argv])


@pytest.fixture(autouse=True)
def no_engine_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("IMAGEGATE_ARM_ENDPOINT", "IMAGEGATE_CA_BUNDLE", "IMAGEGATE_SUBSCRIPTION_ID"):
        monkeypatch.delenv(name, raising=False)


def test_without_an_arm_endpoint_it_says_which_option_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev"]) == 2
    assert "Missing option '--arm-endpoint'" in capsys.readouterr().err


def test_a_missing_config_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--stack", "qa", "--arm-endpoint", "https://127.0.0.1:9/"]) == 2
    assert capsys.readouterr().err == (
        "Error: Pulumi.qa.yaml does not exist; run from the project folder or pass --config FILE.\n"
    )


def test_an_invalid_config_lists_its_problems_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    config.write_text(text.replace("model: gpt-image-1.5", "model: dall-e-9"))
    # Port 9 (discard) is never the emulator: a config error must stop the run before any request.
    assert main(["--config", str(config), "--arm-endpoint", "https://127.0.0.1:9/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: The imagegate config of stack 'dev' has 1 problem")
    assert "dall-e-9" in err


def test_a_missing_config_path_says_to_check_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "Pulumi.qa.yaml"
    assert main(["--config", str(missing), "--arm-endpoint", "https://127.0.0.1:9/"]) == 2
    assert capsys.readouterr().err == f"Error: {missing} does not exist; check the --config path.\n"


def test_a_config_not_named_like_a_stack_file_needs_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(ROOT / "Pulumi.yaml"), "--arm-endpoint", "https://127.0.0.1:9/"]) == 2
    assert capsys.readouterr().err == (
        "Error: Cannot tell the stack from Pulumi.yaml (stack files are Pulumi.<stack>.yaml); "
        "add --stack NAME.\n"
    )


def test_config_errors_name_the_file_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "qa.yaml"
    config.write_text((ROOT / "Pulumi.dev.yaml").read_text().replace("capacity: 2", "capacity: -3"))
    assert main(["--stack", "qa", "--config", str(config), "--arm-endpoint", "https://127.0.0.1:9/"]) == 2
    assert f"stack 'qa' has 1 problem; fix them in {config}:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arm-endpoint", "127.0.0.1:8443"],
         "Error: --arm-endpoint 127.0.0.1:8443 is not a URL; use the url= from the emulator's ready line, "
         "e.g. https://127.0.0.1:8443/.\n"),
        (["--arm-endpoint", "https://127.0.0.1:9/", "--ca-bundle", str(ROOT / "Pulumi.yaml")],
         f"Error: --ca-bundle {ROOT / 'Pulumi.yaml'} holds no CA certificate (SSLError); "
         "pass the ca= file from the emulator's ready line.\n"),
    ],
)
def test_a_bad_endpoint_or_ca_is_a_usage_error(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["--stack", "dev", *args]) == 2
    assert capsys.readouterr().err == message

