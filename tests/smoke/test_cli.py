"""CLI usage errors: exit 2, one exact sentence, and no request sent."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from imagegate.cli import cli as imagegate_cli
from smoke.cli import cli
from tests.smoke.fakes import outputs_doc


@pytest.fixture(autouse=True)
def no_requests(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr("smoke.client.ImageClient._send", refuse)
    monkeypatch.setattr("smoke.auth.make_credential", refuse)
    monkeypatch.delenv("AZURE_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("SMOKE_AUTH", raising=False)


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs_doc()))
    return path


def invoke(*args: str, env: dict | None = None):
    # Through the `imagegate` group, as a user runs it: imagegate.cli turns errors into exit codes.
    return CliRunner().invoke(imagegate_cli, ["smoke", *args], env=env)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Error: Say what to check: --stack NAME, --outputs FILE, or --endpoint URL --deployment NAME."),
        (
            ["--outputs", "{o}", "--endpoint", "https://x.openai.azure.com/"],
            "Error: Pass either --endpoint or --stack/--outputs, not both.",
        ),
        (
            ["--outputs", "{o}", "--v1", "--api-version", "2025-04-01-preview"],
            "Error: --v1 calls the unversioned routes; drop --api-version or --v1.",
        ),
        (
            ["--outputs", "{o}", "--deployment", "nope"],
            "Error: Deployment 'nope' is not in the stack outputs; known deployments: gpt-image.",
        ),
        (
            ["--outputs", "{d}/missing.json"],
            "Error: Cannot read the outputs file '{d}/missing.json': No such file or directory.",
        ),
        (
            ["--endpoint", "http://example.com/", "--deployment", "a"],
            "Error: Endpoint 'http://example.com/' uses plain http, which would send credentials in clear "
            "text; "
            "use https (plain http is only allowed to loopback).",
        ),
        (
            ["--endpoint", "https://x.openai.azure.com/"],
            "Error: --endpoint needs at least one --deployment NAME.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key"],
            "Error: The API key variable $AZURE_OPENAI_API_KEY is not set or empty; export it or use Entra "
            "ID auth.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--api-key-env", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"],
            "Error: --api-key-env takes the NAME of an environment variable holding the key, not a key.",
        ),
        (
            ["--outputs", "{o}", "--prompt", "a", "--prompt-file", "{o}"],
            "Error: Pass either --prompt or --prompt-file, not both.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--prompt-file", "{d}/p.txt"],
            "Error: Cannot read the prompt file '{d}/p.txt'; pass a readable UTF-8 text file.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--edit-image", "{o}"],
            "Error: The edit image '{o}' is not a PNG, JPEG or WebP image.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--json", "{o}/r.json"],
            "Error: The folder for the json report '{o}/r.json' is a file; pass another path.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--size", "big"],
            "Error: Size 'big' is not WIDTHxHEIGHT (e.g. 1024x1024) or 'auto'.",
        ),
        (
            ["--outputs", "{o}", "--local-auth-disabled"],
            "Error: --local-auth-disabled only applies with --endpoint; the outputs already say it.",
        ),
        (
            ["--outputs", "{o}", "--edit-source", "generated", "--edit-image", "{o}"],
            "Error: --edit-source generated edits the generated image; drop --edit-image.",
        ),
        (
            ["--outputs", "{o}", "--check", "edit", "--edit-source", "generated"],
            "Error: --edit-source generated needs the generate check; add --check generate.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--save-images", "{o}/images"],
            "Error: Cannot create the image folder '{o}/images' (Not a directory); pass a writable folder.",
        ),
        (
            ["--outputs", "{o}", "--auth", "key", "--ca-bundle", "{o}"],
            "Error: Cannot load the CA bundle '{o}'; pass a readable PEM file.",
        ),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2_before_any_request(tmp_path, outputs, args, message):
    args = [a.format(o=outputs, d=tmp_path) for a in args]
    result = invoke(
        "run",
        *args,
        env={"AZURE_OPENAI_API_KEY": "k"} if {"--ca-bundle", "--save-images"} & set(args) else None,
    )
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == message.format(o=outputs, d=tmp_path)


def test_a_malformed_outputs_file(tmp_path):
    path = tmp_path / "o.json"
    path.write_text('{"endpoint": "https://a.openai.azure.com/"}')
    result = invoke("run", "--outputs", str(path))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: The stack outputs from {path} have no 'deployments' key; re-run `pulumi up` or fix the "
        f"file.\n"
    )


def test_the_key_value_is_never_echoed_when_passed_by_mistake(outputs):
    key = "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56"
    result = invoke("run", "--outputs", str(outputs), "--auth", "key", "--api-key-env", key)
    assert result.exit_code == 2 and key not in result.output


def test_one_off_commands_need_exactly_one_deployment(tmp_path):
    doc = outputs_doc(deployments={"a": {}, "b": {}})
    path = tmp_path / "o.json"
    path.write_text(json.dumps(doc))
    result = invoke("generate", "--outputs", str(path), "--prompt", "x", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2
    assert result.output == (
        "Error: This command calls one deployment but 2 match (dev/a, dev/b); narrow it with "
        "--deployment NAME or a single --stack/--outputs.\n"
    )


def test_one_off_names_the_matches_when_two_sources_share_the_deployment(tmp_path, outputs):
    prod = tmp_path / "prod.json"
    prod.write_text(json.dumps(outputs_doc(environment="prod")))
    result = invoke(
        "generate",
        *("--outputs", str(outputs), "--outputs", str(prod), "--deployment", "gpt-image"),
        *("--prompt", "x", "-o", str(tmp_path / "x.png")),
    )
    assert result.exit_code == 2
    assert result.output == (
        "Error: This command calls one deployment but 2 match (dev/gpt-image, prod/gpt-image); narrow it "
        "with --deployment NAME or a single --stack/--outputs.\n"
    )


@pytest.mark.parametrize(
    ("name", "extra", "message"),
    [
        (
            "x.jpg",
            [],
            "named like jpeg but the image will be png; pass --output-format jpeg or name the file *.png.",
        ),
        (
            "x.PNG",
            ["--output-format", "webp"],
            "named like png but the image will be webp; pass --output-format png or name the file *.webp.",
        ),
        (
            "x.png",
            ["--output-format", "jpeg"],
            "named like png but the image will be jpeg; pass --output-format png or name the file *.jpg.",
        ),
    ],
)
def test_one_off_output_name_must_match_the_format(tmp_path, outputs, name, extra, message):
    out = tmp_path / name
    result = invoke(
        "generate",
        *("--outputs", str(outputs), "--auth", "key", "--prompt", "x", "-o", str(out), *extra),
        env={"AZURE_OPENAI_API_KEY": "k"},
    )
    assert result.exit_code == 2, result.output
    assert result.output == f"Error: The output {str(out)!r} is {message}\n"
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--image", "{d}/missing.png"],
            "Error: Cannot read the image '{d}/missing.png'; pass a readable PNG, JPEG or WebP file.",
        ),
        (["--image", "{o}"], "Error: The image '{o}' is not a PNG, JPEG or WebP image."),
    ],
)
def test_smoke_edit_rejects_an_unreadable_image_before_any_request(tmp_path, outputs, extra, message):
    args = [a.format(o=outputs, d=tmp_path) for a in extra]
    result = invoke(
        "edit",
        "--outputs",
        str(outputs),
        "--auth",
        "key",
        "--prompt",
        "x",
        "-o",
        str(tmp_path / "o.png"),
        *args,
        env={"AZURE_OPENAI_API_KEY": "k"},
    )
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == message.format(o=outputs, d=tmp_path)


@pytest.mark.parametrize("command", [[], ["run"], ["generate"], ["edit"]])
def test_help_short_and_long_and_example_usage(command):
    short, long = invoke(*command, "-h"), invoke(*command, "--help")
    assert short.exit_code == 0 and short.output == long.output
    assert "Example usage:" in long.output


def test_every_option_has_help():
    for command in cli.commands.values():
        for param in command.params:
            if hasattr(param, "help") and param.name != "help":
                assert param.help, f"{command.name} --{param.name} has no help"


def test_the_smoke_doc_names_every_command_and_option():
    docs = Path(__file__).parents[2] / "docs"
    section = (docs / "smoke.md").read_text()
    # Prompt suites and the reports have their own reference pages.
    section += "".join((docs / page).read_text() for page in ("prompt-suites.md", "reports.md"))
    for name, command in cli.commands.items():
        assert f"smoke {name}" in section
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt not in ("-h", "--help"):
                    assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", section), (name, opt)
