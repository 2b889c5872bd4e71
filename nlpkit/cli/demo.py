"""`nlpkit demo`: the main job on embedded defaults."""

from __future__ import annotations

from pathlib import Path

from . import options as opt
from ._util import app, console
from .process import print_summary


@app.command("demo")
def demo_cli(
    output: Path = opt.output("Folder for the outputs", default=Path("runs/demo")),
) -> None:
    """Run the main job on the sample corpora with packaged models; print summaries."""
    from ..demo import run_demo

    for summary in run_demo(output):
        title = summary.pop("step")
        print_summary(summary, title=title)
    console.print(f"[bold green]✔[/] outputs in {output}")
