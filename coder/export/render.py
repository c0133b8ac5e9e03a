"""Text into Markdown, HTML and Word without changing a character a reader sees.

Transcripts contain everything a markup language treats as syntax: `[Spotlight Inquiry](#)`,
`*bold*`, `<angle brackets>`, numbered lines, leading spaces. Each helper here escapes so that
the rendered document shows the stored text exactly; Word gets real styles (Title, Heading n,
Quote) so a report drops into a thesis template.

The Word builder writes paragraphs as raw WordprocessingML and appends them in one go: python-docx
looks up the section properties on every `add_paragraph`, which makes a 100,000-quote report
quadratic.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from .scope import xml_safe

# ── Markdown ───────────────────────────────────────────────────────────────────

_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>&|~])")
_MD_LINE_START = re.compile(r"^([#+\-=>])|^(\d{1,9})([.)])")
_LINES = re.compile(r"\r\n|\r|\n")


def _md_line(line: str) -> str:
    lead = len(line) - len(line.lstrip())
    trail = len(line) - len(line.rstrip()) if line.strip() else 0
    body = line[lead: len(line) - trail] if line.strip() else ""
    body = _MD_ANYWHERE.sub(r"\\\1", body)
    body = _MD_LINE_START.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), body
    )
    head = "".join(f"&#{ord(ch)};" for ch in line[:lead])
    tail = "".join(f"&#{ord(ch)};" for ch in line[len(line) - trail:]) if trail else ""
    return head + body + tail


def md_text(text: str) -> str:
    """One Markdown paragraph that renders as `text`, every line break a hard break.

    Line breaks at the very end are left out: Markdown cannot end a paragraph with one.
    """
    return "\\\n".join(_md_line(line) for line in _LINES.split(text.rstrip("\r\n")))


def md_blockquote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in md_text(text).split("\n"))


def md_heading(text: str, level: int) -> str:
    return "#" * max(1, min(level, 6)) + " " + _md_line(" ".join(text.split()))


# ── HTML ───────────────────────────────────────────────────────────────────────


def h(text: str) -> str:
    """Escaped for HTML text or attribute values; CR kept as a character reference, since an
    HTML parser folds a literal CR into LF."""
    return html.escape(text.replace("\x00", "\ufffd"), quote=True).replace("\r", "&#13;")


HTML_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto;
       padding: 0 1em; line-height: 1.5; color: #222; }
h1, h2, h3, h4, h5, h6 { font-family: system-ui, sans-serif; line-height: 1.25; }
.meta, .counts { color: #555; font-size: 0.95em; }
.definition { font-style: italic; }
blockquote { margin: 1em 0 1em 1.5em; padding-left: 1em; border-left: 3px solid #bbb; }
.quote, .text { white-space: pre-wrap; }
cite { font-style: normal; color: #555; }
.memo { margin-left: 2.5em; font-size: 0.95em; color: #333; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
          margin-right: 0.4em; vertical-align: baseline; }
dt { font-weight: bold; margin-top: 0.5em; }
table { border-collapse: collapse; } td, th { padding: 0.2em 0.6em; border: 1px solid #ddd; }
""".strip()


def html_page(title: str, body: Iterable[str]) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{h(title)}</title>\n<style>\n{HTML_STYLE}\n</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


# ── Word ───────────────────────────────────────────────────────────────────────

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_RUN_BREAKS = re.compile(r"(\t|\r\n|\r|\n)")


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


PAGE_SIZES = ("a4", "letter")
# Where Letter is the paper in use (glibc's LC_PAPER tables); everywhere else, A4.
_LETTER_COUNTRIES = frozenset("US CA MX PH PR CL CO VE CR GT PA DO SV NI BZ".split())
_LOCALE_COUNTRY = re.compile(r"^[A-Za-z]{2,3}_([A-Za-z]{2})\b")


def page_size_for_locale(environ: Mapping[str, str]) -> str:
    """`letter` where the locale's country uses it (en_US, fr_CA, es_MX ...), else `a4`.

    The variables are read in POSIX order (LC_ALL, then LC_PAPER, then LANG): the first one set
    decides, and a locale without a country (C, POSIX) means A4, the paper most of the world uses.
    """
    for name in ("LC_ALL", "LC_PAPER", "LANG"):
        value = environ.get(name)
        if value:
            match = _LOCALE_COUNTRY.match(value)
            return "letter" if match and match.group(1).upper() in _LETTER_COUNTRIES else "a4"
    return "a4"


