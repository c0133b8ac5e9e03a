"""`coder recheck` and `coder autocode`: codings made under an older meaning of their code,
and codings made many at once by a rule."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import CoderError
from .options import db_option, open_project

if TYPE_CHECKING:
    from ..code_history import RecheckItem
    from ..store import Store

PREVIEW_LINES = 20


def _one_line(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _parse_moves(moves: tuple[str, ...]) -> dict[int, str]:
    out = {}
    for m in moves:
        seg, sep, key = m.partition("=")
        if not sep or not seg.strip().isdigit() or not key.strip():
            raise CoderError(f"--move {m}: give SEGMENT=CODE-KEY, e.g. --move 12=belonging")
        out[int(seg)] = key.strip()
    return out


@click.command("recheck")
@click.argument("code", required=False)
@click.option("--coder", required=True, help="Whose codings to recheck.")
@click.option("--list", "as_list", is_flag=True,
              help="Print the queue with both definitions, without opening the app.")
@click.option("--keep", "keeps", multiple=True, type=int, metavar="SEGMENT",
              help="Keep this coding under the current definition (repeatable).")
@click.option("--remove", "removes", multiple=True, type=int, metavar="SEGMENT",
              help="Remove this coding (repeatable).")
@click.option("--move", "moves", multiple=True, metavar="SEGMENT=CODE",
              help="Move this coding to another code (repeatable).")
@db_option
def recheck(code: str | None, coder: str, as_list: bool, keeps: tuple[int, ...],
            removes: tuple[int, ...], moves: tuple[str, ...], db: Path) -> None:
    """The codings made under an older definition of CODE (of every code when left out).

    Opens the recheck screen: the old and the new definition side by side, one key to keep,
    remove or move each coding. --keep, --remove and --move decide by segment number (as
    --list prints them) without the app. Each decision is one undo step in the app.
    """
    from ..code_history import decide, recheck_queue
    from ..vocab import RecheckDecision

    with open_project(db) as store:
        queue = recheck_queue(store, code=code, coder=coder)
        decisions = ([(s, RecheckDecision.KEEP, None) for s in keeps]
                     + [(s, RecheckDecision.REMOVE, None) for s in removes]
                     + [(s, RecheckDecision.MOVE, k) for s, k in _parse_moves(moves).items()])
        if decisions:
            waiting = {item.segment_id for item in queue}
            stray = [str(s) for s, _, _ in decisions if s not in waiting]
            if stray:
                raise CoderError(f"not in {coder}'s recheck queue: segment(s) "
                                 f"{', '.join(stray)} (see `coder recheck --list`)")
            for seg, decision, to in decisions:
                decide(store, coder, seg, decision, to=to)
                click.echo(f"segment {seg}: {decision}" + (f" to {to}" if to else ""))
            left = len(recheck_queue(store, code=code, coder=coder))
            click.echo(f"{left} coding(s) left to recheck")
            return
        if not queue:
            click.echo(f"nothing to recheck: every coding of {coder}"
                       + (f" with {code}" if code else "")
                       + " was made under its code's current definition")
            return
        if as_list:
            _print_queue(queue)
            return
    from ..tui.app import CoderApp

    CoderApp(db_path=db, coder=coder, recheck=code or "").run()


def _print_queue(queue: list[RecheckItem]) -> None:
    shown: set[tuple[int, int]] = set()
    click.echo(f"{len(queue)} coding(s) to recheck")
    for item in queue:
        pair = (item.made_under.id, item.current.id)
        if pair not in shown:
            shown.add(pair)
            was = (f"{item.merged_from} r{item.made_under.n}" if item.merged_from
                   else f"r{item.made_under.n}")
            click.echo(f"\n{item.row.code_key}: made under {was}, now r{item.current.n}")
            for field in item.changed() or ["definition"]:
                label = field.replace("_", " ")
                click.echo(f"  {label}, then: {getattr(item.made_under, field) or '(none)'}")
                click.echo(f"  {label}, now:  {getattr(item.current, field) or '(none)'}")
        r = item.row
        speaker = f" ({r.speaker})" if r.speaker else ""
        click.echo(f"  segment {r.segment_id}\t{r.document} ¶{r.n}{speaker}\t"
                   f"“{_one_line(r.quote)}”")


@click.command("autocode")
@click.argument("code")
@click.option("--coder", required=True, help="Whose codings these become (who runs the rule).")
@click.option("--search", help="Text to find (case-insensitive).")
@click.option("--regex", help="A regular expression to find (Python syntax).")
@click.option("--words", is_flag=True, help="Code only the matched words, not the paragraph.")
@click.option("--speaker", help="Only this speaker's turns (alone: all of them).")
@click.option("--yes", is_flag=True, help="Code the hits (without it, only show them).")
@click.option("--pending", is_flag=True,
              help="List this coder's automatic codings of CODE not confirmed yet.")
@click.option("--confirm", "confirms", multiple=True, type=int, metavar="SEGMENT",
              help="Confirm an automatic coding, so agreement counts it (repeatable).")
@db_option
def autocode(code: str, coder: str, search: str | None, regex: str | None, words: bool,
             speaker: str | None, yes: bool, pending: bool, confirms: tuple[int, ...],
             db: Path) -> None:
    """Code every hit of a search, a regular expression or a speaker with CODE.

    Shows what would be coded; --yes codes it, as one undo step. The codings are marked as
    automatic (with the rule that made them) and left out of `coder agree` until confirmed
    one by one (--confirm, or c on each in the app).
    """
    from ..autocode import Rule, apply_hits, confirm, find_hits

    with open_project(db) as store:
        found = store.resolve_code(code)
        if found is None:
            raise CoderError(f"no code with key {code!r} in this project")
        if confirms:
            n = confirm(store, coder, list(confirms))
            click.echo(f"{n} automatic coding(s) confirmed")
            return
        if pending:
            _print_pending(store, coder, found.id)
            return
        rule = Rule(search=search, regex=regex, words=words, speaker=speaker)
        hits = find_hits(store, rule)
        if not hits:
            click.echo(f"nothing matches {rule.describe()}: nothing to code")
            return
        paragraphs = len({h.paragraph_id for h in hits})
        click.echo(f"{rule.describe()}: {len(hits)} hit(s) in {paragraphs} paragraph(s)")
        for h in hits[:PREVIEW_LINES]:
            speaker_part = f" ({h.speaker})" if h.speaker else ""
            click.echo(f"  {h.document} ¶{h.n}{speaker_part}\t“{_one_line(h.quote)}”")
        if len(hits) > PREVIEW_LINES:
            click.echo(f"  … and {len(hits) - PREVIEW_LINES} more")
        if not yes:
            click.echo(f"nothing coded yet: add --yes to code these with {found.key} as {coder}")
            return
        added, skipped = apply_hits(store, found.key, coder, hits, rule)
    click.echo(f"coded {len(added)} with {found.key} as {coder} (automatic"
               + (f"; {skipped} already coded so" if skipped else "")
               + "); one undo in the app takes them all back")


def _print_pending(store: Store, coder: str, code_id: int) -> None:
    coder_id = store.coder_id(coder, create=False)
    rows = store.automatic_segments(coder_id=coder_id, code_id=code_id)
    if not rows:
        click.echo("no automatic coding waits to be confirmed")
        return
    for r in rows:
        p = store.paragraph(r["paragraph_id"])
        text = p.text if r["start"] is None else p.text[r["start"]:r["end"]]
        click.echo(f"segment {r['id']}\t{store.document(p.document_id).name} ¶{p.n}\t"
                   f"“{_one_line(text)}”\t{r['auto_rule']}")
