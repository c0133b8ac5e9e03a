"""The `coder` command: a thin click layer over the library.

Each command parses its arguments, calls library functions and prints. A `CoderError`
becomes one line on stderr and a non-zero exit; nothing else is caught, so real bugs
still show their traceback. Commands are imported only when run (see `lazy.py`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import CoderError
from .lazy import Lazy, LazyGroup

COMMANDS: dict[str, Lazy] = {
    "agree": Lazy(".agree:agree", "Inter-coder agreement per code and overall."),
    "attribute": Lazy(".attributes:attribute", "Declare an attribute or set one value."),
    "attributes": Lazy(".attributes:attributes", "List attributes with their type and each "
                       "document's and case's values."),
    "autocode": Lazy(".recheck:autocode", "Code every hit of a search, a regular expression "
                     "or a speaker with CODE."),
    "backup": Lazy(".safety:backup", "Copy the project to DEST (a file or folder; default: "
                   "the project's .backups folder)."),
    "backups": Lazy(".safety:backups",
                    "List the automatic and manual backups kept beside the project."),
    "check": Lazy(".safety:check", "Check the project file for damage (SQLite's integrity "
                  "and foreign-key checks)."),
    "case": Lazy(".attributes:case", "Add a case, or link a speaker or a document to one."),
    "cases": Lazy(".attributes:cases", "List cases with the speakers and documents linked "
                  "to each."),
    "code": Lazy(".app:code", "Open the coding app."),
    "codebook": Lazy(".codebook:codebook", "Check and load YAML codebooks."),
    "codings": Lazy(".documents:codings", "Codings made elsewhere."),
    "crosstab": Lazy(".crosstab:crosstab_command", "Codes by the values of ATTRIBUTE: "
                     "segments, paragraphs and words coded, and the cases with each code "
                     "(count and share), per value."),
    "demo": Lazy(".app:demo", "Load the bundled seeds and sample codebook into a project "
                 "and open it for coding."),
    "documents": Lazy(".documents:documents",
                      "List documents with each coder's status and segment count."),
    "export": Lazy(".export:export",
                   "Export coded segments, write-up reports and REFI-QDA files."),
    "history": Lazy(".safety:history", "What happened to the project: imports, codebook "
                    "changes, merges, re-imports, restores."),
    "import": Lazy(".documents:import_", "Import transcripts (text, Markdown, PDF-extracted "
                   "text, speaker turns, VTT, SRT, docx)."),
    "merge": Lazy(".merge:merge", "Bring in another project file's codings, removals, memos "
                  "and done marks (safe to run twice)."),
    "refi": Lazy(".export:refi_group", "Bring in REFI-QDA files from ATLAS.ti, MAXQDA, "
                 "NVivo, QualCoder and others."),
    "recheck": Lazy(".recheck:recheck", "The codings made under an older definition of CODE "
                    "(of every code when left out)."),
    "restore": Lazy(".safety:restore", "Put the content of BACKUP_FILE back into the project."),
    "review": Lazy(".review:review", "Walk through every paragraph where A's and B's codes "
                   "differ, and settle each one."),
    "show": Lazy(".documents:show", "Print a document's numbered paragraphs exactly as stored."),
    "status": Lazy(".documents:status", "Show or set a coder's progress in DOCUMENTS (or "
                   "--all): what agreement counts as read."),
    "stats": Lazy(".export:stats_command", "Code frequencies, coverage per document and the "
                  "code co-occurrence matrix."),
    "title": Lazy(".documents:title_", "Show or set the title that reports cite DOCUMENT by."),
}


# Projects the running command committed a change to (`open_project` adds them): when the
# report of a committed change cannot be printed (a full standard output), the command still
# exits 0, since the change was made.
saved_projects: list[Path] = []


class CoderGroup(LazyGroup):
    def invoke(self, ctx: click.Context) -> Any:
        saved_projects.clear()  # one command per process, but tests invoke many in one
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            from ..text import visible_text

            click.echo(visible_text(f"Error: {exc}"), err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            if exc.errno not in _OUTPUT_TROUBLE or exc.filename is not None:
                raise
            _output_failed(exc)


# Errors of a write to standard output (a full disk or quota behind `> FILE`, `> /dev/full`,
# an I/O error); a closed pipe (`| head`) click already ends quietly with exit 1.
_OUTPUT_TROUBLE = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def _output_failed(exc: OSError) -> None:
    """One line on stderr instead of a traceback. Exit 1, unless the command had committed
    a change to the project: it was made, and its exit code says so."""
    # What is still buffered for stdout would fail again at exit, with a second message.
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    why = exc.strerror or str(exc)
    if saved_projects:
        click.echo(f"warning: the change to {saved_projects[-1]} is saved, but its report could "
                   f"not be written to standard output ({why})", err=True)
        sys.exit(0)
    click.echo(f"Error: cannot write to standard output ({why})", err=True)
    sys.exit(1)


@click.group(cls=CoderGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coder")
def main() -> None:
    """Code interview and focus-group transcripts by keyboard, in one SQLite file.

    Every command takes --db PATH (or $CODER_DB; default ./coder.db).
    """
