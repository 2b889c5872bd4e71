"""Quality table: every algorithm trained on the same corpus, plus GloVe 6B 50d.

WS-353, SimLex-999, MEN (Spearman x 100, OOV pairs left out and counted) and Google
analogies (3CosAdd / 3CosMul accuracy, answers among the 30,000 most frequent words).
Not a timing benchmark: no lock needed.

Run: .venv/bin/python -m benchmarks.vectors_quality [--quick]
"""

from __future__ import annotations

import argparse
import time

from benchmarks._common import save_results
from benchmarks.vectors_data import build, n_tokens

ALGORITHMS = {
    "skipgram": {"window": 5, "epochs": 5},
    "cbow": {"window": 5, "epochs": 5},
    "fasttext": {"window": 5, "epochs": 5},
    "glove": {"window": 10, "epochs": 15},
    "ppmi-svd": {"window": 5},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1 epoch each")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, help="override word2vec/fastText epochs")
    parser.add_argument(
        "--algorithms", default=",".join(ALGORITHMS), help="comma-separated subset"
    )
    args = parser.parse_args()
    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.evaluate import evaluate_all
    from nlpkit.vectors.kv import load_glove_6b_50d
    from nlpkit.vectors.train import train_vectors

    corpus = TokenCorpus(build()["tokens"], format="txt", tokenizer="whitespace")
    rows = {}
    for name in args.algorithms.split(","):
        options = {"dim": 100, "min_count": 5, **ALGORITHMS[name]}
        if name != "ppmi-svd":
            options.update(threads=args.threads, seed=1)
            if args.quick:
                options["epochs"] = 1
            elif args.epochs and name != "glove":
                options["epochs"] = args.epochs
        start = time.perf_counter()
        wv = train_vectors(corpus, algorithm=name, **options)
        rows[name] = {
            "seconds": time.perf_counter() - start,
            "n_words": len(wv),
            **evaluate_all(wv),
        }
        rows[name]["options"] = options
        print(name, f"{rows[name]['seconds']:.0f}s", flush=True)
        save_results("vectors_quality", {"n_tokens": n_tokens(), "rows": rows})
    rows["glove-6b-50d (pretrained)"] = {
        "n_words": 400000,
        **evaluate_all(load_glove_6b_50d()),
    }
    out = save_results("vectors_quality", {"n_tokens": n_tokens(), "rows": rows})
    print(f"{n_tokens():,} tokens")
    print(
        f"{'vectors':<28}{'WS-353':>8}{'SimLex':>8}{'MEN':>8}{'3CosAdd':>9}{'3CosMul':>9}{'OOV pairs':>11}"
    )
    for name, r in rows.items():
        oov = "/".join(str(r[k]["n_oov"]) for k in ("ws353", "simlex999", "men"))
        print(
            f"{name:<28}{100 * r['ws353']['spearman']:>8.1f}"
            f"{100 * r['simlex999']['spearman']:>8.1f}{100 * r['men']['spearman']:>8.1f}"
            f"{100 * r['analogy']['accuracy_add']:>9.1f}{100 * r['analogy']['accuracy_mul']:>9.1f}"
            f"{oov:>11}"
        )
    print(f"results: {out}")


if __name__ == "__main__":
    main()
