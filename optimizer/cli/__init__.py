"""The command line: argument parsing (typer) and the commands that run the pipeline."""

from optimizer.cli.app import main

__all__ = ["main"]
