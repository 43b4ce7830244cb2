"""The admin token's rules in process (emulator/admintoken.py), so the mutation run can judge them: which
binds are loopback, which token files are accepted (with the exact sentence for the others) and where a
token comes from. The same rules are driven through a real process in test_admin_token.py."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from emulator.admintoken import ENV_VAR, FILE_NAME, is_loopback_bind, provide_token, read_token_file
from emulator.errors import ConfigError


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "[::1]", "localhost", "LocalHost"]
)
def test_loopback_binds(host: str) -> None:
    assert is_loopback_bind(host) is True


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "[::]", "128.0.0.1", "192.168.1.10", "emulator.example.com", "", "localhost."]
)
def test_binds_reachable_from_elsewhere(host: str) -> None:
    assert is_loopback_bind(host) is False


def test_a_token_file_is_read_stripped(tmp_path: Path) -> None:
    path = tmp_path / "t"
    path.write_text("  0123456789abcdef\n", encoding="utf-8")
    assert read_token_file(path) == "0123456789abcdef"


@pytest.mark.parametrize("token", ["0123456789abcde", "0123456789 abcdef", "0123456789abcdef\x01", "\n"])
def test_a_short_spaced_or_unprintable_token_is_refused(tmp_path: Path, token: str) -> None:
    path = tmp_path / "t"
    path.write_text(token, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_token_file(path)
    assert caught.value.message == (
        f"The admin token in {path} must be at least 16 printable characters with no spaces."
    )


@pytest.mark.parametrize("content", [None, b"\xff\xfe0123456789abcdef"])
def test_an_unreadable_token_file_is_refused(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "t"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_token_file(path)
    assert caught.value.message == f"Cannot read the admin token file {path}; give a readable text file."


def test_a_given_file_is_used_as_it_is(tmp_path: Path) -> None:
    given = tmp_path / "given"
    given.write_text("given-token-0123456789\n", encoding="utf-8")
    assert provide_token(tmp_path / "state", given) == ("given-token-0123456789", given)
    assert not (tmp_path / "state").exists()


def test_the_environment_token_is_written_0600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "env-token-0123456789")
    folder = tmp_path / "new" / "state"
    token, path = provide_token(folder, None)
    assert (token, path) == ("env-token-0123456789", folder / FILE_NAME)
    assert path.read_text(encoding="utf-8") == "env-token-0123456789\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_without_one_a_new_token_is_made_each_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / FILE_NAME).write_text("an older and much longer token than the new one will be\n")
    first, path = provide_token(tmp_path, None)
    assert len(first) >= 32 and path.read_text(encoding="utf-8") == first + "\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second, _ = provide_token(tmp_path, None)
    assert second != first and read_token_file(path) == second
