"""The frame every HTML report shares: one self-contained page (inline CSS and script, inline images, no
request to anything), a header that says PASSED/FAILED, where and when, and a banner for the emulator.

Every text that came from a server, a suite file or the stack outputs goes through ``html.escape``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

CSS = """
:root{--ok:#17612a;--bad:#a11;--skip:#666;--line:#d6d6d6;--soft:#f6f6f6}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1d1d;background:#fff}
main{padding:1rem 1.5rem 3rem}
header.verdict{padding:1rem 1.5rem;color:#fff}
header.passed{background:var(--ok)}header.failed{background:var(--bad)}
header h1{margin:0 0 .3rem;font-size:1.6rem}
header dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0 0}
header dt{opacity:.85}header dd{margin:0;font-weight:500;overflow-wrap:anywhere}
.banner{padding:.6rem 1.5rem;font-weight:600;background:#ffe08a;color:#3d2e00;border-bottom:2px solid #c9a227}
h2{font-size:1.2rem;margin:1.6rem 0 .6rem}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid var(--line);padding:.45rem;vertical-align:top;text-align:left}
th{background:var(--soft)}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.3rem;color:#fff;font-weight:600;
 font-size:.8rem}
.badge.passed{background:var(--ok)}.badge.failed{background:var(--bad)}.badge.skipped{background:var(--skip)}
tr.failed>td:first-child{border-left:4px solid var(--bad)}
.case-id{font-weight:700;font-size:1.05rem}
.prompt{margin:.3rem 0;white-space:pre-wrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85em}
.params code{background:var(--soft);border:1px solid var(--line);border-radius:.25rem;padding:0 .25rem;
 margin:0 .2rem .2rem 0;display:inline-block}
.hint{color:#555;font-size:.9em}
.meta{color:#444;font-size:.9em;margin-top:.3rem}
.ids{font-size:.8em;color:#555;overflow-wrap:anywhere}
figure{display:inline-block;margin:.3rem .4rem .3rem 0;vertical-align:top}
figcaption{font-size:.78em;color:#555;max-width:240px}
figure img{width:240px;height:auto;border:1px solid var(--line);cursor:zoom-in;display:block;
 background:repeating-conic-gradient(#ddd 0% 25%,#fff 0% 50%) 50%/16px 16px}
figure.zoomed{position:fixed;inset:0;margin:0;z-index:10;background:rgba(0,0,0,.85);display:flex;
 align-items:center;justify-content:center;flex-direction:column}
figure.zoomed img{width:auto;max-width:96vw;max-height:90vh;cursor:zoom-out}
figure.zoomed figcaption{color:#eee;max-width:none}
.decision{font-size:1.05rem;padding:.6rem .8rem;border-left:4px solid var(--line);background:var(--soft)}
.decision.failed{border-color:var(--bad)}.decision.passed{border-color:var(--ok)}
ul.reasons{margin:.3rem 0 0 1.2rem;padding:0}
"""

# Click an image for its full-size view; click again or press Escape to close. Works without it too.
SCRIPT = """
document.addEventListener('click',function(e){
 var f=e.target.closest('figure');if(!f)return;
 document.querySelectorAll('figure.zoomed').forEach(function(z){if(z!==f)z.classList.remove('zoomed')});
 f.classList.toggle('zoomed');});
document.addEventListener('keydown',function(e){
 if(e.key==='Escape')document.querySelectorAll('figure.zoomed').forEach(function(z){z.classList.remove('zoomed')});});
"""


@dataclass(frozen=True)
class DeploymentLine:
    """One deployment as the header lists it."""

    name: str
    model: str | None = None
    version: str | None = None
    sku: str | None = None
    capacity: int | None = None
    role: str | None = None

    def text(self) -> str:
        model = f"{self.model or '?'}@{self.version or '?'}"
        sku = " / ".join(x for x in (self.sku, f"capacity {self.capacity}" if self.capacity else None) if x)
        role = f" ({self.role})" if self.role else ""
        return f"{self.name}{role}: {model}" + (f", {sku}" if sku else "")


@dataclass(frozen=True)
class PageHeader:
    title: str
    passed: bool
    stack: str
    endpoint: str
    deployments: tuple[DeploymentLine, ...]
    started_at: float
    finished_at: float
    emulator: bool
    facts: tuple[tuple[str, str], ...] = ()


def when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"


EMULATOR_BANNER = (
    "Local emulator: this report came from imagegate's emulator on this machine (a loopback endpoint), "
    "not from Azure. Its images are stand-ins; only the behaviour of the calls is real."
)


def header_html(h: PageHeader) -> str:
    verdict = "PASSED" if h.passed else "FAILED"
    rows: list[tuple[str, str]] = [
        ("stack", h.stack),
        ("endpoint", h.endpoint),
        *(("deployment", d.text()) for d in h.deployments),
        ("when", when(h.started_at)),
        ("took", duration(max(0.0, h.finished_at - h.started_at))),
        *h.facts,
    ]
    facts = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    banner = f'<div class="banner" role="alert" id="emulator-banner">{escape(EMULATOR_BANNER)}</div>'
    return (
        f'<header class="verdict {"passed" if h.passed else "failed"}" id="verdict">'
        f"<h1>{verdict} &mdash; {escape(h.title)}</h1><dl>{facts}</dl></header>"
        + (banner if h.emulator else "")
    )


def page(h: PageHeader, sections: Sequence[str]) -> str:
    """The whole document; ``sections`` are already-escaped HTML fragments."""
    verdict = "PASSED" if h.passed else "FAILED"
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        # An empty icon: a browser opening the file must not go looking for favicon.ico.
        '<link rel="icon" href="data:,">'
        f"<title>{verdict} - {escape(h.title)}</title><style>{CSS}</style></head><body>"
        f"{header_html(h)}<main>\n{body}\n</main><script>{SCRIPT}</script></body></html>\n"
    )
