"""Read a prompt-suite YAML file into a ``Suite``, checking the whole file and listing every problem.

Like the stack config reader: each problem names where it is (``cases[2] (edit-window).params.size``),
the bad value and what is accepted, and nothing is sent until the file is clean. Paths of edit inputs are
relative to the suite file. Model-specific limits (sizes a model supports) are checked separately, against
the catalog, by ``smoke.suite.capabilities`` once the targets are known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from smoke.errors import InputError
from smoke.images import ImageDecodeError, has_transparent_region, identify
from smoke.suite.model import Case, Expect, InputFile, Outcome, Suite

SCHEMA_VERSION = 1
DEFAULT_SUITE = "default"

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SIZE = re.compile(r"auto|[1-9][0-9]{1,4}x[1-9][0-9]{1,4}")
_TOP_KEYS = ("version", "name", "description", "keyless", "defaults", "cases")
_CASE_KEYS = ("id", "route", "prompt", "params", "image", "images", "mask", "expect")
_PARAM_KEYS = ("size", "quality", "n", "output_format", "output_compression", "background", "input_fidelity")
_EXPECT_KEYS = ("outcome", "format", "size", "count", "max_outside_mask_change", "max_latency_seconds")
_CHOICES: dict[str, tuple[str, ...]] = {
    "quality": ("low", "medium", "high", "auto"),
    "output_format": ("png", "jpeg", "webp"),
    "background": ("transparent", "opaque", "auto"),
    "input_fidelity": ("high", "low"),
}
# Service limits (inference spec 2025-04-01-preview, Learn's image how-to): prompt length, images per
# edit, input and mask sizes.
MAX_PROMPT = 32000
MAX_IMAGES = 16
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_MASK_BYTES = 4 * 1024 * 1024


class SuiteError(InputError):
    """A suite file that cannot be used; ``problems`` lists every finding, one sentence each."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"The prompt suite {source} has {count}; fix them and run again:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, value: object, issue: str, accepted: str | None = None) -> None:
        shown = "(missing)" if value is _MISSING else repr(value)
        tail = f"; accepted: {accepted}" if accepted else ""
        self.items.append(f"{where}: {shown} {issue}{tail}.")


_MISSING = object()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _unknown_keys(raw: Mapping[str, Any], allowed: tuple[str, ...], where: str, problems: _Problems) -> None:
    for key in raw:
        if key not in allowed:
            # A key is shown as written only when it is plain; anything else (a newline, a number) as repr,
            # so a hostile file cannot forge extra lines in the list of problems.
            shown = key if isinstance(key, str) and _PLAIN_KEY.fullmatch(key) else repr(key)
            problems.add(
                f"{where}.{shown}" if where else shown, raw[key], "is not a known key", ", ".join(allowed)
            )


def _params(raw: object, where: str, problems: _Problems) -> dict[str, object]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.add(where, raw, "is not a mapping of request parameters", ", ".join(_PARAM_KEYS))
        return {}
    _unknown_keys(raw, _PARAM_KEYS, where, problems)
    out: dict[str, object] = {}
    for key, value in raw.items():
        if key not in _PARAM_KEYS:
            continue
        here = f"{where}.{key}"
        if key in _CHOICES:
            if value not in _CHOICES[key]:
                problems.add(here, value, "is not accepted", ", ".join(_CHOICES[key]))
                continue
        elif key == "size":
            if not isinstance(value, str) or not _SIZE.fullmatch(value):
                problems.add(here, value, "is not a size", "WIDTHxHEIGHT (e.g. 1024x1024) or auto")
                continue
        elif key == "n":
            if not _is_int(value) or not 1 <= value <= 10:
                problems.add(here, value, "is not a number of images", "an integer from 1 to 10")
                continue
        elif key == "output_compression":
            if not _is_int(value) or not 0 <= value <= 100:
                problems.add(here, value, "is not a compression level", "an integer from 0 to 100")
                continue
        out[key] = value
    return out


def _check_combination(params: Mapping[str, object], where: str, route: str, problems: _Problems) -> None:
    fmt = params.get("output_format", "png")
    if "output_compression" in params and fmt == "png":
        problems.add(
            f"{where}.output_compression",
            params["output_compression"],
            "only applies to jpeg or webp output",
            "drop it or set output_format: jpeg or webp",
        )
    if params.get("background") == "transparent" and fmt == "jpeg":
        problems.add(
            f"{where}.background",
            "transparent",
            "needs an output format with alpha",
            "output_format png or webp",
        )
    if "input_fidelity" in params and route != "edit":
        problems.add(
            f"{where}.input_fidelity",
            params["input_fidelity"],
            "only applies to edits",
            "drop it from generate cases",
        )


