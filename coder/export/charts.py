"""Charts for the write-up: inline SVG for the HTML report, block-character bars for text.

Drawn here rather than by a plotting library: matplotlib is far too heavy to import from a CLI,
and pygal's charts load their tooltips from a script on the network by default and tell series
apart by colour alone. What a report needs is two small pictures (a horizontal bar chart and a
shaded grid) that print on a grey-only printer, need no script or network, carry their numbers
as text, and say what they show to a screen reader (`<title>`, `<desc>`, `role="img"`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..code_matrix import shade_level
from .render import h
from .scope import xml_safe

EIGHTHS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589\u2588"

# Grey fills by shade level (see code_matrix.shade): white for none, darkest for the top
# quarter. The ink of the number in a cell flips to white where the fill gets dark.
GREYS = ("#ffffff", "#e4e4e4", "#b8b8b8", "#7a7a7a", "#3a3a3a")
_INK = ("#666666", "#000000", "#000000", "#ffffff", "#ffffff")

_ROW = 22
_CHAR = 7  # a rough width of one character at the chart's font size
_LABEL_CHARS = 40
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def text_bar(value: int, top: int, width: int = 20) -> str:
    """`value` as a run of block characters, `width` cells for `top`, in eighths of a cell:
    a bar that reads in any terminal or Word table, in print and without colour."""
    if value <= 0 or top <= 0:
        return ""
    eighths = max(1, round(8 * width * value / top))
    full, part = divmod(eighths, 8)
    return EIGHTHS[8] * full + (EIGHTHS[part] if part else "")


@dataclass(frozen=True)
class Row:
    """A labelled row of a chart; `depth` indents a sub-code under its parent."""

    label: str
    depth: int = 0


def _short(label: str, room: int = _LABEL_CHARS) -> str:
    label = " ".join(xml_safe(label).split())
    return label if len(label) <= room else label[: room - 1] + "\u2026"


def _svg(chart_id: str, width: int, height: int, title: str, desc: str,
         body: list[str]) -> str:
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {_FONT}>',
        f'<title id="{chart_id}-title">{h(xml_safe(title))}</title>',
        f'<desc id="{chart_id}-desc">{h(xml_safe(desc))}</desc>',
        *body,
        "</svg>",
    ])


def _label_width(rows: Sequence[Row]) -> int:
    longest = max((2 * r.depth + len(_short(r.label)) for r in rows), default=4)
    return _CHAR * longest + 12


def bar_chart(chart_id: str, title: str, rows: Sequence[Row], values: Sequence[int],
              *, unit: str) -> str:
    """Horizontal bars, one per row, each with its count written at its end."""
    label_w = _label_width(rows)
    bar_w = 360
    top = max(values, default=0)
    width = label_w + bar_w + 8 * _CHAR
    height = _ROW * len(rows) + 8
    body = []
    for i, (row, value) in enumerate(zip(rows, values)):
        y = 4 + i * _ROW
        length = round(bar_w * value / top) if top else 0
        full = f"{row.label}: {value} {unit}"
        body += [
            f'<g class="row" data-label="{h(xml_safe(row.label))}" data-value="{value}">',
            f"<title>{h(xml_safe(full))}</title>",
            f'<text class="label" x="{6 + _CHAR * 2 * row.depth}" y="{y + 15}">'
            f"{h(_short(row.label))}</text>",
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length}" height="{_ROW - 6}" '
            'fill="#4d4d4d" stroke="#000000" stroke-width="0.5"/>',
            f'<text class="value" x="{label_w + length + 5}" y="{y + 15}">{value}</text>',
            "</g>",
        ]
    desc = f"Horizontal bar chart of {unit} per code: " + "; ".join(
        f"{row.label} {value}" for row, value in zip(rows, values)) + "."
    return _svg(chart_id, width, height, title, desc, body)


def matrix_chart(chart_id: str, title: str, rows: Sequence[Row], columns: Sequence[str],
                 cells: Sequence[Sequence[int]], *, unit: str) -> str:
    """A grid of counts, rows by columns, each cell shaded grey by its quarter of the
    largest cell (the app's matrix ramp) with its number written in it."""
    label_w = _label_width(rows)
    col_w = [max(56, min(150, _CHAR * len(_short(c, 20)) + 14)) for c in columns]
    lefts = [label_w + sum(col_w[:j]) for j in range(len(columns))]
    head = 2 * _ROW
    top = max((v for line in cells for v in line), default=0)
    width = label_w + sum(col_w) + 4
    height = head + _ROW * len(rows) + 2 * _ROW
    body = ['<g class="columns">']
    for j, column in enumerate(columns):
        body.append(f'<text class="column" x="{lefts[j] + col_w[j] / 2:g}" y="{head - 8}" '
                    f'text-anchor="middle" font-weight="bold">'
                    f"<title>{h(xml_safe(column))}</title>{h(_short(column, 20))}</text>")
    body.append("</g>")
    for i, (row, line) in enumerate(zip(rows, cells)):
        y = head + i * _ROW
        body.append(f'<g class="row" data-label="{h(xml_safe(row.label))}">')
        body.append(f'<text class="label" x="{6 + _CHAR * 2 * row.depth}" y="{y + 15}">'
                    f"{h(_short(row.label))}</text>")
        for j, value in enumerate(line):
            level = shade_level(value, top)
            say = f"{row.label}, {columns[j]}: {value} {unit}"
            body += [
                f'<g class="cell" data-column="{h(xml_safe(columns[j]))}" data-value="{value}">',
                f"<title>{h(xml_safe(say))}</title>",
                f'<rect x="{lefts[j]}" y="{y}" width="{col_w[j]}" height="{_ROW}" '
                f'fill="{GREYS[level]}" stroke="#999999" stroke-width="0.5"/>',
                f'<text class="value" x="{lefts[j] + col_w[j] / 2:g}" y="{y + 15}" '
                f'text-anchor="middle" fill="{_INK[level]}">{value}</text>',
                "</g>",
            ]
        body.append("</g>")
    key_y = head + _ROW * len(rows) + 10
    body.append(f'<g class="key"><text x="6" y="{key_y + 12}">shade: none, then up to \u00bc, '
                f"\u00bd, \u00be, all of {top}</text>")
    for level, grey in enumerate(GREYS):
        x = label_w + level * 30
        body.append(f'<rect x="{x}" y="{key_y}" width="24" height="16" fill="{grey}" '
                    'stroke="#999999" stroke-width="0.5"/>')
    body.append("</g>")
    desc = (f"Table of {unit} per code (rows) and {', '.join(columns)} (columns), each cell "
            "shaded darker the larger its count: " + "; ".join(
                f"{row.label}: " + ", ".join(f"{c} {v}" for c, v in zip(columns, line))
                for row, line in zip(rows, cells)) + ".")
    return _svg(chart_id, width, height, title, desc, body)
