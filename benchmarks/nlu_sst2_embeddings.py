"""SST-2 from fixed embeddings: few-shot (32 per label) and full-train logistic regression.

python -m benchmarks.nlu_sst2_embeddings [--quick] [--shots 32] [--seeds 5]
python -m benchmarks.nlu_sst2_embeddings --finetune [--epochs 1] [--pairs 20]
    [--lr 2e-5] [--ft-batch-size 16] [--loss cosine] [--dev-only] [--baseline] [--save]
    [--self-train-rounds 2] [--self-train-fraction 0.5]

MiniLM sentence embeddings (nlpkit_fewshot_textcat) and GloVe doc vectors
(nlpkit_vectors_textcat, torch-free); C is chosen on dev, test is scored once with
the chosen C. Few-shot runs are repeated over several random draws of the training
examples (mean and standard deviation reported). The chosen pipelines are saved to
training/sst2_fewshot and training/sst2_embed_lr for the speed benchmark.

--finetune: the few-shot runs only (same draws), each with a MiniLM tuned SetFit-style
on the draw's examples (nlpkit.classify.finetune) before the C grid. --dev-only
scores dev and never test (for choosing the fine-tuning settings); --baseline adds
the frozen MiniLM on the same draws for comparison in the same run.
--self-train-rounds N: the classifier is also self-trained on the train split's other
texts with their labels removed (semi-supervised: still 32 labelled texts per label).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


from benchmarks._common import require_data, save_results  # noqa: E402
from nlpkit.classify.encoders import DEFAULT_ENCODER  # noqa: E402
from nlpkit.classify.finetune import LOSSES  # noqa: E402

TRAINING = ROOT / "training"
GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)


def load_split(name: str, limit: int = 0) -> tuple[list[str], list[str]]:
    from nlpkit.io import read_corpus

    texts, labels = [], []
    for record in read_corpus(
        require_data("textcat", "sst2", f"{name}.txt"), format="labelled"
    ):
        positive = [k for k, v in (record.cats or {}).items() if v > 0.5]
        texts.append(record.get_text())
        labels.append(positive[0])
        if limit and len(texts) >= limit:
            break
    return texts, labels


def one_hot(labels: list[str], names: list[str]) -> np.ndarray:
    return np.array([[float(y == n) for n in names] for y in labels])


def accuracy(clf, X, labels, names) -> float:
    pred = clf.predict_proba(X).argmax(1)
    return float(np.mean([names[p] == y for p, y in zip(pred, labels)]))


def fit_classifier(
    Xtr, ytr, names, C, classifier="logistic_regression", self_train=None
):
    """A fitted LinearClassifier; self_train=(U, rounds, fraction) self-trains it."""
    from nlpkit.classify import LinearClassifier
    from nlpkit.classify.selftrain import self_train as run_self_train

    def make():
        return LinearClassifier(names, classifier=classifier, C=C)

    if self_train is None:
        return make().fit(Xtr, one_hot(ytr, names))
    U, rounds, fraction = self_train
    clf, _ = run_self_train(
        make, Xtr, one_hot(ytr, names), U, rounds=rounds, fraction=fraction
    )
    return clf


def choose_and_test(
    Xtr,
    ytr,
    Xdev,
    ydev,
    Xte,
    yte,
    names,
    classifier="logistic_regression",
    self_train=None,
):
    dev_scores = {}
    for C in GRID:
        clf = fit_classifier(Xtr, ytr, names, C, classifier, self_train)
        dev_scores[C] = accuracy(clf, Xdev, ydev, names)
    best = max(dev_scores, key=dev_scores.get)
    clf = fit_classifier(Xtr, ytr, names, best, classifier, self_train)
    return {"C": best, "dev": dev_scores[best], "test": accuracy(clf, Xte, yte, names)}


def sample(labels: list[str], shots: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    idx = []
    for name in sorted(set(labels)):
        pool = [i for i, y in enumerate(labels) if y == name]
        idx.extend(rng.choice(pool, size=shots, replace=False).tolist())
    return idx


def save_pipeline(
    factory: str,
    texts,
    labels,
    names,
    C,
    path: Path,
    vectors: Path | None = None,
    config: dict | None = None,
    init: dict | None = None,
):
    import spacy
    from spacy.training import Example

    nlp = spacy.load(vectors) if vectors else spacy.blank("en")
    textcat = nlp.add_pipe(factory, name="textcat", config={"C": C, **(config or {})})
    examples = [
        Example.from_dict(nlp.make_doc(t), {"cats": {n: float(n == y) for n in names}})
        for t, y in zip(texts, labels)
    ]
    start = time.perf_counter()
    # initialize, not fit: it also fine-tunes the encoder when finetune_epochs > 0
    textcat.initialize(lambda: examples, nlp=nlp, labels=names, **(init or {}))
    seconds = time.perf_counter() - start
    path.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(path)
    return seconds


def choose_on_dev(Xtr, ytr, Xdev, ydev, names, self_train=None) -> dict:
    dev_scores = {}
    for C in GRID:
        clf = fit_classifier(Xtr, ytr, names, C, self_train=self_train)
        dev_scores[C] = accuracy(clf, Xdev, ydev, names)
    best = max(dev_scores, key=dev_scores.get)
    return {"C": best, "dev": dev_scores[best]}


def cached_embeddings(encoder, split: str, texts: list[str], args) -> np.ndarray:
    """Embeddings of a split, kept in benchmarks/.cache so a rerun does not re-embed."""
    name = f"sst2_{split}{suffix(args) or '_minilm'}_{len(texts)}.npy"
    path = ROOT / "benchmarks" / ".cache" / "embeddings" / name
    if path.exists():
        return np.load(path)
    X = encoder.encode(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, X)
    return X


def suffix(args) -> str:
    """'' for the default MiniLM, else '_<encoder>' for result and pipeline names."""
    if args.encoder == DEFAULT_ENCODER:
        return ""
    return "_" + Path(args.encoder).name.lower().replace("-", "_")


def summary(values: list[float]) -> dict:
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values)),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
    }


def run_finetune(args) -> None:
    """Few-shot draws with a SetFit-tuned encoder per draw (and the frozen baseline)."""
    from nlpkit.classify import finetune_sentence_transformer, load_trainable_model
    from nlpkit.classify.encoders import SentenceEncoder

    limit = 300 if args.quick else 0
    shots = args.shots if not args.quick else 8
    splits = {s: load_split(s, limit) for s in ("train", "dev", "test")}
    if args.dev_only:
        del splits["test"]
    names = sorted(set(splits["train"][1]))
    ttr, ytr = splits["train"]
    settings = {
        "epochs": args.epochs,
        "n_pairs": args.pairs,
        "learning_rate": args.lr,
        "batch_size": args.ft_batch_size,
        "loss": args.loss,
    }
    results: dict = {
        "self_train": {
            "rounds": args.self_train_rounds,
            "fraction": args.self_train_fraction,
            "unlabelled": "the train split's other texts, labels removed",
        },
        "date": time.strftime("%Y-%m-%d"),
        "shots": shots,
        "labels": names,
        "encoder": args.encoder,
        "finetune": settings,
        "dev_only": args.dev_only,
    }

    def evaluate(encoder, idx, cache: dict | None = None) -> dict:
        start = time.perf_counter()
        X = cache if cache is not None else {}
        for split, (texts, _) in splits.items():
            if split not in X and (split != "train" or args.self_train_rounds):
                X[split] = encoder.encode(texts)
        # the other train texts, without their labels
        drawn = set(idx)
        rest = [i for i in range(len(ttr)) if i not in drawn]
        Xtr = X["train"][idx] if "train" in X else encoder.encode([ttr[i] for i in idx])
        self_train = None
        if args.self_train_rounds:
            U = X["train"][rest]
            self_train = (U, args.self_train_rounds, args.self_train_fraction)
        out = {"encode_seconds": time.perf_counter() - start}
        y_idx = [ytr[i] for i in idx]
        if args.dev_only:
            out.update(
                choose_on_dev(Xtr, y_idx, X["dev"], splits["dev"][1], names, self_train)
            )
        else:
            out.update(
                choose_and_test(
                    Xtr,
                    y_idx,
                    X["dev"],
                    splits["dev"][1],
                    X["test"],
                    splits["test"][1],
                    names,
                    self_train=self_train,
                )
            )
        return out

    draws = [sample(ytr, shots, seed) for seed in range(args.seeds)]
    if args.baseline:
        frozen = SentenceEncoder(args.encoder, batch_size=64)
        cache: dict = {}
        results["frozen"] = {"runs": [evaluate(frozen, idx, cache) for idx in draws]}
    runs = []
    for seed, idx in enumerate(draws):
        model = load_trainable_model(args.encoder)
        stats = finetune_sentence_transformer(
            model,
            [ttr[i] for i in idx],
            [ytr[i] for i in idx],
            seed=seed,
            **settings,
        )
        run = evaluate(SentenceEncoder("tuned", batch_size=64, model=model), idx)
        run.update(
            finetune_seconds=stats.seconds,
            steps=stats.steps,
            pairs=stats.n_pairs,
            epoch_losses=stats.epoch_losses,
        )
        runs.append(run)
        print(f"draw {seed}: " + ", ".join(f"{k}={v}" for k, v in run.items()))
    results["setfit"] = {"runs": runs}
    if args.save:
        # draw 0 again through the spaCy component, for the speed benchmark
        component_settings = {
            "finetune_epochs": args.epochs,
            "finetune_pairs": args.pairs,
            "finetune_learning_rate": args.lr,
            "finetune_batch_size": args.ft_batch_size,
            "finetune_loss": args.loss,
            "model": args.encoder,
        }
        init = None
        if args.self_train_rounds:
            drawn = set(draws[0])
            init = {
                "unlabelled": [t for i, t in enumerate(ttr) if i not in drawn],
                "self_train_rounds": args.self_train_rounds,
                "self_train_fraction": args.self_train_fraction,
            }
        results["setfit"]["saved_seconds"] = save_pipeline(
            "nlpkit_fewshot_textcat",
            [ttr[i] for i in draws[0]],
            [ytr[i] for i in draws[0]],
            names,
            runs[0]["C"],
            TRAINING / (("sst2_setfit_self" if init else "sst2_setfit") + suffix(args)),
            config=component_settings,
            init=init,
        )
    metric = "dev" if args.dev_only else "test"
    for key in ("frozen", "setfit"):
        if key in results:
            block = results[key]
            block[metric] = summary([r[metric] for r in block["runs"]])
            if key == "setfit":
                block["finetune_seconds"] = summary(
                    [r["finetune_seconds"] for r in runs]
                )
    loss = "" if args.loss == "cosine" else f"_{args.loss}"
    tag = f"e{args.epochs}_p{args.pairs}_lr{args.lr:g}{loss}"
    if args.self_train_rounds:
        tag += f"_self{args.self_train_rounds}x{args.self_train_fraction:g}"
    tag += "_dev" if args.dev_only else ""
    tag += suffix(args)
    path = save_results(
        "nlu_sst2_setfit_" + tag + ("_quick" if args.quick else ""), results
    )
    print(f"{'model':<34}{metric:>8}{'sd':>8}{'min':>8}{'max':>8}")
    model = args.encoder
    for key, label in (
        ("frozen", f"{model} frozen"),
        ("setfit", f"{model} SetFit {tag}"),
    ):
        if key in results:
            m = results[key][metric]
            print(
                f"{label:<34}{m['mean']:>8.4f}{m['std']:>8.4f}"
                f"{m['min']:>8.4f}{m['max']:>8.4f}"
            )
    ft = results["setfit"]["finetune_seconds"]
    print(
        f"fine-tune seconds per draw: {ft['mean']:.1f} ({ft['min']:.1f}-{ft['max']:.1f})"
    )
    print(f"results: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--no-save-full",
        dest="save_full",
        action="store_false",
        help="do not save the full-train pipeline (it embeds the train set again)",
    )
    parser.add_argument(
        "--encoder",
        default=DEFAULT_ENCODER,
        help="sentence-transformer: a packaged name (minilm, mpnet) or a local path",
    )
    parser.add_argument("--shots", type=int, default=32)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--finetune", action="store_true")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--ft-batch-size", type=int, default=16)
    parser.add_argument("--loss", default="cosine", choices=sorted(LOSSES))
    parser.add_argument("--dev-only", action="store_true")
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument(
        "--self-train-rounds",
        type=int,
        default=0,
        help="with --finetune: self-train the classifier on the train split's other "
        "texts, labels removed (nlpkit.classify.selftrain); 0 = off",
    )
    parser.add_argument("--self-train-fraction", type=float, default=0.5)
    parser.add_argument(
        "--save",
        action="store_true",
        help="with --finetune: save draw 0's tuned pipeline to training/sst2_setfit",
    )
    args = parser.parse_args()
    if args.finetune:
        run_finetune(args)
        return
    limit = 300 if args.quick else 0
    from nlpkit.classify.encoders import SentenceEncoder

    splits = {s: load_split(s, limit) for s in ("train", "dev", "test")}
    names = sorted(set(splits["train"][1]))
    results: dict = {
        "date": time.strftime("%Y-%m-%d"),
        "shots": args.shots,
        "labels": names,
        "encoder": args.encoder,
    }
    encoder = SentenceEncoder(args.encoder, batch_size=64)
    X = {}
    start = time.perf_counter()
    for split, (texts, _) in splits.items():
        X[split] = cached_embeddings(encoder, split, texts, args)
    n_words = sum(len(t.split()) for texts, _ in splits.values() for t in texts)
    results["encode_words_per_second"] = n_words / (time.perf_counter() - start)
    (ttr, ytr), (_, ydev), (_, yte) = splits["train"], splits["dev"], splits["test"]

    # full train set + logistic regression on MiniLM embeddings
    start = time.perf_counter()
    full = choose_and_test(X["train"], ytr, X["dev"], ydev, X["test"], yte, names)
    print(f"full train: {full}", flush=True)
    full["grid_seconds"] = time.perf_counter() - start
    results["embed_lr_full"] = full
    if args.save_full:
        full["train_seconds"] = save_pipeline(
            "nlpkit_fewshot_textcat",
            ttr,
            ytr,
            names,
            full["C"],
            TRAINING / ("sst2_embed_lr" + suffix(args)),
            config={"model": args.encoder},
        )

    # few-shot: shots per label, several draws
    shots = args.shots if not args.quick else 8
    runs = []
    for seed in range(args.seeds):
        idx = sample(ytr, shots, seed)
        runs.append(
            choose_and_test(
                X["train"][idx],
                [ytr[i] for i in idx],
                X["dev"],
                ydev,
                X["test"],
                yte,
                names,
            )
        )
    tests = [r["test"] for r in runs]
    results["embed_fewshot"] = {
        "runs": runs,
        "test_mean": float(np.mean(tests)),
        "test_std": float(np.std(tests)),
    }
    idx = sample(ytr, shots, 0)
    results["embed_fewshot"]["train_seconds_seed0"] = save_pipeline(
        "nlpkit_fewshot_textcat",
        [ttr[i] for i in idx],
        [ytr[i] for i in idx],
        names,
        runs[0]["C"],
        TRAINING / ("sst2_fewshot" + suffix(args)),
        config={"model": args.encoder},
    )

    # torch-free: GloVe doc vectors + logistic regression
    vectors = TRAINING / "vectors" / "glove50"
    if vectors.exists() and not suffix(args):
        import spacy

        nlp = spacy.load(vectors)
        V = {}
        for split, (texts, _) in splits.items():
            docs = list(nlp.pipe(texts))
            V[split] = np.vstack(
                [d.vector / (np.linalg.norm(d.vector) or 1.0) for d in docs]
            )
        glove = choose_and_test(V["train"], ytr, V["dev"], ydev, V["test"], yte, names)
        glove["train_seconds"] = save_pipeline(
            "nlpkit_vectors_textcat",
            ttr,
            ytr,
            names,
            glove["C"],
            TRAINING / "sst2_vectors_lr",
            vectors,
        )
        results["glove_lr_full"] = glove
    path = save_results(
        "nlu_sst2_embeddings" + suffix(args) + ("_quick" if args.quick else ""), results
    )
    model = args.encoder
    print(f"{'model':<36}{'dev':>8}{'test':>8}")
    print(f"{model + ' + LR (full train)':<36}{full['dev']:>8.4f}{full['test']:>8.4f}")
    fs = results["embed_fewshot"]
    dev = np.mean([r["dev"] for r in fs["runs"]])
    print(
        f"{f'{model} few-shot {shots}/label':<36}{dev:>8.4f}{fs['test_mean']:>8.4f}"
        f" ± {fs['test_std']:.4f}"
    )
    if "glove_lr_full" in results:
        g = results["glove_lr_full"]
        print(f"{'GloVe doc.vector + LR':<28}{g['dev']:>8.4f}{g['test']:>8.4f}")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
