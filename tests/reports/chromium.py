"""Open an HTML report in the Debian ``chromium`` (headless) and report what a reader would see.

The browser is started exactly as a person's CI would start it (no sandbox, no network services, a
throw-away profile) with a DevTools port on loopback; playwright's python package drives it over the
DevTools protocol (``connect_over_cdp``) - no browser is downloaded. ``CHROMIUM`` absent: skip.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Set to refresh the screenshots docs/reports.md shows (docs/images/*.png) from a test run.
SAVE_ENV = "IMAGEGATE_SAVE_SCREENSHOTS"
DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """Where a test saves its screenshot: docs/images/ when $IMAGEGATE_SAVE_SCREENSHOTS is 1, else tmp."""
    return DOC_IMAGES / name if os.environ.get(SAVE_ENV) == "1" else tmp_path / name


_READY = re.compile(r"DevTools listening on (ws://\S+)")


@dataclass(frozen=True)
class Rendered:
    images: list[dict]
    console_errors: list[str]
    failed_requests: list[str]
    text: str


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent; install it with `apt-get install -y chromium` to run this test")


def render(html: Path, screenshot: Path | None = None, width: int = 1400, height: int = 1400) -> Rendered:
    """Load ``html`` from disk, wait for every image, collect console errors, optionally screenshot it."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    # Chromium's helper processes outlive the browser for a moment and may still write to the profile;
    # the group is stopped below, and a file one of them adds late must not fail the test.
    with tempfile.TemporaryDirectory(prefix="imagegate-chromium-", ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its renderer and crashpad helpers are stopped with it, as a group
        )
        try:
            assert process.stderr is not None
            url = None
            for _ in range(500):  # bounded: chromium prints the line within a second or two
                line = process.stderr.readline()
                if not line:
                    break
                found = _READY.search(line)
                if found:
                    url = found.group(1)
                    break
            assert url, "chromium did not print its DevTools address"
            # Keep reading its log so a chatty browser never blocks on a full pipe.
            threading.Thread(target=process.stderr.read, daemon=True).start()
            with sync_playwright() as pw:
                browser = pw.chromium.connect_over_cdp(url)
                page = browser.contexts[0].new_page()
                page.set_viewport_size({"width": width, "height": height})
                errors: list[str] = []
                failed: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("requestfailed", lambda r: failed.append(r.url))
                page.goto(html.resolve().as_uri(), wait_until="load")
                images = page.evaluate(
                    """() => Array.from(document.images).map(i => {
                        const r = i.getBoundingClientRect();
                        return {complete: i.complete, naturalWidth: i.naturalWidth,
                                naturalHeight: i.naturalHeight, width: r.width, height: r.height,
                                visible: getComputedStyle(i).visibility !== 'hidden'
                                         && getComputedStyle(i).display !== 'none',
                                alt: i.alt, external: !i.src.startsWith('data:')};
                    })"""
                )
                text = page.inner_text("body")
                if screenshot is not None:
                    screenshot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(screenshot), full_page=False)
                browser.close()
        finally:
            _stop_group(process)
    return Rendered(images, errors, failed, text)


def _stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM chromium's process group, wait (bounded) until none of it is left, then SIGKILL the rest."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
