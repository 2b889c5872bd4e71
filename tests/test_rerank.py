"""Cross-encoder reranking: training a tiny reranker, batching, judge, component, CLI."""

import json
import logging
import random
import re

import numpy as np
import pytest
import spacy
from typer.testing import CliRunner

from nlpkit.cli import app
from nlpkit.retrieval import Hit
from nlpkit.retrieval.bm25 import BM25Index
from nlpkit.retrieval.judge import CrossEncoderJudge
from nlpkit.retrieval.models import ModelLoadError
from nlpkit.retrieval.rerank import RerankedRetriever, Reranker
from nlpkit.retrieval.train import (
    TrainingExample,
    mine_hard_negatives,
    pairs_from_documents,
    read_training_data,
    train_reranker,
)

KEYWORDS = (
    "zebra violin tractor saturn glacier lantern pepper orchid rocket marble "
    "falcon canyon tulip cobalt walrus harbor"
).split()
TRAIN_KW, TEST_KW = KEYWORDS[:10], KEYWORDS[10:]
FILLER = (
    "the report describes several results and the method was applied to a set "
    "of cases in the study"
).split()


def passage(rng, keyword=None):
    words = rng.sample(FILLER, 8)
    if keyword:
        words.insert(rng.randrange(len(words)), keyword)
    return " ".join(words)


