"""LLM hand-off with a real model (SmolLM2-135M, one thread): speed and routing.

- llm_handoff: the same prompts (greedy, 16 new tokens) through nlpkit's in-process
  backend against llama-cpp-python called directly on the same Llama object; through
  nlpkit's OpenAI-compatible backend against a plain urllib thread pool, both talking
  to a real `llama_cpp.server` (one slot: requests queue, so concurrency cannot show
  a gain; against a fixed-latency server that is `llm_client`); and the component's
  re-run served by its disk cache against the first, uncached run.
- llm_routing (no timing): SST-2 dev, TF-IDF + logistic regression alone (the peer)
  against SmolLM2 alone (few-shot) and against the classifier handing the docs it is
  unsure of (max score < threshold) to SmolLM2.
Smoke: lee sentences (llm_handoff) and a generated labelled corpus (llm_routing).

Run: python -m benchmarks.llm_handoff --name llm_handoff --size quick
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.data import paragraphs, require_data
from benchmarks.harness import alternate, cli, row

LABELS = {"0": "negative", "1": "positive"}
EXAMPLES = [  # few-shot examples written for the benchmark (not from SST-2)
    {"text": "a gorgeous , witty , seductive movie .", "answer": "positive"},
    {"text": "the story is dull and the acting is worse .", "answer": "negative"},
    {"text": "one of the year 's best films .", "answer": "positive"},
    {"text": "a tedious , lifeless mess .", "answer": "negative"},
]


def prompts(params: dict) -> list[str]:
    if params["texts"] == "lee":
        texts = [p.split(". ")[0] for p in paragraphs("lee")]
    else:
        path = require_data("textcat", "sst2", "dev.txt")
        texts = [line.split(" ", 1)[1].strip() for line in path.open(encoding="utf-8")]
    return [f"Summarize in five words: {t}" for t in texts[: params["docs"]]]


def run_speed(exp, size: str) -> dict:
    import spacy

    from benchmarks.bench_batch import plain_client
    from nlpkit.llm.http import OpenAICompatibleBackend
    from nlpkit.llm.llamaserver import LlamaCppServer
    from nlpkit.llm.local import LlamaCppBackend
    from nlpkit.llm.types import GenerationSettings

    params, s = exp.sizes[size], exp.settings
    todo = prompts(params)
    settings = GenerationSettings(max_new_tokens=s["max_new_tokens"])
    local = LlamaCppBackend(settings=settings, n_threads=s["n_threads"])

    def raw():
        for p in todo:
            local.llm.create_chat_completion(
                messages=[{"role": "user", "content": p}],
                max_tokens=s["max_new_tokens"],
                temperature=0.0,
            )

    def check(results):
        failed = [r.error for r in results if r.error]
        if failed:
            raise RuntimeError(f"LLM errors: {failed[:3]}")

    warm = size != "smoke"
    inproc = alternate(
        {"nlpkit": lambda: check(local.generate_batch(todo)), "raw": raw},
        params["rounds"],
        warmup=warm,
    )
    with LlamaCppServer(n_threads=s["n_threads"]) as server:
        http = OpenAICompatibleBackend(server.url, server.alias, settings=settings,
                                       max_concurrency=s["concurrency"])  # fmt: skip
        over_http = alternate(
            {"nlpkit": lambda: check(http.generate_batch(todo)),
             "plain": lambda: plain_client(server.url, todo)},
            params["rounds"],
            warmup=warm,
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-llm-") as tmp:
        nlp = spacy.blank("en")
        nlp.add_pipe("nlpkit_llm", config={
            "task": {"@misc": "nlpkit.Prompt.v1", "template": "{{ text }}"},
            "backend": {"@misc": "nlpkit.LlamaCpp.v1", "n_threads": s["n_threads"],
                        "max_new_tokens": s["max_new_tokens"]},
            "cache_path": str(Path(tmp) / "cache.sqlite"),
        })  # fmt: skip
        first = alternate({"first": lambda: list(nlp.pipe(todo))}, 1, warmup=False)
        again = alternate({"cached": lambda: list(nlp.pipe(todo))}, 1, warmup=False)
        hits = nlp.get_pipe("nlpkit_llm").stats.cache_hits
    n, tokens = len(todo), s["max_new_tokens"]
    rows = [
        row(f"in-process: {n} prompts, {tokens} new tokens", inproc["nlpkit"],
            "llama_cpp.Llama.create_chat_completion", inproc["raw"]),
        row(f"llama_cpp.server over HTTP, {s['concurrency']} in flight",
            over_http["nlpkit"], "urllib thread pool (8 threads)", over_http["plain"]),
        row("component re-run from its disk cache", again["cached"],
            "the same component, first (uncached) run", first["first"]),
    ]  # fmt: skip
    return {"rows": rows, "ratio": rows[0]["ratio"], "checks": {"cache_hits": hits}}


def routing_data(params: dict, tmp: Path) -> tuple[list, list]:
    from benchmarks.nlu_accuracy import generated_textcat, labelled

    if params["data"] == "generated":
        paths = generated_textcat(tmp)
        train, dev = paths["train"], paths["dev"]
    else:
        folder = require_data("textcat", "sst2")
        train, dev = folder / "train.txt", folder / "dev.txt"
    texts, labels = labelled(train)
    dev_texts, dev_labels = labelled(dev, params["docs"])
    return (texts, [LABELS[y] for y in labels]), (
        dev_texts,
        [LABELS[y] for y in dev_labels],
    )


class ClassifierCats:
    """Pipeline step setting doc.cats from a fitted scikit-learn classifier."""

    def __init__(self):
        self.model = None

    def __call__(self, doc):
        probs = self.model.predict_proba([doc.text])[0]
        doc.cats = {label: float(p) for label, p in zip(self.model.classes_, probs)}
        return doc


def classifier_pipeline(model):
    import spacy
    from spacy.language import Language

    if not Language.has_factory("bench_classifier_cats"):
        Language.factory(
            "bench_classifier_cats", func=lambda nlp, name: ClassifierCats()
        )
    nlp = spacy.blank("en")
    nlp.add_pipe("bench_classifier_cats").model = model
    return nlp


def run_routing(exp, size: str) -> dict:
    import spacy
    import srsly

    from benchmarks.nlu_accuracy import accuracy, tfidf_lr

    params, s = exp.sizes[size], exp.settings
    with tempfile.TemporaryDirectory(prefix="bench-route-") as tmp:
        (texts, labels), (dev, gold) = routing_data(params, Path(tmp))
        examples = Path(tmp) / "examples.jsonl"
        srsly.write_jsonl(examples, EXAMPLES)
        task = {"@misc": "nlpkit.TextCat.v1", "labels": sorted(set(labels)),
                "examples": str(examples)}  # fmt: skip
        backend = {"@misc": "nlpkit.LlamaCpp.v1", "n_threads": s["n_threads"],
                   "max_new_tokens": s["max_new_tokens"]}  # fmt: skip
        model = tfidf_lr(texts, labels)
        peer = accuracy(list(model.predict(dev)), gold)

        def predicted(docs):
            return [max(d.cats, key=d.cats.get) if d.cats else "" for d in docs]

        alone = spacy.blank("en")
        alone.add_pipe("nlpkit_llm", name="llm", config={"task": task,
                       "backend": backend, "use_cache": False})  # fmt: skip
        llm_acc = accuracy(predicted(alone.pipe(dev)), gold)
        rows = [
            row(
                f"SmolLM2 alone (few-shot), {len(dev)} docs, accuracy",
                llm_acc,
                "TF-IDF + LR alone",
                peer,
                unit="",
                ratio=llm_acc - peer,
            )
        ]
        calls = {"SmolLM2 alone": len(dev)}
        routed_acc = []
        for threshold in params["thresholds"]:
            nlp = classifier_pipeline(model)
            route = {"@misc": "nlpkit.route.low_confidence.v1", "threshold": threshold}
            nlp.add_pipe(
                "nlpkit_llm",
                name="llm",
                config={
                    "task": task,
                    "backend": backend,
                    "route": route,
                    "use_cache": False,
                },
            )
            acc = accuracy(predicted(nlp.pipe(dev)), gold)
            routed_acc.append(acc)
            calls[f"threshold {threshold}"] = nlp.get_pipe("llm").stats.requests_sent
            rows.append(row(f"TF-IDF + LR, SmolLM2 when max score < {threshold}, "
                            "accuracy", acc, "TF-IDF + LR alone", peer, unit="",
                            ratio=acc - peer))  # fmt: skip
    return {
        "rows": rows,
        "ratio": max(routed_acc) / peer if peer else None,
        "checks": {"llm_calls": calls},
    }


def run(exp, size: str) -> dict:
    return {"llm_handoff": run_speed, "llm_routing": run_routing}[exp.name](exp, size)


if __name__ == "__main__":
    cli(run)
