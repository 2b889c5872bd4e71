"""SST-2 from fixed sentence embeddings (no timing): MiniLM + logistic regression
(nlpkit.classify.LinearClassifier, as nlpkit_fewshot_textcat uses it) on the full
train split and few-shot (k texts per label, several random draws), against
scikit-learn TF-IDF + logistic regression on the same texts and the same draws.

C is chosen on dev for both sides from the same grid; test is scored once with the
chosen C. Few-shot figures are means over the draws, with min-max in brackets.
Smoke: a generated labelled corpus.

Run: python -m benchmarks.nlu_sst2_embeddings --name sst2_embeddings --size quick
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import numpy as np

from benchmarks.data import require_data
from benchmarks.harness import cli, row
from benchmarks.nlu_accuracy import generated_textcat, labelled


def splits(params: dict, tmp: Path) -> dict:
    if params["data"] == "generated":
        paths = generated_textcat(tmp)
    else:
        folder = require_data("textcat", "sst2")
        paths = {s: folder / f"{s}.txt" for s in ("train", "dev", "test")}
    return {s: labelled(p, params["limits"][s]) for s, p in paths.items()}


def sample(labels: list[str], shots: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    idx = []
    for name in sorted(set(labels)):
        pool = [i for i, y in enumerate(labels) if y == name]
        idx.extend(rng.choice(pool, size=min(shots, len(pool)), replace=False).tolist())
    return idx


def embedding_lr(names: list[str], C: float):
    from nlpkit.classify import LinearClassifier

    class Fitted:
        def fit(self, X, y):
            Y = np.array([[float(v == n) for n in names] for v in y])
            self.clf = LinearClassifier(names, C=C).fit(X, Y)
            return self

        def predict(self, X):
            return [names[i] for i in self.clf.predict_proba(X).argmax(1)]

    return Fitted()


def tfidf_lr(names: list[str], C: float):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    min_df = 1  # few-shot draws are too small for min_df=2
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True),
        LogisticRegression(C=C, max_iter=2000),
    )


def choose_and_test(make, grid, names, train, dev, test) -> float:
    """Fit for each C, keep the best on dev; RETURNS its test accuracy."""

    def acc(model, split):
        X, y = split
        return float(np.mean([p == g for p, g in zip(model.predict(X), y)]))

    fitted = {C: make(names, C).fit(*train) for C in grid}
    best = max(grid, key=lambda C: acc(fitted[C], dev))
    return acc(fitted[best], test)


def spread(values: list[float]) -> dict:
    return {"median": statistics.mean(values), "min": min(values), "max": max(values)}


def run(exp, size: str) -> dict:
    from nlpkit.classify.encoders import SentenceEncoder

    params, grid = exp.sizes[size], exp.settings["C_grid"]
    with tempfile.TemporaryDirectory(prefix="bench-sst2-") as tmp:
        data = splits(params, Path(tmp))
    encoder = SentenceEncoder(exp.settings["encoder"], batch_size=64)
    X = {s: encoder.encode(texts) for s, (texts, _) in data.items()}
    y = {s: labels for s, (_, labels) in data.items()}
    names = sorted(set(y["train"]))

    def both(idx=None):
        def part(split, source):
            if split == "train" and idx is not None:
                return (
                    [source[i] for i in idx]
                    if isinstance(source, list)
                    else source[idx]
                )
            return source

        ours = choose_and_test(
            embedding_lr, grid, names, *[(part(s, X[s]), part(s, y[s])) for s in X]
        )
        peer = choose_and_test(
            tfidf_lr, grid, names, *[(part(s, data[s][0]), part(s, y[s])) for s in X]
        )
        return ours, peer

    full_ours, full_peer = both()
    draws = [
        both(sample(y["train"], params["shots"], seed)) for seed in params["seeds"]
    ]
    few_ours = spread([o for o, _ in draws])
    few_peer = spread([p for _, p in draws])
    n_train, n_test = len(y["train"]), len(y["test"])
    rows = [
        row(f"{params['shots']} per label, {len(draws)} draws, test accuracy "
            f"({n_test:,} texts)", few_ours, "TF-IDF + LR, same draws", few_peer,
            unit="", ratio=few_ours["median"] - few_peer["median"]),
        row(f"full train ({n_train:,} texts), test accuracy", full_ours,
            "TF-IDF + LR, same texts", full_peer, unit="", ratio=full_ours - full_peer),
    ]  # fmt: skip
    return {
        "rows": rows,
        "ratio": few_ours["median"] / few_peer["median"]
        if few_peer["median"]
        else None,
        "checks": {"labels": names},
    }


if __name__ == "__main__":
    cli(run)