def planted_examples(seed=0):
    rng = random.Random(seed)
    examples = []
    for kw in TRAIN_KW * 3:
        others = [k for k in TRAIN_KW if k != kw]
        negatives = [passage(rng, rng.choice(others)) for _ in range(3)]
        examples.append(TrainingExample(kw, passage(rng, kw), negatives))
    return examples


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A MiniLM cross-encoder fine-tuned for a few seconds on the planted signal."""
    out = tmp_path_factory.mktemp("reranker")
    summary = train_reranker(
        planted_examples(),
        out,
        model="minilm",
        epochs=4,
        batch_size=4,
        learning_rate=2e-4,
        max_length=32,
        loss="listwise",
    )
    assert summary.steps == 32 and summary.pairs == 480
    # chance for one positive among four candidates is ln 4 = 1.386
    assert summary.final_loss < 0.15, summary
    return out


@pytest.fixture(scope="module")
def reranker(trained):
    return Reranker(trained, batch_size=8)


def held_out_queries(seed=1):
    rng = random.Random(seed)
    queries, candidates = [], []
    for kw in TEST_KW:
        others = rng.sample([k for k in TEST_KW if k != kw], 3)
        cands = [passage(rng, k) for k in others]
        cands.insert(rng.randrange(4), passage(rng, kw))
        queries.append(kw)
        candidates.append(cands)
    return queries, candidates


def test_trained_reranker_learns_planted_signal(reranker):
    queries, candidates = held_out_queries()
    results = reranker.rerank_batch(queries, candidates)
    correct = sum(kw in hits[0].text.split() for kw, hits in zip(queries, results))
    assert correct >= 5, [(q, r[0].text) for q, r in zip(queries, results)]
    info = json.loads((reranker_path(reranker) / "nlpkit_reranker.json").read_text())
    assert info["loss"] == "listwise"


def test_int8_backend_keeps_planted_signal(trained):
    quantized = Reranker(trained, batch_size=8, backend="int8")
    queries, candidates = held_out_queries()
    results = quantized.rerank_batch(queries, candidates)
    correct = sum(kw in hits[0].text.split() for kw, hits in zip(queries, results))
    assert correct >= 5, [(q, r[0].text) for q, r in zip(queries, results)]
    linear = type(quantized.model.model.classifier)
    assert "quantized" in linear.__module__, linear
    with pytest.raises(ValueError, match="E307"):
        Reranker(trained, backend="onnx")


def reranker_path(reranker):
    from pathlib import Path

    return Path(reranker.path)


def test_rerank_batch_is_one_flat_batch_and_matches_predict(reranker):
    queries, candidates = held_out_queries(seed=2)
    batched = reranker.rerank_batch(queries, candidates, top_k=2)
    single = [reranker.rerank(q, c, top_k=2) for q, c in zip(queries, candidates)]
    for a, b in zip(batched, single):
        assert [h.id for h in a] == [h.id for h in b]
        assert [h.score for h in a] == pytest.approx([h.score for h in b], abs=1e-5)
    assert all(len(hits) == 2 for hits in batched)
    pairs = [(q, c) for q, cands in zip(queries, candidates) for c in cands]
    direct = reranker.model.predict(pairs, batch_size=8)
    assert reranker.score_pairs(pairs) == pytest.approx(np.asarray(direct), abs=1e-5)
    assert batched[0][0].meta["first_stage_rank"] in range(1, 5)


def test_rerank_threshold_and_hits_in(reranker):
    hits = [Hit("d1", 3.0, "zebra the study"), Hit("d2", 9.0, "the method cases")]
    out = reranker.rerank("zebra", hits)
    assert out[0].id == "d1" and out[0].meta["first_stage_score"] == 3.0
    assert all(0.0 <= h.score <= 1.0 for h in out)
    cut = out[0].score - 1e-6
    assert [h.id for h in reranker.rerank("zebra", hits, threshold=cut)] == ["d1"]


def test_rerank_bad_input(reranker):
    with pytest.raises(ValueError, match="E301"):
        reranker.rerank("  ", ["a passage"])
    with pytest.raises(ValueError, match="E302"):
        reranker.rerank("zebra", [])
    with pytest.raises(ModelLoadError, match="E303.*no such folder"):
        Reranker("./no/such/model")
    with pytest.raises(ModelLoadError, match="E303.*config.json"):
        Reranker(reranker_path(reranker).parent)


def test_overlong_candidate_truncated_with_one_warning(trained):
    fresh = Reranker(trained, max_length=32)
    long_text = "zebra " + " ".join(["study"] * 200)
    with pytest.warns(UserWarning, match="W302"):
        scores = fresh.score_pairs([("zebra", long_text), ("zebra", "short")])
    assert np.isfinite(scores).all()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fresh.score_pairs([("zebra", long_text)])  # warned once already


def test_judge_scores_pairs(trained):
    judge = CrossEncoderJudge(trained)
    scores = judge.score([("falcon", "the falcon study"), ("falcon", "the cases")])
    assert len(scores) == 2 and scores[0] > scores[1]
    assert judge.mean_score([]) == 0.0


def test_reranked_retriever_over_bm25(reranker):
    docs = [
        ("a", "walrus method"),
        ("b", "walrus walrus walrus results"),
        ("c", "tulip"),
    ]
    searcher = RerankedRetriever(BM25Index.build(docs), reranker, depth=5)
    results = searcher.search_batch(["walrus", "tulip", "nothingmatches"], k=2)
    assert {h.id for h in results[0]} == {"a", "b"}
    assert results[1][0].id == "c"
    assert results[2] == []


class FixedRetriever:
    """A first stage that returns the same hand-made ranking for every query."""

    def __init__(self, hits):
        self.hits = hits
        self.docs = []

    def search_batch(self, queries, k=10):
        return [self.hits[:k] for _ in queries]


def test_reranked_retriever_weight_fuses_with_first_stage(reranker):
    first = [
        Hit("x", 3.0, "the cases in the study"),
        Hit("y", 2.0, "the report on the method"),
        Hit("w", 1.0, "walrus results"),
    ]
    only_ce = RerankedRetriever(FixedRetriever(first), reranker, depth=3)
    ce_hits = only_ce.search("walrus", k=3)
    assert ce_hits[0].id == "w"
    keep_first = RerankedRetriever(FixedRetriever(first), reranker, depth=3, weight=0)
    assert [h.id for h in keep_first.search("walrus", k=3)] == ["x", "y", "w"]
    half = RerankedRetriever(FixedRetriever(first), reranker, depth=3, weight=0.5)
    fused = half.search("walrus", k=3)
    ce = {h.id: h.score for h in ce_hits}
    lo, hi = min(ce.values()), max(ce.values())
    norm_first = {"x": 1.0, "y": 0.5, "w": 0.0}
    for hit in fused:
        expected = 0.5 * norm_first[hit.id] + 0.5 * (ce[hit.id] - lo) / (hi - lo)
        assert hit.score == pytest.approx(expected, abs=1e-6)
        assert set(hit.meta["fusion"]) == {"first_stage", "cross_encoder"}
    with pytest.raises(ValueError, match="E025"):
        RerankedRetriever(FixedRetriever(first), reranker, weight=1.5)


# training data
def test_training_data_reader(tmp_path):
    path = tmp_path / "train.jsonl"
    rows = [
        {"query": "q1", "positive": "p1", "negatives": ["n1"]},
        {"query": "q2", "positives": ["p2", "p3"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    examples = read_training_data(path)
    assert [(e.query, e.positive) for e in examples] == [
        ("q1", "p1"),
        ("q2", "p2"),
        ("q2", "p3"),
    ]
    path.write_text(json.dumps({"query": "q", "negatives": ["x"]}) + "\n")
    with pytest.raises(ValueError, match=r"E309.*train.jsonl:1.*positive"):
        read_training_data(path)
    path.write_text('{"query": ""}\n')
    with pytest.raises(ValueError, match="E309.*query"):
        read_training_data(path)


DOC_TEXTS = [
    {
        "id": f"d{i}",
        "title": f"On the {kw} problem in engineering",
        "text": f"The {kw} was measured in a wind tunnel at several speeds. "
        f"Results for the {kw} agree with the theory of thin bodies. "
        "The method extends to other shapes and higher speeds as well.",
    }
    for i, kw in enumerate(KEYWORDS)
]


def test_pairs_from_raw_documents_and_mined_negatives():
    titles = pairs_from_documents(DOC_TEXTS, mode="title")
    assert len(titles) == len(DOC_TEXTS)
    assert all(e.query.startswith("On the") for e in titles)
    ict = pairs_from_documents(DOC_TEXTS, mode="ict", keep_sentence=0.0)
    for ex in ict:
        assert ex.query not in ex.positive  # inverse cloze removes the sentence
        assert ex.query in next(
            d["text"] for d in DOC_TEXTS if d["id"] == ex.positive_id
        )
    auto = pairs_from_documents(DOC_TEXTS, max_pairs=5)
    assert len(auto) == 5
    index = BM25Index.build(DOC_TEXTS)
    mined = mine_hard_negatives(titles, index, n_negatives=3, depth=10)
    for ex in mined:
        assert len(ex.negatives) == 3
        assert ex.positive not in ex.negatives
    with pytest.raises(ValueError, match="E310"):
        pairs_from_documents(["short"], mode="sentence")


# spaCy component
def make_nlp(model, **config):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("nlpkit_reranker", config={"model": str(model), **config})
    return nlp


def test_component_extension_candidates_pipe_and_round_trip(trained, tmp_path):
    nlp = make_nlp(trained, k=2, batch_size=8)
    queries, candidates = held_out_queries(seed=3)
    docs = []
    for q, cands in zip(queries, candidates):
        doc = nlp.make_doc(q)
        doc._.candidates = cands
        docs.append(doc)
    piped = list(nlp.pipe(docs, batch_size=4))
    for doc, q in zip(piped, queries):
        assert len(doc._.rerank_scores) == 4
        assert len(doc._.reranked) == 2
        assert q in doc._.reranked[0]["text"].split()
    one = nlp.make_doc(queries[0])
    one._.candidates = candidates[0]
    assert nlp(one)._.rerank_scores == pytest.approx(piped[0]._.rerank_scores, abs=1e-5)
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "nlpkit_reranker" / "model" / "config.json").exists()
    cfg = json.loads((tmp_path / "pipe" / "nlpkit_reranker" / "cfg").read_text())
    assert cfg["model"] == "model" and cfg["k"] == 2
    loaded = spacy.load(tmp_path / "pipe")
    again = loaded.make_doc(queries[0])
    again._.candidates = candidates[0]
    assert loaded(again)._.rerank_scores == pytest.approx(
        piped[0]._.rerank_scores, abs=1e-5
    )
    with pytest.raises(FileNotFoundError, match="E001"):
        loaded.get_pipe("nlpkit_reranker").from_disk(tmp_path / "missing")
    data = nlp.get_pipe("nlpkit_reranker").to_bytes()
    fresh = make_nlp(trained, k=5)
    fresh.get_pipe("nlpkit_reranker").from_bytes(data)
    assert fresh.get_pipe("nlpkit_reranker").cfg["k"] == 2
    again = fresh.make_doc(queries[0])
    again._.candidates = candidates[0]
    assert fresh(again)._.rerank_scores == pytest.approx(
        piped[0]._.rerank_scores, abs=1e-5
    )
    fresh.to_disk(tmp_path / "pipe2")  # the unpacked folder is gone: model re-saved
    assert (tmp_path / "pipe2" / "nlpkit_reranker" / "model" / "config.json").exists()


def test_component_sentences_as_candidates_and_empty_docs(trained):
    nlp = make_nlp(trained, candidates="sents", threshold=0.0)
    doc = nlp.make_doc(
        "The cases in the study. A walrus was in the report. The method."
    )
    doc._.query = "walrus"
    doc = nlp(doc)
    assert len(doc._.rerank_scores) == 3
    best = doc._.reranked[0]
    assert (
        "walrus" in best["text"]
        and doc.text[best["start"] : best["end"]] == best["text"]
    )
    empty = nlp("")
    assert empty._.rerank_scores == [] and empty._.reranked == []


def test_component_spans_as_candidates(trained, caplog):
    nlp = make_nlp(trained, candidates="spans", spans_key="passages", k=1)
    doc = nlp.make_doc("The cases in the study . A walrus report . The method .")
    doc.spans["passages"] = [doc[0:5], doc[6:9], doc[10:12]]
    doc._.query = "walrus"
    doc = nlp(doc)
    assert len(doc._.rerank_scores) == 3
    (best,) = doc._.reranked
    assert best["text"] == "A walrus report"
    assert doc.text[best["start"] : best["end"]] == best["text"]
    no_spans = nlp.make_doc("nothing here")
    no_spans._.query = "walrus"
    with caplog.at_level(logging.WARNING, logger="nlpkit"):
        assert nlp(no_spans)._.reranked == []
    assert "W303" in caplog.text


def index_pipeline(trained, tmp_path, **config):
    """A reranker whose candidates come from a saved BM25 index, from config."""
    docs = [("a", "walrus method"), ("b", "the tulip report"), ("c", "cobalt cases")]
    BM25Index.build(docs).save(tmp_path / "ix")
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "nlpkit_reranker",
        config={
            "model": str(trained),
            "candidates": "index",
            "index": {"@misc": "nlpkit.LoadIndex.v1", "path": str(tmp_path / "ix")},
            "save_model": False,
            **config,
        },
    )
    return nlp


def test_component_candidates_from_index_config(trained, tmp_path):
    nlp = index_pipeline(trained, tmp_path)
    doc = nlp("tulip")
    assert doc._.reranked[0]["id"] == "b"
    nlp.to_disk(tmp_path / "pipe")
    assert not (tmp_path / "pipe" / "nlpkit_reranker" / "model").exists()
    assert spacy.load(tmp_path / "pipe")("tulip")._.reranked[0]["id"] == "b"


def test_component_int8_backend_from_config(trained, tmp_path):
    nlp = index_pipeline(trained, tmp_path, backend="int8")
    assert nlp("tulip")._.reranked[0]["id"] == "b"
    assert nlp.get_pipe("nlpkit_reranker").reranker.backend == "int8"
    nlp.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.get_pipe("nlpkit_reranker").cfg["backend"] == "int8"


def test_component_bad_config(trained):
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="E307"):
        nlp.add_pipe(
            "nlpkit_reranker", config={"model": "x", "candidates": "paragraphs"}
        )
    with pytest.raises(ValueError, match="E307"):
        nlp.add_pipe("nlpkit_reranker", config={"model": "x", "backend": "onnx"})
    for setting, value in (("k", 0), ("depth", 0), ("batch_size", 0)):
        with pytest.raises(ValueError, match=f"E025.*{setting}"):
            nlp.add_pipe("nlpkit_reranker", config={"model": "x", setting: value})
    nlp.add_pipe("nlpkit_reranker", config={"model": "./missing/model"})
    with pytest.raises(ModelLoadError, match="E303"):
        nlp.initialize()


def test_component_is_a_pipe_that_checks_its_own_settings():
    from spacy.pipeline import Pipe

    from nlpkit.components.reranker import RerankerComponent

    nlp = spacy.blank("en")
    assert isinstance(nlp.add_pipe("nlpkit_reranker", config={"model": "x"}), Pipe)
    for setting, value in (("depth", 0), ("k", -3), ("batch_size", 0)):
        with pytest.raises(ValueError, match=f"E025.*{setting}"):
            RerankerComponent(nlp, model="x", **{setting: value})
    with pytest.raises(ValueError, match="E307.*candidates source"):
        RerankerComponent(nlp, model="x", candidates="paragraphs")
    with pytest.raises(ValueError, match="E307.*setting.*'topk'"):
        RerankerComponent(nlp, model="x", topk=3)
    with pytest.raises(ValueError, match="E025.*index"):
        RerankerComponent(nlp, model="x", candidates="index")


def test_component_errors_go_to_spacys_error_handler():
    nlp = spacy.blank("en")
    nlp.add_pipe("nlpkit_reranker", config={"model": "./missing/model"})
    seen = []
    nlp.set_error_handler(lambda name, proc, docs, err: seen.append((name, err)))
    doc = nlp.make_doc("walrus")
    doc._.candidates = ["a walrus"]
    assert list(nlp.pipe([doc])) == [doc]
    ((name, err),) = seen
    assert name == "nlpkit_reranker" and isinstance(err, ModelLoadError)


def test_component_old_name_top_k_still_works_with_a_warning():
    nlp = spacy.blank("en")
    with pytest.warns(DeprecationWarning, match="W330.*top_k.*k"):
        pipe = nlp.add_pipe("nlpkit_reranker", config={"model": "x", "top_k": 2})
    assert pipe.cfg["k"] == 2 and "top_k" not in pipe.cfg
    with pytest.raises(ValueError, match="E331"):
        nlp.add_pipe(
            "nlpkit_reranker", name="both", config={"model": "x", "top_k": 2, "k": 3}
        )


def test_component_loads_the_old_layout(trained, tmp_path):
    """A folder saved before k was named k: cfg (json.dumps) with top_k, model/."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(trained, old / "model")
    cfg = {"model": "model", "top_k": 1, "candidates": "extension", "depth": 20}
    (old / "cfg").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    nlp = make_nlp("unused")
    with pytest.warns(DeprecationWarning, match="W330"):
        pipe = nlp.get_pipe("nlpkit_reranker").from_disk(old)
    assert pipe.cfg["k"] == 1 and pipe.cfg["depth"] == 20
    queries, candidates = held_out_queries(seed=3)
    doc = nlp.make_doc(queries[0])
    doc._.candidates = candidates[0]
    assert len(nlp(doc)._.reranked) == 1


