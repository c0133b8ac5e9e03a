"""Benchmarks of `coder`, run with `python -m bench` (never by pytest).

`python -m bench` generates a corpus (bench/corpus.py), imports and codes it, runs the store's
own measures (bench/safety_bench.py) and then every optional benchmark module that exists
(`agreement_bench`, `tui_bench`, `export_bench`), and prints one table.

An optional module joins the table by defining

    def rows(corpus: bench.corpus.Corpus) -> Iterable[tuple[str, str, str]]

returning (measure, value, notes) rows; `corpus.db` is the coded 100,000-paragraph project
(a copy the module may change), `corpus.big_document` the name of its 10,000-paragraph
document. A module without `rows` but with `main()` has its printed output shown under the
table instead.
"""
