"""The command line's inputs checked before any request (smoke/inputs.py), in process and one table each:
prompt files, images and masks, sizes, and where reports and images will be written. Each input at the
edge of what is accepted is read as it is; the one just past it is refused with its exact sentence.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from smoke.errors import InputError
from smoke.inputs import (
    check_output_path,
    check_output_suffix,
    check_size,
    prepare_folder,
    read_image,
    read_mask,
    read_prompts,
)
from tests.plain_ids import plain


def picture(path: Path, fmt: str = "PNG", mode: str = "RGBA", *, hole: bool = False) -> Path:
    img = Image.new(mode, (32, 32))
    if mode == "RGBA":
        img.paste((10, 20, 30, 255), (0, 0, 32, 32))
        if hole:
            img.paste((0, 0, 0, 0), (4, 4, 12, 12))
    buffer = io.BytesIO()
    img.save(buffer, fmt)
    path.write_bytes(buffer.getvalue())
    return path


def refused(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        call(*args)
    return str(caught.value)


PROMPT_FILES = [
    ("a lighthouse\n", ("a lighthouse",)),
    ("# a comment\n\n   \n  a teapot  \n", ("a teapot",)),
    (
        "  # not a comment: the line does not start with '#'\n",
        ("# not a comment: the line does not start with '#'",),
    ),
    ("one\r\ntwo\rthree", ("one", "two", "three")),
    ("p" * 32000, ("p" * 32000,)),
    ("caf\u00e9\n", ("caf\u00e9",)),
]


@pytest.mark.parametrize(("text", "prompts"), PROMPT_FILES, ids=plain)
def test_a_prompt_file_is_one_prompt_per_line(tmp_path: Path, text: str, prompts: tuple[str, ...]) -> None:
    path = tmp_path / "prompts.txt"
    path.write_text(text, encoding="utf-8", newline="")
    assert read_prompts(path) == prompts


def test_prompt_files_past_the_edges(tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text("short\n" + "p" * 32001 + "\n", encoding="utf-8")
    assert refused(read_prompts, long) == (
        f"A prompt in {str(long)!r} is longer than 32000 characters, the service's limit."
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("# only\n#comments\n\n", encoding="utf-8")
    assert (
        refused(read_prompts, empty)
        == f"The prompt file {str(empty)!r} has no prompts; put one prompt per line."
    )
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    assert refused(read_prompts, latin) == (
        f"Cannot read the prompt file {str(latin)!r}; pass a readable UTF-8 text file."
    )
    assert refused(read_prompts, tmp_path) == (
        f"Cannot read the prompt file {str(tmp_path)!r}; pass a readable UTF-8 text file."
    )


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("JPEG", "RGB"), ("WEBP", "RGB")], ids=plain)
def test_png_jpeg_and_webp_images_are_read_as_they_are(tmp_path: Path, fmt: str, mode: str) -> None:
    path = picture(tmp_path / f"x.{fmt.lower()}", fmt, mode)
    assert read_image(path, "edit image") == path.read_bytes()


def test_images_past_the_edges(tmp_path: Path) -> None:
    gif = picture(tmp_path / "x.gif", "GIF", "P")
    assert (
        refused(read_image, gif, "edit image")
        == f"The edit image {str(gif)!r} is gif; use PNG, JPEG or WebP."
    )
    text = tmp_path / "x.png"
    text.write_text("not an image")
    assert refused(read_image, text, "image") == f"The image {str(text)!r} is not a PNG, JPEG or WebP image."
    missing = tmp_path / "missing.png"
    assert refused(read_image, missing, "image") == (
        f"Cannot read the image {str(missing)!r}; pass a readable PNG, JPEG or WebP file."
    )


def test_a_png_with_a_transparent_area_is_a_mask(tmp_path: Path) -> None:
    mask = picture(tmp_path / "m.png", hole=True)
    assert read_mask(mask) == mask.read_bytes()


@pytest.mark.parametrize(
    ("fmt", "mode", "hole"), [("PNG", "RGBA", False), ("PNG", "RGB", False), ("WEBP", "RGBA", True)]
)
def test_anything_else_is_not_a_mask(tmp_path: Path, fmt: str, mode: str, hole: bool) -> None:
    mask = picture(tmp_path / "m.img", fmt, mode, hole=hole)
    assert refused(read_mask, mask) == (
        f"The mask {str(mask)!r} must be a PNG with an alpha channel whose fully transparent pixels mark the "
        "area to edit."
    )


def test_a_mask_that_is_no_image_is_told_so_as_a_mask(tmp_path: Path) -> None:
    mask = tmp_path / "m.png"
    mask.write_text("no")
    assert refused(read_mask, mask) == f"The mask {str(mask)!r} is not a PNG, JPEG or WebP image."


@pytest.mark.parametrize("size", ["auto", "1024x1024", "16x16", "99999x10", "10x99999"], ids=plain)
def test_sizes_that_are_accepted(size: str) -> None:
    assert check_size(size) == size


@pytest.mark.parametrize(
    "size", ["Auto", "auto ", "1024", "0x1024", "1x10", "100000x10", "10x100000", "1024X1024", "x"]
)
def test_sizes_that_are_refused(size: str) -> None:
    assert refused(check_size, size) == f"Size {size!r} is not WIDTHxHEIGHT (e.g. 1024x1024) or 'auto'."


def test_an_output_path_in_a_new_folder_creates_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "nested" / "r.json"
    assert check_output_path(target, "json report") == target
    assert target.parent.is_dir() and not target.exists()


def test_an_output_path_in_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert check_output_path(Path("r.json"), "json report") == Path("r.json")
    (tmp_path / "r.json").write_text("{}")  # an existing file is overwritten later, not refused
    assert check_output_path(Path("r.json"), "json report") == Path("r.json")


def test_output_paths_past_the_edges(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    under_file = tmp_path / "file" / "r.json"
    assert refused(check_output_path, under_file, "json report") == (
        f"The folder for the json report {str(under_file)!r} is a file; pass another path."
    )
    folder = tmp_path / "dir"
    folder.mkdir()
    assert refused(check_output_path, folder, "junit report") == (
        f"The junit report {str(folder)!r} is a folder; pass a file name."
    )
    deep = tmp_path / "file" / "sub" / "r.json"
    assert refused(check_output_path, deep, "html report") == (
        f"Cannot create the folder for the html report {str(deep.parent)!r} (Not a directory); "
        "pass a writable folder."
    )


SUFFIXES = [
    ("out.png", "png"),
    ("out.PNG", "png"),
    ("out.jpg", "jpeg"),
    ("out.JPEG", "jpeg"),
    ("out.webp", "webp"),
    ("out", "jpeg"),  # no suffix: nothing to contradict
    ("out.bin", "png"),
]


@pytest.mark.parametrize(("name", "fmt"), SUFFIXES, ids=plain)
def test_an_output_named_like_its_format_or_unnamed_is_accepted(name: str, fmt: str) -> None:
    assert check_output_suffix(Path(name), fmt) == Path(name)


MISNAMED = [
    ("out.jpg", "png", "jpeg", "png"),
    ("out.jpeg", "webp", "jpeg", "webp"),
    ("out.png", "jpeg", "png", "jpg"),
    ("out.WEBP", "png", "webp", "png"),
]


@pytest.mark.parametrize(("name", "fmt", "named", "suffix"), MISNAMED, ids=plain)
def test_an_output_named_like_another_format_is_refused(name: str, fmt: str, named: str, suffix: str) -> None:
    assert refused(check_output_suffix, Path(name), fmt) == (
        f"The output {name!r} is named like {named} but the image will be {fmt}; "
        f"pass --output-format {named} or name the file *.{suffix}."
    )


def test_the_image_folder_is_created_before_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    assert prepare_folder(folder, "image folder") == folder and folder.is_dir()
    assert prepare_folder(folder, "image folder") == folder  # already there
    (tmp_path / "f").write_text("x")
    assert refused(prepare_folder, tmp_path / "f", "image folder") == (
        f"Cannot create the image folder {str(tmp_path / 'f')!r} (File exists); pass a writable folder."
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_unwritable_place_for_the_image_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert refused(prepare_folder, locked / "images", "image folder") == (
        f"Cannot create the image folder {str(locked / 'images')!r} (Permission denied); pass a writable "
        "folder."
    )