def test_component_index_candidates_go_through_reranked_retriever(trained, tmp_path):
    from nlpkit.retrieval import DEFAULT_DEPTH

    nlp = index_pipeline(trained, tmp_path)
    pipe = nlp.get_pipe("nlpkit_reranker")
    assert isinstance(pipe.retriever, RerankedRetriever)
    assert pipe.retriever.depth == pipe.cfg["depth"] == DEFAULT_DEPTH
    doc = nlp("walrus")
    # one score per candidate, in the index's order; reranked best first
    assert [h["id"] for h in doc._.reranked][0] == "a"
    assert len(doc._.rerank_scores) == 1


def test_reranked_retriever_from_config_blocks(trained, tmp_path):
    from spacy.util import registry

    from nlpkit.retrieval import DEFAULT_DEPTH

    BM25Index.build([("a", "walrus method"), ("b", "tulip")]).save(tmp_path / "ix")
    block = {
        "@misc": "nlpkit.RerankedRetriever.v1",
        "retriever": {"@misc": "nlpkit.LoadIndex.v1", "path": str(tmp_path / "ix")},
        "reranker": {"@misc": "nlpkit.Reranker.v1", "model": str(trained)},
    }
    searcher = registry.resolve({"x": block})["x"]
    assert isinstance(searcher, RerankedRetriever) and searcher.depth == DEFAULT_DEPTH
    assert searcher.search("walrus", k=1)[0].id == "a"
    old = registry.resolve({"x": {"@misc": "nlpkit.LoadReranker.v1", "model": "x"}})
    assert isinstance(old["x"], Reranker)


