"""`coder review A B`: settle two coders' disagreements into a consensus coder."""

from __future__ import annotations

from pathlib import Path

import click

from ..reconcile import DEFAULT_CONSENSUS, Disagreement, Mark, Review, decision_label
from .options import db_option, echo, open_project


def _side(marks: tuple[Mark, ...], text: str) -> str:
    if not marks:
        return "—"
    parts = []
    for m in marks:
        quote = m.quote(text)
        parts.append(m.code if quote is None else f"{m.code} “{' '.join(quote.split())}”")
    return "; ".join(parts)


def _line(review: Review, item: Disagreement) -> str:
    a, b = review.coders
    speaker = f" ({item.speaker})" if item.speaker else ""
    state = decision_label(review.decision(item.paragraph_id), review.coders, review.codes)
    return (f"{item.document} ¶{item.n}{speaker}\t{a}: {_side(item.a, item.text)}"
            f"\t{b}: {_side(item.b, item.text)}\t{state}")


@click.command("review")
@click.argument("coder_a", metavar="A")
@click.argument("coder_b", metavar="B")
@click.option("--as", "consensus", default=DEFAULT_CONSENSUS, show_default=True,
              metavar="NAME", help="The coder that holds the outcome.")
@click.option("--document", help="Only this document.")
@click.option("--list", "as_list", is_flag=True,
              help="Print the disagreements and what was decided, without opening the app.")
@db_option
def review(coder_a: str, coder_b: str, consensus: str, document: str | None, as_list: bool,
           db: Path) -> None:
    """Walk through every paragraph where A's and B's codes differ, and settle each one.

    One key takes A's codes, B's, both or neither; the outcome is kept as the coder NAME
    (--as), so A's and B's own codings never change. Quit at any time and run the same
    command again to carry on.
    """
    with open_project(db) as store:
        rv = Review.open(store, coder_a, coder_b, consensus=consensus, document=document)
        a, b = rv.coders
        queue = rv.queue
        if not queue.documents:
            echo(f"{a} and {b} have no document in common yet (each must have coded in it "
                       f"or marked it done): nothing to reconcile")
            return
        n_docs = len(queue.documents)
        if not rv.total:
            echo(f"{a} and {b} agree on every one of the {queue.n_units} paragraphs of "
                       f"the {n_docs} document(s) they both coded: nothing to reconcile")
            return
        if as_list:
            echo(f"{rv.total} disagreement(s) between {a} and {b} in {queue.n_units} "
                       f"paragraphs of {n_docs} document(s); {rv.decided_count} decided by "
                       f"{rv.consensus}")
            for item in rv.items:
                echo(_line(rv, item))
            for note in queue.left_out:
                echo(f"left out: {note}")
            return
    from ..tui.app import CoderApp

    CoderApp(db_path=db, coder=consensus, document=document, review=(a, b)).run()
