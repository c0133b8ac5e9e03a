"""WebVTT and SRT import: speakers, merging of cues into turns, times (guide B.2, B.3, B.7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.errors import CoderError
from coder.ingest import read_document

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest" / "webvtt-py"

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Alex Reid: Thanks for joining &amp; welcome.

2
00:00:04.500 --> 00:00:07.000
Alex Reid: When you left care, who was
still around for you?

3
00:00:07.200 --> 00:00:08.000
Sam: Mm-hmm.

4
00:00:08.200 --> 00:00:12.000
[door closes]

5
00:00:12.500 --> 00:00:15.000
Sam: Honestly: nobody. My PA &lt;sometimes&gt;.

6
00:00:15.000 --> 00:00:18.250
Sam: People hear care and assume.
"""

TEAMS = """WEBVTT

a1b2/17-0
00:00:00.000 --> 00:00:03.000
<v Alex Reid (Guest)>So what happened next?</v>

a1b2/18-0
00:00:03.000 --> 00:00:05.000
<v Speaker 1>I moved to a flat.</v>

a1b2/18-1
00:00:05.000 --> 00:00:07.000
<v Speaker 1>On my own, at eighteen.

a1b2/19-0
00:00:07.000 --> 00:00:08.000
<v Alex Reid (Guest)>Right.</v> <v Speaker 1>Yeah.</v>

a1b2/20-0
00:00:20.000 --> 00:00:22.000
<v.loud Speaker 1>After a long pause.</v>
"""


def write(tmp_path: Path, name: str, content: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def summary(doc) -> list[tuple]:
    return [(p.speaker, p.text, p.start_time, p.end_time, p.meta["cues"]) for p in doc.paragraphs]


def test_zoom_style_name_prefixes(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "zoom.vtt", ZOOM))
    assert doc.format == "vtt"
    assert summary(doc) == [
        (
            "Alex Reid",
            "Thanks for joining & welcome. When you left care, who was still around for you?",
            1.0,
            7.0,
            [1, 2],
        ),
        ("Sam", "Mm-hmm.", 7.2, 8.0, [3]),
        (None, "[door closes]", 8.2, 12.0, [4]),
        (
            "Sam",
            "Honestly: nobody. My PA <sometimes>. People hear care and assume.",
            12.5,
            18.25,
            [5, 6],
        ),
    ]
    assert doc.paragraphs[0].meta["cue_ids"] == ["1", "2"]


def test_teams_style_voices(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "teams.vtt", TEAMS))
    assert summary(doc) == [
        ("Alex Reid (Guest)", "So what happened next?", 0.0, 3.0, [1]),
        ("Speaker 1", "I moved to a flat. On my own, at eighteen.", 3.0, 7.0, [2, 3]),
        ("Alex Reid (Guest)", "Right.", 7.0, 8.0, [4]),
        ("Speaker 1", "Yeah.", 7.0, 8.0, [4]),
        ("Speaker 1", "After a long pause.", 20.0, 22.0, [5]),
    ]
    assert doc.paragraphs[1].meta["cue_ids"] == ["a1b2/18-0", "a1b2/18-1"]


def test_a_single_prefix_is_not_a_speaker(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHonestly: it was hard.\n\n"
        "00:00:02.000 --> 00:00:03.000\nNobody came.\n"
    )
    doc = read_document(write(tmp_path, "one.vtt", vtt))
    assert summary(doc) == [(None, "Honestly: it was hard. Nobody came.", 1.0, 3.0, [1, 2])]


