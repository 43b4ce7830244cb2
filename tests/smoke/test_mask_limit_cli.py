"""A mask given on the command line (``smoke edit --mask``, ``smoke run --edit-mask``) is held to the edit
API's 4 MB mask limit, with the sentence a suite's mask gets when the suite loads (issue 22): one byte over
is exit 2 before any request, exactly 4 MB is read. Masks are real PNGs padded to the exact size.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagegate.cli import cli
from smoke.errors import InputError
from smoke.inputs import read_mask
from tests.smoke.fakes import outputs_doc
from tests.smoke.test_suite_input_limits import MASK_LIMIT, png_of_size


@pytest.fixture(autouse=True)
def no_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request was sent")

    monkeypatch.setattr("smoke.client.ImageClient._send", refuse)
    monkeypatch.setattr("smoke.auth.make_credential", refuse)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("SMOKE_AUTH", raising=False)


def sentence(path: Path, size: int) -> str:
    return (
        f"The mask {str(path)!r} is {size} bytes, over the service's limit; "
        f"accepted: at most {MASK_LIMIT} bytes."
    )


def test_a_mask_of_exactly_4_mb_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    mask = png_of_size(tmp_path / "mask.png", MASK_LIMIT, hole=True)
    assert len(read_mask(mask)) == MASK_LIMIT
    png_of_size(mask, MASK_LIMIT + 1, hole=True)
    with pytest.raises(InputError) as caught:
        read_mask(mask)
    assert str(caught.value) == sentence(mask, MASK_LIMIT + 1)


def test_the_size_is_judged_before_the_transparency(tmp_path: Path) -> None:
    """An oversized mask with no transparent pixel is told its size first, as in a suite."""
    mask = png_of_size(tmp_path / "mask.png", MASK_LIMIT + 1, hole=False)
    with pytest.raises(InputError) as caught:
        read_mask(mask)
    assert str(caught.value) == sentence(mask, MASK_LIMIT + 1)


def test_smoke_edit_refuses_an_oversized_mask_with_exit_2(tmp_path: Path) -> None:
    image = png_of_size(tmp_path / "room.png", 10_000, hole=False)
    mask = png_of_size(tmp_path / "mask.png", MASK_LIMIT + 1, hole=True)
    args = [
        "edit",
        "--endpoint",
        "https://a.openai.azure.com/",
        "--deployment",
        "gpt-image",
        "--image",
        str(image),
        "--mask",
        str(mask),
        "--prompt",
        "add a window",
        "-o",
        str(tmp_path / "o.png"),
    ]
    result = CliRunner().invoke(cli, ["smoke", *args], env={"AZURE_OPENAI_API_KEY": "k"})
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == "Error: " + sentence(mask, MASK_LIMIT + 1)
    assert not (tmp_path / "o.png").exists()


def test_smoke_run_refuses_an_oversized_edit_mask_with_exit_2(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(outputs_doc()))
    image = png_of_size(tmp_path / "room.png", 10_000, hole=False)
    mask = png_of_size(tmp_path / "mask.png", MASK_LIMIT + 1, hole=True)
    args = [
        "run",
        "--outputs",
        str(outputs),
        "--auth",
        "key",
        "--edit-image",
        str(image),
        "--edit-mask",
        str(mask),
    ]
    result = CliRunner().invoke(cli, ["smoke", *args], env={"AZURE_OPENAI_API_KEY": "k"})
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == "Error: " + sentence(mask, MASK_LIMIT + 1)


def test_an_image_of_exactly_50_mb_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    from smoke.inputs import read_image
    from tests.smoke.test_suite_input_limits import IMAGE_LIMIT as limit

    image = png_of_size(tmp_path / "room.png", limit, hole=False)
    assert len(read_image(image, "image")) == limit
    png_of_size(image, limit + 1, hole=False)
    with pytest.raises(InputError) as refused:
        read_image(image, "image")
    assert str(refused.value) == (
        f"The image {str(image)!r} is {limit + 1} bytes, over the service's limit; "
        f"accepted: at most {limit} bytes."
    )