def test_train_settings_checked_and_listwise_drops_examples_without_negatives(
    tmp_path,
):
    examples = planted_examples()
    for setting, value in (
        ("batch_size", 0),
        ("epochs", 0),
        ("learning_rate", 0.0),
        ("n_negatives", -1),
    ):
        with pytest.raises(ValueError, match=f"E025.*{setting}"):
            train_reranker(examples, tmp_path / "x", **{setting: value})
    with pytest.raises(ValueError, match="E025.*listwise"):
        train_reranker(examples, tmp_path / "x", loss="listwise", n_negatives=0)
    with pytest.raises(ValueError, match="E310"):
        train_reranker([TrainingExample("q", "p")], tmp_path / "x", loss="listwise")
    mixed = [*examples[:3], TrainingExample("zebra", "a zebra passage")]
    with pytest.warns(UserWarning, match="W304.*1 of 4"):
        summary = train_reranker(
            mixed, tmp_path / "m", loss="listwise", batch_size=4, max_length=32
        )
    assert summary.examples == 3 and summary.steps == 1


# CLI
def test_cli_index_search_rerank(trained, tmp_path):
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"id": i, "text": t})
            for i, t in [
                ("a", "walrus method"),
                ("b", "walrus walrus walrus results"),
                ("c", "tulip cases"),
            ]
        )
        + "\n"
    )
    runner = CliRunner()
    out = runner.invoke(
        app, ["index", "build", str(corpus), "-o", str(tmp_path / "ix")]
    )
    assert out.exit_code == 0, out.output
    res = runner.invoke(
        app, ["search", "walrus", "-i", str(tmp_path / "ix"), "--json", "-k", "2"]
    )
    assert res.exit_code == 0, res.output
    ids = [json.loads(line)["id"] for line in res.stdout.splitlines()]
    assert ids[0] == "b"
    reranked = ["search", "walrus", "-i", str(tmp_path / "ix"), "--json"]
    reranked += ["--rerank", str(trained)]
    for backend in ("torch", "int8"):
        res = runner.invoke(app, reranked + ["--rerank-backend", backend])
        assert res.exit_code == 0, (backend, res.output)
        found = {json.loads(line)["id"] for line in res.stdout.splitlines()}
        assert found >= {"a", "b"}, backend
    bad_backend = runner.invoke(
        app,
        ["search", "x", "-i", str(tmp_path / "ix"), "--rerank", str(trained)]
        + ["--rerank-backend", "onnx"],
    )
    assert bad_backend.exit_code == 1 and "E307" in bad_backend.output
    empty = runner.invoke(app, ["search", " ", "-i", str(tmp_path / "ix")])
    assert empty.exit_code == 1 and "E301" in empty.output
    dense = runner.invoke(
        app, ["search", "x", "-i", str(tmp_path / "ix"), "-m", "dense"]
    )
    assert dense.exit_code == 1 and "E306" in dense.output
    bad = runner.invoke(
        app, ["search", "x", "-i", str(tmp_path / "ix"), "--rerank", "./nope"]
    )
    assert bad.exit_code == 1 and "E303" in bad.output
    (tmp_path / "ix" / "docs.jsonl").write_text("{")
    broken = runner.invoke(app, ["search", "x", "-i", str(tmp_path / "ix")])
    assert broken.exit_code == 1 and "E305" in broken.output


