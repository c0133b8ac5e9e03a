"""Coding many at once: every hit of a search, a regular expression or a speaker.

Such codings are kept apart from those made by hand: each carries the rule that made it,
and agreement leaves it out until its coder has looked at it and confirmed it. The whole
run is one undo step, and the hits are shown before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import CoderError
from .store import Store
from .vocab import ParagraphKind


@dataclass(frozen=True)
class Hit:
    """A paragraph (start and end None) or the matched words of one, to be coded."""

    document: str
    n: int
    paragraph_id: int
    speaker: str | None
    text: str
    start: int | None
    end: int | None

    @property
    def quote(self) -> str:
        return self.text if self.start is None else self.text[self.start : self.end]


@dataclass(frozen=True)
class Rule:
    """What to code: text (case-insensitive) or a regular expression, optionally only one
    speaker's turns; the whole paragraph, or only the matched words."""

    search: str | None = None
    regex: str | None = None
    words: bool = False
    speaker: str | None = None

    def pattern(self) -> re.Pattern[str] | None:
        if self.search is not None and self.regex is not None:
            raise CoderError("give --search or --regex, not both")
        if self.search is not None:
            if not self.search.strip():
                raise CoderError("the search text is empty")
            return re.compile(re.escape(self.search), re.IGNORECASE)
        if self.regex is not None:
            try:
                return re.compile(self.regex)
            except re.error as exc:
                raise CoderError(f"not a regular expression: {self.regex!r} ({exc})") from None
        if self.speaker is None:
            raise CoderError("say what to code: --search TEXT, --regex RE or --speaker NAME")
        if self.words:
            raise CoderError("--words needs --search or --regex (a speaker has no words to mark)")
        return None

    def describe(self) -> str:
        """The rule as stored with each coding it made and shown beside it."""
        parts = []
        if self.search is not None:
            parts.append(f"search {self.search!r}")
        if self.regex is not None:
            parts.append(f"regex {self.regex!r}")
        if self.speaker is not None:
            parts.append(f"speaker {self.speaker!r}")
        if self.words:
            parts.append("matched words")
        return ", ".join(parts)


def find_hits(store: Store, rule: Rule) -> list[Hit]:
    """Every hit of the rule in the current documents, in reading order; headings are
    never coded by a rule (they name a section, they say nothing)."""
    pattern = rule.pattern()
    speakers: set[str] = set()
    hits: list[Hit] = []
    for doc in store.documents():
        for p in store.paragraphs(doc.id):
            if p.speaker:
                speakers.add(p.speaker)
            if p.kind == ParagraphKind.HEADING:
                continue
            if rule.speaker is not None and p.speaker != rule.speaker:
                continue
            if pattern is None:
                hits.append(Hit(doc.name, p.n, p.id, p.speaker, p.text, None, None))
                continue
            matches = [m for m in pattern.finditer(p.text) if m.end() > m.start()]
            if not matches:
                continue
            if rule.words:
                hits.extend(Hit(doc.name, p.n, p.id, p.speaker, p.text, m.start(), m.end())
                            for m in matches)
            else:
                hits.append(Hit(doc.name, p.n, p.id, p.speaker, p.text, None, None))
    if rule.speaker is not None and rule.speaker not in speakers:
        known = ", ".join(sorted(speakers)) or "none"
        raise CoderError(f"no paragraph has the speaker {rule.speaker!r} (speakers: {known})")
    return hits


def apply_hits(
    store: Store, code: str, coder: str, hits: list[Hit], rule: Rule
) -> tuple[list[int], int]:
    """Code the hits as automatic codings of `coder`, one undo step; (new segment ids,
    hits this coder had coded so already)."""
    found = store.resolve_code(code)
    if found is None:
        raise CoderError(f"no code with key {code!r} in this project")
    if not hits:
        raise CoderError("nothing matches, so nothing was coded")
    return store.autocode(store.coder_id(coder), found.id,
                          [(h.paragraph_id, h.start, h.end) for h in hits], rule.describe())


def confirm(store: Store, coder: str, segment_ids: list[int]) -> int:
    """Confirm these automatic codings of `coder` one by one (each its own undo step);
    returns how many were still unconfirmed."""
    coder_id = store.coder_id(coder, create=False)
    pending = {s["id"] for s in store.automatic_segments(coder_id=coder_id)}
    unknown = [i for i in segment_ids if i not in pending]
    if unknown:
        raise CoderError(
            f"not an unconfirmed automatic coding of {coder}: {', '.join(map(str, unknown))}")
    for seg_id in segment_ids:
        store.confirm_segment(coder_id, seg_id)
    return len(segment_ids)
