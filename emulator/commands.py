"""``imagegate emulator ...``: the click group over the emulator's own command line.

``serve`` hands its arguments to the argparse parser of ``python -m emulator`` (one parser, two spellings),
so both print the same ready line and take the same options.
"""

from __future__ import annotations

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@click.group(name="emulator", context_settings=CONTEXT)
def emulator() -> None:
    """The local Azure: GPT-Image data plane and the Microsoft.CognitiveServices ARM subset, over HTTPS.

    Example usage:

    \b
        imagegate emulator serve --port 8443 --state-dir .emulator
        imagegate emulator serve --config examples/emulator.yaml --print-config
        imagegate emulator serve --help
    """


@emulator.command(name="serve", context_settings=PASS_THROUGH, add_help_option=False)
@click.pass_context
def emulator_serve(ctx: click.Context) -> None:
    """Start the emulator and print `imagegate emulator ready url=<url> ca=<ca.pem>`; --help lists options.

    Same as `python -m emulator`. Ctrl-C stops it.
    """
    from emulator.cli import main

    raise SystemExit(main(list(ctx.args), prog="imagegate emulator serve"))
