"""coder: qualitative coding of transcripts, by keyboard, in one SQLite file."""

__version__ = "0.1.0"