def test_srt_with_crlf_bom_and_tags(tmp_path: Path) -> None:
    srt = (
        "1\r\n00:00:01,000 --> 00:00:02,500\r\nP1: <i>Hello</i> there.\r\n\r\n"
        "2\r\n00:00:02,500 --> 00:00:04,000\r\nP1: Still me.\r\n\r\n"
        '3\r\n00:00:04,100 --> 00:00:05,000\r\n<font color="#fff">P2:</font> Me now.\r\n\r\n'
        "4\r\n00:00:05,000 --> 00:00:06,000\r\n- Two voices.\r\n- In one cue.\r\n\r\n"
        "5\r\n00:00:06,000 --> 00:00:07,000\r\nP2: Back.\r\n"
    )
    doc = read_document(write(tmp_path, "clip.srt", "\ufeff" + srt))
    assert doc.format == "srt"
    assert summary(doc) == [
        ("P1", "Hello there. Still me.", 1.0, 4.0, [1, 2]),
        ("P2", "Me now.", 4.1, 5.0, [3]),
        (None, "Two voices.", 5.0, 6.0, [4]),
        (None, "In one cue.", 5.0, 6.0, [4]),
        ("P2", "Back.", 6.0, 7.0, [5]),
    ]
    assert doc.paragraphs[0].meta["cue_ids"] == ["1", "2"]


def test_sample_srt_fixture_merges_unlabelled_cues() -> None:
    doc = read_document(FIXTURES / "sample.srt")
    assert summary(doc) == [
        (
            None,
            "Caption text #1 Caption text #2 Caption text #3 Caption text #4 Caption text #5",
            0.5,
            23.88,
            [1, 2, 3, 4, 5],
        ),
    ]
    assert doc.paragraphs[0].meta["cue_ids"] == ["1", "2", "3", "4", "5"]


def test_bom_fixture() -> None:
    doc = read_document(FIXTURES / "captions_with_bom.vtt")
    assert doc.paragraphs[0].text.startswith("Caption text #1 Caption text #2")
    assert doc.paragraphs[0].start_time == 0.5


def test_identifiers_fixture_keeps_ids_aligned_with_cues() -> None:
    doc = read_document(FIXTURES / "using_identifiers.vtt")
    para = doc.paragraphs[0]
    assert para.meta["cues"] == [1, 2, 3, 4, 5, 6]
    assert para.meta["cue_ids"] == [None, "second caption", None, "4", None, None]
    assert para.end_time == pytest.approx(27.28)


def test_comments_fixture_notes_and_dash_lines() -> None:
    doc = read_document(FIXTURES / "comments.vtt")
    assert [p.text for p in doc.paragraphs] == [
        "Ta en kopp varmt te.",
        "Det är inte varmt.",
        "Har en kopp te.",
        "Det smakar som te.",
        "Ta en kopp",
    ]
    assert len(doc.meta["notes"]) == 2
    assert any("NOTE" in w for w in doc.warnings)


def test_cue_tags_fixture_strips_inline_timestamps() -> None:
    doc = read_document(FIXTURES / "cue_tags.vtt")
    assert [p.text for p in doc.paragraphs] == [
        "When the moon hits your eye Like a big-a pizza pie That's amore"
    ]
    assert doc.paragraphs[0].start_time == 16.5


def test_rolling_youtube_captions_are_deduplicated() -> None:
    doc = read_document(FIXTURES / "youtube_dl.vtt")
    assert summary(doc) == [
        (
            None,
            "yeah what this will happen is I'm telling",
            pytest.approx(286.07),
            pytest.approx(305.4),
            [1, 2, 3, 4],
        ),
    ]
    assert any("rolling" in w for w in doc.warnings)


def test_repeated_backchannels_are_not_treated_as_rolling(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n" + "".join(
        f"00:00:0{i}.000 --> 00:00:0{i}.900\n<v {name}>{text}</v>\n\n"
        for i, (name, text) in enumerate(
            [("A", "So then."), ("B", "Yeah."), ("A", "We left."), ("B", "Yeah.")], start=1
        )
    )
    doc = read_document(write(tmp_path, "back.vtt", vtt))
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [
        ("A", "So then."),
        ("B", "Yeah."),
        ("A", "We left."),
        ("B", "Yeah."),
    ]
    assert not doc.warnings


