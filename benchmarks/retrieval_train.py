"""Train the benchmark rerankers: train-split queries + inverse-cloze pairs, BM25 negatives.

Nothing here sees a test query: positives come from the qrels of the odd-id (train)
queries and from pseudo-queries made from the documents (titles, ICT sentences).

    .venv/bin/python -m benchmarks.retrieval_train cranfield [--quick]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("collection", choices=["cranfield", "vaswani"])
    parser.add_argument("--quick", action="store_true", help="a few dozen pairs")
    parser.add_argument("--output", type=Path, default=None)
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

    from nlpkit.retrieval.bm25 import BM25Index
    from nlpkit.retrieval.train import (
        examples_from_qrels,
        mine_hard_negatives,
        pairs_from_documents,
        train_reranker,
    )

    coll, train_q, test_q = load(args.collection)
    test_ids = {q.id for q in test_q}
    bm25 = BM25Index.build(coll.docs)
    labelled = examples_from_qrels(
        train_q, coll.qrels, coll.docs, max_positives=args.max_positives
    )
    assert not {e.query for e in labelled} & {q.get_text() for q in test_q}
    doc_pairs = pairs_from_documents(
        coll.docs, mode=args.doc_mode, max_pairs=args.doc_pairs, seed=args.doc_seed
    )
    for extra in range(1, args.ict_draws + 1):
        doc_pairs += pairs_from_documents(
            coll.docs,
            mode="ict",
            max_pairs=args.doc_pairs,
            seed=args.doc_seed + extra,
        )
    examples = labelled + doc_pairs
    if args.quick:
        examples = random.Random(0).sample(examples, 24)
    miner = bm25
    if args.miner != "bm25":
        miner = cached_dense(args.collection, coll.docs, args.encoder)
        if args.miner == "hybrid":
            miner = make_hybrid(bm25, miner)
    examples = mine_hard_negatives(
        examples, miner, n_negatives=args.negatives, depth=30
    )
    output = args.output or CACHE / f"{args.collection}-reranker"
    print(
        f"{len(labelled)} labelled examples from {len(train_q)} train queries "
        f"({len(test_ids)} test queries held out), {len(doc_pairs)} from documents; "
        f"training on {len(examples)}",
        flush=True,
    )
    start = time.perf_counter()

    def progress(step, total, value):
        if step % 5 == 0 or step == total:
            print(
                f"step {step}/{total} loss {value:.4f} {time.perf_counter() - start:.0f}s",
                flush=True,
            )

    summary = train_reranker(
        examples,
        output,
        model=args.model,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        max_length=args.max_length,
        loss=args.loss,
        n_negatives=args.negatives,
        progress=progress,
    )
    info = {**summary.to_dict(), "collection": args.collection, "args": vars(args)}
    info["args"]["output"] = str(output)
    (Path(output) / "benchmark_train.json").write_text(json.dumps(info, indent=2))
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
