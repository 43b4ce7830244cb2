"""execute_run picks the terminal output by whether the streams are TTYs, writes every report asked
for, and maps the verdict to the exit code (run_smoke replaced by a replay of a fixed report)."""

import io
import json

import pytest

from smoke import run_command
from smoke.auth import ApiKeyAuth
from smoke.request import ReportPaths
from smoke.runner import ProgressEvent, SmokeOptions
from tests.smoke.fakes import KEY
from tests.smoke.test_reports import REPORT


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.fixture
def replay(monkeypatch):
    def fake_run_smoke(targets, options, *, on_event, waits):
        for check in REPORT.checks:
            on_event(ProgressEvent(check.target, check.check, "start"))
            on_event(ProgressEvent(check.target, check.check, "done", result=check))
        return REPORT

    monkeypatch.setattr(run_command, "run_smoke", fake_run_smoke)


def execute(tty: bool, **kw):
    out, err = Stream(tty), Stream(tty)
    targets = [REPORT.checks[0].target]
    reports = ReportPaths(**kw)
    code = run_command.execute_run(targets, SmokeOptions(auth=ApiKeyAuth(KEY, "K")), reports, out, err)
    return code, out.getvalue(), err.getvalue()


def test_plain_lines_and_a_plain_table_when_not_a_tty(replay):
    code, out, err = execute(tty=False)
    assert code == 1
    assert err.splitlines()[:2] == [
        "smoke run: 1 deployment(s) x 3 check(s) (generate, edit, keyless); each check may take up to 720 s, "
        "retries included (one that sees only failures stops after 60 s)",
        "[prod/gpt-image] generate: passed (1.23s, 1 attempt(s))",
    ]
    assert out.splitlines()[-1] == "FAILED: 3 checks, 1 passed, 1 failed, 1 skipped"
    assert "\x1b[" not in out + err and "┃" not in out


def test_a_live_display_and_a_rich_table_on_a_terminal(replay):
    code, out, err = execute(tty=True)
    assert code == 1
    assert "imagegate smoke summary" in out and "┃" in out  # rich's table, not the plain one
    assert "[prod/gpt-image] generate: passed" not in err  # the live table replaces the plain lines


def test_every_report_asked_for_is_written(replay, tmp_path):
    paths = {
        "json_path": tmp_path / "r.json",
        "junit_path": tmp_path / "r.xml",
        "html_path": tmp_path / "r.html",
        "save_images": tmp_path / "images",
    }
    execute(tty=False, **paths)
    assert json.loads(paths["json_path"].read_text())["counts"] == {"passed": 1, "failed": 1, "skipped": 1}
    assert paths["junit_path"].read_text().startswith("<?xml")
    assert "<!DOCTYPE html>" in paths["html_path"].read_text()
    assert [p.name for p in paths["save_images"].iterdir()] == ["prod-gpt-image-generate-0.png"]