def test_broadcast_speaker_change_marks(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n>> Hello there.\n\n"
        "00:02.000 --> 00:03.000\nstill the same voice.\n\n00:03.000 --> 00:04.000\n>> Hi.\n"
    )
    doc = read_document(write(tmp_path, "news.vtt", vtt))
    assert summary(doc) == [
        (None, "Hello there. still the same voice.", 1.0, 3.0, [1, 2]),
        (None, "Hi.", 3.0, 4.0, [3]),
    ]


def test_vtt_content_in_a_txt_file_is_read_as_captions(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "zoom-transcript.txt", ZOOM))
    assert doc.format == "vtt"
    assert doc.paragraphs[0].speaker == "Alex Reid"


def test_malformed_caption_files(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="WEBVTT") as err:
        read_document(write(tmp_path, "bad.vtt", "Hello\n\n00:01.000 --> 00:02.000\nhi\n"))
    assert err.value.path == str(tmp_path / "bad.vtt")
    with pytest.raises(CoderError, match="SubRip"):
        read_document(write(tmp_path, "bad.srt", "Just text\nnothing else\n"))
    with pytest.raises(CoderError, match="no cues"):
        read_document(write(tmp_path, "empty.vtt", "WEBVTT\n\nNOTE nothing here\n"))


def test_vtt_cue_with_a_broken_timing_line_is_refused_naming_the_line(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nhi\n\n"
        "2\n00:00:0x.000 --> 00:00:03.000\nthere\n"
    )
    with pytest.raises(CoderError) as err:
        read_document(write(tmp_path, "b.vtt", vtt))
    assert err.value.line == 8
    assert "cannot read the timing line '00:00:0x.000 --> 00:00:03.000'" in str(err.value)
    assert str(err.value).startswith(f"{tmp_path / 'b.vtt'}:8:")


def test_srt_arrow_typo_is_refused_instead_of_garbling_the_cue_before(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n"
        "2\n00:00:02,000 -> 00:00:03,000\nthere\n\n"
        "3\n00:00:03,000 --> 00:00:04,000\nagain\n\n"
        "4\n00:00:04,000 --> 00:00:4,000\nshort fields are read\n\n"
        "5\n00:00:05,000 --> 00:00:75,000\nout of range\n"
    )
    with pytest.raises(CoderError) as err:
        read_document(write(tmp_path, "b.srt", srt))
    assert err.value.line == 6
    message = str(err.value)
    assert "'00:00:02,000 -> 00:00:03,000'" in message
    assert "1 more problem(s), at line(s) 18" in message


def test_vtt_text_block_without_timing_is_refused(tmp_path: Path) -> None:
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n\nthere\n\nNOTE kept aside\n"
    with pytest.raises(CoderError, match="not part of a cue, a NOTE") as err:
        read_document(write(tmp_path, "c.vtt", vtt))
    assert err.value.line == 6


def test_every_valid_vtt_block_is_accounted_for(tmp_path: Path) -> None:
    vtt = (
        "WEBVTT - header text\nKind: captions\n\nSTYLE\n::cue { color: red }\n\n"
        "REGION\nid:r1 width:40%\n\nNOTE a comment\n\n"
        "cue-a\n00:01.000 --> 00:02.500 align:start\nfirst\n"
        "00:02.500 --> 00:03.000\nsecond without a blank line\n\n"
        "1:00:03.000 --> 1:00:04.000\nthird\n"
    )
    doc = read_document(write(tmp_path, "ok.vtt", vtt))
    assert [p.text for p in doc.paragraphs] == [
        "first second without a blank line", "third"
    ]
    assert doc.paragraphs[0].meta["cue_ids"] == ["cue-a", None]
    assert doc.paragraphs[1].start_time == 3603.0
    assert doc.meta["header"] == "- header text"
    assert doc.meta["notes"] == ["a comment"]


