"""Train the benchmark rerankers: train-split queries + inverse-cloze pairs, BM25 negatives.

Nothing here sees a test query: positives come from the qrels of the odd-id (train)
queries and from pseudo-queries made from the documents (titles, ICT sentences).
The retrieval_quality experiment calls `train()` with its size's recipe; this CLI
runs the longer recipes of HISTORY.md by hand:

    .venv/bin/python -m benchmarks.retrieval_train cranfield [--max-examples 24]
    [--doc-pairs N] [--doc-mode auto] [--doc-seed 0] [--ict-draws 0]
    [--model minilm|PATH] [--miner bm25|dense|hybrid --encoder minilm|mpnet]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

from benchmarks.retrieval_common import (
    CACHE,
    cached_dense,
    load,
    make_hybrid,
    setup_env,
)

RECIPE = {
    "model": "minilm",
    "doc_pairs": 300,
    "doc_mode": "auto",
    "doc_seed": 0,
    "ict_draws": 0,
    "max_positives": 4,
    "negatives": 3,
    "max_length": 192,
    "lr": 4e-5,
    "batch_size": 8,
    "epochs": 1,
    "loss": "listwise",
    "max_examples": None,
}


def train(coll, train_q, test_q, output: Path, miner=None, log=print, **recipe):
    """Fine-tune a cross-encoder on the train queries' qrels and document pairs,
    with hard negatives from miner (default: BM25); save it to output.

    RETURNS (dict): the training summary, with the recipe and the example counts.
    """
    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.train import (
        examples_from_qrels,
        mine_hard_negatives,
        pairs_from_documents,
        train_reranker,
    )

    unknown = set(recipe) - set(RECIPE)
    if unknown:
        raise ValueError(f"unknown reranker recipe keys {sorted(unknown)}")
    r = {**RECIPE, **recipe}
    labelled = examples_from_qrels(
        train_q, coll.qrels, coll.docs, max_positives=r["max_positives"]
    )
    test_texts = {q.get_text() for q in test_q}
    if any(e.query in test_texts for e in labelled):
        raise ValueError("a test query is among the training examples")
    doc_pairs = []
    for draw in range(r["ict_draws"] + 1):
        doc_pairs += pairs_from_documents(
            coll.docs,
            mode=r["doc_mode"] if draw == 0 else "ict",
            max_pairs=r["doc_pairs"],
            seed=r["doc_seed"] + draw,
        )
    examples = labelled + doc_pairs
    if r["max_examples"] and len(examples) > r["max_examples"]:
        examples = random.Random(0).sample(examples, r["max_examples"])
    if miner is None:
        miner = BM25Index.build(coll.docs)
    examples = mine_hard_negatives(
        examples, miner, n_negatives=r["negatives"], depth=30
    )
    log(
        f"{len(labelled)} labelled examples from {len(train_q)} train queries "
        f"({len(test_q)} test queries held out), {len(doc_pairs)} from documents; "
        f"training on {len(examples)}"
    )
    start = time.perf_counter()

    def progress(step, total, value):
        if step % 25 == 0 or step == total:
            log(
                f"step {step}/{total} loss {value:.4f} {time.perf_counter() - start:.0f}s"
            )

    summary = train_reranker(
        examples,
        output,
        model=r["model"],
        epochs=r["epochs"],
        batch_size=r["batch_size"],
        learning_rate=r["lr"],
        max_length=r["max_length"],
        loss=r["loss"],
        n_negatives=r["negatives"],
        progress=progress,
    )
    info = {
        **summary.to_dict(),
        "collection": coll.name,
        "recipe": r,
        "labelled": len(labelled),
        "document_pairs": len(doc_pairs),
        "seconds": round(time.perf_counter() - start, 1),
    }
    (Path(output) / "benchmark_train.json").write_text(json.dumps(info, indent=2))
    return info


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("collection", choices=["cranfield", "vaswani"])
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--doc-pairs", type=int, default=300)
    parser.add_argument("--doc-mode", default="auto", help="title, sentence, ict, auto")
    parser.add_argument(
        "--doc-seed", type=int, default=0, help="another seed draws other sentences"
    )
    parser.add_argument(
        "--ict-draws",
        type=int,
        default=0,
        help="add this many more inverse-cloze draws (seeds doc-seed+1, ...)",
    )
    parser.add_argument(
        "--model", default="minilm", help="start from this model (e.g. a reranker)"
    )
    parser.add_argument(
        "--miner",
        choices=["bm25", "dense", "hybrid"],
        default="bm25",
        help="the first stage whose top hits become the negatives",
    )
    parser.add_argument(
        "--encoder", default="minilm", help="bi-encoder of --miner dense/hybrid"
    )
    parser.add_argument("--max-positives", type=int, default=4)
    parser.add_argument("--negatives", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=192)
    parser.add_argument("--lr", type=float, default=4e-5)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--loss", default="listwise")
    args = parser.parse_args()
    setup_env()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("nlpkit").setLevel(logging.INFO)
    coll, train_q, test_q = load(args.collection)
    miner = None
    if args.miner != "bm25":
        miner = cached_dense(args.collection, coll.docs, args.encoder)
        if args.miner == "hybrid":
            from nlpkit.retrieval.bm25 import BM25Index

            miner = make_hybrid(BM25Index.build(coll.docs), miner)
    output = args.output or CACHE / f"{args.collection}-reranker"
    recipe = {k: v for k, v in vars(args).items() if k in RECIPE}
    info = train(coll, train_q, test_q, output, miner=miner, **recipe)
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
