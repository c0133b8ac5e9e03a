"""The `coder` command: a thin click layer over the library.

Each command parses its arguments, calls library functions and prints. A `CoderError`
becomes one line on stderr and a non-zero exit; nothing else is caught, so real bugs
still show their traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import __version__
from ..errors import CoderError


class CoderGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=CoderGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coder")
def main() -> None:
    """Code interview and focus-group transcripts by keyboard, in one SQLite file.

    Every command takes --db PATH (or $CODER_DB; default ./coder.db).
    """


def _register() -> None:
    from . import agree, app, codebook, documents, export, merge, review, safety

    for module in (documents, codebook, app, merge, agree, review, export, safety):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