class DocxBuilder:
    """A Word document built from the default template's styles, paragraph by paragraph.

    Characters XML cannot hold (form feeds from PDF text) become U+FFFD; `replaced` counts them
    so the caller can say so. The template's own properties (author "python-docx", a 2013 date,
    US Letter pages) are replaced: Word shows the author in File > Info and prints on the page
    size, so both must be the researcher's.
    """

    def __init__(self, *, author: str, page_size: str) -> None:
        import docx
        from docx.shared import Inches, Mm

        if page_size not in PAGE_SIZES:
            raise ValueError(f"page size {page_size!r} is not one of {PAGE_SIZES}")
        self.doc = docx.Document()
        props = self.doc.core_properties
        props.author = props.last_modified_by = xml_safe(author)
        props.comments = ""
        props.created = props.modified = datetime.now(UTC).replace(microsecond=0)
        width, height = (Mm(210), Mm(297)) if page_size == "a4" else (Inches(8.5), Inches(11))
        for section in self.doc.sections:
            section.page_width, section.page_height = width, height
        self._style_ids: dict[str, str] = {}
        self._paragraphs: list[etree._Element] = []
        self.replaced = 0

    def _style_id(self, name: str) -> str:
        if name not in self._style_ids:
            self._style_ids[name] = self.doc.styles[name].style_id
        return self._style_ids[name]

    def paragraph(
        self,
        runs: str | Iterable[tuple[str, str]],
        style: str | None = None,
    ) -> None:
        """A paragraph of runs; each run is (text, format) with format "", "b", "i" or "bi"."""
        p = etree.Element(_w("p"))
        if style:
            ppr = etree.SubElement(p, _w("pPr"))
            etree.SubElement(ppr, _w("pStyle")).set(_w("val"), self._style_id(style))
        for text, fmt in ([(runs, "")] if isinstance(runs, str) else runs):
            self._run(p, text, fmt)
        self._paragraphs.append(p)

    def heading(self, text: str, level: int) -> None:
        self.paragraph(" ".join(text.split()), f"Heading {max(1, min(level, 9))}")

    def _run(self, p: etree._Element, text: str, fmt: str) -> None:
        if not text:
            return
        safe = xml_safe(text)
        if safe != text:
            self.replaced += sum(1 for a, b in zip(text, safe) if a != b)
        r = etree.SubElement(p, _w("r"))
        if fmt:
            rpr = etree.SubElement(r, _w("rPr"))
            if "b" in fmt:
                etree.SubElement(rpr, _w("b"))
            if "i" in fmt:
                etree.SubElement(rpr, _w("i"))
        for piece in _RUN_BREAKS.split(safe):
            if not piece:
                continue
            if piece == "\t":
                etree.SubElement(r, _w("tab"))
            elif piece in ("\n", "\r", "\r\n"):
                etree.SubElement(r, _w("br"))
            else:
                t = etree.SubElement(r, _w("t"))
                t.text = piece
                t.set(_XML_SPACE, "preserve")

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
        """A grid-lined table with a bold header row repeated on each page, placed after the
        paragraphs so far (python-docx appends tables at once, paragraphs wait for `save`)."""
        from docx.oxml import OxmlElement

        body = list(rows)
        table = self.doc.add_table(rows=1 + len(body), cols=len(header))
        table.style = self.doc.styles["Table Grid"]
        for i, (row, values) in enumerate(zip(table.rows, [header, *body])):
            for cell, value in zip(row.cells, values):
                self._run(cell.paragraphs[0]._p, value, "" if i else "b")
        header_props = table.rows[0]._tr.get_or_add_trPr()
        header_props.append(OxmlElement("w:tblHeader"))
        element = table._tbl
        element.getparent().remove(element)
        self._paragraphs.append(element)

    def set_title(self, title: str) -> None:
        self.doc.core_properties.title = xml_safe(title)

    def save(self, path: Path) -> None:
        body = self.doc.element.body
        sect = body.sectPr
        if sect is not None:
            body.remove(sect)
        body.extend(self._paragraphs)
        if sect is not None:
            body.append(sect)
        self._paragraphs = []
        self.doc.save(str(path))
