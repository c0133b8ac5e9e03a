"""Plain-text and Markdown import: the web-derived seeds, speaker turns, Otter exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.ingest import SUPPORTED_SUFFIXES, read_document
from coder.models import ParagraphIn

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"
WEST_MIDLANDS = SEEDS / "west-midlands-evidence-session-2021-03.txt"
PLYMOUTH = SEEDS / "care-leavers-plymouth-blog.txt"
NEWSLETTER = SEEDS / "care-review-newsletter-2021-09.txt"
BRIDGE = SEEDS / "bridge-the-gap-explore-2021-09.txt"
INSTAGRAM = FIXTURES / "instagram-thinkaloud-excerpt.txt"


def texts(paragraphs: list[ParagraphIn]) -> list[str]:
    return [p.text for p in paragraphs]


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_supported_suffixes_name_the_readable_formats() -> None:
    assert {".txt", ".md", ".vtt", ".srt", ".docx", ".pdf"} <= set(SUPPORTED_SUFFIXES)
    assert ".odt" not in SUPPORTED_SUFFIXES


# --- West Midlands session notes (web page turned to text) ---------------------------------


@pytest.fixture(scope="module")
def west_midlands():
    return read_document(WEST_MIDLANDS)


def test_west_midlands_is_plain_text_not_reflowed(west_midlands) -> None:
    assert west_midlands.format == "text"
    source_lines = {line.strip() for line in WEST_MIDLANDS.read_text(encoding="utf-8").splitlines()}
    # one paragraph per source line: nothing was joined
    assert all(p.text in source_lines for p in west_midlands.paragraphs)
    assert not west_midlands.meta.get("furniture")


def test_west_midlands_markdown_link_survives_literally(west_midlands) -> None:
    assert (
        "The APPG held the first online evidence session of the [Spotlight Inquiry](#) in March, "
        "focussing on care and community connections in the West Midlands."
    ) in texts(west_midlands.paragraphs)
    italic = next(p for p in west_midlands.paragraphs if p.text.startswith("The session began"))
    assert italic.text.endswith("*What does the word ‘community’ mean to you?*")


def test_west_midlands_headings(west_midlands) -> None:
    kinds = {p.text: p.kind for p in west_midlands.paragraphs}
    for heading in (
        "West Midlands evidence session notes",
        "Welcome and introductions",
        "Spotlight on... Artslink",
        "Stigma",
        "Leaving care",
        "Thanks and key reflections from attendees",
    ):
        assert kinds[heading] == "heading", heading
    assert kinds["What does the word 'community' mean to you?"] == "text"
    lucy = (
        "Lucy Allan MP, Officer of the APPG, also provided a welcome to all attendees and "
        "shared her thanks in advance to everyone for their contributions to the Inquiry."
    )
    assert kinds[lucy] == "text"


def test_west_midlands_numbered_questions_are_list_items(west_midlands) -> None:
    items = [p.text for p in west_midlands.paragraphs if p.kind == "list"]
    assert [t[:3] for t in items] == ["1. ", "2. ", "3. ", "4. "]
    assert items[2] == (
        "3. How can wider communities be better supported to understand and respect their "
        "care-experienced members?"
    )


def test_west_midlands_table_rows_keep_their_cells(west_midlands) -> None:
    rows = [p for p in west_midlands.paragraphs if p.kind == "table"]
    assert len(rows) == 7
    assert all(len(r.text.split("\t")) == 3 for r in rows)
    assert rows[0].text == (
        "Listen to young care experienced people!\tWe need to find a way to deal with the stigma."
        "\tPhotos taken, or not taken, of young people and consideration that needs to be given "
        "around that."
    )
    assert rows[-1].text == (
        "To be ready for the support young people will need as the lockdown eases\t"
        "It's not one size fits all!\tMore training for those support young people on lived "
        "experience is needed."
    )


def test_west_midlands_quotations(west_midlands) -> None:
    by_text = {p.text: p for p in west_midlands.paragraphs}
    quote = "“some organisations do automatic referrals if a parent is care experienced”"
    assert by_text[quote].kind == "quote"
    assert by_text[quote].speaker is None
    attributed = next(
        p for p in west_midlands.paragraphs if p.text.startswith("“Thanks to everyone")
    )
    assert attributed.text.endswith(
        "(From Josh MacAlister, Chair of the Independent Review of Children’s Social Care)"
    )
    assert attributed.kind == "quote"


# --- Plymouth blog: web boilerplate -------------------------------------------------------


def test_plymouth_blog_boilerplate_is_set_aside_not_dropped() -> None:
    doc = read_document(PLYMOUTH)
    assert doc.format == "text"
    all_text = texts(doc.paragraphs)
    assert "Skip to content" not in all_text
    assert "Related News Articles" not in all_text
    assert doc.meta["furniture"] == [
        {"line": 1, "text": "Skip to content"},
        {"line": 37, "text": "Related News Articles"},
    ]
    assert any("2 line(s)" in w for w in doc.warnings)
    assert all_text[0].startswith("Next week is National Care Leavers Week, a vital time")
    assert all_text[-1] == (
        "What we cannot do is listen to the stories that I heard last week, and think we can carry "
        "on the same. We owe it to children who have been in care and want to change the system, "
        "and to the children in care now, to strive to do much better than that."
    )
    assert (
        "However, these young people were also frustrated – frustrated that they had had to "
        "recount the same stories so many times, to so many people without seeing anything "
        "tangible change in the system." in all_text
    )


# --- Newsletter: bullet list and URLs in angle brackets -----------------------------------


def test_newsletter_contents_list_and_urls() -> None:
    doc = read_document(NEWSLETTER)
    items = [p.text for p in doc.paragraphs if p.kind == "list"]
    assert items == [
        "- Chair's introduction",
        "- Local area deep dives",
        "- Bridge the Gap",
        "- Kinship Care week",
        "- Engaging and listening",
        "- In case you missed it",
    ]
    assert (
        "Please sign up to join the virtual event here: "
        "<https://www.eventbrite.co.uk/e/care-review-focus-on-kinship-care-tickets-177266227057>"
    ) in texts(doc.paragraphs)
    headings = [p.text for p in doc.paragraphs if p.kind == "heading"]
    assert "Local area deep dives" in headings and "Kinship Care Week" in headings


# --- Bridge the Gap report: markdown-ish ---------------------------------------------------


@pytest.fixture(scope="module")
def bridge():
    return read_document(BRIDGE)


def test_bridge_bold_and_bullets_kept_literally(bridge) -> None:
    assert bridge.format == "text"
    all_text = texts(bridge.paragraphs)
    assert (
        "1 **Connect** with each other and the Case for Change, open up a dialogue around it, "
        "gather reactions, and identify gaps."
    ) in all_text
    bullet = next(p for p in bridge.paragraphs if p.text.startswith("- h The system"))
    assert bullet.kind == "list"
    assert bullet.text == (
        "- h The system has a responsibility to reduce the social stigma and discrimination that "
        "care experienced people face."
    )


def test_bridge_tagged_comments_are_quotes_without_speakers(bridge) -> None:
    tagged = next(p for p in bridge.paragraphs if p.text.startswith("\"SW's need clinical"))
    assert tagged.text == '"SW\'s need clinical supervision." (CEA)'
    assert tagged.kind == "quote"
    assert tagged.speaker is None
    assert not any(p.speaker for p in bridge.paragraphs)


def test_bridge_two_line_block_stays_one_paragraph(bridge) -> None:
    assert (
        '"Standard higher uni offer e.g. waver of fees, bursaries\n'
        'Young people to know higher education is an option and be encouraged to do this."'
    ) in texts(bridge.paragraphs)


def test_bridge_section_headings(bridge) -> None:
    headings = [p.text for p in bridge.paragraphs if p.kind == "heading"]
    for heading in (
        "Executive Summary",
        "1 The Context",
        "I Institutional",
        "2 Process",
        "3 Social",
        "Further Ideas for change",
    ):
        assert heading in headings
    assert "www.communitycolab.co.uk" not in headings


# --- The Instagram think-aloud excerpt ---------------------------------------------------


@pytest.fixture(scope="module")
def instagram():
    return read_document(INSTAGRAM)


def test_instagram_speakers(instagram) -> None:
    assert instagram.format == "turns"
    assert {p.speaker for p in instagram.paragraphs if p.speaker} == {"Rose", "Hattie", "R"}


def test_instagram_labels_are_cut_from_the_text(instagram) -> None:
    by_text = {p.text: p for p in instagram.paragraphs}
    assert by_text["Where there any posts that really stood out to you?"].speaker == "R"
    assert by_text["… Yeah."].speaker == "Hattie"
    assert by_text["Um, the Ellen Show"].speaker == "Rose"
    assert by_text["Um, the Ellen Show"].kind == "text"
    assert not any(p.text.startswith(("Rose:", "Hattie:", "R:")) for p in instagram.paragraphs)


def test_instagram_annotations_are_not_speakers(instagram) -> None:
    notes = [
        p
        for p in instagram.paragraphs
        if p.text.startswith(("Image description:", "Post description:"))
    ]
    assert len(notes) >= 20
    assert all(n.speaker is None for n in notes)
    assert "Image description: meme painting of skeleton with words above it." in texts(notes)


def test_instagram_sections_and_bracketed_insertions(instagram) -> None:
    kinds = [(p.text, p.kind) for p in instagram.paragraphs]
    assert ("Participant 3", "heading") in kinds
    assert ("Feed – Retrospective", "heading") in kinds
    looking = next(p for p in instagram.paragraphs if "[Looking]" in p.text)
    assert looking.speaker == "Hattie"
    assert "So, I am just like being nosy. [Looking] At what type of clothes" in looking.text
    header = instagram.paragraphs[0]
    assert header.text.startswith("Source: https://figshare.com/")
    assert header.speaker is None


# --- Speaker label rules (B.1) ---------------------------------------------------------------


def test_label_forms_and_times(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "forms.txt",
        "INTERVIEWER (KB): Hello.\n\n"
        "Speaker 2 (00:01:05): Timed after the name.\n\n"
        "[00:01:23] Speaker 1: Timed before the name.\n\n"
        "INTERVIEWER (KB): Again.\n\n"
        "Speaker 2 (00:02:00): Once more.\n\n"
        "[00:02:10] Speaker 1: And again.\n",
    )
    doc = read_document(path)
    assert doc.format == "turns"
    got = [(p.speaker, p.text, p.start_time) for p in doc.paragraphs]
    assert got == [
        ("INTERVIEWER (KB)", "Hello.", None),
        ("Speaker 2", "Timed after the name.", 65.0),
        ("Speaker 1", "Timed before the name.", 83.0),
        ("INTERVIEWER (KB)", "Again.", None),
        ("Speaker 2", "Once more.", 120.0),
        ("Speaker 1", "And again.", 130.0),
    ]


def test_single_colon_prefixes_are_not_speakers_and_continuations_inherit(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "turns.txt",
        "Interviewer: When you left care, who was still around?\n\n"
        "P1: Nobody, really.\n\n"
        "Honestly: it was the loneliest year of my life.\n\n"
        "And then the money ran out too.\n\n"
        "INTERVIEWER: What about your PA?\n\n"
        "Note: P1 became upset here.\n\n"
        "P1: She tried.\n",
    )
    doc = read_document(path)
    got = [(p.speaker, p.text) for p in doc.paragraphs]
    assert got == [
        ("Interviewer", "When you left care, who was still around?"),
        ("P1", "Nobody, really."),
        ("P1", "Honestly: it was the loneliest year of my life."),
        ("P1", "And then the money ran out too."),
        ("Interviewer", "What about your PA?"),  # one speaker, spelled as first seen
        (None, "Note: P1 became upset here."),
        ("P1", "She tried."),
    ]


def test_prose_with_colons_has_no_speakers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "prose.txt",
        "At 10:30 on Monday we met.\n\nSee https://example.org: it explains.\n\n"
        "Key point: support drops off.\n\nAnother thing: nobody calls.\n",
    )
    doc = read_document(path)
    assert doc.format == "text"
    assert all(p.speaker is None for p in doc.paragraphs)
    assert texts(doc.paragraphs)[0] == "At 10:30 on Monday we met."


def test_typed_transcript_without_blank_lines_splits_at_each_turn(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "compact.txt",
        "R: First question?\nRose: First answer.\nR: Second question?\nRose: Second answer.\n",
    )
    doc = read_document(path)
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [
        ("R", "First question?"),
        ("Rose", "First answer."),
        ("R", "Second question?"),
        ("Rose", "Second answer."),
    ]


def test_otter_export(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "otter.txt",
        "Alex Reid  0:03  \nSo tell me about leaving care.\n\n"
        "Jordan  0:15  \nIt was fast.\nReally fast.\n\n"
        "Jordan  1:02:07  \nThen nothing.\n\n"
        "0:52  \nHard to hear this one.\n\n"
        "Transcribed by https://otter.ai\n",
    )
    doc = read_document(path)
    assert doc.format == "turns"
    assert [(p.speaker, p.start_time, p.text) for p in doc.paragraphs] == [
        ("Alex Reid", 3.0, "So tell me about leaving care."),
        ("Jordan", 15.0, "It was fast.\nReally fast."),
        ("Jordan", 3727.0, "Then nothing."),
        (None, 52.0, "Hard to hear this one."),
    ]
    assert doc.meta["furniture"] == [{"line": 14, "text": "Transcribed by https://otter.ai"}]
    assert doc.warnings


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_structure(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "notes.md",
        "# Session notes\n\n"
        "Intro with **bold**, *italics* and [Spotlight Inquiry](#).\n\n"
        "Sub heading\n-----------\n\n"
        "- one\n- two\n  continued\n\n"
        "> quoted line one\n> quoted line two\n\n"
        "| Theme | Count |\n|---|---|\n| Stigma | 3 |\n",
    )
    doc = read_document(path)
    assert doc.format == "markdown"
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("heading", "Session notes"),
        ("text", "Intro with **bold**, *italics* and [Spotlight Inquiry](#)."),
        ("heading", "Sub heading"),
        ("list", "- one"),
        ("list", "- two\n  continued"),
        ("quote", "quoted line one\nquoted line two"),
        ("table", "| Theme | Count |"),
        ("table", "| Stigma | 3 |"),
    ]
    assert doc.paragraphs[0].meta["level"] == 1
    assert doc.paragraphs[6].meta["separator"] == "|---|---|"


def test_format_can_be_forced(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt", "# Title\n\nBody text here.\n")
    assert read_document(path, format="markdown").format == "markdown"
    assert read_document(path).format == "text"


def test_a_name_label_heard_once_does_not_inherit_the_previous_speaker(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hearing.txt",
        "Interviewer: How are you?\n\nSpeaker 3: Fine thanks.\n\n"
        "Interviewer: And then?\n\nSpeaker 3: Then I left.\n\nMS. SMITH: Objection.\n\n"
        "Sustained, for the record.\n",
    )
    doc = read_document(path)
    assert [(p.speaker, p.text) for p in doc.paragraphs][-2:] == [
        (None, "MS. SMITH: Objection."),
        (None, "Sustained, for the record."),
    ]


def test_role_label_with_initials_is_a_speaker_even_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "kb.txt",
        "INTERVIEWER (KB): Hello there.\n\nP1: Hi.\n\nInterviewer: Next question.\n\nP1: Sure.\n",
    )
    doc = read_document(path)
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [
        ("INTERVIEWER (KB)", "Hello there."),
        ("P1", "Hi."),
        ("Interviewer", "Next question."),
        ("P1", "Sure."),
    ]


def test_a_tab_in_a_speaker_turn_keeps_the_speaker(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tab.txt",
        "Bob: Tab\there and \x0bthere.\n\nAnn: Yes.\n\nBob: Again.\n\nAnn: Ok.\n",
    )
    doc = read_document(path)
    first = doc.paragraphs[0]
    assert (first.speaker, first.kind, first.text) == (
        "Bob", "text", "Tab\there and \x0bthere."
    )


def test_import_lists_the_speakers_found_with_their_turns(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coder.cli import main

    path = write(
        tmp_path,
        "turns.txt",
        "Interviewer: Hello.\n\nP1: Hi.\n\nStill me, a second paragraph.\n\n"
        "Interviewer: And?\n\nP1: Done.\n\nMS. SMITH: Objection.\n",
    )
    db = tmp_path / "p.db"
    result = CliRunner().invoke(main, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "  speakers: Interviewer (2), P1 (2)\n" in result.stdout
    shown = CliRunner().invoke(main, ["show", "turns", "--json", "--db", str(db)])
    speakers = [p["speaker"] for p in json.loads(shown.stdout)]
    assert speakers == ["Interviewer", "P1", "P1", "Interviewer", "P1", None]


def test_speaker_labels_are_one_speaker_whatever_their_case_and_unknown_is_none(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path, "turns.txt",
        "INTERVIEWER: When did you leave care?\n\n"
        "P1: At eighteen.\n\n"
        "Interviewer: And then?\n\n"
        "p1: A flat on my own.\n\n"
        "Unknown Speaker: Sorry, wrong room.\n\n"
        "Unknown Speaker: Carry on.\n",
    )
    doc = read_document(path)
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [
        ("INTERVIEWER", "When did you leave care?"),
        ("P1", "At eighteen."),
        ("INTERVIEWER", "And then?"),
        ("P1", "A flat on my own."),
        (None, "Sorry, wrong room."),
        (None, "Carry on."),
    ]


def test_otter_unknown_speaker_header_is_no_speaker(tmp_path: Path) -> None:
    path = write(
        tmp_path, "otter.txt",
        "Alex Reid  0:03\nSo what happened next?\n\n"
        "Unknown Speaker  0:09\nIs this the right room?\n\n"
        "Alex Reid  0:12\nIt is.\n",
    )
    doc = read_document(path)
    assert [(p.speaker, p.text, p.start_time) for p in doc.paragraphs] == [
        ("Alex Reid", "So what happened next?", 3.0),
        (None, "Is this the right room?", 9.0),
        ("Alex Reid", "It is.", 12.0),
    ]


def test_a_footnote_after_a_turn_is_not_the_speakers(tmp_path: Path) -> None:
    path = write(
        tmp_path, "turns.txt",
        "Interviewer: Who helped?\n\n"
        "P1: My PA, mostly.[1]\n\n"
        "P1: And my nan.\n\n"
        "[1] Personal adviser, a role set up by the Children (Leaving Care) Act 2000.\n\n"
        "[^2]: Transcribed from the recording.\n\n"
        "\u00b3 Names changed.\n",
    )
    doc = read_document(path)
    assert [p.speaker for p in doc.paragraphs] == ["Interviewer", "P1", "P1", None, None, None]
