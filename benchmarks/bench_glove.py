"""GloVe: nlpkit against the Stanford GloVe C tools, same token file and settings.

Counting (C: vocab_count + cooccur + shuffle, each a process; nlpkit:
count_cooccurrence with harmonic weighting and drop_oov, as `cooccur` counts) is timed
in alternating rounds; training runs once each; both sets of vectors are scored on
word similarity (../shared/data/wordsim, Spearman). The C tools are built outside
the repository: GLOVE_BUILD (default /tmp/glove/build).

Run: python -m benchmarks.bench_glove --name glove --size quick
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.data import token_file
from benchmarks.harness import NotAvailable, alternate, cli, row

BUILD = Path(os.environ.get("GLOVE_BUILD", "/tmp/glove/build"))
TOOLS = ("vocab_count", "cooccur", "shuffle", "glove")
SIMILARITY = ("ws353", "simlex999", "men")


def c_count(tokens: Path, work: Path, s: dict) -> None:
    def stage(cmd, stdin, stdout):
        with open(stdin, "rb") as fin, open(stdout, "wb") as fout:
            subprocess.run(
                [str(c) for c in cmd], stdin=fin, stdout=fout,
                stderr=subprocess.DEVNULL, check=True,
            )  # fmt: skip

    vocab = work / "vocab.txt"
    stage([BUILD / "vocab_count", "-min-count", s["min_count"], "-verbose", 0],
          tokens, vocab)  # fmt: skip
    stage([BUILD / "cooccur", "-memory", "4.0", "-vocab-file", vocab, "-verbose", 0,
           "-window-size", s["window"]], tokens, work / "cooc.bin")  # fmt: skip
    stage([BUILD / "shuffle", "-memory", "4.0", "-verbose", 0],
          work / "cooc.bin", work / "cooc.shuf.bin")  # fmt: skip


def c_train(work: Path, s: dict, iters: int) -> None:
    cmd = [
        BUILD / "glove", "-save-file", work / "vectors", "-threads", s["threads"],
        "-input-file", work / "cooc.shuf.bin", "-x-max", s["x_max"],
        "-alpha", s["alpha"], "-iter", iters, "-vector-size", s["dim"],
        "-binary", 0, "-vocab-file", work / "vocab.txt", "-verbose", 0,
        "-write-header", 0, "-seed", 1,
    ]  # fmt: skip
    subprocess.run(
        [str(c) for c in cmd],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def ours_count(tokens: Path, s: dict):
    from nlpkit.vectors.cooc import count_cooccurrence
    from nlpkit.vectors.corpus import TokenCorpus

    corpus = TokenCorpus(tokens, format="txt", tokenizer="whitespace")
    return count_cooccurrence(
        corpus, window=s["window"], weighting="harmonic", min_count=s["min_count"],
        drop_oov=True,
    )  # fmt: skip


def ours_count_tokens(token_lists, s: dict):
    from nlpkit.vectors.cooc import count_cooccurrence

    return count_cooccurrence(
        token_lists, window=s["window"], weighting="harmonic", drop_oov=True
    )


def scores(wv) -> dict:
    from nlpkit.vectors.evaluate import evaluate_similarity

    out = {}
    for name in SIMILARITY:
        try:
            res = evaluate_similarity(wv, name)
        except FileNotFoundError:
            continue
        out[name] = round(float(res.spearman), 4)
    return out


def run(exp, size: str) -> dict:
    missing = [t for t in TOOLS if not (BUILD / t).exists()]
    if missing:
        raise NotAvailable(
            f"GloVe C tools not built in {BUILD} (set GLOVE_BUILD; build with "
            "`make` in a clone of github.com/stanfordnlp/GloVe under /tmp)"
        )
    from nlpkit.vectors.glove import fit_glove
    from nlpkit.vectors.kv import WordVectors, load_vectors

    s, params = exp.settings, exp.sizes[size]
    tokens, n = token_file(params["corpus"], params["max_tokens"])
    iters = params["iter"]
    with tempfile.TemporaryDirectory(prefix="bench-glove-") as tmp:
        work = Path(tmp)
        counts = alternate(
            {
                "nlpkit": lambda: ours_count(tokens, s),
                "glove_c": lambda: c_count(tokens, work, s),
            },
            params.get("rounds", 3 if size != "smoke" else 1),
        )
        cooc = ours_count(tokens, s)
        tiny = ours_count_tokens([["a", "b", "c", "a"]] * 3, s)
        fit_glove(tiny, dim=4, epochs=1, threads=s["threads"])  # compile first
        start = time.perf_counter()
        vectors, _ = fit_glove(
            cooc, dim=s["dim"], epochs=iters, threads=s["threads"],
            x_max=s["x_max"], alpha=s["alpha"], seed=exp.seeds[0],
        )  # fmt: skip
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        c_train(work, s, iters)
        t_c = time.perf_counter() - start
        c_scores = scores(load_vectors(work / "vectors.txt", format="glove"))
    n_scores = scores(WordVectors(cooc.vocab.words, vectors))
    count_row = row(
        f"{n:,} tokens, counting", counts["nlpkit"], "vocab_count+cooccur+shuffle",
        counts["glove_c"],
        ratio=counts["nlpkit"]["median"] / counts["glove_c"]["median"],
        ratio_means="ours / C (<= 0.5 is the goal)",
    )  # fmt: skip
    rows = [
        count_row,
        row(f"training, {iters} iterations", t_ours, "glove", t_c),
    ]
    for name in SIMILARITY:
        if name in n_scores and name in c_scores:
            rows.append(
                row(f"{name} Spearman", n_scores[name], "GloVe C vectors",
                    c_scores[name], unit="", ratio=n_scores[name] - c_scores[name],
                    ratio_means="difference, ours - C")
            )  # fmt: skip
    return {
        "rows": rows,
        "ratio": count_row["ratio"],
        "extra": {"n_tokens": n, "nnz": int(cooc.nnz), "words": len(cooc.vocab)},
    }


if __name__ == "__main__":
    cli(run)
