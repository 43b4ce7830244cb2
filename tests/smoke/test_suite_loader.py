"""Prompt-suite files as a team writes them: the shipped ones load, and a broken one is refused with every
problem listed (key path, bad value, what is accepted) before anything is sent."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from smoke.runner import DEFAULT_EDIT_PROMPT, DEFAULT_PROMPT, SmokeOptions
from smoke.suite import Outcome, SuiteError, default_suite, load_capabilities, load_suite, suite_problems
from smoke.targets import Target

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "prompt-suite.yaml"


def png(path: Path, size: tuple[int, int] = (64, 64), hole: bool = False) -> Path:
    img = Image.new("RGBA", size, (10, 20, 30, 255))
    if hole:
        img.paste((0, 0, 0, 0), (8, 8, 24, 24))
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_example_suite_loads_with_every_route_and_a_refusal() -> None:
    suite = load_suite(EXAMPLE)
    assert len(suite.cases) >= 5 and suite.keyless
    assert {c.route for c in suite.cases} == {"generate", "edit"}
    refusals = [c.id for c in suite.cases if c.expect.outcome is Outcome.CONTENT_FILTER]
    assert refusals == ["competitor-logo-refused"]
    window = next(c for c in suite.cases if c.id == "room-window-sunset")
    assert window.mask is not None and window.mask.path == "prompt-suite/window-mask.png"
    assert window.expected()["max_outside_mask_change"] == 0.05
    pair = next(c for c in suite.cases if c.id == "mug-on-pattern")
    assert [i.path for i in pair.images] == ["prompt-suite/mug.png", "prompt-suite/pattern.png"]
    assert dict(next(c for c in suite.cases if c.id == "homepage-banner").params) == {
        "size": "1536x1024",
        "quality": "low",
        "n": 1,
        "output_format": "jpeg",
        "output_compression": 80,
    }


def test_the_default_suite_is_todays_checks_at_todays_cost() -> None:
    suite = default_suite()
    built_in = SmokeOptions()
    assert suite.keyless is True
    assert [(c.id, c.route, c.prompt) for c in suite.cases] == [
        ("generate", "generate", DEFAULT_PROMPT),
        ("edit", "edit", DEFAULT_EDIT_PROMPT),
    ]
    for case in suite.cases:
        assert dict(case.params) == {
            "size": built_in.size,
            "quality": built_in.quality,
            "n": built_in.n,
            "output_format": built_in.output_format,
        }
    edit = suite.cases[1]
    fixtures = REPO / "smoke" / "fixtures"
    assert edit.images[0].data == (fixtures / "base.png").read_bytes()
    assert edit.mask is not None and edit.mask.data == (fixtures / "mask.png").read_bytes()
    assert load_suite(Path("default")) == suite


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    png(tmp_path / "room.png", (64, 64))
    png(tmp_path / "small-mask.png", (32, 32), hole=True)
    path = write(
        tmp_path,
        """
        version: 1
        colour: blue
        defaults:
          quality: ultra
        cases:
          - id: banner
            route: generate
            prompt: A banner.
            params: {size: 1254x, n: 11, output_compression: 50}
            expect: {outcome: maybe}
          - id: banner
            route: paint
            prompt: ""
          - id: edit-room
            route: edit
            prompt: Add a window.
            image: room.png
            mask: small-mask.png
            params: {output_format: jpeg, background: transparent}
            expect: {max_outside_mask_change: 2}
          - id: gen-with-image
            route: generate
            prompt: x
            image: room.png
            expect: {outcome: content_filter, count: 2}
          - id: missing
            route: edit
            prompt: Edit nothing.
            image: nowhere.png
        """,
    )
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert caught.value.problems == [
        "colour: 'blue' is not a known key; accepted: version, name, description, keyless, defaults, cases.",
        "defaults.quality: 'ultra' is not accepted; accepted: low, medium, high, auto.",
        "cases[0] (banner).params.size: '1254x' is not a size; "
        "accepted: WIDTHxHEIGHT (e.g. 1024x1024) or auto.",
        "cases[0] (banner).params.n: 11 is not a number of images; accepted: an integer from 1 to 10.",
        "cases[0] (banner).params.output_compression: 50 only applies to jpeg or webp output; "
        "accepted: drop it or set output_format: jpeg or webp.",
        "cases[0] (banner).expect.outcome: 'maybe' is not an outcome; accepted: success, content_filter.",
        "cases[1].id: 'banner' is used by an earlier case; accepted: a unique id per case.",
        "cases[1].route: 'paint' is not a route; accepted: generate, edit.",
        "cases[1].prompt: '' is not a prompt; accepted: text of 1 to 32000 characters.",
        "cases[2] (edit-room).mask: 'small-mask.png' is 32x32 but the first image is 64x64; "
        "accepted: a mask the same size as the first image.",
        "cases[2] (edit-room).params.background: 'transparent' needs an output format with alpha; "
        "accepted: output_format png or webp.",
        "cases[2] (edit-room).expect.max_outside_mask_change: 2 is not a fraction; "
        "accepted: a number from 0 to 1.",
        "cases[3] (gen-with-image).image: 'room.png' only applies to edits; "
        "accepted: drop it or use route: edit.",
        "cases[3] (gen-with-image).expect.count: 2 cannot hold for a refusal, which returns no image; "
        "accepted: only outcome and max_latency_seconds with outcome: content_filter.",
        "cases[4] (missing).image: 'nowhere.png' cannot be read (No such file or directory); "
        "accepted: a readable file next to the suite.",
    ]
    message = str(caught.value)
    assert message.startswith(
        f"The prompt suite {path} has 15 problems; fix them and run again:\n  - colour:"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "cases: [\n  - id: a\n",
            "the file is not valid YAML at line 2, column 3: expected the node content",
        ),
        ("cases:\n  - id: a\n    id: b\n", "the file is not valid YAML"),
        ("- just a list\n", "the file is not a YAML mapping with 'cases:'."),
        ("cases: []\n", "cases: [] is not a list of cases; accepted: at least one case."),
        (
            "version: 2\ncases: [{id: a, route: generate, prompt: x}]\n",
            "version: 2 is not a suite format this version reads; accepted: 1.",
        ),
    ],
)
def test_unreadable_suites_name_the_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert caught.value.problems[0].startswith(problem)


def test_a_case_the_model_cannot_serve_is_reported_before_any_call(tmp_path: Path) -> None:
    png(tmp_path / "a.png")
    path = write(
        tmp_path,
        """
        cases:
          - {id: square, route: generate, prompt: x, params: {size: 1024x1024}}
          - {id: odd, route: generate, prompt: x, params: {size: 1000x1000}}
          - {id: faithful, route: edit, prompt: x, image: a.png, params: {input_fidelity: high}}
        """,
    )
    suite = load_suite(path)
    targets = [
        Target("https://a.openai.azure.com/", "img2", model="gpt-image-2"),
        Target("https://a.openai.azure.com/", "mini", model="gpt-image-1-mini"),
        Target("https://a.openai.azure.com/", "custom", model=None),
    ]
    assert suite_problems(suite, targets, load_capabilities()) == [
        "case odd: deployment img2 runs gpt-image-2, which the catalog says does not support size "
        "'1000x1000' (both edges must be multiples of 16); accepted: auto, or a custom WIDTHxHEIGHT.",
        "case odd: deployment mini runs gpt-image-1-mini, which the catalog says does not support size "
        "'1000x1000' (not a size it supports); accepted: 1024x1024, 1536x1024, 1024x1536, auto.",
        "case faithful: deployment mini runs gpt-image-1-mini, which the catalog says does not support "
        "input_fidelity 'high'; accepted: low.",
    ]
