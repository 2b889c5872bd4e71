"""Seed-to-seed spread of nlpkit GloVe scores (same settings as vectors_glove.py).

Untimed: how much the word-similarity scores move between random initializations,
to judge the gap to the C tools' scores.

Run: .venv/bin/python -m benchmarks.vectors_glove_seeds --seeds 1,2
"""

from __future__ import annotations

import argparse

from benchmarks._common import save_results
from benchmarks.vectors_data import build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2")
    args = parser.parse_args()
    from nlpkit.vectors.cooc import count_cooccurrence
    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.evaluate import evaluate_all
    from nlpkit.vectors.glove import fit_glove
    from nlpkit.vectors.kv import WordVectors

    corpus = TokenCorpus(build()["tokens"], format="txt", tokenizer="whitespace")
    cooc = count_cooccurrence(
        corpus, window=10, weighting="harmonic", min_count=5, drop_oov=True
    )
    rows = {}
    for seed in [int(s) for s in args.seeds.split(",")]:
        vectors, _ = fit_glove(cooc, dim=100, epochs=15, threads=2, seed=seed)
        scores = evaluate_all(WordVectors(cooc.vocab.words, vectors))
        rows[seed] = {
            k: 100 * scores[k]["spearman"] for k in ("ws353", "simlex999", "men")
        }
        rows[seed]["analogy_add"] = 100 * scores["analogy"]["accuracy_add"]
        print(seed, {k: round(v, 1) for k, v in rows[seed].items()}, flush=True)
    save_results("vectors_glove_seeds", rows)


if __name__ == "__main__":
    main()