def test_srt_text_after_a_blank_line_inside_a_cue_is_kept_with_a_warning(tmp_path: Path) -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nthere\n\n"
        "2\n\n00:00:02,000 --> 00:00:03,000\nyou\n"
    )
    doc = read_document(write(tmp_path, "gap.srt", srt))
    assert summary(doc) == [(None, "hi there you", 1.0, 3.0, [1, 2])]
    assert doc.paragraphs[0].meta["cue_ids"] == ["1", "2"]
    assert any("line(s) 5" in w and "kept as part of the cue" in w for w in doc.warnings)


def test_cli_broken_caption_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from coder.cli import main

    path = write(tmp_path, "b.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n\n"
                 "00:00:0x.000 --> 00:00:03.000\nthere\n")
    db = tmp_path / "p.db"
    result = CliRunner().invoke(main, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 2
    assert f"{path}:6:" in result.stderr
    if db.exists():
        from coder.store import Store

        store = Store(db)
        try:
            assert store.documents() == []
        finally:
            store.close()


SRT_ONCE = ("1\n00:00:01,000 --> 00:00:02,000\nAlice: Hello there.\n\n"
            "2\n00:00:02,500 --> 00:00:04,000\nBob: Hi Alice, how are you?\n\n"
            "3\n00:00:04,500 --> 00:00:05,000\nAlice: Fine.\n")


def test_a_label_heard_once_is_a_speaker_only_when_the_researcher_confirms_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "once.srt"
    path.write_text(SRT_ONCE, encoding="utf-8")
    plain = read_document(path)
    assert [(p.speaker, p.text) for p in plain.paragraphs][1] == (
        None, "Bob: Hi Alice, how are you?")
    confirmed = read_document(path, speakers=["bob"])
    assert [(p.speaker, p.text) for p in confirmed.paragraphs] == [
        ("Alice", "Hello there."), ("Bob", "Hi Alice, how are you?"), ("Alice", "Fine.")]
    assert read_document(path).paragraphs[1].speaker is None  # the list holds for one read only


def test_import_names_labels_heard_once_and_replace_with_speakers_takes_them(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from coder.cli import main

    path = tmp_path / "once.srt"
    path.write_text(SRT_ONCE, encoding="utf-8")
    db = str(tmp_path / "p.db")
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(path), "--db", db])
    assert first.exit_code == 0
    assert "speakers: Alice (2)" in first.output
    assert "not taken as speakers (heard once): Bob (¶2)" in first.output
    again = runner.invoke(main, ["import", str(path), "--replace", "once", "--speakers", "Bob",
                                 "--db", db])
    assert again.exit_code == 0 and "replaced the text of 'once'" in again.output
    shown = runner.invoke(main, ["show", "once", "--json", "--db", db])
    assert [item["speaker"] for item in json.loads(shown.output)] == ["Alice", "Bob", "Alice"]
    same = runner.invoke(main, ["import", str(path), "--replace", "once", "--speakers", "Bob",
                                "--db", db])
    assert "nothing to do" in same.output


def test_a_sound_description_on_its_own_line_is_its_own_paragraph(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "sound.vtt", (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:04.000\n<v Alex>Shall we start?\n\n"
        "00:00:04.500 --> 00:00:07.000\n[door closes]\nRight, sorry about that.\n\n"
        "00:00:07.500 --> 00:00:09.000\n<v Sam>[laughs]\n<v Sam>No problem.\n")))
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [
        ("Alex", "Shall we start?"),
        (None, "[door closes]"),
        (None, "Right, sorry about that."),
        (None, "[laughs]"),
        ("Sam", "No problem."),
    ]


def test_voices_differing_in_case_are_one_speaker_and_unknown_is_none(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "otter.vtt", (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Interviewer>Hello.\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v Unknown Speaker>Hi.\n\n"
        "00:00:05.000 --> 00:00:06.000\n<v INTERVIEWER>Welcome.\n")))
    assert [(p.speaker, p.text) for p in doc.paragraphs] == [
        ("Interviewer", "Hello."), (None, "Hi."), ("Interviewer", "Welcome.")]