def test_cli_rerank_train_and_eval(trained, tmp_path, caplog):
    runner = CliRunner()
    data = tmp_path / "train.jsonl"
    rows = [
        {"query": e.query, "positive": e.positive, "negatives": e.negatives}
        for e in planted_examples()[:8]
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    common = ["--epochs", "1", "--batch-size", "4", "--max-length", "32"]
    # labelled data alone: nothing to mine from, so no mining (no --docs needed)
    res = runner.invoke(
        app,
        ["rerank", "train", "--data", str(data), "-o", str(tmp_path / "m1")] + common,
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m1" / "nlpkit_reranker.json").exists()
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps(d) for d in DOC_TEXTS) + "\n")
    res = runner.invoke(
        app,
        ["rerank", "train", "--docs", str(docs), "-o", str(tmp_path / "m2")]
        + ["--pairs", "title", "--negatives", "2", "--loss", "listwise"]
        + common,
    )
    assert res.exit_code == 0, res.output
    info = json.loads((tmp_path / "m2" / "nlpkit_reranker.json").read_text())
    assert info["examples"] == len(DOC_TEXTS) and info["loss"] == "listwise"
    res = runner.invoke(
        app,
        ["rerank", "train", "--data", str(data), "-o", str(tmp_path / "m3")]
        + ["--batch-size", "0"],
    )
    assert res.exit_code == 1 and "E025" in res.output

    runner.invoke(app, ["index", "build", str(docs), "-o", str(tmp_path / "ix")])
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        json.dumps({"id": "q1", "text": "zebra wind tunnel"})
        + "\n"
        + json.dumps({"id": "q2", "text": "tulip theory"})
        + "\n"
    )
    qrels = tmp_path / "qrels.txt"
    qrels.write_text("q1 0 d0 1\nq2 0 d12 1\nq2 0 zzz 1\n")
    per_query = tmp_path / "per_query.jsonl"
    # the documents are longer than the test model's 32 tokens: truncated, warned
    with (
        caplog.at_level(logging.WARNING, logger="nlpkit"),
        pytest.warns(UserWarning, match="W302"),
    ):
        res = runner.invoke(
            app,
            ["rerank", "eval", "-i", str(tmp_path / "ix"), "--queries", str(queries)]
            + ["--qrels", str(qrels), "--rerank", str(trained), "--depth", "5"]
            + ["-o", str(per_query)],
        )
    assert res.exit_code == 0, res.output
    assert "W301" in caplog.text and "q2:zzz" in caplog.text
    assert re.search(r"judgements naming unknown docs\D+1\b", res.output), res.output
    rows = [json.loads(line) for line in per_query.read_text().splitlines()]
    assert [r["query_id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["ranking"][0][0] == "d0"


def test_cli_hybrid_build_weights_and_bad_fusion(tmp_path, monkeypatch):
    docs = tmp_path / "docs.jsonl"
    docs.write_text("\n".join(json.dumps(d) for d in DOC_TEXTS[:4]) + "\n")
    runner = CliRunner()
    res = runner.invoke(
        app,
        ["index", "build", str(docs), "-o", str(tmp_path / "hy"), "-m", "hybrid"]
        + ["--weights", "0.3,0.7", "--rrf-k", "10"],
    )
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "hy" / "nlpkit_index.json").read_text())
    assert meta["weights"] == [0.3, 0.7] and meta["rrf_k"] == 10.0

    from nlpkit.retrieval.dense import DenseIndex

    def no_embedding(*args, **kwargs):
        raise AssertionError("the corpus was embedded before the settings were checked")

    monkeypatch.setattr(DenseIndex, "build", no_embedding)
    for extra, code, exit_code in (
        (["--fusion", "max"], "E061", 2),  # refused while parsing, before any work
        (["--weights", "1,2,3"], "E308", 1),
        (["--rrf-k", "0"], "E025", 1),
    ):
        res = runner.invoke(
            app,
            ["index", "build", str(docs), "-o", str(tmp_path / "bad"), "-m", "hybrid"]
            + extra,
        )
        assert res.exit_code == exit_code and code in res.output, (extra, res.output)


def test_predict_and_rank_match_cross_encoder(reranker, trained):
    """predict/rank take CrossEncoder's arguments and give its shapes and numbers."""
    from sentence_transformers import CrossEncoder

    peer = CrossEncoder(str(trained), device="cpu")
    query = "a small cat"
    documents = ["the kitten sleeps", "stock prices fell", "a cat on a mat"]
    pairs = [(query, d) for d in documents]
    ours = reranker.predict(pairs)
    assert ours == pytest.approx(peer.predict(pairs), abs=1e-4)
    assert isinstance(reranker.predict(pairs[0]), float)
    assert reranker.predict(pairs[0]) == pytest.approx(float(ours[0]), abs=1e-5)
    got = reranker.rank(query, documents, top_k=2, return_documents=True)
    want = peer.rank(query, documents, top_k=2, return_documents=True)
    assert [r["corpus_id"] for r in got] == [r["corpus_id"] for r in want]
    assert [r["text"] for r in got] == [r["text"] for r in want]
    assert [r["score"] for r in got] == pytest.approx([r["score"] for r in want], 1e-4)
    assert set(reranker.rank(query, documents)[0]) == {"corpus_id", "score"}
    assert len(reranker.rank(query, documents)) == 3
