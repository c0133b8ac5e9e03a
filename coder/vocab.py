"""The words `coder` stores and compares: statuses, paragraph kinds, undo steps, event kinds.

Each is a `StrEnum`, so a member equals the bare string stored in the project file
(`DocumentStatus.DONE == "done"`) and files written before these types existed read the
same. A typo in a member name fails at import; a typo in a bare string fails silently.
"""

from __future__ import annotations

from enum import StrEnum

DEFAULT_CONSENSUS = "consensus"
"""The coder a review writes its decisions to unless told another name (`coder review --as`)."""


class DocumentStatus(StrEnum):
    """One coder's progress through one document (`document_status.status`)."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"


class ParagraphKind(StrEnum):
    """What an importer found a paragraph to be (`paragraphs.kind`)."""

    TEXT = "text"
    HEADING = "heading"
    LIST = "list"
    TABLE = "table"
    QUOTE = "quote"


class UndoKind(StrEnum):
    """One step of a coder's undo history (`actions.kind`)."""

    ADD = "add"
    REMOVE = "remove"
    SEGMENT_MEMO = "segment memo"
    PARAGRAPH_MEMO = "paragraph memo"
    STATUS = "status"
    REPLACE = "replace"
    """A sub-code of an exclusive group put in the place of its siblings on one paragraph."""
    CODEBOOK_EDIT = "codebook edit"
    RECHECK = "recheck"
    CONFIRM = "confirm"
    AUTOCODE = "autocode"


class UndoState(StrEnum):
    """Where a step stands (`actions.state`): done, undone (redo brings it back), or
    discarded (a new action after an undo, or a re-import that took its text away)."""

    DONE = "done"
    UNDONE = "undone"
    DISCARDED = "discarded"


class EventKind(StrEnum):
    """What the project's history records (`events.kind`)."""

    IMPORT = "import"
    REIMPORT = "reimport"
    DOCUMENT_TITLE = "document title"
    RESTORE = "restore"
    CODEBOOK = "codebook"
    CODE_ADDED = "code added"
    CODES_ADDED = "codes added"
    CODEBOOK_EDIT = "codebook edit"
    CODINGS_IMPORT = "codings import"
    REFI_IMPORT = "refi import"
    MERGE = "merge"
    REVIEW_DECISION = "review decision"
    REVIEW_AGREED = "review agreed"
    ATTRIBUTE_DECLARED = "attribute declared"
    ATTRIBUTE_SET = "attribute set"
    ATTRIBUTES_IMPORT = "attributes import"
    CASE_ADDED = "case added"
    CASE_LINKED = "case linked"
    CODE_REVISED = "code revised"
    RECHECK = "recheck"
    CONFIRM = "confirm"
    AUTOCODE = "autocode"


class AttributeType(StrEnum):
    """What values an attribute takes (`attributes.type`), declared once per attribute."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    YES_NO = "yes/no"


class RecheckDecision(StrEnum):
    """What a coder decides about a coding made under an older meaning of its code."""

    KEEP = "keep"
    REMOVE = "remove"
    MOVE = "move"