def _read_input(base: Path, raw: object, where: str, what: str, problems: _Problems) -> InputFile | None:
    if not isinstance(raw, str) or not raw.strip():
        problems.add(where, raw, f"is not a path to the {what}", "a path relative to the suite file")
        return None
    path = base / raw
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(
            where, raw, f"cannot be read ({exc.strerror or exc})", "a readable file next to the suite"
        )
        return None
    try:
        info = identify(data)
    except ImageDecodeError:
        problems.add(where, raw, "is not an image", "PNG, JPEG or WebP")
        return None
    limit = MAX_MASK_BYTES if what == "mask" else MAX_IMAGE_BYTES
    if len(data) > limit:
        problems.add(where, raw, f"is {len(data)} bytes, over the service's limit", f"at most {limit} bytes")
        return None
    if what == "mask" and (info.format != "png" or not has_transparent_region(data)):
        problems.add(
            where,
            raw,
            "is not a PNG mask with fully transparent pixels marking the area to edit",
            "an RGBA PNG, transparent where the image may change",
        )
        return None
    if info.format not in ("png", "jpeg", "webp"):
        problems.add(where, raw, f"is {info.format}", "PNG, JPEG or WebP")
        return None
    return InputFile(raw, data, info.format, info.width, info.height)


def _edit_inputs(
    raw: Mapping[str, Any], base: Path, where: str, problems: _Problems
) -> tuple[tuple[InputFile, ...], InputFile | None]:
    if "image" in raw and "images" in raw:
        problems.add(f"{where}.images", raw["images"], "given together with image", "one of image or images")
        return (), None
    listed = [raw["image"]] if "image" in raw else raw.get("images", _MISSING)
    if listed is _MISSING:
        problems.add(
            f"{where}.image", _MISSING, "is required for an edit", "a path relative to the suite file"
        )
        return (), None
    if not isinstance(listed, list) or not 1 <= len(listed) <= MAX_IMAGES:
        problems.add(f"{where}.images", listed, "is not a list of input images", f"1 to {MAX_IMAGES} paths")
        return (), None
    key = "image" if "image" in raw else "images"
    images = []
    for i, item in enumerate(listed):
        found = _read_input(
            base, item, f"{where}.{key}" + (f"[{i}]" if key == "images" else ""), "image", problems
        )
        if found is not None:
            images.append(found)
    mask = _read_input(base, raw["mask"], f"{where}.mask", "mask", problems) if "mask" in raw else None
    if mask is not None and images and (mask.width, mask.height) != (images[0].width, images[0].height):
        problems.add(
            f"{where}.mask",
            mask.path,
            f"is {mask.width}x{mask.height} but the first image is {images[0].width}x{images[0].height}",
            "a mask the same size as the first image",
        )
    return tuple(images), mask


def _expect(raw: object, where: str, route: str, has_mask: bool, problems: _Problems) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, Mapping):
        problems.add(where, raw, "is not a mapping of expectations", ", ".join(_EXPECT_KEYS))
        return Expect()
    _unknown_keys(raw, _EXPECT_KEYS, where, problems)
    outcome = raw.get("outcome", "success")
    if not isinstance(outcome, str) or outcome not in tuple(o.value for o in Outcome):
        problems.add(f"{where}.outcome", outcome, "is not an outcome", "success, content_filter")
        outcome = "success"
    fmt, size, count = raw.get("format"), raw.get("size"), raw.get("count")
    if fmt is not None and fmt not in _CHOICES["output_format"]:
        problems.add(f"{where}.format", fmt, "is not an image format", "png, jpeg, webp")
        fmt = None
    if size is not None and (not isinstance(size, str) or not _SIZE.fullmatch(size) or size == "auto"):
        problems.add(f"{where}.size", size, "is not a size", "WIDTHxHEIGHT, e.g. 1024x1024")
        size = None
    if count is not None and (not _is_int(count) or not 1 <= count <= 10):
        problems.add(f"{where}.count", count, "is not a number of images", "an integer from 1 to 10")
        count = None
    change = raw.get("max_outside_mask_change")
    if change is not None:
        if not _is_number(change) or not 0 <= change <= 1:
            problems.add(
                f"{where}.max_outside_mask_change", change, "is not a fraction", "a number from 0 to 1"
            )
            change = None
        elif route != "edit" or not has_mask:
            problems.add(
                f"{where}.max_outside_mask_change",
                change,
                "needs an edit case with a mask",
                "drop it or add mask: to the case",
            )
            change = None
    latency = raw.get("max_latency_seconds")
    if latency is not None and (not _is_number(latency) or latency <= 0):
        problems.add(
            f"{where}.max_latency_seconds", latency, "is not a time budget", "a number of seconds > 0"
        )
        latency = None
    if outcome == "content_filter":
        for key in ("format", "size", "count", "max_outside_mask_change"):
            if raw.get(key) is not None:
                problems.add(
                    f"{where}.{key}",
                    raw[key],
                    "cannot hold for a refusal, which returns no image",
                    "only outcome and max_latency_seconds with outcome: content_filter",
                )
    return Expect(
        Outcome(outcome),
        fmt,
        size,
        count,
        float(change) if change is not None else None,
        float(latency) if latency is not None else None,
    )


