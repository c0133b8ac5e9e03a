"""The `coder` command: a thin click layer over the library.

Each command parses its arguments, calls library functions and prints. A `CoderError`
becomes one line on stderr and a non-zero exit; nothing else is caught, so real bugs
still show their traceback. Commands are imported only when run (see `lazy.py`).
"""

from __future__ import annotations

import sys
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
    "restore": Lazy(".safety:restore", "Put the content of BACKUP_FILE back into the project."),
    "review": Lazy(".review:review", "Walk through every paragraph where A's and B's codes "
                   "differ, and settle each one."),
    "show": Lazy(".documents:show", "Print a document's numbered paragraphs exactly as stored."),
    "stats": Lazy(".export:stats_command", "Code frequencies, coverage per document and the "
                  "code co-occurrence matrix."),
    "title": Lazy(".documents:title_", "Show or set the title that reports cite DOCUMENT by."),
}


class CoderGroup(LazyGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=CoderGroup, lazy=COMMANDS,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coder")
def main() -> None:
    """Code interview and focus-group transcripts by keyboard, in one SQLite file.

    Every command takes --db PATH (or $CODER_DB; default ./coder.db).
    """
