"""`python -m nlpkit.cli ...` runs the nlpkit command (used by weasel projects)."""

from . import main

main()
