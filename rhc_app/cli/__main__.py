"""`python -m rhc_app.cli` runs the `rhc` command (for profilers)."""

from rhc_app.cli import main

main()