def _case(
    raw: object, index: int, defaults: Mapping[str, object], base: Path, seen: set[str], problems: _Problems
) -> Case | None:
    where = f"cases[{index}]"
    if not isinstance(raw, Mapping):
        problems.add(where, raw, "is not a mapping", "a case with id, route, prompt, params, expect")
        return None
    case_id = raw.get("id", _MISSING)
    if not isinstance(case_id, str) or not _ID.fullmatch(case_id):
        problems.add(f"{where}.id", case_id, "is not a case id", "1-64 letters, digits, '.', '_' or '-'")
    elif case_id in seen:
        problems.add(f"{where}.id", case_id, "is used by an earlier case", "a unique id per case")
    else:
        seen.add(case_id)
        where = f"cases[{index}] ({case_id})"
    _unknown_keys(raw, _CASE_KEYS, where, problems)
    route = raw.get("route", _MISSING)
    if route not in ("generate", "edit"):
        problems.add(f"{where}.route", route, "is not a route", "generate, edit")
    prompt = raw.get("prompt", _MISSING)
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_PROMPT:
        problems.add(
            f"{where}.prompt",
            prompt if not isinstance(prompt, str) else prompt[:40],
            "is not a prompt",
            f"text of 1 to {MAX_PROMPT} characters",
        )
    params = {**defaults, **_params(raw.get("params"), f"{where}.params", problems)}
    if route == "edit":
        images, mask = _edit_inputs(raw, base, where, problems)
    else:
        images, mask = (), None
        for key in ("image", "images", "mask"):
            if key in raw and route == "generate":
                problems.add(
                    f"{where}.{key}", raw[key], "only applies to edits", "drop it or use route: edit"
                )
    _check_combination(params, f"{where}.params", str(route), problems)
    expect = _expect(
        raw.get("expect"), f"{where}.expect", str(route), mask is not None or "mask" in raw, problems
    )
    if route not in ("generate", "edit") or not isinstance(prompt, str) or not isinstance(case_id, str):
        return None
    return Case(case_id, route, prompt, params, expect, images, mask)


def parse_suite(doc: object, base: Path, source: str) -> Suite:
    """A parsed YAML document -> ``Suite``; raises ``SuiteError`` listing every problem."""
    problems = _Problems()
    if not isinstance(doc, Mapping):
        raise SuiteError(source, ["the file is not a YAML mapping with 'cases:'."])
    _unknown_keys(doc, _TOP_KEYS, "", problems)
    version = doc.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        problems.add("version", version, "is not a suite format this version reads", str(SCHEMA_VERSION))
    name = doc.get("name", Path(source).stem)
    if not isinstance(name, str) or not name.strip():
        problems.add("name", name, "is not a name", "a short text")
        name = Path(source).stem
    description = doc.get("description", "")
    if not isinstance(description, str):
        problems.add("description", description, "is not text", "a text")
        description = ""
    keyless = doc.get("keyless", False)
    if not isinstance(keyless, bool):
        problems.add("keyless", keyless, "is not true/false", "true, false")
        keyless = False
    defaults = _params(doc.get("defaults"), "defaults", problems)
    raw_cases = doc.get("cases", _MISSING)
    cases: list[Case] = []
    if not isinstance(raw_cases, list) or not raw_cases:
        problems.add("cases", raw_cases, "is not a list of cases", "at least one case")
    else:
        seen: set[str] = set()
        for index, raw in enumerate(raw_cases):
            case = _case(raw, index, defaults, base, seen, problems)
            if case is not None:
                cases.append(case)
    if problems.items:
        raise SuiteError(source, problems.items)
    return Suite(name, tuple(cases), description, keyless, Path(source))


def load_suite(path: Path) -> Suite:
    """Read and check ``path`` (YAML); ``default`` names the suite shipped with smoke."""
    if str(path) == DEFAULT_SUITE:
        return default_suite()
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise InputError(
            f"Cannot read the prompt suite {str(path)!r} ({reason}); pass a readable YAML file."
        ) from exc
    try:
        doc = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise SuiteError(str(path), [f"the file is not valid YAML{where}: {problem}."]) from exc
    return parse_suite(doc, path.resolve().parent, str(path))


def default_suite() -> Suite:
    """The suite shipped with smoke: today's checks and cost (one generate, one masked edit, keyless)."""
    ref = resources.files("smoke").joinpath("suite", "default.yaml")
    with resources.as_file(ref) as path:
        suite = load_suite(Path(path))
    return suite
