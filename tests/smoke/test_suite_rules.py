"""Every rule of a prompt-suite file, one table each (smoke/suite/loader.py, in process): the values at each
edge of what is accepted load as written, the ones just past it are refused with their exact sentence. The
documents are the parsed YAML a team's file becomes; the shipped and example suites, and whole files with
many problems at once, are in test_suite_loader.py.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from smoke.errors import InputError
from smoke.suite import Outcome, SuiteError, load_suite, parse_suite
from smoke.suite.model import Expect
from tests.plain_ids import plain

PARAM_KEYS = "size, quality, n, output_format, output_compression, background, input_fidelity"
EXPECT_KEYS = "outcome, format, size, count, max_outside_mask_change, max_latency_seconds"


def picture(
    path: Path, size: tuple[int, int] = (64, 64), *, hole: bool = False, fmt: str = "PNG", mode: str = "RGBA"
) -> Path:
    img = Image.new(mode, size, (10, 20, 30, 255) if mode == "RGBA" else (10, 20, 30))
    if hole:
        img.paste((0, 0, 0, 0), (8, 8, 24, 24))
    buffer = io.BytesIO()
    img.save(buffer, fmt)
    path.write_bytes(buffer.getvalue())
    return path


def gen(**fields: Any) -> dict[str, Any]:
    return {"id": "c", "route": "generate", "prompt": "A lighthouse.", **fields}


def edit(**fields: Any) -> dict[str, Any]:
    return {"id": "c", "route": "edit", "prompt": "Add a window.", "image": "room.png", **fields}


@pytest.fixture
def base(tmp_path: Path) -> Path:
    picture(tmp_path / "room.png")
    picture(tmp_path / "mask.png", hole=True)
    return tmp_path


def problems_of(doc: Any, base: Path) -> list[str]:
    with pytest.raises(SuiteError) as caught:
        parse_suite(doc, base, "team.yaml")
    return caught.value.problems


def one_case(case: dict[str, Any], base: Path) -> Any:
    suite = parse_suite({"cases": [case]}, base, "team.yaml")
    assert len(suite.cases) == 1
    return suite.cases[0]


ACCEPTED_PARAMS = [
    {"n": 1},
    {"n": 10},
    {"size": "auto"},
    {"size": "16x16"},
    {"size": "99999x99999"},
    {"quality": "low"},
    {"quality": "auto"},
    {"output_format": "webp", "output_compression": 0},
    {"output_format": "jpeg", "output_compression": 100},
    {"background": "transparent", "output_format": "webp"},
    {"background": "transparent"},  # png by default
    {"background": "opaque", "output_format": "jpeg"},
]


@pytest.mark.parametrize("params", ACCEPTED_PARAMS, ids=plain)
def test_request_parameters_at_the_edges_load_as_written(params: dict[str, Any], base: Path) -> None:
    assert dict(one_case(gen(params=params), base).params) == params


def test_input_fidelity_is_kept_for_an_edit(base: Path) -> None:
    assert dict(one_case(edit(params={"input_fidelity": "low"}), base).params) == {"input_fidelity": "low"}


P = "cases[0] (c).params"
REFUSED_PARAMS = [
    ({"n": 0}, [f"{P}.n: 0 is not a number of images; accepted: an integer from 1 to 10."]),
    ({"n": 11}, [f"{P}.n: 11 is not a number of images; accepted: an integer from 1 to 10."]),
    ({"n": True}, [f"{P}.n: True is not a number of images; accepted: an integer from 1 to 10."]),
    ({"n": 2.0}, [f"{P}.n: 2.0 is not a number of images; accepted: an integer from 1 to 10."]),
    (
        {"output_format": "jpeg", "output_compression": -1},
        [f"{P}.output_compression: -1 is not a compression level; accepted: an integer from 0 to 100."],
    ),
    (
        {"output_format": "jpeg", "output_compression": 101},
        [f"{P}.output_compression: 101 is not a compression level; accepted: an integer from 0 to 100."],
    ),
    (
        {"output_format": "jpeg", "output_compression": False},
        [f"{P}.output_compression: False is not a compression level; accepted: an integer from 0 to 100."],
    ),
    (
        {"output_compression": 50},
        [
            f"{P}.output_compression: 50 only applies to jpeg or webp output; "
            "accepted: drop it or set output_format: jpeg or webp."
        ],
    ),
    (
        {"output_format": "png", "output_compression": 50},
        [
            f"{P}.output_compression: 50 only applies to jpeg or webp output; "
            "accepted: drop it or set output_format: jpeg or webp."
        ],
    ),
    (
        {"size": "1024x1024 "},
        [f"{P}.size: '1024x1024 ' is not a size; accepted: WIDTHxHEIGHT (e.g. 1024x1024) or auto."],
    ),
    (
        {"size": "01x10"},
        [f"{P}.size: '01x10' is not a size; accepted: WIDTHxHEIGHT (e.g. 1024x1024) or auto."],
    ),
    ({"size": 1024}, [f"{P}.size: 1024 is not a size; accepted: WIDTHxHEIGHT (e.g. 1024x1024) or auto."]),
    ({"quality": "ultra"}, [f"{P}.quality: 'ultra' is not accepted; accepted: low, medium, high, auto."]),
    ({"output_format": "gif"}, [f"{P}.output_format: 'gif' is not accepted; accepted: png, jpeg, webp."]),
    (
        {"background": "none"},
        [f"{P}.background: 'none' is not accepted; accepted: transparent, opaque, auto."],
    ),
    (
        {"input_fidelity": "high"},
        [f"{P}.input_fidelity: 'high' only applies to edits; accepted: drop it from generate cases."],
    ),
    (
        {"background": "transparent", "output_format": "jpeg"},
        [
            f"{P}.background: 'transparent' needs an output format with alpha; "
            "accepted: output_format png or webp."
        ],
    ),
    ({"seed": 4}, [f"{P}.seed: 4 is not a known key; accepted: {PARAM_KEYS}."]),
    ("small", [f"{P}: 'small' is not a mapping of request parameters; accepted: {PARAM_KEYS}."]),
]


@pytest.mark.parametrize(("params", "expected"), REFUSED_PARAMS, ids=plain)
def test_request_parameters_past_the_edges_are_refused(params: Any, expected: list[str], base: Path) -> None:
    assert problems_of({"cases": [gen(params=params)]}, base) == expected


def test_defaults_apply_to_every_case_and_a_case_overrides_them(base: Path) -> None:
    doc = {"defaults": {"quality": "low", "n": 2}, "cases": [gen(params={"n": 3}), {**gen(), "id": "d"}]}
    suite = parse_suite(doc, base, "team.yaml")
    assert [dict(c.params) for c in suite.cases] == [{"quality": "low", "n": 3}, {"quality": "low", "n": 2}]


def test_no_params_is_no_params(base: Path) -> None:
    assert dict(one_case(gen(params=None), base).params) == {}


ACCEPTED_EXPECT = [
    ({}, Expect()),
    (
        {"outcome": "success", "format": "webp", "size": "1024x1536", "count": 1},
        Expect(Outcome.SUCCESS, "webp", "1024x1536", 1),
    ),
    ({"count": 10}, Expect(count=10)),
    ({"max_latency_seconds": 0.001}, Expect(max_latency_seconds=0.001)),
    ({"max_latency_seconds": 30}, Expect(max_latency_seconds=30.0)),
    (
        {"outcome": "content_filter", "max_latency_seconds": 5},
        Expect(Outcome.CONTENT_FILTER, max_latency_seconds=5.0),
    ),
]


@pytest.mark.parametrize(("expect", "parsed"), ACCEPTED_EXPECT, ids=plain)
def test_expectations_load_as_written(expect: dict[str, Any], parsed: Expect, base: Path) -> None:
    loaded = one_case(gen(expect=expect), base).expect
    assert loaded == parsed
    assert [type(v) for v in vars(loaded).values()] == [type(v) for v in vars(parsed).values()]


@pytest.mark.parametrize("change", [0, 1, 0.25], ids=plain)
def test_the_change_outside_the_mask_is_a_fraction_for_an_edit_with_a_mask(change: float, base: Path) -> None:
    loaded = one_case(edit(mask="mask.png", expect={"max_outside_mask_change": change}), base).expect
    assert loaded.max_outside_mask_change == change and type(loaded.max_outside_mask_change) is float


E = "cases[0] (c).expect"
FILTER_ONLY = "accepted: only outcome and max_latency_seconds with outcome: content_filter."
REFUSED_EXPECT = [
    ({"outcome": "maybe"}, [f"{E}.outcome: 'maybe' is not an outcome; accepted: success, content_filter."]),
    ({"outcome": 1}, [f"{E}.outcome: 1 is not an outcome; accepted: success, content_filter."]),
    ({"format": "gif"}, [f"{E}.format: 'gif' is not an image format; accepted: png, jpeg, webp."]),
    ({"size": "auto"}, [f"{E}.size: 'auto' is not a size; accepted: WIDTHxHEIGHT, e.g. 1024x1024."]),
    ({"size": "big"}, [f"{E}.size: 'big' is not a size; accepted: WIDTHxHEIGHT, e.g. 1024x1024."]),
    ({"size": 5}, [f"{E}.size: 5 is not a size; accepted: WIDTHxHEIGHT, e.g. 1024x1024."]),
    ({"count": 0}, [f"{E}.count: 0 is not a number of images; accepted: an integer from 1 to 10."]),
    ({"count": 11}, [f"{E}.count: 11 is not a number of images; accepted: an integer from 1 to 10."]),
    ({"count": True}, [f"{E}.count: True is not a number of images; accepted: an integer from 1 to 10."]),
    (
        {"max_latency_seconds": 0},
        [f"{E}.max_latency_seconds: 0 is not a time budget; accepted: a number of seconds > 0."],
    ),
    (
        {"max_latency_seconds": -1},
        [f"{E}.max_latency_seconds: -1 is not a time budget; accepted: a number of seconds > 0."],
    ),
    (
        {"max_latency_seconds": True},
        [f"{E}.max_latency_seconds: True is not a time budget; accepted: a number of seconds > 0."],
    ),
    (
        {"max_latency_seconds": "5"},
        [f"{E}.max_latency_seconds: '5' is not a time budget; accepted: a number of seconds > 0."],
    ),
    (
        {"max_outside_mask_change": 0.1},
        [
            f"{E}.max_outside_mask_change: 0.1 needs an edit case with a mask; "
            "accepted: drop it or add mask: to the case."
        ],
    ),
    (
        {"outcome": "content_filter", "format": "png", "size": "1024x1024", "count": 1},
        [
            f"{E}.format: 'png' cannot hold for a refusal, which returns no image; {FILTER_ONLY}",
            f"{E}.size: '1024x1024' cannot hold for a refusal, which returns no image; {FILTER_ONLY}",
            f"{E}.count: 1 cannot hold for a refusal, which returns no image; {FILTER_ONLY}",
        ],
    ),
    ({"colour": "red"}, [f"{E}.colour: 'red' is not a known key; accepted: {EXPECT_KEYS}."]),
    (["success"], [f"{E}: ['success'] is not a mapping of expectations; accepted: {EXPECT_KEYS}."]),
]


@pytest.mark.parametrize(("expect", "expected"), REFUSED_EXPECT, ids=plain)
def test_expectations_past_the_edges_are_refused(expect: Any, expected: list[str], base: Path) -> None:
    assert problems_of({"cases": [gen(expect=expect)]}, base) == expected


CHANGE = "cases[0] (c).expect.max_outside_mask_change"
REFUSED_CHANGE = [
    (
        edit(mask="mask.png", expect={"max_outside_mask_change": -0.01}),
        [f"{CHANGE}: -0.01 is not a fraction; accepted: a number from 0 to 1."],
    ),
    (
        edit(mask="mask.png", expect={"max_outside_mask_change": 1.01}),
        [f"{CHANGE}: 1.01 is not a fraction; accepted: a number from 0 to 1."],
    ),
    (
        edit(mask="mask.png", expect={"max_outside_mask_change": True}),
        [f"{CHANGE}: True is not a fraction; accepted: a number from 0 to 1."],
    ),
    (
        edit(expect={"max_outside_mask_change": 0.1}),
        [f"{CHANGE}: 0.1 needs an edit case with a mask; accepted: drop it or add mask: to the case."],
    ),
    (
        edit(mask="mask.png", expect={"outcome": "content_filter", "max_outside_mask_change": 0.1}),
        [f"{CHANGE}: 0.1 cannot hold for a refusal, which returns no image; {FILTER_ONLY}"],
    ),
]


@pytest.mark.parametrize(("case", "expected"), REFUSED_CHANGE, ids=plain)
def test_the_change_outside_the_mask_past_its_edges(
    case: dict[str, Any], expected: list[str], base: Path
) -> None:
    assert problems_of({"cases": [case]}, base) == expected


ACCEPTED_CASES = [
    gen(id="a"),
    gen(id="A9._-" + "x" * 59),  # 64 characters
    gen(prompt="p" * 32000),
    gen(prompt=" x "),
]


@pytest.mark.parametrize("case", ACCEPTED_CASES, ids=plain)
def test_case_ids_and_prompts_at_the_edges_load(case: dict[str, Any], base: Path) -> None:
    loaded = one_case(case, base)
    assert (loaded.id, loaded.route, loaded.prompt) == (case["id"], "generate", case["prompt"])


ID_RULE = "accepted: 1-64 letters, digits, '.', '_' or '-'."
PROMPT_RULE = "accepted: text of 1 to 32000 characters."
REFUSED_CASES = [
    (gen(id="a" * 65), [f"cases[0].id: '{'a' * 65}' is not a case id; {ID_RULE}"]),
    (gen(id="-a"), [f"cases[0].id: '-a' is not a case id; {ID_RULE}"]),
    (gen(id="a b"), [f"cases[0].id: 'a b' is not a case id; {ID_RULE}"]),
    (gen(id=7), [f"cases[0].id: 7 is not a case id; {ID_RULE}"]),
    ({"route": "generate", "prompt": "x"}, [f"cases[0].id: (missing) is not a case id; {ID_RULE}"]),
    ({"id": "c", "prompt": "x"}, ["cases[0] (c).route: (missing) is not a route; accepted: generate, edit."]),
    (gen(prompt="p" * 32001), [f"cases[0] (c).prompt: '{'p' * 40}' is not a prompt; {PROMPT_RULE}"]),
    (gen(prompt="  \n"), [f"cases[0] (c).prompt: '  \\n' is not a prompt; {PROMPT_RULE}"]),
    (gen(prompt=5), [f"cases[0] (c).prompt: 5 is not a prompt; {PROMPT_RULE}"]),
    ({"id": "c", "route": "generate"}, [f"cases[0] (c).prompt: (missing) is not a prompt; {PROMPT_RULE}"]),
    (
        gen(mask="mask.png"),
        ["cases[0] (c).mask: 'mask.png' only applies to edits; accepted: drop it or use route: edit."],
    ),
    (
        gen(images=["room.png"]),
        ["cases[0] (c).images: ['room.png'] only applies to edits; accepted: drop it or use route: edit."],
    ),
    (
        "just text",
        ["cases[0]: 'just text' is not a mapping; accepted: a case with id, route, prompt, params, expect."],
    ),
]


@pytest.mark.parametrize(("case", "expected"), REFUSED_CASES, ids=plain)
def test_cases_past_the_edges_are_refused(case: Any, expected: list[str], base: Path) -> None:
    assert problems_of({"cases": [case]}, base) == expected


def test_a_case_refused_for_its_prompt_alone_is_the_only_problem(base: Path) -> None:
    """A valid route and id with a bad prompt: the case is dropped, its one problem reported."""
    doc = {"cases": [gen(prompt=""), {**gen(), "id": "d"}]}
    assert problems_of(doc, base) == [f"cases[0] (c).prompt: '' is not a prompt; {PROMPT_RULE}"]


UNKNOWN_KEYS = [
    ("seed", "cases[0] (c).seed: 1 is not a known key"),
    ("a" * 64, f"cases[0] (c).{'a' * 64}: 1 is not a known key"),
    ("a" * 65, f"cases[0] (c).'{'a' * 65}': 1 is not a known key"),
    ("two\nlines", "cases[0] (c).'two\\nlines': 1 is not a known key"),
    (3, "cases[0] (c).3: 1 is not a known key"),
    ("x y", "cases[0] (c).'x y': 1 is not a known key"),
]


@pytest.mark.parametrize(("key", "start"), UNKNOWN_KEYS, ids=plain)
def test_an_unknown_key_is_shown_as_written_only_when_plain(key: Any, start: str, base: Path) -> None:
    case = {**gen(), key: 1}
    assert problems_of({"cases": [case]}, base) == [
        f"{start}; accepted: id, route, prompt, params, image, images, mask, expect."
    ]


SUITE_FIELDS = [
    ({"name": 5}, ["name: 5 is not a name; accepted: a short text."]),
    ({"name": "  "}, ["name: '  ' is not a name; accepted: a short text."]),
    ({"description": ["a"]}, ["description: ['a'] is not text; accepted: a text."]),
    ({"keyless": "yes"}, ["keyless: 'yes' is not true/false; accepted: true, false."]),
    ({"keyless": 1}, ["keyless: 1 is not true/false; accepted: true, false."]),
    ({"version": "1"}, ["version: '1' is not a suite format this version reads; accepted: 1."]),
    (
        {"owner": "me"},
        ["owner: 'me' is not a known key; accepted: version, name, description, keyless, defaults, cases."],
    ),
    ({"cases": None}, ["cases: None is not a list of cases; accepted: at least one case."]),
    ({"cases": {"a": 1}}, ["cases: {'a': 1} is not a list of cases; accepted: at least one case."]),
]


@pytest.mark.parametrize(("fields", "expected"), SUITE_FIELDS, ids=plain)
def test_suite_fields_past_their_edges(fields: dict[str, Any], expected: list[str], base: Path) -> None:
    assert problems_of({"cases": [gen()], **fields}, base) == expected


def test_a_missing_cases_key_is_named(base: Path) -> None:
    assert problems_of({"name": "x"}, base) == [
        "cases: (missing) is not a list of cases; accepted: at least one case."
    ]


def test_suite_fields_default_from_the_file(base: Path) -> None:
    suite = parse_suite({"cases": [gen()]}, base, "dir/team-suite.yaml")
    assert (suite.name, suite.description, suite.keyless, suite.source) == (
        "team-suite",
        "",
        False,
        Path("dir/team-suite.yaml"),
    )
    named = parse_suite(
        {"version": 1, "name": "N", "description": "D", "keyless": True, "cases": [gen()]}, base, "t.yaml"
    )
    assert (named.name, named.description, named.keyless) == ("N", "D", True)


def test_one_problem_is_counted_in_the_singular(base: Path) -> None:
    with pytest.raises(SuiteError) as caught:
        parse_suite({"cases": [gen(id="-")]}, base, "team.yaml")
    assert str(caught.value) == (
        "The prompt suite team.yaml has 1 problem; fix them and run again:\n"
        f"  - cases[0].id: '-' is not a case id; {ID_RULE}"
    )
    assert caught.value.source == "team.yaml"


def test_edit_inputs_load_with_their_format_and_size(base: Path) -> None:
    picture(base / "photo.jpg", (64, 64), fmt="JPEG", mode="RGB")
    case = one_case(edit(image="photo.jpg", mask="mask.png"), base)
    (image,) = case.images
    assert (image.path, image.format, image.width, image.height) == ("photo.jpg", "jpeg", 64, 64)
    assert image.data == (base / "photo.jpg").read_bytes()
    assert case.mask is not None
    assert (case.mask.path, case.mask.format, case.mask.width, case.mask.height) == (
        "mask.png",
        "png",
        64,
        64,
    )


def test_up_to_16_images_load_in_order(base: Path) -> None:
    names = [f"i{n}.png" for n in range(16)]
    for name in names:
        picture(base / name)
    case = one_case(edit_without_image(images=names), base)
    assert [i.path for i in case.images] == names


def edit_without_image(**fields: Any) -> dict[str, Any]:
    return {"id": "c", "route": "edit", "prompt": "Add a window.", **fields}


W = "cases[0] (c)"
REFUSED_INPUTS = [
    (
        edit_without_image(),
        [f"{W}.image: (missing) is required for an edit; accepted: a path relative to the suite file."],
    ),
    (
        edit(images=["room.png"]),
        [f"{W}.images: ['room.png'] given together with image; accepted: one of image or images."],
    ),
    (
        edit_without_image(images=[]),
        [f"{W}.images: [] is not a list of input images; accepted: 1 to 16 paths."],
    ),
    (
        edit_without_image(images="room.png"),
        [f"{W}.images: 'room.png' is not a list of input images; accepted: 1 to 16 paths."],
    ),
    (
        edit_without_image(images=["room.png"] * 17),
        [f"{W}.images: {['room.png'] * 17!r} is not a list of input images; accepted: 1 to 16 paths."],
    ),
    (
        edit_without_image(images=["room.png", 3]),
        [f"{W}.images[1]: 3 is not a path to the image; accepted: a path relative to the suite file."],
    ),
    (
        edit(image="  "),
        [f"{W}.image: '  ' is not a path to the image; accepted: a path relative to the suite file."],
    ),
    (
        edit(mask=""),
        [f"{W}.mask: '' is not a path to the mask; accepted: a path relative to the suite file."],
    ),
    (edit(image="notes.txt"), [f"{W}.image: 'notes.txt' is not an image; accepted: PNG, JPEG or WebP."]),
    (edit(image="anim.gif"), [f"{W}.image: 'anim.gif' is gif; accepted: PNG, JPEG or WebP."]),
    (
        edit(mask="room.png"),
        [
            f"{W}.mask: 'room.png' is not a PNG mask with fully transparent pixels marking the area to edit; "
            "accepted: an RGBA PNG, transparent where the image may change."
        ],
    ),
    (
        edit(mask="photo.jpg"),
        [
            f"{W}.mask: 'photo.jpg' is not a PNG mask with fully transparent pixels marking the area "
            "to edit; "
            "accepted: an RGBA PNG, transparent where the image may change."
        ],
    ),
]


@pytest.mark.parametrize(("case", "expected"), REFUSED_INPUTS, ids=plain)
def test_edit_inputs_past_the_edges_are_refused(
    case: dict[str, Any], expected: list[str], base: Path
) -> None:
    (base / "notes.txt").write_text("not an image")
    picture(base / "anim.gif", fmt="GIF", mode="RGB")
    picture(base / "photo.jpg", fmt="JPEG", mode="RGB")
    assert problems_of({"cases": [case]}, base) == expected


def test_an_unreadable_suite_file_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    with pytest.raises(InputError) as caught:
        load_suite(missing)
    assert str(caught.value) == (
        f"Cannot read the prompt suite {str(missing)!r} (No such file or directory); "
        "pass a readable YAML file."
    )
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load_suite(latin)
    assert str(caught.value) == (
        f"Cannot read the prompt suite {str(latin)!r} (not UTF-8 text); pass a readable YAML file."
    )


def test_invalid_yaml_is_placed_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ncases: [\n  - id: a\n", encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert caught.value.problems == [
        "the file is not valid YAML at line 3, column 3: expected the node content, but found '-'."
    ]


def test_edit_inputs_are_read_relative_to_the_suite_file(base: Path) -> None:
    (base / "team.yaml").write_text(
        "cases:\n  - {id: c, route: edit, prompt: x, image: room.png, mask: mask.png}\n", encoding="utf-8"
    )
    case = load_suite(base / "team.yaml").cases[0]
    assert case.images[0].data == (base / "room.png").read_bytes()


YAML_PROBLEMS = [
    (
        "cases:\n  - id: a\n    id: b\n",
        'the file is not valid YAML at line 3, column 5: found duplicate key "id" with value "b" '
        '(original value: "a").',
    ),
    (
        "name: !foo x\ncases: []\n",
        "the file is not valid YAML at line 1, column 7: could not determine a constructor for the tag "
        "'!foo'.",
    ),
    # A character YAML forbids: the reader names it, with no line and column of its own.
    (
        "name: a\x07b\n",
        "the file is not valid YAML: unacceptable character #x0007: special characters are not allowed.",
    ),
]


@pytest.mark.parametrize(("text", "problem"), YAML_PROBLEMS, ids=plain)
def test_a_file_that_is_not_plain_yaml_is_one_problem_with_the_suites_name(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(path)
    assert caught.value.problems == [problem]
    assert caught.value.source == str(path)
    assert str(caught.value).startswith(f"The prompt suite {path} has 1 problem;")


def test_a_webp_image_is_an_edit_input(base: Path) -> None:
    picture(base / "photo.webp", fmt="WEBP", mode="RGB")
    (image,) = one_case(edit(image="photo.webp"), base).images
    assert (image.format, image.width, image.height) == ("webp", 64, 64)
