"""Word-vector quality (no timing): nlpkit's algorithms against gensim's own models
trained on the same token file with the same settings and seeds.

- vectors_quality: skip-gram, CBOW, fastText (peer: gensim Word2Vec / FastText, same
  settings), GloVe and PPMI-SVD (peer: gensim skip-gram, the strongest gensim model
  on the corpus). Score: mean Spearman over WS-353, SimLex-999 and MEN (OOV pairs
  left out, as both sides are scored by nlpkit.vectors.evaluate); Google analogies
  (3CosAdd) where the size asks. With several seeds, ours and the peer's figures are
  means and the spread is min-max over seeds (the seed-to-seed spread is what a
  difference must beat). Headline: the worst ours / gensim mean Spearman of the three
  algorithms gensim also has.
- floret_agreement: fastText vectors packed into a spaCy floret table (hash_count 1
  and 2); mean cosine to fastText's own vectors on the WS-353 words it saw and those
  it did not (their vectors come from n-grams only). The peer is fastText's own
  vectors, which agree with themselves at 1.0.

Run: python -m benchmarks.vectors_quality --name vectors_quality --size quick
"""

from __future__ import annotations

import statistics

from benchmarks.data import token_file
from benchmarks.harness import cli, row

SIMILARITY = ("ws353", "simlex999", "men")
# nlpkit algorithm -> the gensim model trained as its peer
PEERS = {"skipgram": "skipgram", "cbow": "cbow", "fasttext": "fasttext",
         "glove": "skipgram", "ppmi-svd": "skipgram"}  # fmt: skip


def nlpkit_vectors(path, algorithm: str, options: dict):
    from nlpkit.vectors.corpus import TokenCorpus
    from nlpkit.vectors.train import train_vectors

    corpus = TokenCorpus(path, format="txt", tokenizer="whitespace")
    return train_vectors(corpus, algorithm=algorithm, **options)


def gensim_vectors(path, algorithm: str, options: dict):
    from gensim.models import FastText, Word2Vec

    from nlpkit.vectors.kv import from_gensim

    cls = FastText if algorithm == "fasttext" else Word2Vec
    model = cls(
        corpus_file=str(path),
        sg=0 if algorithm == "cbow" else 1,
        vector_size=options["dim"],
        window=options["window"],
        min_count=options["min_count"],
        epochs=options["epochs"],
        workers=options["threads"],
        seed=options["seed"],
    )
    return from_gensim(model.wv)


def scores(wv, analogies: bool) -> dict:
    from nlpkit.vectors.evaluate import evaluate_all

    res = evaluate_all(wv, similarity=SIMILARITY, analogies=analogies)
    out = {name: res[name]["spearman"] for name in SIMILARITY}
    out["mean"] = statistics.mean(out[name] for name in SIMILARITY)
    if analogies:
        out["analogy_add"] = res["analogy"]["accuracy_add"]
    return out


def spread(values: list[float]) -> dict:
    return {"median": statistics.mean(values), "min": min(values), "max": max(values)}


def run_quality(exp, size: str) -> dict:
    params = exp.sizes[size]
    path, n = token_file(params["corpus"], params["max_tokens"])
    analogies = params["analogies"]
    got: dict[tuple[str, str], list[dict]] = {}
    for seed in params["seeds"]:
        peer_cache: dict[str, dict] = {}
        for algorithm in params["algorithms"]:
            opts = {**exp.settings["common"], **exp.settings[algorithm], "seed": seed}
            if params.get("epochs"):
                opts["epochs"] = params["epochs"]
            ours = scores(nlpkit_vectors(path, algorithm, opts), analogies)
            got.setdefault(("nlpkit", algorithm), []).append(ours)
            peer = PEERS[algorithm]
            if peer not in peer_cache:
                popts = {**exp.settings["common"], **exp.settings[peer], "seed": seed}
                if params.get("epochs"):
                    popts["epochs"] = params["epochs"]
                peer_cache[peer] = scores(gensim_vectors(path, peer, popts), analogies)
                got.setdefault(("gensim", peer), []).append(peer_cache[peer])
    rows, paired = [], []
    metrics = ["mean"] + (["analogy_add"] if analogies else [])
    for algorithm in params["algorithms"]:
        peer = PEERS[algorithm]
        for metric in metrics:
            ours = spread([s[metric] for s in got[("nlpkit", algorithm)]])
            theirs = spread([s[metric] for s in got[("gensim", peer)]])
            what = "mean Spearman (WS-353, SimLex-999, MEN)"
            if metric == "analogy_add":
                what = "Google analogies, 3CosAdd"
            rows.append(
                row(f"{algorithm}: {what}", ours, f"gensim {peer}", theirs,
                    unit="", ratio=ours["median"] - theirs["median"])
            )  # fmt: skip
            if metric == "mean" and algorithm == peer:
                paired.append(ours["median"] / theirs["median"])
    per_set = {
        f"{who} {algo}": [{k: round(v, 4) for k, v in s.items()} for s in runs]
        for (who, algo), runs in got.items()
    }
    return {
        "rows": rows,
        "ratio": min(paired) if paired else None,
        "checks": {"tokens": n, "seeds": params["seeds"]},
        "extra": {"scores_per_seed": per_set},
    }


def run_floret(exp, size: str) -> dict:
    from nlpkit.vectors.evaluate import read_pairs, resolve_wordsim
    from nlpkit.vectors.floret import floret_agreement, to_floret

    params = exp.sizes[size]
    path, n = token_file(params["corpus"], params["max_tokens"])
    opts = {**exp.settings["fasttext"], "epochs": params["epochs"], "seed": 1}
    wv = nlpkit_vectors(path, "fasttext", opts)
    pairs = read_pairs(resolve_wordsim("ws353"))
    words = sorted({w for a, b, _ in pairs for w in (a, b)})
    groups = {
        "seen": [w for w in words if w in wv],
        "unseen": [w for w in words if w not in wv],
    }
    rows, table_rows = [], {}
    for hash_count in exp.settings["hash_count"]:
        table = to_floret(wv, hash_count=hash_count)
        table_rows[hash_count] = int(table.shape[0])
        for group, ws in groups.items():
            cos = floret_agreement(wv, table, ws)
            case = (f"hash_count={hash_count}, {table.shape[0]:,} rows: "
                    f"{len(ws)} {group} WS-353 words, mean cosine")  # fmt: skip
            rows.append(
                row(case, cos, "fastText's own vectors", 1.0, unit="", ratio=cos - 1.0)
            )
    headline = [r["ours"] for r in rows if "unseen" in r["case"]][-1]
    return {
        "rows": rows,
        "ratio": headline,
        "checks": {"tokens": n, "table_rows": table_rows},
    }


def run(exp, size: str) -> dict:
    return {"vectors_quality": run_quality, "floret_agreement": run_floret}[exp.name](
        exp, size
    )


if __name__ == "__main__":
    cli(run)
