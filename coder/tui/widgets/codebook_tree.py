"""The codebook as a tree: shortcut, colour swatch, name and this coder's use count."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...models import Code
from ...session import CodingSession
from ...text import clean
from .chips import swatch


def code_label(code: Code, count: int) -> Text:
    label = Text(end="", no_wrap=True, overflow="ellipsis")
    label.append_text(swatch(code))
    label.append(f" {code.shortcut or ' '} ", style=Style(bold=True))
    label.append(clean(code.name))
    if count:
        label.append(f" {count}", style=Style(dim=True))
    return label


class CodebookTree(Tree[int]):
    """Shows the codes; Enter or a double click applies one, moving over one shows its
    definition."""

    def __init__(self, session: CodingSession, *, id: str | None = None) -> None:
        super().__init__(Text("codebook"), id=id)
        self.session = session
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self._code_nodes: dict[int, TreeNode[int]] = {}
        self.rebuild()

    def on_click(self, event: events.Click) -> None:
        """A single click shows a code's definition; a double click (or Enter) applies it."""
        if event.chain >= 2:
            return
        meta = event.style.meta
        if "line" in meta and not meta.get("toggle", False):
            event.prevent_default()
            self.cursor_line = meta["line"]

    def rebuild(self) -> None:
        self.clear()
        self._code_nodes = {}
        session = self.session

        def add(node: TreeNode[int], parent_id: int | None) -> None:
            for code in session.tree.children(parent_id):
                label = code_label(code, session.counts.get(code.id, 0))
                if session.tree.children(code.id):
                    child = node.add(label, data=code.id, expand=True)
                    add(child, code.id)
                else:
                    child = node.add_leaf(label, data=code.id)
                self._code_nodes[code.id] = child

        add(self.root, None)
        self.root.expand()

    def update_count(self, code_id: int) -> None:
        node = self._code_nodes.get(code_id)
        code = self.session.all_codes.get(code_id)
        if node is not None and code is not None:
            node.set_label(code_label(code, self.session.counts.get(code_id, 0)))

    def update_counts(self) -> None:
        for code_id in self._code_nodes:
            self.update_count(code_id)

    def show_code(self, code_id: int) -> None:
        node = self._code_nodes.get(code_id)
        if node is not None:
            self.move_cursor(node, animate=False)
