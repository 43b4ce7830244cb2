"""The case grid of the HTML reports: one row per case (or built-in check), one column per deployment.

The left cell says what was asked: prompt, parameters, expectations, and for an edit the input image(s)
and the mask overlaid. Each column then shows what that deployment did: verdict with the measured values,
the images, latency, attempts, usage tokens and the request ids Azure returned. Rows with a failure come
first. A smoke report has one column per deployment; a rollout puts stable and candidate side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from smoke.reports.embed import Embedded, embed, mask_overlay
from smoke.results import CheckResult, CheckStatus

# Measured values worth showing, with their labels; usage is shown as tokens.
_MEASURED = (
    ("format", "format"),
    ("size", "size"),
    ("count", "images"),
    ("changedInsideMask", "changed inside mask"),
    ("changedOutsideMask", "changed outside mask"),
    ("refusedWith", "refused with"),
    ("baseImage", "edit input"),
)
_FRACTIONS = {"changedInsideMask", "changedOutsideMask", "max_outside_mask_change"}
_BUILTIN = {
    "generate": "Generate one image from the run's prompt.",
    "edit": "Edit the input image inside the mask's transparent area.",
    "keyless": "A request with an API key must be refused as key auth (the account is keyless).",
    "failover": "With one member throttled, every call through the alias succeeds from another region.",
}


@dataclass(frozen=True)
class Column:
    """One deployment's results, keyed by case id (or check name)."""

    title: str
    subtitle: str
    results: Mapping[str, CheckResult]


def _value(key: str, value: object) -> str:
    if key in _FRACTIONS and isinstance(value, int | float):
        return f"{value:.1%}"
    return str(value)


def figure(img: Embedded, caption: str) -> str:
    return (
        f'<figure><img src="{img.uri}" width="{img.width}" height="{img.height}" '
        f'alt="{escape(caption)}" loading="eager"><figcaption>{escape(caption)}</figcaption></figure>'
    )


def _asked(name: str, result: CheckResult) -> str:
    parts = [f'<div class="case-id" id="case-{escape(name)}">{escape(name)}</div>']
    request = result.request
    if request is not None:
        parts.append(f'<div class="meta">route <b>{escape(request.route)}</b></div>')
    elif name in _BUILTIN:
        parts.append(f'<div class="meta">{escape(_BUILTIN[name])}</div>')
    if result.prompt:
        parts.append(f'<div class="prompt">{escape(result.prompt)}</div>')
    if request is not None and request.params:
        chips = "".join(f"<code>{escape(f'{k}={v}')}</code>" for k, v in request.params.items())
        parts.append(f'<div class="params">{chips}</div>')
    if result.expected:
        wanted = ", ".join(f"{k} {_value(k, v)}" for k, v in result.expected.items())
        parts.append(f'<div class="meta">expected: {escape(wanted)}</div>')
    if request is not None:
        for img in request.inputs:
            parts.append(figure(embed(img.data), f"input {img.index + 1} ({img.width}x{img.height})"))
        if request.mask is not None and request.inputs:
            parts.append(
                figure(mask_overlay(request.inputs[0].data, request.mask), "mask (tinted = editable)")
            )
    return "".join(parts)


def _ids(result: CheckResult) -> str:
    last = result.attempts[-1] if result.attempts else None
    pairs = list(last.ids) if last is not None and last.ids else []
    if not pairs and result.request_ids:
        pairs = [("request id", result.request_ids[-1])]
    if not pairs:
        return ""
    shown = "<br>".join(f'{escape(k)}: <span class="mono">{escape(v)}</span>' for k, v in pairs)
    return f'<div class="ids">{shown}</div>'


def _attempts(result: CheckResult) -> str:
    if not result.attempts:
        return "no request"
    trail = " &rarr; ".join(
        escape(f"{a.status if a.status is not None else '-'} {a.outcome}") for a in result.attempts
    )
    count = len(result.attempts)
    return f"{count} attempt{'s' if count != 1 else ''} ({trail})"


def result_cell(result: CheckResult | None) -> str:
    if result is None:
        return '<td class="missing">not run</td>'
    status = result.status.value
    parts = [f'<span class="badge {status}">{status.upper()}</span> ']
    if result.failure is not None:
        f = result.failure
        parts.append(
            f'<b>{escape(f.kind.value)}</b>: {escape(f.message)}<div class="hint">{escape(f.hint)}</div>'
        )
    elif result.skip_reason:
        parts.append(escape(result.skip_reason))
    measured = [
        f"{label} {_value(key, result.details[key])}" for key, label in _MEASURED if key in result.details
    ]
    if measured:
        shown = ", ".join(measured)
        parts.append(f'<div class="meta">measured: {escape(shown)}</div>')
    for img in result.images:
        parts.append(
            figure(embed(img.data), f"output {img.index + 1} ({img.width}x{img.height} {img.format})")
        )
    latency = f"{result.latency_s:.2f} s" if result.latency_s is not None else "-"
    tokens = f", {result.usage_tokens:,} tokens" if result.usage_tokens is not None else ""
    parts.append(f'<div class="meta">latency {latency}, {_attempts(result)}{tokens}</div>')
    if result.served_by:
        parts.append(f'<div class="meta region">{escape(result.served_by)}</div>')
    parts.append(_ids(result))
    return f'<td class="{status}">{"".join(parts)}</td>'


def ordered_names(columns: Sequence[Column]) -> list[str]:
    """Every case name in first-seen order, failing rows first (a stable sort keeps the suite's order)."""
    names = list(dict.fromkeys(n for c in columns for n in c.results))

    def failing(name: str) -> bool:
        return any(c.results[name].status is CheckStatus.FAILED for c in columns if name in c.results)

    return sorted(names, key=lambda n: not failing(n))


def case_grid(columns: Sequence[Column]) -> str:
    """A table: the case, then each column's result for it; failures first."""
    head = "".join(f'<th>{escape(c.title)}<div class="meta">{escape(c.subtitle)}</div></th>' for c in columns)
    rows = []
    for name in ordered_names(columns):
        first = next(c.results[name] for c in columns if name in c.results)
        failed = any(c.results[name].status is CheckStatus.FAILED for c in columns if name in c.results)
        cells = "".join(result_cell(c.results.get(name)) for c in columns)
        rows.append(
            f'<tr class="{"failed" if failed else "ok"}" data-case="{escape(name)}">'
            f"<td>{_asked(name, first)}</td>{cells}</tr>"
        )
    body = "".join(rows)
    return f'<table class="cases"><thead><tr><th>case</th>{head}</tr></thead><tbody>{body}</tbody></table>'
