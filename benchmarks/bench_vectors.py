"""word2vec and fastText: nlpkit vs gensim, as a whole CLI call and as a library call.

- word2vec_cli / fasttext_cli: `nlpkit vectors train` in a subprocess against a python
  subprocess running gensim (corpus_file, and an in-memory list of token lists read
  from the same file); both save their vectors. Start-up and imports are in the
  figure.
- word2vec_lib / fasttext_lib: nlpkit's train functions against gensim in the same
  process, on the token file (nlpkit TokenCorpus vs gensim corpus_file) and on token
  lists in memory (nlpkit token lists vs gensim sentences=list).
Rounds alternate ours and the peers; the headline is the worst row's ratio.

Run: python -m benchmarks.bench_vectors --name word2vec_lib --size quick
"""

from __future__ import annotations

import inspect
import json
import sys
import tempfile
from pathlib import Path

from benchmarks.data import token_file, token_lists
from benchmarks.harness import alternate, cli, row, timed_child

PEER_SCRIPT = """
import json, sys
path, mode, out, cls_name, params = sys.argv[1:6]
params = json.loads(params)
if cls_name == "FastText":
    from gensim.models import FastText as cls
else:
    from gensim.models import Word2Vec as cls
if mode == "corpus_file":
    model = cls(corpus_file=path, **params)
else:
    with open(path, encoding="utf-8") as f:
        sentences = [line.split() for line in f]
    model = cls(sentences=sentences, **params)
model.wv.save(out)
"""
# settings the CLI has no option for: they must be the train functions' defaults
CLI_DEFAULTS = ("negative", "sample", "minn", "maxn", "bucket")


def gensim_params(exp, epochs: int) -> dict:
    s = exp.settings
    params = {
        "vector_size": s["dim"], "window": s["window"], "min_count": s["min_count"],
        "epochs": epochs, "workers": s["threads"], "negative": s["negative"],
        "sample": s["sample"], "seed": exp.seeds[0], "hs": 0, "sg": 1,
    }  # fmt: skip
    if s["algorithm"] == "fasttext":
        params.update(min_n=s["minn"], max_n=s["maxn"], bucket=s["bucket"])
    return params


def nlpkit_options(exp, epochs: int) -> dict:
    s = exp.settings
    opts = {
        "dim": s["dim"], "window": s["window"], "min_count": s["min_count"],
        "epochs": epochs, "threads": s["threads"], "negative": s["negative"],
        "sample": s["sample"], "seed": exp.seeds[0],
    }  # fmt: skip
    if s["algorithm"] == "fasttext":
        opts.update(minn=s["minn"], maxn=s["maxn"], bucket=s["bucket"])
    return opts


def cli_args(exp, epochs: int) -> list[str]:
    """`nlpkit vectors train` options for the experiment's settings."""
    from nlpkit.vectors.train import train_fasttext, train_word2vec

    s = exp.settings
    fasttext = s["algorithm"] == "fasttext"
    defaults = {
        **inspect.signature(train_word2vec).parameters,
        **(inspect.signature(train_fasttext).parameters if fasttext else {}),
    }
    for name in CLI_DEFAULTS:
        if name in s and defaults[name].default != s[name]:
            raise ValueError(f"{exp.name}: {name}={s[name]} has no CLI option")
    return [
        "-a", "fasttext" if fasttext else "skipgram", "--dim", str(s["dim"]),
        "--window", str(s["window"]), "--min-count", str(s["min_count"]),
        "--epochs", str(epochs), "--threads", str(s["threads"]),
        "--seed", str(exp.seeds[0]),
    ]  # fmt: skip


def run_cli(exp, size: str) -> dict:
    params = exp.sizes[size]
    path, n = token_file(params["corpus"], params["max_tokens"])
    epochs = params["epochs"]
    nlpkit_bin = str(Path(sys.executable).parent / "nlpkit")
    cls_name = "FastText" if exp.settings["algorithm"] == "fasttext" else "Word2Vec"
    peer_params = json.dumps(gensim_params(exp, epochs))
    with tempfile.TemporaryDirectory(prefix="bench-w2v-") as tmp:
        ours = [
            nlpkit_bin, "vectors", "train", str(path), "-o", f"{tmp}/ours",
            *cli_args(exp, epochs), "--no-spacy", "-f", "txt", "--context", "line",
        ]  # fmt: skip

        def peer(mode):
            cmd = [sys.executable, "-c", PEER_SCRIPT, str(path), mode]
            return cmd + [f"{tmp}/{mode}.kv", cls_name, peer_params]

        times = alternate(
            {
                "nlpkit": lambda: timed_child(ours),
                "corpus_file": lambda: timed_child(peer("corpus_file")),
                "memory": lambda: timed_child(peer("memory")),
            },
            exp.rounds(size),
            warmup=size != "smoke",
        )
    rows = [
        row("token file", times["nlpkit"], "gensim corpus_file", times["corpus_file"]),
        row("token file", times["nlpkit"], "gensim in-memory", times["memory"]),
    ]
    return finish(rows, n, epochs)


def run_lib(exp, size: str) -> dict:
    from gensim.models import FastText, Word2Vec

    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.train import train_vectors

    params = exp.sizes[size]
    path, n = token_file(params["corpus"], params["max_tokens"])
    epochs = params["epochs"]
    cls = FastText if exp.settings["algorithm"] == "fasttext" else Word2Vec
    algorithm = exp.settings["algorithm"]
    gp, opts = gensim_params(exp, epochs), nlpkit_options(exp, epochs)
    sentences = token_lists(path)
    times = alternate(
        {
            "nlpkit_file": lambda: train_vectors(
                TokenCorpus(path, format="txt", tokenizer="whitespace"),
                algorithm=algorithm,
                **opts,
            ),
            "gensim_file": lambda: cls(corpus_file=str(path), **gp),
            "nlpkit_memory": lambda: train_vectors(
                sentences, algorithm=algorithm, **opts
            ),
            "gensim_memory": lambda: cls(sentences=sentences, **gp),
        },
        exp.rounds(size),
        warmup=size != "smoke",
    )
    rows = [
        row("token file", times["nlpkit_file"], "gensim corpus_file",
            times["gensim_file"]),
        row("token lists in memory", times["nlpkit_memory"], "gensim in-memory",
            times["gensim_memory"]),
    ]  # fmt: skip
    return finish(rows, n, epochs)


def finish(rows: list[dict], n_tokens: int, epochs: int) -> dict:
    for r in rows:
        r["ours_words_per_s"] = round(n_tokens * epochs / r["ours"])
        r["peer_words_per_s"] = round(n_tokens * epochs / r["peer"])
    return {
        "rows": rows,
        "ratio": min(r["ratio"] for r in rows),
        "extra": {"n_tokens": n_tokens, "epochs": epochs},
    }


def run(exp, size: str) -> dict:
    return run_cli(exp, size) if exp.name.endswith("_cli") else run_lib(exp, size)


if __name__ == "__main__":
    cli(run)
