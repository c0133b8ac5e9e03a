"""`python -m coder`: the same as the `coder` command."""

from .cli import main

main()
