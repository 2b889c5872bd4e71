"""`nlpkit process`: annotate a corpus with a spaCy pipeline."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ._util import Arg, Opt, app, console, progress_bar


@app.command("process")
def process_cli(
    model: str = Arg(..., help="spaCy pipeline name or path"),
    inputs: list[str] = Arg(..., help="Input files, directories or globs"),
    output: Path = Opt(..., "--output", "-o", help="Output directory"),
    input_format: str = Opt(
        None, "--input-format", "-f", help="Reader format (inferred from extension)"
    ),
    output_format: str = Opt("jsonl", "--format", help="Output format"),
    attrs: str = Opt(
        "text,tokens,ents,cats", "--attrs", help="Comma-separated attributes to write"
    ),
    batch_size: int = Opt(256, "--batch-size", "-b"),
    strict: bool = Opt(False, "--strict", help="Stop at the first bad record"),
) -> None:
    """Run a pipeline over a corpus; bad records go to OUTPUT/rejects.jsonl."""
    from ..batch import process

    with progress_bar() as bar:
        task = bar.add_task("Processing", total=None)
        summary = process(
            model,
            inputs,
            output,
            input_format=input_format,
            output_format=output_format,
            attrs=[a.strip() for a in attrs.split(",") if a.strip()],
            batch_size=batch_size,
            strict=strict,
            on_progress=lambda n: bar.update(task, advance=n),
        )
    print_summary(summary.to_dict(), title="nlpkit process")


def print_summary(values: dict, title: str) -> None:
    table = Table(title=title, show_header=False)
    for key, value in values.items():
        table.add_row(str(key), str(value))
    console.print(table)
