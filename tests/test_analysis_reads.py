"""The narrow reads behind the code view and the matrix: they list and count the same
segments as the full reads, in the same order, with sub-codes rolled up."""

from __future__ import annotations

from coder.code_matrix import code_matrix
from coder.groupings import by_document
from coder.retrieval import code_quotes
from coder.store import Store


def _coded(store: Store) -> None:
    alice, bob = store.coder_id("alice"), store.coder_id("bob")
    notes = store.document("notes").id
    p2, p3 = store.paragraph_at(notes, 3).id, store.paragraph_at(notes, 4).id
    stigma, labels = store.code("stigma").id, store.code("labels").id
    store.add_segment(alice, p2, labels, 0, 11, memo="assumed guilt")
    store.add_segment(bob, p2, stigma)
    store.add_segment(bob, p3, labels, 3, 5)
    gone = store.add_segment(alice, p3, stigma)
    store.remove_segment(alice, gone)


def test_quote_rows_are_segment_rows_cut_to_the_quote(store: Store) -> None:
    _coded(store)
    for coders in (None, ["bob"]):
        full = store.segment_rows(code_keys=["stigma", "labels"], coders=coders)
        narrow = store.quote_rows(code_keys=["stigma", "labels"], coders=coders)
        assert [(r.document_id, r.document, r.paragraph_id, r.n, r.speaker, r.coder,
                 r.code_name, r.quote, r.memo, r.segment_id) for r in full] == [tuple(q) for q in narrow]
    quotes = [(q.coder, q.quote) for q in store.quote_rows(code_keys=["labels"])]
    assert quotes == [("alice", "People hear"), ("bob", "18")]


def test_code_quotes_take_the_sub_codes_along(store: Store) -> None:
    _coded(store)
    stigma = store.code("stigma").id
    assert [(q.code_name, q.coder) for q in code_quotes(store, stigma)] == [
        ("Stigma", "bob"), ("Labels", "alice"), ("Labels", "bob")]
    assert [q.coder for q in code_quotes(store, stigma, coders=["alice"])] == ["alice"]


def test_a_matrix_folds_counts_already_read_as_it_would_read_them(store: Store) -> None:
    _coded(store)
    grouping = by_document(store)
    read = code_matrix(store, grouping)
    folded = code_matrix(store, grouping, coded=store.coding_counts())
    assert read.counts == folded.counts
    stigma, labels = store.code("stigma").id, store.code("labels").id
    assert read.count(stigma, "notes") == 3
    assert read.count(labels, "notes") == 2
    assert read.count(store.code("leaving-care").id, "notes") == 0
