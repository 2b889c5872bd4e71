"""word2vec (skip-gram, CBOW) and fastText: nlpkit vs gensim called directly.

Same corpus (the pre-tokenized benchmark file), same settings, same run. gensim is
called the two documented ways: streaming `LineSentence(path)` and `corpus_file=path`.
nlpkit streams the corpus through its TokenCorpus into a temporary file and trains
with corpus_file. words/s = corpus tokens x epochs / wall time of the whole call.

Run: flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.vectors_gensim [--quick]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks._common import save_results
from benchmarks.vectors_data import build, n_tokens


def settings(args) -> dict:
    return {
        "vector_size": args.dim,
        "window": 5,
        "min_count": 5,
        "epochs": args.epochs,
        "workers": args.threads,
        "negative": 5,
        "sample": 1e-3,
        "seed": 1,
        "hs": 0,
    }


def run_gensim(algorithm: str, path: Path, mode: str, args) -> float:
    from gensim.models import FastText, Word2Vec
    from gensim.models.word2vec import LineSentence

    params = settings(args)
    cls = FastText if algorithm == "fasttext" else Word2Vec
    params["sg"] = 0 if algorithm == "cbow" else 1
    if algorithm == "fasttext":
        params.update(min_n=3, max_n=6, bucket=2_000_000)
    start = time.perf_counter()
    if mode == "linesentence":
        cls(sentences=LineSentence(str(path)), **params)
    else:
        cls(corpus_file=str(path), **params)
    return time.perf_counter() - start


def run_nlpkit(algorithm: str, path: Path, args) -> float:
    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.train import train_vectors

    corpus = TokenCorpus(path, format="txt", tokenizer="whitespace")
    start = time.perf_counter()
    train_vectors(
        corpus,
        algorithm=algorithm,
        dim=args.dim,
        window=5,
        min_count=5,
        epochs=args.epochs,
        threads=args.threads,
        seed=1,
    )
    return time.perf_counter() - start


def truncated(path: Path, max_tokens: int) -> tuple[Path, int]:
    """The first lines of path holding up to max_tokens tokens (cached)."""
    out = path.with_name(f"tokens_first{max_tokens}.txt")
    n = 0
    with path.open(encoding="utf-8") as fin, out.open("w", encoding="utf-8") as fout:
        for line in fin:
            k = len(line.split())
            if n + k > max_tokens:
                break
            fout.write(line)
            n += k
    return out, n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1 epoch, skip-gram only")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--max-tokens", type=int, help="use the first lines up to this many tokens"
    )
    parser.add_argument(
        "--algorithms", default="skipgram,cbow,fasttext", help="comma-separated"
    )
    parser.add_argument(
        "--no-corpus-file", action="store_true", help="skip gensim corpus_file runs"
    )
    args = parser.parse_args()
    algorithms = args.algorithms.split(",")
    if args.quick:
        args.epochs, algorithms = 1, ["skipgram"]
    path, total = build()["tokens"], n_tokens()
    if args.max_tokens:
        path, total = truncated(path, args.max_tokens)
    words = total * args.epochs
    rows = {}
    for algorithm in algorithms:
        times = {
            "gensim_linesentence": run_gensim(algorithm, path, "linesentence", args),
            "nlpkit": run_nlpkit(algorithm, path, args),
        }
        if not args.no_corpus_file:
            times["gensim_corpus_file"] = run_gensim(
                algorithm, path, "corpus_file", args
            )
        rows[algorithm] = {
            **{f"{k}_s": v for k, v in times.items()},
            **{f"{k}_words_per_s": words / v for k, v in times.items()},
            "ratio_vs_linesentence": times["gensim_linesentence"] / times["nlpkit"],
            "ratio_vs_corpus_file": times.get("gensim_corpus_file", float("nan"))
            / times["nlpkit"],
        }
        print(algorithm, {k: round(v, 1) for k, v in times.items()}, flush=True)
    out = save_results(
        "vectors_gensim", {"settings": vars(args), "n_tokens": total, **rows}
    )
    print(f"{total:,} tokens x {args.epochs} epochs, {args.threads} threads")
    print(
        f"{'algorithm':<10}{'gensim LineSentence':>22}{'gensim corpus_file':>20}"
        f"{'nlpkit':>12}{'ratio LS':>10}{'ratio CF':>10}"
    )
    for name, r in rows.items():
        print(
            f"{name:<10}{r['gensim_linesentence_words_per_s']:>20,.0f}/s"
            f"{r.get('gensim_corpus_file_words_per_s', float('nan')):>18,.0f}/s"
            f"{r['nlpkit_words_per_s']:>10,.0f}/s"
            f"{r['ratio_vs_linesentence']:>10.2f}{r['ratio_vs_corpus_file']:>10.2f}"
        )
    print(f"results: {out}")


if __name__ == "__main__":
    main()
